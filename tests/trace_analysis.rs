//! Trace analysis on random and synthetic traces: the critical path tiles the root's interval
//! and matches a literal transcription of Jaeger UI's recursive algorithm; self times add up
//! to the root's duration when children do not overlap; visible rows are the depth-first
//! order with collapsed subtrees removed; the aggregated views account for every span once.

use proptest::prelude::*;
use signalscope::analysis::{
    PathChange, TraceOperations, TraceTree, aggregate_flame, critical_path, icicle,
    on_critical_path, service_graph, trace_diff, trace_search, trace_stats,
};
use signalscope::model::synthetic_trace::{SyntheticTraceSpec, bare_span, synthetic_trace};
use signalscope::model::{SpanStatus, Trace};

/// A trace from `(parent, start, end)` triples, span 0 the only root.
fn trace(spans: &[(Option<u32>, u64, u64)]) -> Trace {
    Trace {
        spans: spans
            .iter()
            .enumerate()
            .map(|(i, &(p, s, e))| {
                bare_span(p, &format!("svc{}", i % 3), &format!("op{}", i % 4), s, e)
            })
            .collect(),
        ..Trace::default()
    }
}

/// Random trees: every span's parent comes earlier; times anywhere in 0..100, so children
/// often start before or end after their parent (or lie entirely outside it).
fn any_tree() -> impl Strategy<Value = Trace> {
    prop::collection::vec((any::<u32>(), 0u64..100, 0u64..40), 1..60).prop_map(|raw| {
        let spans: Vec<_> = raw
            .iter()
            .enumerate()
            .map(|(i, &(p, s, d))| ((i > 0).then(|| p % i as u32), s, s + d))
            .collect();
        trace(&spans)
    })
}

/// Random trees whose children lie inside their parent and never overlap each other.
fn nested_tree() -> impl Strategy<Value = Trace> {
    prop::collection::vec((any::<u32>(), any::<u32>(), any::<u32>()), 0..80).prop_map(|raw| {
        let mut spans = vec![(None, 0u64, 1_000u64)];
        let mut next_free = vec![0u64];
        for (i, &(p, a, b)) in raw.iter().enumerate() {
            let p = p as usize % (i + 1);
            let (_, _, parent_end) = spans[p];
            let room = parent_end - next_free[p];
            let start = next_free[p] + u64::from(a) % (room + 1);
            let end = start + u64::from(b) % (parent_end - start + 1);
            next_free[p] = end;
            spans.push((Some(p as u32), start, end));
            next_free.push(start);
        }
        trace(&spans)
    })
}

/// Depth-first order by plain recursion over a naive children map, for reference.
fn reference_preorder(t: &Trace) -> Vec<u32> {
    fn visit(v: u32, t: &Trace, out: &mut Vec<u32>) {
        out.push(v);
        let mut kids: Vec<u32> = (0..t.spans.len() as u32)
            .filter(|&c| t.spans[c as usize].parent == Some(v))
            .collect();
        kids.sort_by_key(|&c| (t.spans[c as usize].start_ns, c));
        for c in kids {
            visit(c, t, out);
        }
    }
    let mut roots: Vec<u32> = (0..t.spans.len() as u32)
        .filter(|&i| t.spans[i as usize].parent.is_none())
        .collect();
    roots.sort_by_key(|&c| (t.spans[c as usize].start_ns, c));
    let mut out = Vec::new();
    for r in roots {
        visit(r, t, &mut out);
    }
    out
}

