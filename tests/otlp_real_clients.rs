//! The Rust OpenTelemetry SDK and its `opentelemetry-otlp` exporters (0.33), unmodified, send
//! spans, logs and metrics to the receiver over OTLP/HTTP protobuf and over OTLP/gRPC; the
//! sink gets them with their ids, parent links, attributes and values intact.
//!
//! The SDK exports from the thread that ends a span or emits a log (simple processors) and
//! from the periodic metric reader's own thread, both with `futures_executor::block_on`. The
//! exporters need a tokio context for their I/O, so the test thread enters a client runtime and
//! the metric exporter is wrapped to enter it on every poll ([`InClientRuntime`]).

#[path = "otlp_support.rs"]
mod support;

use opentelemetry::KeyValue;
use opentelemetry::logs::{
    AnyValue as LogBody, LogRecord as _, Logger as _, LoggerProvider as _, Severity,
};
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::trace::{
    Span as _, SpanKind as ApiSpanKind, Status, TraceContextExt as _, Tracer as _,
    TracerProvider as _,
};
use opentelemetry_otlp::{Protocol, WithExportConfig as _};
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::logs::v1::LogRecord;
use opentelemetry_proto::tonic::metrics::v1::{
    AggregationTemporality, Metric, metric, number_data_point,
};
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::logs::SdkLoggerProvider;
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider, Temporality};
use opentelemetry_sdk::trace::SdkTracerProvider;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use support::{TestReceiver, attribute, hex, string_attribute};

const SERVICE: &str = "otlp-real-client-test";

#[derive(Clone, Copy, Debug)]
enum Transport {
    HttpProtobuf,
    Grpc,
}

/// Runs the metric exporter's futures inside the client runtime, whatever thread polls them.
struct InClientRuntime<E> {
    exporter: E,
    runtime: tokio::runtime::Handle,
}

struct Entered<F> {
    future: Pin<Box<F>>,
    runtime: tokio::runtime::Handle,
}

impl<F: Future> Future for Entered<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<F::Output> {
        let _entered = self.runtime.enter();
        self.future.as_mut().poll(context)
    }
}

