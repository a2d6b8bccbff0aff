//! The metrics panel driven through its accessible widgets, as a user would: type, Ctrl+Enter,
//! read the legend; plus a rendered snapshot. (The PNG export is tested in render_cli.rs.)

mod support;

use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable as _;
use egui_kittest::{Harness, SnapshotOptions};
use signalscope::app::{SignalscopeApp, Startup};
use signalscope::fetch::Runtime;
use signalscope::model::{TimeRange, TimeZoneChoice};
use signalscope::workspace::{PanelId, Workspace};
use std::sync::Arc;

fn app_with_panel(url: &str, query: &str, range: Option<TimeRange>) -> (SignalscopeApp, PanelId) {
    let mut workspace = Workspace::default();
    let panel = workspace.add_prometheus_with_panel(url, query);
    workspace.time.zone = TimeZoneChoice::Utc;
    if let Some(range) = range {
        workspace.time.range = range;
    }
    let run_now = if query.is_empty() {
        vec![]
    } else {
        vec![panel]
    };
    let startup = Startup {
        workspace,
        path: None,
        load_error: None,
        run_now,
        local: None,
    };
    let runtime = Arc::new(Runtime::new().expect("runtime"));
    (SignalscopeApp::new(runtime, startup), panel)
}

fn harness(app: SignalscopeApp, ppp: f32) -> Harness<'static, SignalscopeApp> {
    Harness::builder()
        .with_size(egui::vec2(1200.0, 700.0))
        .with_pixels_per_point(ppp)
        .wgpu()
        .build_ui_state(|ui, app: &mut SignalscopeApp| app.frame_ui(ui), app)
}

/// The recorded range of the fixtures: 2026-11-24 07:53:09 to 07:57:51 UTC.
fn recorded_range() -> TimeRange {
    use chrono::TimeZone as _;
    TimeRange::Absolute {
        from: chrono::Utc.timestamp_opt(1_795_506_789, 0).unwrap(),
        to: chrono::Utc.timestamp_opt(1_795_507_071, 0).unwrap(),
    }
}

#[test]
fn typing_a_query_and_pressing_ctrl_enter_shows_the_series_in_the_legend() {
    let Some(prom) = support::Prometheus::start() else {
        return;
    };
    // Enough history that the last step of the range has a sample behind it.
    prom.wait_for_samples(10);
    let (app, panel) = app_with_panel(&prom.url, "", None);
    let mut h = harness(app, 1.0);
    h.step();

    let editor = h.get_by_label("PromQL query");
    editor.click();
    h.step();
    h.get_by_label("PromQL query").type_text("up");
    h.step();
    h.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
    h.step();
    assert!(h.state().is_loading(panel) || h.state().panel_result(panel).is_some());
    support::step_until(&mut h, "the query result", |h| {
        h.state().panel_result(panel).is_some()
    });

    let legend = format!(
        "up{{instance=\"127.0.0.1:{}\", job=\"prometheus\"}}",
        prom.port
    );
    assert!(matches!(h.state().panel_result(panel), Some(Ok(_))));
    let chart = h.state().panel_chart(panel).expect("a chart");
    assert_eq!(chart.series.len(), 1, "{chart:?}");
    assert_eq!(chart.series[0].stats.last, 1.0, "up is 1");
    h.get_by_label(&legend);
    // The editor kept the query and Ctrl+Enter did not add a newline.
    let signalscope::workspace::PanelKind::Metrics(spec) = &h.state().workspace.panels[0].kind
    else {
        panic!("a metrics panel")
    };
    assert_eq!(spec.first_query(), "up");

    // The inspector tells what was asked and what it cost, as Prometheus reported it.
    h.get_by_label("Query inspector A").click();
    h.run_steps(2);
    h.get_by_label_contains(&format!("POST {}/api/v1/query_range?query=up", prom.url));
    h.get_by_label("Server time");
    h.get_by_label("Samples read");
    let status = h.get_by_label("HTTP status").rect();
    assert!(
        h.query_all_by_label("200")
            .any(|n| (n.rect().center().y - status.center().y).abs() < 4.0),
        "status 200 on the HTTP status row"
    );
}

