//! Deterministic synthetic traces of realistic shape, up to millions of spans, for benches,
//! property tests and UI tests: a call graph of eight services where each operation always
//! calls the same downstream operations, wide fan-outs (batch queries), deep chains
//! (recursion), parallel and sequential children, a few children that outlive their parent,
//! and errors that sometimes propagate upwards.
//!
//! Nothing here is random at run time: the same `seed` gives the same trace.

use super::TraceId;
use super::ids::SpanId;
use super::telemetry::{AttrValue, Span, SpanStatus, Trace};

/// A span with only the fields analysis reads; everything else empty. The one place that
/// builds a `Span` from parts here, so a new field on `Span` is one line to add.
pub fn bare_span(
    parent: Option<u32>,
    service: &str,
    name: &str,
    start_ns: u64,
    end_ns: u64,
) -> Span {
    Span {
        span_id: SpanId([0; 8]),
        parent_id: None,
        parent,
        service: service.to_owned(),
        name: name.to_owned(),
        kind: 1,
        start_ns,
        end_ns,
        status: SpanStatus::Unset,
        status_message: String::new(),
        attributes: Vec::new(),
        events: Vec::new(),
        links: Vec::new(),
        resource: std::sync::Arc::from([]),
        scope: std::sync::Arc::from(""),
    }
}

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyntheticTraceSpec {
    /// Exact number of spans (at least 1).
    pub spans: usize,
    /// Seed of the generator; the same seed gives the same trace.
    pub seed: u64,
}

const SERVICES: [&str; 8] = [
    "frontend", "checkout", "cart", "catalog", "payment", "shipping", "db", "cache",
];
/// Operations per service; operation `o` of service `s` is `OPERATIONS[s][o]`.
const OPERATIONS: [[&str; 3]; 8] = [
    ["GET /", "POST /checkout", "GET /product"],
    ["PlaceOrder", "PrepareOrder", "ConvertCurrency"],
    ["GetCart", "AddItem", "EmptyCart"],
    ["ListProducts", "GetProduct", "SearchProducts"],
    ["Charge", "Authorize", "Refund"],
    ["GetQuote", "ShipOrder", "TrackOrder"],
    ["SELECT", "INSERT", "UPDATE"],
    ["GET", "SET", "DEL"],
];
/// Below this depth spans stop calling others, except inside a chain (recursion).
const MAX_FANOUT_DEPTH: u32 = 10;
const TRACE_START_NS: u64 = 1_795_500_000_000_000_000;

/// SplitMix64: tiny, fast and good enough for shapes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..hi` (`lo` when the range is empty).
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            lo
        } else {
            lo + self.next() % (hi - lo)
        }
    }

    /// True with probability `per_mille / 1000`.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.next() % 1000 < per_mille
    }
}

/// The operations an operation calls, as `(service, operation)` numbers: fixed per operation
/// so that identical stacks repeat, as in real systems.
fn downstream(service: usize, operation: usize) -> [(usize, usize); 3] {
    let h = service * 3 + operation;
    let callee = |k: usize| {
        let s = match service {
            6 | 7 => service, // storage calls itself (internal steps)
            _ => (service + 1 + (h + k * 5) % 7) % 8,
        };
        (s, (h + k) % 3)
    };
    [callee(0), callee(1), callee(2)]
}

/// Planned span before times are known: node indices in creation order.
struct Node {
    parent: u32,
    service: u8,
    operation: u8,
    /// Children run one after another (true) or all at once.
    sequential: bool,
    error: bool,
    /// Ends after its parent (a fire-and-forget call).
    outlives_parent: bool,
}

