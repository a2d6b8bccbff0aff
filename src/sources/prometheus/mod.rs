//! Prometheus HTTP API client (also Mimir, Thanos, VictoriaMetrics): range queries and health;
//! labels, series, metadata and exemplars live in their own files.

pub mod decode;
pub mod envelope;
pub mod exemplars;
pub mod inspect;
pub mod instant;
pub mod labels;
pub mod metadata;

use super::error::SourceError;
use super::http::{HttpClient, HttpResponse};
use crate::fetch::Progress;
use crate::model::QueryResult;
pub use decode::{Answer, DecodeError, decode_query};
pub use envelope::Reply;
pub use inspect::{InspectedQuery, QueryInspection, range_query_inspected};

/// Prometheus refuses range queries that would return more points than this per series.
pub const MAX_POINTS_PER_SERIES: f64 = 11_000.0;

/// A `query_range` request: PromQL over `[start, end]` every `step` seconds.
#[derive(Clone, Debug, PartialEq)]
pub struct RangeQuery {
    pub query: String,
    /// Unix seconds.
    pub start: f64,
    pub end: f64,
    /// Seconds between points.
    pub step: f64,
}

impl RangeQuery {
    /// A query over `[start, end]` with about one point per pixel of `width_px`, never more than
    /// Prometheus' 11,000 points per series, and with `start` aligned to the step so that
    /// refreshing a moving window keeps the same sample times (as Grafana does).
    pub fn for_width(query: &str, start: f64, end: f64, width_px: f32) -> Self {
        let range = (end - start).max(1.0);
        let per_pixel = range / f64::from(width_px.max(1.0));
        let per_limit = range / (MAX_POINTS_PER_SERIES - 1.0);
        let step = per_pixel.max(per_limit).max(1.0).ceil();
        Self {
            query: query.to_owned(),
            start: (start / step).floor() * step,
            end,
            step,
        }
    }

    /// Points per series this query asks for.
    pub fn points(&self) -> f64 {
        ((self.end - self.start) / self.step).floor() + 1.0
    }
}

/// Runs a range query. Prometheus errors become [`SourceError::Query`] with the server's words.
pub async fn range_query(
    http: &HttpClient,
    q: &RangeQuery,
    progress: &Progress,
) -> Result<QueryResult, SourceError> {
    let (start, end, step) = (fmt_num(q.start), fmt_num(q.end), fmt_num(q.step));
    let form = [
        ("query", q.query.as_str()),
        ("start", start.as_str()),
        ("end", end.as_str()),
        ("step", step.as_str()),
    ];
    let response = http
        .post_form("/api/v1/query_range", &form, progress)
        .await?;
    let url = response.url.clone();
    // Large bodies take milliseconds to decode: keep that off the async workers.
    tokio::task::spawn_blocking(move || interpret(response))
        .await
        .unwrap_or_else(|e| {
            Err(SourceError::Decode {
                url,
                message: format!("decoder stopped: {e}"),
                line: 0,
                column: 0,
            })
        })
}

/// Checks the server is up: `/-/ready`, or `/api/v1/status/buildinfo` for servers without it
/// (Mimir and Thanos mount Prometheus' API under a prefix, without the `/-/` endpoints).
pub async fn health(http: &HttpClient) -> Result<(), SourceError> {
    let progress = Progress::default();
    let ready = http.get("/-/ready", &[], &progress).await?;
    if ready.status == 200 {
        return Ok(());
    }
    let info = http.get("/api/v1/status/buildinfo", &[], &progress).await?;
    if info.status == 200 {
        Ok(())
    } else {
        Err(SourceError::HttpStatus {
            body: ready.body_excerpt(),
            url: ready.url,
            status: ready.status,
        })
    }
}

/// Turns a response into a result or the most helpful error: Prometheus sends its error
/// envelope with 400, 422 and 503, so the body is read before the status is blamed.
pub fn interpret(response: HttpResponse) -> Result<QueryResult, SourceError> {
    match decode_query(&response.body) {
        Ok(Answer::Success(result)) if response.status < 300 => Ok(result),
        Ok(Answer::Error {
            error_type,
            message,
        }) => Err(SourceError::Query {
            url: response.url,
            error_type,
            message,
        }),
        Ok(Answer::Success(_)) | Err(_) if response.status >= 300 => Err(SourceError::HttpStatus {
            status: response.status,
            body: response.body_excerpt(),
            url: response.url,
        }),
        Ok(Answer::Success(result)) => Ok(result),
        Err(e) => Err(SourceError::Decode {
            url: response.url,
            message: e.message,
            line: e.line,
            column: e.column,
        }),
    }
}

/// Seconds as Prometheus accepts them: integers without a fraction, others with millisecond precision.
fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_gives_about_one_point_per_pixel() {
        let q = RangeQuery::for_width("up", 0.0, 3600.0, 1200.0);
        assert_eq!(q.step, 3.0);
        assert!(q.points() <= 1201.0);
    }

    #[test]
    fn step_never_exceeds_prometheus_point_limit() {
        // 30 days on a very wide panel would be 259 s per pixel at 10,000 px: allowed. At
        // 100,000 px the limit wins.
        let q = RangeQuery::for_width("up", 0.0, 30.0 * 86400.0, 100_000.0);
        assert!(q.points() <= MAX_POINTS_PER_SERIES, "{} points", q.points());
        let q = RangeQuery::for_width("up", 0.0, 60.0, 1200.0);
        assert_eq!(q.step, 1.0, "steps below a second are not useful here");
    }

    #[test]
    fn start_is_aligned_to_the_step() {
        let q = RangeQuery::for_width("up", 1001.0, 4601.0, 1200.0);
        assert_eq!(q.start % q.step, 0.0);
        assert!(q.start <= 1001.0);
    }

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            url: "http://p/api/v1/query_range".into(),
            status,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn html_error_page_becomes_an_http_error() {
        let err = interpret(response(502, "<html>Bad Gateway</html>")).unwrap_err();
        assert!(
            matches!(err, SourceError::HttpStatus { status: 502, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn garbage_with_200_becomes_a_decode_error() {
        let err = interpret(response(200, "<html>")).unwrap_err();
        assert!(
            matches!(err, SourceError::Decode { line: 1, .. }),
            "{err:?}"
        );
    }
}
