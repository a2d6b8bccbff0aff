//! The receiver decodes real OTLP requests — recorded byte-for-byte from the OpenTelemetry
//! Python SDK 1.45.2 exporters (`tests/fixtures/otlp/PROVENANCE.md`) — sent to it over
//! loopback exactly as recorded: OTLP/HTTP protobuf, protobuf + gzip, OTLP/JSON, and OTLP/gRPC.
//!
//! Expected values were read from the shared library's `http-protobuf-decoded/*.pb.txt` dumps
//! and its `otlp/RECIPE.md`. Four of the six gzip bodies were re-compressed after recording
//! (their gzip headers are not Python's `GzipFile`'s; see PROVENANCE.md): only what they
//! decompress to is relied on.

#[path = "otlp_support.rs"]
mod support;

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::metrics::v1::{AggregationTemporality, metric, number_data_point};
use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
use prost::Message;
use signalscope::store::Signal;
use std::collections::BTreeMap;
use support::{
    LINKED_TRACE_ID, LOGS_EXPORT, METRICS_EXPORT, SinkAnswer, TRACE_EXPORT, TRACE_ID, TestReceiver,
    attribute, fixture, hex, recorded_http, string_attribute,
};

/// Replays every recorded request of `folder` and asserts each got 200.
fn replay_all(receiver: &TestReceiver, folder: &str) {
    let recorded = recorded_http(folder);
    assert!(!recorded.is_empty(), "no fixtures in {folder}");
    for request in recorded {
        let reply = receiver.replay(&request);
        assert_eq!(reply.status, 200, "{}: {reply:?}", request.name);
    }
}

fn span_named<'a>(spans: &'a [Span], name: &str, trace_id: &str) -> &'a Span {
    let matching: Vec<&Span> = spans
        .iter()
        .filter(|span| span.name == name && hex(&span.trace_id) == trace_id)
        .collect();
    assert_eq!(matching.len(), 1, "exactly one span {name:?}");
    matching[0]
}

fn span_by_id<'a>(spans: &'a [Span], span_id: &[u8]) -> &'a Span {
    spans
        .iter()
        .find(|span| span.span_id == span_id)
        .unwrap_or_else(|| panic!("no span {}", hex(span_id)))
}

/// Timestamps are wall-clock times of each recording run, so they differ between folders.
fn without_timestamps_traces(mut request: ExportTraceServiceRequest) -> ExportTraceServiceRequest {
    for span in request
        .resource_spans
        .iter_mut()
        .flat_map(|resource| &mut resource.scope_spans)
        .flat_map(|scope| &mut scope.spans)
    {
        span.start_time_unix_nano = 0;
        span.end_time_unix_nano = 0;
        for event in &mut span.events {
            event.time_unix_nano = 0;
        }
    }
    request
}

fn without_timestamps_logs(mut request: ExportLogsServiceRequest) -> ExportLogsServiceRequest {
    for record in request
        .resource_logs
        .iter_mut()
        .flat_map(|resource| &mut resource.scope_logs)
        .flat_map(|scope| &mut scope.log_records)
    {
        record.time_unix_nano = 0;
        record.observed_time_unix_nano = 0;
    }
    request
}

fn service_name(request: &ExportTraceServiceRequest) -> String {
    let resource = request.resource_spans[0]
        .resource
        .as_ref()
        .expect("resource");
    string_attribute(&resource.attributes, "service.name")
        .expect("service.name")
        .to_owned()
}

#[test]
fn recorded_protobuf_requests_get_200_with_an_empty_export_response() {
    let receiver = TestReceiver::start();
    for request in recorded_http("http-protobuf") {
        let reply = receiver.replay(&request);
        assert_eq!(reply.status, 200, "{}", request.name);
        assert_eq!(reply.header("content-type"), Some("application/x-protobuf"));
        // An Export*ServiceResponse without partial_success encodes to no bytes at all.
        assert_eq!(reply.body, b"", "{}", request.name);
    }
    assert_eq!(receiver.sink.traces().len(), 3);
    assert_eq!(receiver.sink.logs().len(), 3);
    assert_eq!(receiver.sink.metrics().len(), 3);
}

