//! Pure functions over the model: easy to test with known answers, never drawing, never I/O.

pub mod line_segments;

pub use line_segments::line_segments;
