//! Local store ingest: spans per second appended from OTLP batches of 512 spans (the SDK's
//! default batch size), beside prost decoding of the same bodies, and the store's bytes per
//! span. Run with `cargo bench --bench store_ingest`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status};
use prost::Message as _;
use signalscope::store::sink::ExportTraceServiceRequest;
use signalscope::store::{LocalStore, TelemetrySink};
use std::hint::black_box;

const SPANS_PER_BATCH: usize = 512;

fn kv(key: &str, value: any_value::Value) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue { value: Some(value) }),
        ..KeyValue::default()
    }
}

/// A batch like an instrumented HTTP service sends: 64 traces of 8 spans, 8 attributes each.
pub fn batch(seed: u64) -> ExportTraceServiceRequest {
    let services = ["frontend", "checkout", "cart", "payment", "catalog"];
    let mut resource_spans = Vec::new();
    for (s, service) in services.iter().enumerate() {
        let mut spans = Vec::new();
        for i in
            0..SPANS_PER_BATCH / services.len() + usize::from(s < SPANS_PER_BATCH % services.len())
        {
            let n = seed * 1_000_000 + (s * 1000 + i) as u64;
            let trace = n / 8;
            let start = 1_795_500_000_000_000_000 + n * 1_000_000;
            spans.push(Span {
                trace_id: [trace.to_be_bytes(), 7u64.to_be_bytes()].concat(),
                span_id: (n + 1).to_be_bytes().to_vec(),
                parent_span_id: if n.is_multiple_of(8) {
                    vec![]
                } else {
                    n.to_be_bytes().to_vec()
                },
                name: format!("GET /api/{service}/{}", i % 7),
                kind: 2,
                start_time_unix_nano: start,
                end_time_unix_nano: start + 3_000_000 + (n % 97) * 100_000,
                attributes: vec![
                    kv(
                        "http.request.method",
                        any_value::Value::StringValue("GET".into()),
                    ),
                    kv(
                        "http.route",
                        any_value::Value::StringValue(format!("/api/{service}/{}", i % 7)),
                    ),
                    kv("http.response.status_code", any_value::Value::IntValue(200)),
                    kv("url.scheme", any_value::Value::StringValue("http".into())),
                    kv(
                        "server.address",
                        any_value::Value::StringValue(format!("{service}.shop.svc")),
                    ),
                    kv("server.port", any_value::Value::IntValue(8080)),
                    kv(
                        "user_agent.original",
                        any_value::Value::StringValue("curl/8.5.0".into()),
                    ),
                    kv(
                        "app.order_id",
                        any_value::Value::StringValue(format!("order-{n}")),
                    ),
                ],
                status: Some(Status::default()),
                ..Span::default()
            });
        }
        resource_spans.push(ResourceSpans {
            resource: Some(Resource {
                attributes: vec![kv(
                    "service.name",
                    any_value::Value::StringValue((*service).into()),
                )],
                ..Resource::default()
            }),
            scope_spans: vec![ScopeSpans {
                spans,
                ..ScopeSpans::default()
            }],
            ..ResourceSpans::default()
        });
    }
    ExportTraceServiceRequest { resource_spans }
}

fn store_ingest(c: &mut Criterion) {
    let bodies: Vec<Vec<u8>> = (0..64).map(|i| batch(i).encode_to_vec()).collect();
    let mut group = c.benchmark_group("otlp_traces_512_span_batches");
    group.throughput(Throughput::Elements(SPANS_PER_BATCH as u64));
    group.sample_size(20);
    group.measurement_time(std::time::Duration::from_secs(5));
    group.bench_function("prost_decode_only", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % bodies.len();
            black_box(ExportTraceServiceRequest::decode(bodies[i].as_slice()).unwrap())
        })
    });
    group.bench_function("decode_and_append_to_store", |b| {
        // A budget large enough that the measurement is of appending, not of eviction.
        let store = LocalStore::new(4 * 1024 * 1024 * 1024);
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % bodies.len();
            let request = ExportTraceServiceRequest::decode(bodies[i].as_slice()).unwrap();
            black_box(store.append_traces(request).unwrap())
        })
    });
    group.bench_function("decode_and_append_with_eviction_64MiB", |b| {
        let store = LocalStore::new(64 * 1024 * 1024);
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % bodies.len();
            let request = ExportTraceServiceRequest::decode(bodies[i].as_slice()).unwrap();
            black_box(store.append_traces(request).unwrap())
        })
    });
    group.finish();

    // Footprint, printed once: bytes per stored span against the attribute payload.
    let store = LocalStore::new(4 * 1024 * 1024 * 1024);
    let mut payload = 0usize;
    for i in 0..400 {
        let request = batch(1000 + i);
        for rs in &request.resource_spans {
            for ss in &rs.scope_spans {
                for s in &ss.spans {
                    for kv in &s.attributes {
                        payload += kv.key.len()
                            + match kv.value.as_ref().and_then(|v| v.value.as_ref()) {
                                Some(any_value::Value::StringValue(v)) => v.len(),
                                _ => 8,
                            };
                    }
                    payload += s.name.len();
                }
            }
        }
        store.append_traces(request).unwrap();
    }
    let stats = store.stats();
    let spans = stats.traces.stored as f64;
    println!(
        "footprint: {} spans, {:.0} bytes/span stored, of which {:.0} bytes/span attribute and name payload ({:.0} bytes/span overhead)",
        stats.traces.stored,
        stats.bytes as f64 / spans,
        payload as f64 / spans,
        (stats.bytes as f64 - payload as f64) / spans
    );
}

criterion_group!(benches, store_ingest);
criterion_main!(benches);