#[test]
fn recorded_trace_arrives_whole_with_ids_names_parents_statuses_and_attributes() {
    let receiver = TestReceiver::start();
    replay_all(&receiver, "http-protobuf");
    let services: Vec<String> = receiver.sink.traces().iter().map(service_name).collect();
    assert_eq!(services, ["checkout", "frontend", "payment"]);

    let spans = receiver.sink.spans();
    let trace: Vec<Span> = spans
        .iter()
        .filter(|span| hex(&span.trace_id) == TRACE_ID)
        .cloned()
        .collect();
    assert_eq!(trace.len(), 10);

    // Each span's parent, by name: the call tree of RECIPE.md.
    let parent_of = |name: &str| -> Option<String> {
        let span = span_named(&trace, name, TRACE_ID);
        (!span.parent_span_id.is_empty())
            .then(|| span_by_id(&trace, &span.parent_span_id).name.clone())
    };
    assert_eq!(parent_of("GET /checkout"), None);
    assert_eq!(parent_of("render cart").as_deref(), Some("GET /checkout"));
    assert_eq!(parent_of("POST /api/checkout").as_deref(), Some("POST"));
    assert_eq!(
        parent_of("SELECT shop.orders").as_deref(),
        Some("POST /api/checkout")
    );
    assert_eq!(
        parent_of("order.created publish").as_deref(),
        Some("POST /api/checkout")
    );
    assert_eq!(parent_of("POST /api/charge").as_deref(), Some("POST"));
    assert_eq!(
        parent_of("fraud-check").as_deref(),
        Some("POST /api/charge")
    );
    assert_eq!(
        parent_of("charge card").as_deref(),
        Some("POST /api/charge")
    );

    let root = span_named(&trace, "GET /checkout", TRACE_ID);
    assert_eq!(hex(&root.span_id), "3eb13b9046685257");
    assert_eq!(root.kind, SpanKind::Server as i32);
    assert_eq!(root.flags, 256);
    assert_eq!(
        attribute(&root.attributes, "http.response.status_code"),
        Some(&Value::IntValue(500))
    );

    let errors: Vec<(&str, &str)> = trace
        .iter()
        .filter_map(|span| {
            let status = span.status.as_ref()?;
            (status.code == StatusCode::Error as i32)
                .then_some((span.name.as_str(), status.message.as_str()))
        })
        .collect();
    assert_eq!(errors.len(), 6, "{errors:?}");
    assert!(errors.contains(&("POST /api/checkout", "payment failed")));
    assert!(errors.contains(&("charge card", "card declined")));

    let render = span_named(&trace, "render cart", TRACE_ID);
    assert_eq!(render.kind, SpanKind::Internal as i32);
    assert_eq!(
        attribute(&render.attributes, "cart.id"),
        Some(&Value::StringValue("c-1042".into()))
    );
    assert_eq!(
        attribute(&render.attributes, "cart.items"),
        Some(&Value::IntValue(3))
    );
    assert_eq!(
        attribute(&render.attributes, "cart.total"),
        Some(&Value::DoubleValue(87.45))
    );
    assert_eq!(
        attribute(&render.attributes, "cart.gift"),
        Some(&Value::BoolValue(false))
    );
    match attribute(&render.attributes, "cart.currencies") {
        Some(Value::ArrayValue(array)) => assert_eq!(array.values.len(), 1),
        other => panic!("cart.currencies: {other:?}"),
    }

    // The server side of a remote parent: flags say so, and W3C tracestate came along.
    let checkout = span_named(&trace, "POST /api/checkout", TRACE_ID);
    assert_eq!(checkout.flags, 768);
    assert_eq!(
        checkout.trace_state,
        "vendor1=opaque-value,congo=t61rcWkgMzE"
    );
    assert_eq!(checkout.events[0].name, "order.state_changed");

    let charge = span_named(&trace, "charge card", TRACE_ID);
    let exception = charge
        .events
        .iter()
        .find(|event| event.name == "exception")
        .expect("an exception event");
    assert_eq!(
        string_attribute(&exception.attributes, "exception.message"),
        Some("card declined: insufficient funds (code=51)")
    );

    // The consumer in the second trace links back to the producer span.
    let consumer = span_named(&spans, "order.created process", LINKED_TRACE_ID);
    assert_eq!(consumer.kind, SpanKind::Consumer as i32);
    assert_eq!(hex(&consumer.links[0].trace_id), TRACE_ID);
    assert_eq!(hex(&consumer.links[0].span_id), "972a846916419f82");
    assert_eq!(
        string_attribute(&consumer.links[0].attributes, "link.reason"),
        Some("consumed-message")
    );
}

