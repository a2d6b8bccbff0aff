//! Clients for the outside world. Each returns `model` values and knows nothing of egui.

pub mod error;
pub mod http;
pub mod local;
pub mod loki;
pub mod prometheus;

pub use error::SourceError;
pub use http::HttpClient;
