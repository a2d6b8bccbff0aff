//! The context of a log line: the lines just before and after it in the same stream — on
//! Loki the line's exact stream labels, on the Local source its service — fetched off the UI
//! thread, oldest first, with the line itself marked.

use crate::analysis::logql_edit::stream_selector;
use crate::model::LogBatch;
use crate::sources::loki::{Direction, LokiAnswer, LokiRangeQuery, NsRange, query_range};
use crate::sources::{HttpClient, SourceError};
use crate::store::{LocalStore, LogQuery};
use crate::workspace::Connection;

/// Lines shown on each side of the line.
pub const CONTEXT_LINES: usize = 10;
/// How far from the line the context is looked for, each side.
const WINDOW_NS: u64 = 3_600 * 1_000_000_000;

/// The lines around one line, oldest first; `focus` is the line's own row.
#[derive(Clone, Debug, Default)]
pub struct LogContext {
    pub lines: LogBatch,
    pub focus: Option<usize>,
    /// What the lines were asked for with, for the window's title.
    pub stream: String,
}

/// The line whose context is wanted.
#[derive(Clone, Debug, PartialEq)]
pub struct ContextOf {
    pub time_ns: u64,
    pub body: String,
    /// Stream labels (Loki), or the service as `service_name` (Local).
    pub labels: Vec<(String, String)>,
}

/// Asks Loki for the stream's lines before (up to and including the line's nanosecond) and
/// after the line.
pub async fn loki_context(conn: Connection, of: ContextOf) -> Result<LogContext, SourceError> {
    if of.labels.is_empty() {
        return Err(SourceError::Config(
            "this line has no stream labels to find its neighbours by".into(),
        ));
    }
    let http = HttpClient::new(&conn)?;
    let stream = stream_selector(&of.labels);
    let ask = |range: NsRange, direction: Direction| {
        let mut q = LokiRangeQuery::logs(&stream, range);
        q.limit = CONTEXT_LINES + 1;
        q.direction = direction;
        q
    };
    let progress = crate::fetch::Progress::default();
    let before = ask(
        NsRange {
            start_ns: of.time_ns.saturating_sub(WINDOW_NS),
            end_ns: of.time_ns + 1,
        },
        Direction::Backward,
    );
    let after = ask(
        NsRange {
            start_ns: of.time_ns + 1,
            end_ns: of.time_ns.saturating_add(WINDOW_NS),
        },
        Direction::Forward,
    );
    let lines = |answer: LokiAnswer| match answer {
        LokiAnswer::Logs(batch) => Ok(batch),
        LokiAnswer::Metric(_) | LokiAnswer::Error(_) => Err(SourceError::Config(
            "Loki answered the context query with no lines".into(),
        )),
    };
    let before = lines(query_range(&http, &before, &progress).await?)?;
    let after = lines(query_range(&http, &after, &progress).await?)?;
    Ok(assemble(&before, &after, &of, stream))
}

/// Reads the line's service's records around it from the store.
pub async fn local_context(store: LocalStore, of: ContextOf) -> Result<LogContext, SourceError> {
    let service = of
        .labels
        .iter()
        .find(|(k, _)| k == crate::workspace::correlation::SERVICE_LABEL)
        .map(|(_, v)| v.clone());
    let stream = format!("service {}", service.as_deref().unwrap_or("any"));
    tokio::task::spawn_blocking(move || {
        let all = store.find_logs(&LogQuery {
            service,
            min_severity: 0,
            text: None,
            trace_id: None,
            start_ns: of.time_ns.saturating_sub(WINDOW_NS),
            end_ns: of.time_ns.saturating_add(WINDOW_NS),
            limit: 200_000,
        });
        assemble(&all, &LogBatch::default(), &of, stream)
    })
    .await
    .map_err(|e| SourceError::Config(format!("reading the context stopped: {e}")))
}

/// The `CONTEXT_LINES` nearest lines on each side of the line (and the line) from `a` and
/// `b`, oldest first, without repeating a row.
fn assemble(a: &LogBatch, b: &LogBatch, of: &ContextOf, stream: String) -> LogContext {
    let mut rows: Vec<(u64, &LogBatch, usize)> = Vec::new();
    for batch in [a, b] {
        rows.extend((0..batch.len()).map(|i| (batch.time_ns[i], batch, i)));
    }
    rows.sort_by_key(|(t, _, _)| *t);
    rows.dedup_by(|x, y| x.0 == y.0 && x.1.body(x.2) == y.1.body(y.2));
    let focus = rows
        .iter()
        .position(|(t, batch, i)| *t == of.time_ns && batch.body(*i) == of.body);
    let centre = focus.unwrap_or_else(|| rows.partition_point(|(t, _, _)| *t < of.time_ns));
    let from = centre.saturating_sub(CONTEXT_LINES);
    let to = (centre + CONTEXT_LINES + 1).min(rows.len());
    let mut lines = LogBatch::default();
    for (_, batch, i) in &rows[from..to] {
        lines.extend_from(batch, &[*i]);
    }
    LogContext {
        lines,
        focus: focus.map(|f| f - from),
        stream,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(times: &[u64]) -> LogBatch {
        let mut b = LogBatch::default();
        for &t in times {
            b.push(t, "svc", 9, &format!("line {t}"), None, None);
        }
        b
    }

    #[test]
    fn the_nearest_lines_each_side_oldest_first_with_the_line_marked() {
        let before = batch(&(0..=30).rev().collect::<Vec<_>>());
        let after = batch(&(31..60).collect::<Vec<_>>());
        let of = ContextOf {
            time_ns: 30,
            body: "line 30".into(),
            labels: vec![],
        };
        let c = assemble(&before, &after, &of, "s".into());
        assert_eq!(c.lines.time_ns, (20..=40).collect::<Vec<_>>());
        assert_eq!(c.focus, Some(10));
        // Near the start there is less before it.
        let of = ContextOf {
            time_ns: 2,
            body: "line 2".into(),
            labels: vec![],
        };
        let c = assemble(&before, &after, &of, "s".into());
        assert_eq!(c.lines.time_ns.first(), Some(&0));
        assert_eq!(c.focus, Some(2));
        assert_eq!(c.lines.len(), 13);
    }
}
