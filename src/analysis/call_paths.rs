//! Call paths: spans merged by their (service, operation) path from the root, the key of the
//! aggregated flame graph and of the trace diff. Two spans share a path node when their
//! ancestors, root first, have the same services and operation names.

use super::operations::OperationTable;
use super::trace_tree::TraceTree;
use rustc_hash::FxHashMap;

/// Marks a top-level node (its path is one span long).
pub(crate) const NO_NODE: u32 = u32::MAX;

/// One distinct call path: its last operation and the node of its prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PathNode {
    pub parent: u32,
    /// Operation id in the [`OperationTable`] the spans were interned with.
    pub operation: u32,
    pub depth: u32,
}

/// Distinct call paths of one or more traces; a node's parent always has a smaller index.
#[derive(Default)]
pub(crate) struct CallPaths {
    pub nodes: Vec<PathNode>,
    /// (parent node, operation) packed in a u64 → node.
    index: FxHashMap<u64, u32>,
}

impl CallPaths {
    /// Adds a trace's spans, given each span's operation id; returns every span's node.
    pub fn add(&mut self, tree: &TraceTree, span_operations: &[u32]) -> Vec<u32> {
        let mut node_of = vec![NO_NODE; tree.len()];
        for &v in tree.preorder() {
            let parent = tree.parent(v).map_or(NO_NODE, |p| node_of[p as usize]);
            let operation = span_operations[v as usize];
            let next = self.nodes.len() as u32;
            let key = (u64::from(parent) << 32) | u64::from(operation);
            let node = *self.index.entry(key).or_insert(next);
            if node == next {
                let depth = match parent {
                    NO_NODE => 0,
                    p => self.nodes[p as usize].depth + 1,
                };
                self.nodes.push(PathNode {
                    parent,
                    operation,
                    depth,
                });
            }
            node_of[v as usize] = node;
        }
        node_of
    }

    /// Nodes in drawing order: depth-first, siblings sorted by service then operation name.
    pub fn draw_order(&self, table: &OperationTable) -> Vec<u32> {
        let n = self.nodes.len();
        let mut offsets = vec![0u32; n + 2];
        for node in &self.nodes {
            offsets[slot(node.parent, n) + 1] += 1;
        }
        for i in 0..=n {
            offsets[i + 1] += offsets[i];
        }
        let mut fill = offsets[..=n].to_vec();
        let mut children = vec![0u32; n];
        for (i, node) in self.nodes.iter().enumerate() {
            let s = &mut fill[slot(node.parent, n)];
            children[*s as usize] = i as u32;
            *s += 1;
        }
        let name = |c: &u32| {
            let op = self.nodes[*c as usize].operation;
            (
                table.service_name(table.service_of(op)),
                table.operation_name(op),
            )
        };
        for group in offsets.windows(2) {
            children[group[0] as usize..group[1] as usize].sort_by_key(name);
        }
        let mut order = Vec::with_capacity(n);
        let group = |g: usize| &children[offsets[g] as usize..offsets[g + 1] as usize];
        let mut stack: Vec<u32> = group(n).iter().rev().copied().collect();
        while let Some(v) = stack.pop() {
            order.push(v);
            stack.extend(group(v as usize).iter().rev());
        }
        order
    }
}

/// Where a node's children are grouped: by node, top-level ones last.
fn slot(parent: u32, n: usize) -> usize {
    if parent == NO_NODE {
        n
    } else {
        parent as usize
    }
}
