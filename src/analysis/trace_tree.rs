//! The shape of a trace as flat arrays: children in CSR form, roots, depths, the depth-first
//! (pre-order) row sequence a waterfall draws, and per-span self time.
//!
//! Everything is iterative (a 100,000-deep chain must not overflow the stack) and uses `u32`
//! indices into `Trace::spans`, so a 1,000,000-span trace is a handful of vectors. It does
//! not draw and does not read anything but `parent`, `start_ns` and `end_ns`.

use crate::model::Trace;
use std::borrow::Borrow;

/// Marks "no parent" in [`TraceTree`]'s parent column.
const NO_PARENT: u32 = u32::MAX;

/// The tree of one trace. Span `i` is `trace.spans[i]`; a *row* is a position in the
/// depth-first sequence ([`TraceTree::preorder`]), which is the waterfall's order with
/// nothing collapsed.
///
/// Spans whose parent index is missing, out of range or points at itself are roots. A parent
/// cycle (bad data) is cut at one of its spans, which becomes a root, so every span appears
/// exactly once in the sequence.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TraceTree {
    /// Effective parent of each span, `NO_PARENT` for roots.
    parent: Vec<u32>,
    /// Children of span `i` are `children[child_offsets[i]..child_offsets[i + 1]]`.
    child_offsets: Vec<u32>,
    /// All children, grouped by parent, each group ordered by start time (then index).
    children: Vec<u32>,
    /// Spans without a parent, ordered by start time (then index).
    roots: Vec<u32>,
    /// Distance from the span's root (roots are 0).
    depth: Vec<u32>,
    /// Depth-first pre-order: each span followed by its subtree; roots in start order.
    preorder: Vec<u32>,
    /// Row of each span: `preorder[row[i]] == i`.
    row: Vec<u32>,
    /// One past the last row of each span's subtree.
    subtree_end: Vec<u32>,
}

impl TraceTree {
    /// Builds the tree in O(n) (plus O(n log n) only when the spans are not sorted by start).
    pub fn new(trace: &Trace) -> Self {
        let spans = &trace.spans;
        let n = spans.len();
        let mut parent: Vec<u32> = spans
            .iter()
            .enumerate()
            .map(|(i, s)| match s.parent {
                Some(p) if (p as usize) < n && p as usize != i => p,
                _ => NO_PARENT,
            })
            .collect();
        cut_cycles(&mut parent);

        // Visiting spans in start order fills every child group already sorted by start.
        let sorted = spans.windows(2).all(|w| w[0].start_ns <= w[1].start_ns);
        let start_order: Vec<u32> = if sorted {
            (0..n as u32).collect()
        } else {
            let mut order: Vec<u32> = (0..n as u32).collect();
            order.sort_by_key(|&i| (spans[i as usize].start_ns, i));
            order
        };

        let mut child_offsets = vec![0u32; n + 1];
        for &p in &parent {
            if p != NO_PARENT {
                child_offsets[p as usize + 1] += 1;
            }
        }
        for i in 0..n {
            child_offsets[i + 1] += child_offsets[i];
        }
        let mut fill = child_offsets[..n].to_vec();
        let mut children = vec![0u32; child_offsets[n] as usize];
        let mut roots = Vec::new();
        for &i in &start_order {
            let p = parent[i as usize];
            if p == NO_PARENT {
                roots.push(i);
            } else {
                let slot = &mut fill[p as usize];
                children[*slot as usize] = i;
                *slot += 1;
            }
        }

        let mut depth = vec![0u32; n];
        let mut preorder = Vec::with_capacity(n);
        let mut stack: Vec<u32> = roots.iter().rev().copied().collect();
        while let Some(v) = stack.pop() {
            preorder.push(v);
            let (lo, hi) = (
                child_offsets[v as usize] as usize,
                child_offsets[v as usize + 1] as usize,
            );
            for &c in children[lo..hi].iter().rev() {
                depth[c as usize] = depth[v as usize] + 1;
                stack.push(c);
            }
        }

        let mut row = vec![0u32; n];
        for (r, &v) in preorder.iter().enumerate() {
            row[v as usize] = r as u32;
        }
        // Subtree sizes bottom-up: in reverse pre-order every child comes before its parent.
        let mut size = vec![1u32; n];
        for &v in preorder.iter().rev() {
            let p = parent[v as usize];
            if p != NO_PARENT {
                size[p as usize] += size[v as usize];
            }
        }
        let subtree_end = (0..n).map(|i| row[i] + size[i]).collect();

        Self {
            parent,
            child_offsets,
            children,
            roots,
            depth,
            preorder,
            row,
            subtree_end,
        }
    }

