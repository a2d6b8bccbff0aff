//! The other views of an open trace, driven through the traces panel's view selector on a
//! hand-built trace: the flame graph (a click on a frame selects its span, hovering shows its
//! duration), the aggregated flame graph, the statistics table with its sortable columns, and
//! the headless render of the chosen view.

mod support;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use signalscope::app::{SignalscopeApp, Startup};
use signalscope::fetch::Runtime;
use signalscope::model::synthetic_trace::bare_span;
use signalscope::model::{Trace, TraceId};
use signalscope::ui::flame_graph::FRAME_HEIGHT;
use signalscope::workspace::{PanelKind, TraceView, Workspace};
use std::sync::Arc;

const T0: u64 = 1_790_000_000_000_000_000;
const MS: u64 = 1_000_000;

/// frontend GET /checkout [0, 100 ms] → db SELECT orders [0, 20], [30, 40];
/// payment charge card [50, 100].
fn trace() -> Trace {
    Trace {
        trace_id: TraceId([7; 16]),
        spans: vec![
            bare_span(None, "frontend", "GET /checkout", T0, T0 + 100 * MS),
            bare_span(Some(0), "db", "SELECT orders", T0, T0 + 20 * MS),
            bare_span(Some(0), "db", "SELECT orders", T0 + 30 * MS, T0 + 40 * MS),
            bare_span(
                Some(0),
                "payment",
                "charge card",
                T0 + 50 * MS,
                T0 + 100 * MS,
            ),
        ],
    }
}

fn harness() -> Harness<'static, SignalscopeApp> {
    let mut app = SignalscopeApp::new(
        Arc::new(Runtime::new().unwrap()),
        Startup {
            workspace: Workspace::default(),
            path: None,
            load_error: None,
            run_now: vec![],
            local: None,
        },
    );
    let panel = app.open_trace_value(trace());
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 1000.0))
        .build_ui_state(|ui, app: &mut SignalscopeApp| app.frame_ui(ui), app);
    support::step_until(&mut h, "the opened trace", |h| {
        h.state().open_trace(panel).is_some()
    });
    h.run_steps(2);
    h
}

fn view(h: &Harness<'_, SignalscopeApp>) -> TraceView {
    h.state()
        .workspace
        .panels
        .iter()
        .find_map(|p| match &p.kind {
            PanelKind::Traces(t) => Some(t.view),
            _ => None,
        })
        .expect("a traces panel")
}

#[test]
fn a_click_on_a_flame_frame_selects_its_span() {
    let mut h = harness();
    assert_eq!(view(&h), TraceView::Waterfall);
    h.get_by_label("Flame graph").click();
    h.run_steps(2);
    assert_eq!(
        view(&h),
        TraceView::Flame,
        "the choice is kept in the panel spec"
    );
    assert!(
        h.query_by_label("payment: charge card").is_none(),
        "no waterfall rows and nothing selected yet"
    );

    // charge card is the depth-1 frame over the last half of the trace.
    let area = h.get_by_label("Flame graph frames").rect();
    let at = egui::pos2(
        area.left() + area.width() * 0.75,
        area.top() + FRAME_HEIGHT * 1.5,
    );
    h.hover_at(at);
    // Past the tooltip delay.
    h.run_steps(4);
    h.get_by_label_contains("50.00 ms (self 50.00 ms)");
    h.drag_at(at);
    h.step();
    h.drop_at(at);
    h.run_steps(2);
    h.get_by_label("payment: charge card");

    // The waterfall shares the selection.
    h.get_by_label("Waterfall").click();
    h.run_steps(2);
    assert!(h.query_all_by_label("payment: charge card").count() >= 2);
}

#[test]
fn the_aggregated_flame_merges_identical_stacks() {
    let mut h = harness();
    h.get_by_label("Aggregated flame").click();
    h.run_steps(2);
    assert_eq!(view(&h), TraceView::AggregatedFlame);
    // The two SELECT orders spans are one frame, at depth 1 at the left (db sorts first).
    let area = h.get_by_label("Flame graph frames").rect();
    h.hover_at(egui::pos2(
        area.left() + 5.0,
        area.top() + FRAME_HEIGHT * 1.5,
    ));
    h.run_steps(4);
    h.get_by_label_contains("2 spans, total 30.00 ms, self 30.00 ms");
}

