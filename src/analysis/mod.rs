//! Pure functions over the model: easy to test with known answers, never drawing, never I/O.

pub mod chart_series;
pub mod line_segments;
pub mod log_search;
pub mod log_volume;
pub mod m4;
pub mod promql_syntax;
pub mod stacking;

pub use chart_series::{QueryPart, chart_data, format_legend, series_stats};
pub use line_segments::line_segments;
pub use m4::{m4, m4_indices};
pub use stacking::stack;
