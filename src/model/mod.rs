//! Plain typed data shared by sources, analysis and ui. No I/O, no drawing.

pub mod ids;
pub mod series;
pub mod telemetry;
pub mod time_range;

pub use ids::{SpanId, TraceId};
pub use series::{Labels, QueryResult, QueryRun, Series};
pub use telemetry::{
    AttrValue, LogBatch, Span, SpanEvent, SpanLink, SpanStatus, Trace, TraceSummary,
};
pub use time_range::{TimeRange, TimeZoneChoice};
