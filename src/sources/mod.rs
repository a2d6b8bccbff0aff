//! Clients for the outside world. Each returns `model` values and knows nothing of egui.

pub mod completion;
pub mod decoded_traces;
pub mod error;
pub mod health;
pub mod http;
pub mod jaeger;
mod json_scalars;
pub mod local;
pub mod loki;
mod otlp_traces;
pub mod prometheus;
pub mod tempo;
pub mod trace_file;

pub use decoded_traces::DecodedTraces;
pub use error::SourceError;
pub use http::HttpClient;
