//! OTLP/HTTP: `POST /v1/traces`, `/v1/logs` and `/v1/metrics` with binary protobuf or OTLP/JSON
//! bodies, optionally gzip-compressed, answered as
//! <https://opentelemetry.io/docs/specs/otlp/#otlphttp-response> says: 200 with the
//! `Export*ServiceResponse` in the request's encoding, 400 / 413 / 415 / 429 with a
//! `google.rpc.Status` body. Other methods get axum's 405, other paths 404.

use super::ingest::{ExportSignal, LogsExport, MetricsExport, PartialSuccess, TraceExport, ingest};
use super::payload::{self, Compression, PayloadFormat};
use super::rpc_status::{ErrorDetail, ErrorStatus};
use super::{ReceiverStats, RequestError};
use crate::store::{OverBudget, TelemetrySink};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::post;
use prost::Message;
use std::sync::Arc;

/// Payloads at least this large are decoded on a blocking thread so that one big request does
/// not hold up the runtime's other tasks.
const DECODE_OFF_RUNTIME_BYTES: usize = 1024 * 1024;

/// What every request handler shares.
#[derive(Clone)]
struct HttpState {
    sink: Arc<dyn TelemetrySink>,
    stats: Arc<ReceiverStats>,
    max_body_bytes: usize,
}

/// The OTLP/HTTP routes, for [`Receiver`](super::Receiver) to serve, or to call in-process
/// (benchmarks, embedding under another server).
pub fn http_router(
    sink: Arc<dyn TelemetrySink>,
    stats: Arc<ReceiverStats>,
    max_body_bytes: usize,
) -> Router {
    Router::new()
        .route("/v1/traces", post(export::<TraceExport>))
        .route("/v1/logs", post(export::<LogsExport>))
        .route("/v1/metrics", post(export::<MetricsExport>))
        .with_state(HttpState {
            sink,
            stats,
            max_body_bytes,
        })
}

async fn export<S: ExportSignal>(State(state): State<HttpState>, request: Request) -> Response {
    state.stats.record_request(S::SIGNAL);
    let (parts, body) = request.into_parts();
    // Refusals before the format is known are answered in binary protobuf.
    let format = match PayloadFormat::from_headers(&parts.headers) {
        Ok(format) => format,
        Err(error) => return refusal::<S>(&state, error, PayloadFormat::Protobuf),
    };
    let payload = match read_payload(&parts.headers, body, state.max_body_bytes).await {
        Ok(payload) => payload,
        Err(error) => return refusal::<S>(&state, error, format),
    };
    state.stats.record_bytes(S::SIGNAL, payload.len());
    if payload.len() >= DECODE_OFF_RUNTIME_BYTES {
        let blocking_state = state.clone();
        let decoded = tokio::task::spawn_blocking(move || {
            decode_and_ingest::<S>(&blocking_state, format, &payload)
        })
        .await;
        match decoded {
            Ok(response) => response,
            Err(join_error) => error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                format,
                &ErrorStatus {
                    code: tonic::Code::Internal,
                    message: format!("decoding the request failed: {join_error}"),
                    detail: None,
                },
            ),
        }
    } else {
        decode_and_ingest::<S>(&state, format, &payload)
    }
}

/// The body bytes, bounded and decompressed.
async fn read_payload(
    headers: &axum::http::HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Bytes, RequestError> {
    let compression = Compression::from_headers(headers)?;
    payload::check_declared_length(headers, limit)?;
    let received = payload::read_body(body, limit).await?;
    match compression {
        Compression::None => Ok(received),
        Compression::Gzip => payload::gunzip(&received, limit).map(Bytes::from),
    }
}

fn decode_and_ingest<S: ExportSignal>(
    state: &HttpState,
    format: PayloadFormat,
    payload: &[u8],
) -> Response {
    let decoded = match format {
        PayloadFormat::Protobuf => S::decode_protobuf(payload),
        PayloadFormat::Json => S::decode_otlp_json(payload),
    };
    let request = match decoded {
        Ok(request) => request,
        Err(error) => return refusal::<S>(state, error, format),
    };
    match ingest::<S>(state.sink.as_ref(), &state.stats, request) {
        Ok(partial_success) => success::<S>(format, partial_success),
        Err(over_budget) => too_many_requests::<S>(format, over_budget),
    }
}

fn success<S: ExportSignal>(
    format: PayloadFormat,
    partial_success: Option<PartialSuccess>,
) -> Response {
    let body = match format {
        PayloadFormat::Protobuf => S::response(partial_success).encode_to_vec(),
        PayloadFormat::Json => PartialSuccess::to_json::<S>(partial_success.as_ref()),
    };
    respond(StatusCode::OK, format, body)
}

fn refusal<S: ExportSignal>(
    state: &HttpState,
    error: RequestError,
    format: PayloadFormat,
) -> Response {
    error.count(&state.stats, S::SIGNAL);
    let status = StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let message = format!("OTLP/HTTP {}: {error}", S::REQUEST_NAME);
    let detail = (status == StatusCode::BAD_REQUEST).then(|| ErrorDetail::BadRequest {
        description: error.to_string(),
    });
    error_response(
        status,
        format,
        &ErrorStatus {
            code: error.grpc_code(),
            message,
            detail,
        },
    )
}

fn too_many_requests<S: ExportSignal>(format: PayloadFormat, over_budget: OverBudget) -> Response {
    let retry_after_seconds = retry_after_seconds(over_budget);
    let mut response = error_response(
        StatusCode::TOO_MANY_REQUESTS,
        format,
        &ErrorStatus {
            code: tonic::Code::ResourceExhausted,
            message: format!(
                "the local telemetry store is over its memory budget; retry the {} in {retry_after_seconds} s",
                S::REQUEST_NAME
            ),
            detail: Some(ErrorDetail::RetryInfo {
                retry_delay: over_budget.retry_after,
            }),
        },
    );
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(retry_after_seconds));
    response
}

/// `Retry-After` is whole seconds; round up so clients never come back early, and never say 0.
fn retry_after_seconds(over_budget: OverBudget) -> u64 {
    let delay = over_budget.retry_after;
    let seconds = delay.as_secs() + u64::from(delay.subsec_nanos() > 0);
    seconds.max(1)
}

fn error_response(status: StatusCode, format: PayloadFormat, error: &ErrorStatus) -> Response {
    let body = match format {
        PayloadFormat::Protobuf => error.to_protobuf(),
        PayloadFormat::Json => error.to_json(),
    };
    respond(status, format, body)
}

fn respond(status: StatusCode, format: PayloadFormat, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        let seconds = |millis| {
            retry_after_seconds(OverBudget {
                retry_after: Duration::from_millis(millis),
            })
        };
        assert_eq!(seconds(0), 1);
        assert_eq!(seconds(1000), 1);
        assert_eq!(seconds(1001), 2);
        assert_eq!(seconds(30_000), 30);
    }
}
