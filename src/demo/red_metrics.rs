//! RED metrics (rate, errors, duration) of the demo shop, accumulated from SERVER spans and
//! exported as one cumulative OTLP metrics request per export interval.
//!
//! Metric names follow the OpenTelemetry HTTP semantic conventions:
//!
//! | name | instrument | unit | attributes |
//! |------|-----------|------|------------|
//! | `http.server.request.duration` | histogram, cumulative | `s` | `http.request.method`, `http.route`, `http.response.status_code`, `error.type` (5xx only) |
//! | `http.server.request.count` | monotonic sum, cumulative | `{request}` | same as above |
//! | `shop.payment.queue.depth` | gauge (payment only) | `{charge}` | none |
//!
//! The semantic conventions derive request counts from the histogram; the separate counter is
//! there so a Prometheus-style `rate()` works without touching `_count`. Both are always
//! equal for the same attributes. All cumulative points share one start time: when the shop
//! started.

use super::attributes;
use super::services::Service;
use super::span_recorder::{ServerObservation, SpanId, TraceId};
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{InstrumentationScope, KeyValue};
use opentelemetry_proto::tonic::metrics::v1::{
    AggregationTemporality, Exemplar, Gauge, Histogram, HistogramDataPoint, Metric,
    NumberDataPoint, ResourceMetrics, ScopeMetrics, Sum, exemplar, metric, number_data_point,
};
use std::collections::BTreeMap;

/// Histogram of server request durations, in seconds.
pub const REQUEST_DURATION: &str = "http.server.request.duration";
/// Cumulative count of server requests.
pub const REQUEST_COUNT: &str = "http.server.request.count";
/// Average number of charges waiting or in progress at the payment service over the last export
/// interval (Little's law: busy time / interval). Rises sharply during an incident.
pub const PAYMENT_QUEUE_DEPTH: &str = "shop.payment.queue.depth";

/// Bucket boundaries of [`REQUEST_DURATION`], in seconds: the semantic conventions' advice.
pub const DURATION_BUCKETS_SECONDS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// Instrumentation scope of everything the demo emits.
pub fn demo_scope() -> InstrumentationScope {
    InstrumentationScope {
        name: "signalscope.demo".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        ..Default::default()
    }
}

/// Cumulative RED state of every service, in a stable order.
#[derive(Clone, Debug)]
pub struct RedMetrics {
    /// Start of every cumulative series (Unix nanoseconds).
    start_ns: u64,
    series: BTreeMap<SeriesKey, SeriesState>,
    /// Sum of payment SERVER span durations since the last export.
    payment_busy_ns: u64,
    last_export_ns: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct SeriesKey {
    service: Service,
    method: &'static str,
    route: &'static str,
    status_code: u16,
}

#[derive(Clone, Debug, Default)]
struct SeriesState {
    count: u64,
    sum_seconds: f64,
    min_seconds: f64,
    max_seconds: f64,
    /// One more than the boundaries: the last bucket is `(10 s, +∞)`.
    bucket_counts: [u64; DURATION_BUCKETS_SECONDS.len() + 1],
    /// The slowest request since the last export, linking the histogram to a trace.
    slowest_recent: Option<RecentRequest>,
}

#[derive(Clone, Copy, Debug)]
struct RecentRequest {
    seconds: f64,
    end_ns: u64,
    trace_id: TraceId,
    span_id: SpanId,
}

impl RedMetrics {
    pub fn new(start_ns: u64) -> Self {
        Self {
            start_ns,
            series: BTreeMap::new(),
            payment_busy_ns: 0,
            last_export_ns: start_ns,
        }
    }

    pub fn record(&mut self, observation: &ServerObservation) {
        let ServerObservation {
            service,
            method,
            route,
            status_code,
            duration_ns,
            end_ns,
            trace_id,
            span_id,
        } = *observation;
        let key = SeriesKey {
            service,
            method,
            route,
            status_code,
        };
        let seconds = duration_ns as f64 / 1e9;
        let state = self.series.entry(key).or_default();
        if state.count == 0 {
            state.min_seconds = seconds;
            state.max_seconds = seconds;
        } else {
            state.min_seconds = state.min_seconds.min(seconds);
            state.max_seconds = state.max_seconds.max(seconds);
        }
        state.count += 1;
        state.sum_seconds += seconds;
        let bucket = DURATION_BUCKETS_SECONDS
            .iter()
            .position(|&bound| seconds <= bound)
            .unwrap_or(DURATION_BUCKETS_SECONDS.len());
        state.bucket_counts[bucket] += 1;
        if state
            .slowest_recent
            .is_none_or(|recent| seconds > recent.seconds)
        {
            state.slowest_recent = Some(RecentRequest {
                seconds,
                end_ns,
                trace_id,
                span_id,
            });
        }
        if service == Service::Payment {
            self.payment_busy_ns += duration_ns;
        }
    }

