//! A logs panel on a Loki connection, driven through its accessible widgets against a replay
//! Loki serving recorded responses: type LogQL, press Enter, read the lines; a query Loki
//! cannot parse shows Loki's own message.

mod loki_support;
mod support;

use chrono::TimeZone as _;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use loki_support::{Q_BACKWARD, ReplayLoki, TENANT};
use signalscope::app::{SignalscopeApp, Startup};
use signalscope::fetch::Runtime;
use signalscope::model::TimeRange;
use signalscope::workspace::{
    Connection, ConnectionId, HeaderEntry, LogsPanel, Panel, PanelId, PanelKind, SourceKind,
    Workspace,
};
use std::sync::Arc;

fn app_on(url: &str) -> (SignalscopeApp, PanelId) {
    let mut ws = Workspace::default();
    let loki = ConnectionId(3);
    let mut conn = Connection::prometheus(loki, "Loki", url);
    conn.kind = SourceKind::Loki;
    conn.headers = vec![HeaderEntry::from_input("X-Scope-OrgID", TENANT)];
    ws.connections.push(conn);
    // The recorded lines are from 2026-11-24 07:5x UTC.
    ws.time.range = TimeRange::Absolute {
        from: chrono::Utc.with_ymd_and_hms(2026, 11, 24, 7, 0, 0).unwrap(),
        to: chrono::Utc.with_ymd_and_hms(2026, 11, 24, 8, 0, 0).unwrap(),
    };
    let panel = PanelId(1);
    ws.panels.push(Panel {
        id: panel,
        title: "Logs".into(),
        kind: PanelKind::Logs(LogsPanel {
            connection: Some(loki),
            ..LogsPanel::default()
        }),
    });
    let app = SignalscopeApp::new(
        Arc::new(Runtime::new().unwrap()),
        Startup {
            workspace: ws,
            path: None,
            load_error: None,
            run_now: vec![],
            local: None,
        },
    );
    (app, panel)
}

fn run_logql(h: &mut Harness<'_, SignalscopeApp>, query: &str) {
    h.get_by_label("LogQL").click();
    h.step();
    h.get_by_label("LogQL").type_text(query);
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    h.step();
}

#[test]
fn logql_typed_in_a_loki_panel_loads_the_lines_and_parse_errors_show_lokis_message() {
    let loki = ReplayLoki::start();
    let (app, panel) = app_on(&loki.url);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 900.0))
        .build_ui_state(|ui, app: &mut SignalscopeApp| app.frame_ui(ui), app);
    // Log lines are anyone's text: the recorded ones hold a ✗ that no bundled font draws,
    // which the app shows as a box (egui's default) rather than the tests' panic.
    h.ctx
        .set_missing_glyph_policy(egui::epaint::text::MissingGlyphPolicy::Tofu);
    h.run_steps(2);

    run_logql(&mut h, Q_BACKWARD);
    support::step_until(&mut h, "the Loki lines", |h| h.state().has_result(panel));
    h.run_steps(3);
    let sent = loki
        .seen()
        .into_iter()
        .find(|s| {
            s.path == "/loki/api/v1/query_range"
                && !s.param("query").is_some_and(|q| q.starts_with("sum by"))
        })
        .expect("a query_range request");
    assert_eq!(sent.param("query"), Some(Q_BACKWARD));
    assert_eq!(sent.param("direction"), Some("backward"));
    // A recorded error line of the checkout service is in the table.
    assert!(
        h.query_by_label_contains("payment failed: card declined")
            .is_some(),
        "the recorded error line is shown"
    );
    assert!(h.query_by_label_contains("lines, newest first").is_some());

    // Something Loki cannot parse: its 400 message, not a generic failure.
    h.get_by_label("LogQL").click();
    h.step();
    for _ in 0..Q_BACKWARD.len() {
        h.key_press(egui::Key::Backspace);
    }
    h.get_by_label("LogQL").type_text("not logql");
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    support::step_until(&mut h, "Loki's parse error", |h| {
        h.query_by_label_contains("parse error at line 1").is_some()
    });
}

/// A logs panel on the replay Loki showing the recorded lines, with the checkout error line
/// selected (its details pane open).
fn error_line_selected(loki: &ReplayLoki) -> (Harness<'static, SignalscopeApp>, PanelId) {
    let (app, panel) = app_on(&loki.url);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 1400.0))
        .build_ui_state(|ui, app: &mut SignalscopeApp| app.frame_ui(ui), app);
    h.ctx
        .set_missing_glyph_policy(egui::epaint::text::MissingGlyphPolicy::Tofu);
    h.run_steps(2);
    run_logql(&mut h, Q_BACKWARD);
    support::step_until(&mut h, "the Loki lines", |h| h.state().has_result(panel));
    h.run_steps(3);
    h.get_all_by_label_contains("payment failed: card declined")
        .next()
        .unwrap()
        .click();
    h.run_steps(3);
    (h, panel)
}

