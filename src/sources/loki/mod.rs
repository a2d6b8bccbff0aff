//! Loki HTTP API client: log and metric queries, label and series discovery, volumes, paging
//! past the per-query limit ([`paging`]) and live tail over WebSocket ([`tail`]).
//!
//! Auth and `X-Scope-OrgID` are the connection's extra headers, which [`HttpClient`] sends on
//! every request. Loki answers errors as plain text; they become [`SourceError::Query`] (400)
//! or [`SourceError::HttpStatus`] carrying Loki's own words.

pub mod decode;
pub mod paging;
pub mod tail;

use super::error::SourceError;
use super::http::{HttpClient, HttpResponse};
use crate::fetch::Progress;
use crate::model::{Labels, QueryResult};
pub use decode::{LokiAnswer, TailFrame, decode_query_response, decode_tail_frame};
pub use paging::{LoadProgress, MAX_LINES, load_logs, load_logs_paged};
pub use tail::{TailCounters, TailHandle, TailOptions, TailRequest, start_tail};

/// The request header that asks Loki for the `categorize-labels` encoding.
pub const ENCODING_FLAGS_HEADER: &str = "X-Loki-Response-Encoding-Flags";
/// Loki's default `max_entries_limit_per_query`.
pub const DEFAULT_PAGE_LIMIT: usize = 5_000;

/// Which end of the range Loki starts from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Direction {
    Forward,
    /// Newest first, Loki's default.
    #[default]
    Backward,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Forward => "forward",
            Self::Backward => "backward",
        }
    }
}

/// A `[start, end)` range in Unix nanoseconds (Loki's `start` is inclusive, `end` exclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NsRange {
    pub start_ns: u64,
    pub end_ns: u64,
}

/// A `query_range` request.
#[derive(Clone, Debug, PartialEq)]
pub struct LokiRangeQuery {
    /// LogQL.
    pub query: String,
    pub range: NsRange,
    /// Most lines (log queries) or series (metric queries) to return.
    pub limit: usize,
    pub direction: Direction,
    /// Seconds between points, for metric queries; Loki picks one when `None`.
    pub step: Option<f64>,
    /// Ask for structured metadata and parsed labels apart from the stream labels.
    pub categorize_labels: bool,
}

impl LokiRangeQuery {
    /// A log query over `range` with Loki's defaults (backward, 5,000 lines, categorized).
    pub fn logs(query: &str, range: NsRange) -> Self {
        Self {
            query: query.to_owned(),
            range,
            limit: DEFAULT_PAGE_LIMIT,
            direction: Direction::Backward,
            step: None,
            categorize_labels: true,
        }
    }
}

/// `GET /loki/api/v1/query_range`: streams for log queries, a matrix for metric queries.
pub async fn query_range(
    http: &HttpClient,
    q: &LokiRangeQuery,
    progress: &Progress,
) -> Result<LokiAnswer, SourceError> {
    let (start, end, limit) = (
        q.range.start_ns.to_string(),
        q.range.end_ns.to_string(),
        q.limit.to_string(),
    );
    let step = q.step.map(seconds);
    let mut params = vec![
        ("query", q.query.as_str()),
        ("start", start.as_str()),
        ("end", end.as_str()),
        ("limit", limit.as_str()),
        ("direction", q.direction.as_str()),
    ];
    if let Some(step) = &step {
        params.push(("step", step.as_str()));
    }
    let headers: &[(&str, &str)] = if q.categorize_labels {
        &[(ENCODING_FLAGS_HEADER, "categorize-labels")]
    } else {
        &[]
    };
    let response = http
        .get_with_headers("/loki/api/v1/query_range", &params, headers, progress)
        .await?;
    decode_off_workers(response).await
}

/// `GET /loki/api/v1/query`: an instant query at `time_ns` (metric queries; Loki rejects log
/// queries here with a 400 that becomes [`SourceError::Query`]).
pub async fn query(
    http: &HttpClient,
    logql: &str,
    time_ns: u64,
    limit: usize,
    direction: Direction,
    progress: &Progress,
) -> Result<LokiAnswer, SourceError> {
    let (time, limit) = (time_ns.to_string(), limit.to_string());
    let params = [
        ("query", logql),
        ("time", time.as_str()),
        ("limit", limit.as_str()),
        ("direction", direction.as_str()),
    ];
    let response = http
        .get_with_headers(
            "/loki/api/v1/query",
            &params,
            &[(ENCODING_FLAGS_HEADER, "categorize-labels")],
            progress,
        )
        .await?;
    decode_off_workers(response).await
}

/// `GET /loki/api/v1/labels`: label names seen in `range`.
pub async fn labels(
    http: &HttpClient,
    range: NsRange,
    progress: &Progress,
) -> Result<Vec<String>, SourceError> {
    let (start, end) = range_params(range);
    let params = [("start", start.as_str()), ("end", end.as_str())];
    let response = checked(http.get("/loki/api/v1/labels", &params, progress).await?)?;
    decode_decode_error(&response, decode::decode_string_list(&response.body))
}

/// `GET /loki/api/v1/label/<name>/values`, optionally only of streams matching `selector`.
pub async fn label_values(
    http: &HttpClient,
    name: &str,
    range: NsRange,
    selector: Option<&str>,
    progress: &Progress,
) -> Result<Vec<String>, SourceError> {
    let (start, end) = range_params(range);
    let mut params = vec![("start", start.as_str()), ("end", end.as_str())];
    if let Some(selector) = selector {
        params.push(("query", selector));
    }
    let path = format!(
        "/loki/api/v1/label/{}/values",
        url::form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>()
    );
    let response = checked(http.get(&path, &params, progress).await?)?;
    decode_decode_error(&response, decode::decode_string_list(&response.body))
}

