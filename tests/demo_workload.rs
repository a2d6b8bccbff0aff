//! The demo workload: well-formed traces, logs tied to their spans, monotonic cumulative
//! metrics, the scripted payment incident, and real OTLP/HTTP delivery to a receiver.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::logs::v1::LogRecord;
use opentelemetry_proto::tonic::metrics::v1::{metric, number_data_point};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use opentelemetry_proto::tonic::trace::v1::status::StatusCode as SpanStatusCode;
use prost::Message as _;
use signalscope::demo::{
    self, DemoBatch, DemoConfig, DemoShop, PAYMENT_QUEUE_DEPTH, REQUEST_COUNT, REQUEST_DURATION,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const SERVICES: [&str; 6] = [
    "frontend", "catalog", "cart", "checkout", "payment", "ledger",
];

// ── helpers ───────────────────────────────────────────────────────────────────────────────────

fn config(seed: u64) -> DemoConfig {
    DemoConfig {
        endpoint: "http://127.0.0.1:4318".to_owned(),
        requests_per_second: 10.0,
        incident_every: Duration::from_secs(240),
        incident_length: Duration::from_secs(60),
        seed,
    }
}

fn opening_time() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_750_000_000)
}

/// Ticks a fresh shop once per second from `from_s` to `to_s` (inclusive) after it opened.
fn run_shop(config: &DemoConfig, from_s: u64, to_s: u64) -> (DemoShop, Vec<DemoBatch>) {
    let opened = opening_time();
    let mut shop = DemoShop::new(config, opened);
    let batches = (from_s..=to_s)
        .map(|second| shop.tick(opened + Duration::from_secs(second)))
        .collect();
    (shop, batches)
}

fn attribute<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a Value> {
    attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
        .and_then(|value| value.value.as_ref())
}

fn text_attribute<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a str> {
    match attribute(attributes, key) {
        Some(Value::StringValue(text)) => Some(text),
        _ => None,
    }
}

fn int_attribute(attributes: &[KeyValue], key: &str) -> Option<i64> {
    match attribute(attributes, key) {
        Some(Value::IntValue(value)) => Some(*value),
        _ => None,
    }
}

fn service_name(resource: Option<&Resource>) -> String {
    resource
        .and_then(|resource| text_attribute(&resource.attributes, "service.name"))
        .unwrap_or("<none>")
        .to_owned()
}

/// Every span of a trace request with the name of the service that reported it.
fn spans_of(request: &ExportTraceServiceRequest) -> Vec<(String, &Span)> {
    request
        .resource_spans
        .iter()
        .flat_map(|resource| {
            let service = service_name(resource.resource.as_ref());
            resource
                .scope_spans
                .iter()
                .flat_map(|scope| &scope.spans)
                .map(move |span| (service.clone(), span))
        })
        .collect()
}

fn logs_of(request: &ExportLogsServiceRequest) -> Vec<(String, &LogRecord)> {
    request
        .resource_logs
        .iter()
        .flat_map(|resource| {
            let service = service_name(resource.resource.as_ref());
            resource
                .scope_logs
                .iter()
                .flat_map(|scope| &scope.log_records)
                .map(move |record| (service.clone(), record))
        })
        .collect()
}

/// `(trace id, span id)`: what a log record points at.
type SpanKey<'a> = (&'a [u8], &'a [u8]);

fn is_error(span: &Span) -> bool {
    span.status
        .as_ref()
        .is_some_and(|status| status.code == SpanStatusCode::Error as i32)
}

fn duration_ns(span: &Span) -> u64 {
    span.end_time_unix_nano - span.start_time_unix_nano
}

fn median(mut values: Vec<u64>) -> u64 {
    values.sort_unstable();
    values[values.len() / 2]
}

fn data_points(request: &ExportMetricsServiceRequest) -> u64 {
    request
        .resource_metrics
        .iter()
        .flat_map(|resource| &resource.scope_metrics)
        .flat_map(|scope| &scope.metrics)
        .map(|metric| match &metric.data {
            Some(metric::Data::Sum(sum)) => sum.data_points.len(),
            Some(metric::Data::Gauge(gauge)) => gauge.data_points.len(),
            Some(metric::Data::Histogram(histogram)) => histogram.data_points.len(),
            _ => 0,
        } as u64)
        .sum()
}

// ── traces ────────────────────────────────────────────────────────────────────────────────────

