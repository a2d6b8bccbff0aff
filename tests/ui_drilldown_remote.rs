//! Linked drilldowns across remote sources: a Prometheus-shaped error chart → Loki lines →
//! the Jaeger trace behind an error line (its span selected) → that span's lines in Loki, in
//! three clicks, and Back. Each server is a replay following its documented API, fed with the
//! recorded story (trace bdd640fb…): Loki's metric-query fixture as the Prometheus
//! `query_range` matrix, Loki's recorded stream lines (the replay applies the query's line
//! filter), and the recorded OTLP/JSON spans wrapped as Jaeger's API v3 `GetTrace` answer.

mod support;
mod trace_replay;

use chrono::TimeZone as _;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use signalscope::app::{SignalscopeApp, Startup};
use signalscope::fetch::Runtime;
use signalscope::model::TimeRange;
use signalscope::workspace::{
    Connection, ConnectionId, LogsPanel, MetricsPanel, Panel, PanelId, PanelKind, SourceKind,
    TracesPanel, Workspace,
};
use std::sync::Arc;
use trace_replay::{JSON, Query, Replay, fixture, go_not_found};

const STORY: &str = "bdd640fb06671ad11c80317fa3b1799d";
const STORY_SPAN: &str = "bd9c66b3ad3c2d6d";
const METRICS: PanelId = PanelId(1);
const LOGS: PanelId = PanelId(2);
const TRACES: PanelId = PanelId(3);

/// Loki's recorded streams with only the lines a query's line filter keeps: `|= "text"`, or
/// `|~ "(?i)error"` as a case-insensitive match; the stream selector `{service_name="x"}`
/// keeps that service's streams.
fn loki_answer(query: &str) -> Vec<u8> {
    // The volume histogram's metric query: no level counts recorded, an empty matrix.
    if query.starts_with("sum by (detected_level)") {
        return br#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#.to_vec();
    }
    let mut body: serde_json::Value =
        serde_json::from_slice(&fixture("loki/query-range-streams-backward.json")).unwrap();
    let service = query
        .split_once("service_name=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(s, _)| s.to_owned());
    let keep = |line: &str| {
        if let Some((_, text)) = query.split_once("|= \"") {
            line.contains(text.trim_end_matches('"'))
        } else if query.contains(r#"|~ "(?i)error""#) {
            line.to_ascii_lowercase().contains("error")
        } else {
            true
        }
    };
    let streams = body["data"]["result"].as_array_mut().unwrap();
    streams.retain(|s| {
        service
            .as_deref()
            .is_none_or(|want| s["stream"]["service_name"] == want)
    });
    for stream in streams.iter_mut() {
        stream["values"]
            .as_array_mut()
            .unwrap()
            .retain(|v| keep(v[1].as_str().unwrap()));
    }
    streams.retain(|s| !s["values"].as_array().unwrap().is_empty());
    serde_json::to_vec(&body).unwrap()
}

/// The recorded OTLP/JSON spans of the story, as Jaeger's v3 `GetTrace` returns them.
fn jaeger_trace() -> Vec<u8> {
    let mut resource_spans = Vec::new();
    for service in ["frontend", "checkout", "payment"] {
        let body: serde_json::Value = serde_json::from_slice(&fixture(&format!(
            "otlp/recorded/http-json/traces-{service}.json"
        )))
        .unwrap();
        resource_spans.extend(body["resourceSpans"].as_array().unwrap().iter().cloned());
    }
    serde_json::to_vec(&serde_json::json!({ "result": { "resourceSpans": resource_spans } }))
        .unwrap()
}

fn connection(id: u32, kind: SourceKind, name: &str, url: &str) -> Connection {
    let mut c = Connection::prometheus(ConnectionId(id), name, url);
    c.kind = kind;
    c
}

fn logs_query(h: &Harness<'_, SignalscopeApp>) -> String {
    h.state()
        .workspace
        .panels
        .iter()
        .find_map(|p| match &p.kind {
            PanelKind::Logs(l) => Some(l.query.clone()),
            _ => None,
        })
        .unwrap()
}

/// The three replay servers and a workspace reading them: an error chart on Prometheus, a
/// logs panel on Loki and a traces panel on Jaeger, over the story's minutes.
struct Remote {
    h: Harness<'static, SignalscopeApp>,
    loki: Replay,
    jaeger: Replay,
    _prometheus: Replay,
}

fn remote() -> Remote {
    let prometheus = Replay::start(|path, _q: &Query| match path {
        "/api/v1/query_range" => (
            200,
            JSON,
            fixture("loki/query-range-matrix-error-count-by-service.json"),
        ),
        _ => go_not_found(),
    });
    let loki = Replay::start(|path, q: &Query| match path {
        "/loki/api/v1/query_range" => (200, JSON, loki_answer(&q["query"])),
        _ => go_not_found(),
    });
    let jaeger = Replay::start(|path, _q: &Query| match path {
        p if p == format!("/api/v3/traces/{STORY}") => (200, JSON, jaeger_trace()),
        _ => go_not_found(),
    });
    let mut chart = MetricsPanel::new(
        Some(ConnectionId(1)),
        r#"sum by (service_name) (count_over_time({service_name=~".+"} |~ "error" [1m]))"#,
    );
    chart.queries[0].legend = "{{service_name}}".into();
    let ws = Workspace {
        connections: vec![
            connection(1, SourceKind::Prometheus, "Prometheus", &prometheus.url),
            connection(2, SourceKind::Loki, "Loki", &loki.url),
            connection(3, SourceKind::Jaeger, "Jaeger", &jaeger.url),
        ],
        time: signalscope::workspace::TimeSettings {
            range: TimeRange::Absolute {
                from: chrono::Utc
                    .with_ymd_and_hms(2026, 11, 24, 7, 50, 0)
                    .unwrap(),
                to: chrono::Utc.with_ymd_and_hms(2026, 11, 24, 8, 2, 0).unwrap(),
            },
            ..Default::default()
        },
        panels: vec![
            Panel {
                id: METRICS,
                title: "Errors by service".into(),
                kind: PanelKind::Metrics(chart),
            },
            Panel {
                id: LOGS,
                title: "Logs".into(),
                kind: PanelKind::Logs(LogsPanel {
                    connection: Some(ConnectionId(2)),
                    ..LogsPanel::default()
                }),
            },
            Panel {
                id: TRACES,
                title: "Traces".into(),
                kind: PanelKind::Traces(TracesPanel {
                    connection: Some(ConnectionId(3)),
                    ..TracesPanel::default()
                }),
            },
        ],
        ..Workspace::default()
    };
    let app = SignalscopeApp::new(
        Arc::new(Runtime::new().unwrap()),
        Startup {
            workspace: ws,
            path: None,
            load_error: None,
            run_now: vec![METRICS],
            local: None,
        },
    );
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 2400.0))
        .build_ui_state(|ui, app: &mut SignalscopeApp| app.frame_ui(ui), app);
    // The recorded lines hold a ✗ that the test font lacks.
    h.ctx
        .set_missing_glyph_policy(egui::epaint::text::MissingGlyphPolicy::Tofu);
    support::step_until(&mut h, "the chart", |h| {
        h.state().panel_chart(METRICS).is_some()
    });
    h.run_steps(2);
    Remote {
        h,
        loki,
        jaeger,
        _prometheus: prometheus,
    }
}

