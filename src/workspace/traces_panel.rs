//! What a traces panel shows: its connection, its search and how the open trace is drawn.

use super::ConnectionId;
use crate::analysis::trace_list_order::TraceOrder;
use serde::{Deserialize, Serialize};

/// A trace list over the Local source (Jaeger and Tempo come later).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TracesPanel {
    pub connection: Option<ConnectionId>,
    pub service: String,
    pub operation: String,
    /// `key=value` that some span must carry.
    pub attribute: String,
    pub min_duration_ms: f64,
    /// Upper bound on a trace's duration; 0 for none.
    pub max_duration_ms: f64,
    /// Most traces a search lists; 0 for the panel's default.
    pub limit: u32,
    pub errors_only: bool,
    /// TraceQL, for a Tempo connection; empty matches every trace.
    pub traceql: String,
    /// How the open trace is drawn.
    pub view: TraceView,
    /// The order found traces are listed in.
    pub order: TraceOrder,
}

impl TracesPanel {
    /// The longest trace the search asks for, in nanoseconds, if bounded.
    pub fn max_duration_ns(&self) -> Option<u64> {
        (self.max_duration_ms > 0.0).then_some((self.max_duration_ms * 1e6) as u64)
    }

    /// How many traces the search asks for: the panel's limit, else `default`.
    pub fn limit_or(&self, default: usize) -> usize {
        if self.limit == 0 {
            default
        } else {
            self.limit as usize
        }
    }
}

/// The ways the traces panel draws its open trace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TraceView {
    /// Span bars on a timeline, one row per span, with the critical path.
    #[default]
    Waterfall,
    /// An icicle of the call tree, width proportional to duration.
    Flame,
    /// The flame graph with identical service/operation stacks merged, by self time.
    AggregatedFlame,
    /// Count, total, self, average and max time per service and operation.
    Statistics,
    /// A structural diff against a second trace.
    Compare,
    /// Services as nodes, calls and errors on the edges.
    ServiceGraph,
}
