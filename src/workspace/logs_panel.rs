//! What a logs panel shows: its connection, its query and how its table is laid out.

use super::ConnectionId;
use serde::{Deserialize, Serialize};

/// A log list: LogQL over Loki, or filters over the Local source.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LogsPanel {
    pub connection: Option<ConnectionId>,
    /// LogQL, for a Loki connection (the fields below filter the Local source).
    pub query: String,
    /// Empty for every service.
    pub service: String,
    /// Lowest OTLP severity number shown (0 all, 9 info, 13 warn, 17 error).
    pub min_severity: u8,
    /// Case-insensitive text the line must contain.
    pub text: String,
    /// Hex trace id the record must carry; empty for any.
    pub trace_id: String,
    /// Wrap long lines in the table instead of cutting them at the edge.
    pub wrap_lines: bool,
    /// Labels or fields shown as columns of their own, in order.
    pub columns: Vec<String>,
}
