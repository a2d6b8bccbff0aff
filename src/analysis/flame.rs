//! Flame graphs of a trace, as data to draw: the icicle (every span a rectangle at its depth,
//! on the trace's own time axis) and the aggregated view, where spans with the same
//! service/operation path from the root merge into one frame with summed times.
//!
//! Frames come in depth-first order with each subtree's end, so a drawer can skip a whole
//! subtree the moment a frame is culled (off screen or too thin), as puffin does.

use super::call_paths::{CallPaths, NO_NODE};
use super::operations::TraceOperations;
use super::trace_tree::TraceTree;
use crate::model::Trace;

/// One span in the icicle; times are relative to [`Icicle::origin_ns`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IcicleRect {
    pub span: u32,
    pub depth: u32,
    pub start_ns: u64,
    pub end_ns: u64,
}

/// Every span as a rectangle. `rects[r]` is the span of row `r` of [`TraceTree::preorder`],
/// so the rects of span `s`'s subtree are `rects[tree.row_of(s)..tree.subtree_end(s)]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Icicle {
    /// The trace's first start, in Unix nanoseconds: time 0 of the rects.
    pub origin_ns: u64,
    /// The trace's last end, relative to `origin_ns`.
    pub end_ns: u64,
    pub max_depth: u32,
    pub rects: Vec<IcicleRect>,
}

/// The icicle layout of a trace. A span ending before it starts is drawn with no width.
pub fn icicle(trace: &Trace, tree: &TraceTree) -> Icicle {
    let spans = &trace.spans;
    let origin_ns = spans.iter().map(|s| s.start_ns).min().unwrap_or(0);
    let rects: Vec<IcicleRect> = tree
        .preorder()
        .iter()
        .map(|&v| {
            let s = &spans[v as usize];
            let start_ns = s.start_ns - origin_ns;
            IcicleRect {
                span: v,
                depth: tree.depth(v),
                start_ns,
                end_ns: s.end_ns.saturating_sub(origin_ns).max(start_ns),
            }
        })
        .collect();
    Icicle {
        origin_ns,
        end_ns: rects.iter().map(|r| r.end_ns).max().unwrap_or(0),
        max_depth: tree.max_depth(),
        rects,
    }
}

/// One frame of the aggregated flame graph: all spans with one service/operation path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlameFrame {
    pub service: String,
    pub name: String,
    pub depth: u32,
    /// Index of the parent frame in [`AggregatedFlame::frames`].
    pub parent: Option<u32>,
    /// One past the last frame of this frame's subtree.
    pub subtree_end: u32,
    /// How many spans merged into this frame.
    pub count: u32,
    /// Sum of the spans' durations.
    pub total_ns: u64,
    /// Sum of the spans' self times (see [`TraceTree::self_times`]).
    pub self_ns: u64,
    /// Horizontal position: children sit left-aligned inside their parent, one after another.
    pub x_ns: u64,
    /// Drawn width: self time plus the children's widths. It equals `total_ns` when children
    /// never overlap, and exceeds it when they ran in parallel (parallel time is shown
    /// side by side, as a profile shows threads).
    pub width_ns: u64,
}

/// Frames in drawing order: depth-first, siblings sorted by service then operation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AggregatedFlame {
    pub frames: Vec<FlameFrame>,
    /// Width of the whole graph (the sum of the top-level frames' widths).
    pub width_ns: u64,
}

