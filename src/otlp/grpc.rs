//! OTLP/gRPC: the `Export` methods of the generated trace, logs and metrics services
//! (`opentelemetry_proto::tonic::collector::*`), gzip accepted, messages bounded by
//! `max_body_bytes`, `RESOURCE_EXHAUSTED` with a retry delay when the store is over budget.
//!
//! Requests the generated servers refuse before our code sees them (undecodable or oversized
//! messages, bad compression) are counted, and given OTLP's codes, by [`CodecRefusals`].

use super::ReceiverStats;
use super::ingest::{ExportSignal, LogsExport, MetricsExport, TraceExport, ingest};
use super::rpc_status::{ErrorDetail, ErrorStatus};
use crate::store::sink::{
    ExportLogsServiceRequest, ExportMetricsServiceRequest, ExportTraceServiceRequest, OverBudget,
    Signal, TelemetrySink,
};
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceResponse;
use opentelemetry_proto::tonic::collector::logs::v1::logs_service_server::{
    LogsService, LogsServiceServer,
};
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceResponse;
use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_server::{
    MetricsService, MetricsServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceResponse;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use prost::Message;
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll};
use tonic::codec::CompressionEncoding;
use tonic::codegen::{BoxFuture, Service, http};
use tonic::metadata::{MetadataMap, MetadataValue};
use tonic::server::NamedService;
use tonic::transport::server::TcpIncoming;
use tonic::{Code, Request, Response, Status};

/// The metadata key, as in gRPC's retry design (A6), carrying the retry delay in milliseconds.
/// It also marks refusals made by our handlers, which are counted there.
pub const RETRY_PUSHBACK_HEADER: &str = "grpc-retry-pushback-ms";

const GRPC_STATUS_HEADER: &str = "grpc-status";

/// The `Export` handlers of the three services.
#[derive(Clone)]
struct ExportHandlers {
    sink: Arc<dyn TelemetrySink>,
    stats: Arc<ReceiverStats>,
}

impl ExportHandlers {
    fn export<S: ExportSignal>(
        &self,
        request: S::Request,
    ) -> Result<Response<S::Response>, Status> {
        self.stats.record_request(S::SIGNAL);
        self.stats.record_bytes(S::SIGNAL, request.encoded_len());
        match ingest::<S>(self.sink.as_ref(), &self.stats, request) {
            Ok(partial_success) => Ok(Response::new(S::response(partial_success))),
            Err(over_budget) => Err(over_budget_status::<S>(over_budget)),
        }
    }
}

#[tonic::async_trait]
impl TraceService for ExportHandlers {
    async fn export(
        &self,
        request: Request<ExportTraceServiceRequest>,
    ) -> Result<Response<ExportTraceServiceResponse>, Status> {
        ExportHandlers::export::<TraceExport>(self, request.into_inner())
    }
}

#[tonic::async_trait]
impl LogsService for ExportHandlers {
    async fn export(
        &self,
        request: Request<ExportLogsServiceRequest>,
    ) -> Result<Response<ExportLogsServiceResponse>, Status> {
        ExportHandlers::export::<LogsExport>(self, request.into_inner())
    }
}

#[tonic::async_trait]
impl MetricsService for ExportHandlers {
    async fn export(
        &self,
        request: Request<ExportMetricsServiceRequest>,
    ) -> Result<Response<ExportMetricsServiceResponse>, Status> {
        ExportHandlers::export::<MetricsExport>(self, request.into_inner())
    }
}

/// `RESOURCE_EXHAUSTED` with `google.rpc.RetryInfo` in the status details (which makes it
/// retryable for OTLP clients), the delay in the message and in `grpc-retry-pushback-ms`.
fn over_budget_status<S: ExportSignal>(over_budget: OverBudget) -> Status {
    let delay = over_budget.retry_after;
    let message = format!(
        "the local telemetry store is over its memory budget; retry the {} in {:.1} s",
        S::REQUEST_NAME,
        delay.as_secs_f64()
    );
    let details = ErrorStatus {
        code: Code::ResourceExhausted,
        message: message.clone(),
        detail: Some(ErrorDetail::RetryInfo { retry_delay: delay }),
    }
    .to_protobuf();
    let mut metadata = MetadataMap::new();
    if let Ok(millis) = MetadataValue::try_from(delay.as_millis().to_string()) {
        metadata.insert(RETRY_PUSHBACK_HEADER, millis);
    }
    Status::with_details_and_metadata(Code::ResourceExhausted, message, details.into(), metadata)
}

