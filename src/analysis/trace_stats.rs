//! The statistics table of a trace: per service and operation, how many spans, how much time
//! in total and of their own, the average and the longest, and how many failed.

use super::operations::TraceOperations;
use super::trace_tree::TraceTree;
use crate::model::{SpanStatus, Trace};

/// One row: the spans of one (service, operation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperationStats {
    pub service: String,
    pub operation: String,
    pub count: u32,
    /// Sum of durations.
    pub total_ns: u64,
    /// Sum of self times (duration minus the children's time inside the span).
    pub self_ns: u64,
    /// Longest single span.
    pub max_ns: u64,
    /// Spans whose status is Error.
    pub error_count: u32,
}

impl OperationStats {
    /// Mean duration (rounded down); 0 for no spans.
    pub fn average_ns(&self) -> u64 {
        self.total_ns
            .checked_div(u64::from(self.count))
            .unwrap_or(0)
    }
}

/// A column of the statistics table, to sort by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatsColumn {
    Service,
    Operation,
    Count,
    Total,
    SelfTime,
    Average,
    Max,
    Errors,
}

/// Rows sorted by total time, longest first (then service, then operation).
pub fn trace_stats(
    trace: &Trace,
    tree: &TraceTree,
    operations: &TraceOperations,
) -> Vec<OperationStats> {
    let self_times = tree.self_times(trace);
    let table = &operations.table;
    let mut rows: Vec<OperationStats> = (0..table.len() as u32)
        .map(|op| OperationStats {
            service: table.service_name(table.service_of(op)).to_owned(),
            operation: table.operation_name(op).to_owned(),
            count: 0,
            total_ns: 0,
            self_ns: 0,
            max_ns: 0,
            error_count: 0,
        })
        .collect();
    for ((span, &self_ns), &op) in trace.spans.iter().zip(&self_times).zip(&operations.of_span) {
        let row = &mut rows[op as usize];
        let duration = span.duration_ns();
        row.count += 1;
        row.total_ns += duration;
        row.self_ns += self_ns;
        row.max_ns = row.max_ns.max(duration);
        row.error_count += u32::from(span.status == SpanStatus::Error);
    }
    sort_stats(&mut rows, StatsColumn::Total, true);
    rows
}

/// Sorts by one column; ties fall back to service then operation (always ascending), so the
/// order is total and stable from frame to frame.
pub fn sort_stats(rows: &mut [OperationStats], column: StatsColumn, descending: bool) {
    rows.sort_by(|a, b| {
        let primary = match column {
            StatsColumn::Service => a.service.cmp(&b.service),
            StatsColumn::Operation => a.operation.cmp(&b.operation),
            StatsColumn::Count => a.count.cmp(&b.count),
            StatsColumn::Total => a.total_ns.cmp(&b.total_ns),
            StatsColumn::SelfTime => a.self_ns.cmp(&b.self_ns),
            StatsColumn::Average => a.average_ns().cmp(&b.average_ns()),
            StatsColumn::Max => a.max_ns.cmp(&b.max_ns),
            StatsColumn::Errors => a.error_count.cmp(&b.error_count),
        };
        let primary = if descending {
            primary.reverse()
        } else {
            primary
        };
        primary.then_with(|| {
            (a.service.as_str(), a.operation.as_str())
                .cmp(&(b.service.as_str(), b.operation.as_str()))
        })
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::synthetic_trace::bare_span;

    fn sample() -> Trace {
        let mut spans = vec![
            bare_span(None, "fe", "GET", 0, 100),
            bare_span(Some(0), "db", "q", 10, 40),
            bare_span(Some(0), "db", "q", 50, 60),
            bare_span(Some(0), "cache", "get", 70, 90),
            bare_span(Some(3), "db", "q", 75, 80),
        ];
        spans[2].status = SpanStatus::Error;
        spans[4].status = SpanStatus::Error;
        Trace {
            spans,
            ..Trace::default()
        }
    }

    /// service, operation, count, total, self, average, max, errors
    type Row<'a> = (&'a str, &'a str, u32, u64, u64, u64, u64, u32);

    fn summary(rows: &[OperationStats]) -> Vec<Row<'_>> {
        rows.iter()
            .map(|r| {
                (
                    r.service.as_str(),
                    r.operation.as_str(),
                    r.count,
                    r.total_ns,
                    r.self_ns,
                    r.average_ns(),
                    r.max_ns,
                    r.error_count,
                )
            })
            .collect()
    }

    #[test]
    fn one_row_per_service_and_operation_longest_first() {
        let t = sample();
        let rows = trace_stats(&t, &TraceTree::new(&t), &TraceOperations::new(&t));
        assert_eq!(
            summary(&rows),
            vec![
                ("fe", "GET", 1, 100, 40, 100, 100, 0),
                ("db", "q", 3, 45, 45, 15, 30, 2),
                ("cache", "get", 1, 20, 15, 20, 20, 0),
            ]
        );
    }

    #[test]
    fn sorting_by_a_column_breaks_ties_by_name() {
        let t = sample();
        let mut rows = trace_stats(&t, &TraceTree::new(&t), &TraceOperations::new(&t));
        sort_stats(&mut rows, StatsColumn::Count, false);
        let names: Vec<_> = rows.iter().map(|r| r.service.as_str()).collect();
        assert_eq!(names, vec!["cache", "fe", "db"]);
        sort_stats(&mut rows, StatsColumn::Errors, true);
        let names: Vec<_> = rows.iter().map(|r| r.service.as_str()).collect();
        assert_eq!(names, vec!["db", "cache", "fe"]);
        sort_stats(&mut rows, StatsColumn::Service, false);
        let names: Vec<_> = rows.iter().map(|r| r.service.as_str()).collect();
        assert_eq!(names, vec!["cache", "db", "fe"]);
    }
}
