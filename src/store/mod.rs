//! The bounded local telemetry store fed by the embedded OTLP receiver.

pub mod sink;

pub use sink::{AppendOutcome, OverBudget, Signal, TelemetrySink};