impl<E: PushMetricExporter> PushMetricExporter for InClientRuntime<E> {
    fn export(&self, metrics: &ResourceMetrics) -> impl Future<Output = OTelSdkResult> + Send {
        Entered {
            future: Box::pin(self.exporter.export(metrics)),
            runtime: self.runtime.clone(),
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.exporter.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        let _entered = self.runtime.enter();
        self.exporter.shutdown_with_timeout(timeout)
    }

    fn temporality(&self) -> Temporality {
        self.exporter.temporality()
    }
}

/// What the workload produced, to compare with what arrived.
struct Sent {
    trace_id: String,
    parent_span_id: String,
    child_span_id: String,
}

fn resource() -> Resource {
    Resource::builder()
        .with_service_name(SERVICE)
        .with_attribute(KeyValue::new("deployment.environment.name", "test"))
        .build()
}

/// Builds the three exporters for `transport`, emits two spans (the child with attributes of
/// every type, an event and an error), a log inside the child and two instruments, and flushes.
fn send_workload(
    receiver: &TestReceiver,
    transport: Transport,
    client: &tokio::runtime::Runtime,
) -> Sent {
    let _entered = client.enter();
    // reqwest is built with `rustls-no-provider` in this workspace (the app does the same).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = format!("http://{}", receiver.http_addr());
    let grpc = format!("http://{}", receiver.grpc_addr());

    let spans = match transport {
        Transport::HttpProtobuf => opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpBinary)
            .with_endpoint(format!("{http}/v1/traces"))
            .build(),
        Transport::Grpc => opentelemetry_otlp::SpanExporter::builder()
            .with_tonic()
            .with_endpoint(grpc.clone())
            .build(),
    }
    .expect("a span exporter");
    let logs = match transport {
        Transport::HttpProtobuf => opentelemetry_otlp::LogExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpBinary)
            .with_endpoint(format!("{http}/v1/logs"))
            .build(),
        Transport::Grpc => opentelemetry_otlp::LogExporter::builder()
            .with_tonic()
            .with_endpoint(grpc.clone())
            .build(),
    }
    .expect("a log exporter");
    let metrics = match transport {
        Transport::HttpProtobuf => opentelemetry_otlp::MetricExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpBinary)
            .with_endpoint(format!("{http}/v1/metrics"))
            .with_temporality(Temporality::Cumulative)
            .build(),
        Transport::Grpc => opentelemetry_otlp::MetricExporter::builder()
            .with_tonic()
            .with_endpoint(grpc)
            .with_temporality(Temporality::Cumulative)
            .build(),
    }
    .expect("a metric exporter");

    let tracer_provider = SdkTracerProvider::builder()
        .with_resource(resource())
        .with_simple_exporter(spans)
        .build();
    let logger_provider = SdkLoggerProvider::builder()
        .with_resource(resource())
        .with_simple_exporter(logs)
        .build();
    let meter_provider = SdkMeterProvider::builder()
        .with_resource(resource())
        .with_reader(
            // Only the explicit flush below exports.
            PeriodicReader::builder(InClientRuntime {
                exporter: metrics,
                runtime: client.handle().clone(),
            })
            .with_interval(Duration::from_secs(3600))
            .build(),
        )
        .build();

    let tracer = tracer_provider.tracer("signalscope.tests");
    let logger = logger_provider.logger("signalscope.tests");
    let meter = meter_provider.meter("signalscope.tests");

    let parent = tracer
        .span_builder("GET /orders/{id}")
        .with_kind(ApiSpanKind::Server)
        .with_attributes([KeyValue::new("http.request.method", "GET")])
        .start(&tracer);
    let parent_context = opentelemetry::Context::current_with_span(parent);
    let parent_span = parent_context.span().span_context().clone();

    let mut child = tracer
        .span_builder("SELECT orders")
        .with_kind(ApiSpanKind::Client)
        .with_attributes([
            KeyValue::new("db.system.name", "postgresql"),
            KeyValue::new("db.response.returned_rows", 42_i64),
            KeyValue::new("db.client.duration_ms", 12.5),
            KeyValue::new("db.cached", true),
            KeyValue::new(
                "db.tables",
                opentelemetry::Value::Array(
                    vec![
                        opentelemetry::StringValue::from("orders"),
                        "customers".into(),
                    ]
                    .into(),
                ),
            ),
        ])
        .start_with_context(&tracer, &parent_context);
    child.add_event("retry", vec![KeyValue::new("attempt", 2_i64)]);
    child.set_status(Status::error("deadlock detected"));
    let child_span = child.span_context().clone();
    {
        let child_context = parent_context.with_span(child);
        let _active = child_context.clone().attach();
        let mut record = logger.create_log_record();
        record.set_severity_number(Severity::Error);
        record.set_severity_text("ERROR");
        record.set_body(LogBody::from("query failed: deadlock detected"));
        record.add_attribute("db.system.name", "postgresql");
        logger.emit(record);
        child_context.span().end();
    }
    parent_context.span().end();

    let orders = meter.u64_counter("orders.placed").build();
    orders.add(3, &[KeyValue::new("channel", "web")]);
    orders.add(4, &[KeyValue::new("channel", "web")]);
    let duration = meter
        .f64_histogram("request.duration")
        .with_unit("s")
        .build();
    for seconds in [0.25, 0.5, 1.25] {
        duration.record(seconds, &[]);
    }

    tracer_provider.force_flush().expect("spans flushed");
    logger_provider.force_flush().expect("logs flushed");
    meter_provider.force_flush().expect("metrics flushed");
    let _ = tracer_provider.shutdown();
    let _ = logger_provider.shutdown();
    let _ = meter_provider.shutdown();

    Sent {
        trace_id: parent_span.trace_id().to_string(),
        parent_span_id: parent_span.span_id().to_string(),
        child_span_id: child_span.span_id().to_string(),
    }
}

