//! What the OTLP receiver hands decoded requests to. The local store implements it; tests may
//! implement it to observe what the receiver accepted.

pub use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
pub use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
pub use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use std::time::Duration;

/// The three OTLP signals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Signal {
    Traces,
    Logs,
    Metrics,
}

impl Signal {
    pub const ALL: [Signal; 3] = [Signal::Traces, Signal::Logs, Signal::Metrics];

    pub fn name(&self) -> &'static str {
        match self {
            Self::Traces => "traces",
            Self::Logs => "logs",
            Self::Metrics => "metrics",
        }
    }
}

/// What happened to the items (spans, log records, data points) of one request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppendOutcome {
    pub accepted: u64,
    /// Items refused (reported to the client as OTLP `partial_success`).
    pub rejected: u64,
    /// Why items were refused, for `partial_success.error_message`.
    pub message: Option<String>,
}

/// The store is over its memory budget and eviction cannot make room right now: the client
/// should retry later (HTTP 429 with `Retry-After`, gRPC `RESOURCE_EXHAUSTED` with RetryInfo).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OverBudget {
    pub retry_after: Duration,
}

/// Receives decoded OTLP requests. Called from the receiver's tasks; must not block for long.
pub trait TelemetrySink: Send + Sync + 'static {
    fn append_traces(
        &self,
        request: ExportTraceServiceRequest,
    ) -> Result<AppendOutcome, OverBudget>;
    fn append_logs(&self, request: ExportLogsServiceRequest) -> Result<AppendOutcome, OverBudget>;
    fn append_metrics(
        &self,
        request: ExportMetricsServiceRequest,
    ) -> Result<AppendOutcome, OverBudget>;
}