/// Serves the three services on `listener` until `stop` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    sink: Arc<dyn TelemetrySink>,
    stats: Arc<ReceiverStats>,
    max_message_bytes: usize,
    stop: impl Future<Output = ()>,
) -> Result<(), tonic::transport::Error> {
    let handlers = ExportHandlers {
        sink,
        stats: Arc::clone(&stats),
    };
    let traces = TraceServiceServer::new(handlers.clone())
        .accept_compressed(CompressionEncoding::Gzip)
        .send_compressed(CompressionEncoding::Gzip)
        .max_decoding_message_size(max_message_bytes);
    let logs = LogsServiceServer::new(handlers.clone())
        .accept_compressed(CompressionEncoding::Gzip)
        .send_compressed(CompressionEncoding::Gzip)
        .max_decoding_message_size(max_message_bytes);
    let metrics = MetricsServiceServer::new(handlers)
        .accept_compressed(CompressionEncoding::Gzip)
        .send_compressed(CompressionEncoding::Gzip)
        .max_decoding_message_size(max_message_bytes);
    let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
    tonic::transport::Server::builder()
        .add_service(CodecRefusals::new(
            traces,
            Signal::Traces,
            Arc::clone(&stats),
        ))
        .add_service(CodecRefusals::new(logs, Signal::Logs, Arc::clone(&stats)))
        .add_service(CodecRefusals::new(metrics, Signal::Metrics, stats))
        .serve_with_incoming_shutdown(incoming, stop)
        .await
}

/// Wraps a generated service to count the requests it refused before calling our handler, and
/// to give those refusals the codes OTLP clients expect: tonic's codec answers an undecodable
/// message with `INTERNAL` and an oversized one with `OUT_OF_RANGE`, which OTLP clients would
/// retry forever; they become `INVALID_ARGUMENT` and `RESOURCE_EXHAUSTED` (without retry
/// information, so not retryable). Such refusals are "trailers-only" responses: the status is
/// in the headers, without our [`RETRY_PUSHBACK_HEADER`].
#[derive(Clone)]
struct CodecRefusals<S> {
    inner: S,
    signal: Signal,
    stats: Arc<ReceiverStats>,
}

impl<S> CodecRefusals<S> {
    fn new(inner: S, signal: Signal, stats: Arc<ReceiverStats>) -> Self {
        Self {
            inner,
            signal,
            stats,
        }
    }
}

impl<S: NamedService> NamedService for CodecRefusals<S> {
    const NAME: &'static str = S::NAME;
}

impl<S, B, ResponseBody> Service<http::Request<B>> for CodecRefusals<S>
where
    S: Service<http::Request<B>, Response = http::Response<ResponseBody>, Error = Infallible>,
    S::Future: Send + 'static,
    ResponseBody: 'static,
{
    type Response = http::Response<ResponseBody>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, context: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(context)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let response = self.inner.call(request);
        let signal = self.signal;
        let stats = Arc::clone(&self.stats);
        Box::pin(async move {
            let mut response = response.await?;
            recode_refusal(&stats, signal, response.headers_mut());
            Ok(response)
        })
    }
}

fn recode_refusal(stats: &ReceiverStats, signal: Signal, headers: &mut http::HeaderMap) {
    if headers.contains_key(RETRY_PUSHBACK_HEADER) {
        return;
    }
    let code = headers
        .get(GRPC_STATUS_HEADER)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.parse::<i32>().ok())
        .map(Code::from_i32);
    let recoded = match code {
        // Undecodable or missing message, bad compressed data.
        Some(Code::Internal | Code::InvalidArgument) => {
            stats.record_malformed(signal);
            Code::InvalidArgument
        }
        // A compression the server does not accept.
        Some(Code::Unimplemented) => {
            stats.record_malformed(signal);
            Code::Unimplemented
        }
        // Larger than `max_decoding_message_size`, before or after decompression.
        Some(Code::OutOfRange | Code::ResourceExhausted) => {
            stats.record_oversized(signal);
            Code::ResourceExhausted
        }
        _ => return,
    };
    stats.record_request(signal);
    headers.insert(GRPC_STATUS_HEADER, http::HeaderValue::from(recoded as i32));
}
