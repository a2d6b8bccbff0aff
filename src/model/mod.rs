//! Plain typed data shared by sources, analysis and ui. No I/O, no drawing.

pub mod chart_data;
pub mod ids;
pub mod log_streams;
pub mod series;
pub mod synthetic_trace;
pub mod telemetry;
pub mod time_range;

pub use chart_data::{ChartData, ChartExemplar, ChartSeries, SeriesStats};
pub use ids::{SpanId, TraceId};
pub use log_streams::{RowFields, StreamTable};
pub use series::{BoundaryRule, HistogramBucket, HistogramSeries, NativeHistogram};
pub use series::{Labels, QueryResult, QueryRun, Series};
pub use telemetry::{
    AttrValue, LogBatch, Span, SpanEvent, SpanLink, SpanStatus, Trace, TraceSummary,
};
pub use time_range::{TimeRange, TimeZoneChoice};
