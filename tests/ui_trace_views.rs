//! The traces panel's comparison, service graph, search-result scatter and span detail, driven
//! through their accessible widgets on hand-built traces whose answers are known: a pinned
//! baseline compared with the next trace opened, the calls and errors on each service-graph
//! edge, a click on a scatter point opening its trace, and a span's events and links.

mod support;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use signalscope::analysis::AnalysedTrace;
use signalscope::app::SignalscopeApp;
use signalscope::model::synthetic_trace::bare_span;
use signalscope::model::{
    AttrValue, SpanEvent, SpanId, SpanLink, SpanStatus, TimeZoneChoice, Trace, TraceId,
    TraceSummary,
};
use signalscope::ui::Action;
use signalscope::ui::span_detail::span_detail_ui;
use signalscope::ui::trace_scatter::point_name;
use signalscope::ui::traces_panel::{TracesPanelView, traces_panel_ui};
use signalscope::workspace::{LinkTarget, PanelId, TracesPanel, Workspace};
use std::sync::Arc;

const T0: u64 = 1_790_000_000_000_000_000;
const MS: u64 = 1_000_000;

fn span(
    parent: Option<u32>,
    service: &str,
    name: &str,
    from_ms: u64,
    to_ms: u64,
) -> signalscope::model::Span {
    bare_span(parent, service, name, T0 + from_ms * MS, T0 + to_ms * MS)
}

/// A: frontend GET /checkout [0, 100] -> db SELECT orders [0, 20], payment charge card
/// [50, 100], cache get [60, 68].
fn trace_a() -> Trace {
    Trace {
        trace_id: TraceId([0xa1; 16]),
        spans: vec![
            span(None, "frontend", "GET /checkout", 0, 100),
            span(Some(0), "db", "SELECT orders", 0, 20),
            span(Some(0), "payment", "charge card", 50, 100),
            span(Some(0), "cache", "get", 60, 68),
        ],
    }
}

/// B: frontend GET /checkout [0, 150] -> db SELECT orders [0, 20] and [30, 40] (the second
/// failed), payment charge card [50, 150], auth check [10, 15]. Against A: GET and charge
/// card +50 ms, SELECT orders +10 ms and twice, cache get removed (-8 ms), auth check added
/// (+5 ms).
fn trace_b() -> Trace {
    let mut spans = vec![
        span(None, "frontend", "GET /checkout", 0, 150),
        span(Some(0), "db", "SELECT orders", 0, 20),
        span(Some(0), "auth", "check", 10, 15),
        span(Some(0), "db", "SELECT orders", 30, 40),
        span(Some(0), "payment", "charge card", 50, 150),
    ];
    spans[3].status = SpanStatus::Error;
    Trace {
        trace_id: TraceId([0xb2; 16]),
        spans,
    }
}

fn open(h: &mut Harness<'static, SignalscopeApp>, trace: Trace) -> PanelId {
    let id = trace.trace_id;
    let panel = h.state_mut().open_trace_value(trace);
    support::step_until(h, "the opened trace", |h| {
        h.state().open_trace(panel).map(|t| t.trace_id) == Some(id)
    });
    h.run_steps(2);
    panel
}

/// An app showing trace A, pinned as the baseline, then trace B.
fn compared() -> Harness<'static, SignalscopeApp> {
    let mut h = support::app_harness(Workspace::default(), egui::vec2(1400.0, 1000.0));
    open(&mut h, trace_a());
    h.get_by_label("Compare").click();
    h.run_steps(2);
    h.get_by_label_contains("No baseline yet");
    h.get_by_label("Pin as baseline A").click();
    h.run_steps(2);
    h.get_by_label_contains("The open trace is the baseline");
    open(&mut h, trace_b());
    h
}

fn y(h: &Harness<'_, SignalscopeApp>, label: &str) -> f32 {
    h.get_by_label(label).rect().center().y
}

/// The rows (by centre y) of every cell labelled `label`.
fn ys(h: &Harness<'_, SignalscopeApp>, label: &str) -> Vec<f32> {
    h.get_all_by_label(label)
        .map(|n| n.rect().center().y)
        .collect()
}

fn on_row(h: &Harness<'_, SignalscopeApp>, label: &str, row: f32) -> bool {
    ys(h, label).iter().any(|y| (y - row).abs() < 1.0)
}

