//! Trace analysis on one synthetic 1,000,000-span trace (`synthetic_trace`, seed 42): building
//! the tree, the waterfall's visible rows after a collapse toggle, self times, critical path,
//! icicle and aggregated flame graph, statistics, find, diff and service graph. Baselines in
//! the same run: cloning the trace (the cost of touching every span once), and a naive tree
//! build with a `HashMap<u32, Vec<u32>>` of children. Run with
//! `cargo bench --bench trace_analysis`.

use criterion::{Criterion, criterion_group, criterion_main};
use signalscope::analysis::{
    TraceOperations, TraceTree, aggregate_flame, critical_path, icicle, next_error, service_graph,
    trace_diff, trace_search, trace_stats,
};
use signalscope::model::Trace;
use signalscope::model::synthetic_trace::{SyntheticTraceSpec, synthetic_trace};
use std::collections::HashMap;
use std::hint::black_box;
use std::time::Duration;

const SPANS: usize = 1_000_000;

/// The baseline: children in a `HashMap` of `Vec`s, sorted by start, then a stack-based
/// depth-first walk; what a straightforward port of a JavaScript waterfall does.
fn naive_preorder(trace: &Trace) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    let mut roots = Vec::new();
    for (i, s) in trace.spans.iter().enumerate() {
        match s.parent {
            Some(p) => children.entry(p).or_default().push(i as u32),
            None => roots.push(i as u32),
        }
    }
    for kids in children.values_mut() {
        kids.sort_by_key(|&c| trace.spans[c as usize].start_ns);
    }
    let mut out = Vec::with_capacity(trace.spans.len());
    let mut stack: Vec<u32> = roots.into_iter().rev().collect();
    while let Some(v) = stack.pop() {
        out.push(v);
        if let Some(kids) = children.get(&v) {
            stack.extend(kids.iter().rev());
        }
    }
    out
}

fn trace_analysis(c: &mut Criterion) {
    let trace = synthetic_trace(SyntheticTraceSpec {
        spans: SPANS,
        seed: 42,
    });
    let tree = TraceTree::new(&trace);
    // The biggest subtree below the root: the worst single collapse toggle to recompute.
    let biggest = (0..SPANS as u32)
        .filter(|&v| tree.parent(v).is_some())
        .max_by_key(|&v| tree.subtree_end(v) - tree.row_of(v))
        .unwrap_or(0);
    let hidden = tree.subtree_end(biggest) - tree.row_of(biggest) - 1;
    let operations = TraceOperations::new(&trace);
    let flame = aggregate_flame(&trace, &tree, &operations);
    println!(
        "trace: {SPANS} spans, max depth {}, biggest subtree below the root {hidden} spans, {} aggregated frames",
        tree.max_depth(),
        flame.frames.len()
    );
    // The second trace of the diff: another shape from the same generator.
    let other = synthetic_trace(SyntheticTraceSpec {
        spans: SPANS,
        seed: 43,
    });

    let mut group = c.benchmark_group("trace_analysis_1m");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(4));

    group.bench_function("baseline: clone the trace", |b| {
        b.iter(|| black_box(trace.clone()))
    });
    group.bench_function("baseline: naive HashMap tree + DFS", |b| {
        b.iter(|| black_box(naive_preorder(&trace)))
    });
    group.bench_function("TraceTree::new", |b| {
        b.iter(|| black_box(TraceTree::new(&trace)))
    });
    // The trace header's depth, computed once per trace in `AnalysedTrace::new`.
    group.bench_function("TraceTree::max_depth", |b| {
        b.iter(|| black_box(tree.max_depth()))
    });
    group.bench_function("visible_rows, nothing collapsed", |b| {
        b.iter(|| black_box(tree.visible_rows(&[] as &[u32])))
    });
    group.bench_function("visible_rows, biggest subtree collapsed", |b| {
        b.iter(|| black_box(tree.visible_rows([biggest])))
    });
    group.bench_function("self_times", |b| {
        b.iter(|| black_box(tree.self_times(&trace)))
    });
    group.bench_function("critical_path", |b| {
        b.iter(|| black_box(critical_path(&trace, &tree)))
    });
    group.bench_function("icicle", |b| b.iter(|| black_box(icicle(&trace, &tree))));
    group.bench_function("TraceOperations::new", |b| {
        b.iter(|| black_box(TraceOperations::new(&trace)))
    });
    group.bench_function("aggregate_flame", |b| {
        b.iter(|| black_box(aggregate_flame(&trace, &tree, &operations)))
    });
    group.bench_function("trace_stats", |b| {
        b.iter(|| black_box(trace_stats(&trace, &tree, &operations)))
    });
    group.bench_function("trace_search, rare text", |b| {
        b.iter(|| black_box(trace_search(&trace, &tree, &operations, "select #13")))
    });
    group.bench_function("trace_search, common text", |b| {
        b.iter(|| black_box(trace_search(&trace, &tree, &operations, "cart")))
    });
    group.bench_function("next_error from the top", |b| {
        b.iter(|| black_box(next_error(&trace, &tree, None)))
    });
    group.bench_function("trace_diff of two 1M traces (builds both trees)", |b| {
        b.iter(|| black_box(trace_diff(&trace, &other)))
    });
    group.bench_function("service_graph", |b| {
        b.iter(|| black_box(service_graph(&[&trace])))
    });
    group.finish();
}

criterion_group!(benches, trace_analysis);
criterion_main!(benches);
