//! Comparing two traces by structure: spans are keyed by their service/operation path from the
//! root (as in the aggregated flame graph), and each path gets its span count and total time
//! in A and in B, so "what work appeared, disappeared or repeated differently" reads at once.

use super::call_paths::{CallPaths, NO_NODE};
use super::operations::OperationTable;
use super::trace_tree::TraceTree;
use crate::model::Trace;

/// How a path differs between the traces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PathChange {
    /// Only in B.
    Added,
    /// Only in A.
    Removed,
    /// In both, a different number of times.
    Changed,
    /// In both, the same number of times (durations may still differ; see `delta_ns`).
    Same,
}

/// One service/operation path present in A, B or both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffRow {
    pub service: String,
    pub name: String,
    pub depth: u32,
    /// Index of the parent path's row.
    pub parent: Option<u32>,
    pub count_a: u32,
    pub count_b: u32,
    /// Sum of the durations of the path's spans in A.
    pub total_a_ns: u64,
    pub total_b_ns: u64,
    pub change: PathChange,
}

impl DiffRow {
    /// B's total minus A's (positive: slower in B).
    pub fn delta_ns(&self) -> i64 {
        let delta = i128::from(self.total_b_ns) - i128::from(self.total_a_ns);
        delta.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
    }
}

/// The union of both traces' paths, depth-first with siblings sorted by service then
/// operation; a path's descendants follow it.
pub fn trace_diff(a: &Trace, b: &Trace) -> Vec<DiffRow> {
    let (tree_a, tree_b) = (TraceTree::new(a), TraceTree::new(b));
    let mut table = OperationTable::default();
    let (ops_a, ops_b) = (table.intern(a), table.intern(b));
    let mut paths = CallPaths::default();
    let nodes_a = paths.add(&tree_a, &ops_a);
    let nodes_b = paths.add(&tree_b, &ops_b);
    let n = paths.nodes.len();
    let (mut count_a, mut count_b) = (vec![0u32; n], vec![0u32; n]);
    let (mut total_a, mut total_b) = (vec![0u64; n], vec![0u64; n]);
    for (span, &node) in a.spans.iter().zip(&nodes_a) {
        count_a[node as usize] += 1;
        total_a[node as usize] += span.duration_ns();
    }
    for (span, &node) in b.spans.iter().zip(&nodes_b) {
        count_b[node as usize] += 1;
        total_b[node as usize] += span.duration_ns();
    }
    let order = paths.draw_order(&table);
    let mut row_of = vec![0u32; n];
    order
        .iter()
        .enumerate()
        .map(|(r, &node)| {
            let i = node as usize;
            row_of[i] = r as u32;
            let path = &paths.nodes[i];
            let change = match (count_a[i], count_b[i]) {
                (0, _) => PathChange::Added,
                (_, 0) => PathChange::Removed,
                (x, y) if x != y => PathChange::Changed,
                _ => PathChange::Same,
            };
            DiffRow {
                service: table
                    .service_name(table.service_of(path.operation))
                    .to_owned(),
                name: table.operation_name(path.operation).to_owned(),
                depth: path.depth,
                parent: (path.parent != NO_NODE).then(|| row_of[path.parent as usize]),
                count_a: count_a[i],
                count_b: count_b[i],
                total_a_ns: total_a[i],
                total_b_ns: total_b[i],
                change,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::synthetic_trace::bare_span;

    fn trace(spans: &[(Option<u32>, &str, u64, u64)]) -> Trace {
        Trace {
            spans: spans
                .iter()
                .map(|&(p, name, s, e)| {
                    let (service, op) = name.split_once('/').unwrap_or(("svc", name));
                    bare_span(p, service, op, s, e)
                })
                .collect(),
            ..Trace::default()
        }
    }

    #[test]
    fn paths_are_added_removed_changed_or_same() {
        let a = trace(&[
            (None, "fe/GET", 0, 100),
            (Some(0), "db/q", 10, 20),
            (Some(0), "cache/get", 30, 40),
            (Some(2), "db/q", 31, 35),
        ]);
        let b = trace(&[
            (None, "fe/GET", 0, 150),
            (Some(0), "db/q", 10, 30),
            (Some(0), "db/q", 40, 60),
            (Some(0), "auth/check", 70, 80),
        ]);
        let rows = trace_diff(&a, &b);
        let got: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    format!("{}/{}", r.service, r.name),
                    r.depth,
                    r.parent,
                    r.count_a,
                    r.count_b,
                    r.delta_ns(),
                    r.change,
                )
            })
            .collect();
        use PathChange::*;
        assert_eq!(
            got,
            vec![
                ("fe/GET".into(), 0, None, 1, 1, 50, Same),
                ("auth/check".into(), 1, Some(0), 0, 1, 10, Added),
                ("cache/get".into(), 1, Some(0), 1, 0, -10, Removed),
                ("db/q".into(), 2, Some(2), 1, 0, -4, Removed),
                ("db/q".into(), 1, Some(0), 1, 2, 30, Changed),
            ]
        );
    }

    #[test]
    fn a_trace_compared_with_itself_is_all_same() {
        let t = crate::model::synthetic_trace::synthetic_trace(
            crate::model::synthetic_trace::SyntheticTraceSpec {
                spans: 3_000,
                seed: 1,
            },
        );
        let rows = trace_diff(&t, &t);
        assert!(
            rows.iter()
                .all(|r| r.change == PathChange::Same && r.delta_ns() == 0)
        );
        assert_eq!(rows.iter().map(|r| r.count_a).sum::<u32>(), 3_000);
    }
}
