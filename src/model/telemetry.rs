//! Spans, traces and log records as the local store returns them to panels.
//!
//! A `Trace` keeps its spans in one flat vector with parent indices, and a `LogBatch` keeps
//! records in columns with bodies in one text buffer, so a large result is a few allocations.

use super::ids::{SpanId, TraceId};
use std::ops::Range;

/// An attribute value, as OTLP carries it (arrays and maps are shown as JSON-like text).
#[derive(Clone, Debug, PartialEq)]
pub enum AttrValue {
    Str(String),
    Int(i64),
    Double(f64),
    Bool(bool),
    Bytes(Vec<u8>),
    /// Arrays and key-value lists, rendered as text.
    Text(String),
}

impl std::fmt::Display for AttrValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Str(s) | Self::Text(s) => f.write_str(s),
            Self::Int(i) => write!(f, "{i}"),
            Self::Double(d) => write!(f, "{d}"),
            Self::Bool(b) => write!(f, "{b}"),
            Self::Bytes(b) => {
                for byte in b {
                    write!(f, "{byte:02x}")?;
                }
                Ok(())
            }
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SpanStatus {
    #[default]
    Unset,
    Ok,
    Error,
}

/// One span of a trace. `parent` indexes the trace's `spans`.
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    pub span_id: SpanId,
    pub parent_id: Option<SpanId>,
    /// Index of the parent in `Trace::spans`, when the parent is present.
    pub parent: Option<u32>,
    pub service: String,
    pub name: String,
    /// OTLP SpanKind number (1 internal, 2 server, 3 client, 4 producer, 5 consumer).
    pub kind: i32,
    pub start_ns: u64,
    pub end_ns: u64,
    pub status: SpanStatus,
    pub status_message: String,
    pub attributes: Vec<(String, AttrValue)>,
}

impl Span {
    pub fn duration_ns(&self) -> u64 {
        self.end_ns.saturating_sub(self.start_ns)
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trace {
    pub trace_id: TraceId,
    /// Sorted by start time; parents are linked by index.
    pub spans: Vec<Span>,
}

/// One line of a trace list.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceSummary {
    pub trace_id: TraceId,
    pub root_service: String,
    pub root_name: String,
    pub start_ns: u64,
    pub duration_ns: u64,
    pub span_count: u32,
    pub error_count: u32,
}

/// Log records in columns; `body(i)` reads record `i`'s text out of one shared buffer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogBatch {
    pub time_ns: Vec<u64>,
    pub service: Vec<String>,
    /// OTLP severity number (1–24; 0 unspecified).
    pub severity: Vec<u8>,
    pub trace_id: Vec<Option<TraceId>>,
    pub span_id: Vec<Option<SpanId>>,
    /// How many records matched the search; more than `len()` when a limit cut the rest.
    pub matched: usize,
    body_ranges: Vec<Range<u32>>,
    bodies: String,
}

impl LogBatch {
    pub fn push(
        &mut self,
        time_ns: u64,
        service: &str,
        severity: u8,
        body: &str,
        trace_id: Option<TraceId>,
        span_id: Option<SpanId>,
    ) {
        let start = self.bodies.len() as u32;
        self.bodies.push_str(body);
        self.body_ranges.push(start..self.bodies.len() as u32);
        self.time_ns.push(time_ns);
        self.service.push(service.to_owned());
        self.severity.push(severity);
        self.trace_id.push(trace_id);
        self.span_id.push(span_id);
    }

    pub fn len(&self) -> usize {
        self.time_ns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.time_ns.is_empty()
    }

    pub fn body(&self, i: usize) -> &str {
        let r = &self.body_ranges[i];
        &self.bodies[r.start as usize..r.end as usize]
    }

    /// Every body, back to back in row order: one buffer to search.
    pub fn all_bodies(&self) -> &str {
        &self.bodies
    }

    /// The row whose body holds byte `offset` of [`LogBatch::all_bodies`].
    pub fn row_at(&self, offset: usize) -> Option<usize> {
        let i = self
            .body_ranges
            .partition_point(|r| (r.end as usize) <= offset);
        self.body_ranges
            .get(i)
            .filter(|r| (r.start as usize) <= offset)
            .map(|_| i)
    }
}

/// The word for an OTLP severity number, as log viewers show it.
pub fn severity_name(number: u8) -> &'static str {
    match number {
        1..=4 => "TRACE",
        5..=8 => "DEBUG",
        9..=12 => "INFO",
        13..=16 => "WARN",
        17..=20 => "ERROR",
        21..=24 => "FATAL",
        _ => "UNSET",
    }
}
