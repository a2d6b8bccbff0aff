//! Counters of what the receiver took in, per signal: lock-free to update from request tasks,
//! read by the UI as a plain [`ReceiverStatsSnapshot`].

use crate::store::Signal;
use std::sync::atomic::{AtomicU64, Ordering};

/// Live counters, shared by the receiver's tasks and the UI through an `Arc`.
#[derive(Debug, Default)]
pub struct ReceiverStats {
    traces: SignalCounters,
    logs: SignalCounters,
    metrics: SignalCounters,
}

#[derive(Debug, Default)]
struct SignalCounters {
    requests: AtomicU64,
    items_received: AtomicU64,
    items_rejected: AtomicU64,
    bytes: AtomicU64,
    malformed_requests: AtomicU64,
    oversized_requests: AtomicU64,
    over_budget_refusals: AtomicU64,
}

/// The counters of one signal at one moment. "Items" are spans, log records or metric data
/// points.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReceivedCounts {
    /// Export requests that reached this signal's endpoint, whatever became of them.
    pub requests: u64,
    /// Items in requests that were decoded and handed to the store (including those the
    /// store then rejected; not those of requests refused as over budget).
    pub items_received: u64,
    /// Items the store refused, reported to clients as `partial_success`.
    pub items_rejected: u64,
    /// Payload bytes after decompression (HTTP body; gRPC message as encoded).
    pub bytes: u64,
    /// Requests refused because their payload could not be read or decoded, or had an
    /// unsupported content type or encoding (HTTP 400 / 415, gRPC decode errors).
    pub malformed_requests: u64,
    /// Requests refused for exceeding the size limit (HTTP 413, gRPC `RESOURCE_EXHAUSTED`).
    pub oversized_requests: u64,
    /// Requests refused because the store was over its memory budget (HTTP 429, gRPC
    /// `RESOURCE_EXHAUSTED` with a retry delay). Clients retry these.
    pub over_budget_refusals: u64,
}

impl ReceivedCounts {
    fn plus(self, other: Self) -> Self {
        let Self {
            requests,
            items_received,
            items_rejected,
            bytes,
            malformed_requests,
            oversized_requests,
            over_budget_refusals,
        } = other;
        Self {
            requests: self.requests + requests,
            items_received: self.items_received + items_received,
            items_rejected: self.items_rejected + items_rejected,
            bytes: self.bytes + bytes,
            malformed_requests: self.malformed_requests + malformed_requests,
            oversized_requests: self.oversized_requests + oversized_requests,
            over_budget_refusals: self.over_budget_refusals + over_budget_refusals,
        }
    }
}

/// All counters at one moment, for the UI sidebar.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReceiverStatsSnapshot {
    pub traces: ReceivedCounts,
    pub logs: ReceivedCounts,
    pub metrics: ReceivedCounts,
}

impl ReceiverStatsSnapshot {
    pub fn signal(&self, signal: Signal) -> &ReceivedCounts {
        match signal {
            Signal::Traces => &self.traces,
            Signal::Logs => &self.logs,
            Signal::Metrics => &self.metrics,
        }
    }

    /// The three signals added up.
    pub fn total(&self) -> ReceivedCounts {
        self.traces.plus(self.logs).plus(self.metrics)
    }
}

impl ReceiverStats {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn snapshot(&self) -> ReceiverStatsSnapshot {
        ReceiverStatsSnapshot {
            traces: self.traces.read(),
            logs: self.logs.read(),
            metrics: self.metrics.read(),
        }
    }

    fn counters(&self, signal: Signal) -> &SignalCounters {
        match signal {
            Signal::Traces => &self.traces,
            Signal::Logs => &self.logs,
            Signal::Metrics => &self.metrics,
        }
    }

    pub(crate) fn record_request(&self, signal: Signal) {
        add(&self.counters(signal).requests, 1);
    }

    pub(crate) fn record_bytes(&self, signal: Signal, bytes: usize) {
        add(&self.counters(signal).bytes, bytes as u64);
    }

    pub(crate) fn record_items(&self, signal: Signal, received: u64, rejected: u64) {
        let counters = self.counters(signal);
        add(&counters.items_received, received);
        add(&counters.items_rejected, rejected);
    }

    pub(crate) fn record_malformed(&self, signal: Signal) {
        add(&self.counters(signal).malformed_requests, 1);
    }

    pub(crate) fn record_oversized(&self, signal: Signal) {
        add(&self.counters(signal).oversized_requests, 1);
    }

    pub(crate) fn record_over_budget(&self, signal: Signal) {
        add(&self.counters(signal).over_budget_refusals, 1);
    }
}

impl SignalCounters {
    fn read(&self) -> ReceivedCounts {
        let Self {
            requests,
            items_received,
            items_rejected,
            bytes,
            malformed_requests,
            oversized_requests,
            over_budget_refusals,
        } = self;
        ReceivedCounts {
            requests: requests.load(Ordering::Relaxed),
            items_received: items_received.load(Ordering::Relaxed),
            items_rejected: items_rejected.load(Ordering::Relaxed),
            bytes: bytes.load(Ordering::Relaxed),
            malformed_requests: malformed_requests.load(Ordering::Relaxed),
            oversized_requests: oversized_requests.load(Ordering::Relaxed),
            over_budget_refusals: over_budget_refusals.load(Ordering::Relaxed),
        }
    }
}

fn add(counter: &AtomicU64, amount: u64) {
    counter.fetch_add(amount, Ordering::Relaxed);
}