#[test]
fn prometheus_error_is_shown_in_the_panel() {
    let replay = support::Replay::start(
        400,
        include_bytes!("fixtures/prometheus/error-bad-data-parse.json"),
    );
    let (app, panel) = app_with_panel(&replay.url, "rate(up[1m]", Some(recorded_range()));
    let mut h = harness(app, 1.0);
    support::step_until(&mut h, "the error", |h| {
        h.state().panel_result(panel).is_some()
    });
    h.get_by_label("Query error");
    h.get_by_label_contains("1:12: parse error: unclosed left parenthesis");
    // The editor finds the same mistake before the query is sent.
    h.get_by_label_contains("Syntax error:");
}

#[test]
fn metrics_panel_renders_the_recorded_series() {
    let replay = support::Replay::start(
        200,
        include_bytes!("fixtures/prometheus/query-range-gappy-threshold-step1s.json"),
    );
    let (app, panel) = app_with_panel(&replay.url, "demo_queue_depth > 60", Some(recorded_range()));
    let mut h = harness(app, 1.0);
    support::step_until(&mut h, "the chart", |h| {
        h.state().panel_result(panel).is_some()
    });
    // The sidebar's health dot waits on a background check too.
    support::step_until(&mut h, "the health check", |h| {
        h.query_by_label_contains("Checking").is_none()
    });
    h.get_by_label(
        "demo_queue_depth{env=\"fixture\", instance=\"127.0.0.1:19091\", job=\"demo\", queue=\"billing\"}",
    );
    // Request time and size vary from run to run; the rest of the frame must not.
    // The mask runs to the panel's edge so that its size does not depend on the text.
    let mut status = h.get_by_label_contains("2 series, 264 points").rect();
    status.max.x = h.state().panel_rect(panel).expect("panel drawn").max.x;
    h.mask(status);
    h.snapshot_options(
        "metrics_panel",
        &SnapshotOptions::new().threshold(0.6).max_failed_pixels(40),
    );
}

#[test]
fn a_second_query_a_legend_format_an_instant_table_and_isolating_a_series() {
    let replay = support::Replay::start(
        200,
        include_bytes!("fixtures/prometheus/query-range-gappy-threshold-step1s.json"),
    );
    let (app, panel) = app_with_panel(&replay.url, "demo_queue_depth > 60", Some(recorded_range()));
    let mut h = harness(app, 1.0);
    support::step_until(&mut h, "the chart", |h| {
        h.state().panel_chart(panel).is_some()
    });

    // Query A's legend format names the series by their queue.
    h.get_by_label("Options A").click();
    h.run_steps(3);
    h.get_by_label("Legend").click();
    h.step();
    h.get_by_label("Legend").type_text("queue {{queue}}");
    h.step();
    // Enter ends the edit; the panel runs again with the new names.
    h.key_press(Key::Enter);
    h.run_steps(2);
    support::step_until(&mut h, "the renamed series", |h| {
        h.state().panel_chart(panel).is_some_and(|c| {
            c.series.iter().map(|s| s.name.as_str()).collect::<Vec<_>>()
                == ["queue billing", "queue email"]
        })
    });
    h.get_by_label("queue billing");

    // Query B, instant, shows as a table of label sets beside the chart of A.
    h.get_by_label("Options A").click();
    h.run_steps(2);
    h.get_by_label("Add query").click();
    h.run_steps(2);
    h.get_by_label("PromQL query B").click();
    h.step();
    h.get_by_label("PromQL query B")
        .type_text("demo_queue_depth");
    h.step();
    h.get_by_label("Options B").click();
    h.run_steps(3);
    h.get_by_label("Instant").click();
    h.run_steps(2);
    support::step_until(&mut h, "the instant table", |h| {
        h.query_by_label_contains("Value").is_some()
    });
    assert_eq!(
        h.query_all_by_label_contains("demo_queue_depth{env=\"fixture\"")
            .count(),
        2,
        "one table row per series"
    );
    assert_eq!(
        h.state().panel_chart(panel).unwrap().series.len(),
        2,
        "A's chart stays"
    );
    h.get_by_label_contains("B: 2 series,");

    // A click on a legend entry shows only that series; a second click shows all again.
    h.get_by_label("queue billing").click();
    h.run_steps(2);
    let hidden = h.state().hidden_series(panel).unwrap().clone();
    assert_eq!(hidden, ["queue email".to_owned()].into_iter().collect());
    h.get_by_label("queue billing").click();
    h.run_steps(2);
    assert!(h.state().hidden_series(panel).unwrap().is_empty());

    // Every run went into the connection's history, which each query can pick from.
    let ws = &h.state().workspace;
    let conn = ws.connections[0].id;
    assert_eq!(
        ws.query_history[&conn],
        ["demo_queue_depth > 60", "demo_queue_depth"]
    );
    h.get_by_label("History B").click();
    h.run_steps(3);
    h.get_by_label("demo_queue_depth > 60").click();
    h.run_steps(2);
    let signalscope::workspace::PanelKind::Metrics(spec) = &h.state().workspace.panels[0].kind
    else {
        panic!("a metrics panel")
    };
    assert_eq!(spec.queries[1].expr, "demo_queue_depth > 60");
}