#[test]
fn recorded_logs_carry_severity_bodies_and_trace_context() {
    let receiver = TestReceiver::start();
    replay_all(&receiver, "http-protobuf");
    let records: Vec<_> = receiver
        .sink
        .logs()
        .into_iter()
        .flat_map(|request| request.resource_logs)
        .flat_map(|resource| resource.scope_logs)
        .flat_map(|scope| scope.log_records)
        .collect();
    let body_text = |record: &opentelemetry_proto::tonic::logs::v1::LogRecord| match record
        .body
        .as_ref()
        .and_then(|body| body.value.as_ref())
    {
        Some(Value::StringValue(text)) => text.clone(),
        _ => String::new(),
    };

    let charge_failed = records
        .iter()
        .find(|record| body_text(record).starts_with("charge failed for order o-5521"))
        .expect("the payment error log");
    assert_eq!(charge_failed.severity_text, "ERROR");
    assert_eq!(charge_failed.severity_number, 17);
    assert_eq!(hex(&charge_failed.trace_id), TRACE_ID);
    assert_eq!(hex(&charge_failed.span_id), "9a1de644815ef6d1");

    let outside_any_span = records
        .iter()
        .find(|record| body_text(record) == "cache stats hits=120 misses=7")
        .expect("the DEBUG line logged outside a span");
    assert!(outside_any_span.trace_id.is_empty());

    let declined = records
        .iter()
        .find(|record| record.event_name == "payment.declined")
        .expect("the structured event");
    match declined.body.as_ref().and_then(|body| body.value.as_ref()) {
        Some(Value::KvlistValue(map)) => {
            assert_eq!(
                string_attribute(&map.values, "order"),
                Some("o-5521"),
                "{map:?}"
            );
            assert_eq!(
                attribute(&map.values, "amount"),
                Some(&Value::DoubleValue(87.45))
            );
        }
        other => panic!("payment.declined body: {other:?}"),
    }
    let traced = records
        .iter()
        .filter(|record| hex(&record.trace_id) == TRACE_ID)
        .count();
    // Seven records were logged inside a span, one of them in the consumer's trace.
    assert_eq!(traced, 6);
}

#[test]
fn recorded_metrics_hold_every_instrument_with_its_values() {
    let receiver = TestReceiver::start();
    replay_all(&receiver, "http-protobuf");
    let collections = receiver.sink.metrics();
    assert_eq!(collections.len(), 3);
    let metrics_of = |request: &ExportMetricsServiceRequest| {
        request
            .resource_metrics
            .iter()
            .flat_map(|resource| &resource.scope_metrics)
            .flat_map(|scope| scope.metrics.clone())
            .map(|metric| (metric.name.clone(), metric))
            .collect::<BTreeMap<_, _>>()
    };
    let first = metrics_of(&collections[0]);
    let second = metrics_of(&collections[1]);
    assert_eq!(
        first.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "app.cart.value",
            "app.orders.placed",
            "app.queue.depth",
            "db.client.operation.duration",
            "http.server.active_requests",
            "http.server.request.duration",
            "process.cpu.time",
        ]
    );

    let int_values = |metric: &opentelemetry_proto::tonic::metrics::v1::Metric| match &metric.data {
        Some(metric::Data::Sum(sum)) => {
            assert!(sum.is_monotonic);
            assert_eq!(
                sum.aggregation_temporality,
                AggregationTemporality::Cumulative as i32
            );
            sum.data_points
                .iter()
                .map(|point| point.value)
                .collect::<Vec<_>>()
        }
        other => panic!("{}: {other:?}", metric.name),
    };
    // A cumulative counter grows between collections.
    use number_data_point::Value::{AsDouble, AsInt};
    assert_eq!(
        int_values(&first["app.orders.placed"]),
        [Some(AsInt(12)), Some(AsInt(7))]
    );
    assert_eq!(
        int_values(&second["app.orders.placed"]),
        [Some(AsInt(22)), Some(AsInt(17))]
    );
    match &second["app.cart.value"].data {
        Some(metric::Data::Gauge(gauge)) => {
            assert_eq!(gauge.data_points[0].value, Some(AsDouble(88.45)));
        }
        other => panic!("app.cart.value: {other:?}"),
    }
    match &second["http.server.request.duration"].data {
        Some(metric::Data::Histogram(histogram)) => {
            let counts: Vec<u64> = histogram.data_points.iter().map(|p| p.count).collect();
            assert_eq!(counts, [39, 27, 50, 4]);
            let point = &histogram.data_points[0];
            assert_eq!(point.bucket_counts.len(), point.explicit_bounds.len() + 1);
            assert_eq!(point.bucket_counts.iter().sum::<u64>(), 39);
        }
        other => panic!("http.server.request.duration: {other:?}"),
    }
    match &second["db.client.operation.duration"].data {
        Some(metric::Data::ExponentialHistogram(histogram)) => {
            assert_eq!(histogram.data_points[0].count, 120);
        }
        other => panic!("db.client.operation.duration: {other:?}"),
    }
}

