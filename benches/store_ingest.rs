//! Local store ingest: spans per second appended from OTLP batches of 512 spans (the SDK's
//! default batch size), beside prost decoding of the same bodies, and the store's bytes per
//! span. Run with `cargo bench --bench store_ingest`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use opentelemetry_proto::tonic::common::v1::any_value;
use prost::Message as _;
use signalscope::store::sink::ExportTraceServiceRequest;
use signalscope::store::{LocalStore, TelemetrySink};
use std::hint::black_box;

const SPANS_PER_BATCH: usize = 512;

/// The same synthetic batches the receiver's benchmark and load example use.
fn batch(seed: u64) -> ExportTraceServiceRequest {
    signalscope::otlp::synthetic::trace_batch(SPANS_PER_BATCH, seed)
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
