//! The bounded local telemetry store fed by the embedded OTLP receiver.
//!
//! Columnar and append-only: spans, log records and metric points live in chunks per signal.
//! A memory budget is enforced after every append by evicting the oldest closed chunk (of
//! whichever signal holds the oldest data), and every evicted item is counted. Spans are
//! indexed by trace id, so traces assemble as spans arrive.

mod attrs;
mod chunks;
mod interner;
pub mod logs;
pub mod metrics;
pub mod persist;
pub mod sink;
pub mod spans;

pub use logs::LogQuery;
pub use sink::{AppendOutcome, OverBudget, Signal, TelemetrySink};
pub use spans::TraceQuery;

use crate::model::{LogBatch, Trace, TraceId, TraceSummary};
use interner::Interner;
pub use sink::{ExportLogsServiceRequest, ExportMetricsServiceRequest, ExportTraceServiceRequest};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// Default memory budget: 512 MiB.
pub const DEFAULT_BUDGET_BYTES: usize = 512 * 1024 * 1024;

/// What a client is told to wait when the store cannot make room.
const RETRY_AFTER: Duration = Duration::from_secs(5);

/// Counts per signal, for the sidebar: nothing is dropped without being counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SignalCounts {
    pub stored: u64,
    pub evicted: u64,
    pub rejected: u64,
    pub refused_over_budget: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoreStats {
    pub traces: SignalCounts,
    pub logs: SignalCounts,
    pub metrics: SignalCounts,
    pub bytes: usize,
    pub budget_bytes: usize,
    /// Records of the data dir that could not be read back at start (torn or corrupt).
    pub persist_damaged_records: u64,
    /// Failed writes to the data dir since start.
    pub persist_write_errors: u64,
}

struct Inner {
    budget: usize,
    strings: Interner,
    spans: spans::SpanTable,
    logs: logs::LogTable,
    metrics: metrics::MetricTable,
    rejected: [u64; 3],
    refused: [u64; 3],
    persist: Option<persist::SegmentLog>,
}

/// The store. Cheap to clone; all clones share the data.
#[derive(Clone)]
pub struct LocalStore {
    inner: Arc<Mutex<Inner>>,
}

impl Default for LocalStore {
    fn default() -> Self {
        Self::new(DEFAULT_BUDGET_BYTES)
    }
}

impl LocalStore {
    pub fn new(budget_bytes: usize) -> Self {
        // Chunks small enough that eviction can always get back under the budget.
        let max_chunk_bytes = (budget_bytes / 32).max(16 * 1024);
        Self {
            inner: Arc::new(Mutex::new(Inner {
                budget: budget_bytes,
                strings: Interner::default(),
                spans: spans::SpanTable::with_max_chunk_bytes(max_chunk_bytes),
                logs: logs::LogTable::with_max_chunk_bytes(max_chunk_bytes),
                metrics: metrics::MetricTable::with_max_chunk_bytes(max_chunk_bytes),
                rejected: [0; 3],
                refused: [0; 3],
                persist: None,
            })),
        }
    }

