//! The path every decoded export request takes, whatever its transport: count its items, hand
//! it to the sink, keep the stats, and turn the sink's answer into the OTLP response (with
//! `partial_success` when items were refused).

use super::{ReceiverStats, RequestError, json};
use crate::store::sink::{
    AppendOutcome, ExportLogsServiceRequest, ExportMetricsServiceRequest,
    ExportTraceServiceRequest, OverBudget, Signal, TelemetrySink,
};
use opentelemetry_proto::tonic::collector::logs::v1::{
    ExportLogsPartialSuccess, ExportLogsServiceResponse,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsPartialSuccess, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::metrics::v1::metric;
use prost::Message;

/// `partial_success.error_message` is cut to this many bytes so a chatty sink cannot make a
/// response larger than clients accept.
const MAX_ERROR_MESSAGE_BYTES: usize = 4096;

/// What the receiver needs to know about one OTLP signal.
pub trait ExportSignal: Send + Sync + 'static {
    const SIGNAL: Signal;
    /// The protobuf message name, for error messages.
    const REQUEST_NAME: &'static str;
    /// The `partial_success` count field in OTLP/JSON, e.g. `rejectedSpans`.
    const REJECTED_JSON_FIELD: &'static str;

    type Request: Message + Default + Send + 'static;
    type Response: Message + Default + Send + 'static;

    /// Spans, log records or metric data points in the request.
    fn item_count(request: &Self::Request) -> u64;

    fn append(
        sink: &dyn TelemetrySink,
        request: Self::Request,
    ) -> Result<AppendOutcome, OverBudget>;

    fn decode_json(body: &[u8]) -> Result<Self::Request, String>;

    fn response(partial_success: Option<PartialSuccess>) -> Self::Response;

    fn decode_protobuf(body: &[u8]) -> Result<Self::Request, RequestError> {
        Self::Request::decode(body).map_err(|error| RequestError::Protobuf {
            message: Self::REQUEST_NAME,
            error: error.to_string(),
        })
    }

    fn decode_otlp_json(body: &[u8]) -> Result<Self::Request, RequestError> {
        Self::decode_json(body).map_err(|error| RequestError::Json {
            message: Self::REQUEST_NAME,
            error,
        })
    }
}

/// The `partial_success` of a response: items refused, or a warning with nothing refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartialSuccess {
    pub rejected: u64,
    pub error_message: String,
}

impl PartialSuccess {
    /// `None` when the sink took everything without comment (the spec requires the field
    /// unset then).
    fn from_outcome<S: ExportSignal>(outcome: AppendOutcome) -> Option<Self> {
        let AppendOutcome {
            accepted: _,
            rejected,
            message,
        } = outcome;
        let message = message.filter(|message| !message.is_empty());
        if rejected == 0 && message.is_none() {
            return None;
        }
        let error_message = message.unwrap_or_else(|| {
            format!(
                "the local store refused {rejected} of the {}",
                item_name(S::SIGNAL)
            )
        });
        Some(Self {
            rejected,
            error_message: truncate_at_char_boundary(error_message, MAX_ERROR_MESSAGE_BYTES),
        })
    }

    /// The `partialSuccess` member of an OTLP/JSON response (int64 as a string, as proto3
    /// JSON writes it).
    pub fn to_json<S: ExportSignal>(partial_success: Option<&Self>) -> Vec<u8> {
        let mut response = serde_json::Map::new();
        if let Some(Self {
            rejected,
            error_message,
        }) = partial_success
        {
            let mut partial = serde_json::Map::new();
            partial.insert(
                S::REJECTED_JSON_FIELD.to_owned(),
                serde_json::Value::String(rejected.to_string()),
            );
            partial.insert(
                "errorMessage".to_owned(),
                serde_json::Value::String(error_message.clone()),
            );
            response.insert("partialSuccess".to_owned(), partial.into());
        }
        serde_json::Value::Object(response).to_string().into_bytes()
    }

    fn rejected_i64(&self) -> i64 {
        i64::try_from(self.rejected).unwrap_or(i64::MAX)
    }
}

