//! Loading more lines than Loki's per-query limit by walking the time cursor page by page.
//!
//! Loki's `start` is inclusive and `end` exclusive, and many entries may share one
//! nanosecond. So, like logcli and Grafana, each next page overlaps the last one by that
//! nanosecond (backward: `end = oldest + 1ns`; forward: `start = newest`) and the entries at
//! the boundary that were already returned are dropped by (stream labels, line).
//!
//! Cancelling is dropping the future: no request is sent after that.

use super::{Direction, LokiAnswer, LokiRangeQuery, NsRange, query_range};
use crate::fetch::Progress;
use crate::model::{Labels, LogBatch};
use crate::sources::{HttpClient, SourceError};
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes and lines received so far, for a progress bar the UI reads while pages arrive.
#[derive(Debug, Default)]
pub struct LoadProgress {
    /// Bytes received, and lines kept as its item count: the job's progress, when given.
    pub bytes: Arc<Progress>,
    lines: AtomicU64,
    pages: AtomicU64,
}

impl LoadProgress {
    /// Progress that also reports bytes and lines to a job's `progress`.
    pub fn reporting_to(progress: Arc<Progress>) -> Self {
        Self {
            bytes: progress,
            ..Self::default()
        }
    }

    /// Lines kept so far (after boundary de-duplication).
    pub fn lines(&self) -> u64 {
        self.lines.load(Ordering::Relaxed)
    }

    /// Requests answered so far.
    pub fn pages(&self) -> u64 {
        self.pages.load(Ordering::Relaxed)
    }
}

/// The most lines one view loads.
pub const MAX_LINES: usize = 1_000_000;

/// Loads up to `max_lines` (at most [`MAX_LINES`]) of a log query over `range` in pages of
/// Loki's default limit. Rows come out in time order (newest first for backward); the
/// batch's `more_available` says when `max_lines` cut the result.
pub async fn load_logs(
    http: &HttpClient,
    query: &str,
    range: NsRange,
    direction: Direction,
    max_lines: usize,
    progress: &LoadProgress,
) -> Result<LogBatch, SourceError> {
    load_logs_paged(
        http,
        query,
        range,
        direction,
        max_lines,
        super::DEFAULT_PAGE_LIMIT,
        progress,
    )
    .await
}

/// [`load_logs`] with an explicit per-request limit (a Loki configured with a different
/// `max_entries_limit_per_query`).
pub async fn load_logs_paged(
    http: &HttpClient,
    query: &str,
    range: NsRange,
    direction: Direction,
    max_lines: usize,
    page_limit: usize,
    progress: &LoadProgress,
) -> Result<LogBatch, SourceError> {
    let max_lines = max_lines.min(MAX_LINES);
    let page_limit = page_limit.max(1);
    let mut out = LogBatch::default();
    let mut cursor = range;
    // Entries already kept at the boundary nanosecond, which the next page returns again.
    let mut boundary_ns = None;
    let mut boundary: HashSet<(Labels, String)> = HashSet::new();
    while out.len() < max_lines && cursor.start_ns < cursor.end_ns {
        let remaining = max_lines - out.len();
        let limit = (remaining + boundary.len()).min(page_limit);
        let mut q = LokiRangeQuery::logs(query, cursor);
        q.limit = limit;
        q.direction = direction;
        let page = match query_range(http, &q, &progress.bytes).await? {
            LokiAnswer::Logs(page) => page,
            LokiAnswer::Metric(_) | LokiAnswer::Error(_) => {
                return Err(SourceError::Query {
                    url: format!("{}/loki/api/v1/query_range", http.base_url()),
                    error_type: "not a log query".into(),
                    message: "a metric query returns series, not lines; run it as a chart".into(),
                });
            }
        };
        progress.pages.fetch_add(1, Ordering::Relaxed);
        let full = page.len() >= limit;
        let order = time_order(&page, direction);
        let mut kept = Vec::with_capacity(order.len().min(max_lines - out.len()));
        for &i in &order {
            if Some(page.time_ns[i]) == boundary_ns && boundary.contains(&row_key(&page, i)) {
                continue;
            }
            if out.len() + kept.len() == max_lines {
                out.more_available = true;
                break;
            }
            kept.push(i);
        }
        let new_rows = kept.len();
        out.extend_from(&page, &kept);
        progress.lines.store(out.len() as u64, Ordering::Relaxed);
        progress.bytes.set_items(out.len() as u64);
        let Some(&edge) = order.last() else { break };
        let edge_ns = page.time_ns[edge];
        if boundary_ns != Some(edge_ns) {
            boundary.clear();
            boundary_ns = Some(edge_ns);
        }
        for &i in order
            .iter()
            .rev()
            .take_while(|&&i| page.time_ns[i] == edge_ns)
        {
            boundary.insert(row_key(&page, i));
        }
        if !full {
            break;
        }
        if out.len() == max_lines {
            // The page was full, so the server may hold more than we kept.
            out.more_available = true;
            break;
        }
        if new_rows == 0 {
            // More entries share one nanosecond than a page holds: the cursor cannot move
            // past them without losing some, so stop and say more exist.
            tracing::warn!(
                edge_ns,
                "Loki paging stuck: more than {limit} entries at one nanosecond"
            );
            out.more_available = true;
            break;
        }
        match direction {
            Direction::Backward => cursor.end_ns = edge_ns + 1,
            Direction::Forward => cursor.start_ns = edge_ns,
        }
    }
    out.matched = out.len();
    Ok(out)
}

/// Row indices of `page` in time order (newest first for backward); Loki returns lines
/// stream by stream, so streams are merged here. Stable, so equal times keep Loki's order.
fn time_order(page: &LogBatch, direction: Direction) -> Vec<usize> {
    let mut order: Vec<usize> = (0..page.len()).collect();
    match direction {
        Direction::Backward => order.sort_by_key(|&i| std::cmp::Reverse(page.time_ns[i])),
        Direction::Forward => order.sort_by_key(|&i| page.time_ns[i]),
    }
    order
}

fn row_key(batch: &LogBatch, i: usize) -> (Labels, String) {
    (
        batch.stream_labels(i).cloned().unwrap_or_default(),
        batch.body(i).to_owned(),
    )
}
