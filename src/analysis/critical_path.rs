//! The critical path of a trace: the chain of work that decided when the root finished, as
//! Jaeger UI computes it (`TracePage/CriticalPath` in jaeger-ui), so the two tools agree.
//!
//! Jaeger's rules, which we follow:
//! - Children are first clipped to their parent, parents before children (so clipping
//!   cascades): a child that starts before its parent starts at the parent's start, one that
//!   ends after its parent ends at the parent's end, and a child entirely outside its parent
//!   (starting at or after the parent's end, or ending at or before its start) is dropped with
//!   its whole subtree.
//! - Walking back from the root's end: the child that finished last (before the cursor) is on
//!   the path; the parent owns the time between that child's end and the cursor. Inside the
//!   child the walk repeats from the child's end. A span with no child left before the cursor
//!   owns the time from its start to the cursor, and the walk returns to its parent with the
//!   cursor at that span's start, looking for a child that ended strictly before it.
//! - Among children ending at the same time, the one that started first wins. Empty segments
//!   are not emitted. Each root (spans whose parent is missing are roots) has its own path.
//!
//! Jaeger also drops FOLLOWS_FROM children; our spans carry no reference types yet, so every
//! child counts. The walk is iterative and O(n log n): per span the children are sorted by end
//! once, and a cursor only moves backwards, so each child is passed over once.

use super::trace_tree::TraceTree;
use crate::model::Trace;
use std::cmp::Reverse;

/// One piece of the critical path: `span` was the blocking work during `start_ns..end_ns`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CriticalSegment {
    pub span: u32,
    pub start_ns: u64,
    pub end_ns: u64,
}

/// The critical path of every root of the trace, ordered by start time. Segments of one root
/// are disjoint and lie inside the root's interval.
pub fn critical_path(trace: &Trace, tree: &TraceTree) -> Vec<CriticalSegment> {
    let n = tree.len();
    let spans = &trace.spans;
    // Clipped intervals, computed parents first.
    let mut start = vec![0u64; n];
    let mut end = vec![0u64; n];
    let mut alive = vec![false; n];
    for &v in tree.preorder() {
        let s = &spans[v as usize];
        let (mut cs, mut ce) = (s.start_ns, s.end_ns.max(s.start_ns));
        let keep = match tree.parent(v) {
            None => true,
            Some(p) if !alive[p as usize] => false,
            Some(p) => {
                let (ps, pe) = (start[p as usize], end[p as usize]);
                if cs >= ps {
                    ce = ce.min(pe);
                    cs < pe
                } else {
                    cs = ps;
                    ce = ce.min(pe);
                    s.end_ns > ps
                }
            }
        };
        let v = v as usize;
        (start[v], end[v], alive[v]) = (cs, ce, keep);
    }

    // Per span, its live children sorted by (end, earliest start last): the last candidate
    // below the cursor is then the last-finishing child, ties going to the earliest start.
    let mut by_end: Vec<u32> = Vec::with_capacity(n);
    let mut first = vec![0u32; n];
    let mut remaining = vec![0u32; n];
    for v in 0..n as u32 {
        let lo = by_end.len();
        by_end.extend(tree.children(v).iter().filter(|&&c| alive[c as usize]));
        by_end[lo..].sort_by_key(|&c| (end[c as usize], Reverse(tree.row_of(c))));
        first[v as usize] = lo as u32;
        remaining[v as usize] = by_end.len() as u32;
    }

    let mut path = Vec::new();
    for &root in tree.roots() {
        let root_first = path.len();
        let mut span = root;
        let mut cursor = end[root as usize];
        let mut returning = false;
        loop {
            let v = span as usize;
            // Drop candidates that do not end strictly before the cursor (on the first visit
            // all children qualify: they end within the span).
            let hi = &mut remaining[v];
            while *hi > first[v] && returning && end[by_end[*hi as usize - 1] as usize] >= cursor {
                *hi -= 1;
            }
            if *hi > first[v] {
                let child = by_end[*hi as usize - 1];
                let child_end = end[child as usize];
                if child_end < cursor {
                    path.push(CriticalSegment {
                        span,
                        start_ns: child_end,
                        end_ns: cursor,
                    });
                }
                span = child;
                cursor = child_end;
                returning = false;
            } else {
                if start[v] < cursor {
                    path.push(CriticalSegment {
                        span,
                        start_ns: start[v],
                        end_ns: cursor,
                    });
                }
                match tree.parent(span) {
                    Some(p) => {
                        cursor = start[v];
                        span = p;
                        returning = true;
                    }
                    None => break,
                }
            }
        }
        path[root_first..].reverse();
    }
    if tree.roots().len() > 1 {
        path.sort_by_key(|s| (s.start_ns, s.end_ns));
    }
    path
}

