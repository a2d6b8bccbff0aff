//! Log records in columnar chunks, evicted oldest-first a chunk at a time.

use super::attrs::{AttrArena, render, service_name};
use super::chunks::{Chunk, Chunks};
use super::interner::Interner;
use crate::model::{LogBatch, SpanId, TraceId};
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use std::ops::Range;

pub const CHUNK_ROWS: usize = 16384;

#[derive(Default)]
pub struct LogChunk {
    time_ns: Vec<u64>,
    service: Vec<u32>,
    severity: Vec<u8>,
    body: Vec<(u32, u32)>,
    trace_id: Vec<Option<TraceId>>,
    span_id: Vec<Option<SpanId>>,
    attrs: Vec<Range<u32>>,
    arena: AttrArena,
    min_time: u64,
    max_time: u64,
}

impl Chunk for LogChunk {
    fn len(&self) -> usize {
        self.time_ns.len()
    }

    fn bytes(&self) -> usize {
        self.time_ns.capacity() * 8
            + self.service.capacity() * 4
            + self.severity.capacity()
            + self.body.capacity() * 8
            + self.trace_id.capacity() * std::mem::size_of::<Option<TraceId>>()
            + self.span_id.capacity() * std::mem::size_of::<Option<SpanId>>()
            + self.attrs.capacity() * 8
            + self.arena.bytes()
    }
}

/// A log search over the local store.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogQuery {
    pub service: Option<String>,
    /// Only records at or above this OTLP severity number.
    pub min_severity: u8,
    /// Case-insensitive substring of the body.
    pub text: Option<String>,
    pub trace_id: Option<TraceId>,
    pub start_ns: u64,
    pub end_ns: u64,
    pub limit: usize,
}

pub struct LogTable {
    chunks: Chunks<LogChunk>,
    pub stored: u64,
    pub evicted: u64,
}

impl LogTable {
    pub fn with_max_chunk_bytes(max_chunk_bytes: usize) -> Self {
        Self {
            chunks: Chunks::new(CHUNK_ROWS, max_chunk_bytes),
            stored: 0,
            evicted: 0,
        }
    }

    pub fn append(
        &mut self,
        strings: &mut Interner,
        request: &ExportLogsServiceRequest,
    ) -> (u64, u64, Option<String>) {
        let mut accepted = 0;
        for rl in &request.resource_logs {
            let service = strings.intern(&service_name(rl.resource.as_ref()));
            for sl in &rl.scope_logs {
                for record in &sl.log_records {
                    let (_, chunk) = self.chunks.open();
                    // OTLP: use the observed time when the event time is unknown.
                    let time = if record.time_unix_nano != 0 {
                        record.time_unix_nano
                    } else {
                        record.observed_time_unix_nano
                    };
                    let body = record
                        .body
                        .as_ref()
                        .and_then(|b| b.value.as_ref())
                        .map_or_else(String::new, render);
                    let body = chunk.arena.push_text(&body);
                    let attrs = chunk.arena.push(strings, &record.attributes);
                    if chunk.len() == 0 {
                        chunk.min_time = time;
                    }
                    chunk.min_time = chunk.min_time.min(time);
                    chunk.max_time = chunk.max_time.max(time);
                    chunk.time_ns.push(time);
                    chunk.service.push(service);
                    chunk
                        .severity
                        .push(record.severity_number.clamp(0, 24) as u8);
                    chunk.body.push(body);
                    chunk.trace_id.push(TraceId::from_bytes(&record.trace_id));
                    chunk.span_id.push(SpanId::from_bytes(&record.span_id));
                    chunk.attrs.push(attrs);
                    accepted += 1;
                }
            }
        }
        self.stored += accepted;
        (accepted, 0, None)
    }

    pub fn bytes(&self) -> usize {
        self.chunks.bytes()
    }

    pub fn has_closed(&self) -> bool {
        self.chunks.has_closed()
    }

    pub fn evict_oldest(&mut self) -> u64 {
        let n = self.chunks.pop_oldest().map_or(0, |(_, c)| c.len() as u64);
        self.evicted += n;
        self.stored -= n;
        n
    }

    /// Matching records, newest first, at most `q.limit`.
    pub fn search(&self, strings: &Interner, q: &LogQuery) -> LogBatch {
        let service = match &q.service {
            Some(s) => match strings.lookup(s) {
                Some(id) => Some(id),
                None => return LogBatch::default(),
            },
            None => None,
        };
        let needle = q
            .text
            .as_ref()
            .map(|t| t.to_lowercase())
            .filter(|t| !t.is_empty());
        let mut hits: Vec<(u64, u64, u32)> = Vec::new();
        for (seq, chunk) in self.chunks.iter() {
            if chunk.max_time < q.start_ns || chunk.min_time > q.end_ns {
                continue;
            }
            for r in 0..chunk.len() {
                let t = chunk.time_ns[r];
                if t < q.start_ns
                    || t > q.end_ns
                    || chunk.severity[r] < q.min_severity
                    || service.is_some_and(|s| s != chunk.service[r])
                    || q.trace_id.is_some_and(|id| chunk.trace_id[r] != Some(id))
                {
                    continue;
                }
                if let Some(needle) = &needle
                    && !chunk
                        .arena
                        .text(chunk.body[r])
                        .to_lowercase()
                        .contains(needle)
                {
                    continue;
                }
                hits.push((t, seq, r as u32));
            }
        }
        hits.sort_unstable_by(|a, b| b.cmp(a));
        let matched = hits.len();
        hits.truncate(q.limit);
        let mut batch = LogBatch::default();
        for (t, seq, r) in hits {
            let Some(c) = self.chunks.get(seq) else {
                continue;
            };
            let r = r as usize;
            batch.push(
                t,
                strings.get(c.service[r]),
                c.severity[r],
                c.arena.text(c.body[r]),
                c.trace_id[r],
                c.span_id[r],
            );
        }
        batch.matched = matched;
        batch
    }
}
