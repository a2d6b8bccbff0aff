//! The logs panel at 1,000,000 loaded lines of about 200 bytes: find-as-you-type over all of
//! them (`find_rows`, one literal pass over the batch's text buffer) against a per-line
//! lowercase-and-contains baseline on the same batch, and one frame of the virtualized log
//! table, headless (egui layout plus tessellation, no GPU). Run with
//! `cargo bench --bench log_view`.

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use signalscope::analysis::log_search::find_rows;
use signalscope::model::{LogBatch, TimeZoneChoice};
use signalscope::ui::log_table::{LogTableView, log_table_ui};
use std::hint::black_box;
use std::time::Duration;

const LINES: usize = 1_000_000;
const WINDOW: egui::Vec2 = egui::vec2(1600.0, 900.0);

/// A million logfmt lines of about 200 bytes; one in 50,000 mentions a timeout.
fn batch() -> LogBatch {
    let mut b = LogBatch::default();
    for i in 0..LINES {
        let body = if i % 50_000 == 17 {
            format!(
                "ts=2026-11-24T07:57:{:02}.{:03}Z level=error caller=handler.go:117 msg=\"upstream Timeout after 30s\" method=POST path=/api/checkout status=504 order_id=o-{i} trace_id=bdd640fb06671ad11c80317fa3b1799d",
                i % 60,
                i % 1000
            )
        } else {
            format!(
                "ts=2026-11-24T07:57:{:02}.{:03}Z level=info caller=handler.go:88 msg=\"request served\" method=GET path=/api/items/{i} status=200 duration={}ms user_id=u-{} region=eu-west-1",
                i % 60,
                i % 1000,
                i % 97,
                i % 5000
            )
        };
        let severity = if i % 50_000 == 17 { 17 } else { 9 };
        b.push(
            1_795_507_000_000_000_000 - i as u64 * 1_000_000,
            "checkout",
            severity,
            &body,
            None,
            None,
        );
    }
    b
}

/// The naive search the baseline stands for: lowercase each line, then look.
fn lowercase_contains(batch: &LogBatch, needle: &str) -> Vec<u32> {
    let needle = needle.to_lowercase();
    (0..batch.len())
        .filter(|&i| batch.body(i).to_lowercase().contains(&needle))
        .map(|i| i as u32)
        .collect()
}

fn input() -> egui::RawInput {
    egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, WINDOW)),
        ..egui::RawInput::default()
    }
}

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

fn log_view(c: &mut Criterion) {
    let batch = batch();
    let bytes = batch.all_bodies().len() as u64;
    eprintln!(
        "{LINES} lines, {bytes} bytes of text ({:.0} bytes per line)",
        bytes as f64 / LINES as f64
    );
    assert_eq!(find_rows(&batch, "TIMEOUT").len(), LINES / 50_000);
    assert_eq!(lowercase_contains(&batch, "TIMEOUT").len(), LINES / 50_000);

    let mut group = c.benchmark_group("log_search_1M_lines");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Bytes(bytes));
    group.bench_function("find_rows", |b| {
        b.iter(|| black_box(find_rows(&batch, black_box("TIMEOUT"))))
    });
    group.bench_function("baseline_lowercase_contains", |b| {
        b.iter(|| black_box(lowercase_contains(&batch, black_box("TIMEOUT"))))
    });
    group.finish();

    let mut group = c.benchmark_group("log_table_frame_1M_rows");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    let ctx = egui::Context::default();
    let mut selected = None;
    let draw = |ctx: &egui::Context, wrap: bool, selected: &mut Option<usize>| {
        frame(ctx, |ui| {
            black_box(log_table_ui(
                ui,
                "bench_table",
                LogTableView {
                    batch: &batch,
                    zone: TimeZoneChoice::Utc,
                    wrap,
                    search: "timeout",
                    scroll_to: None,
                    duplicates: None,
                    columns: &[],
                },
                selected,
            ));
        })
    };
    for _ in 0..3 {
        draw(&ctx, false, &mut selected);
    }
    eprintln!("table frame: {} vertices", draw(&ctx, false, &mut selected));
    group.bench_function("log_table_ui", |b| {
        b.iter(|| draw(&ctx, false, &mut selected))
    });
    let ctx = egui::Context::default();
    for _ in 0..3 {
        draw(&ctx, true, &mut selected);
    }
    group.bench_function("log_table_ui_wrapped", |b| {
        b.iter(|| draw(&ctx, true, &mut selected))
    });
    group.finish();
}

criterion_group!(benches, log_view);
criterion_main!(benches);