#[test]
fn statistics_show_each_operation_and_sort_by_a_column() {
    let mut h = harness();
    h.get_by_label("Statistics").click();
    h.run_steps(2);
    assert_eq!(view(&h), TraceView::Statistics);
    let y = |h: &Harness<'_, SignalscopeApp>, label: &str| h.get_by_label(label).rect().center().y;
    // SELECT orders: 2 spans, 30 ms in total, 15 ms on average, on the row of its name.
    let row = y(&h, "SELECT orders");
    // Total and self are both 30 ms (its spans have no children).
    let thirty: Vec<f32> = h
        .get_all_by_label("30.00 ms")
        .map(|n| n.rect().center().y)
        .collect();
    assert_eq!(thirty.len(), 2);
    assert!(thirty.iter().all(|&t| (t - row).abs() < 1.0));
    assert!((y(&h, "15.00 ms") - row).abs() < 1.0);
    assert!((y(&h, "2") - row).abs() < 1.0);
    // Longest total first by default: GET (100 ms) above charge card (50) above SELECT (30).
    assert!(y(&h, "GET /checkout") < y(&h, "charge card"));
    assert!(y(&h, "charge card") < row);

    // Sorted by count, largest first: SELECT orders (2) moves to the top.
    h.get_by_label("Count").click();
    h.run_steps(2);
    assert!(y(&h, "SELECT orders") < y(&h, "GET /checkout"));
    // Again: smallest first.
    h.get_by_label_contains("Count").click();
    h.run_steps(2);
    assert!(y(&h, "SELECT orders") > y(&h, "charge card"));
}

/// The headless render draws the same panel code, so it honours the panel's chosen view: the
/// flame graph's root frame is a band of the frontend's colour across the whole width, the
/// waterfall's root bar is narrower and the statistics table has none.
#[test]
fn the_headless_render_draws_the_chosen_view() {
    use signalscope::analysis::AnalysedTrace;
    use signalscope::model::TimeZoneChoice;
    use signalscope::render::{OffscreenRenderer, PanelSnapshot, RenderOptions, render_panel};
    use signalscope::ui::chart::service_color;
    use signalscope::workspace::{Panel, PanelId, TracesPanel};

    let mut renderer = OffscreenRenderer::new().expect("an offscreen device");
    let options = RenderOptions::default();
    let background = egui::Visuals::dark().panel_fill;
    // Frames are drawn at 85% opacity over the background.
    let frontend = service_color("frontend");
    let blend = |c: u8, b: u8| (f32::from(c) * 0.85 + f32::from(b) * 0.15).round() as u8;
    let drawn = egui::Color32::from_rgb(
        blend(frontend.r(), background.r()),
        blend(frontend.g(), background.g()),
        blend(frontend.b(), background.b()),
    );
    let trace = Arc::new(AnalysedTrace::new(trace()));
    let now = chrono::Utc::now();
    let mut count = |view: TraceView| {
        let snapshot = PanelSnapshot {
            panel: Panel {
                id: PanelId(1),
                title: "Traces".into(),
                kind: PanelKind::Traces(TracesPanel {
                    view,
                    ..TracesPanel::default()
                }),
            },
            data: None,
            open_trace: Some(Arc::clone(&trace)),
            hidden: Default::default(),
            connections: vec![],
            range: (now - chrono::Duration::hours(1), now),
            zone: TimeZoneChoice::Utc,
        };
        let image = render_panel(&mut renderer, &snapshot, &options).expect("renders");
        support::pixels_near(&image, drawn)
    };
    let flame = count(TraceView::Flame);
    let waterfall = count(TraceView::Waterfall);
    let statistics = count(TraceView::Statistics);
    assert!(flame > 1000 * 15, "a full-width root frame: {flame}");
    assert!(
        waterfall < flame * 2 / 3,
        "a narrower root bar: {waterfall}"
    );
    assert!(statistics < 50, "no frames in the table: {statistics}");
}
