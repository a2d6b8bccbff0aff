//! Realistic synthetic trace export requests, for the ingest benchmark and the `otlp_load`
//! example: spans of five services in traces of eight, each span with eight attributes of mixed
//! types, some with events or an error status, shaped like what OpenTelemetry SDKs send.
//! Deterministic for a given seed.

use crate::store::sink::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, InstrumentationScope, KeyValue, any_value};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::span::{Event, SpanKind};
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status};

/// Services in every batch, with the operations their spans are named after.
const SERVICES: [(&str, [&str; 4]); 5] = [
    (
        "frontend",
        ["GET /checkout", "GET /cart", "render cart", "POST"],
    ),
    (
        "checkout",
        [
            "POST /api/checkout",
            "SELECT shop.orders",
            "order.created publish",
            "POST",
        ],
    ),
    (
        "payment",
        [
            "POST /api/charge",
            "fraud-check",
            "charge card",
            "SELECT payments",
        ],
    ),
    (
        "inventory",
        [
            "GET /api/stock",
            "SELECT stock",
            "reserve items",
            "cache get",
        ],
    ),
    (
        "shipping",
        [
            "POST /api/quote",
            "rate lookup",
            "SELECT carriers",
            "label render",
        ],
    ),
];

/// Spans per trace; a trace's spans are spread over the services.
const SPANS_PER_TRACE: usize = 8;

/// 2026-11-24, the clock of the recorded fixtures.
const START_UNIX_NANOS: u64 = 1_795_507_024_000_000_000;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

/// One export request holding `spans` spans of five services (one `ResourceSpans` each).
pub fn trace_batch(spans: usize, seed: u64) -> ExportTraceServiceRequest {
    let mut rng = Rng(seed | 1);
    let mut per_service: Vec<Vec<Span>> = vec![Vec::new(); SERVICES.len()];
    let mut trace_id = Vec::new();
    let mut parent_ids: Vec<Vec<u8>> = Vec::new();
    let mut trace_start = START_UNIX_NANOS;
    for index in 0..spans {
        let position = index % SPANS_PER_TRACE;
        if position == 0 {
            trace_id = [rng.next().to_be_bytes(), rng.next().to_be_bytes()].concat();
            parent_ids.clear();
            trace_start += 1_000_000 + rng.below(50_000_000);
        }
        let service = (position + index / SPANS_PER_TRACE) % SERVICES.len();
        let (service_name, operations) = SERVICES[service];
        let name = operations[(rng.below(4)) as usize];
        let span_id = rng.next().to_be_bytes().to_vec();
        let parent_span_id = match position {
            0 => Vec::new(),
            _ => parent_ids[rng.below(parent_ids.len() as u64) as usize].clone(),
        };
        parent_ids.push(span_id.clone());
        let start = trace_start + position as u64 * 1_500_000 + rng.below(1_000_000);
        let end = start + 200_000 + rng.below(40_000_000);
        let error = rng.below(20) == 0;
        let status_code = if error { 500 } else { 200 };
        let kind = match position {
            0 => SpanKind::Server,
            _ if name.starts_with("SELECT") => SpanKind::Client,
            _ if name.ends_with("publish") => SpanKind::Producer,
            _ => SpanKind::Internal,
        };
        let events = if rng.below(10) == 0 {
            vec![Event {
                time_unix_nano: start + 100_000,
                name: "retry".to_owned(),
                attributes: vec![int("retry.attempt", 1 + rng.below(3) as i64)],
                dropped_attributes_count: 0,
            }]
        } else {
            Vec::new()
        };
        per_service[service].push(Span {
            trace_id: trace_id.clone(),
            span_id,
            trace_state: String::new(),
            parent_span_id,
            flags: 256,
            name: name.to_owned(),
            kind: kind as i32,
            start_time_unix_nano: start,
            end_time_unix_nano: end,
            attributes: vec![
                string(
                    "http.request.method",
                    if position == 0 { "GET" } else { "POST" },
                ),
                string(
                    "url.path",
                    &format!("/api/{service_name}/{}", rng.below(1000)),
                ),
                int("http.response.status_code", status_code),
                string("server.address", &format!("{service_name}.shop.svc")),
                int("server.port", 8080),
                double("app.cart.total", rng.below(100_000) as f64 / 100.0),
                boolean("app.cache.hit", rng.below(2) == 0),
                string("app.order.id", &format!("o-{}", rng.below(1_000_000))),
            ],
            dropped_attributes_count: 0,
            events,
            dropped_events_count: 0,
            links: Vec::new(),
            dropped_links_count: 0,
            status: Some(Status {
                message: if error {
                    "upstream failed".to_owned()
                } else {
                    String::new()
                },
                code: if error {
                    StatusCode::Error
                } else {
                    StatusCode::Unset
                } as i32,
            }),
        });
    }
    let resource_spans = SERVICES
        .iter()
        .zip(per_service)
        .filter(|(_, spans)| !spans.is_empty())
        .map(|((service_name, _), spans)| ResourceSpans {
            resource: Some(Resource {
                attributes: vec![
                    string("service.name", service_name),
                    string("service.namespace", "shop"),
                    string("service.version", "1.14.0"),
                    string("deployment.environment.name", "staging"),
                    string("host.name", "bench-host-1"),
                    string("telemetry.sdk.language", "rust"),
                    string("telemetry.sdk.name", "opentelemetry"),
                ],
                dropped_attributes_count: 0,
                entity_refs: Vec::new(),
            }),
            scope_spans: vec![ScopeSpans {
                scope: Some(InstrumentationScope {
                    name: format!("shop.{service_name}"),
                    version: "0.1.0".to_owned(),
                    attributes: Vec::new(),
                    dropped_attributes_count: 0,
                }),
                spans,
                schema_url: "https://opentelemetry.io/schemas/1.26.0".to_owned(),
            }],
            schema_url: String::new(),
        })
        .collect();
    ExportTraceServiceRequest { resource_spans }
}

fn key_value(key: &str, value: any_value::Value) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue { value: Some(value) }),
        key_strindex: 0,
    }
}

fn string(key: &str, value: &str) -> KeyValue {
    key_value(key, any_value::Value::StringValue(value.to_owned()))
}

fn int(key: &str, value: i64) -> KeyValue {
    key_value(key, any_value::Value::IntValue(value))
}

fn double(key: &str, value: f64) -> KeyValue {
    key_value(key, any_value::Value::DoubleValue(value))
}

fn boolean(key: &str, value: bool) -> KeyValue {
    key_value(key, any_value::Value::BoolValue(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_has_the_asked_spans_over_five_services_with_eight_attributes_each() {
        let batch = trace_batch(512, 7);
        assert_eq!(batch.resource_spans.len(), 5);
        let spans: Vec<&Span> = batch
            .resource_spans
            .iter()
            .flat_map(|resource| &resource.scope_spans)
            .flat_map(|scope| &scope.spans)
            .collect();
        assert_eq!(spans.len(), 512);
        assert!(spans.iter().all(|span| span.attributes.len() == 8));
        let roots = spans
            .iter()
            .filter(|span| span.parent_span_id.is_empty())
            .count();
        assert_eq!(roots, 512 / SPANS_PER_TRACE);
        assert_eq!(trace_batch(512, 7), batch, "deterministic");
    }
}
