//! The Local source: the embedded store, queried like any other backend.
//!
//! Metrics answer PromQL (a subset, see `promql`); logs and traces answer searches by
//! service, severity, text, trace id, operation, duration, attribute and status.

pub mod labels;
pub mod promql;

use crate::model::{LogBatch, QueryResult, Trace, TraceId, TraceSummary};
use crate::sources::SourceError;
use crate::store::{LocalStore, LogQuery, TraceQuery};

/// Runs a PromQL range query against the store's metrics.
pub fn range_query(
    store: &LocalStore,
    query: &str,
    start: f64,
    end: f64,
    step: f64,
) -> Result<QueryResult, SourceError> {
    store
        .with_metrics(|table| promql::eval_range(table, query, start, end, step))
        .map_err(|message| SourceError::Query {
            url: "local store".into(),
            error_type: "bad_data".into(),
            message,
        })
}

pub fn find_logs(store: &LocalStore, q: &LogQuery) -> LogBatch {
    store.find_logs(q)
}

pub fn find_traces(store: &LocalStore, q: &TraceQuery) -> Vec<TraceSummary> {
    store.find_traces(q)
}

pub fn trace(store: &LocalStore, id: TraceId) -> Option<Trace> {
    store.trace(id)
}