/// Merges identical service/operation stacks. O(n) plus sorting the distinct paths.
pub fn aggregate_flame(
    trace: &Trace,
    tree: &TraceTree,
    operations: &TraceOperations,
) -> AggregatedFlame {
    let self_times = tree.self_times(trace);
    let mut paths = CallPaths::default();
    let node_of = paths.add(tree, &operations.of_span);
    let nodes = &paths.nodes;
    let mut count = vec![0u32; nodes.len()];
    let mut total = vec![0u64; nodes.len()];
    let mut self_ns = vec![0u64; nodes.len()];
    for (v, &node) in node_of.iter().enumerate() {
        let node = node as usize;
        count[node] += 1;
        total[node] += trace.spans[v].duration_ns();
        self_ns[node] += self_times[v];
    }
    // Widths bottom-up: every node's parent has a smaller index.
    let mut width = self_ns.clone();
    for i in (0..nodes.len()).rev() {
        if nodes[i].parent != NO_NODE {
            width[nodes[i].parent as usize] += width[i];
        }
    }

    let table = &operations.table;
    let order = paths.draw_order(table);
    let mut frame_of = vec![0u32; nodes.len()];
    let mut next_x = vec![0u64; nodes.len()];
    let mut top_x = 0u64;
    let mut frames: Vec<FlameFrame> = Vec::with_capacity(order.len());
    for (f, &node) in order.iter().enumerate() {
        let i = node as usize;
        frame_of[i] = f as u32;
        let parent = (nodes[i].parent != NO_NODE).then(|| frame_of[nodes[i].parent as usize]);
        let slot = match parent {
            Some(_) => &mut next_x[nodes[i].parent as usize],
            None => &mut top_x,
        };
        let x_ns = *slot;
        *slot += width[i];
        next_x[i] = x_ns;
        frames.push(FlameFrame {
            service: table
                .service_name(table.service_of(nodes[i].operation))
                .to_owned(),
            name: table.operation_name(nodes[i].operation).to_owned(),
            depth: nodes[i].depth,
            parent,
            subtree_end: 0,
            count: count[i],
            total_ns: total[i],
            self_ns: self_ns[i],
            x_ns,
            width_ns: width[i],
        });
    }
    // Subtree ends from the back: a frame's subtree ends where its last descendant's does.
    let mut end: Vec<u32> = (1..=frames.len() as u32).collect();
    for f in (0..frames.len()).rev() {
        if let Some(p) = frames[f].parent {
            end[p as usize] = end[p as usize].max(end[f]);
        }
    }
    for (frame, e) in frames.iter_mut().zip(end) {
        frame.subtree_end = e;
    }
    AggregatedFlame {
        frames,
        width_ns: top_x,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::synthetic_trace::bare_span;

    #[test]
    fn icicle_is_relative_to_the_trace_start_in_row_order() {
        let t = Trace {
            spans: vec![
                bare_span(None, "a", "root", 1_000, 1_100),
                bare_span(Some(0), "b", "x", 1_010, 1_050),
                bare_span(Some(1), "b", "y", 1_020, 1_010),
            ],
            ..Trace::default()
        };
        let tree = TraceTree::new(&t);
        let icicle = icicle(&t, &tree);
        assert_eq!(icicle.origin_ns, 1_000);
        assert_eq!(icicle.end_ns, 100);
        assert_eq!(icicle.max_depth, 2);
        let rects: Vec<_> = icicle
            .rects
            .iter()
            .map(|r| (r.span, r.depth, r.start_ns, r.end_ns))
            .collect();
        assert_eq!(rects, vec![(0, 0, 0, 100), (1, 1, 10, 50), (2, 2, 20, 20)]);
    }

    #[test]
    fn identical_stacks_merge_with_counts_and_self_time() {
        // root(fe) [0,100] → db/q [10,30], db/q [40,50], cache/get [60,90] → db/q [70,80]
        let t = Trace {
            spans: vec![
                bare_span(None, "fe", "GET", 0, 100),
                bare_span(Some(0), "db", "q", 10, 30),
                bare_span(Some(0), "db", "q", 40, 50),
                bare_span(Some(0), "cache", "get", 60, 90),
                bare_span(Some(3), "db", "q", 70, 80),
            ],
            ..Trace::default()
        };
        let flame = aggregate_flame(&t, &TraceTree::new(&t), &TraceOperations::new(&t));
        let frames: Vec<_> = flame
            .frames
            .iter()
            .map(|f| {
                (
                    f.service.as_str(),
                    f.name.as_str(),
                    f.depth,
                    f.parent,
                    f.subtree_end,
                    f.count,
                    f.total_ns,
                    f.self_ns,
                    f.x_ns,
                    f.width_ns,
                )
            })
            .collect();
        assert_eq!(
            frames,
            vec![
                ("fe", "GET", 0, None, 4, 1, 100, 40, 0, 100),
                // Siblings sorted: cache before db.
                ("cache", "get", 1, Some(0), 3, 1, 30, 20, 0, 30),
                ("db", "q", 2, Some(1), 3, 1, 10, 10, 0, 10),
                ("db", "q", 1, Some(0), 4, 2, 30, 30, 30, 30),
            ]
        );
        assert_eq!(flame.width_ns, 100);
    }

    #[test]
    fn parallel_children_widen_their_parent() {
        let t = Trace {
            spans: vec![
                bare_span(None, "fe", "GET", 0, 100),
                bare_span(Some(0), "a", "x", 0, 80),
                bare_span(Some(0), "b", "y", 0, 80),
            ],
            ..Trace::default()
        };
        let flame = aggregate_flame(&t, &TraceTree::new(&t), &TraceOperations::new(&t));
        assert_eq!(flame.frames[0].total_ns, 100);
        assert_eq!(flame.frames[0].self_ns, 20);
        assert_eq!(flame.frames[0].width_ns, 180);
        assert_eq!((flame.frames[2].x_ns, flame.frames[2].width_ns), (80, 80));
    }
}
