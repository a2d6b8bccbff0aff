//! Jaeger's legacy JSON API (`/api/services`, `/api/traces`, …), as Jaeger UI calls it: every
//! answer is `{"data", "errors": [{"code", "msg"}]}`; times are microseconds.

use super::json_trace::{self, EnvelopeJson, TraceJson};
use super::{Operation, TRACE_NOT_FOUND, TraceSearch, go_duration, tags_json};
use crate::sources::decoded_traces::{DecodedTraces, SpanCollector, decode_error, off_the_runtime};
use crate::sources::error::SourceError;
use crate::sources::http::HttpResponse;
use crate::sources::json_scalars::from_json_bytes;
use serde::de::DeserializeOwned;

pub const SERVICES: &str = "/api/services";
pub const TRACES: &str = "/api/traces";

/// `/api/services/{service}/operations`, the service name percent-encoded.
pub fn operations_path(service: &str) -> String {
    let mut path = String::from("/api/services/");
    for byte in service.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            path.push(char::from(byte));
        } else {
            path.push_str(&format!("%{byte:02X}"));
        }
    }
    path.push_str("/operations");
    path
}

/// Reads the envelope; Jaeger's `errors` (sent with 4xx/5xx and sometimes 200) win over the
/// status, and a body that is not the envelope is blamed on the status when it is an error.
fn envelope<T: DeserializeOwned>(response: &HttpResponse) -> Result<Option<T>, SourceError> {
    let envelope: EnvelopeJson<T> = match from_json_bytes(&response.body) {
        Ok(envelope) => envelope,
        Err(_) if response.status >= 300 => {
            return Err(SourceError::HttpStatus {
                url: response.url.clone(),
                status: response.status,
                body: response.body_excerpt(),
            });
        }
        Err(e) => return Err(decode_error(&response.url, &e)),
    };
    if let Some(first) = envelope.errors.first() {
        let message = envelope
            .errors
            .iter()
            .map(|e| e.msg.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        let code = if first.code != 0 {
            first.code
        } else {
            i64::from(response.status)
        };
        return Err(SourceError::Query {
            url: response.url.clone(),
            error_type: if code == 404 {
                TRACE_NOT_FOUND.to_owned()
            } else {
                format!("Jaeger error {code}")
            },
            message,
        });
    }
    if response.status >= 300 {
        return Err(SourceError::HttpStatus {
            url: response.url.clone(),
            status: response.status,
            body: response.body_excerpt(),
        });
    }
    Ok(envelope.data)
}

pub fn services(response: HttpResponse) -> Result<Vec<String>, SourceError> {
    Ok(envelope::<Vec<String>>(&response)?.unwrap_or_default())
}

pub fn operations(response: HttpResponse) -> Result<Vec<Operation>, SourceError> {
    Ok(envelope::<Vec<String>>(&response)?
        .unwrap_or_default()
        .into_iter()
        .map(|name| Operation {
            name,
            span_kind: None,
        })
        .collect())
}

/// `/api/traces` parameters: durations as Go durations, times in microseconds.
pub fn search_params(search: &TraceSearch) -> Vec<(&'static str, String)> {
    let mut params = vec![("service", search.service.clone())];
    if let Some(operation) = &search.operation {
        params.push(("operation", operation.clone()));
    }
    if !search.tags.is_empty() {
        params.push(("tags", tags_json(&search.tags)));
    }
    if let Some(min) = search.min_duration_ns {
        params.push(("minDuration", go_duration(min)));
    }
    if let Some(max) = search.max_duration_ns {
        params.push(("maxDuration", go_duration(max)));
    }
    params.push(("limit", search.limit.to_string()));
    params.push(("start", (search.start_ns / 1_000).to_string()));
    params.push(("end", (search.end_ns / 1_000).to_string()));
    params
}

/// Decodes the traces of `/api/traces` or `/api/traces/{id}`, on the blocking pool.
pub async fn traces(response: HttpResponse) -> Result<DecodedTraces, SourceError> {
    if response.status >= 300 {
        // Error bodies are small; read the envelope for Jaeger's message.
        return envelope::<Vec<TraceJson>>(&response).map(|_| DecodedTraces::default());
    }
    let url = response.url.clone();
    off_the_runtime(&url, move || {
        let traces = envelope::<Vec<TraceJson>>(&response)?.unwrap_or_default();
        let mut out = SpanCollector::default();
        json_trace::collect_traces(traces, &mut out);
        Ok(out.finish())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names_are_percent_encoded_in_the_path() {
        assert_eq!(
            operations_path("my svc/α"),
            "/api/services/my%20svc%2F%CE%B1/operations"
        );
    }
}
