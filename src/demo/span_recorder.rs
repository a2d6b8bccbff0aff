//! How one trace is written down: a SERVER span around a handler, an HTTP call as a CLIENT span
//! wrapping the callee's SERVER span, database CLIENT spans, INTERNAL spans and log records
//! emitted inside a span, all with OpenTelemetry semantic-convention attributes and log-normal
//! timing.
//!
//! It knows nothing about the shop's business (that is `shop_request`), only the shapes of
//! spans. Every span starts after and ends before its parent, because a handler advances one
//! clock through its children in order and the wrapper adds its own time around them.

use super::attributes;
use super::random::SplitMix64;
use super::services::Service;
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::logs::v1::{LogRecord, SeverityNumber};
use opentelemetry_proto::tonic::trace::v1::span::{Event, SpanKind};
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
use opentelemetry_proto::tonic::trace::v1::{Span, Status};

pub type TraceId = [u8; 16];
pub type SpanId = [u8; 8];

/// W3C trace flag "sampled".
const SAMPLED: u32 = 0x01;
/// OTLP span flags: the "is the parent remote" bit is known (0x100) and set (0x200).
const PARENT_IS_LOCAL: u32 = SAMPLED | 0x100;
const PARENT_IS_REMOTE: u32 = SAMPLED | 0x100 | 0x200;

/// What a SERVER span contributes to the RED metrics.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerObservation {
    pub service: Service,
    pub method: &'static str,
    pub route: &'static str,
    pub status_code: u16,
    pub duration_ns: u64,
    pub end_ns: u64,
    pub trace_id: TraceId,
    pub span_id: SpanId,
}

/// Everything one simulated request produced.
#[derive(Clone, Debug, Default)]
pub struct RecordedTrace {
    /// When the root (frontend SERVER) span ends: the request can be exported after this.
    pub end_ns: u64,
    pub spans: Vec<(Service, Span)>,
    pub logs: Vec<(Service, LogRecord)>,
    pub observations: Vec<ServerObservation>,
}

/// An HTTP endpoint: method, route template (`http.route`) and the concrete path.
pub struct Endpoint {
    pub method: &'static str,
    pub route: &'static str,
    pub path: String,
}

/// What a handler answered and when it was done.
#[derive(Clone, Copy, Debug)]
pub struct Reply {
    pub end_ns: u64,
    pub status: u16,
}

/// The four levels the demo logs at.
#[derive(Clone, Copy, Debug)]
pub enum Severity {
    Debug,
    Info,
    Warn,
    Error,
}

impl Severity {
    fn number(self) -> SeverityNumber {
        match self {
            Self::Debug => SeverityNumber::Debug,
            Self::Info => SeverityNumber::Info,
            Self::Warn => SeverityNumber::Warn,
            Self::Error => SeverityNumber::Error,
        }
    }

    fn text(self) -> &'static str {
        match self {
            Self::Debug => "DEBUG",
            Self::Info => "INFO",
            Self::Warn => "WARN",
            Self::Error => "ERROR",
        }
    }
}

/// A database a service talks to, for `db.*` attributes.
pub struct Database {
    pub system: &'static str,
    pub namespace: &'static str,
    pub address: &'static str,
    pub port: i64,
}

/// One statement sent to a database.
pub struct Query {
    pub operation: &'static str,
    pub collection: &'static str,
    pub text: &'static str,
    pub median_ms: f64,
}

/// A span being built: its id is known before its end, so children can point at it.
pub struct SpanDraft {
    pub service: Service,
    pub span_id: SpanId,
    pub parent: Option<SpanId>,
    pub parent_is_remote: bool,
    pub name: String,
    pub kind: SpanKind,
    pub start_ns: u64,
    pub attributes: Vec<KeyValue>,
    pub events: Vec<Event>,
}

/// Writes the spans and log records of one trace.
pub struct SpanRecorder<'a> {
    rng: &'a mut SplitMix64,
    trace_id: TraceId,
    output: RecordedTrace,
}

impl<'a> SpanRecorder<'a> {
    /// A recorder for a new trace with a random id.
    pub fn new(rng: &'a mut SplitMix64) -> Self {
        let trace_id = rng.trace_id();
        Self {
            rng,
            trace_id,
            output: RecordedTrace::default(),
        }
    }

