//! One frame of the flame graph of a 1,000,000-span trace, headless: egui layout of the frame
//! plus tessellation of its shapes, no GPU. Compares our `flame_graph_ui` (frames off screen or
//! thinner than a pixel are skipped with their subtree) with the same icicle painted without
//! culling, and with the waterfall frame of the same trace. The trace is analysed once, before
//! timing (opening a trace does that off the UI thread). Run with
//! `cargo bench --bench flame_frame`.

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use signalscope::analysis::AnalysedTrace;
use signalscope::model::synthetic_trace::{SyntheticTraceSpec, synthetic_trace};
use signalscope::ui::chart::service_color;
use signalscope::ui::flame_graph::{FRAME_HEIGHT, flame_graph_ui};
use signalscope::ui::waterfall::waterfall_ui;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

const SPANS: usize = 1_000_000;
/// A desktop window; the graph fills it.
const WINDOW: egui::Vec2 = egui::vec2(1600.0, 900.0);

fn input() -> egui::RawInput {
    egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, WINDOW)),
        ..egui::RawInput::default()
    }
}

/// Lays out one frame and tessellates it; returns the number of vertices produced.
fn frame(ctx: &egui::Context, ui: impl FnMut(&mut egui::Ui)) -> usize {
    let output = ctx.run_ui(input(), ui);
    let primitives = ctx.tessellate(output.shapes, output.pixels_per_point);
    primitives
        .iter()
        .map(|p| match &p.primitive {
            egui::epaint::Primitive::Mesh(mesh) => mesh.vertices.len(),
            egui::epaint::Primitive::Callback(_) => 0,
        })
        .sum()
}

/// The icicle with every span painted, however thin or far off screen (no culling).
fn unculled(ui: &mut egui::Ui, trace: &AnalysedTrace) {
    let icicle = &trace.icicle;
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(
            ui.available_width(),
            (icicle.max_depth + 1) as f32 * FRAME_HEIGHT,
        ),
        egui::Sense::click(),
    );
    let painter = ui.painter_at(rect);
    let scale = rect.width() / icicle.end_ns.max(1) as f32;
    for r in &icicle.rects {
        let top = rect.top() + r.depth as f32 * FRAME_HEIGHT;
        let x0 = rect.left() + r.start_ns as f32 * scale;
        let x1 = rect.left() + r.end_ns as f32 * scale;
        let service = &trace.trace.spans[r.span as usize].service;
        painter.rect_filled(
            egui::Rect::from_x_y_ranges(x0..=x1, top..=top + FRAME_HEIGHT - 1.0),
            0.0,
            service_color(service),
        );
    }
}

fn flame_frame(c: &mut Criterion) {
    let trace = Arc::new(AnalysedTrace::new(synthetic_trace(SyntheticTraceSpec {
        spans: SPANS,
        seed: 7,
    })));
    let mut group = c.benchmark_group("flame_frame_1M_spans");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));

    let ctx = egui::Context::default();
    // The first frames build the font atlas and lay out the scroll area.
    for _ in 0..3 {
        frame(&ctx, |ui| {
            flame_graph_ui(ui, ("waterfall", 1u64), &trace);
        });
    }
    let vertices = frame(&ctx, |ui| {
        flame_graph_ui(ui, ("waterfall", 1u64), &trace);
    });
    eprintln!("flame_graph_ui: {vertices} vertices");
    group.bench_function("flame_graph_ui_culled", |b| {
        b.iter(|| {
            frame(&ctx, |ui| {
                black_box(flame_graph_ui(ui, ("waterfall", 1u64), &trace));
            })
        })
    });

    let ctx = egui::Context::default();
    let vertices = frame(&ctx, |ui| unculled(ui, &trace));
    eprintln!("unculled icicle: {vertices} vertices");
    group.bench_function("icicle_unculled", |b| {
        b.iter(|| frame(&ctx, |ui| unculled(ui, &trace)))
    });

    let ctx = egui::Context::default();
    for _ in 0..3 {
        frame(&ctx, |ui| {
            waterfall_ui(ui, ("waterfall", 1u64), &trace);
        });
    }
    group.bench_function("waterfall_ui", |b| {
        b.iter(|| {
            frame(&ctx, |ui| {
                black_box(waterfall_ui(ui, ("waterfall", 1u64), &trace));
            })
        })
    });
    group.finish();
}

criterion_group!(benches, flame_frame);
criterion_main!(benches);
