//! Jaeger query client: API v3 (`/api/v3/…`, OTLP-shaped traces) first, the legacy JSON API
//! (`/api/…`) for servers that answer 404 to v3 routes. The version a server speaks is
//! remembered after the first call. Decoding runs on the blocking pool.
//!
//! Errors: v3's grpc-gateway envelope `{"error": {"httpCode", "message"}}` and the legacy
//! `{"errors": [{"code", "msg"}]}` become [`SourceError::Query`] with Jaeger's words; an unknown
//! trace id becomes a `Query` error of type [`TRACE_NOT_FOUND`].

pub mod json_trace;
mod legacy;
mod v3;

use crate::fetch::Progress;
use crate::model::{TraceId, TraceSummary};
use crate::sources::decoded_traces::DecodedTraces;
use crate::sources::error::SourceError;
use crate::sources::http::{HttpClient, HttpResponse};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

/// The `error_type` of the error for a trace id the server does not have.
pub const TRACE_NOT_FOUND: &str = "trace not found";

/// Which of Jaeger's HTTP APIs a server answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiVersion {
    V3,
    Legacy,
}

/// An operation of a service; the legacy API does not say the span kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation {
    pub name: String,
    pub span_kind: Option<String>,
}

/// A trace search, as Jaeger UI's search form asks it.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceSearch {
    pub service: String,
    pub operation: Option<String>,
    /// Attributes (tags) every matching trace must carry.
    pub tags: Vec<(String, String)>,
    pub min_duration_ns: Option<u64>,
    pub max_duration_ns: Option<u64>,
    /// Most traces to return (v3 `search_depth`, legacy `limit`).
    pub limit: usize,
    /// Unix nanoseconds.
    pub start_ns: u64,
    pub end_ns: u64,
}

/// A Jaeger server. Cheap to clone; clones share what was learnt about the API version.
#[derive(Clone, Debug)]
pub struct JaegerClient {
    http: HttpClient,
    api: Arc<AtomicU8>,
}

const UNKNOWN: u8 = 0;
const V3: u8 = 3;
const LEGACY: u8 = 1;

impl JaegerClient {
    pub fn new(http: HttpClient) -> Self {
        Self {
            http,
            api: Arc::new(AtomicU8::new(UNKNOWN)),
        }
    }

    /// The API version learnt from the server so far.
    pub fn api_version(&self) -> Option<ApiVersion> {
        match self.api.load(Ordering::Relaxed) {
            V3 => Some(ApiVersion::V3),
            LEGACY => Some(ApiVersion::Legacy),
            _ => None,
        }
    }

    fn speaks_legacy(&self) -> bool {
        self.api.load(Ordering::Relaxed) == LEGACY
    }

    /// Calls a v3 route unless the server is known to be legacy. `None` means "use legacy"
    /// (and is remembered); any other answer means the server speaks v3.
    async fn try_v3(
        &self,
        path: &str,
        query: &[(&str, &str)],
        progress: &Progress,
    ) -> Result<Option<HttpResponse>, SourceError> {
        if self.speaks_legacy() {
            return Ok(None);
        }
        let response = self.http.get(path, query, progress).await?;
        if v3::is_missing_route(&response) {
            self.api.store(LEGACY, Ordering::Relaxed);
            return Ok(None);
        }
        self.api.store(V3, Ordering::Relaxed);
        Ok(Some(response))
    }

    /// Service names, sorted.
    pub async fn services(&self, progress: &Progress) -> Result<Vec<String>, SourceError> {
        let mut services = match self.try_v3(v3::SERVICES, &[], progress).await? {
            Some(response) => v3::services(response)?,
            None => legacy::services(self.http.get(legacy::SERVICES, &[], progress).await?)?,
        };
        services.sort();
        Ok(services)
    }