#[test]
fn generated_traces_are_well_formed_trees() {
    let (_, batches) = run_shop(&config(7), 1, 30);
    let mut traces_seen = 0;
    let mut kinds = BTreeSet::new();
    for batch in &batches {
        let spans = spans_of(&batch.traces);
        let mut by_trace: HashMap<&[u8], Vec<&Span>> = HashMap::new();
        for (_, span) in &spans {
            assert_eq!(span.trace_id.len(), 16, "trace ids are 128 bits");
            assert_eq!(span.span_id.len(), 8, "span ids are 64 bits");
            assert!(
                span.trace_id.iter().any(|&b| b != 0),
                "trace id is not all zeros"
            );
            assert!(
                span.span_id.iter().any(|&b| b != 0),
                "span id is not all zeros"
            );
            assert!(span.start_time_unix_nano <= span.end_time_unix_nano);
            kinds.insert(span.kind);
            by_trace.entry(&span.trace_id).or_default().push(span);
        }
        for (trace_id, spans) in by_trace {
            traces_seen += 1;
            let by_id: HashMap<&[u8], &Span> = spans
                .iter()
                .map(|span| (span.span_id.as_slice(), *span))
                .collect();
            assert_eq!(
                by_id.len(),
                spans.len(),
                "span ids are unique in trace {trace_id:02x?}"
            );
            let roots: Vec<_> = spans
                .iter()
                .filter(|span| span.parent_span_id.is_empty())
                .collect();
            assert_eq!(roots.len(), 1, "one root per trace {trace_id:02x?}");
            assert_eq!(
                roots[0].kind,
                SpanKind::Server as i32,
                "the root is the frontend's SERVER span"
            );
            for span in &spans {
                if span.parent_span_id.is_empty() {
                    continue;
                }
                let parent = by_id
                    .get(span.parent_span_id.as_slice())
                    .unwrap_or_else(|| {
                        panic!(
                            "parent of span {} is missing from trace {trace_id:02x?}",
                            span.name
                        )
                    });
                assert!(
                    parent.start_time_unix_nano <= span.start_time_unix_nano
                        && span.end_time_unix_nano <= parent.end_time_unix_nano,
                    "span {} lies inside its parent {}",
                    span.name,
                    parent.name
                );
            }
        }
    }
    assert!(
        traces_seen > 200,
        "about 10 requests per second for 30 s, saw {traces_seen}"
    );
    let expected_kinds: BTreeSet<i32> = [SpanKind::Internal, SpanKind::Server, SpanKind::Client]
        .map(|k| k as i32)
        .into();
    assert_eq!(kinds, expected_kinds);
}

#[test]
fn every_service_reports_under_its_own_resource() {
    let (_, batches) = run_shop(&config(11), 1, 30);
    let mut services = BTreeSet::new();
    for batch in &batches {
        for resource_spans in &batch.traces.resource_spans {
            let attributes = &resource_spans
                .resource
                .as_ref()
                .expect("resource")
                .attributes;
            let name = text_attribute(attributes, "service.name").expect("service.name");
            assert!(text_attribute(attributes, "service.version").is_some());
            assert!(text_attribute(attributes, "host.name").is_some());
            assert_eq!(
                text_attribute(attributes, "deployment.environment"),
                Some("demo")
            );
            services.insert(name.to_owned());
        }
    }
    let expected: BTreeSet<String> = SERVICES.iter().map(|s| s.to_string()).collect();
    assert_eq!(services, expected);
}

#[test]
fn spans_carry_http_and_database_semantic_conventions() {
    let (_, batches) = run_shop(&config(3), 1, 30);
    let mut database_systems = BTreeSet::new();
    for batch in &batches {
        for (service, span) in spans_of(&batch.traces) {
            let attributes = &span.attributes;
            if span.kind == SpanKind::Server as i32 {
                assert!(text_attribute(attributes, "http.request.method").is_some());
                assert!(text_attribute(attributes, "http.route").is_some());
                assert!(int_attribute(attributes, "http.response.status_code").is_some());
            }
            if let Some(system) = text_attribute(attributes, "db.system.name") {
                assert_eq!(
                    span.kind,
                    SpanKind::Client as i32,
                    "{service}: {}",
                    span.name
                );
                assert!(text_attribute(attributes, "db.operation.name").is_some());
                database_systems.insert(system.to_owned());
            }
        }
    }
    assert_eq!(
        database_systems,
        BTreeSet::from(["postgresql".to_owned(), "redis".to_owned()])
    );
}

