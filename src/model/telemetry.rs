//! Spans, traces and log records as the local store returns them to panels.
//!
//! A `Trace` keeps its spans in one flat vector with parent indices, and a `LogBatch` keeps
//! records in columns with bodies in one text buffer, so a large result is a few allocations.

use super::ids::{SpanId, TraceId};
use super::log_streams::{RowFields, StreamTable};
use super::series::Labels;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;
use std::sync::Arc;

/// The stream id of a row that has no stream (rows added with [`LogBatch::push`]).
const NO_STREAM: u32 = u32::MAX;

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
    /// Timed events (logs, exceptions) in the order the span recorded them.
    pub events: Vec<SpanEvent>,
    /// Links to spans of this or other traces (OTLP links, Jaeger references other than the parent).
    pub links: Vec<SpanLink>,
    /// The attributes of the resource (process) that emitted the span, shared by its spans.
    pub resource: Arc<[(String, AttrValue)]>,
    /// The instrumentation scope's name; empty when unknown.
    pub scope: Arc<str>,
}

/// Something that happened at one instant during a span.
#[derive(Clone, Debug, PartialEq)]
pub struct SpanEvent {
    pub time_ns: u64,
    pub name: String,
    pub attributes: Vec<(String, AttrValue)>,
}

/// A causal link from a span to another span.
#[derive(Clone, Debug, PartialEq)]
pub struct SpanLink {
    pub trace_id: TraceId,
    pub span_id: SpanId,
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

impl Trace {
    /// A trace from its spans in any order: sorts them by (start, end) and links every span to
    /// its parent by index. A span whose parent is absent (or is itself) stays a root.
    pub fn from_spans(trace_id: TraceId, spans: Vec<Span>) -> Self {
        let mut spans = sorted_by_start(spans);
        let mut index: HashMap<SpanId, u32, BuildHasherDefault<SpanIdHasher>> =
            HashMap::with_capacity_and_hasher(spans.len(), BuildHasherDefault::default());
        for (i, s) in spans.iter().enumerate() {
            index.insert(s.span_id, i as u32);
        }
        for (i, span) in spans.iter_mut().enumerate() {
            span.parent = span
                .parent_id
                .and_then(|p| index.get(&p).copied())
                .filter(|&p| p as usize != i);
        }
        Self { trace_id, spans }
    }

    /// The trace as one line of a trace list: the root is the earliest span without a parent
    /// (or the earliest span when every parent is present, e.g. in a cycle).
    pub fn summary(&self) -> TraceSummary {
        let start_ns = self.spans.iter().map(|s| s.start_ns).min().unwrap_or(0);
        let end_ns = self.spans.iter().map(|s| s.end_ns).max().unwrap_or(0);
        let root = self
            .spans
            .iter()
            .find(|s| s.parent.is_none())
            .or(self.spans.first());
        TraceSummary {
            trace_id: self.trace_id,
            root_service: root.map(|s| s.service.clone()).unwrap_or_default(),
            root_name: root.map(|s| s.name.clone()).unwrap_or_default(),
            start_ns,
            duration_ns: end_ns.saturating_sub(start_ns),
            span_count: self.spans.len() as u32,
            error_count: self
                .spans
                .iter()
                .filter(|s| s.status == SpanStatus::Error)
                .count() as u32,
        }
    }
}

/// Hashes span ids cheaply (SipHash cost a tenth of linking a million spans) but mixes every
/// input bit into the low bits the table indexes by: ids written as big-endian counters
/// (`0000000000000001`, …) must not all land in one bucket. Not flood-resistant; a trace's
/// own ids are at worst slow, never wrong.
#[derive(Default)]
struct SpanIdHasher(u64);

impl Hasher for SpanIdHasher {
    fn finish(&self) -> u64 {
        // MurmurHash3's 64-bit finalizer.
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        x ^ (x >> 33)
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
}

/// Spans sorted by (start, end), ties in their given order. Sorts small keys and moves each
/// span twice, instead of moving the large spans through every pass of a merge sort.
fn sorted_by_start(spans: Vec<Span>) -> Vec<Span> {
    if spans.is_sorted_by_key(|s| (s.start_ns, s.end_ns)) {
        return spans;
    }
    let mut order: Vec<(u64, u64, u32)> = spans
        .iter()
        .enumerate()
        .map(|(i, s)| (s.start_ns, s.end_ns, i as u32))
        .collect();
    order.sort_unstable();
    let mut slots: Vec<Option<Span>> = spans.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|(_, _, i)| slots[i as usize].take())
        .collect()
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
    /// A line limit stopped loading while the server still had more (the count is unknown,
    /// so `matched` cannot say it).
    pub more_available: bool,
    /// Loki stream label sets, each stored once; rows name theirs by id.
    pub streams: StreamTable,
    /// Loki structured metadata per row (empty for other sources).
    pub structured_metadata: RowFields,
    /// Labels Loki's parsers extracted per row (`categorize-labels` encoding).
    pub parsed: RowFields,
    body_ranges: Vec<Range<u32>>,
    bodies: String,
    /// Stream id per row; may be shorter than `len()` (rows without a stream).
    stream: Vec<u32>,
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

    /// Adds a row from a Loki stream. The service column stays empty (an empty `String` does
    /// not allocate); [`Self::service_name`] reads it from the stream labels instead.
    pub fn push_stream_row(&mut self, time_ns: u64, stream: u32, body: &str) {
        let row = self.len();
        self.push(time_ns, "", 0, body, None, None);
        if self.stream.len() < row {
            self.stream.resize(row, NO_STREAM);
        }
        self.stream.push(stream);
    }