fn panel_query(h: &Harness<'_, SignalscopeApp>) -> String {
    match &h.state().workspace.panels[0].kind {
        PanelKind::Logs(l) => l.query.clone(),
        _ => unreachable!(),
    }
}

fn last_sent(loki: &ReplayLoki) -> Option<String> {
    loki.seen()
        .into_iter()
        .rev()
        .find(|s| {
            s.path == "/loki/api/v1/query_range"
                && !s.param("query").is_some_and(|q| q.starts_with("sum by"))
        })
        .and_then(|s| s.param("query").map(str::to_owned))
}

/// A click on a field in a line's details filters the query by it: a logfmt field follows a
/// `| logfmt` stage, a stream label joins the selector; the next request carries the filter.
#[test]
fn clicking_a_label_or_field_of_a_line_filters_the_query() {
    let loki = ReplayLoki::start();
    let (mut h, _) = error_line_selected(&loki);
    h.get_by_label("Filter for status=500").click();
    h.run_steps(2);
    let filtered = format!(r#"{Q_BACKWARD} | logfmt | status="500""#);
    assert_eq!(panel_query(&h), filtered);
    support::step_until(&mut h, "the filtered request", |_| {
        last_sent(&loki).as_deref() == Some(filtered.as_str())
    });

    let (mut h, _) = error_line_selected(&loki);
    h.get_by_label("Filter out pod=checkout-5b8d4-xk2lp")
        .click();
    h.run_steps(2);
    let filtered = r#"{namespace="shop", pod!="checkout-5b8d4-xk2lp"}"#;
    assert_eq!(panel_query(&h), filtered);
    support::step_until(&mut h, "the filtered request", |_| {
        last_sent(&loki).as_deref() == Some(filtered)
    });
}

/// LogQL that ran is remembered per connection; picking it from History runs it again, and
/// Ctrl+Enter runs what is typed.
#[test]
fn logql_history_reruns_a_past_query_and_ctrl_enter_runs() {
    let loki = ReplayLoki::start();
    let (mut h, panel) = error_line_selected(&loki);
    assert_eq!(
        h.state().workspace.query_history[&ConnectionId(3)],
        [Q_BACKWARD.to_owned()]
    );
    let asked = |loki: &ReplayLoki| {
        loki.seen()
            .iter()
            .filter(|s| s.path == "/loki/api/v1/query_range")
            .count()
    };
    let before = asked(&loki);
    h.get_by_label("History").click();
    h.run_steps(2);
    h.get_by_label(Q_BACKWARD).click();
    h.run_steps(2);
    support::step_until(&mut h, "the rerun", |h| {
        asked(&loki) > before && !h.state().is_loading(panel)
    });

    h.get_by_label("LogQL").click();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("LogQL")
        .type_text(r#"{service_name="checkout"}"#);
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    h.run_steps(2);
    support::step_until(&mut h, "the Ctrl+Enter run", |_| {
        last_sent(&loki).as_deref() == Some(r#"{service_name="checkout"}"#)
    });
}

/// The LogQL editor completes label names and values from Loki's label endpoints, and the
/// pipeline's stages after `|`.
#[test]
fn the_logql_editor_completes_labels_values_and_stages_from_loki() {
    let loki = ReplayLoki::start();
    let (app, _) = app_on(&loki.url);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 900.0))
        .build_ui_state(|ui, app: &mut SignalscopeApp| app.frame_ui(ui), app);
    h.run_steps(2);
    h.get_by_label("LogQL").click();
    h.step();
    h.get_by_label("LogQL").type_text("{serv");
    // Both names starting with "serv" are offered.
    support::step_until(&mut h, "label names from Loki", |h| {
        h.query_all_by_label_contains("service_name").count() >= 2
    });
    assert!(
        loki.seen().iter().any(|s| s.path == "/loki/api/v1/labels"),
        "the names came from Loki"
    );
    h.get_by_label("LogQL").type_text("ice_name=\"pa");
    support::step_until(&mut h, "service_name's values", |h| {
        h.query_all_by_label_contains("payment").count() > 0
    });
    // Tab takes the highlighted completion.
    h.key_press(egui::Key::Tab);
    h.run_steps(2);
    let query = match &h.state().workspace.panels[0].kind {
        PanelKind::Logs(l) => l.query.clone(),
        _ => unreachable!(),
    };
    assert_eq!(query, r#"{service_name="payment"#);

    // After the selector, `| lo` offers the logfmt stage.
    h.key_press(egui::Key::End);
    h.get_by_label("LogQL").type_text("\"} | lo");
    h.run_steps(2);
    h.get_by_label_contains("logfmt");
}

/// Live tail over the replay Loki's WebSocket: the frames' lines appear newest first, Loki's
/// dropped entries are counted on screen, the tail reconnects when the server closes, and
/// Pause freezes the view while Stop ends the tail.
#[test]
fn live_tail_shows_new_lines_counts_drops_and_pauses() {
    let loki = ReplayLoki::start();
    let (app, panel) = app_on(&loki.url);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 1000.0))
        .build_ui_state(|ui, app: &mut SignalscopeApp| app.frame_ui(ui), app);
    h.ctx
        .set_missing_glyph_policy(egui::epaint::text::MissingGlyphPolicy::Tofu);
    h.run_steps(2);
    h.get_by_label("LogQL").click();
    h.step();
    h.get_by_label("LogQL").type_text(Q_BACKWARD);
    h.step();
    h.get_by_label("Live").click();
    h.run_steps(2);
    let shown =
        |h: &Harness<'_, SignalscopeApp>| h.state().panel_logs(panel).map_or(0, |b| b.len());
    // The first connection's two frames, then (after the server closes it) the reconnect's.
    let tails = |loki: &ReplayLoki| {
        loki.seen()
            .iter()
            .filter(|s| s.path == "/loki/api/v1/tail")
            .count()
    };
    support::step_until(&mut h, "lines from both connections", |h| {
        h.query_by_label_contains("Loki dropped").is_some() && shown(h) >= 3 && tails(&loki) >= 2
    });
    let sent = loki
        .seen()
        .into_iter()
        .filter(|s| s.path == "/loki/api/v1/tail")
        .collect::<Vec<_>>();
    assert!(sent.len() >= 2, "reconnected after the server closed");
    assert_eq!(sent[0].param("query"), Some(Q_BACKWARD));
    let batch = h.state().panel_logs(panel).unwrap();
    assert!(
        batch.time_ns.windows(2).all(|w| w[0] >= w[1]),
        "newest first"
    );
    // The trace id in the nginx line was found by the workspace's pattern.
    assert!((0..batch.len()).any(|i| batch.trace_id[i].is_some()));
    h.get_by_label_contains("lines/s");

    h.get_by_label("Pause").click();
    h.run_steps(2);
    h.get_by_label_contains("Live, paused");
    h.get_by_label("Resume").click();
    h.run_steps(2);
    h.get_by_label("Stop live").click();
    h.run_steps(2);
    h.get_by_label("Live");
}