#[test]
fn a_pinned_baseline_compares_with_the_next_trace_by_path() {
    let h = compared();
    h.get_by_label_contains("frontend: GET /checkout (a1a1a1a1..., 100.00 ms)");
    h.get_by_label_contains("frontend: GET /checkout (b2b2b2b2..., 150.00 ms)");

    let get = y(&h, "frontend: GET /checkout");
    let charge = y(&h, "frontend: GET /checkout > payment: charge card");
    let select = y(&h, "frontend: GET /checkout > db: SELECT orders");
    let cache = y(&h, "frontend: GET /checkout > cache: get");
    let auth = y(&h, "frontend: GET /checkout > auth: check");
    assert!(
        get < charge && charge < select && select < cache && cache < auth,
        "largest |delta| first: {get} {charge} {select} {cache} {auth}"
    );
    assert!(on_row(&h, "+50.00 ms", get) && on_row(&h, "+50.00 ms", charge));
    // SELECT orders: once in A (20 ms), twice in B (30 ms).
    assert!(on_row(&h, "+10.00 ms", select));
    assert!(on_row(&h, "count changed", select));
    assert!(on_row(&h, "20.00 ms", select) && on_row(&h, "30.00 ms", select));
    assert!(on_row(&h, "2", select));
    assert!(on_row(&h, "-8.00 ms", cache) && on_row(&h, "removed", cache));
    assert!(on_row(&h, "+5.00 ms", auth) && on_row(&h, "added", auth));
    assert!(on_row(&h, "0", auth), "auth check is not in A");
}

#[test]
fn the_service_graph_counts_calls_and_errors_per_edge() {
    let mut h = compared();
    h.get_by_label("Service graph").click();
    h.run_steps(2);
    // Over A and B: frontend called db once in A and twice in B, one of which failed.
    h.get_by_label("frontend -> db: 3 calls, 1 error");
    h.get_by_label("frontend -> payment: 2 calls, 0 errors");
    h.get_by_label("frontend -> cache: 1 call, 0 errors");
    h.get_by_label("frontend -> auth: 1 call, 0 errors");
    h.get_by_label("db: 3 spans, 1 error");
    h.get_by_label("frontend: 2 spans, 0 errors");
    assert!(
        h.query_by_label_contains("db -> ").is_none(),
        "db calls nobody"
    );
    // Callers sit left of the services they call.
    let frontend = h.get_by_label("frontend: 2 spans, 0 errors").rect();
    let db = h.get_by_label("db: 3 spans, 1 error").rect();
    assert!(frontend.right() < db.left());

    // Without the baseline the graph is B's alone.
    h.get_by_label("Clear baseline").click();
    h.run_steps(2);
    h.get_by_label("frontend -> db: 2 calls, 1 error");
    h.get_by_label("frontend -> payment: 1 call, 0 errors");
    assert!(h.query_by_label_contains("frontend -> cache").is_none());
}

fn summary(byte: u8, start_s: u64, duration_ms: u64, errors: u32) -> TraceSummary {
    TraceSummary {
        trace_id: TraceId([byte; 16]),
        root_service: "frontend".into(),
        root_name: format!("GET /{byte}"),
        start_ns: T0 + start_s * 1_000_000_000,
        duration_ns: duration_ms * MS,
        span_count: 3,
        error_count: errors,
    }
}

struct PanelHost {
    spec: TracesPanel,
    list: Vec<TraceSummary>,
    open: Option<Arc<AnalysedTrace>>,
    actions: Vec<Action>,
}

/// A traces panel alone, listing `list`, that keeps every action it returns.
fn panel_host(
    id: PanelId,
    list: Vec<TraceSummary>,
    size: egui::Vec2,
) -> Harness<'static, PanelHost> {
    Harness::builder().with_size(size).build_ui_state(
        move |ui, host: &mut PanelHost| {
            let actions = traces_panel_ui(
                ui,
                TracesPanelView {
                    id,
                    spec: &mut host.spec,
                    loading: false,
                    last: Some(Ok(&host.list)),
                    open_trace: host.open.as_ref(),
                    opening: None,
                    results_graph: None,
                    results_graph_progress: None,
                    zone: TimeZoneChoice::Utc,
                    connections: &[],
                    focus: &mut None,
                    completion: None,
                },
            );
            host.actions.extend(actions);
        },
        PanelHost {
            spec: TracesPanel::default(),
            list,
            open: None,
            actions: Vec::new(),
        },
    )
}

