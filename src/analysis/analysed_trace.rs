//! A trace with everything its views derive from it, computed once when it opens (off the UI
//! thread): the tree, self times, the critical path indexed by span, the flame graphs and the
//! statistics table.

use super::critical_path::{CriticalSegment, critical_path, on_critical_path};
use super::flame::{AggregatedFlame, Icicle, aggregate_flame, icicle};
use super::operations::TraceOperations;
use super::trace_stats::{OperationStats, trace_stats};
use super::trace_tree::TraceTree;
use crate::model::Trace;

pub struct AnalysedTrace {
    pub trace: Trace,
    pub tree: TraceTree,
    /// Each span's (service, operation), interned once for find, flame and statistics.
    pub operations: TraceOperations,
    pub self_times: Vec<u64>,
    /// Critical-path segments sorted by span, then time; `critical_of` finds a span's.
    critical: Vec<CriticalSegment>,
    /// Per span: true when some of it is on the critical path.
    pub on_critical: Vec<bool>,
    /// Earliest start and latest end of any span, ns.
    pub start_ns: u64,
    pub end_ns: u64,
    /// Every span as a flame-graph rectangle, in tree pre-order.
    pub icicle: Icicle,
    /// Identical service/operation stacks merged.
    pub aggregated: AggregatedFlame,
    /// Per service and operation, longest total first.
    pub stats: Vec<OperationStats>,
    /// Levels of the call tree (1 for a lone root), as Jaeger UI's "Depth".
    pub levels: u32,
    /// Spans whose status is Error.
    pub error_count: u64,
}

impl AnalysedTrace {
    pub fn new(trace: Trace) -> Self {
        let tree = TraceTree::new(&trace);
        let operations = TraceOperations::new(&trace);
        let self_times = tree.self_times(&trace);
        let mut critical = critical_path(&trace, &tree);
        let on_critical = on_critical_path(trace.spans.len(), &critical);
        critical.sort_by_key(|s| (s.span, s.start_ns));
        let start_ns = trace.spans.iter().map(|s| s.start_ns).min().unwrap_or(0);
        let end_ns = trace
            .spans
            .iter()
            .map(|s| s.end_ns)
            .max()
            .unwrap_or(start_ns)
            .max(start_ns);
        let icicle = icicle(&trace, &tree);
        let aggregated = aggregate_flame(&trace, &tree, &operations);
        let stats = trace_stats(&trace, &tree, &operations);
        let levels = if trace.spans.is_empty() {
            0
        } else {
            tree.max_depth() + 1
        };
        let error_count = stats.iter().map(|s| u64::from(s.error_count)).sum();
        Self {
            trace,
            tree,
            operations,
            self_times,
            critical,
            on_critical,
            start_ns,
            end_ns,
            icicle,
            aggregated,
            stats,
            levels,
            error_count,
        }
    }

    /// The critical-path segments that fall on `span`, in time order.
    pub fn critical_of(&self, span: u32) -> &[CriticalSegment] {
        let from = self.critical.partition_point(|s| s.span < span);
        let to = self.critical.partition_point(|s| s.span <= span);
        &self.critical[from..to]
    }

    pub fn duration_ns(&self) -> u64 {
        self.end_ns - self.start_ns
    }
}

/// Traces with more spans than this are freed on a thread of their own: freeing a million
/// spans' strings takes ~85 ms (BENCHMARKS.md), and the last reference to an open trace is
/// usually dropped by the UI thread when another trace replaces it.
const FREED_IN_BACKGROUND: usize = 50_000;

impl Drop for AnalysedTrace {
    fn drop(&mut self) {
        if self.trace.spans.len() > FREED_IN_BACKGROUND {
            let spans = std::mem::take(&mut self.trace.spans);
            // Should no thread start, the closure and the spans are freed here, as before.
            let _ = std::thread::Builder::new()
                .name("free-trace".to_owned())
                .spawn(move || drop(spans));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Span, SpanId, SpanStatus, TraceId};

    fn span(id: u64, parent: Option<u32>, start: u64, end: u64) -> Span {
        Span {
            span_id: SpanId(id.to_be_bytes()),
            parent_id: None,
            parent,
            service: "s".into(),
            name: format!("op{id}"),
            kind: 1,
            start_ns: start,
            end_ns: end,
            status: SpanStatus::Unset,
            status_message: String::new(),
            attributes: Vec::new(),
            events: Vec::new(),
            links: Vec::new(),
            resource: std::sync::Arc::from([]),
            scope: std::sync::Arc::from(""),
        }
    }

    #[test]
    fn critical_segments_are_found_per_span() {
        // Root 0..100 with a child 10..60: the child blocks 10..60, the root the rest.
        let trace = Trace {
            trace_id: TraceId::default(),
            spans: vec![span(1, None, 0, 100), span(2, Some(0), 10, 60)],
        };
        let a = AnalysedTrace::new(trace);
        assert_eq!((a.start_ns, a.end_ns, a.duration_ns()), (0, 100, 100));
        let child: Vec<(u64, u64)> = a
            .critical_of(1)
            .iter()
            .map(|s| (s.start_ns, s.end_ns))
            .collect();
        assert_eq!(child, [(10, 60)]);
        let root: u64 = a.critical_of(0).iter().map(|s| s.end_ns - s.start_ns).sum();
        assert_eq!(root, 50);
        assert_eq!(a.on_critical, [true, true]);
        assert_eq!(a.self_times, [50, 50]);
    }
}
