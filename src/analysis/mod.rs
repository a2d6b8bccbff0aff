//! Pure functions over the model: easy to test with known answers, never drawing, never I/O.

pub mod analysed_trace;
mod call_paths;
pub mod chart_series;
pub mod critical_path;
pub mod flame;
pub mod heatmap;
pub mod heatmap_view;
pub mod line_segments;
pub mod log_search;
pub mod log_volume;
pub mod m4;
pub mod operations;
pub mod promql_completion;
pub mod promql_syntax;
pub mod service_graph;
pub mod slo;
pub mod stacking;
pub mod trace_diff;
pub mod trace_search;
pub mod trace_stats;
pub mod trace_tree;

pub use analysed_trace::AnalysedTrace;
pub use chart_series::{QueryPart, chart_data, format_legend, series_stats};
pub use critical_path::{CriticalSegment, critical_path, on_critical_path};
pub use flame::{AggregatedFlame, FlameFrame, Icicle, IcicleRect, aggregate_flame, icicle};
pub use line_segments::line_segments;
pub use m4::{m4, m4_indices};
pub use operations::{OperationTable, TraceOperations};
pub use service_graph::{ServiceEdge, ServiceGraph, ServiceNode, service_graph};
pub use stacking::stack;
pub use trace_diff::{DiffRow, PathChange, trace_diff};
pub use trace_search::{next_error, previous_error, trace_search};
pub use trace_stats::{OperationStats, StatsColumn, sort_stats, trace_stats};
pub use trace_tree::TraceTree;
