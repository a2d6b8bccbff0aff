//! Linked drilldowns on the demo incident: from the demo workspace's error-rate chart to the
//! failing span and its error log line in three clicks, and back again with Back. The demo
//! shop is ticked on a simulated clock through its first payment incident into a Local store.

mod support;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use signalscope::app::{SignalscopeApp, Startup};
use signalscope::demo::{DemoConfig, DemoShop};
use signalscope::fetch::Runtime;
use signalscope::model::{SpanStatus, TimeRange};
use signalscope::store::{LocalStore, TelemetrySink};
use signalscope::workspace::{Link, PanelId, PanelKind, Workspace};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

const LOGS: PanelId = PanelId(3);
const TRACES: PanelId = PanelId(4);
const ERROR_RATIO: PanelId = PanelId(2);

/// Five and a half minutes of the demo shop, the payment incident from 240 s to 300 s.
fn incident_store() -> (LocalStore, chrono::DateTime<chrono::Utc>) {
    let config = DemoConfig {
        endpoint: "http://127.0.0.1:1".into(),
        requests_per_second: 10.0,
        incident_every: Duration::from_secs(240),
        incident_length: Duration::from_secs(60),
        seed: 7,
    };
    let opened = UNIX_EPOCH + Duration::from_secs(1_795_500_000);
    let mut shop = DemoShop::new(&config, opened);
    let store = LocalStore::new(512 * 1024 * 1024);
    for second in 0..=330 {
        let batch = shop.tick(opened + Duration::from_secs(second));
        store.append_traces(batch.traces).unwrap();
        store.append_logs(batch.logs).unwrap();
        if let Some(metrics) = batch.metrics {
            store.append_metrics(metrics).unwrap();
        }
    }
    (store, chrono::DateTime::<chrono::Utc>::from(opened))
}

fn demo_app() -> Harness<'static, SignalscopeApp> {
    let (store, opened) = incident_store();
    let mut ws = Workspace::demo();
    ws.time.range = TimeRange::Absolute {
        from: opened,
        to: opened + chrono::Duration::seconds(330),
    };
    ws.time.auto_refresh_secs = None;
    let run_now = ws.panels.iter().map(|p| p.id).collect();
    let app = SignalscopeApp::new(
        Arc::new(Runtime::new().unwrap()),
        Startup {
            workspace: ws,
            path: None,
            load_error: None,
            run_now,
            local: Some(signalscope::app::LocalServices::from_store(store)),
        },
    );
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 4400.0))
        .build_ui_state(|ui, app: &mut SignalscopeApp| app.frame_ui(ui), app);
    support::step_until(&mut h, "the demo's panels", |h| {
        [ERROR_RATIO, LOGS, TRACES]
            .iter()
            .all(|p| h.state().has_result(*p) && !h.state().is_loading(*p))
    });
    h
}

fn logs_spec(h: &Harness<'_, SignalscopeApp>) -> signalscope::workspace::LogsPanel {
    h.state()
        .workspace
        .panels
        .iter()
        .find_map(|p| match &p.kind {
            PanelKind::Logs(l) if p.id == LOGS => Some(l.clone()),
            _ => None,
        })
        .unwrap()
}

fn settled(h: &mut Harness<'_, SignalscopeApp>, panel: PanelId, what: &str) {
    support::step_until(h, what, |h| {
        h.state().has_result(panel) && !h.state().is_loading(panel)
    });
}

