//! One frame of a metrics chart with 10 million points in view (10 series × 1,000,000 samples),
//! headless: egui layout of the frame plus tessellation of its shapes, no GPU. Compares our
//! `chart_ui` (M4-decimated to the plot's pixel columns) with egui_plot fed every raw point:
//! the frame in which a new result arrives (it hands decimation to a worker thread), the
//! frames after (cached lines), the chart given already-decimated data, and the decimation the
//! worker runs. Run with `cargo bench --bench chart_frame`.

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use egui_plot::{Line, Plot, PlotPoints};
use signalscope::analysis::{QueryPart, chart_data, line_segments, m4, m4_indices};
use signalscope::model::{ChartData, Labels, QueryResult, Series, TimeZoneChoice};
use signalscope::ui::chart::{ChartResponse, ChartView, chart_ui, series_color};
use signalscope::workspace::ChartOptions;
use std::collections::HashSet;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

const SERIES: usize = 10;
const POINTS: usize = 1_000_000;
const START: f64 = 1_795_500_000.0;
const STEP: f64 = 1.0;
/// Decimated samples are far apart; a step this long keeps their lines unbroken.
const PREDECIMATED_STEP: f64 = POINTS as f64 * STEP;
/// A desktop window; the chart fills it.
const WINDOW: egui::Vec2 = egui::vec2(1600.0, 900.0);

/// Noisy random walks around different levels, one sample per second.
fn result() -> QueryResult {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let series = (0..SERIES)
        .map(|s| {
            let mut level = 100.0 * s as f64;
            let values = (0..POINTS)
                .map(|_| {
                    level += noise();
                    level + 5.0 * noise()
                })
                .collect();
            Series {
                labels: Labels::new(vec![
                    ("__name__".into(), "bench_metric".into()),
                    ("series".into(), s.to_string()),
                ]),
                timestamps: (0..POINTS).map(|i| START + i as f64 * STEP).collect(),
                values,
            }
        })
        .collect();
    QueryResult {
        series,
        ..QueryResult::default()
    }
}

/// `result` with every series decimated to `columns` columns over its whole range.
fn decimated(result: &QueryResult, columns: usize) -> QueryResult {
    let range = (START, START + (POINTS - 1) as f64 * STEP);
    let series = result
        .series
        .iter()
        .map(|s| {
            let (timestamps, values) = m4(&s.timestamps, &s.values, range, columns);
            Series {
                labels: s.labels.clone(),
                timestamps,
                values,
            }
        })
        .collect();
    QueryResult {
        series,
        ..QueryResult::default()
    }
}

fn input(pixels_per_point: f32) -> egui::RawInput {
    let mut input = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, WINDOW)),
        ..egui::RawInput::default()
    };
    input
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .native_pixels_per_point = Some(pixels_per_point);
    input
}

/// Lays out one frame and tessellates it; returns the number of vertices produced.
fn frame(ctx: &egui::Context, input: &egui::RawInput, ui: impl FnMut(&mut egui::Ui)) -> usize {
    let output = ctx.run_ui(input.clone(), ui);
    let primitives = ctx.tessellate(output.shapes, output.pixels_per_point);
    primitives
        .iter()
        .map(|p| match &p.primitive {
            egui::epaint::Primitive::Mesh(mesh) => mesh.vertices.len(),
            egui::epaint::Primitive::Callback(_) => 0,
        })
        .sum()
}

/// What the chart draws: `result` as one query's series, named `data_id` for the chart's cache.
fn chart_input(result: &QueryResult, step: f64, data_id: u64) -> Arc<ChartData> {
    let range = (START, START + (POINTS - 1) as f64 * STEP);
    let mut parts = [QueryPart {
        query: 0,
        legend: String::new(),
        step,
        result: result.clone(),
    }];
    Arc::new(chart_data(data_id, range, &mut parts, usize::MAX))
}

/// Our chart.
fn ours(ui: &mut egui::Ui, data: &Arc<ChartData>) -> ChartResponse {
    chart_ui(
        ui,
        "bench",
        ChartView {
            data,
            options: ChartOptions::default(),
            zone: TimeZoneChoice::Utc,
            hidden: &HashSet::new(),
        },
    )
}