/// Jaeger UI's `computeCriticalPath` transcribed literally (recursive, quadratic), with its
/// `sanitizeOverFlowingChildren` applied parents first. Returns (span, start, end) in the
/// order Jaeger emits them (latest first).
fn jaeger_reference(t: &Trace) -> Vec<(u32, u64, u64)> {
    let n = t.spans.len();
    let mut start: Vec<u64> = t.spans.iter().map(|s| s.start_ns).collect();
    let mut end: Vec<u64> = t.spans.iter().map(|s| s.end_ns).collect();
    let mut dropped = vec![false; n];
    for v in reference_preorder(t) {
        let Some(p) = t.spans[v as usize].parent else {
            continue;
        };
        let (v, p) = (v as usize, p as usize);
        if dropped[p] {
            dropped[v] = true;
            continue;
        }
        let (ps, pe) = (start[p], end[p]);
        if start[v] >= ps {
            if start[v] >= pe {
                dropped[v] = true;
            } else if end[v] > pe {
                end[v] = pe;
            }
        } else if end[v] <= ps {
            dropped[v] = true;
        } else {
            start[v] = ps;
            end[v] = end[v].min(pe);
        }
    }
    // Children in start order, as Jaeger's span tree keeps them.
    let order = reference_preorder(t);
    let children = |v: usize| -> Vec<usize> {
        order
            .iter()
            .map(|&c| c as usize)
            .filter(|&c| t.spans[c].parent == Some(v as u32) && !dropped[c])
            .collect()
    };
    fn walk(
        v: usize,
        returning: Option<u64>,
        t: &Trace,
        start: &[u64],
        end: &[u64],
        children: &dyn Fn(usize) -> Vec<usize>,
        out: &mut Vec<(u32, u64, u64)>,
    ) {
        let mut lfc: Option<usize> = None;
        let mut max_end: i128 = -1;
        for c in children(v) {
            let ok = returning.is_none_or(|r| end[c] < r);
            if ok && i128::from(end[c]) > max_end {
                max_end = i128::from(end[c]);
                lfc = Some(c);
            }
        }
        let section_end = returning.unwrap_or(end[v]);
        match lfc {
            Some(c) => {
                if end[c] != section_end {
                    out.push((v as u32, end[c], section_end));
                }
                walk(c, None, t, start, end, children, out);
            }
            None => {
                if start[v] != section_end {
                    out.push((v as u32, start[v], section_end));
                }
                if let Some(p) = t.spans[v].parent {
                    walk(p as usize, Some(start[v]), t, start, end, children, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(0, None, t, &start, &end, &children, &mut out);
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn critical_path_matches_jaeger_and_tiles_the_root(t in any_tree()) {
        let tree = TraceTree::new(&t);
        let path = critical_path(&t, &tree);
        let mut expected = jaeger_reference(&t);
        expected.reverse();
        let got: Vec<_> = path.iter().map(|s| (s.span, s.start_ns, s.end_ns)).collect();
        prop_assert_eq!(&got, &expected);

        // Time-ordered, disjoint, non-empty, and together exactly the root's interval.
        let root = &t.spans[0];
        let mut cursor = root.start_ns;
        for s in &path {
            prop_assert!(s.start_ns < s.end_ns);
            prop_assert_eq!(s.start_ns, cursor);
            cursor = s.end_ns;
        }
        prop_assert_eq!(cursor, root.end_ns);
        let on = on_critical_path(t.spans.len(), &path);
        for (i, flag) in on.iter().enumerate() {
            prop_assert_eq!(*flag, path.iter().any(|s| s.span as usize == i));
        }
    }

    #[test]
    fn self_times_add_up_to_the_root_when_children_do_not_overlap(t in nested_tree()) {
        let tree = TraceTree::new(&t);
        let self_times = tree.self_times(&t);
        for (s, span) in self_times.iter().zip(&t.spans) {
            prop_assert!(*s <= span.duration_ns());
        }
        prop_assert_eq!(self_times.iter().sum::<u64>(), t.spans[0].duration_ns());
    }

    #[test]
    fn self_time_never_exceeds_duration(t in any_tree()) {
        let tree = TraceTree::new(&t);
        for (s, span) in tree.self_times(&t).iter().zip(&t.spans) {
            prop_assert!(*s <= span.duration_ns());
        }
    }

    #[test]
    fn visible_rows_are_preorder_minus_collapsed_subtrees(
        t in any_tree(),
        collapse in prop::collection::vec(any::<u32>(), 0..4),
    ) {
        let tree = TraceTree::new(&t);
        let preorder = reference_preorder(&t);
        prop_assert_eq!(tree.preorder(), &preorder[..]);
        prop_assert_eq!(tree.visible_rows(&[] as &[u32]), preorder.clone());

        let n = t.spans.len() as u32;
        let collapsed: Vec<u32> = collapse.iter().map(|c| c % n).collect();
        // Visible: no strict ancestor is collapsed.
        let hidden = |v: u32| {
            let mut p = t.spans[v as usize].parent;
            while let Some(a) = p {
                if collapsed.contains(&a) {
                    return true;
                }
                p = t.spans[a as usize].parent;
            }
            false
        };
        let expected: Vec<u32> = preorder.iter().copied().filter(|&v| !hidden(v)).collect();
        prop_assert_eq!(tree.visible_rows(&collapsed), expected);
    }
}

fn big() -> Trace {
    synthetic_trace(SyntheticTraceSpec {
        spans: 60_000,
        seed: 11,
    })
}

#[test]
fn every_view_of_a_synthetic_trace_accounts_for_every_span() {
    let t = big();
    let n = t.spans.len();
    let tree = TraceTree::new(&t);
    assert_eq!(tree.preorder().len(), n);

    let total: u64 = t.spans.iter().map(|s| s.duration_ns()).sum();
    let self_total: u64 = tree.self_times(&t).iter().sum();

    let operations = TraceOperations::new(&t);
    let stats = trace_stats(&t, &tree, &operations);
    assert_eq!(stats.iter().map(|r| r.count as usize).sum::<usize>(), n);
    assert_eq!(stats.iter().map(|r| r.total_ns).sum::<u64>(), total);
    assert_eq!(stats.iter().map(|r| r.self_ns).sum::<u64>(), self_total);
    let errors = t
        .spans
        .iter()
        .filter(|s| s.status == SpanStatus::Error)
        .count();
    assert_eq!(
        stats.iter().map(|r| r.error_count as usize).sum::<usize>(),
        errors
    );
    assert!(stats.windows(2).all(|w| w[0].total_ns >= w[1].total_ns));

    let flame = aggregate_flame(&t, &tree, &operations);
    assert_eq!(
        flame.frames.iter().map(|f| f.count as usize).sum::<usize>(),
        n
    );
    assert_eq!(flame.frames.iter().map(|f| f.total_ns).sum::<u64>(), total);
    // Identical stacks repeat in the synthetic call graph, so frames are far fewer than spans.
    assert!(flame.frames.len() < n / 4, "{} frames", flame.frames.len());
    for (i, f) in flame.frames.iter().enumerate() {
        if let Some(p) = f.parent {
            let p = &flame.frames[p as usize];
            assert!(f.x_ns >= p.x_ns && f.x_ns + f.width_ns <= p.x_ns + p.width_ns);
            assert_eq!(f.depth, p.depth + 1);
        }
        assert!(f.subtree_end as usize > i);
    }

    let rects = icicle(&t, &tree);
    assert_eq!(rects.rects.len(), n);
    assert!(
        rects
            .rects
            .iter()
            .all(|r| r.start_ns <= r.end_ns && r.end_ns <= rects.end_ns)
    );

    let path = critical_path(&t, &tree);
    let root = &t.spans[tree.roots()[0] as usize];
    assert_eq!(path.first().map(|s| s.start_ns), Some(root.start_ns));
    assert_eq!(path.last().map(|s| s.end_ns), Some(root.end_ns));
    assert!(path.windows(2).all(|w| w[0].end_ns == w[1].start_ns));

    let diff = trace_diff(&t, &t);
    assert!(diff.iter().all(|r| r.change == PathChange::Same));

    let graph = service_graph(&[&t]);
    assert_eq!(
        graph
            .nodes
            .iter()
            .map(|s| s.span_count as usize)
            .sum::<usize>(),
        n
    );
    let cross_service = t
        .spans
        .iter()
        .filter(|s| {
            s.parent
                .is_some_and(|p| t.spans[p as usize].service != s.service)
        })
        .count();
    assert_eq!(
        graph.edges.iter().map(|e| e.calls as usize).sum::<usize>(),
        cross_service
    );
}

#[test]
fn collapsing_the_biggest_subtree_hides_exactly_its_descendants() {
    let t = big();
    let tree = TraceTree::new(&t);
    let biggest = (0..t.spans.len() as u32)
        .filter(|&v| tree.parent(v).is_some())
        .max_by_key(|&v| tree.subtree_end(v) - tree.row_of(v))
        .unwrap();
    let size = (tree.subtree_end(biggest) - tree.row_of(biggest)) as usize;
    assert!(size > 100);
    let rows = tree.visible_rows([biggest]);
    assert_eq!(rows.len(), t.spans.len() - size + 1);
    assert!(rows.contains(&biggest));
    assert!(
        rows.iter()
            .all(|&v| v == biggest || !tree.contains(biggest, v))
    );
}

#[test]
fn search_finds_attribute_text_in_waterfall_order() {
    let t = big();
    let tree = TraceTree::new(&t);
    let hits = trace_search(&t, &tree, &TraceOperations::new(&t), "SELECT #1");
    let expected: Vec<u32> = tree
        .preorder()
        .iter()
        .copied()
        .filter(|&v| {
            t.spans[v as usize]
                .attributes
                .iter()
                .any(|(_, value)| value.to_string().to_lowercase().contains("select #1"))
        })
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(hits, expected);
}
