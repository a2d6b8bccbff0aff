//! The orders a list of found traces can be read in (Jaeger UI's "Sort": most recent, longest,
//! shortest, most spans, fewest spans), plus most errors.

use crate::model::TraceSummary;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TraceOrder {
    #[default]
    MostRecent,
    LongestFirst,
    ShortestFirst,
    MostSpans,
    FewestSpans,
    MostErrors,
}

impl TraceOrder {
    pub const ALL: [TraceOrder; 6] = [
        TraceOrder::MostRecent,
        TraceOrder::LongestFirst,
        TraceOrder::ShortestFirst,
        TraceOrder::MostSpans,
        TraceOrder::FewestSpans,
        TraceOrder::MostErrors,
    ];

    pub fn label(self) -> &'static str {
        match self {
            TraceOrder::MostRecent => "Most recent",
            TraceOrder::LongestFirst => "Longest first",
            TraceOrder::ShortestFirst => "Shortest first",
            TraceOrder::MostSpans => "Most spans",
            TraceOrder::FewestSpans => "Fewest spans",
            TraceOrder::MostErrors => "Most errors",
        }
    }
}

/// The indices of `list` in `order`. Ties are broken by start time, newest first, then by
/// trace id, so the order is the same whatever order the server answered in.
pub fn trace_list_order(list: &[TraceSummary], order: TraceOrder) -> Vec<u32> {
    let mut indices: Vec<u32> = (0..list.len() as u32).collect();
    indices.sort_by(|&a, &b| {
        let (a, b) = (&list[a as usize], &list[b as usize]);
        let primary = match order {
            TraceOrder::MostRecent => std::cmp::Ordering::Equal,
            TraceOrder::LongestFirst => b.duration_ns.cmp(&a.duration_ns),
            TraceOrder::ShortestFirst => a.duration_ns.cmp(&b.duration_ns),
            TraceOrder::MostSpans => b.span_count.cmp(&a.span_count),
            TraceOrder::FewestSpans => a.span_count.cmp(&b.span_count),
            TraceOrder::MostErrors => b.error_count.cmp(&a.error_count),
        };
        primary
            .then(b.start_ns.cmp(&a.start_ns))
            .then(a.trace_id.cmp(&b.trace_id))
    });
    indices
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TraceId;

    fn summary(id: u8, start_ns: u64, duration_ns: u64, spans: u32, errors: u32) -> TraceSummary {
        TraceSummary {
            trace_id: TraceId([id; 16]),
            root_service: "svc".into(),
            root_name: format!("op {id}"),
            start_ns,
            duration_ns,
            span_count: spans,
            error_count: errors,
        }
    }

    fn ids(list: &[TraceSummary], order: TraceOrder) -> Vec<u8> {
        trace_list_order(list, order)
            .into_iter()
            .map(|i| list[i as usize].trace_id.0[0])
            .collect()
    }

    #[test]
    fn each_order_sorts_by_its_key_with_newest_first_on_ties() {
        let list = vec![
            summary(1, 100, 50, 3, 0),
            summary(2, 300, 10, 7, 2),
            summary(3, 200, 50, 1, 2),
            summary(4, 400, 90, 7, 0),
        ];
        assert_eq!(ids(&list, TraceOrder::MostRecent), [4, 2, 3, 1]);
        // 1 and 3 last 50 ns each: 3 started later.
        assert_eq!(ids(&list, TraceOrder::LongestFirst), [4, 3, 1, 2]);
        assert_eq!(ids(&list, TraceOrder::ShortestFirst), [2, 3, 1, 4]);
        assert_eq!(ids(&list, TraceOrder::MostSpans), [4, 2, 1, 3]);
        assert_eq!(ids(&list, TraceOrder::FewestSpans), [3, 1, 4, 2]);
        assert_eq!(ids(&list, TraceOrder::MostErrors), [2, 3, 4, 1]);
    }

    #[test]
    fn the_order_does_not_depend_on_the_answer_order() {
        let mut list = vec![
            summary(9, 100, 5, 1, 0),
            summary(8, 100, 5, 1, 0),
            summary(7, 100, 5, 1, 0),
        ];
        let first = ids(&list, TraceOrder::LongestFirst);
        list.reverse();
        assert_eq!(ids(&list, TraceOrder::LongestFirst), first);
        assert_eq!(first, [7, 8, 9]);
        assert!(trace_list_order(&[], TraceOrder::MostErrors).is_empty());
    }
}