    /// The generator, for decisions the handlers make (outcomes, ids).
    pub fn rng(&mut self) -> &mut SplitMix64 {
        self.rng
    }

    /// Everything recorded; `end_ns` is when the root span ended.
    pub fn finish(self, end_ns: u64) -> RecordedTrace {
        RecordedTrace {
            end_ns,
            ..self.output
        }
    }

    /// A SERVER span around `handler`, which receives the span's id and the time the request
    /// was parsed and returns its reply. Records the RED observation.
    pub fn serve(
        &mut self,
        service: Service,
        endpoint: &Endpoint,
        parent: Option<SpanId>,
        start_ns: u64,
        handler: impl FnOnce(&mut Self, SpanId, u64) -> Reply,
    ) -> Reply {
        let mut draft = self.open(
            service,
            SpanKind::Server,
            format!("{} {}", endpoint.method, endpoint.route),
            parent,
            start_ns,
        );
        draft.parent_is_remote = parent.is_some();
        let parsed = start_ns + self.work(0.15, 0.4);
        let reply = handler(self, draft.span_id, parsed);
        let end_ns = reply.end_ns + self.work(0.1, 0.4);
        draft.attributes.extend([
            attributes::text("http.request.method", endpoint.method),
            attributes::text("http.route", endpoint.route),
            attributes::text("url.path", endpoint.path.clone()),
            attributes::text("url.scheme", "http"),
            attributes::text("server.address", service.name()),
            attributes::int("server.port", service.port()),
            attributes::text("network.protocol.version", "1.1"),
            attributes::int("http.response.status_code", i64::from(reply.status)),
        ]);
        // Semantic conventions: a SERVER span is an error only for 5xx.
        let error = (reply.status >= 500).then(|| {
            draft
                .attributes
                .push(attributes::text("error.type", reply.status.to_string()));
            String::new()
        });
        self.output.observations.push(ServerObservation {
            service,
            method: endpoint.method,
            route: endpoint.route,
            status_code: reply.status,
            duration_ns: end_ns - start_ns,
            end_ns,
            trace_id: self.trace_id,
            span_id: draft.span_id,
        });
        self.close(draft, end_ns, error);
        Reply {
            end_ns,
            status: reply.status,
        }
    }

    /// An HTTP call: a CLIENT span in `caller` wrapping the callee's SERVER span, with a short
    /// network hop on each side.
    pub fn call(
        &mut self,
        caller: Service,
        parent: SpanId,
        start_ns: u64,
        callee: Service,
        endpoint: Endpoint,
        handler: impl FnOnce(&mut Self, SpanId, u64) -> Reply,
    ) -> Reply {
        let mut draft = self.open(
            caller,
            SpanKind::Client,
            format!("{} {}", endpoint.method, endpoint.route),
            Some(parent),
            start_ns,
        );
        let server_start = start_ns + self.hop();
        let reply = self.serve(
            callee,
            &endpoint,
            Some(draft.span_id),
            server_start,
            handler,
        );
        let end_ns = reply.end_ns + self.hop();
        draft.attributes.extend([
            attributes::text("http.request.method", endpoint.method),
            attributes::text(
                "url.full",
                format!(
                    "http://{}:{}{}",
                    callee.name(),
                    callee.port(),
                    endpoint.path
                ),
            ),
            attributes::text("url.template", endpoint.route),
            attributes::text("server.address", callee.name()),
            attributes::int("server.port", callee.port()),
            attributes::text("peer.service", callee.name()),
            attributes::int("http.response.status_code", i64::from(reply.status)),
        ]);
        // Semantic conventions: a CLIENT span is an error for any 4xx or 5xx.
        let error = (reply.status >= 400).then(|| {
            draft
                .attributes
                .push(attributes::text("error.type", reply.status.to_string()));
            String::new()
        });
        self.close(draft, end_ns, error);
        Reply {
            end_ns,
            status: reply.status,
        }
    }