    /// Number of spans.
    pub fn len(&self) -> usize {
        self.parent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// The span's parent as the tree uses it (`None` for roots, including cut cycles).
    pub fn parent(&self, span: u32) -> Option<u32> {
        match self.parent[span as usize] {
            NO_PARENT => None,
            p => Some(p),
        }
    }

    /// The span's children, ordered by start time.
    pub fn children(&self, span: u32) -> &[u32] {
        let lo = self.child_offsets[span as usize] as usize;
        let hi = self.child_offsets[span as usize + 1] as usize;
        &self.children[lo..hi]
    }

    /// Spans without a parent, ordered by start time.
    pub fn roots(&self) -> &[u32] {
        &self.roots
    }

    /// Depth of one span (roots are 0).
    pub fn depth(&self, span: u32) -> u32 {
        self.depth[span as usize]
    }

    /// Depth of every span, indexed by span.
    pub fn depths(&self) -> &[u32] {
        &self.depth
    }

    /// The deepest depth in the trace (0 for an empty trace).
    pub fn max_depth(&self) -> u32 {
        self.depth.iter().copied().max().unwrap_or(0)
    }

    /// Every span in depth-first pre-order: the waterfall's rows with nothing collapsed.
    pub fn preorder(&self) -> &[u32] {
        &self.preorder
    }

    /// The span's position in [`Self::preorder`].
    pub fn row_of(&self, span: u32) -> u32 {
        self.row[span as usize]
    }

    /// One past the last row of the span's subtree: its descendants are the rows
    /// `row_of(span) + 1 .. subtree_end(span)`.
    pub fn subtree_end(&self, span: u32) -> u32 {
        self.subtree_end[span as usize]
    }

    /// Whether `descendant` is `ancestor` or lies in its subtree.
    pub fn contains(&self, ancestor: u32, descendant: u32) -> bool {
        let r = self.row_of(descendant);
        r >= self.row_of(ancestor) && r < self.subtree_end(ancestor)
    }

    /// The waterfall's rows (span indices, top to bottom) when the given spans are collapsed:
    /// a collapsed span stays visible, its descendants do not. Unknown indices are ignored.
    ///
    /// Costs O(k log k) for k collapsed spans plus a copy of the visible part of the pre-order
    /// sequence, so it can be recomputed on every collapse toggle.
    pub fn visible_rows<I>(&self, collapsed: I) -> Vec<u32>
    where
        I: IntoIterator,
        I::Item: Borrow<u32>,
    {
        let n = self.len() as u32;
        let mut cut_rows: Vec<u32> = collapsed
            .into_iter()
            .map(|s| *s.borrow())
            .filter(|&s| s < n)
            .map(|s| self.row[s as usize])
            .collect();
        cut_rows.sort_unstable();
        let mut rows = Vec::with_capacity(self.preorder.len());
        let mut next = 0u32;
        for r in cut_rows {
            if r < next {
                continue; // inside a subtree collapsed already
            }
            rows.extend_from_slice(&self.preorder[next as usize..=r as usize]);
            next = self.subtree_end[self.preorder[r as usize] as usize];
        }
        rows.extend_from_slice(&self.preorder[next as usize..]);
        rows
    }

    /// Self time of every span: its duration minus the union of its children's intervals,
    /// each clipped to the span. Children running in parallel count once; time a child spends
    /// outside its parent is not taken from the parent. A span with `end < start` lasts 0.
    pub fn self_times(&self, trace: &Trace) -> Vec<u64> {
        let spans = &trace.spans;
        (0..self.len())
            .map(|i| {
                let start = spans[i].start_ns;
                let end = spans[i].end_ns.max(start);
                // Children are ordered by start, and clipping starts to `start` keeps that.
                let mut covered = 0u64;
                let mut run: Option<(u64, u64)> = None;
                for &c in self.children(i as u32) {
                    let c = &spans[c as usize];
                    let (cs, ce) = (c.start_ns.max(start), c.end_ns.min(end));
                    if ce <= cs {
                        continue;
                    }
                    run = match run {
                        Some((rs, re)) if cs <= re => Some((rs, re.max(ce))),
                        Some((rs, re)) => {
                            covered += re - rs;
                            Some((cs, ce))
                        }
                        None => Some((cs, ce)),
                    };
                }
                if let Some((rs, re)) = run {
                    covered += re - rs;
                }
                (end - start) - covered
            })
            .collect()
    }
}

/// Breaks every cycle of parent links by making one span of it a root. O(n), iterative.
fn cut_cycles(parent: &mut [u32]) {
    const UNSEEN: u8 = 0;
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![UNSEEN; parent.len()];
    let mut path = Vec::new();
    for i in 0..parent.len() {
        let mut v = i as u32;
        while v != NO_PARENT && state[v as usize] == UNSEEN {
            state[v as usize] = ON_PATH;
            path.push(v);
            v = parent[v as usize];
        }
        if v != NO_PARENT && state[v as usize] == ON_PATH {
            parent[v as usize] = NO_PARENT;
        }
        for &p in &path {
            state[p as usize] = DONE;
        }
        path.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::synthetic_trace::bare_span;

    /// `(parent, start, end)` per span, all in service "s" named by index.
    pub(crate) fn trace(spans: &[(Option<u32>, u64, u64)]) -> Trace {
        Trace {
            spans: spans
                .iter()
                .enumerate()
                .map(|(i, &(p, s, e))| bare_span(p, "s", &format!("op{i}"), s, e))
                .collect(),
            ..Trace::default()
        }
    }

    //  0 [0,100]
    //  ├─ 1 [10,40]
    //  │  └─ 3 [20,30]
    //  └─ 2 [30,90]
    //     └─ 4 [50,60]
    //  5 [60,70] (root: parent missing)
    fn sample() -> Trace {
        trace(&[
            (None, 0, 100),
            (Some(0), 10, 40),
            (Some(0), 30, 90),
            (Some(1), 20, 30),
            (Some(2), 50, 60),
            (None, 60, 70),
        ])
    }

    #[test]
    fn children_roots_depths_and_preorder() {
        let tree = TraceTree::new(&sample());
        assert_eq!(tree.roots(), &[0, 5]);
        assert_eq!(tree.children(0), &[1, 2]);
        assert_eq!(tree.children(1), &[3]);
        assert_eq!(tree.children(3), &[] as &[u32]);
        assert_eq!(tree.depths(), &[0, 1, 1, 2, 2, 0]);
        assert_eq!(tree.preorder(), &[0, 1, 3, 2, 4, 5]);
        assert_eq!(tree.row_of(2), 3);
        assert_eq!(tree.subtree_end(0), 5);
        assert_eq!(tree.subtree_end(1), 3);
        assert_eq!(tree.subtree_end(5), 6);
        assert!(tree.contains(0, 4));
        assert!(!tree.contains(1, 4));
        assert_eq!(tree.max_depth(), 2);
    }

    #[test]
    fn collapsed_subtrees_hide_their_descendants_only() {
        let tree = TraceTree::new(&sample());
        assert_eq!(tree.visible_rows(&[] as &[u32]), tree.preorder());
        assert_eq!(tree.visible_rows([1u32]), vec![0, 1, 2, 4, 5]);
        assert_eq!(tree.visible_rows([2u32, 1]), vec![0, 1, 2, 5]);
        // A collapsed span inside a collapsed subtree changes nothing more.
        assert_eq!(tree.visible_rows([0u32, 3, 99]), vec![0, 5]);
        assert_eq!(tree.visible_rows([4u32, 5]), tree.preorder());
    }

    #[test]
    fn self_time_subtracts_the_union_of_clipped_children() {
        // 0 [0,100] has children [10,40] and [30,90] overlapping: union [10,90] = 80.
        let tree = TraceTree::new(&sample());
        let self_times = tree.self_times(&sample());
        assert_eq!(self_times, vec![20, 20, 50, 10, 10, 10]);

        // A child sticking out of its parent only covers the part inside.
        let t = trace(&[(None, 0, 10), (Some(0), 5, 30), (Some(0), 0, 2)]);
        assert_eq!(TraceTree::new(&t).self_times(&t), vec![3, 25, 2]);
    }

    #[test]
    fn bad_parent_links_become_roots() {
        // 0 → itself; 1 ↔ 2 cycle; 3 → out of range; 4 child of 2.
        let t = trace(&[
            (Some(0), 0, 1),
            (Some(2), 1, 2),
            (Some(1), 2, 3),
            (Some(77), 3, 4),
            (Some(2), 4, 5),
        ]);
        let tree = TraceTree::new(&t);
        let mut seen = tree.preorder().to_vec();
        seen.sort_unstable();
        assert_eq!(seen, vec![0, 1, 2, 3, 4]);
        assert_eq!(tree.parent(0), None);
        assert_eq!(tree.parent(3), None);
        // Exactly one of the cycle's spans became a root.
        assert_eq!(
            u32::from(tree.parent(1).is_none()) + u32::from(tree.parent(2).is_none()),
            1
        );
        assert_eq!(tree.parent(4), Some(2));
    }

    #[test]
    fn unsorted_spans_still_give_start_ordered_children() {
        let t = trace(&[(None, 0, 100), (Some(0), 50, 60), (Some(0), 10, 20)]);
        let tree = TraceTree::new(&t);
        assert_eq!(tree.children(0), &[2, 1]);
        assert_eq!(tree.preorder(), &[0, 2, 1]);
    }

    #[test]
    fn a_deep_chain_does_not_overflow_the_stack() {
        let n = 200_000u32;
        let t = trace(
            &(0..n)
                .map(|i| {
                    (
                        i.checked_sub(1),
                        u64::from(i),
                        2 * u64::from(n) - u64::from(i),
                    )
                })
                .collect::<Vec<_>>(),
        );
        let tree = TraceTree::new(&t);
        assert_eq!(tree.depth(n - 1), n - 1);
        assert_eq!(tree.subtree_end(0), n);
        assert_eq!(tree.visible_rows([1u32]), vec![0, 1]);
        let self_times = tree.self_times(&t);
        assert_eq!(self_times[0], 2);
        assert_eq!(self_times[(n - 1) as usize], 2);
    }
}