#[test]
fn recorded_gzip_bodies_decode_to_the_same_requests_as_plain_protobuf() {
    let plain = TestReceiver::start();
    let gzip = TestReceiver::start();
    replay_all(&plain, "http-protobuf");
    for request in recorded_http("http-protobuf-gzip") {
        assert_eq!(request.content_encoding.as_deref(), Some("gzip"));
        let reply = gzip.replay(&request);
        assert_eq!(reply.status, 200, "{}: {reply:?}", request.name);
    }
    let strip = |requests: Vec<ExportTraceServiceRequest>| {
        requests
            .into_iter()
            .map(without_timestamps_traces)
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(gzip.sink.traces()), strip(plain.sink.traces()));
    let strip_logs = |requests: Vec<ExportLogsServiceRequest>| {
        requests
            .into_iter()
            .map(without_timestamps_logs)
            .collect::<Vec<_>>()
    };
    assert_eq!(strip_logs(gzip.sink.logs()), strip_logs(plain.sink.logs()));
}

#[test]
fn recorded_json_bodies_decode_to_the_same_requests_as_protobuf() {
    let protobuf = TestReceiver::start();
    let json = TestReceiver::start();
    replay_all(&protobuf, "http-protobuf");
    for request in recorded_http("http-json") {
        assert_eq!(request.content_type, "application/json");
        let reply = json.replay(&request);
        assert_eq!(reply.status, 200, "{}: {reply:?}", request.name);
        assert_eq!(reply.header("content-type"), Some("application/json"));
        assert_eq!(reply.body, b"{}");
    }
    // Hex ids, int64 as strings and integer enums all decode to the protobuf run's values.
    let traces = |receiver: &TestReceiver| {
        receiver
            .sink
            .traces()
            .into_iter()
            .map(without_timestamps_traces)
            .collect::<Vec<_>>()
    };
    assert_eq!(traces(&json), traces(&protobuf));
    let logs = |receiver: &TestReceiver| {
        receiver
            .sink
            .logs()
            .into_iter()
            .map(without_timestamps_logs)
            .collect::<Vec<_>>()
    };
    assert_eq!(logs(&json), logs(&protobuf));

    // Metric values come from separate runs (float sums differ in the last digit), so compare
    // the shape and the integer values.
    let summary = |receiver: &TestReceiver| {
        receiver
            .sink
            .metrics()
            .iter()
            .flat_map(|request| &request.resource_metrics)
            .flat_map(|resource| &resource.scope_metrics)
            .flat_map(|scope| &scope.metrics)
            .map(|metric| {
                let values = match &metric.data {
                    Some(metric::Data::Sum(sum)) => format!(
                        "sum {:?}",
                        sum.data_points.iter().map(|p| p.value).collect::<Vec<_>>()
                    ),
                    Some(metric::Data::Gauge(gauge)) => format!(
                        "gauge {:?}",
                        gauge
                            .data_points
                            .iter()
                            .map(|p| p.value)
                            .collect::<Vec<_>>()
                    ),
                    Some(metric::Data::Histogram(histogram)) => format!(
                        "histogram {:?}",
                        histogram
                            .data_points
                            .iter()
                            .map(|p| (p.count, p.bucket_counts.clone(), p.explicit_bounds.clone()))
                            .collect::<Vec<_>>()
                    ),
                    Some(metric::Data::ExponentialHistogram(histogram)) => format!(
                        "exponential {:?}",
                        histogram
                            .data_points
                            .iter()
                            .map(|p| (p.count, p.scale, p.zero_count, p.positive.clone()))
                            .collect::<Vec<_>>()
                    ),
                    other => format!("{other:?}"),
                };
                format!("{} {values}", metric.name)
            })
            .collect::<Vec<_>>()
    };
    let json_metrics = summary(&json);
    assert_eq!(json_metrics.len(), 21);
    assert_eq!(json_metrics, summary(&protobuf));
}