    /// A database CLIENT span; returns when it ended.
    pub fn query(
        &mut self,
        service: Service,
        parent: SpanId,
        start_ns: u64,
        database: &Database,
        query: Query,
    ) -> u64 {
        let name = if query.collection.is_empty() {
            query.operation.to_owned()
        } else {
            format!("{} {}", query.operation, query.collection)
        };
        let mut draft = self.open(service, SpanKind::Client, name, Some(parent), start_ns);
        let end_ns = start_ns + self.work(query.median_ms, 0.5);
        draft.attributes.extend([
            attributes::text("db.system.name", database.system),
            attributes::text("db.namespace", database.namespace),
            attributes::text("db.operation.name", query.operation),
            attributes::text("db.query.text", query.text),
            attributes::text("server.address", database.address),
            attributes::int("server.port", database.port),
        ]);
        if !query.collection.is_empty() {
            draft
                .attributes
                .push(attributes::text("db.collection.name", query.collection));
        }
        self.close(draft, end_ns, None);
        end_ns
    }

    /// An INTERNAL span of in-process work; returns when it ended.
    pub fn internal(
        &mut self,
        service: Service,
        parent: SpanId,
        start_ns: u64,
        name: &str,
        median_ms: f64,
    ) -> u64 {
        let draft = self.open(
            service,
            SpanKind::Internal,
            name.to_owned(),
            Some(parent),
            start_ns,
        );
        let end_ns = start_ns + self.work(median_ms, 0.4);
        self.close(draft, end_ns, None);
        end_ns
    }

    /// Starts a span; finish it with [`SpanRecorder::close`].
    pub fn open(
        &mut self,
        service: Service,
        kind: SpanKind,
        name: String,
        parent: Option<SpanId>,
        start_ns: u64,
    ) -> SpanDraft {
        SpanDraft {
            service,
            span_id: self.rng.span_id(),
            parent,
            parent_is_remote: false,
            name,
            kind,
            start_ns,
            attributes: Vec::new(),
            events: Vec::new(),
        }
    }

    /// Finishes a span; `error` is the status message of a failed span (may be empty).
    pub fn close(&mut self, draft: SpanDraft, end_ns: u64, error: Option<String>) {
        let SpanDraft {
            service,
            span_id,
            parent,
            parent_is_remote,
            name,
            kind,
            start_ns,
            attributes,
            events,
        } = draft;
        let flags = match parent {
            Some(_) if parent_is_remote => PARENT_IS_REMOTE,
            _ => PARENT_IS_LOCAL,
        };
        let span = Span {
            trace_id: self.trace_id.to_vec(),
            span_id: span_id.to_vec(),
            parent_span_id: parent.map(|id| id.to_vec()).unwrap_or_default(),
            flags,
            name,
            kind: kind as i32,
            start_time_unix_nano: start_ns,
            end_time_unix_nano: end_ns,
            attributes,
            events,
            status: error.map(|message| Status {
                message,
                code: StatusCode::Error as i32,
            }),
            ..Default::default()
        };
        self.output.spans.push((service, span));
    }

    /// A log record emitted inside `span` at `time_ns`, carrying the trace and span ids.
    pub fn log(
        &mut self,
        service: Service,
        span: SpanId,
        time_ns: u64,
        severity: Severity,
        body: String,
        attributes: Vec<KeyValue>,
    ) {
        let record = LogRecord {
            time_unix_nano: time_ns,
            observed_time_unix_nano: time_ns,
            severity_number: severity.number() as i32,
            severity_text: severity.text().to_owned(),
            body: Some(attributes::text_value(body)),
            attributes,
            flags: SAMPLED,
            trace_id: self.trace_id.to_vec(),
            span_id: span.to_vec(),
            ..Default::default()
        };
        self.output.logs.push((service, record));
    }

    // ── time ────────────────────────────────────────────────────────────────────────────────

    /// Log-normal work time with the given median, in nanoseconds (at least 1 µs).
    pub fn work(&mut self, median_ms: f64, sigma: f64) -> u64 {
        let ms = self.rng.log_normal(median_ms, sigma).clamp(0.001, 30_000.0);
        (ms * 1_000_000.0) as u64
    }

    /// One network hop inside the cluster.
    pub fn hop(&mut self) -> u64 {
        self.work(0.35, 0.3)
    }

    /// Time between two steps of a handler.
    pub fn gap(&mut self) -> u64 {
        self.work(0.05, 0.5)
    }
}

impl Endpoint {
    pub fn new(method: &'static str, route: &'static str, path: impl Into<String>) -> Self {
        Self {
            method,
            route,
            path: path.into(),
        }
    }
}