/// Generates a trace with exactly `spec.spans` spans (1 when 0 is asked), sorted by start
/// time, parents linked by index and by span id. Costs O(n log n) and about 250 bytes/span.
pub fn synthetic_trace(spec: SyntheticTraceSpec) -> Trace {
    let total = spec.spans.max(1);
    let mut rng = Rng(spec.seed ^ 0x5151_5eed);
    let mut nodes: Vec<Node> = Vec::with_capacity(total);
    nodes.push(Node {
        parent: u32::MAX,
        service: 0,
        operation: (rng.next() % 3) as u8,
        sequential: true,
        error: false,
        outlives_parent: false,
    });
    // Depth-first expansion so that deep paths exist; a node may get a few children, a
    // wide fan-out, or a long chain beneath it.
    let mut depth: Vec<u32> = vec![0];
    let mut frontier: Vec<u32> = vec![0];
    while nodes.len() < total {
        let Some(v) = frontier.pop() else {
            // Everything became a leaf; hang more work under a random earlier span.
            frontier.push(rng.range(0, nodes.len() as u64) as u32);
            continue;
        };
        if depth[v as usize] >= MAX_FANOUT_DEPTH {
            continue;
        }
        let left = (total - nodes.len()) as u64;
        let (service, operation) = (
            nodes[v as usize].service as usize,
            nodes[v as usize].operation as usize,
        );
        let roll = rng.next() % 1000;
        let (count, chain) = if roll < 1 && rng.chance(200) {
            (rng.range(50, 3_000).min(left), true)
        } else if roll < 12 {
            (rng.range(50, 2_000).min(left), false)
        } else {
            (rng.range(0, 5).min(left), false)
        };
        let callees = downstream(service, operation);
        let mut parent = v;
        for k in 0..count {
            let (s, o) = if chain {
                (service, operation)
            } else {
                callees[(k % 3) as usize]
            };
            let id = nodes.len() as u32;
            depth.push(depth[parent as usize] + 1);
            nodes.push(Node {
                parent,
                service: s as u8,
                operation: o as u8,
                sequential: rng.chance(600),
                error: rng.chance(10),
                outlives_parent: rng.chance(2),
            });
            if chain {
                parent = id;
            } else if k < 8 {
                // Only the first few siblings of a fan-out expand further.
                frontier.push(id);
            }
        }
        if chain {
            frontier.push(parent);
        }
    }

    // Children of each node, in creation order (CSR), to lay out times top-down.
    let n = nodes.len();
    let mut offsets = vec![0u32; n + 1];
    for node in &nodes[1..] {
        offsets[node.parent as usize + 1] += 1;
    }
    for i in 0..n {
        offsets[i + 1] += offsets[i];
    }
    let mut fill = offsets[..n].to_vec();
    let mut children = vec![0u32; n.saturating_sub(1)];
    for (i, node) in nodes.iter().enumerate().skip(1) {
        let slot = &mut fill[node.parent as usize];
        children[*slot as usize] = i as u32;
        *slot += 1;
    }

    // Durations bottom-up (creation order puts every child after its parent): a leaf takes
    // 20 µs–2 ms; a parent its own overhead plus its children, summed or overlapped.
    let mut duration = vec![0u64; n];
    for v in (0..n).rev() {
        let kids = &children[offsets[v] as usize..offsets[v + 1] as usize];
        let own = rng.range(20_000, 2_000_000);
        let kids_time = if nodes[v].sequential {
            kids.iter()
                .map(|&c| duration[c as usize] + 5_000)
                .sum::<u64>()
        } else {
            kids.iter()
                .map(|&c| duration[c as usize])
                .max()
                .unwrap_or(0)
        };
        duration[v] = own + kids_time;
    }

    // Start times top-down.
    let mut start = vec![0u64; n];
    start[0] = TRACE_START_NS;
    for v in 0..n {
        let kids = &children[offsets[v] as usize..offsets[v + 1] as usize];
        let slack = duration[v]
            - if nodes[v].sequential {
                kids.iter()
                    .map(|&c| duration[c as usize] + 5_000)
                    .sum::<u64>()
            } else {
                kids.iter()
                    .map(|&c| duration[c as usize])
                    .max()
                    .unwrap_or(0)
            };
        let mut cursor = start[v] + slack / 2;
        for &c in kids {
            let c = c as usize;
            if nodes[v].sequential {
                start[c] = cursor;
                cursor += duration[c] + 5_000;
            } else {
                start[c] = cursor + rng.range(0, slack / 2 + 1);
            }
        }
    }
    for (v, node) in nodes.iter().enumerate().skip(1) {
        if node.outlives_parent {
            let p = node.parent as usize;
            let parent_end = start[p] + duration[p];
            duration[v] = duration[v].max(parent_end - start[v] + rng.range(1_000, 500_000));
        }
    }

    // Errors propagate to the parent a third of the time.
    let mut error: Vec<bool> = nodes.iter().map(|n| n.error).collect();
    for v in (1..n).rev() {
        if error[v] && rng.chance(333) {
            error[nodes[v].parent as usize] = true;
        }
    }

    // Sort by start time and renumber parents.
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by_key(|&v| (start[v as usize], v));
    let mut new_index = vec![0u32; n];
    for (i, &v) in order.iter().enumerate() {
        new_index[v as usize] = i as u32;
    }
    let span_id = |v: usize| SpanId((new_index[v] as u64 + 1).to_be_bytes());
    let mut trace_id = [0u8; 16];
    trace_id[..8].copy_from_slice(&spec.seed.to_be_bytes());
    trace_id[8..].copy_from_slice(&(total as u64).to_be_bytes());
    let spans = order
        .iter()
        .map(|&v| {
            let v = v as usize;
            let node = &nodes[v];
            let (s, o) = (node.service as usize, node.operation as usize);
            let parent = (v != 0).then(|| new_index[node.parent as usize]);
            let mut span = bare_span(
                parent,
                SERVICES[s],
                OPERATIONS[s][o],
                start[v],
                start[v] + duration[v],
            );
            span.span_id = span_id(v);
            span.parent_id = (v != 0).then(|| span_id(node.parent as usize));
            span.kind = if s >= 6 { 3 } else { 2 };
            if error[v] {
                span.status = SpanStatus::Error;
                span.status_message = "upstream failed".to_owned();
            }
            if v.is_multiple_of(4) {
                let key = if s == 6 { "db.statement" } else { "http.route" };
                span.attributes.push((
                    key.to_owned(),
                    AttrValue::Str(format!("{} #{}", OPERATIONS[s][o], v % 97)),
                ));
            }
            span
        })
        .collect();
    Trace {
        trace_id: TraceId(trace_id),
        spans,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_trace_and_exact_size() {
        let spec = SyntheticTraceSpec {
            spans: 5_000,
            seed: 7,
        };
        let a = synthetic_trace(spec);
        assert_eq!(a.spans.len(), 5_000);
        assert_eq!(a, synthetic_trace(spec));
        assert_ne!(a, synthetic_trace(SyntheticTraceSpec { seed: 8, ..spec }));
    }

    #[test]
    fn spans_are_sorted_and_linked() {
        let t = synthetic_trace(SyntheticTraceSpec {
            spans: 20_000,
            seed: 3,
        });
        assert!(t.spans.windows(2).all(|w| w[0].start_ns <= w[1].start_ns));
        assert_eq!(t.spans.iter().filter(|s| s.parent.is_none()).count(), 1);
        for s in &t.spans {
            if let Some(p) = s.parent {
                let p = &t.spans[p as usize];
                assert_eq!(s.parent_id, Some(p.span_id));
                assert!(s.start_ns >= p.start_ns);
            }
        }
        let errors = t
            .spans
            .iter()
            .filter(|s| s.status == SpanStatus::Error)
            .count();
        assert!(errors > 50 && errors < 2_000, "{errors} errors");
        let services: std::collections::BTreeSet<&str> =
            t.spans.iter().map(|s| s.service.as_str()).collect();
        assert!(services.len() >= 5, "{services:?}");
    }
}
