//! Tempo client: traces by id (`/api/v2/traces/{id}`, falling back to v1 `/api/traces/{id}`),
//! TraceQL search (`/api/search`) and tag names and values for autocomplete (v2, falling back
//! to v1). Trace ids are accepted in hex or base64 and sent as hex.
//!
//! Tempo's errors are plain text (`invalid TraceQL query: …`); 400s become
//! [`SourceError::Query`] with Tempo's words, a 404 for a trace id a `Query` error of type
//! [`TRACE_NOT_FOUND`]. Trace decoding runs on the blocking pool.

mod search;

pub use search::{
    MatchedSpan, ROOT_NOT_YET_RECEIVED, SpanSet, TagScope, TagValue, TempoSearchResult,
    TempoTraceHit,
};

use crate::fetch::Progress;
use crate::model::TraceId;
use crate::sources::decoded_traces::{DecodedTraces, SpanCollector, decode_error, off_the_runtime};
use crate::sources::error::SourceError;
use crate::sources::http::{HttpClient, HttpResponse};
use crate::sources::json_scalars::from_json_bytes;
use crate::sources::json_scalars::null_as_default;
use crate::sources::otlp_traces::{self, OtlpTracesJson};
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// The `error_type` of the error for a trace id Tempo does not have.
pub const TRACE_NOT_FOUND: &str = "trace not found";

/// A trace fetched by id.
#[derive(Clone, Debug, PartialEq)]
pub struct TempoTrace {
    /// Holds exactly one trace.
    pub decoded: DecodedTraces,
    /// Set when Tempo says the trace is partial (v2 `status`), with its message.
    pub partial: Option<String>,
}

/// A TraceQL search.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceQlSearch {
    pub query: String,
    /// Unix seconds; both zero for Tempo's default (recent data).
    pub start_s: u64,
    pub end_s: u64,
    pub limit: usize,
    /// Spans per span set (`spss`); `None` for Tempo's default (3).
    pub spans_per_span_set: Option<usize>,
}

/// A Tempo server (or Grafana Cloud Traces). Cheap to clone.
#[derive(Clone, Debug)]
pub struct TempoClient {
    http: HttpClient,
}

impl TempoClient {
    pub fn new(http: HttpClient) -> Self {
        Self { http }
    }

    /// One trace by id, given in hex (possibly with leading zeros dropped) or base64.
    pub async fn trace(&self, id: &str, progress: &Progress) -> Result<TempoTrace, SourceError> {
        let trace_id = TraceId::parse(id).ok_or_else(|| SourceError::Query {
            url: self.http.base_url().to_owned(),
            error_type: "bad trace id".to_owned(),
            message: format!("“{id}” is not a trace id (32 hex digits or base64 of 16 bytes)"),
        })?;
        let hex = trace_id.to_string();
        let v2 = self
            .http
            .get(&format!("/api/v2/traces/{hex}"), &[], progress)
            .await?;
        let (response, wrapped) = if is_missing_route(&v2) {
            let v1 = self
                .http
                .get(&format!("/api/traces/{hex}"), &[], progress)
                .await?;
            (v1, false)
        } else {
            (v2, true)
        };
        if response.status == 404 {
            return Err(SourceError::Query {
                url: response.url,
                error_type: TRACE_NOT_FOUND.to_owned(),
                message: format!("trace {trace_id} is not in Tempo"),
            });
        }
        if let Some(error) = failure(&response) {
            return Err(error);
        }
        let url = response.url.clone();
        let fetched = off_the_runtime(&url, move || decode_trace(&response, wrapped)).await?;
        if fetched.decoded.traces.is_empty() {
            return Err(SourceError::Query {
                url,
                error_type: TRACE_NOT_FOUND.to_owned(),
                message: format!(
                    "Tempo answered with no spans for trace {trace_id} ({} unreadable)",
                    fetched.decoded.dropped_spans
                ),
            });
        }
        Ok(fetched)
    }

    /// Traces matching a TraceQL query.
    pub async fn search(
        &self,
        search: &TraceQlSearch,
        progress: &Progress,
    ) -> Result<TempoSearchResult, SourceError> {
        let (start, end, limit) = (
            search.start_s.to_string(),
            search.end_s.to_string(),
            search.limit.to_string(),
        );
        let spss = search.spans_per_span_set.map(|n| n.to_string());
        let mut query = vec![("q", search.query.as_str())];
        if search.start_s > 0 || search.end_s > 0 {
            query.push(("start", start.as_str()));
            query.push(("end", end.as_str()));
        }
        query.push(("limit", limit.as_str()));
        if let Some(spss) = &spss {
            query.push(("spss", spss.as_str()));
        }
        let response = self.http.get("/api/search", &query, progress).await?;
        Ok(decode::<search::SearchJson>(&response)?.into_result())
    }