#[test]
fn recorded_grpc_messages_are_accepted_unchanged_over_grpc_plain_and_gzip() {
    let receiver = TestReceiver::start();
    let names = [
        ("traces-frontend", TRACE_EXPORT),
        ("traces-checkout", TRACE_EXPORT),
        ("traces-payment", TRACE_EXPORT),
        ("logs-frontend", LOGS_EXPORT),
        ("logs-checkout", LOGS_EXPORT),
        ("logs-payment", LOGS_EXPORT),
        ("metrics-cumulative-1", METRICS_EXPORT),
        ("metrics-cumulative-2", METRICS_EXPORT),
        ("metrics-cumulative-3-shutdown", METRICS_EXPORT),
    ];
    for (gzip, (name, method)) in names.iter().enumerate().map(|(i, n)| (i % 2 == 1, n)) {
        let metadata: serde_json::Value =
            serde_json::from_slice(&fixture(&format!("recorded/grpc/{name}.metadata.json")))
                .expect("metadata is JSON");
        assert_eq!(metadata["grpc_method"], *method, "{name}");
        let message = fixture(&format!("recorded/grpc/{name}.pb"));
        let response = receiver
            .grpc_call(method, message, gzip)
            .unwrap_or_else(|status| panic!("{name}: {status:?}"));
        assert_eq!(response, b"", "{name}: an empty Export*ServiceResponse");
    }
    // The sink got exactly the recorded messages, timestamps included.
    let expected: Vec<ExportTraceServiceRequest> = ["frontend", "checkout", "payment"]
        .iter()
        .map(|service| {
            let bytes = fixture(&format!("recorded/grpc/traces-{service}.pb"));
            ExportTraceServiceRequest::decode(bytes.as_slice()).expect("recorded message")
        })
        .collect();
    assert_eq!(receiver.sink.traces(), expected);
    assert_eq!(receiver.sink.logs().len(), 3);
    assert_eq!(receiver.sink.metrics().len(), 3);
    let spans = receiver.sink.spans();
    assert_eq!(
        spans
            .iter()
            .filter(|span| hex(&span.trace_id) == TRACE_ID)
            .count(),
        10
    );
}

#[test]
fn stats_count_requests_items_and_bytes_per_signal() {
    let receiver = TestReceiver::start();
    replay_all(&receiver, "http-protobuf");
    let recorded = recorded_http("http-protobuf");
    let bytes_of = |prefix: &str| -> u64 {
        recorded
            .iter()
            .filter(|request| request.path == format!("/v1/{prefix}"))
            .map(|request| request.body.len() as u64)
            .sum()
    };
    // Counted independently of the receiver, from the JSON run (same workload).
    let json_points: u64 = recorded_http("http-json")
        .iter()
        .filter(|request| request.path == "/v1/metrics")
        .map(|request| {
            let text = String::from_utf8_lossy(&request.body).into_owned();
            let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
            value["resourceMetrics"][0]["scopeMetrics"][0]["metrics"]
                .as_array()
                .expect("metrics")
                .iter()
                .map(|metric| {
                    ["sum", "gauge", "histogram", "exponentialHistogram"]
                        .iter()
                        .filter_map(|kind| metric[*kind]["dataPoints"].as_array())
                        .map(|points| points.len() as u64)
                        .sum::<u64>()
                })
                .sum::<u64>()
        })
        .sum();

    let stats = receiver.stats();
    assert_eq!(stats.traces.requests, 3);
    assert_eq!(stats.traces.items_received, 11);
    assert_eq!(stats.traces.bytes, bytes_of("traces"));
    assert_eq!(stats.logs.requests, 3);
    // 3 + 2 + 3 records in the decoded dumps of frontend, checkout and payment.
    assert_eq!(stats.logs.items_received, 8);
    assert_eq!(stats.logs.bytes, bytes_of("logs"));
    assert_eq!(stats.metrics.requests, 3);
    assert_eq!(stats.metrics.items_received, json_points);
    assert_eq!(stats.total().malformed_requests, 0);
    assert_eq!(stats.total().items_rejected, 0);
    assert_eq!(stats.signal(Signal::Logs), &stats.logs);
}

