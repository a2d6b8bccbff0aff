//! Jaeger API v3 over HTTP (grpc-gateway): routes, `query.*` parameters, answers and errors.
//!
//! Streaming calls (`/api/v3/traces`, `/api/v3/traces/{id}`) may send several
//! `{"result": TracesData}` objects one after another; all are read.

use super::{Operation, TRACE_NOT_FOUND, TraceSearch, go_duration, tags_json};
use crate::model::{TraceId, TraceSummary};
use crate::sources::decoded_traces::{DecodedTraces, SpanCollector, decode_error, off_the_runtime};
use crate::sources::error::SourceError;
use crate::sources::http::HttpResponse;
use crate::sources::json_scalars::from_json_bytes;
use crate::sources::json_scalars::{FlexU64, null_as_default};
use crate::sources::otlp_traces::{self, OtlpTracesJson};
use serde::Deserialize;
use serde::de::DeserializeOwned;

pub const SERVICES: &str = "/api/v3/services";
pub const OPERATIONS: &str = "/api/v3/operations";
pub const TRACES: &str = "/api/v3/traces";
pub const SUMMARIES: &str = "/api/v3/trace-summaries";

/// grpc-gateway's error body: `{"error": {...}}`, or the plain `google.rpc.Status` form.
#[derive(Debug, Default, Deserialize)]
struct ErrorEnvelope {
    #[serde(default)]
    error: Option<GatewayError>,
    #[serde(default)]
    code: Option<i64>,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GatewayError {
    #[serde(default)]
    http_code: Option<i64>,
    #[serde(default, deserialize_with = "null_as_default")]
    message: String,
}

impl ErrorEnvelope {
    fn parse(body: &[u8]) -> Option<(Option<i64>, String)> {
        let envelope: Self = serde_json::from_slice(body).ok()?;
        match envelope {
            Self {
                error: Some(error), ..
            } => Some((error.http_code, error.message)),
            Self {
                code: Some(_),
                message: Some(message),
                ..
            } => Some((None, message)),
            _ => None,
        }
    }
}

/// A 404 without grpc-gateway's error body: the server has no v3 routes.
pub fn is_missing_route(response: &HttpResponse) -> bool {
    response.status == 404 && ErrorEnvelope::parse(&response.body).is_none()
}

/// The error for a response that is not a success, or `None` for a success.
fn failure(response: &HttpResponse) -> Option<SourceError> {
    // A success body may be a million spans: never parse it twice.
    if response.status < 300 {
        return None;
    }
    if let Some((http_code, message)) = ErrorEnvelope::parse(&response.body) {
        let status = http_code.unwrap_or(i64::from(response.status));
        let error_type = if status == 404 {
            TRACE_NOT_FOUND.to_owned()
        } else {
            format!("Jaeger error {status}")
        };
        return Some(SourceError::Query {
            url: response.url.clone(),
            error_type,
            message,
        });
    }
    Some(SourceError::HttpStatus {
        url: response.url.clone(),
        status: response.status,
        body: response.body_excerpt(),
    })
}

fn decode<T: DeserializeOwned>(response: &HttpResponse) -> Result<T, SourceError> {
    if let Some(error) = failure(response) {
        return Err(error);
    }
    from_json_bytes(&response.body).map_err(|e| decode_error(&response.url, &e))
}

#[derive(Deserialize)]
struct ServicesJson {
    #[serde(default, deserialize_with = "null_as_default")]
    services: Vec<String>,
}

pub fn services(response: HttpResponse) -> Result<Vec<String>, SourceError> {
    Ok(decode::<ServicesJson>(&response)?.services)
}

#[derive(Deserialize)]
struct OperationsJson {
    #[serde(default, deserialize_with = "null_as_default")]
    operations: Vec<OperationJson>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OperationJson {
    name: String,
    #[serde(default)]
    span_kind: Option<String>,
}

pub fn operations(response: HttpResponse) -> Result<Vec<Operation>, SourceError> {
    Ok(decode::<OperationsJson>(&response)?
        .operations
        .into_iter()
        .map(|o| Operation {
            name: o.name,
            span_kind: o.span_kind.filter(|k| !k.is_empty()),
        })
        .collect())
}

/// `query.*` parameters for a search (also taken by `/api/v3/trace-summaries`).
pub fn search_params(search: &TraceSearch) -> Vec<(&'static str, String)> {
    let mut params = vec![("query.service_name", search.service.clone())];
    if let Some(operation) = &search.operation {
        params.push(("query.operation_name", operation.clone()));
    }
    if !search.tags.is_empty() {
        params.push(("query.attributes", tags_json(&search.tags)));
    }
    params.push(("query.start_time_min", rfc3339(search.start_ns)));
    params.push(("query.start_time_max", rfc3339(search.end_ns)));
    if let Some(min) = search.min_duration_ns {
        params.push(("query.duration_min", go_duration(min)));
    }
    if let Some(max) = search.max_duration_ns {
        params.push(("query.duration_max", go_duration(max)));
    }
    params.push(("query.search_depth", search.limit.to_string()));
    params
}

fn rfc3339(ns: u64) -> String {
    let ns = i64::try_from(ns).unwrap_or(i64::MAX);
    chrono::DateTime::from_timestamp_nanos(ns).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// One message of a (possibly streamed) answer.
#[derive(Deserialize)]
struct ChunkJson {
    #[serde(default)]
    result: Option<OtlpTracesJson>,
    #[serde(default)]
    error: Option<GatewayError>,
}

/// Decodes the traces of a search or trace answer, on the blocking pool.
pub async fn traces(response: HttpResponse) -> Result<DecodedTraces, SourceError> {
    if let Some(error) = failure(&response) {
        return Err(error);
    }
    let url = response.url.clone();
    off_the_runtime(&url, move || {
        let mut out = SpanCollector::default();
        let stream = serde_json::Deserializer::from_slice(&response.body).into_iter::<ChunkJson>();
        for chunk in stream {
            let chunk = chunk.map_err(|e| decode_error(&response.url, &e))?;
            if let Some(error) = chunk.error {
                return Err(SourceError::Query {
                    url: response.url,
                    error_type: if error.http_code == Some(404) {
                        TRACE_NOT_FOUND.to_owned()
                    } else {
                        "Jaeger error".to_owned()
                    },
                    message: error.message,
                });
            }
            if let Some(result) = chunk.result {
                otlp_traces::collect_json(result, &mut out);
            }
        }
        Ok(out.finish())
    })
    .await
}

#[derive(Deserialize)]
struct SummariesJson {
    #[serde(default, deserialize_with = "null_as_default")]
    summaries: Vec<SummaryJson>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SummaryJson {
    trace_id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    root_service_name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    root_operation_name: String,
    #[serde(default)]
    min_start_time_unix_nano: FlexU64,
    #[serde(default)]
    max_end_time_unix_nano: FlexU64,
    #[serde(default)]
    span_count: FlexU64,
    #[serde(default)]
    error_span_count: FlexU64,
}

pub fn summaries(response: HttpResponse) -> Result<Vec<TraceSummary>, SourceError> {
    let url = response.url.clone();
    let answer: SummariesJson = decode(&response)?;
    answer
        .summaries
        .into_iter()
        .map(|s| {
            let trace_id = TraceId::parse(&s.trace_id).ok_or_else(|| SourceError::Decode {
                url: url.clone(),
                message: format!("“{}” is not a trace id", s.trace_id),
                line: 0,
                column: 0,
            })?;
            Ok(TraceSummary {
                trace_id,
                root_service: s.root_service_name,
                root_name: s.root_operation_name,
                start_ns: s.min_start_time_unix_nano.0,
                duration_ns: s
                    .max_end_time_unix_nano
                    .0
                    .saturating_sub(s.min_start_time_unix_nano.0),
                span_count: u32::try_from(s.span_count.0).unwrap_or(u32::MAX),
                error_count: u32::try_from(s.error_span_count.0).unwrap_or(u32::MAX),
            })
        })
        .collect()
}