    /// Copies rows `rows` of `other` (in that order) to the end of this batch, with their
    /// streams, structured metadata and parsed labels. Stream label sets are re-mapped into
    /// this batch's table once per set, not once per row.
    pub fn extend_from(&mut self, other: &LogBatch, rows: &[usize]) {
        let stream_map: Vec<u32> = other
            .streams
            .iter()
            .map(|(_, labels)| self.streams.intern(labels.clone()))
            .collect();
        for &i in rows {
            let row = self.len();
            self.push(
                other.time_ns[i],
                &other.service[i],
                other.severity[i],
                other.body(i),
                other.trace_id[i],
                other.span_id[i],
            );
            if let Some(id) = other.stream_of(i) {
                if self.stream.len() < row {
                    self.stream.resize(row, NO_STREAM);
                }
                self.stream.push(stream_map[id as usize]);
            }
            for (fields, from) in [
                (&mut self.structured_metadata, &other.structured_metadata),
                (&mut self.parsed, &other.parsed),
            ] {
                let mut any = false;
                for (k, v) in from.row(i) {
                    fields.push_pair(k, v);
                    any = true;
                }
                if any {
                    fields.end_row(row);
                }
            }
        }
    }

    /// Gives rows `rows` stream `stream` (decoders learn a stream's labels after its lines).
    pub fn set_stream_rows(&mut self, rows: Range<usize>, stream: u32) {
        if self.stream.len() < rows.end {
            self.stream.resize(rows.end, NO_STREAM);
        }
        self.stream[rows].fill(stream);
    }

    /// The stream id of row `i`, when it came from a Loki stream.
    pub fn stream_of(&self, i: usize) -> Option<u32> {
        self.stream.get(i).copied().filter(|&s| s != NO_STREAM)
    }

    /// The stream label set of row `i`.
    pub fn stream_labels(&self, i: usize) -> Option<&Labels> {
        self.streams.get(self.stream_of(i)?)
    }

    /// The service of row `i`: its own column, else the stream's `service_name` (Loki's
    /// default), `service`, `app`, `job` or `container` label; "" when none.
    pub fn service_name(&self, i: usize) -> &str {
        if !self.service[i].is_empty() {
            return &self.service[i];
        }
        self.stream_labels(i)
            .and_then(|l| {
                ["service_name", "service", "app", "job", "container"]
                    .iter()
                    .find_map(|k| l.get(k))
            })
            .unwrap_or("")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extend_from_keeps_streams_and_metadata_of_the_chosen_rows() {
        let mut page = LogBatch::default();
        let a = page
            .streams
            .intern(Labels::new(vec![("app".into(), "a".into())]));
        page.push_stream_row(10, a, "first");
        page.push_stream_row(20, a, "second");
        page.structured_metadata.push_pair("trace_id", "t2");
        page.structured_metadata.end_row(1);

        let mut out = LogBatch::default();
        out.push(5, "local", 9, "from the store", None, None);
        out.extend_from(&page, &[1, 0]);
        assert_eq!(out.len(), 3);
        assert_eq!(out.body(1), "second");
        assert_eq!(out.time_ns, [5, 20, 10]);
        assert_eq!(out.stream_of(0), None);
        assert_eq!(out.service_name(0), "local");
        assert_eq!(out.service_name(2), "a");
        assert_eq!(out.structured_metadata.get(1, "trace_id"), Some("t2"));
        assert_eq!(out.structured_metadata.row(2).count(), 0);
    }

    fn span(id: u8, parent: Option<u8>, start_ns: u64) -> Span {
        Span {
            span_id: SpanId([id; 8]),
            parent_id: parent.map(|p| SpanId([p; 8])),
            parent: None,
            service: "svc".into(),
            name: format!("s{id}"),
            kind: 0,
            start_ns,
            end_ns: start_ns + 10,
            status: if id == 3 {
                SpanStatus::Error
            } else {
                SpanStatus::Unset
            },
            status_message: String::new(),
            attributes: Vec::new(),
            events: Vec::new(),
            links: Vec::new(),
            resource: Arc::from([]),
            scope: Arc::from(""),
        }
    }

    #[test]
    fn span_id_hash_spreads_counter_ids_over_the_low_bits() {
        use std::hash::BuildHasher;
        let build = BuildHasherDefault::<SpanIdHasher>::default();
        let buckets: std::collections::HashSet<u64> = (1..=1024u64)
            .map(|i| build.hash_one(SpanId(i.to_be_bytes())) & 1023)
            .collect();
        // A uniform hash fills ~632 of 1024 buckets; a hash ignoring the high bytes fills 1.
        assert!(buckets.len() > 550, "{} buckets", buckets.len());
    }

    #[test]
    fn from_spans_sorts_links_parents_and_keeps_orphans_as_roots() {
        let spans = vec![
            span(3, Some(1), 30),
            span(2, Some(1), 20),
            span(4, Some(9), 20),
            span(1, None, 10),
            span(5, Some(5), 40),
        ];
        let trace = Trace::from_spans(TraceId([7; 16]), spans);
        let names: Vec<&str> = trace.spans.iter().map(|s| s.name.as_str()).collect();
        // Ties (s2, s4 at 20) keep their given order.
        assert_eq!(names, ["s1", "s2", "s4", "s3", "s5"]);
        let parents: Vec<Option<u32>> = trace.spans.iter().map(|s| s.parent).collect();
        assert_eq!(parents, [None, Some(0), None, Some(0), None]);

        let summary = trace.summary();
        assert_eq!((summary.root_name.as_str(), summary.span_count), ("s1", 5));
        assert_eq!((summary.start_ns, summary.duration_ns), (10, 40));
        assert_eq!(summary.error_count, 1);
    }
}