fn followed_traces(actions: &[Action]) -> Vec<(TraceId, Option<SpanId>)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Follow(link) => match &link.to {
                LinkTarget::Trace { trace_id, span } => Some((*trace_id, *span)),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

#[test]
fn a_click_on_a_scatter_point_opens_its_trace() {
    let list = vec![
        summary(1, 0, 12, 0),
        summary(2, 20, 250, 1),
        summary(3, 40, 80, 0),
    ];
    let mut h = panel_host(PanelId(1), list.clone(), egui::vec2(1000.0, 600.0));
    h.run_steps(3);
    // The slow error trace is the highest point, and the middle one in time.
    let points: Vec<egui::Rect> = list
        .iter()
        .map(|t| h.get_by_label(&point_name(t)).rect())
        .collect();
    assert!(points[1].center().y < points[2].center().y);
    assert!(points[2].center().y < points[0].center().y);
    assert!(
        points[0].center().x < points[1].center().x && points[1].center().x < points[2].center().x
    );
    assert!(followed_traces(&h.state().actions).is_empty());

    h.get_by_label(&point_name(&list[1])).click();
    h.run_steps(2);
    assert_eq!(
        followed_traces(&h.state().actions),
        vec![(list[1].trace_id, None)]
    );
    // A click on empty plot space opens nothing.
    let empty = egui::pos2(
        (points[0].center().x + points[1].center().x) / 2.0,
        points[0].center().y,
    );
    h.event(egui::Event::PointerMoved(empty));
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos: empty,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
    }
    h.run_steps(2);
    assert_eq!(followed_traces(&h.state().actions).len(), 1);
}

#[test]
fn the_span_pane_lists_events_links_resource_and_scope() {
    let mut trace = trace_a();
    for (i, s) in trace.spans.iter_mut().enumerate() {
        s.span_id = SpanId([i as u8 + 1; 8]);
    }
    let other = TraceId([0xc3; 16]);
    let s = &mut trace.spans[2];
    s.events.push(SpanEvent {
        time_ns: T0 + 55 * MS,
        name: "card declined".into(),
        attributes: vec![("retry".into(), AttrValue::Int(2))],
    });
    s.links.push(SpanLink {
        trace_id: other,
        span_id: SpanId([9; 8]),
        attributes: vec![],
    });
    // The db span of the same trace.
    s.links.push(SpanLink {
        trace_id: trace.trace_id,
        span_id: SpanId([2; 8]),
        attributes: vec![("link.kind".into(), AttrValue::Str("retry-of".into()))],
    });
    s.resource = Arc::from(vec![(
        "host.name".to_owned(),
        AttrValue::Str("pay-7".into()),
    )]);
    s.scope = Arc::from("payment-sdk");
    let trace = AnalysedTrace::new(trace);
    let span = trace
        .trace
        .spans
        .iter()
        .position(|s| s.name == "charge card")
        .unwrap() as u32;
    let mut h = Harness::builder()
        .with_size(egui::vec2(1000.0, 700.0))
        .build_ui_state(
            move |ui, (actions, select): &mut (Vec<Action>, Option<u32>)| {
                let detail = span_detail_ui(ui, &trace, span);
                actions.extend(detail.actions);
                *select = detail.select.or(*select);
            },
            (Vec::new(), None),
        );
    h.run_steps(2);
    let event = h.get_by_label("card declined").rect().center().y;
    assert!((h.get_by_label("+55.00 ms").rect().center().y - event).abs() < 1.0);
    assert!((h.get_by_label("retry=2").rect().center().y - event).abs() < 1.0);
    h.get_by_label("Events (1)");
    h.get_by_label("Links (2)");
    h.get_by_label("link.kind=retry-of");
    h.get_by_label_contains(&format!("trace {other} span 0909090909090909"));
    h.get_by_label("Scope: payment-sdk");
    h.get_by_label("host.name");
    h.get_by_label("pay-7");
    // The existing links stay.
    h.get_by_label("Logs for this span");
    h.get_by_label("Open linked trace").click();
    h.run_steps(2);
    assert_eq!(
        followed_traces(&h.state().0),
        vec![(other, Some(SpanId([9; 8])))]
    );
    assert_eq!(h.state().1, None);
    // A link within the trace selects its span in place rather than fetching anything.
    h.get_by_label("Select linked span").click();
    h.run_steps(2);
    assert_eq!(h.state().1, Some(1), "db: SELECT orders");
    assert_eq!(followed_traces(&h.state().0).len(), 1);
}

