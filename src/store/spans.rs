//! Spans in columnar chunks, with a trace-id index so spans group into traces as they arrive
//! (late spans join their trace) and whole chunks can be evicted oldest-first.

use super::attrs::{AttrArena, service_name};
use super::chunks::{Chunk, Chunks};
use super::interner::Interner;
use crate::model::{SpanId, SpanStatus, Trace, TraceId, TraceSummary};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

/// Rows per chunk: the unit of eviction.
pub const CHUNK_ROWS: usize = 8192;

#[derive(Default)]
pub struct SpanChunk {
    trace_id: Vec<TraceId>,
    span_id: Vec<SpanId>,
    parent_id: Vec<Option<SpanId>>,
    service: Vec<u32>,
    name: Vec<u32>,
    kind: Vec<u8>,
    status: Vec<u8>,
    status_message: Vec<(u32, u32)>,
    start_ns: Vec<u64>,
    end_ns: Vec<u64>,
    attrs: Vec<Range<u32>>,
    arena: AttrArena,
}

impl Chunk for SpanChunk {
    fn len(&self) -> usize {
        self.trace_id.len()
    }

    fn bytes(&self) -> usize {
        // Columns at capacity, so reserved memory is counted, plus the attribute arena.
        self.trace_id.capacity() * 16
            + self.span_id.capacity() * 8
            + self.parent_id.capacity() * std::mem::size_of::<Option<SpanId>>()
            + self.service.capacity() * 4
            + self.name.capacity() * 4
            + self.kind.capacity()
            + self.status.capacity()
            + self.status_message.capacity() * 8
            + self.start_ns.capacity() * 8
            + self.end_ns.capacity() * 8
            + self.attrs.capacity() * 8
            + self.arena.bytes()
    }
}

/// Where a span lives: chunk sequence number and row.
type Location = (u64, u32);

pub struct SpanTable {
    chunks: Chunks<SpanChunk>,
    by_trace: HashMap<TraceId, Vec<Location>>,
    pub stored: u64,
    pub evicted: u64,
}

fn status_code(s: SpanStatus) -> u8 {
    match s {
        SpanStatus::Unset => 0,
        SpanStatus::Ok => 1,
        SpanStatus::Error => 2,
    }
}

fn status_of(code: u8) -> SpanStatus {
    match code {
        1 => SpanStatus::Ok,
        2 => SpanStatus::Error,
        _ => SpanStatus::Unset,
    }
}

impl SpanTable {
    pub fn with_max_chunk_bytes(max_chunk_bytes: usize) -> Self {
        Self {
            chunks: Chunks::new(CHUNK_ROWS, max_chunk_bytes),
            by_trace: HashMap::new(),
            stored: 0,
            evicted: 0,
        }
    }

    /// Appends every span of the request. Returns (accepted, rejected, reason).
    pub fn append(
        &mut self,
        strings: &mut Interner,
        request: &ExportTraceServiceRequest,
    ) -> (u64, u64, Option<String>) {
        let (mut accepted, mut rejected) = (0, 0);
        for rs in &request.resource_spans {
            let service = strings.intern(&service_name(rs.resource.as_ref()));
            for ss in &rs.scope_spans {
                for span in &ss.spans {
                    let (Some(trace_id), Some(span_id)) = (
                        TraceId::from_bytes(&span.trace_id),
                        SpanId::from_bytes(&span.span_id),
                    ) else {
                        rejected += 1;
                        continue;
                    };
                    let (seq, chunk) = self.chunks.open();
                    let row = chunk.len() as u32;
                    let name = strings.intern(&span.name);
                    let status = match span.status.as_ref().map(|s| s.code) {
                        Some(1) => SpanStatus::Ok,
                        Some(2) => SpanStatus::Error,
                        _ => SpanStatus::Unset,
                    };
                    let message = chunk
                        .arena
                        .push_text(span.status.as_ref().map_or("", |s| s.message.as_str()));
                    let attrs = chunk.arena.push(strings, &span.attributes);
                    chunk.trace_id.push(trace_id);
                    chunk.span_id.push(span_id);
                    chunk
                        .parent_id
                        .push(SpanId::from_bytes(&span.parent_span_id));
                    chunk.service.push(service);
                    chunk.name.push(name);
                    chunk.kind.push(span.kind.clamp(0, 255) as u8);
                    chunk.status.push(status_code(status));
                    chunk.status_message.push(message);
                    chunk.start_ns.push(span.start_time_unix_nano);
                    chunk
                        .end_ns
                        .push(span.end_time_unix_nano.max(span.start_time_unix_nano));
                    chunk.attrs.push(attrs);
                    self.by_trace.entry(trace_id).or_default().push((seq, row));
                    accepted += 1;
                }
            }
        }
        self.stored += accepted;
        let reason =
            (rejected > 0).then(|| format!("{rejected} spans without a valid trace or span id"));
        (accepted, rejected, reason)
    }

    pub fn bytes(&self) -> usize {
        let index = self.by_trace.len() * 64
            + self
                .by_trace
                .values()
                .map(|v| v.capacity() * 12)
                .sum::<usize>();
        self.chunks.bytes() + index
    }

    /// True when a chunk other than the one being written can be evicted.
    pub fn has_closed(&self) -> bool {
        self.chunks.has_closed()
    }

    /// Drops the oldest chunk and its index entries; returns the spans dropped.
    pub fn evict_oldest(&mut self) -> u64 {
        let Some((evicted_seq, chunk)) = self.chunks.pop_oldest() else {
            return 0;
        };
        for trace_id in &chunk.trace_id {
            if let Some(locations) = self.by_trace.get_mut(trace_id) {
                locations.retain(|(seq, _)| *seq != evicted_seq);
                if locations.is_empty() {
                    self.by_trace.remove(trace_id);
                }
            }
        }
        let n = chunk.len() as u64;
        self.evicted += n;
        self.stored -= n;
        n
    }

