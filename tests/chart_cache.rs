//! The chart reuses its decimated lines only while the result, range and width stay the same;
//! large results are decimated on a worker thread without blocking a frame; a drag across the
//! chart asks to zoom to the dragged range.

use egui_kittest::Harness;
use signalscope::analysis::{QueryPart, chart_data};
use signalscope::model::{ChartData, Labels, QueryResult, Series, TimeZoneChoice};
use signalscope::ui::chart::{ChartResponse, ChartView, chart_ui};
use signalscope::workspace::{ChartKind, ChartOptions};
use std::collections::HashSet;
use std::sync::Arc;

fn data(id: u64, name: &str, base: f64, points: usize) -> Arc<ChartData> {
    let result = QueryResult {
        series: vec![Series {
            labels: Labels::new(vec![("__name__".into(), name.into())]),
            timestamps: (0..points).map(|i| i as f64).collect(),
            values: (0..points).map(|i| base + (i % 10) as f64).collect(),
        }],
        ..QueryResult::default()
    };
    let mut parts = [QueryPart {
        query: 0,
        legend: String::new(),
        step: 1.0,
        result,
    }];
    Arc::new(chart_data(
        id,
        (0.0, (points - 1) as f64),
        &mut parts,
        usize::MAX,
    ))
}

struct State {
    data: Arc<ChartData>,
    options: ChartOptions,
    shown: ChartResponse,
    frames_preparing: usize,
}

fn harness(data: Arc<ChartData>) -> Harness<'static, State> {
    let state = State {
        data,
        options: ChartOptions::default(),
        shown: ChartResponse::default(),
        frames_preparing: 0,
    };
    Harness::builder()
        .with_size(egui::vec2(800.0, 400.0))
        .build_ui_state(
            |ui, s: &mut State| {
                let response = chart_ui(
                    ui,
                    "chart",
                    ChartView {
                        data: &s.data,
                        options: s.options,
                        zone: TimeZoneChoice::Utc,
                        hidden: &HashSet::new(),
                    },
                );
                if response.preparing {
                    s.frames_preparing += 1;
                }
                // A zoom request or a click is kept until the test reads it.
                let zoom = response.zoom_to.or(s.shown.zoom_to);
                let clicked = response.clicked_exemplar.or(s.shown.clicked_exemplar);
                s.shown = ChartResponse {
                    zoom_to: zoom,
                    clicked_exemplar: clicked,
                    ..response
                };
            },
            state,
        )
}

#[test]
fn a_new_result_is_drawn_not_the_cached_lines_of_the_old_one() {
    let mut h = harness(data(1, "first", 1000.0, 100));
    h.run_steps(3);
    let (lo, hi) = h.state().shown.y_range;
    assert!(
        lo > 999.0 && lo < 1000.0 && hi > 1009.0 && hi < 1010.0,
        "first range {lo}..{hi}"
    );

    // A refresh brings new values above the old ones (axis labels of the same width, so the
    // plot keeps its size): the chart must not reuse the old decimated lines.
    h.state_mut().data = data(2, "second", 5000.0, 100);
    h.run_steps(3);
    let (lo, hi) = h.state().shown.y_range;
    assert!(
        lo > 4999.0 && lo < 5000.0 && hi > 5009.0 && hi < 5010.0,
        "second range {lo}..{hi}"
    );
    assert_eq!(
        h.state().frames_preparing,
        0,
        "small results are decimated at once"
    );

    // Bars rise from zero.
    h.state_mut().options.kind = ChartKind::Bars;
    h.run_steps(2);
    assert_eq!(h.state().shown.y_range.0, 0.0);
}

#[test]
fn large_results_are_decimated_off_the_frame() {
    let mut h = harness(data(1, "big", 1000.0, 1_000_000));
    h.step();
    assert!(
        h.state().shown.preparing,
        "the first frame hands the work to a worker"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while h.state().shown.preparing {
        assert!(
            std::time::Instant::now() < deadline,
            "decimation never finished"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
        h.step();
    }
    let (lo, hi) = h.state().shown.y_range;
    assert!(
        lo > 999.0 && lo < 1000.0 && hi > 1009.0 && hi < 1010.0,
        "range {lo}..{hi}"
    );
}

#[test]
fn dragging_across_the_chart_asks_to_zoom_to_that_range() {
    let mut h = harness(data(1, "series", 0.0, 1000));
    h.run_steps(3);
    // Drag from a quarter to three quarters of the window's width, mid-height.
    let (from, to) = (egui::pos2(250.0, 200.0), egui::pos2(550.0, 200.0));
    h.event(egui::Event::PointerMoved(from));
    h.step();
    h.event(egui::Event::PointerButton {
        pos: from,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: egui::Modifiers::NONE,
    });
    h.step();
    for x in [300.0, 400.0, 500.0, 550.0] {
        h.event(egui::Event::PointerMoved(egui::pos2(x, 200.0)));
        h.step();
    }
    assert_eq!(
        h.state().shown.zoom_to,
        None,
        "nothing happens until release"
    );
    h.event(egui::Event::PointerButton {
        pos: to,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: egui::Modifiers::NONE,
    });
    h.step();
    h.step();
    let (a, b) = h.state().shown.zoom_to.expect("a zoom range");
    // The plot spans most of the 800-point window over 0..999: the selection is a middle part.
    assert!(a > 150.0 && a < 350.0 && b > 550.0 && b < 800.0, "{a}..{b}");
}

#[test]
fn clicking_an_exemplar_reports_which_one() {
    let mut data = (*data(1, "latency", 0.0, 1000)).clone();
    for (t, v, trace) in [(250.0, 2.0, "aa"), (700.0, 7.0, "bb")] {
        data.exemplars.push(signalscope::model::ChartExemplar {
            time: t,
            value: v,
            series: "latency_bucket".into(),
            labels: Labels::new(vec![("trace_id".into(), format!("{trace:0>32}"))]),
            trace_id: signalscope::model::TraceId::parse_hex(&format!("{trace:0>32}")),
        });
    }
    let mut h = harness(Arc::new(data));
    h.run_steps(3);
    let shown = h.state().shown;
    let (rect, (y0, y1)) = (shown.plot_rect, shown.y_range);
    // Where the second exemplar is drawn: the plot maps [0, 999] × [y0, y1] onto its rect.
    let x = rect.left() + rect.width() * (700.0 / 999.0);
    let y = rect.bottom() - rect.height() * ((7.0 - y0) / (y1 - y0)) as f32;
    let at = egui::pos2(x, y);
    h.event(egui::Event::PointerMoved(at));
    h.step();
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
        h.step();
    }
    h.step();
    assert_eq!(h.state().shown.clicked_exemplar, Some(1));
    assert_eq!(h.state().shown.zoom_to, None, "a click is not a zoom");
}
