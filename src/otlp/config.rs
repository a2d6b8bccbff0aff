//! Where the embedded OTLP receiver listens and how much it accepts in one request.

use std::net::{Ipv4Addr, SocketAddr};

/// The OTLP/HTTP port of the specification.
pub const DEFAULT_HTTP_PORT: u16 = 4318;
/// The OTLP/gRPC port of the specification.
pub const DEFAULT_GRPC_PORT: u16 = 4317;
/// 16 MiB: four times the usual exporter batch ceiling, small enough for a desktop app.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Listen addresses and limits of the receiver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiverConfig {
    /// OTLP/HTTP: `POST /v1/traces`, `/v1/logs`, `/v1/metrics`.
    pub http_addr: SocketAddr,
    /// OTLP/gRPC: the `Export` methods of the trace, logs and metrics services.
    pub grpc_addr: SocketAddr,
    /// The largest payload accepted, checked on the bytes received and again after
    /// decompression (HTTP body, gRPC message). Larger requests get HTTP 413 or gRPC
    /// `RESOURCE_EXHAUSTED`.
    pub max_body_bytes: usize,
}

impl Default for ReceiverConfig {
    fn default() -> Self {
        Self {
            http_addr: SocketAddr::from((Ipv4Addr::LOCALHOST, DEFAULT_HTTP_PORT)),
            grpc_addr: SocketAddr::from((Ipv4Addr::LOCALHOST, DEFAULT_GRPC_PORT)),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

impl ReceiverConfig {
    /// Both listeners on loopback ports chosen by the OS (port 0), for tests and benchmarks;
    /// read the real addresses from [`Receiver::status`](super::Receiver::status).
    pub fn on_free_loopback_ports() -> Self {
        Self {
            http_addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            grpc_addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            ..Self::default()
        }
    }
}