    fn chunk(&self, seq: u64) -> Option<&SpanChunk> {
        self.chunks.get(seq)
    }

    /// Every span of one trace, sorted by start, with parents linked by index.
    pub fn trace(&self, strings: &Interner, trace_id: TraceId) -> Option<Trace> {
        let locations = self.by_trace.get(&trace_id)?;
        let spans: Vec<crate::model::Span> = locations
            .iter()
            .filter_map(|&(seq, row)| {
                let c = self.chunk(seq)?;
                let r = row as usize;
                Some(crate::model::Span {
                    span_id: c.span_id[r],
                    parent_id: c.parent_id[r],
                    parent: None,
                    service: strings.get(c.service[r]).to_owned(),
                    name: strings.get(c.name[r]).to_owned(),
                    kind: i32::from(c.kind[r]),
                    start_ns: c.start_ns[r],
                    end_ns: c.end_ns[r],
                    status: status_of(c.status[r]),
                    status_message: c.arena.text(c.status_message[r]).to_owned(),
                    attributes: c.arena.read(strings, c.attrs[r].clone()),
                    // The store keeps neither events, links, resources nor scopes yet.
                    events: Vec::new(),
                    links: Vec::new(),
                    resource: Arc::from([]),
                    scope: Arc::from(""),
                })
            })
            .collect();
        Some(Trace::from_spans(trace_id, spans))
    }

    /// Traces matching `q`, newest first, at most `q.limit`.
    pub fn search(&self, strings: &Interner, q: &TraceQuery) -> Vec<TraceSummary> {
        let service = match &q.service {
            Some(s) => match strings.lookup(s) {
                Some(id) => Some(id),
                None => return Vec::new(),
            },
            None => None,
        };
        let operation = match &q.operation {
            Some(s) => match strings.lookup(s) {
                Some(id) => Some(id),
                None => return Vec::new(),
            },
            None => None,
        };
        let mut out = Vec::new();
        for (&trace_id, locations) in &self.by_trace {
            let mut summary = TraceSummary {
                trace_id,
                root_service: String::new(),
                root_name: String::new(),
                start_ns: u64::MAX,
                duration_ns: 0,
                span_count: 0,
                error_count: 0,
            };
            let mut end = 0;
            let mut matched_service = service.is_none();
            let mut matched_operation = operation.is_none();
            let mut matched_attr = q.attributes.is_empty();
            // Ordered by (has a parent, start): a parentless span wins, else the earliest.
            let mut root: Option<((bool, u64), u32, u32)> = None;
            for &(seq, row) in locations {
                let Some(c) = self.chunk(seq) else { continue };
                let r = row as usize;
                summary.span_count += 1;
                if c.status[r] == 2 {
                    summary.error_count += 1;
                }
                summary.start_ns = summary.start_ns.min(c.start_ns[r]);
                end = end.max(c.end_ns[r]);
                matched_service |= service == Some(c.service[r]);
                matched_operation |= operation == Some(c.name[r]);
                if !matched_attr {
                    matched_attr = q
                        .attributes
                        .iter()
                        .all(|(k, v)| c.arena.matches(strings, c.attrs[r].clone(), k, v));
                }
                let candidate = (
                    (c.parent_id[r].is_some(), c.start_ns[r]),
                    c.service[r],
                    c.name[r],
                );
                if root.is_none_or(|r0| candidate.0 < r0.0) {
                    root = Some(candidate);
                }
            }
            summary.duration_ns = end.saturating_sub(summary.start_ns);
            let in_range = end >= q.start_ns && summary.start_ns <= q.end_ns;
            let duration_ok = summary.duration_ns >= q.min_duration_ns
                && q.max_duration_ns.is_none_or(|m| summary.duration_ns <= m);
            let errors_ok = !q.errors_only || summary.error_count > 0;
            if summary.span_count > 0
                && in_range
                && duration_ok
                && errors_ok
                && matched_service
                && matched_operation
                && matched_attr
            {
                if let Some((_, s, n)) = root {
                    summary.root_service = strings.get(s).to_owned();
                    summary.root_name = strings.get(n).to_owned();
                }
                out.push(summary);
            }
        }
        out.sort_by(|a, b| {
            b.start_ns
                .cmp(&a.start_ns)
                .then(a.trace_id.cmp(&b.trace_id))
        });
        out.truncate(q.limit);
        out
    }

    /// Service names with stored spans, sorted.
    pub fn services(&self, strings: &Interner) -> Vec<String> {
        let mut ids: Vec<u32> = self
            .chunks
            .iter()
            .flat_map(|(_, c)| c.service.iter().copied())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut names: Vec<String> = ids.into_iter().map(|i| strings.get(i).to_owned()).collect();
        names.sort();
        names
    }
}

/// A trace search over the local store.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceQuery {
    pub service: Option<String>,
    pub operation: Option<String>,
    /// Attributes that one span of the trace must all carry, compared as text.
    pub attributes: Vec<(String, String)>,
    pub min_duration_ns: u64,
    pub max_duration_ns: Option<u64>,
    pub errors_only: bool,
    pub start_ns: u64,
    pub end_ns: u64,
    pub limit: usize,
}

impl Default for TraceQuery {
    fn default() -> Self {
        Self {
            service: None,
            operation: None,
            attributes: Vec::new(),
            min_duration_ns: 0,
            max_duration_ns: None,
            errors_only: false,
            start_ns: 0,
            end_ns: u64::MAX,
            limit: 100,
        }
    }
}