    /// Opens (or creates) `dir`, replays what it holds into a new store and keeps appending
    /// every accepted request to it. Returns the store and how many requests were replayed.
    pub fn open(dir: &std::path::Path, budget_bytes: usize) -> std::io::Result<(Self, u64)> {
        let store = Self::new(budget_bytes);
        let mut replayed = 0;
        let (log, batches) = persist::SegmentLog::open(dir, budget_bytes as u64)?;
        for batch in batches {
            // Replayed data goes through the same path as live data, budget included.
            let _ = match batch {
                persist::Batch::Traces(r) => store.append_traces(r),
                persist::Batch::Logs(r) => store.append_logs(r),
                persist::Batch::Metrics(r) => store.append_metrics(r),
            };
            replayed += 1;
        }
        store.lock().persist = Some(log);
        Ok((store, replayed))
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn stats(&self) -> StoreStats {
        let g = self.lock();
        let counts = |i: usize, stored, evicted| SignalCounts {
            stored,
            evicted,
            rejected: g.rejected[i],
            refused_over_budget: g.refused[i],
        };
        StoreStats {
            traces: counts(0, g.spans.stored, g.spans.evicted),
            logs: counts(1, g.logs.stored, g.logs.evicted),
            metrics: counts(2, g.metrics.stored, g.metrics.evicted),
            bytes: g.bytes(),
            budget_bytes: g.budget,
            persist_damaged_records: g.persist.as_ref().map_or(0, |p| p.damaged_records),
            persist_write_errors: g.persist.as_ref().map_or(0, |p| p.write_errors),
        }
    }

    pub fn services(&self) -> Vec<String> {
        let g = self.lock();
        g.spans.services(&g.strings)
    }

    pub fn find_traces(&self, q: &TraceQuery) -> Vec<TraceSummary> {
        let g = self.lock();
        g.spans.search(&g.strings, q)
    }

    pub fn trace(&self, id: TraceId) -> Option<Trace> {
        let g = self.lock();
        g.spans.trace(&g.strings, id)
    }

    pub fn find_logs(&self, q: &LogQuery) -> LogBatch {
        let g = self.lock();
        g.logs.search(&g.strings, q)
    }

    pub fn metric_names(&self) -> Vec<String> {
        self.lock().metrics.names()
    }

    /// Runs `f` with the metric table locked (the PromQL evaluator reads series through it).
    pub fn with_metrics<R>(&self, f: impl FnOnce(&metrics::MetricTable) -> R) -> R {
        f(&self.lock().metrics)
    }

    fn append(
        &self,
        signal: Signal,
        encoded_len: usize,
        apply: impl FnOnce(&mut Inner) -> (u64, u64, Option<String>),
        persist: impl FnOnce(&mut persist::SegmentLog),
    ) -> Result<AppendOutcome, OverBudget> {
        let mut g = self.lock();
        let i = signal as usize;
        // A request that cannot fit even in an empty store is refused outright.
        if encoded_len > g.budget {
            g.refused[i] += 1;
            return Err(OverBudget {
                retry_after: RETRY_AFTER,
            });
        }
        g.make_room(encoded_len);
        if g.bytes() + encoded_len > g.budget {
            g.refused[i] += 1;
            return Err(OverBudget {
                retry_after: RETRY_AFTER,
            });
        }
        let (accepted, rejected, message) = apply(&mut g);
        g.rejected[i] += rejected;
        if accepted > 0
            && let Some(log) = g.persist.as_mut()
        {
            persist(log);
        }
        g.make_room(0);
        Ok(AppendOutcome {
            accepted,
            rejected,
            message,
        })
    }
}

impl Inner {
    fn bytes(&self) -> usize {
        self.strings.bytes() + self.spans.bytes() + self.logs.bytes() + self.metrics.bytes()
    }

    /// Evicts oldest closed chunks until `extra` more bytes fit, or nothing more can go.
    fn make_room(&mut self, extra: usize) {
        while self.bytes() + extra > self.budget {
            // Chunk sequence numbers are per table, so evict from the table with the most
            // bytes: its oldest chunk is the oldest data that frees the most.
            let candidates = [
                (self.spans.has_closed(), self.spans.bytes(), 0),
                (self.logs.has_closed(), self.logs.bytes(), 1),
                (self.metrics.has_closed(), self.metrics.bytes(), 2),
            ];
            let Some(&(_, _, which)) = candidates.iter().filter(|c| c.0).max_by_key(|c| c.1) else {
                return;
            };
            match which {
                0 => self.spans.evict_oldest(),
                1 => self.logs.evict_oldest(),
                _ => self.metrics.evict_oldest(),
            };
        }
    }
}

impl TelemetrySink for LocalStore {
    fn append_traces(
        &self,
        request: ExportTraceServiceRequest,
    ) -> Result<AppendOutcome, OverBudget> {
        let len = prost::Message::encoded_len(&request);
        self.append(
            Signal::Traces,
            len,
            |g| g.spans.append(&mut g.strings, &request),
            |log| log.write(Signal::Traces, &prost::Message::encode_to_vec(&request)),
        )
    }

    fn append_logs(&self, request: ExportLogsServiceRequest) -> Result<AppendOutcome, OverBudget> {
        let len = prost::Message::encoded_len(&request);
        self.append(
            Signal::Logs,
            len,
            |g| g.logs.append(&mut g.strings, &request),
            |log| log.write(Signal::Logs, &prost::Message::encode_to_vec(&request)),
        )
    }

    fn append_metrics(
        &self,
        request: ExportMetricsServiceRequest,
    ) -> Result<AppendOutcome, OverBudget> {
        let len = prost::Message::encoded_len(&request);
        self.append(
            Signal::Metrics,
            len,
            |g| g.metrics.append(&request),
            |log| log.write(Signal::Metrics, &prost::Message::encode_to_vec(&request)),
        )
    }
}