    /// Tag names by scope (`scope` = `resource`, `span`, `intrinsic`, … or all), for
    /// autocomplete. A Tempo without v2 answers one scope with an empty name.
    pub async fn tags(
        &self,
        scope: Option<&str>,
        progress: &Progress,
    ) -> Result<Vec<TagScope>, SourceError> {
        let query: Vec<(&str, &str)> = scope.map(|s| ("scope", s)).into_iter().collect();
        let v2 = self
            .http
            .get("/api/v2/search/tags", &query, progress)
            .await?;
        if !is_missing_route(&v2) {
            return Ok(decode::<search::TagsV2Json>(&v2)?
                .scopes
                .into_iter()
                .map(|s| TagScope {
                    name: s.name,
                    tags: s.tags,
                })
                .collect());
        }
        let v1 = self.http.get("/api/search/tags", &[], progress).await?;
        Ok(vec![TagScope {
            name: String::new(),
            tags: decode::<search::TagsV1Json>(&v1)?.tag_names,
        }])
    }

    /// Values of one tag (`resource.service.name`), optionally narrowed by a TraceQL query.
    pub async fn tag_values(
        &self,
        tag: &str,
        query: Option<&str>,
        progress: &Progress,
    ) -> Result<Vec<TagValue>, SourceError> {
        let segment = path_segment(tag);
        let params: Vec<(&str, &str)> = query.map(|q| ("q", q)).into_iter().collect();
        let v2 = self
            .http
            .get(
                &format!("/api/v2/search/tag/{segment}/values"),
                &params,
                progress,
            )
            .await?;
        if !is_missing_route(&v2) {
            return Ok(decode::<search::TagValuesV2Json>(&v2)?
                .tag_values
                .into_iter()
                .map(|v| TagValue {
                    kind: v.kind,
                    value: v.value,
                })
                .collect());
        }
        // v1 names tags without their scope (`service.name`).
        let unscoped = tag
            .split_once('.')
            .filter(|(scope, _)| matches!(*scope, "resource" | "span" | "event" | "link"))
            .map_or(tag, |(_, rest)| rest);
        let v1 = self
            .http
            .get(
                &format!("/api/search/tag/{}/values", path_segment(unscoped)),
                &[],
                progress,
            )
            .await?;
        Ok(decode::<search::TagValuesV1Json>(&v1)?
            .tag_values
            .into_iter()
            .map(|value| TagValue {
                kind: String::new(),
                value,
            })
            .collect())
    }
}

/// Tempo answers an unknown route with Go's plain `404 page not found`; an unknown trace id
/// gets a 404 with an empty body (or `trace not found`).
fn is_missing_route(response: &HttpResponse) -> bool {
    response.status == 404
        && String::from_utf8_lossy(&response.body)
            .trim()
            .eq_ignore_ascii_case("404 page not found")
}

/// Tempo's plain-text errors, with its words.
fn failure(response: &HttpResponse) -> Option<SourceError> {
    if response.status < 300 {
        return None;
    }
    let text = response.body_excerpt();
    if matches!(response.status, 400 | 422) && !text.is_empty() {
        let error_type = match text.split_once(':') {
            Some((head, _)) if head.len() < 40 => head.trim().to_owned(),
            _ => "bad request".to_owned(),
        };
        return Some(SourceError::Query {
            url: response.url.clone(),
            error_type,
            message: text,
        });
    }
    Some(SourceError::HttpStatus {
        url: response.url.clone(),
        status: response.status,
        body: text,
    })
}

fn decode<T: DeserializeOwned>(response: &HttpResponse) -> Result<T, SourceError> {
    if let Some(error) = failure(response) {
        return Err(error);
    }
    from_json_bytes(&response.body).map_err(|e| decode_error(&response.url, &e))
}

/// `/api/v2/traces/{id}`: `{"trace": TracesData, "status"?, "message"?}`.
#[derive(Deserialize)]
struct TraceV2Json {
    #[serde(default, deserialize_with = "null_as_default")]
    trace: OtlpTracesJson,
    #[serde(default)]
    status: Option<PartialStatus>,
    #[serde(default, deserialize_with = "null_as_default")]
    message: String,
}

/// Tempo's `PartialStatus` enum, as its name or number.
#[derive(Deserialize)]
#[serde(untagged)]
enum PartialStatus {
    Name(String),
    Number(i64),
}

impl PartialStatus {
    fn is_partial(&self) -> bool {
        match self {
            Self::Name(name) => name.eq_ignore_ascii_case("partial"),
            Self::Number(n) => *n == 1,
        }
    }
}

fn decode_trace(response: &HttpResponse, wrapped: bool) -> Result<TempoTrace, SourceError> {
    let mut out = SpanCollector::default();
    let partial = if wrapped {
        let answer: TraceV2Json =
            from_json_bytes(&response.body).map_err(|e| decode_error(&response.url, &e))?;
        otlp_traces::collect_json(answer.trace, &mut out);
        answer
            .status
            .filter(PartialStatus::is_partial)
            .map(|_| answer.message)
    } else {
        let answer: OtlpTracesJson =
            from_json_bytes(&response.body).map_err(|e| decode_error(&response.url, &e))?;
        otlp_traces::collect_json(answer, &mut out);
        None
    };
    Ok(TempoTrace {
        decoded: out.finish(),
        partial,
    })
}

/// A tag name as one path segment.
fn path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~:".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