/// Draws frames until the chart has its lines for `data` (the worker finished).
fn settle(ctx: &egui::Context, input: &egui::RawInput, data: &Arc<ChartData>) {
    loop {
        let mut preparing = false;
        frame(ctx, input, |ui| preparing = ours(ui, data).preparing);
        if !preparing {
            return;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// egui_plot as it comes, given every sample.
fn raw(ui: &mut egui::Ui, result: &QueryResult) {
    Plot::new("raw").show(ui, |plot_ui| {
        for (i, series) in result.series.iter().enumerate() {
            let points: PlotPoints<'_> = series
                .timestamps
                .iter()
                .zip(&series.values)
                .map(|(&t, &v)| [t, v])
                .collect();
            plot_ui.line(
                Line::new(series.labels.to_string(), points)
                    .color(series_color(i))
                    .width(1.5),
            );
        }
    });
}

fn chart_frame(c: &mut Criterion) {
    let result = result();
    let mut group = c.benchmark_group("chart_frame_10M_points");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));

    let data = chart_input(&result, STEP, 1);
    for ppp in [1.0, 2.0] {
        let ctx = egui::Context::default();
        let input = input(ppp);
        // The first frames build the font atlas and settle the plot's axis widths.
        settle(&ctx, &input, &data);
        let vertices = frame(&ctx, &input, |ui| {
            ours(ui, &data);
        });
        eprintln!("m4 chart_ui at {ppp} px/pt: {vertices} vertices");
        // The frame in which a new result arrives: a fresh id, so nothing is cached and the
        // chart hands decimation to a worker. Only that frame is timed; the worker is then
        // left to finish so that the next iteration starts from the same state.
        let mut next_id = 100;
        group.bench_function(format!("m4_chart_ui_new_result_{ppp}ppp"), |b| {
            b.iter_custom(|iterations| {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    next_id += 1;
                    let fresh = Arc::new(ChartData {
                        id: next_id,
                        ..(*data).clone()
                    });
                    let started = Instant::now();
                    frame(&ctx, &input, |ui| {
                        black_box(ours(ui, &fresh));
                    });
                    total += started.elapsed();
                    settle(&ctx, &input, &fresh);
                }
                total
            });
        });
        // Every other frame (hover, other panels, animations): the decimated lines are reused.
        settle(&ctx, &input, &data);
        group.bench_function(format!("m4_chart_ui_redraw_{ppp}ppp"), |b| {
            b.iter(|| {
                frame(&ctx, &input, |ui| {
                    black_box(ours(ui, &data));
                })
            });
        });
    }

    // The chart given a result that is already decimated to the window's width.
    let decimated = chart_input(&decimated(&result, WINDOW.x as usize), PREDECIMATED_STEP, 2);
    let ctx = egui::Context::default();
    let input = input(1.0);
    settle(&ctx, &input, &decimated);
    let vertices = frame(&ctx, &input, |ui| {
        ours(ui, &decimated);
    });
    eprintln!("m4 chart_ui of predecimated series at 1 px/pt: {vertices} vertices");
    group.bench_function("m4_chart_ui_predecimated_1ppp", |b| {
        b.iter(|| {
            frame(&ctx, &input, |ui| {
                black_box(ours(ui, &decimated));
            })
        });
    });

    let ctx = egui::Context::default();
    frame(&ctx, &input, |ui| raw(ui, &result));
    let vertices = frame(&ctx, &input, |ui| raw(ui, &result));
    eprintln!("raw egui_plot at 1 px/pt: {vertices} vertices");
    group.bench_function("raw_egui_plot_1ppp", |b| {
        b.iter(|| frame(&ctx, &input, |ui| raw(ui, black_box(&result))));
    });
    group.finish();

    // The per-frame analysis inside chart_ui, over all 10 series, for 1600 pixel columns.
    let mut group = c.benchmark_group("chart_analysis_10M_points");
    group.sample_size(10).warm_up_time(Duration::from_secs(1));
    let range = (START, START + (POINTS - 1) as f64 * STEP);
    group.bench_function("line_segments", |b| {
        b.iter(|| {
            result
                .series
                .iter()
                .map(|s| line_segments(&s.timestamps, &s.values, STEP).len())
                .sum::<usize>()
        });
    });
    let mut keep = Vec::new();
    group.bench_function("m4_indices", |b| {
        b.iter(|| {
            result
                .series
                .iter()
                .map(|s| {
                    m4_indices(&s.timestamps, &s.values, range, 1600, &mut keep);
                    keep.len()
                })
                .sum::<usize>()
        });
    });
    group.finish();
}

criterion_group!(benches, chart_frame);
criterion_main!(benches);
