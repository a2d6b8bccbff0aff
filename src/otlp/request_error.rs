//! Why an OTLP request was refused before its data reached the store, with the HTTP status
//! and gRPC code that say so and a message a developer can act on.

use crate::store::Signal;

/// A request the receiver could not read or decode.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The body (or its decompressed form) is larger than `max_body_bytes`.
    #[error("{what} is larger than the receiver's limit of {limit} bytes")]
    TooLarge {
        /// "request body" or "decompressed request body".
        what: &'static str,
        limit: usize,
    },

    #[error(
        "unsupported Content-Type {0:?}: OTLP/HTTP accepts application/x-protobuf or application/json"
    )]
    UnsupportedContentType(String),

    #[error("unsupported Content-Encoding {0:?}: this receiver accepts gzip or no encoding")]
    UnsupportedContentEncoding(String),

    /// The connection failed while the body was being read.
    #[error("could not read the request body: {0}")]
    Unreadable(String),

    #[error("the gzip-compressed body could not be decompressed: {0}")]
    Gzip(String),

    #[error("the body is not a valid protobuf {message}: {error}")]
    Protobuf {
        /// The expected message, e.g. `ExportTraceServiceRequest`.
        message: &'static str,
        error: String,
    },

    #[error("the body is not a valid OTLP/JSON {message}: {error}")]
    Json {
        message: &'static str,
        error: String,
    },
}

impl RequestError {
    /// The OTLP/HTTP response status for this refusal.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::TooLarge { .. } => 413,
            Self::UnsupportedContentType(_) | Self::UnsupportedContentEncoding(_) => 415,
            Self::Unreadable(_) | Self::Gzip(_) | Self::Protobuf { .. } | Self::Json { .. } => 400,
        }
    }

    /// The gRPC code that means the same.
    pub fn grpc_code(&self) -> tonic::Code {
        match self {
            Self::TooLarge { .. } => tonic::Code::ResourceExhausted,
            _ => tonic::Code::InvalidArgument,
        }
    }

    /// Records this refusal in the receiver's counters.
    pub(crate) fn count(&self, stats: &super::ReceiverStats, signal: Signal) {
        match self {
            Self::TooLarge { .. } => stats.record_oversized(signal),
            _ => stats.record_malformed(signal),
        }
    }
}