    /// The operations of `service`, optionally only those of one span kind (`server`, …).
    pub async fn operations(
        &self,
        service: &str,
        span_kind: Option<&str>,
        progress: &Progress,
    ) -> Result<Vec<Operation>, SourceError> {
        let mut query = vec![("service", service)];
        if let Some(kind) = span_kind {
            query.push(("span_kind", kind));
        }
        let mut operations = match self.try_v3(v3::OPERATIONS, &query, progress).await? {
            Some(response) => v3::operations(response)?,
            None => {
                let path = legacy::operations_path(service);
                legacy::operations(self.http.get(&path, &[], progress).await?)?
            }
        };
        operations.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(operations)
    }

    /// Traces matching `search`, whole.
    pub async fn search(
        &self,
        search: &TraceSearch,
        progress: &Progress,
    ) -> Result<DecodedTraces, SourceError> {
        let params = v3::search_params(search);
        let query: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        match self.try_v3(v3::TRACES, &query, progress).await? {
            Some(response) => v3::traces(response).await,
            None => {
                let params = legacy::search_params(search);
                let query: Vec<(&str, &str)> =
                    params.iter().map(|(k, v)| (*k, v.as_str())).collect();
                legacy::traces(self.http.get(legacy::TRACES, &query, progress).await?).await
            }
        }
    }

    /// One line per matching trace: from `/api/v3/trace-summaries` where the server has it,
    /// else summarised from a full search.
    pub async fn search_summaries(
        &self,
        search: &TraceSearch,
        progress: &Progress,
    ) -> Result<Vec<TraceSummary>, SourceError> {
        if !self.speaks_legacy() {
            let params = v3::search_params(search);
            let query: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let response = self.http.get(v3::SUMMARIES, &query, progress).await?;
            if !v3::is_missing_route(&response) {
                return v3::summaries(response);
            }
        }
        let found = self.search(search, progress).await?;
        Ok(found.traces.iter().map(|t| t.summary()).collect())
    }

    /// One trace by id. The result holds exactly one trace.
    pub async fn trace(
        &self,
        trace_id: TraceId,
        progress: &Progress,
    ) -> Result<DecodedTraces, SourceError> {
        let hex = trace_id.to_string();
        let decoded = match self
            .try_v3(&format!("{}/{hex}", v3::TRACES), &[], progress)
            .await?
        {
            Some(response) => v3::traces(response).await,
            None => {
                let path = format!("{}/{hex}", legacy::TRACES);
                legacy::traces(self.http.get(&path, &[], progress).await?).await
            }
        };
        match decoded {
            Ok(found) if found.traces.is_empty() => Err(not_found(&self.http, trace_id)),
            Err(SourceError::Query { error_type, .. }) if error_type == TRACE_NOT_FOUND => {
                Err(not_found(&self.http, trace_id))
            }
            other => other,
        }
    }
}

fn not_found(http: &HttpClient, trace_id: TraceId) -> SourceError {
    SourceError::Query {
        url: http.base_url().to_owned(),
        error_type: TRACE_NOT_FOUND.to_owned(),
        message: format!("trace {trace_id} is not in Jaeger"),
    }
}

/// A duration as Go's `time.ParseDuration` reads it, in the largest exact unit.
fn go_duration(ns: u64) -> String {
    if ns.is_multiple_of(1_000_000) {
        format!("{}ms", ns / 1_000_000)
    } else if ns.is_multiple_of(1_000) {
        format!("{}us", ns / 1_000)
    } else {
        format!("{ns}ns")
    }
}

/// Tags as the JSON map both APIs take (`{"http.status_code":"500"}`).
fn tags_json(tags: &[(String, String)]) -> String {
    let map: std::collections::BTreeMap<&str, &str> =
        tags.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    serde_json::to_string(&map).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_use_the_largest_exact_unit() {
        assert_eq!(go_duration(10_000_000), "10ms");
        assert_eq!(go_duration(1_500), "1500ns");
        assert_eq!(go_duration(250_000), "250us");
        assert_eq!(go_duration(0), "0ms");
    }

    #[test]
    fn tags_become_a_json_map() {
        let tags = vec![
            ("http.status_code".to_owned(), "500".to_owned()),
            ("a\"b".to_owned(), "x".to_owned()),
        ];
        assert_eq!(tags_json(&tags), r#"{"a\"b":"x","http.status_code":"500"}"#);
    }
}