#[test]
fn same_seed_gives_the_same_telemetry_and_another_seed_does_not() {
    let (_, first) = run_shop(&config(42), 1, 5);
    let (_, again) = run_shop(&config(42), 1, 5);
    let (_, other) = run_shop(&config(43), 1, 5);
    assert_eq!(first, again);
    assert_ne!(first, other);
}

#[test]
fn request_rate_follows_the_configuration() {
    let (_, batches) = run_shop(&config(5), 1, 60);
    let roots: usize = batches
        .iter()
        .flat_map(|batch| spans_of(&batch.traces))
        .filter(|(_, span)| span.parent_span_id.is_empty())
        .count();
    assert!(
        (480..=720).contains(&roots),
        "10/s for 60 s gave {roots} requests"
    );

    let silent = DemoConfig {
        requests_per_second: 0.0,
        ..config(5)
    };
    let (_, batches) = run_shop(&silent, 1, 10);
    assert!(batches.iter().all(|batch| batch.span_count() == 0));
}

// ── logs ──────────────────────────────────────────────────────────────────────────────────────

#[test]
fn log_records_point_at_spans_they_were_emitted_in() {
    // A quiet minute and the first half of an incident, so every severity occurs.
    let (_, quiet) = run_shop(&config(9), 1, 60);
    let (_, incident) = run_shop(&config(9), 241, 270);
    let mut severities = BTreeSet::new();
    let mut records = 0;
    for batch in quiet.iter().chain(&incident) {
        let spans: HashMap<SpanKey, (String, &Span)> = spans_of(&batch.traces)
            .into_iter()
            .map(|(service, span)| {
                (
                    (span.trace_id.as_slice(), span.span_id.as_slice()),
                    (service, span),
                )
            })
            .collect();
        for (service, record) in logs_of(&batch.logs) {
            records += 1;
            let (span_service, span) = spans
                .get(&(record.trace_id.as_slice(), record.span_id.as_slice()))
                .unwrap_or_else(|| panic!("log {:?} points at a span of this batch", record.body));
            assert_eq!(
                &service, span_service,
                "a log comes from the service of its span"
            );
            assert!(
                span.start_time_unix_nano <= record.time_unix_nano
                    && record.time_unix_nano <= span.end_time_unix_nano,
                "a log is emitted while its span runs"
            );
            let expected_number = match record.severity_text.as_str() {
                "DEBUG" => 5,
                "INFO" => 9,
                "WARN" => 13,
                "ERROR" => 17,
                other => panic!("unexpected severity {other}"),
            };
            assert_eq!(record.severity_number, expected_number);
            severities.insert(record.severity_text.clone());
        }
    }
    assert!(records > 300, "saw {records} log records");
    assert_eq!(
        severities,
        ["DEBUG", "ERROR", "INFO", "WARN"].map(String::from).into()
    );
}

#[test]
fn declined_charges_are_logged_with_the_order_id() {
    let (_, batches) = run_shop(&config(21), 1, 120);
    let declined: Vec<_> = batches
        .iter()
        .flat_map(|batch| logs_of(&batch.logs))
        .filter_map(
            |(service, record)| match record.body.as_ref()?.value.as_ref()? {
                Value::StringValue(body) if body.starts_with("charge declined") => {
                    Some((service, body.clone(), record))
                }
                _ => None,
            },
        )
        .collect();
    assert!(
        !declined.is_empty(),
        "some charges are declined every two minutes"
    );
    for (service, body, record) in declined {
        assert_eq!(service, "payment");
        assert_eq!(record.severity_text, "WARN");
        let order_id = int_attribute(&record.attributes, "shop.order.id").expect("shop.order.id");
        assert!(body.ends_with(&format!("order_id={order_id}")), "{body}");
    }
}

// ── the incident ──────────────────────────────────────────────────────────────────────────────

#[test]
fn incident_schedule_follows_the_configuration() {
    let config = config(1);
    let at = Duration::from_secs;
    assert!(!config.incident_active(at(0)));
    assert!(!config.incident_active(at(239)));
    assert!(config.incident_active(at(240)));
    assert!(config.incident_active(at(299)));
    assert!(!config.incident_active(at(300)));
    assert!(!config.incident_active(at(479)));
    assert!(config.incident_active(at(480)));
    assert_eq!(config.incident_schedule().next_start(at(10)), Some(at(240)));
    assert_eq!(
        config.incident_schedule().next_start(at(250)),
        Some(at(480))
    );

    let never = DemoConfig {
        incident_every: Duration::ZERO,
        ..config.clone()
    };
    assert!(!never.incident_active(at(240)));
    assert_eq!(never.incident_schedule().next_start(at(0)), None);
}

