//! Pure functions over the model: easy to test with known answers, never drawing, never I/O.

mod call_paths;
pub mod critical_path;
pub mod flame;
pub mod line_segments;
pub mod m4;
pub mod operations;
pub mod service_graph;
pub mod trace_diff;
pub mod trace_search;
pub mod trace_stats;
pub mod trace_tree;

pub use critical_path::{CriticalSegment, critical_path, on_critical_path};
pub use flame::{AggregatedFlame, FlameFrame, Icicle, IcicleRect, aggregate_flame, icicle};
pub use line_segments::line_segments;
pub use m4::{m4, m4_indices};
pub use operations::{OperationTable, TraceOperations};
pub use service_graph::{ServiceEdge, ServiceGraph, ServiceNode, service_graph};
pub use trace_diff::{DiffRow, PathChange, trace_diff};
pub use trace_search::{next_error, previous_error, trace_search};
pub use trace_stats::{OperationStats, StatsColumn, sort_stats, trace_stats};
pub use trace_tree::TraceTree;