/// The volume histogram of a Loki panel comes from one metric query over the whole range
/// (`sum by (detected_level) (count_over_time(…))`, a step per bar), not from the lines loaded.
#[test]
fn the_volume_histogram_is_one_metric_query_by_level() {
    let loki = ReplayLoki::start();
    let (mut h, panel) = error_line_selected(&loki);
    let volume: Vec<_> = loki
        .seen()
        .into_iter()
        .filter(|s| {
            s.path == "/loki/api/v1/query_range"
                && s.param("query")
                    .is_some_and(|q| q.starts_with("sum by (detected_level)"))
        })
        .collect();
    assert_eq!(volume.len(), 1, "one request for the whole histogram");
    assert_eq!(
        volume[0].param("query"),
        Some(r#"sum by (detected_level) (count_over_time({namespace="shop"} [30s]))"#),
        "an hour in 120 bars is a 30 s step"
    );
    assert_eq!(volume[0].param("step"), Some("30"));
    // Every recorded line is counted in the histogram, by its level.
    let total = h.state().panel_volume_total(panel);
    let lines = h.state().panel_logs(panel).unwrap().len() as u64;
    assert_eq!(total, Some(lines));
    h.run_steps(1);
}

/// A field of a line can become a column of the table: its value shows in every row.
#[test]
fn a_field_becomes_a_column_of_every_row() {
    let loki = ReplayLoki::start();
    let (mut h, _) = error_line_selected(&loki);
    h.get_by_label("Show as a column: caller").click();
    h.run_steps(3);
    match &h.state().workspace.panels[0].kind {
        PanelKind::Logs(l) => assert_eq!(l.columns, ["caller"]),
        _ => unreachable!(),
    }
    // The header, and the caller of lines other than the selected one.
    h.get_by_label("caller x");
    assert!(h.query_all_by_label("handler.go:88").count() >= 1);
    assert!(h.query_all_by_label("validate.go:40").count() >= 1);
    h.get_by_label("caller x").click();
    h.run_steps(2);
    assert!(h.query_all_by_label("validate.go:40").count() == 0);
}