#[test]
fn payment_is_slow_and_failing_during_the_incident_only() {
    let config = config(13);
    let (shop, batches) = run_shop(&config, 1, 300);
    let opened = shop.started_unix_nanos();
    let mut quiet = (Vec::new(), 0usize);
    let mut incident = (Vec::new(), 0usize);
    let mut frontend_502_during_incident = 0;
    for batch in &batches {
        for (service, span) in spans_of(&batch.traces) {
            let elapsed = Duration::from_nanos(span.start_time_unix_nano - opened);
            let during = config.incident_active(elapsed);
            if service == "payment" && span.kind == SpanKind::Server as i32 {
                let bucket = if during { &mut incident } else { &mut quiet };
                bucket.0.push(duration_ns(span));
                bucket.1 += usize::from(is_error(span));
            }
            if service == "frontend"
                && span.parent_span_id.is_empty()
                && int_attribute(&span.attributes, "http.response.status_code") == Some(502)
            {
                assert!(is_error(span), "a 502 at the frontend is an error span");
                if during {
                    frontend_502_during_incident += 1;
                }
            }
        }
    }
    let quiet_error_rate = quiet.1 as f64 / quiet.0.len() as f64;
    let incident_error_rate = incident.1 as f64 / incident.0.len() as f64;
    assert!(quiet.0.len() > 200 && incident.0.len() > 50);
    assert!(
        quiet_error_rate < 0.05,
        "quiet error rate {quiet_error_rate}"
    );
    assert!(
        (0.15..0.5).contains(&incident_error_rate),
        "incident error rate {incident_error_rate}"
    );
    let (quiet_median, incident_median) = (median(quiet.0), median(incident.0));
    assert!(
        incident_median > 4 * quiet_median,
        "payment median {quiet_median} ns outside, {incident_median} ns during the incident"
    );
    assert!(
        frontend_502_during_incident > 5,
        "payment failures reach the frontend as 502"
    );
}

#[test]
fn failed_charges_log_errors_with_exception_attributes() {
    let (_, batches) = run_shop(&config(17), 241, 280);
    let errors: Vec<_> = batches
        .iter()
        .flat_map(|batch| logs_of(&batch.logs))
        .filter(|(service, record)| service == "payment" && record.severity_text == "ERROR")
        .collect();
    assert!(errors.len() > 5, "saw {} payment errors", errors.len());
    for (_, record) in errors {
        assert!(text_attribute(&record.attributes, "exception.type").is_some());
        assert!(text_attribute(&record.attributes, "exception.message").is_some());
        assert!(text_attribute(&record.attributes, "exception.stacktrace").is_some());
    }
}

// ── metrics ───────────────────────────────────────────────────────────────────────────────────

