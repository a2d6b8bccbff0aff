//! One error type for every source, with kinds the UI can explain to a user.

use std::time::Duration;

/// What went wrong talking to a server, with enough context to act on.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SourceError {
    #[error("{url}: cannot connect: {message}")]
    Unreachable { url: String, message: String },

    #[error("{url}: no answer within {}s", after.as_secs_f32())]
    Timeout { url: String, after: Duration },

    #[error("{url}: HTTP {status}: {body}")]
    HttpStatus {
        url: String,
        status: u16,
        /// The start of the response body, which usually says why.
        body: String,
    },

    /// The server understood the request and refused it (Prometheus `status: error`).
    #[error("{url}: {error_type}: {message}")]
    Query {
        url: String,
        error_type: String,
        message: String,
    },

    #[error("{url}: response is not valid ({message} at line {line}, column {column})")]
    Decode {
        url: String,
        message: String,
        line: usize,
        column: usize,
    },

    #[error("{url}: response is larger than the {} MiB limit", limit_bytes / (1024 * 1024))]
    TooLarge { url: String, limit_bytes: u64 },

    #[error("connection settings: {0}")]
    Config(String),
}

impl SourceError {
    /// A short name for the kind of failure, shown as the error's heading.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Unreachable { .. } => "Unreachable",
            Self::Timeout { .. } => "Timeout",
            Self::HttpStatus { .. } => "HTTP error",
            Self::Query { .. } => "Query error",
            Self::Decode { .. } => "Bad response",
            Self::TooLarge { .. } => "Response too large",
            Self::Config(_) => "Connection settings",
        }
    }
}