#[test]
fn sink_rejections_come_back_as_partial_success_in_every_encoding() {
    let receiver = TestReceiver::start();
    receiver.sink.answer_with(SinkAnswer::Reject {
        rejected: 2,
        message: Some("span attributes over the per-span limit".into()),
    });

    let protobuf = recorded_http("http-protobuf")
        .into_iter()
        .find(|request| request.name.ends_with("traces-checkout"))
        .expect("fixture");
    let reply = receiver.replay(&protobuf);
    assert_eq!(reply.status, 200);
    let response = ExportTraceServiceResponse::decode(reply.body.as_slice()).expect("response");
    let partial = response.partial_success.expect("partial_success is set");
    assert_eq!(partial.rejected_spans, 2);
    assert_eq!(
        partial.error_message,
        "span attributes over the per-span limit"
    );

    let json = recorded_http("http-json")
        .into_iter()
        .find(|request| request.name.ends_with("traces-checkout"))
        .expect("fixture");
    let reply = receiver.replay(&json);
    assert_eq!(reply.status, 200);
    let response: serde_json::Value = serde_json::from_slice(&reply.body).expect("JSON");
    assert_eq!(response["partialSuccess"]["rejectedSpans"], "2");
    assert_eq!(
        response["partialSuccess"]["errorMessage"],
        "span attributes over the per-span limit"
    );

    let message = fixture("recorded/grpc/traces-checkout.pb");
    let reply = receiver
        .grpc_call(TRACE_EXPORT, message, false)
        .expect("accepted");
    let response = ExportTraceServiceResponse::decode(reply.as_slice()).expect("response");
    assert_eq!(response.partial_success.map(|p| p.rejected_spans), Some(2));

    let stats = receiver.stats();
    assert_eq!(stats.traces.requests, 3);
    assert_eq!(stats.traces.items_received, 12);
    assert_eq!(stats.traces.items_rejected, 6);
}

#[test]
fn spec_valid_json_forms_the_crate_rejects_are_accepted_over_http() {
    let receiver = TestReceiver::start();
    // An empty array attribute with its empty list omitted, a 32-bit field as a string, a
    // null list, and non-finite doubles: all proto3 JSON.
    let traces = br#"{"resourceSpans":[{"scopeSpans":[{"spans":[{
        "traceId":"BDD640FB06671AD11C80317FA3B1799D","spanId":"23b8c1e9392456de",
        "name":"render cart","kind":1,"flags":"256","events":null,
        "startTimeUnixNano":1795507024241442414,"endTimeUnixNano":"1795507024245572459",
        "attributes":[{"key":"cart.currencies","value":{"arrayValue":{}}},
                      {"key":"cart.ratio","value":{"doubleValue":"Infinity"}}]}]}]}]}"#;
    let reply = support::post(
        receiver.http_addr(),
        "/v1/traces",
        &[("Content-Type", "application/json")],
        traces,
    );
    assert_eq!(reply.status, 200, "{reply:?}");
    let span = &receiver.sink.spans()[0];
    assert_eq!(hex(&span.trace_id), TRACE_ID);
    assert_eq!(span.flags, 256);
    match attribute(&span.attributes, "cart.currencies") {
        Some(Value::ArrayValue(array)) => assert!(array.values.is_empty()),
        other => panic!("cart.currencies: {other:?}"),
    }
    assert_eq!(
        attribute(&span.attributes, "cart.ratio"),
        Some(&Value::DoubleValue(f64::INFINITY))
    );

    let metrics = br#"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[
        {"name":"app.cart.value","gauge":{"dataPoints":[{"asDouble":"NaN","timeUnixNano":"1"}]}}]}]}]}"#;
    let reply = support::post(
        receiver.http_addr(),
        "/v1/metrics",
        &[("Content-Type", "application/json")],
        metrics,
    );
    assert_eq!(reply.status, 200, "{reply:?}");
    let metric = &receiver.sink.metrics()[0].resource_metrics[0].scope_metrics[0].metrics[0];
    match &metric.data {
        Some(metric::Data::Gauge(gauge)) => match gauge.data_points[0].value {
            Some(number_data_point::Value::AsDouble(value)) => assert!(value.is_nan()),
            other => panic!("the NaN point: {other:?}"),
        },
        other => panic!("app.cart.value: {other:?}"),
    }
    assert_eq!(receiver.stats().metrics.items_received, 1);
}
