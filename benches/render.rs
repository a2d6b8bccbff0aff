//! Headless render time per panel kind at 1200×600 points (scale 1): the egui passes until the
//! panel settles, tessellation, drawing on the wgpu adapter (Mesa's lavapipe on a machine
//! without a GPU) and reading the pixels back; PNG encoding is measured apart. The device is
//! opened once, as `signalscope render` opens it once per run (its cost is measured too).
//! Results are recorded in BENCHMARKS.md.
//!
//! Run with `cargo bench --bench render`.

use criterion::{Criterion, criterion_group, criterion_main};
use signalscope::analysis::{QueryPart, chart_data};
use signalscope::app::panel_state::{MetricsOutcome, PanelData};
use signalscope::model::{LogBatch, QueryRun, TimeZoneChoice, TraceId, TraceSummary};
use signalscope::render::{
    OffscreenRenderer, PanelSnapshot, RenderOptions, encode_png, render_panel,
};
use signalscope::sources::prometheus::{Answer, decode_query};
use signalscope::workspace::{
    Connection, ConnectionId, LogsPanel, MetricsPanel, Panel, PanelId, PanelKind, TracesPanel,
};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

/// The recorded range of the fixture: 2026-11-24 07:53:09 to 07:57:51 UTC.
const FROM: i64 = 1_795_506_789;
const TO: i64 = 1_795_507_071;

fn snapshot(kind: PanelKind, data: PanelData) -> PanelSnapshot {
    PanelSnapshot {
        panel: Panel {
            id: PanelId(1),
            title: "Bench".into(),
            kind,
        },
        data: Some(Ok(data)),
        open_trace: None,
        hidden: Default::default(),
        connections: vec![Connection::local(ConnectionId(1))],
        range: (
            chrono::DateTime::from_timestamp(FROM, 0).unwrap(),
            chrono::DateTime::from_timestamp(TO, 0).unwrap(),
        ),
        zone: TimeZoneChoice::Utc,
    }
}

/// Two series of 132 points each, as recorded from Prometheus.
fn metrics() -> PanelSnapshot {
    let body =
        include_bytes!("../tests/fixtures/prometheus/query-range-gappy-threshold-step1s.json");
    let Ok(Answer::Success(result)) = decode_query(body) else {
        panic!("the fixture decodes")
    };
    let range = (FROM as f64, TO as f64);
    let mut parts = [QueryPart {
        query: 0,
        legend: String::new(),
        step: 1.0,
        result,
    }];
    let chart = chart_data(1, range, &mut parts, 2_000);
    let spec = MetricsPanel::new(Some(ConnectionId(1)), "demo_queue_depth > 60");
    let outcome = MetricsOutcome {
        chart: Arc::new(chart),
        table: Arc::default(),
        queries: vec![Some(Ok(QueryRun::default()))],
        inspections: vec![None],
        heatmap: None,
    };
    snapshot(PanelKind::Metrics(spec), PanelData::Metrics(outcome))
}

/// 10,000 log lines (the list is virtualized: only a screenful is laid out).
fn logs() -> PanelSnapshot {
    let mut batch = LogBatch::default();
    for i in 0..10_000u64 {
        batch.push(
            (FROM as u64) * 1_000_000_000 + i * 28_000_000,
            ["checkout", "payment", "cart"][(i % 3) as usize],
            [9, 13, 17][(i % 5 % 3) as usize],
            &format!("request {i} handled in {} ms", i % 97),
            None,
            None,
        );
    }
    batch.matched = batch.len();
    let spec = LogsPanel {
        connection: Some(ConnectionId(1)),
        ..LogsPanel::default()
    };
    let outcome = signalscope::app::panel_state::LogsOutcome {
        volume: None,
        batch: Arc::new(batch),
        start: FROM as f64,
        end: TO as f64,
    };
    snapshot(PanelKind::Logs(spec), PanelData::Logs(outcome))
}

/// A trace list of 500 traces (the search limit).
fn traces() -> PanelSnapshot {
    let list = (0..500u64)
        .map(|i| TraceSummary {
            trace_id: TraceId::parse_hex(&format!("{:032x}", i + 1)).unwrap(),
            root_service: "frontend".into(),
            root_name: format!("GET /product/{}", i % 40),
            start_ns: (FROM as u64) * 1_000_000_000 + i * 500_000_000,
            duration_ns: 1_000_000 + i * 37_000,
            span_count: 12 + (i % 9) as u32,
            error_count: u32::from(i % 17 == 0),
        })
        .collect();
    let spec = TracesPanel {
        connection: Some(ConnectionId(1)),
        ..TracesPanel::default()
    };
    snapshot(PanelKind::Traces(spec), PanelData::Traces(list))
}

fn render(c: &mut Criterion) {
    let mut renderer = OffscreenRenderer::new().expect("a wgpu adapter (lavapipe)");
    eprintln!("adapter: {}", renderer.adapter_name());
    let options = RenderOptions::default();
    let mut group = c.benchmark_group("render_1200x600");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(8));
    for (name, snapshot) in [
        ("metrics", metrics()),
        ("logs", logs()),
        ("traces", traces()),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| black_box(render_panel(&mut renderer, &snapshot, &options).unwrap()))
        });
    }
    let image = render_panel(&mut renderer, &metrics(), &options).unwrap();
    group.bench_function("png_encode_metrics", |b| {
        b.iter(|| black_box(encode_png(&image).unwrap()))
    });
    group.finish();

    let mut setup = c.benchmark_group("render_setup");
    setup.sample_size(10);
    setup.bench_function("open_device", |b| {
        b.iter(|| black_box(OffscreenRenderer::new().unwrap()))
    });
    setup.finish();
}

criterion_group!(benches, render);
criterion_main!(benches);