/// Whether each span has at least one critical segment, for a "critical path only" filter.
pub fn on_critical_path(span_count: usize, path: &[CriticalSegment]) -> Vec<bool> {
    let mut on = vec![false; span_count];
    for segment in path {
        if let Some(flag) = on.get_mut(segment.span as usize) {
            *flag = true;
        }
    }
    on
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::synthetic_trace::bare_span;

    fn trace(spans: &[(Option<u32>, u64, u64)]) -> Trace {
        Trace {
            spans: spans
                .iter()
                .enumerate()
                .map(|(i, &(p, s, e))| bare_span(p, "s", &format!("op{i}"), s, e))
                .collect(),
            ..Trace::default()
        }
    }

    fn path(spans: &[(Option<u32>, u64, u64)]) -> Vec<(u32, u64, u64)> {
        let t = trace(spans);
        critical_path(&t, &TraceTree::new(&t))
            .into_iter()
            .map(|s| (s.span, s.start_ns, s.end_ns))
            .collect()
    }

    #[test]
    fn sequential_children_are_all_on_the_path() {
        // |-------------0 [0,100]-------------|
        //    |--1 [10,40]--|  |--2 [50,90]--|
        assert_eq!(
            path(&[(None, 0, 100), (Some(0), 10, 40), (Some(0), 50, 90)]),
            vec![
                (0, 0, 10),
                (1, 10, 40),
                (0, 40, 50),
                (2, 50, 90),
                (0, 90, 100)
            ]
        );
    }

    #[test]
    fn an_overlapped_child_is_skipped() {
        // 1 [10,60] and 2 [20,90] overlap: 2 finishes last; going back from 2's start (20),
        // 1 ended at 60 ≥ 20 so it is not blocking; 0 owns [0,20].
        assert_eq!(
            path(&[(None, 0, 100), (Some(0), 10, 60), (Some(0), 20, 90)]),
            vec![(0, 0, 20), (2, 20, 90), (0, 90, 100)]
        );
    }

    #[test]
    fn the_walk_descends_and_returns() {
        // 0 [0,100] ─ 1 [10,80] ─ 3 [20,30], 4 [40,70]
        //           └ 2 [85,95]
        assert_eq!(
            path(&[
                (None, 0, 100),
                (Some(0), 10, 80),
                (Some(1), 20, 30),
                (Some(1), 40, 70),
                (Some(0), 85, 95),
            ]),
            vec![
                (0, 0, 10),
                (1, 10, 20),
                (2, 20, 30),
                (1, 30, 40),
                (3, 40, 70),
                (1, 70, 80),
                (0, 80, 85),
                (4, 85, 95),
                (0, 95, 100),
            ]
        );
    }

    #[test]
    fn children_outside_their_parent_are_clipped_or_dropped() {
        // 1 starts before 0 and ends inside: clipped to [10,30].
        // 2 ends after 0: clipped to [60,100], so 0 has no time of its own at the end.
        // 3 starts exactly at 0's end: dropped, as is its child 4.
        // 5 ends exactly at 0's start: dropped.
        assert_eq!(
            path(&[
                (None, 10, 100),
                (Some(0), 5, 30),
                (Some(0), 60, 120),
                (Some(0), 100, 110),
                (Some(3), 101, 105),
                (Some(0), 0, 10),
            ]),
            vec![(1, 10, 30), (0, 30, 60), (2, 60, 100)]
        );
        // Clipping cascades: 2's child [70,115] is clipped to the clipped 2 ([60,100]).
        assert_eq!(
            path(&[(None, 10, 100), (Some(0), 60, 120), (Some(1), 70, 115)]),
            vec![(0, 10, 60), (1, 60, 70), (2, 70, 100)]
        );
    }

    #[test]
    fn ties_go_to_the_child_that_started_first() {
        assert_eq!(
            path(&[(None, 0, 100), (Some(0), 10, 50), (Some(0), 20, 50)]),
            vec![(0, 0, 10), (1, 10, 50), (0, 50, 100)]
        );
    }

    #[test]
    fn each_root_has_its_own_path_and_flags_follow_segments() {
        let t = trace(&[
            (None, 0, 10),
            (Some(0), 2, 4),
            (None, 20, 30),
            (Some(0), 3, 4),
        ]);
        let tree = TraceTree::new(&t);
        let p = critical_path(&t, &tree);
        assert_eq!(
            p.iter()
                .map(|s| (s.span, s.start_ns, s.end_ns))
                .collect::<Vec<_>>(),
            vec![(0, 0, 2), (1, 2, 4), (0, 4, 10), (2, 20, 30)]
        );
        assert_eq!(on_critical_path(4, &p), vec![true, true, true, false]);
    }

    #[test]
    fn a_deep_chain_is_walked_without_recursion() {
        let n = 150_000u32;
        let spans: Vec<_> = (0..n)
            .map(|i| {
                (
                    i.checked_sub(1),
                    u64::from(i),
                    2 * u64::from(n) - u64::from(i),
                )
            })
            .collect();
        let p = path(&spans);
        // Every span owns one ns at each end, the leaf its whole [n-1, n+1].
        assert_eq!(p.len(), 2 * n as usize - 1);
        assert_eq!(p.first(), Some(&(0, 0, 1)));
        assert_eq!(p.last(), Some(&(0, 2 * u64::from(n) - 1, 2 * u64::from(n))));
    }
}