/// `render --view service-graph` draws the graph: B's failing frontend -> db calls make a red
/// arrow and label, which the statistics table of the same trace has none of.
#[test]
fn the_headless_render_draws_the_service_graph() {
    use signalscope::render::{OffscreenRenderer, PanelSnapshot, RenderOptions, render_panel};
    use signalscope::workspace::{Panel, PanelKind, TraceView};

    let mut renderer = OffscreenRenderer::new().expect("an offscreen device");
    let options = RenderOptions::default();
    let trace = Arc::new(AnalysedTrace::new(trace_b()));
    let now = chrono::Utc::now();
    let mut red = |view: TraceView| {
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
        support::pixels_near(&image, egui::Color32::from_rgb(0xf2, 0x49, 0x5c))
    };
    let graph = red(TraceView::ServiceGraph);
    let statistics = red(TraceView::Statistics);
    assert!(graph > 200, "a red arrow and label: {graph}");
    assert!(
        statistics < graph / 4,
        "little red in the table: {statistics}"
    );
}

/// A graph over more spans than a frame should walk is built on a worker thread; the view
/// shows it when it lands, with the same counts the analysis gives.
#[test]
fn the_service_graph_of_a_large_trace_is_built_off_the_frame() {
    use signalscope::analysis::service_graph::service_graph;
    use signalscope::model::synthetic_trace::{SyntheticTraceSpec, synthetic_trace};
    use signalscope::ui::trace_derived::BACKGROUND_SPANS;

    let trace = synthetic_trace(SyntheticTraceSpec {
        spans: BACKGROUND_SPANS + 10_000,
        seed: 3,
    });
    let expected = service_graph(&[&trace]);
    let edge = expected.edges.first().expect("calls between services");
    let label = format!(
        "{} -> {}: {} call{}, {} error{}",
        expected.nodes[edge.from as usize].service,
        expected.nodes[edge.to as usize].service,
        edge.calls,
        if edge.calls == 1 { "" } else { "s" },
        edge.errors,
        if edge.errors == 1 { "" } else { "s" },
    );
    let mut h = support::app_harness(Workspace::default(), egui::vec2(1400.0, 1000.0));
    open(&mut h, trace);
    h.get_by_label("Service graph").click();
    support::step_until(&mut h, "the service graph", |h| {
        h.query_by_label(&label).is_some()
    });
    assert!(
        h.query_by_label_contains("Building the service graph")
            .is_none()
    );
}

/// The traces panel has the panel menu every panel has: Export as PNG… asks for a file, the
/// export is the panel as on screen with the open trace's bars (B's failing span in red), and
/// Remove panel takes the panel and its trace away.
#[test]
fn a_traces_panel_exports_as_png_and_is_removed_from_its_menu() {
    // The menu's entries, on the panel alone: Export as PNG… asks where (no path yet).
    let mut host = panel_host(PanelId(7), vec![], egui::vec2(1000.0, 600.0));
    host.get_by_label("Panel menu").click();
    host.run_steps(2);
    host.get_by_label("Export as PNG…").click();
    host.run_steps(2);
    assert_eq!(
        host.state().actions,
        vec![Action::ExportPng {
            panel: PanelId(7),
            path: None
        }]
    );

    // With a trace open, its "Save trace…" asks where to save it.
    host.state_mut().open = Some(Arc::new(AnalysedTrace::new(trace_b())));
    host.state_mut().actions.clear();
    host.run_steps(2);
    host.get_by_label("Save trace…").click();
    host.run_steps(2);
    assert_eq!(
        host.state().actions,
        vec![Action::SaveTrace {
            panel: PanelId(7),
            path: None
        }]
    );

    // In the app: the file written where the dialog would point.
    let mut h = support::app_harness(Workspace::default(), egui::vec2(1400.0, 1000.0));
    let panel = open(&mut h, trace_b());
    let png = support::exported_panel(&mut h, panel);
    let red = support::pixels_near(&png, egui::Color32::from_rgb(0xf2, 0x49, 0x5c));
    assert!(red > 50, "the failing span's error mark: {red} pixels");

    h.get_by_label("Panel menu").click();
    h.run_steps(2);
    h.get_by_label("Remove panel").click();
    h.run_steps(2);
    assert!(h.state().workspace.panel(panel).is_none());
    assert!(h.state().open_trace(panel).is_none());
    assert!(h.query_by_label("Panel menu").is_none());
}