#[test]
fn metric_counters_never_decrease_across_ticks() {
    let (shop, batches) = run_shop(&config(23), 1, 60);
    let start = shop.started_unix_nanos();
    let exports: Vec<&ExportMetricsServiceRequest> = batches
        .iter()
        .filter_map(|batch| batch.metrics.as_ref())
        .collect();
    assert!(
        exports.len() >= 12,
        "one export every 5 s, got {}",
        exports.len()
    );

    // (service, metric, attributes) → last cumulative count.
    let mut last: BTreeMap<(String, String, String), u64> = BTreeMap::new();
    let mut last_time = 0;
    let mut services_with_counts = BTreeSet::new();
    let mut saw_gauge = false;
    for export in exports {
        let mut counter_values = BTreeMap::new();
        let mut histogram_counts = BTreeMap::new();
        let mut times = BTreeSet::new();
        for resource in &export.resource_metrics {
            let service = service_name(resource.resource.as_ref());
            for metric in resource
                .scope_metrics
                .iter()
                .flat_map(|scope| &scope.metrics)
            {
                let series = |attributes: &[KeyValue]| {
                    (
                        service.clone(),
                        metric.name.clone(),
                        format!("{attributes:?}"),
                    )
                };
                match (&metric.data, metric.name.as_str()) {
                    (Some(metric::Data::Sum(sum)), REQUEST_COUNT) => {
                        assert!(sum.is_monotonic);
                        services_with_counts.insert(service.clone());
                        for point in &sum.data_points {
                            assert_eq!(point.start_time_unix_nano, start);
                            times.insert(point.time_unix_nano);
                            let Some(number_data_point::Value::AsInt(value)) = point.value else {
                                panic!("request counts are integers");
                            };
                            let value = value as u64;
                            let key = series(&point.attributes);
                            let previous = last.insert(key.clone(), value).unwrap_or(0);
                            assert!(value >= previous, "{key:?} went from {previous} to {value}");
                            counter_values.insert(key.2, value);
                        }
                    }
                    (Some(metric::Data::Histogram(histogram)), REQUEST_DURATION) => {
                        for point in &histogram.data_points {
                            assert_eq!(point.start_time_unix_nano, start);
                            times.insert(point.time_unix_nano);
                            assert_eq!(point.bucket_counts.len(), point.explicit_bounds.len() + 1);
                            assert_eq!(point.bucket_counts.iter().sum::<u64>(), point.count);
                            let key = series(&point.attributes);
                            let previous = last.insert(key.clone(), point.count).unwrap_or(0);
                            assert!(point.count >= previous, "{key:?} went backwards");
                            histogram_counts.insert(key.2, point.count);
                        }
                    }
                    (Some(metric::Data::Gauge(gauge)), PAYMENT_QUEUE_DEPTH) => {
                        assert_eq!(service, "payment");
                        saw_gauge |= !gauge.data_points.is_empty();
                    }
                    (_, name) => panic!("unexpected metric {name}"),
                }
            }
        }
        assert_eq!(
            counter_values, histogram_counts,
            "the counter and the histogram count agree"
        );
        assert_eq!(times.len(), 1, "all points of one export share its time");
        let time = times.pop_first().unwrap_or_default();
        assert!(time > last_time, "exports move forward in time");
        last_time = time;
    }
    let expected: BTreeSet<String> = SERVICES.iter().map(|s| s.to_string()).collect();
    assert_eq!(services_with_counts, expected);
    assert!(saw_gauge);
}

#[test]
fn metrics_are_exported_on_the_first_tick_and_then_every_five_seconds() {
    let (_, batches) = run_shop(&config(29), 1, 30);
    let exported_at: Vec<u64> = (1..=30)
        .zip(&batches)
        .filter(|(_, batch)| batch.metrics.is_some())
        .map(|(second, _)| second)
        .collect();
    assert_eq!(exported_at, vec![1, 5, 10, 15, 20, 25, 30]);
}

#[test]
fn payment_queue_depth_rises_during_the_incident() {
    let (_, batches) = run_shop(&config(31), 1, 300);
    let depth = |from: usize, to: usize| -> f64 {
        let values: Vec<f64> = batches[from..to]
            .iter()
            .filter_map(|batch| batch.metrics.as_ref())
            .flat_map(|export| &export.resource_metrics)
            .flat_map(|resource| &resource.scope_metrics)
            .flat_map(|scope| &scope.metrics)
            .filter(|metric| metric.name == PAYMENT_QUEUE_DEPTH)
            .filter_map(|metric| match &metric.data {
                Some(metric::Data::Gauge(gauge)) => gauge.data_points.first(),
                _ => None,
            })
            .filter_map(|point| match point.value {
                Some(number_data_point::Value::AsDouble(value)) => Some(value),
                _ => None,
            })
            .collect();
        values.iter().sum::<f64>() / values.len() as f64
    };
    // Batch i is the tick at second i + 1.
    let quiet = depth(60, 230);
    let incident = depth(250, 299);
    assert!(
        incident > 3.0 * quiet,
        "queue depth {quiet} outside, {incident} during"
    );
}

// ── over the network ──────────────────────────────────────────────────────────────────────────

#[test]
fn backoff_doubles_up_to_thirty_seconds() {
    assert_eq!(demo::backoff(1), Duration::from_secs(2));
    assert_eq!(demo::backoff(2), Duration::from_secs(4));
    assert_eq!(demo::backoff(4), Duration::from_secs(16));
    assert_eq!(demo::backoff(5), Duration::from_secs(30));
    assert_eq!(demo::backoff(u32::MAX), Duration::from_secs(30));
}

/// What the test receiver decoded.
#[derive(Default)]
struct Received {
    spans: AtomicU64,
    log_records: AtomicU64,
    data_points: AtomicU64,
    rejected: AtomicU64,
}

impl Received {
    fn counts(&self) -> [u64; 4] {
        [
            &self.spans,
            &self.log_records,
            &self.data_points,
            &self.rejected,
        ]
        .map(|counter| counter.load(Ordering::SeqCst))
    }
}

fn is_protobuf(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|value| value == "application/x-protobuf")
}

