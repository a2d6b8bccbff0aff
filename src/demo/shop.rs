//! The demo shop as a pure generator: given the clock, it says which OTLP requests to send.
//!
//! [`DemoShop::tick`] simulates the user requests that arrived since the last tick (Poisson
//! arrivals at the configured rate), holds each one until its root span has ended, and returns
//! the finished ones as OTLP trace and log requests, plus a cumulative metrics request every
//! [`METRIC_EXPORT_INTERVAL`]. It never touches the network, so tests can drive it with a fake
//! clock.

use super::config::{DemoConfig, IncidentSchedule};
use super::random::SplitMix64;
use super::red_metrics::{RedMetrics, demo_scope};
use super::services::Service;
use super::shop_request::simulate_request;
use super::span_recorder::RecordedTrace;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
use opentelemetry_proto::tonic::metrics::v1::metric;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How often cumulative metrics are exported (the first export is on the first tick).
pub const METRIC_EXPORT_INTERVAL: Duration = Duration::from_secs(5);

/// The longest stretch of traffic one tick simulates. After a pause (a laptop waking up, a
/// long back-off) older arrivals are skipped rather than sent as one huge burst.
pub const MAX_CATCH_UP: Duration = Duration::from_secs(5);

/// What one tick produced, ready to encode and send.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DemoBatch {
    pub traces: ExportTraceServiceRequest,
    pub logs: ExportLogsServiceRequest,
    /// Present on the first tick and then once per [`METRIC_EXPORT_INTERVAL`].
    pub metrics: Option<ExportMetricsServiceRequest>,
}

impl DemoBatch {
    pub fn span_count(&self) -> usize {
        self.traces
            .resource_spans
            .iter()
            .flat_map(|resource| &resource.scope_spans)
            .map(|scope| scope.spans.len())
            .sum()
    }

    pub fn log_record_count(&self) -> usize {
        self.logs
            .resource_logs
            .iter()
            .flat_map(|resource| &resource.scope_logs)
            .map(|scope| scope.log_records.len())
            .sum()
    }

    pub fn data_point_count(&self) -> usize {
        self.metrics.as_ref().map_or(0, data_point_count)
    }
}

/// Number of data points in a metrics request, whatever their kind.
pub fn data_point_count(request: &ExportMetricsServiceRequest) -> usize {
    request
        .resource_metrics
        .iter()
        .flat_map(|resource| &resource.scope_metrics)
        .flat_map(|scope| &scope.metrics)
        .map(|metric| match &metric.data {
            Some(metric::Data::Gauge(gauge)) => gauge.data_points.len(),
            Some(metric::Data::Sum(sum)) => sum.data_points.len(),
            Some(metric::Data::Histogram(histogram)) => histogram.data_points.len(),
            Some(metric::Data::ExponentialHistogram(histogram)) => histogram.data_points.len(),
            Some(metric::Data::Summary(summary)) => summary.data_points.len(),
            None => 0,
        })
        .sum()
}

/// The simulated shop: its generator, its clock and the requests still in flight.
#[derive(Clone, Debug)]
pub struct DemoShop {
    rng: SplitMix64,
    schedule: IncidentSchedule,
    /// Mean time between arrivals in nanoseconds; `None` when there is no traffic.
    mean_arrival_gap_ns: Option<f64>,
    started_ns: u64,
    next_arrival_ns: u64,
    /// Simulated requests whose root span has not ended yet.
    in_flight: Vec<RecordedTrace>,
    metrics: RedMetrics,
    next_metrics_ns: u64,
}

impl DemoShop {
    /// A shop that opens at `start`. Only `requests_per_second`, the incident schedule and the
    /// seed of `config` matter here; the endpoint is the exporter's business.
    pub fn new(config: &DemoConfig, start: SystemTime) -> Self {
        let started_ns = unix_nanos(start);
        let rate = config.requests_per_second;
        let mean_arrival_gap_ns = (rate.is_finite() && rate > 0.0).then(|| 1e9 / rate);
        let mut rng = SplitMix64::new(config.seed);
        let first_gap = mean_arrival_gap_ns.map_or(0, |gap| rng.exponential(gap) as u64);
        Self {
            rng,
            schedule: config.incident_schedule(),
            mean_arrival_gap_ns,
            started_ns,
            next_arrival_ns: started_ns + first_gap,
            in_flight: Vec::new(),
            metrics: RedMetrics::new(started_ns),
            next_metrics_ns: started_ns,
        }
    }

