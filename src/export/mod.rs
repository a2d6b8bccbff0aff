//! Turning what the user sees into files: a panel as PNG, its data as CSV, a trace as OTLP/JSON.

pub mod csv;
pub mod otlp_json;
pub mod png;