/// A minimal OTLP/HTTP receiver on a free loopback port that decodes bodies with prost.
async fn start_receiver() -> (SocketAddr, Arc<Received>) {
    async fn traces(
        State(received): State<Arc<Received>>,
        headers: HeaderMap,
        body: Bytes,
    ) -> StatusCode {
        match ExportTraceServiceRequest::decode(body) {
            Ok(request) if is_protobuf(&headers) => {
                let spans = spans_of(&request).len() as u64;
                received.spans.fetch_add(spans, Ordering::SeqCst);
                StatusCode::OK
            }
            _ => {
                received.rejected.fetch_add(1, Ordering::SeqCst);
                StatusCode::BAD_REQUEST
            }
        }
    }
    async fn logs(
        State(received): State<Arc<Received>>,
        headers: HeaderMap,
        body: Bytes,
    ) -> StatusCode {
        match ExportLogsServiceRequest::decode(body) {
            Ok(request) if is_protobuf(&headers) => {
                let records = logs_of(&request).len() as u64;
                received.log_records.fetch_add(records, Ordering::SeqCst);
                StatusCode::OK
            }
            _ => {
                received.rejected.fetch_add(1, Ordering::SeqCst);
                StatusCode::BAD_REQUEST
            }
        }
    }
    async fn metrics(
        State(received): State<Arc<Received>>,
        headers: HeaderMap,
        body: Bytes,
    ) -> StatusCode {
        match ExportMetricsServiceRequest::decode(body) {
            Ok(request) if is_protobuf(&headers) => {
                received
                    .data_points
                    .fetch_add(data_points(&request), Ordering::SeqCst);
                StatusCode::OK
            }
            _ => {
                received.rejected.fetch_add(1, Ordering::SeqCst);
                StatusCode::BAD_REQUEST
            }
        }
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("local address");
    let received = Arc::new(Received::default());
    let app = Router::new()
        .route("/v1/traces", post(traces))
        .route("/v1/logs", post(logs))
        .route("/v1/metrics", post(metrics))
        .with_state(Arc::clone(&received));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (address, received)
}

async fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + limit;
    while tokio::time::Instant::now() < deadline {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    done()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spawned_workload_delivers_traces_logs_and_metrics_over_http_until_dropped() {
    let (address, received) = start_receiver().await;
    let handle = demo::spawn(
        DemoConfig {
            endpoint: format!("http://{address}/"),
            requests_per_second: 20.0,
            ..config(37)
        },
        &tokio::runtime::Handle::current(),
    );
    let all_arrived = wait_until(Duration::from_secs(10), || {
        let [spans, logs, points, _] = received.counts();
        spans > 0 && logs > 0 && points > 0
    })
    .await;
    let [spans, logs, points, rejected] = received.counts();
    assert!(
        all_arrived,
        "received {spans} spans, {logs} log records, {points} points"
    );
    assert_eq!(
        rejected, 0,
        "every body was protobuf with the right content type"
    );

    let stats = handle.stats();
    assert!(stats.requests_sent >= 3, "{stats:?}");
    assert_eq!(stats.requests_failed, 0, "{stats:?}");
    assert!(stats.spans_sent > 0 && stats.spans_sent <= received.counts()[0]);

    drop(handle);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after_drop = received.counts();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        received.counts(),
        after_drop,
        "nothing arrives once the handle is dropped"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_receiver_only_counts_failures_and_backs_off() {
    // A port that was free a moment ago: connections are refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("free port")
        .port();
    let handle = demo::spawn(
        DemoConfig {
            endpoint: format!("http://127.0.0.1:{port}"),
            requests_per_second: 20.0,
            ..config(41)
        },
        &tokio::runtime::Handle::current(),
    );
    let failed = wait_until(Duration::from_secs(5), || {
        handle.stats().requests_failed > 0
    })
    .await;
    assert!(failed, "the first attempt fails within a few seconds");
    // With back-off the next attempts come 2 s and then 4 s later; without it, every second.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let stats = handle.stats();
    assert_eq!(stats.requests_sent, 0);
    assert_eq!(
        stats.spans_sent + stats.log_records_sent + stats.data_points_sent,
        0
    );
    assert!(
        (1..=2).contains(&stats.requests_failed),
        "retries back off instead of spinning: {stats:?}"
    );
    let error = stats.last_error.expect("the failure is described");
    assert!(
        error.contains(&format!("127.0.0.1:{port}/v1/traces")),
        "{error}"
    );
}