#[test]
fn prometheus_chart_to_loki_lines_to_jaeger_span_to_its_loki_lines_and_back() {
    let Remote {
        mut h,
        loki,
        jaeger,
        ..
    } = remote();

    // Click 1: checkout's series → checkout's error lines in Loki.
    h.get_by_label("Logs for checkout in Errors by service")
        .click();
    support::step_until(&mut h, "checkout's lines", |h| {
        h.state().has_result(LOGS) && !h.state().is_loading(LOGS)
    });
    assert_eq!(
        logs_query(&h),
        r#"{service_name="checkout"} |~ "(?i)error""#
    );
    let batch = h.state().panel_logs(LOGS).unwrap();
    assert!(!batch.is_empty());
    let row = (0..batch.len())
        .find(|&i| batch.body(i).contains(STORY))
        .expect("the recorded error line of the story");
    // Loki has no trace id column: the workspace's pattern found it in the line.
    assert_eq!(batch.trace_id[row].unwrap().to_string(), STORY);
    assert_eq!(batch.span_id[row].unwrap().to_string(), STORY_SPAN);
    h.run_steps(60);

    // Click 2: the line's trace link → the trace from Jaeger, the line's span selected.
    h.get_by_label(&format!("Open trace {STORY} of line {row}"))
        .click();
    support::step_until(&mut h, "the Jaeger trace", |h| {
        h.state().open_trace(TRACES).is_some()
    });
    h.run_steps(3);
    assert!(jaeger.paths().contains(&format!("/api/v3/traces/{STORY}")));
    h.get_by_label(&format!("span {STORY_SPAN}"));

    // Click 3: that span's lines in Loki, over the span's time (once the scroll to the
    // traces panel has settled).
    h.run_steps(60);
    h.get_by_label("Logs for this span").click();
    h.run_steps(2);
    support::step_until(&mut h, "the span's lines", |h| {
        h.state().has_result(LOGS) && !h.state().is_loading(LOGS)
    });
    assert_eq!(
        logs_query(&h),
        format!(r#"{{service_name=~".+"}} |= "{STORY}""#)
    );
    let (_, asked) = loki
        .requests()
        .into_iter()
        .rev()
        .find(|(p, q)| p == "/loki/api/v1/query_range" && !q["query"].starts_with("sum by"))
        .unwrap();
    let start: u64 = asked["start"].parse().unwrap();
    let end: u64 = asked["end"].parse().unwrap();
    // The span ran at 07:57:04; its logs are asked for within seconds of it, not the hour.
    let at = 1_795_507_024_000_000_000u64;
    assert!(
        start <= at && end >= at && end - start < 60_000_000_000,
        "{start}..{end}"
    );
    let batch = h.state().panel_logs(LOGS).unwrap();
    assert!(
        (0..batch.len()).any(|i| batch.body(i).contains("level=error")
            && batch.span_id[i].is_some_and(|s| s.to_string() == STORY_SPAN)),
        "the span's error line"
    );

    // Back: the checkout error lines again, as they were shown.
    let requests_before = loki.requests().len();
    h.get_by_label("Back").click();
    h.run_steps(2);
    h.get_by_label("Back").click();
    h.run_steps(2);
    assert_eq!(
        logs_query(&h),
        r#"{service_name="checkout"} |~ "(?i)error""#
    );
    assert_eq!(
        loki.requests().len(),
        requests_before,
        "Back shows what was shown without asking again"
    );
}

/// The correlations editor changes what a link asks: a service-errors template typed in the
/// sidebar is the LogQL the chart's link sends to Loki.
#[test]
fn an_edited_correlation_template_is_what_the_link_asks_loki() {
    let Remote { mut h, loki, .. } = remote();
    h.get_by_label("Correlations").click();
    h.run_steps(2);
    let field = "Service errors (LogQL)";
    h.get_by_label(field).click();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label(field)
        .type_text(r#"{job="${service}"} |= "level=error""#);
    h.step();
    h.get_by_label("Logs for checkout in Errors by service")
        .click();
    support::step_until(&mut h, "checkout's lines", |h| {
        h.state().has_result(LOGS) && !h.state().is_loading(LOGS)
    });
    let (_, asked) = loki
        .requests()
        .into_iter()
        .rev()
        .find(|(p, q)| p == "/loki/api/v1/query_range" && !q["query"].starts_with("sum by"))
        .expect("the link asked Loki");
    assert_eq!(asked["query"], r#"{job="checkout"} |= "level=error""#);
    // A pattern that is not a regex is named in the editor.
    let pattern = "Trace id in log lines (regex)";
    h.get_by_label(pattern).click();
    h.step();
    h.get_by_label(pattern).type_text("(");
    h.step();
    h.get_by_label_contains("not a valid regex");
}

/// "Show context" on a Loki line asks for the lines before and after it in its exact stream
/// and shows them around it, oldest first.
#[test]
fn show_context_asks_loki_for_the_lines_around_a_line_in_its_stream() {
    let Remote { mut h, loki, .. } = remote();
    h.get_by_label("Logs for checkout in Errors by service")
        .click();
    support::step_until(&mut h, "checkout's lines", |h| {
        h.state().has_result(LOGS) && !h.state().is_loading(LOGS)
    });
    h.run_steps(60);
    h.get_all_by_label_contains("request failed")
        .next()
        .expect("the error line")
        .click();
    h.run_steps(3);
    h.get_by_label("Show context").click();
    support::step_until(&mut h, "the context window", |h| {
        h.query_by_label_contains("lines around the line").is_some()
    });
    let asked: Vec<_> = loki
        .requests()
        .into_iter()
        .filter(|(p, q)| p == "/loki/api/v1/query_range" && !q["query"].contains('|'))
        .collect();
    assert_eq!(asked.len(), 2, "one request each side: {asked:?}");
    let exact = r#"{container="checkout", namespace="shop", pod="checkout-5b8d4-xk2lp", service_name="checkout"}"#;
    assert!(asked.iter().all(|(_, q)| q["query"] == exact), "{asked:?}");
    let directions: Vec<&str> = asked.iter().map(|(_, q)| q["direction"].as_str()).collect();
    assert!(directions.contains(&"backward") && directions.contains(&"forward"));
    // The stream's other recorded lines are around it in the window.
    h.get_by_label_contains("checkout started");
    assert!(h.query_all_by_label_contains("request failed").count() >= 2);
}