/// Panel menu → View panel shows that panel alone at the whole height (room for the waterfall
/// and the span pane); Esc or "Show all panels" brings the others back.
#[test]
fn a_panel_viewed_alone_takes_the_whole_height_until_esc() {
    use signalscope::workspace::{LogsPanel, Panel, PanelKind};
    let mut ws = Workspace::default();
    for (id, title, kind) in [
        (1, "Logs", PanelKind::Logs(LogsPanel::default())),
        (2, "Traces", PanelKind::Traces(TracesPanel::default())),
    ] {
        ws.panels.push(Panel {
            id: PanelId(id),
            title: title.into(),
            kind,
        });
    }
    let mut h = support::app_harness(ws, egui::vec2(1400.0, 1200.0));
    let traces = open(&mut h, trace_b());
    assert_eq!(traces, PanelId(2));
    let shared = h.state().panel_rect(traces).expect("drawn").height();
    assert_eq!(h.get_all_by_label("Panel menu").count(), 2);

    let view = |h: &mut Harness<'static, SignalscopeApp>| {
        let menu = h
            .get_all_by_label("Panel menu")
            .max_by(|a, b| a.rect().center().y.total_cmp(&b.rect().center().y))
            .expect("the traces panel's menu, the lower one");
        menu.click();
        h.run_steps(2);
        h.get_by_label("View panel").click();
        h.run_steps(3);
        h.get_by_label("One panel of 2 shown");
        assert_eq!(h.get_all_by_label("Panel menu").count(), 1);
        let alone = h.state().panel_rect(traces).expect("drawn").height();
        assert!(alone > shared * 1.8, "{alone} alone vs {shared} shared");
    };
    view(&mut h);
    h.key_press(egui::Key::Escape);
    h.run_steps(3);
    assert_eq!(h.get_all_by_label("Panel menu").count(), 2);
    assert!(h.query_by_label("One panel of 2 shown").is_none());

    view(&mut h);
    h.get_by_label("Show all panels").click();
    h.run_steps(3);
    assert_eq!(h.get_all_by_label("Panel menu").count(), 2);
    let again = h.state().panel_rect(traces).expect("drawn").height();
    assert!((again - shared).abs() < 1.0, "{again} vs {shared}");
}

/// The found traces' Sort (Jaeger UI's): most recent first by default, then longest, shortest
/// or most errors first as chosen; the choice is the panel's, kept in the workspace.
#[test]
fn the_trace_list_sorts_as_chosen() {
    let list = vec![
        summary(1, 0, 12, 0),
        summary(2, 20, 250, 1),
        summary(3, 40, 80, 3),
    ];
    let mut h = panel_host(PanelId(1), list, egui::vec2(1000.0, 700.0));
    h.run_steps(2);
    // The rows from top to bottom, by their names.
    let rows = |h: &Harness<'_, PanelHost>| -> Vec<String> {
        let mut rows: Vec<(f32, String)> = (1..=3)
            .map(|b| {
                let name = format!("frontend: GET /{b}");
                (h.get_by_label(&name).rect().center().y, name)
            })
            .collect();
        rows.sort_by(|a, b| a.0.total_cmp(&b.0));
        rows.into_iter()
            .map(|(_, n)| n.trim_start_matches("frontend: GET /").to_owned())
            .collect()
    };
    assert_eq!(rows(&h), ["3", "2", "1"], "most recent first");
    for (choice, expected) in [
        ("Longest first", ["2", "3", "1"]),
        ("Shortest first", ["1", "3", "2"]),
        ("Most errors", ["3", "2", "1"]),
    ] {
        h.get_by_label("Sort").click();
        h.run_steps(2);
        h.get_by_label(choice).click();
        h.run_steps(2);
        assert_eq!(rows(&h), expected, "{choice}");
    }
    assert_eq!(
        h.state().spec.order,
        signalscope::analysis::trace_list_order::TraceOrder::MostErrors
    );
    assert!(h.state().actions.is_empty(), "sorting fetches nothing");
}

/// Above an open trace, Jaeger UI's header: root, start, duration, services, depth, spans and
/// errors — for trace B all known by construction.
#[test]
fn the_open_trace_is_summed_up_above_its_views() {
    use signalscope::ui::trace_header::trace_summary;
    let expected = "Trace b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2 · frontend: GET /checkout · started 2026-09-21 14:13:20.000 · 150.00 ms · \
                    4 services · depth 2 · 5 spans · 1 error";
    let b = AnalysedTrace::new(trace_b());
    assert_eq!(trace_summary(&b, TimeZoneChoice::Utc), expected);
    // A has no error and a third level once cache get hangs under charge card.
    let mut a = trace_a();
    a.spans[3].parent = Some(2);
    let a = AnalysedTrace::new(a);
    assert!(
        trace_summary(&a, TimeZoneChoice::Utc).ends_with("depth 3 · 4 spans · 0 errors"),
        "{}",
        trace_summary(&a, TimeZoneChoice::Utc)
    );

    let h = compared();
    h.get_by_label(expected);
}