#[test]
fn from_the_error_spike_to_the_failing_span_and_its_error_line_in_three_clicks() {
    let mut h = demo_app();
    let before = logs_spec(&h);
    assert_eq!(h.state().breadcrumb(), ["Workspace"]);

    // Click 1: the payment series of the error-ratio chart → payment's error lines.
    h.get_by_label("Logs for payment in Error ratio by service (5xx)")
        .click();
    h.run_steps(2);
    settled(&mut h, LOGS, "payment's error logs");
    let spec = logs_spec(&h);
    assert_eq!(spec.service, "payment");
    assert_eq!(
        spec.min_severity, 17,
        "an error-rate series opens error lines"
    );
    let batch = h.state().panel_logs(LOGS).unwrap();
    assert!(!batch.is_empty(), "the incident logged payment errors");
    assert!((0..batch.len()).all(|i| batch.severity[i] >= 17 && batch.service[i] == "payment"));
    let (line_trace, line_span) = (batch.trace_id[0].unwrap(), batch.span_id[0].unwrap());
    // The link scrolled the logs panel into view; let the scroll settle before clicking in it.
    h.run_steps(60);

    // Click 2: the first line's trace link → its trace, with the span that logged the line
    // selected.
    h.get_all_by_label_contains("Open trace ")
        .next()
        .expect("a trace link on an error line")
        .click();
    support::step_until(&mut h, "the linked trace", |h| {
        h.state()
            .open_trace(TRACES)
            .is_some_and(|t| t.trace_id == line_trace)
    });
    h.run_steps(3);
    let trace = h.state().open_trace(TRACES).unwrap();
    let failing = trace
        .spans
        .iter()
        .find(|s| s.span_id == line_span)
        .expect("the line's span is in its trace");
    assert_eq!(failing.service, "payment");
    assert_eq!(failing.status, SpanStatus::Error, "the failing span");
    // The span pane shows that span: its status and its own logs link.
    // Its row in the waterfall and the pane's title.
    assert!(
        h.get_all_by_label(&format!("{}: {}", failing.service, failing.name))
            .count()
            >= 2
    );
    h.get_by_label_contains("status: error");
    h.get_by_label(&format!("span {}", failing.span_id));

    // Click 3: that span's logs → its error line among them (once the scroll to the traces
    // panel has settled).
    h.run_steps(60);
    h.get_by_label("Logs for this span").click();
    h.run_steps(2);
    settled(&mut h, LOGS, "the span's logs");
    let spec = logs_spec(&h);
    assert_eq!(spec.trace_id, line_trace.to_string());
    let batch = h.state().panel_logs(LOGS).unwrap();
    assert!((0..batch.len()).all(|i| batch.trace_id[i] == Some(line_trace)));
    assert!(
        (0..batch.len()).any(|i| batch.severity[i] >= 17 && batch.span_id[i] == Some(line_span)),
        "the failing span's error line is shown"
    );
    assert_eq!(
        h.state().breadcrumb(),
        [
            "Workspace",
            "Logs of payment, errors",
            &format!("Trace {}", &line_trace.to_string()[..8]),
            &format!("Logs of payment of trace {}", &line_trace.to_string()[..8]),
        ]
    );

    // Back retraces the clicks: the error lines, then the workspace as it was.
    h.get_by_label("Back").click();
    h.run_steps(2);
    assert_eq!(logs_spec(&h).min_severity, 17);
    assert!(logs_spec(&h).trace_id.is_empty());
    h.get_by_label("Back").click();
    h.run_steps(2);
    h.get_by_label("Back").click();
    h.run_steps(2);
    assert_eq!(logs_spec(&h), before);
    assert_eq!(h.state().breadcrumb(), ["Workspace"]);
    let batch = h.state().panel_logs(LOGS).unwrap();
    assert!(
        (0..batch.len()).any(|i| batch.severity[i] < 17),
        "the original warnings-and-errors list is back"
    );
    // Forward goes again without asking anyone.
    h.get_by_label("Forward").click();
    h.run_steps(2);
    assert_eq!(logs_spec(&h).service, "payment");
    assert!(!h.state().is_loading(LOGS));
}

#[test]
fn a_pasted_link_opens_the_trace_with_its_span_selected() {
    let mut h = demo_app();
    let batch = h.state().panel_logs(LOGS).unwrap();
    let row = (0..batch.len())
        .find(|&i| batch.severity[i] >= 17 && batch.span_id[i].is_some())
        .expect("an error line with a span");
    let (trace_id, span_id) = (batch.trace_id[row].unwrap(), batch.span_id[row].unwrap());
    let uri = format!("signalscope://trace/{trace_id}?span={span_id}");
    assert!(Link::from_uri(&uri).is_ok());

    h.get_by_label("Link").click();
    h.step();
    h.get_by_label("Link").type_text(&uri);
    h.step();
    h.get_by_label("Open link").click();
    support::step_until(&mut h, "the pasted link's trace", |h| {
        h.state()
            .open_trace(TRACES)
            .is_some_and(|t| t.trace_id == trace_id)
    });
    h.run_steps(3);
    h.get_by_label(&format!("span {span_id}"));

    // A link that is not one says why.
    h.get_by_label("Link").click();
    h.step();
    h.get_by_label("Link")
        .type_text("signalscope://dashboards/1");
    h.step();
    h.get_by_label("Open link").click();
    h.run_steps(2);
    h.get_by_label_contains("unknown link kind “dashboards”");
}

