//! Plain typed data shared by sources, analysis and ui. No I/O, no drawing.

pub mod series;
pub mod time_range;

pub use series::{Labels, QueryResult, QueryRun, Series};
pub use time_range::{TimeRange, TimeZoneChoice};
