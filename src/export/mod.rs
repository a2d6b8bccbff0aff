//! Turning what the user sees into files: a panel as PNG, its data as CSV.

pub mod csv;
pub mod png;