#[test]
fn a_link_can_open_beside_its_panel_on_its_own_range_and_back_removes_it() {
    let mut h = demo_app();
    let global = h.state().workspace.time.range;
    let before = logs_spec(&h);
    h.get_by_label("Open links beside").click();
    h.get_by_label("Links set the global time").click();
    h.run_steps(2);
    assert!(h.state().workspace.links.beside);
    assert!(!h.state().workspace.links.sync_time);

    h.get_by_label("Logs for payment in Error ratio by service (5xx)")
        .click();
    h.run_steps(2);
    let ws = &h.state().workspace;
    let at = ws.panels.iter().position(|p| p.id == ERROR_RATIO).unwrap();
    let beside = &ws.panels[at + 1];
    assert!(
        matches!(&beside.kind, PanelKind::Logs(l) if l.service == "payment" && l.min_severity == 17)
    );
    assert!(ws.layout.beside.contains(&beside.id));
    let beside_id = beside.id;
    // Only the new panel took the chart's range; the rest keep the global one.
    assert!(ws.layout.own_range.contains_key(&beside_id));
    assert_eq!(ws.time.range, global);
    assert_eq!(
        logs_spec(&h),
        before,
        "the workspace's own logs panel is untouched"
    );
    settled(&mut h, beside_id, "the lines beside the chart");
    let batch = h.state().panel_logs(beside_id).unwrap();
    assert!(!batch.is_empty());
    assert!((0..batch.len()).all(|i| batch.service[i] == "payment"));
    h.get_by_label_contains("Own range from a link");

    h.get_by_label("Back").click();
    h.run_steps(2);
    let ws = &h.state().workspace;
    assert!(ws.panels.iter().all(|p| p.id != beside_id));
    assert!(ws.layout.beside.is_empty() && ws.layout.own_range.is_empty());
}

#[test]
fn a_latency_series_opens_slow_traces_and_a_span_opens_its_service_metrics() {
    let mut h = demo_app();
    let latency = PanelId(5);
    support::step_until(&mut h, "the latency chart", |h| {
        h.state().panel_chart(latency).is_some()
    });
    let slowest_floor_ms = {
        let chart = h.state().panel_chart(latency).unwrap();
        let payment = chart.series.iter().find(|s| s.name == "payment").unwrap();
        payment
            .values
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .fold(f64::INFINITY, f64::min)
            * 1000.0
    };
    h.get_by_label("Traces for payment in p95 latency by service")
        .click();
    h.run_steps(2);
    settled(&mut h, TRACES, "payment's slow traces");
    let spec = h
        .state()
        .workspace
        .panels
        .iter()
        .find_map(|p| match &p.kind {
            PanelKind::Traces(t) if p.id == TRACES => Some(t.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(spec.service, "payment");
    assert!(
        (spec.min_duration_ms - slowest_floor_ms).abs() < 1e-6,
        "{} vs {slowest_floor_ms}",
        spec.min_duration_ms
    );
    assert!(!spec.errors_only, "a latency chart does not count errors");
    let traces = h.state().panel_traces(TRACES).unwrap();
    assert!(!traces.is_empty(), "the incident has slow payment traces");
    assert!(
        traces
            .iter()
            .all(|t| t.duration_ns as f64 / 1e6 >= slowest_floor_ms),
        "every listed trace is at least as slow as the series' floor"
    );

    // Open one and ask for its service's metrics.
    let first = traces[0].clone();
    h.get_all_by_label(&format!("{}: {}", first.root_service, first.root_name))
        .next()
        .unwrap()
        .click();
    support::step_until(&mut h, "the trace", |h| {
        h.state().open_trace(TRACES).is_some()
    });
    h.run_steps(60);
    let root_service = first.root_service.clone();
    // The root span is selected by a click on its row (not on its collapse toggle).
    h.get_all_by_role(egui::accesskit::Role::Row)
        .rfind(|row| {
            row.accesskit_node()
                .label()
                .is_some_and(|l| l.starts_with(&format!("{root_service}: ")))
        })
        .unwrap()
        .click();
    h.run_steps(2);
    let panels_before = h.state().workspace.panels.len();
    h.get_by_label("Metrics for this service").click();
    h.run_steps(2);
    let ws = &h.state().workspace;
    assert_eq!(ws.panels.len(), panels_before + 1);
    let added = ws.panels.last().unwrap();
    let PanelKind::Metrics(m) = &added.kind else {
        panic!("a metrics panel")
    };
    assert_eq!(m.queries.len(), 3);
    assert!(m.queries.iter().all(|q| q.expr.contains("service_name=\"")));
    let id = added.id;
    support::step_until(&mut h, "the service's metrics", |h| {
        h.state().panel_chart(id).is_some()
    });
    assert!(!h.state().panel_chart(id).unwrap().series.is_empty());
}
