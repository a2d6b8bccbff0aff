//! OTLP trace ingest: batches of 512 spans (five services, eight attributes a span, built by
//! `signalscope::otlp::synthetic`), measured as
//!
//! - `otlp_decode_only`: `prost` decoding of the encoded `ExportTraceServiceRequest`; for
//!   reference, the receiver's OTLP/JSON decoding of the same batch and a plain
//!   `serde_json::from_slice` into the `opentelemetry-proto` types (which misses the forms
//!   listed in `src/otlp/json.rs`);
//! - `otlp_http_request`: the receiver's whole OTLP/HTTP request handling, in-process — the axum
//!   router called as a `tower` service with a request whose body is the encoded batch, into a
//!   sink that drops everything: routing, header checks, body collection, (decompression,)
//!   decoding, counting, building the response. No sockets.
//!
//! in spans per second (`Throughput::Elements`). Loopback HTTP with real clients is what
//! `cargo run --release --example otlp_load` measures. Results are recorded in BENCHMARKS.md.
//!
//! Run with `cargo bench --bench otlp_ingest`.

use axum::body::Body;
use axum::http::Request;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;
use signalscope::otlp::{ReceiverStats, http_router, json, synthetic};
use signalscope::store::sink::{ExportLogsServiceRequest, ExportMetricsServiceRequest};
use signalscope::store::{AppendOutcome, OverBudget, TelemetrySink};
use std::hint::black_box;
use std::io::Write as _;
use std::sync::Arc;
use tonic::codegen::Service as _;

const SPANS: usize = 512;

/// Accepts and drops everything: the cost measured is the receiver's, not a store's.
struct DiscardingSink;

impl TelemetrySink for DiscardingSink {
    fn append_traces(
        &self,
        request: ExportTraceServiceRequest,
    ) -> Result<AppendOutcome, OverBudget> {
        drop(black_box(request));
        Ok(AppendOutcome::default())
    }

    fn append_logs(&self, request: ExportLogsServiceRequest) -> Result<AppendOutcome, OverBudget> {
        drop(black_box(request));
        Ok(AppendOutcome::default())
    }

    fn append_metrics(
        &self,
        request: ExportMetricsServiceRequest,
    ) -> Result<AppendOutcome, OverBudget> {
        drop(black_box(request));
        Ok(AppendOutcome::default())
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).expect("in memory");
    encoder.finish().expect("in memory")
}

fn bench_ingest(c: &mut Criterion) {
    let batch = synthetic::trace_batch(SPANS, 0x0123_4567_89ab_cdef);
    let protobuf = batch.encode_to_vec();
    let protobuf_gzip = gzip(&protobuf);
    let json = serde_json::to_vec(&batch).expect("the batch serializes");
    eprintln!(
        "batch of {SPANS} spans: {} bytes protobuf, {} gzip, {} OTLP/JSON",
        protobuf.len(),
        protobuf_gzip.len(),
        json.len()
    );

    let mut decode = c.benchmark_group("otlp_decode_only");
    decode.throughput(Throughput::Elements(SPANS as u64));
    decode.bench_function("protobuf_512_spans", |b| {
        b.iter(|| {
            ExportTraceServiceRequest::decode(black_box(protobuf.as_slice()))
                .expect("a valid batch")
        })
    });
    decode.bench_function("json_lenient_512_spans", |b| {
        b.iter(|| json::decode_traces(black_box(json.as_slice())).expect("a valid batch"))
    });
    decode.bench_function("json_crate_serde_512_spans", |b| {
        b.iter(|| {
            serde_json::from_slice::<ExportTraceServiceRequest>(black_box(json.as_slice()))
                .expect("a valid batch")
        })
    });
    decode.finish();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let stats = Arc::new(ReceiverStats::new());
    let router = http_router(
        Arc::new(DiscardingSink),
        Arc::clone(&stats),
        16 * 1024 * 1024,
    );
    let cases: [(&str, &str, Option<&str>, &[u8]); 3] = [
        (
            "protobuf_512_spans",
            "application/x-protobuf",
            None,
            &protobuf,
        ),
        (
            "protobuf_gzip_512_spans",
            "application/x-protobuf",
            Some("gzip"),
            &protobuf_gzip,
        ),
        ("json_512_spans", "application/json", None, &json),
    ];

    let mut http = c.benchmark_group("otlp_http_request");
    http.throughput(Throughput::Elements(SPANS as u64));
    for (name, content_type, encoding, body) in cases {
        let body = axum::body::Bytes::copy_from_slice(body);
        http.bench_function(name, |b| {
            b.iter(|| {
                let mut request = Request::post("/v1/traces")
                    .header("content-type", content_type)
                    .header("content-length", body.len());
                if let Some(encoding) = encoding {
                    request = request.header("content-encoding", encoding);
                }
                let request = request
                    .body(Body::from(body.clone()))
                    .expect("a valid request");
                let mut service = router.clone();
                let response = runtime
                    .block_on(service.call(request))
                    .unwrap_or_else(|never| match never {});
                assert_eq!(response.status(), 200);
                response
            })
        });
    }
    http.finish();
    let snapshot = stats.snapshot();
    assert_eq!(snapshot.traces.malformed_requests, 0);
    assert_eq!(
        snapshot.traces.items_received,
        snapshot.traces.requests * SPANS as u64
    );
}

criterion_group!(benches, bench_ingest);
criterion_main!(benches);
