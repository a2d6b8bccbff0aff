//! The embedded OTLP receiver: OTLP/HTTP (protobuf and JSON, optionally gzip) on
//! 127.0.0.1:4318 and OTLP/gRPC on 127.0.0.1:4317, handing every decoded export request to a
//! [`TelemetrySink`](crate::store::TelemetrySink) (the local store).
//!
//! What it must do: answer exactly as the OTLP specification says (partial success, 400 with a
//! `google.rpc.Status` for bad data, 413 / 415 / 429 with `Retry-After`, gRPC
//! `RESOURCE_EXHAUSTED` with `RetryInfo`), bound every body before and after decompression,
//! never panic on any input, and keep counters the UI can show.
//!
//! What it must not do: interpret telemetry (that is the store's job), block the runtime for
//! long, or take down the other listener when one port cannot be bound.
//!
//! Layout: [`receiver`] binds and runs both servers; [`http`] and `grpc` are the two
//! transports; both send decoded requests through `ingest`, which talks to the sink and
//! keeps [`stats`]. `payload` reads and decompresses HTTP bodies, [`json`] (on top of
//! `json_tree`) decodes OTLP/JSON, and `rpc_status` holds the `google.rpc` error messages.
//! [`synthetic`] builds realistic batches for the benchmark and the load example.

pub mod config;
mod grpc;
pub mod http;
mod ingest;
pub mod json;
mod json_tree;
mod payload;
pub mod receiver;
pub mod request_error;
mod rpc_status;
pub mod stats;
pub mod synthetic;

pub use config::ReceiverConfig;
pub use http::http_router;
pub use receiver::{ListenerStatus, Receiver, Transport};
pub use request_error::RequestError;
pub use stats::{ReceivedCounts, ReceiverStats, ReceiverStatsSnapshot};