fn assert_received(receiver: &TestReceiver, sent: &Sent) {
    let traces = receiver.sink.traces();
    assert!(!traces.is_empty(), "no trace request arrived");
    for request in &traces {
        let resource = request.resource_spans[0]
            .resource
            .as_ref()
            .expect("resource");
        assert_eq!(
            string_attribute(&resource.attributes, "service.name"),
            Some(SERVICE)
        );
    }
    let spans = receiver.sink.spans();
    assert_eq!(spans.len(), 2, "{spans:#?}");
    let parent = spans
        .iter()
        .find(|span| span.name == "GET /orders/{id}")
        .expect("the parent span");
    let child = spans
        .iter()
        .find(|span| span.name == "SELECT orders")
        .expect("the child span");
    assert_eq!(hex(&parent.trace_id), sent.trace_id);
    assert_eq!(hex(&parent.span_id), sent.parent_span_id);
    assert!(parent.parent_span_id.is_empty());
    assert_eq!(parent.kind, SpanKind::Server as i32);
    assert_eq!(hex(&child.trace_id), sent.trace_id);
    assert_eq!(hex(&child.span_id), sent.child_span_id);
    assert_eq!(child.parent_span_id, parent.span_id);
    assert_eq!(child.kind, SpanKind::Client as i32);
    assert!(child.start_time_unix_nano >= parent.start_time_unix_nano);
    assert!(child.end_time_unix_nano <= parent.end_time_unix_nano);

    let attributes = &child.attributes;
    assert_eq!(
        string_attribute(attributes, "db.system.name"),
        Some("postgresql")
    );
    assert_eq!(
        attribute(attributes, "db.response.returned_rows"),
        Some(&Value::IntValue(42))
    );
    assert_eq!(
        attribute(attributes, "db.client.duration_ms"),
        Some(&Value::DoubleValue(12.5))
    );
    assert_eq!(
        attribute(attributes, "db.cached"),
        Some(&Value::BoolValue(true))
    );
    match attribute(attributes, "db.tables") {
        Some(Value::ArrayValue(array)) => {
            let tables: Vec<_> = array
                .values
                .iter()
                .map(|value| value.value.clone())
                .collect();
            assert_eq!(
                tables,
                [
                    Some(Value::StringValue("orders".into())),
                    Some(Value::StringValue("customers".into()))
                ]
            );
        }
        other => panic!("db.tables: {other:?}"),
    }
    assert_eq!(child.events[0].name, "retry");
    assert_eq!(
        attribute(&child.events[0].attributes, "attempt"),
        Some(&Value::IntValue(2))
    );
    let status = child.status.as_ref().expect("a status");
    assert_eq!(status.code, StatusCode::Error as i32);
    assert_eq!(status.message, "deadlock detected");

    let records: Vec<LogRecord> = receiver
        .sink
        .logs()
        .into_iter()
        .flat_map(|request| request.resource_logs)
        .flat_map(|resource| resource.scope_logs)
        .flat_map(|scope| scope.log_records)
        .collect();
    assert_eq!(records.len(), 1, "{records:#?}");
    let record = &records[0];
    assert_eq!(record.severity_number, Severity::Error as i32);
    assert_eq!(record.severity_text, "ERROR");
    assert_eq!(
        record.body.as_ref().and_then(|body| body.value.clone()),
        Some(Value::StringValue("query failed: deadlock detected".into()))
    );
    assert_eq!(
        hex(&record.trace_id),
        sent.trace_id,
        "the log carries the active span's trace"
    );
    assert_eq!(hex(&record.span_id), sent.child_span_id);
    assert_eq!(
        string_attribute(&record.attributes, "db.system.name"),
        Some("postgresql")
    );

    let metrics: Vec<Metric> = receiver
        .sink
        .metrics()
        .into_iter()
        .flat_map(|request| request.resource_metrics)
        .flat_map(|resource| resource.scope_metrics)
        .flat_map(|scope| scope.metrics)
        .collect();
    let orders = metrics
        .iter()
        .find(|metric| metric.name == "orders.placed")
        .expect("the counter");
    match &orders.data {
        Some(metric::Data::Sum(sum)) => {
            assert!(sum.is_monotonic);
            assert_eq!(
                sum.aggregation_temporality,
                AggregationTemporality::Cumulative as i32
            );
            assert_eq!(sum.data_points.len(), 1);
            let point = &sum.data_points[0];
            assert_eq!(point.value, Some(number_data_point::Value::AsInt(7)));
            assert_eq!(string_attribute(&point.attributes, "channel"), Some("web"));
        }
        other => panic!("orders.placed: {other:?}"),
    }
    let duration = metrics
        .iter()
        .find(|metric| metric.name == "request.duration")
        .expect("the histogram");
    assert_eq!(duration.unit, "s");
    match &duration.data {
        Some(metric::Data::Histogram(histogram)) => {
            let point = &histogram.data_points[0];
            assert_eq!(point.count, 3);
            assert_eq!(point.sum, Some(2.0));
            assert_eq!(point.min, Some(0.25));
            assert_eq!(point.max, Some(1.25));
            assert_eq!(point.bucket_counts.iter().sum::<u64>(), 3);
        }
        other => panic!("request.duration: {other:?}"),
    }

    let stats = receiver.stats();
    assert_eq!(stats.traces.items_received, 2);
    assert_eq!(stats.logs.items_received, 1);
    assert_eq!(stats.total().malformed_requests, 0);
}

fn client_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a client runtime")
}

#[test]
fn rust_otlp_exporter_over_http_protobuf_delivers_spans_logs_and_metrics() {
    let receiver = TestReceiver::start();
    let client = client_runtime();
    let sent = send_workload(&receiver, Transport::HttpProtobuf, &client);
    assert_received(&receiver, &sent);
    assert!(receiver.stats().traces.bytes > 0);
}

#[test]
fn rust_otlp_exporter_over_grpc_delivers_spans_logs_and_metrics() {
    let receiver = TestReceiver::start();
    let client = client_runtime();
    let sent = send_workload(&receiver, Transport::Grpc, &client);
    assert_received(&receiver, &sent);
}