#[test]
fn completion_offers_metric_names_and_label_values_from_the_server() {
    let Some(prom) = support::Prometheus::start() else {
        return;
    };
    prom.wait_for_samples(3);
    let (app, panel) = app_with_panel(&prom.url, "", None);
    let mut h = harness(app, 1.0);
    h.step();
    h.get_by_label("PromQL query").click();
    h.step();
    h.get_by_label("PromQL query")
        .type_text("prometheus_http_requests_to");
    // The names come from the server in the background; the list appears when they are in.
    support::step_until(&mut h, "metric name completions", |h| {
        h.query_by_label_contains("prometheus_http_requests_total")
            .is_some()
    });
    h.key_press(Key::Tab);
    h.run_steps(2);
    let query = |h: &Harness<'_, SignalscopeApp>| {
        let signalscope::workspace::PanelKind::Metrics(spec) = &h.state().workspace.panels[0].kind
        else {
            panic!("a metrics panel")
        };
        spec.first_query().to_owned()
    };
    assert_eq!(query(&h), "prometheus_http_requests_total");

    // Inside the braces after `job=`: the job label's values, quoted.
    h.get_by_label("PromQL query").type_text("{job=");
    support::step_until(&mut h, "label value completions", |h| {
        // The popup shows the value as it is (the insert is quoted).
        h.query_by_label("prometheus  ").is_some()
    });
    h.key_press(Key::Tab);
    h.run_steps(2);
    assert_eq!(
        query(&h),
        "prometheus_http_requests_total{job=\"prometheus\""
    );
    // The closed selector runs with Ctrl+Enter.
    h.get_by_label("PromQL query").type_text("}");
    h.step();
    h.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
    support::step_until(&mut h, "the result", |h| {
        h.state().panel_result(panel).is_some()
    });
    assert!(matches!(h.state().panel_result(panel), Some(Ok(_))));
}

#[test]
fn bucket_rates_draw_as_a_heatmap_with_quantile_lines() {
    let replay = support::Replay::start(
        200,
        include_bytes!("fixtures/prometheus/query-range-classic-buckets-rate-step5s.json"),
    );
    use chrono::TimeZone as _;
    let range = TimeRange::Absolute {
        from: chrono::Utc.timestamp_opt(1_795_526_315, 0).unwrap(),
        to: chrono::Utc.timestamp_opt(1_795_526_395, 0).unwrap(),
    };
    let (mut app, panel) = app_with_panel(
        &replay.url,
        "sum by (le) (rate(demo_classic_seconds_bucket[10s]))",
        Some(range),
    );
    if let signalscope::workspace::PanelKind::Metrics(spec) = &mut app.workspace.panels[0].kind {
        spec.chart.kind = signalscope::workspace::ChartKind::Heatmap;
        spec.chart.unit = signalscope::workspace::Unit::Seconds;
    }
    let mut h = harness(app, 1.0);
    support::step_until(&mut h, "the heatmap", |h| {
        h.state().panel_chart(panel).is_some()
    });
    h.run_steps(2);
    let view = h
        .state()
        .panel_heatmap(panel)
        .expect("a heatmap of the buckets");
    // Seven `le` buckets (the last is +Inf) over 17 steps of 5 s.
    assert_eq!((view.rows, view.columns), (7, 17));
    assert_eq!(view.overlays.len(), 3);
    assert!(view.overlays.iter().all(|(_, points)| points.len() == 17));
    // The legend names the quantile lines.
    for q in ["p50", "p90", "p99"] {
        h.get_by_label(q);
    }
    if let Ok(path) = std::env::var("SIGNALSCOPE_DEBUG_PNG") {
        h.render().unwrap().save(path).unwrap();
    }
}