/// `GET /loki/api/v1/series`: the label sets of streams matching any of `selectors`.
pub async fn series(
    http: &HttpClient,
    selectors: &[&str],
    range: NsRange,
    progress: &Progress,
) -> Result<Vec<Labels>, SourceError> {
    let (start, end) = range_params(range);
    let mut params: Vec<(&str, &str)> = selectors.iter().map(|s| ("match[]", *s)).collect();
    params.push(("start", start.as_str()));
    params.push(("end", end.as_str()));
    let response = checked(http.get("/loki/api/v1/series", &params, progress).await?)?;
    decode_decode_error(&response, decode::decode_series_list(&response.body))
}

/// `GET /loki/api/v1/index/volume`: bytes per stream (or per `aggregate_by` label) over
/// `range`, as a vector.
pub async fn volume(
    http: &HttpClient,
    selector: &str,
    range: NsRange,
    limit: usize,
    progress: &Progress,
) -> Result<QueryResult, SourceError> {
    let (start, end) = range_params(range);
    let limit = limit.to_string();
    let params = [
        ("query", selector),
        ("start", start.as_str()),
        ("end", end.as_str()),
        ("limit", limit.as_str()),
    ];
    let response = http
        .get("/loki/api/v1/index/volume", &params, progress)
        .await?;
    metric(decode_off_workers(response).await?)
}

/// `GET /loki/api/v1/index/volume_range`: bytes over time every `step` seconds, as a matrix
/// (one request for a whole volume histogram).
pub async fn volume_range(
    http: &HttpClient,
    selector: &str,
    range: NsRange,
    step: f64,
    progress: &Progress,
) -> Result<QueryResult, SourceError> {
    let (start, end) = range_params(range);
    let step = seconds(step);
    let params = [
        ("query", selector),
        ("start", start.as_str()),
        ("end", end.as_str()),
        ("step", step.as_str()),
    ];
    let response = http
        .get("/loki/api/v1/index/volume_range", &params, progress)
        .await?;
    metric(decode_off_workers(response).await?)
}

fn metric(answer: LokiAnswer) -> Result<QueryResult, SourceError> {
    match answer {
        LokiAnswer::Metric(result) => Ok(result),
        LokiAnswer::Logs(_) | LokiAnswer::Error(_) => Err(SourceError::Config(
            "Loki answered a volume request with log lines".into(),
        )),
    }
}

/// Turns Loki's plain-text errors into typed errors: 400 means Loki refused the query; other
/// statuses (401 no org id, 429, 499, 5xx) are HTTP errors. Both carry Loki's words.
pub fn checked(response: HttpResponse) -> Result<HttpResponse, SourceError> {
    if response.status < 300 {
        return Ok(response);
    }
    // Loki's messages can run to several lines (pipeline errors); keep them whole up to 4 KiB.
    let text = String::from_utf8_lossy(&response.body[..response.body.len().min(4096)])
        .trim()
        .to_owned();
    Err(if response.status == 400 {
        SourceError::Query {
            url: response.url,
            error_type: "bad request".into(),
            message: text,
        }
    } else {
        SourceError::HttpStatus {
            url: response.url,
            status: response.status,
            body: text,
        }
    })
}

/// Checks the status, then decodes a query body on the blocking pool (large bodies take
/// milliseconds) and maps a `status: error` envelope to [`SourceError::Query`].
async fn decode_off_workers(response: HttpResponse) -> Result<LokiAnswer, SourceError> {
    let response = checked(response)?;
    let url = response.url.clone();
    let decoded = tokio::task::spawn_blocking(move || {
        let answer = decode_query_response(&response.body);
        decode_decode_error(&response, answer)
    })
    .await
    .unwrap_or_else(|e| {
        Err(SourceError::Decode {
            url: url.clone(),
            message: format!("decoder stopped: {e}"),
            line: 0,
            column: 0,
        })
    })?;
    match decoded {
        LokiAnswer::Error(message) => Err(SourceError::Query {
            url,
            error_type: "error".into(),
            message,
        }),
        answer => Ok(answer),
    }
}

fn decode_decode_error<T>(
    response: &HttpResponse,
    result: Result<T, crate::sources::prometheus::DecodeError>,
) -> Result<T, SourceError> {
    result.map_err(|e| SourceError::Decode {
        url: response.url.clone(),
        message: e.message,
        line: e.line,
        column: e.column,
    })
}

fn range_params(range: NsRange) -> (String, String) {
    (range.start_ns.to_string(), range.end_ns.to_string())
}

/// Seconds as Loki accepts a step: a plain number, with a fraction only when there is one.
fn seconds(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            url: "http://loki/loki/api/v1/query_range".into(),
            status,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn bad_request_is_a_query_error_with_lokis_words() {
        let err = checked(response(
            400,
            "parse error at line 1, col 1: syntax error\n",
        ))
        .unwrap_err();
        assert_eq!(
            err,
            SourceError::Query {
                url: "http://loki/loki/api/v1/query_range".into(),
                error_type: "bad request".into(),
                message: "parse error at line 1, col 1: syntax error".into()
            }
        );
    }

    #[test]
    fn other_statuses_are_http_errors() {
        let err = checked(response(429, "too many outstanding requests")).unwrap_err();
        assert!(
            matches!(&err, SourceError::HttpStatus { status: 429, body, .. } if body == "too many outstanding requests"),
            "{err:?}"
        );
    }
}