fn truncate_at_char_boundary(mut text: String, max_bytes: usize) -> String {
    if text.len() > max_bytes {
        let mut end = max_bytes;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// What the items of a signal are called.
fn item_name(signal: Signal) -> &'static str {
    match signal {
        Signal::Traces => "spans",
        Signal::Logs => "log records",
        Signal::Metrics => "data points",
    }
}

/// Hands a decoded request to the sink and records what happened.
pub fn ingest<S: ExportSignal>(
    sink: &dyn TelemetrySink,
    stats: &ReceiverStats,
    request: S::Request,
) -> Result<Option<PartialSuccess>, OverBudget> {
    let items = S::item_count(&request);
    match S::append(sink, request) {
        Ok(outcome) => {
            stats.record_items(S::SIGNAL, items, outcome.rejected);
            Ok(PartialSuccess::from_outcome::<S>(outcome))
        }
        Err(over_budget) => {
            stats.record_over_budget(S::SIGNAL);
            Err(over_budget)
        }
    }
}

/// The trace signal.
pub struct TraceExport;
/// The logs signal.
pub struct LogsExport;
/// The metrics signal.
pub struct MetricsExport;

impl ExportSignal for TraceExport {
    const SIGNAL: Signal = Signal::Traces;
    const REQUEST_NAME: &'static str = "ExportTraceServiceRequest";
    const REJECTED_JSON_FIELD: &'static str = "rejectedSpans";
    type Request = ExportTraceServiceRequest;
    type Response = ExportTraceServiceResponse;

    fn item_count(request: &Self::Request) -> u64 {
        request
            .resource_spans
            .iter()
            .flat_map(|resource| &resource.scope_spans)
            .map(|scope| scope.spans.len() as u64)
            .sum()
    }

    fn append(
        sink: &dyn TelemetrySink,
        request: Self::Request,
    ) -> Result<AppendOutcome, OverBudget> {
        sink.append_traces(request)
    }

    fn decode_json(body: &[u8]) -> Result<Self::Request, String> {
        json::decode_traces(body)
    }

    fn response(partial_success: Option<PartialSuccess>) -> Self::Response {
        ExportTraceServiceResponse {
            partial_success: partial_success.map(|partial| ExportTracePartialSuccess {
                rejected_spans: partial.rejected_i64(),
                error_message: partial.error_message,
            }),
        }
    }
}

impl ExportSignal for LogsExport {
    const SIGNAL: Signal = Signal::Logs;
    const REQUEST_NAME: &'static str = "ExportLogsServiceRequest";
    const REJECTED_JSON_FIELD: &'static str = "rejectedLogRecords";
    type Request = ExportLogsServiceRequest;
    type Response = ExportLogsServiceResponse;

    fn item_count(request: &Self::Request) -> u64 {
        request
            .resource_logs
            .iter()
            .flat_map(|resource| &resource.scope_logs)
            .map(|scope| scope.log_records.len() as u64)
            .sum()
    }

    fn append(
        sink: &dyn TelemetrySink,
        request: Self::Request,
    ) -> Result<AppendOutcome, OverBudget> {
        sink.append_logs(request)
    }

    fn decode_json(body: &[u8]) -> Result<Self::Request, String> {
        json::decode_logs(body)
    }

    fn response(partial_success: Option<PartialSuccess>) -> Self::Response {
        ExportLogsServiceResponse {
            partial_success: partial_success.map(|partial| ExportLogsPartialSuccess {
                rejected_log_records: partial.rejected_i64(),
                error_message: partial.error_message,
            }),
        }
    }
}

impl ExportSignal for MetricsExport {
    const SIGNAL: Signal = Signal::Metrics;
    const REQUEST_NAME: &'static str = "ExportMetricsServiceRequest";
    const REJECTED_JSON_FIELD: &'static str = "rejectedDataPoints";
    type Request = ExportMetricsServiceRequest;
    type Response = ExportMetricsServiceResponse;

    fn item_count(request: &Self::Request) -> u64 {
        request
            .resource_metrics
            .iter()
            .flat_map(|resource| &resource.scope_metrics)
            .flat_map(|scope| &scope.metrics)
            .map(|metric| data_point_count(metric.data.as_ref()))
            .sum()
    }

    fn append(
        sink: &dyn TelemetrySink,
        request: Self::Request,
    ) -> Result<AppendOutcome, OverBudget> {
        sink.append_metrics(request)
    }

    fn decode_json(body: &[u8]) -> Result<Self::Request, String> {
        json::decode_metrics(body)
    }

    fn response(partial_success: Option<PartialSuccess>) -> Self::Response {
        ExportMetricsServiceResponse {
            partial_success: partial_success.map(|partial| ExportMetricsPartialSuccess {
                rejected_data_points: partial.rejected_i64(),
                error_message: partial.error_message,
            }),
        }
    }
}

fn data_point_count(data: Option<&metric::Data>) -> u64 {
    let points = match data {
        None => 0,
        Some(metric::Data::Gauge(gauge)) => gauge.data_points.len(),
        Some(metric::Data::Sum(sum)) => sum.data_points.len(),
        Some(metric::Data::Histogram(histogram)) => histogram.data_points.len(),
        Some(metric::Data::ExponentialHistogram(histogram)) => histogram.data_points.len(),
        Some(metric::Data::Summary(summary)) => summary.data_points.len(),
    };
    points as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_acceptance_leaves_partial_success_unset() {
        let outcome = AppendOutcome {
            accepted: 3,
            rejected: 0,
            message: None,
        };
        assert_eq!(PartialSuccess::from_outcome::<TraceExport>(outcome), None);
        assert_eq!(PartialSuccess::to_json::<TraceExport>(None), b"{}");
    }

    #[test]
    fn rejections_without_a_message_get_one() {
        let outcome = AppendOutcome {
            accepted: 1,
            rejected: 2,
            message: None,
        };
        let partial = PartialSuccess::from_outcome::<LogsExport>(outcome).expect("set");
        assert_eq!(partial.rejected, 2);
        assert_eq!(
            partial.error_message,
            "the local store refused 2 of the log records"
        );
        let json: serde_json::Value =
            serde_json::from_slice(&PartialSuccess::to_json::<LogsExport>(Some(&partial)))
                .expect("valid JSON");
        assert_eq!(json["partialSuccess"]["rejectedLogRecords"], "2");
    }

    #[test]
    fn a_warning_with_nothing_rejected_is_still_reported() {
        let outcome = AppendOutcome {
            accepted: 5,
            rejected: 0,
            message: Some("attribute values were truncated".into()),
        };
        let partial = PartialSuccess::from_outcome::<MetricsExport>(outcome).expect("set");
        assert_eq!(partial.rejected, 0);
        assert_eq!(partial.error_message, "attribute values were truncated");
    }

    #[test]
    fn long_messages_are_cut_on_a_character_boundary() {
        let message = "é".repeat(MAX_ERROR_MESSAGE_BYTES);
        let cut = truncate_at_char_boundary(message, MAX_ERROR_MESSAGE_BYTES + 1);
        assert_eq!(cut.len(), MAX_ERROR_MESSAGE_BYTES);
    }
}