    /// When the shop opened, in Unix nanoseconds (the start time of every cumulative metric).
    pub fn started_unix_nanos(&self) -> u64 {
        self.started_ns
    }

    /// Whether the payment incident is under way at `now`.
    pub fn incident_active_at(&self, now: SystemTime) -> bool {
        self.schedule.is_active(self.elapsed(unix_nanos(now)))
    }

    /// Simulates the traffic up to `now` and returns every request that has finished by then.
    /// Call it with a clock that does not go backwards; a tick earlier than the previous one
    /// simply finds nothing new.
    pub fn tick(&mut self, now: SystemTime) -> DemoBatch {
        let now_ns = unix_nanos(now);
        self.admit_arrivals(now_ns);

        let (finished, in_flight): (Vec<_>, Vec<_>) = std::mem::take(&mut self.in_flight)
            .into_iter()
            .partition(|request| request.end_ns <= now_ns);
        self.in_flight = in_flight;

        let mut spans: [Vec<Span>; Service::ALL.len()] = Default::default();
        let mut logs: [Vec<LogRecord>; Service::ALL.len()] = Default::default();
        for request in finished {
            let RecordedTrace {
                end_ns: _,
                spans: request_spans,
                logs: request_logs,
                observations,
            } = request;
            for observation in &observations {
                self.metrics.record(observation);
            }
            for (service, span) in request_spans {
                spans[service.index()].push(span);
            }
            for (service, record) in request_logs {
                logs[service.index()].push(record);
            }
        }

        let metrics = (now_ns >= self.next_metrics_ns).then(|| {
            let interval = METRIC_EXPORT_INTERVAL.as_nanos() as u64;
            while self.next_metrics_ns <= now_ns {
                self.next_metrics_ns += interval;
            }
            self.metrics.export(now_ns)
        });

        DemoBatch {
            traces: trace_request(spans),
            logs: logs_request(logs),
            metrics,
        }
    }

    fn admit_arrivals(&mut self, now_ns: u64) {
        let Some(mean_gap) = self.mean_arrival_gap_ns else {
            return;
        };
        let earliest = now_ns.saturating_sub(MAX_CATCH_UP.as_nanos() as u64);
        if self.next_arrival_ns < earliest {
            self.next_arrival_ns = earliest;
        }
        while self.next_arrival_ns <= now_ns {
            let arrival = self.next_arrival_ns;
            let incident = self.schedule.is_active(self.elapsed(arrival));
            self.in_flight
                .push(simulate_request(&mut self.rng, arrival, incident));
            self.next_arrival_ns += (self.rng.exponential(mean_gap) as u64).max(1);
        }
    }

    fn elapsed(&self, unix_ns: u64) -> Duration {
        Duration::from_nanos(unix_ns.saturating_sub(self.started_ns))
    }
}

fn trace_request(spans: [Vec<Span>; Service::ALL.len()]) -> ExportTraceServiceRequest {
    let resource_spans = Service::ALL
        .into_iter()
        .zip(spans)
        .filter(|(_, spans)| !spans.is_empty())
        .map(|(service, spans)| ResourceSpans {
            resource: Some(service.resource()),
            scope_spans: vec![ScopeSpans {
                scope: Some(demo_scope()),
                spans,
                ..Default::default()
            }],
            ..Default::default()
        })
        .collect();
    ExportTraceServiceRequest { resource_spans }
}

fn logs_request(logs: [Vec<LogRecord>; Service::ALL.len()]) -> ExportLogsServiceRequest {
    let resource_logs = Service::ALL
        .into_iter()
        .zip(logs)
        .filter(|(_, records)| !records.is_empty())
        .map(|(service, log_records)| ResourceLogs {
            resource: Some(service.resource()),
            scope_logs: vec![ScopeLogs {
                scope: Some(demo_scope()),
                log_records,
                ..Default::default()
            }],
            ..Default::default()
        })
        .collect();
    ExportLogsServiceRequest { resource_logs }
}

/// Nanoseconds since the Unix epoch; 0 for times before it.
pub fn unix_nanos(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |since| {
        u64::try_from(since.as_nanos()).unwrap_or(u64::MAX)
    })
}