    /// The cumulative state of every series at `now_ns`, one resource per service. Resets the
    /// per-interval parts (exemplars, the queue-depth average); never the cumulative counts.
    pub fn export(&mut self, now_ns: u64) -> ExportMetricsServiceRequest {
        let interval_ns = now_ns.saturating_sub(self.last_export_ns).max(1);
        let queue_depth = self.payment_busy_ns as f64 / interval_ns as f64;
        self.payment_busy_ns = 0;
        self.last_export_ns = now_ns;

        let mut resource_metrics = Vec::new();
        for service in Service::ALL {
            let mut count_points = Vec::new();
            let mut duration_points = Vec::new();
            for (key, state) in self.series.iter_mut().filter(|(k, _)| k.service == service) {
                let attributes = key.attributes();
                count_points.push(NumberDataPoint {
                    attributes: attributes.clone(),
                    start_time_unix_nano: self.start_ns,
                    time_unix_nano: now_ns,
                    value: Some(number_data_point::Value::AsInt(
                        i64::try_from(state.count).unwrap_or(i64::MAX),
                    )),
                    ..Default::default()
                });
                duration_points.push(HistogramDataPoint {
                    attributes,
                    start_time_unix_nano: self.start_ns,
                    time_unix_nano: now_ns,
                    count: state.count,
                    sum: Some(state.sum_seconds),
                    bucket_counts: state.bucket_counts.to_vec(),
                    explicit_bounds: DURATION_BUCKETS_SECONDS.to_vec(),
                    exemplars: state
                        .slowest_recent
                        .take()
                        .map(RecentRequest::exemplar)
                        .into_iter()
                        .collect(),
                    min: Some(state.min_seconds),
                    max: Some(state.max_seconds),
                    ..Default::default()
                });
            }
            let mut metrics = Vec::new();
            if !count_points.is_empty() {
                metrics.push(Metric {
                    name: REQUEST_DURATION.to_owned(),
                    description: "Duration of HTTP server requests.".to_owned(),
                    unit: "s".to_owned(),
                    data: Some(metric::Data::Histogram(Histogram {
                        data_points: duration_points,
                        aggregation_temporality: AggregationTemporality::Cumulative as i32,
                    })),
                    ..Default::default()
                });
                metrics.push(Metric {
                    name: REQUEST_COUNT.to_owned(),
                    description: "Number of HTTP server requests.".to_owned(),
                    unit: "{request}".to_owned(),
                    data: Some(metric::Data::Sum(Sum {
                        data_points: count_points,
                        aggregation_temporality: AggregationTemporality::Cumulative as i32,
                        is_monotonic: true,
                    })),
                    ..Default::default()
                });
            }
            if service == Service::Payment {
                metrics.push(Metric {
                    name: PAYMENT_QUEUE_DEPTH.to_owned(),
                    description: "Charges waiting or in progress, averaged over the interval."
                        .to_owned(),
                    unit: "{charge}".to_owned(),
                    data: Some(metric::Data::Gauge(Gauge {
                        data_points: vec![NumberDataPoint {
                            time_unix_nano: now_ns,
                            value: Some(number_data_point::Value::AsDouble(queue_depth)),
                            ..Default::default()
                        }],
                    })),
                    ..Default::default()
                });
            }
            if metrics.is_empty() {
                continue;
            }
            resource_metrics.push(ResourceMetrics {
                resource: Some(service.resource()),
                scope_metrics: vec![ScopeMetrics {
                    scope: Some(demo_scope()),
                    metrics,
                    ..Default::default()
                }],
                ..Default::default()
            });
        }
        ExportMetricsServiceRequest { resource_metrics }
    }
}

impl SeriesKey {
    fn attributes(&self) -> Vec<KeyValue> {
        let mut attributes = vec![
            attributes::text("http.request.method", self.method),
            attributes::text("http.route", self.route),
            attributes::int("http.response.status_code", i64::from(self.status_code)),
        ];
        if self.status_code >= 500 {
            attributes.push(attributes::text("error.type", self.status_code.to_string()));
        }
        attributes
    }
}

impl RecentRequest {
    fn exemplar(self) -> Exemplar {
        Exemplar {
            time_unix_nano: self.end_ns,
            span_id: self.span_id.to_vec(),
            trace_id: self.trace_id.to_vec(),
            value: Some(exemplar::Value::AsDouble(self.seconds)),
            ..Default::default()
        }
    }
}
