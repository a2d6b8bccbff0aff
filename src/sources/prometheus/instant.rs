//! Instant queries (`/api/v1/query`): PromQL evaluated at one time. Vector and scalar answers
//! become a `QueryResult` with one point per series; decoding and errors are the range
//! query's (`decode_query`, `interpret`).

use super::interpret;
use crate::fetch::Progress;
use crate::model::QueryResult;
use crate::sources::error::SourceError;
use crate::sources::http::HttpClient;

/// PromQL evaluated at `time` (Unix seconds).
#[derive(Clone, Debug, PartialEq)]
pub struct InstantQuery {
    pub query: String,
    pub time: f64,
}

/// Runs an instant query. Answers are small, so they are decoded on the calling task.
pub async fn instant_query(
    http: &HttpClient,
    q: &InstantQuery,
    progress: &Progress,
) -> Result<QueryResult, SourceError> {
    let time = if q.time.fract() == 0.0 {
        format!("{:.0}", q.time)
    } else {
        format!("{:.3}", q.time)
    };
    let form = [("query", q.query.as_str()), ("time", time.as_str())];
    let response = http.post_form("/api/v1/query", &form, progress).await?;
    interpret(response)
}
