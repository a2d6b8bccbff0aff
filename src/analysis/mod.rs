//! Pure functions over the model: easy to test with known answers, never drawing, never I/O.

pub mod heatmap;
pub mod line_segments;
pub mod m4;

pub use line_segments::line_segments;
pub use m4::{m4, m4_indices};
