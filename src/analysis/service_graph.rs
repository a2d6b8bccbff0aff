//! The service graph of loaded traces: which service called which, how often, and how often
//! the call failed. An edge is a parent span in one service with a child span in another;
//! calls inside one service are not edges.

use crate::model::{SpanStatus, Trace, TraceId};
use rustc_hash::FxHashMap;

/// A service and its spans across the traces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceNode {
    pub service: String,
    pub span_count: u32,
    pub error_count: u32,
}

/// Calls from `from` to `to` (indices into [`ServiceGraph::nodes`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServiceEdge {
    pub from: u32,
    pub to: u32,
    /// Child spans in `to` whose parent span is in `from`.
    pub calls: u32,
    /// Of those, the ones whose status is Error.
    pub errors: u32,
}

/// Nodes sorted by service name; edges sorted by (from, to).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceGraph {
    pub nodes: Vec<ServiceNode>,
    pub edges: Vec<ServiceEdge>,
}

/// The service graph of a search's listed traces, and what it covers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResultsServiceGraph {
    pub graph: ServiceGraph,
    /// Traces and spans the graph was built from.
    pub traces: usize,
    pub spans: usize,
    /// Listed traces that could not be read, with why (gone from the server, a bad answer).
    pub missing: Vec<(TraceId, String)>,
    /// Listed traces beyond the most one graph reads.
    pub left_out: usize,
}

/// Builds the graph in one pass over all spans. Parent indices out of range are ignored.
pub fn service_graph(traces: &[&Trace]) -> ServiceGraph {
    let mut node_of: FxHashMap<&str, u32> = FxHashMap::default();
    let mut names: Vec<&str> = Vec::new();
    let mut spans_of: Vec<(u32, u32)> = Vec::new();
    let mut edges: FxHashMap<(u32, u32), (u32, u32)> = FxHashMap::default();
    for trace in traces {
        let ids: Vec<u32> = trace
            .spans
            .iter()
            .map(|s| {
                *node_of.entry(s.service.as_str()).or_insert_with(|| {
                    names.push(s.service.as_str());
                    spans_of.push((0, 0));
                    names.len() as u32 - 1
                })
            })
            .collect();
        for (i, span) in trace.spans.iter().enumerate() {
            let error = u32::from(span.status == SpanStatus::Error);
            let counts = &mut spans_of[ids[i] as usize];
            counts.0 += 1;
            counts.1 += error;
            let Some(p) = span.parent.filter(|&p| (p as usize) < ids.len()) else {
                continue;
            };
            let (from, to) = (ids[p as usize], ids[i]);
            if from != to {
                let edge = edges.entry((from, to)).or_insert((0, 0));
                edge.0 += 1;
                edge.1 += error;
            }
        }
    }
    // Renumber nodes in name order.
    let mut order: Vec<u32> = (0..names.len() as u32).collect();
    order.sort_by_key(|&i| names[i as usize]);
    let mut rank = vec![0u32; names.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i as usize] = r as u32;
    }
    let nodes = order
        .iter()
        .map(|&i| ServiceNode {
            service: names[i as usize].to_owned(),
            span_count: spans_of[i as usize].0,
            error_count: spans_of[i as usize].1,
        })
        .collect();
    let mut edges: Vec<ServiceEdge> = edges
        .into_iter()
        .map(|((from, to), (calls, errors))| ServiceEdge {
            from: rank[from as usize],
            to: rank[to as usize],
            calls,
            errors,
        })
        .collect();
    edges.sort_unstable_by_key(|e| (e.from, e.to));
    ServiceGraph { nodes, edges }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::synthetic_trace::bare_span;

    #[test]
    fn edges_count_calls_across_services_and_child_errors() {
        let mut a = Trace {
            spans: vec![
                bare_span(None, "fe", "GET", 0, 10),
                bare_span(Some(0), "fe", "render", 1, 2),
                bare_span(Some(0), "db", "q", 2, 3),
                bare_span(Some(1), "db", "q", 3, 4),
                bare_span(Some(3), "cache", "get", 3, 4),
                bare_span(Some(42), "db", "q", 5, 6),
            ],
            ..Trace::default()
        };
        a.spans[3].status = SpanStatus::Error;
        let mut b = Trace {
            spans: vec![
                bare_span(None, "fe", "GET", 0, 10),
                bare_span(Some(0), "db", "q", 1, 2),
            ],
            ..Trace::default()
        };
        b.spans[0].status = SpanStatus::Error;
        let graph = service_graph(&[&a, &b]);
        let nodes: Vec<_> = graph
            .nodes
            .iter()
            .map(|n| (n.service.as_str(), n.span_count, n.error_count))
            .collect();
        assert_eq!(nodes, vec![("cache", 1, 0), ("db", 4, 1), ("fe", 3, 1)]);
        let edges: Vec<_> = graph
            .edges
            .iter()
            .map(|e| (e.from, e.to, e.calls, e.errors))
            .collect();
        // db → cache once; fe → db three times (a: 2, b: 1), one failed. fe → fe is no edge.
        assert_eq!(edges, vec![(1, 0, 1, 0), (2, 1, 3, 1)]);
    }
}
