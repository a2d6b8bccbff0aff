//! Pure functions over the model: easy to test with known answers, never drawing, never I/O.

pub mod line_segments;
pub mod log_dedup;
pub mod log_fields;
pub mod log_level;
pub mod m4;
pub mod trace_link;

pub use line_segments::line_segments;
pub use m4::{m4, m4_indices};
