//! The logs panel at scale, driven through its accessible widgets: 200,000 lines from the
//! Local store, find-in-results (searched off the frame at this size), next match, the detail
//! pane with the trace link, and a 150 KB line shortened in its row but whole on request.

mod support;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
use opentelemetry_proto::tonic::resource::v1::Resource;
use signalscope::app::{LocalServices, SignalscopeApp, Startup};
use signalscope::fetch::Runtime;
use signalscope::model::TimeRange;
use signalscope::store::sink::ExportLogsServiceRequest;
use signalscope::store::{LocalStore, TelemetrySink};
use signalscope::workspace::{
    Connection, ConnectionId, LogsPanel, Panel, PanelId, PanelKind, Workspace,
};
use std::sync::Arc;

const LINES: u64 = 200_000;
const START_NS: u64 = 1_795_500_000_000_000_000;
const TRACE: &str = "bdd640fb06671ad11c80317fa3b1799d";

fn text(s: &str) -> Option<AnyValue> {
    Some(AnyValue {
        value: Some(any_value::Value::StringValue(s.to_owned())),
    })
}

/// One line per millisecond; every 40,000th is a timeout with a trace id; line 7 is 150 KB.
fn store() -> LocalStore {
    let records = (0..LINES)
        .map(|i| {
            let timeout = i % 40_000 == 123;
            let body = match i {
                7 => format!("huge payload {}", "x".repeat(150 * 1024)),
                _ if timeout => format!("upstream Timeout after 30s request={i}"),
                _ => format!("GET /api/items/{i} 200 in {} ms", i % 97),
            };
            LogRecord {
                time_unix_nano: START_NS + i * 1_000_000,
                severity_number: if timeout { 17 } else { 9 },
                body: text(&body),
                trace_id: if timeout {
                    (0..16)
                        .map(|b| u8::from_str_radix(&TRACE[b * 2..b * 2 + 2], 16).unwrap())
                        .collect()
                } else {
                    Vec::new()
                },
                ..LogRecord::default()
            }
        })
        .collect();
    let request = ExportLogsServiceRequest {
        resource_logs: vec![ResourceLogs {
            resource: Some(Resource {
                attributes: vec![KeyValue {
                    key: "service.name".into(),
                    value: text("gateway"),
                    ..KeyValue::default()
                }],
                ..Resource::default()
            }),
            scope_logs: vec![ScopeLogs {
                log_records: records,
                ..ScopeLogs::default()
            }],
            ..ResourceLogs::default()
        }],
    };
    let store = LocalStore::new(1024 * 1024 * 1024);
    store.append_logs(request).expect("within budget");
    store
}

#[test]
fn find_next_match_details_and_a_long_line_over_200k_lines() {
    let mut ws = Workspace::default();
    let local = ConnectionId(1);
    ws.connections.push(Connection::local(local));
    use chrono::TimeZone as _;
    ws.time.range = TimeRange::Absolute {
        from: chrono::Utc.timestamp_opt(1_795_499_990, 0).unwrap(),
        to: chrono::Utc.timestamp_opt(1_795_500_300, 0).unwrap(),
    };
    let panel = PanelId(1);
    ws.panels.push(Panel {
        id: panel,
        title: "Logs".into(),
        kind: PanelKind::Logs(LogsPanel {
            connection: Some(local),
            ..LogsPanel::default()
        }),
    });
    let app = SignalscopeApp::new(
        Arc::new(Runtime::new().unwrap()),
        Startup {
            workspace: ws,
            path: None,
            load_error: None,
            run_now: vec![panel],
            local: Some(LocalServices::from_store(store())),
        },
    );
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 900.0))
        .build_ui_state(|ui, app: &mut SignalscopeApp| app.frame_ui(ui), app);
    support::step_until(&mut h, "the log lines", |h| h.state().has_result(panel));
    h.run_steps(2);
    h.get_by_label_contains(&format!("{LINES} lines, newest first"));

    // Find, any case: five timeouts among 200,000 lines.
    h.get_by_label("Find in results").click();
    h.step();
    h.get_by_label("Find in results").type_text("TIMEOUT");
    support::step_until(&mut h, "the matches", |h| {
        h.query_by_label_contains("of 5 lines").is_some()
    });
    h.get_by_label("Next match").click();
    h.run_steps(3);
    h.get_by_label_contains("2 of 5 lines");
    // The selected line's details carry its trace id and the link to it.
    h.get_by_label_contains(&format!("trace_id: {TRACE}"));
    assert!(h.query_by_label("View trace").is_some());
    h.get_by_label("Previous match").click();
    h.run_steps(3);
    h.get_by_label_contains("1 of 5 lines");
    // The line shows in its row and whole in the details.
    assert_eq!(
        h.query_all_by_label_contains("upstream Timeout after 30s")
            .count(),
        2
    );

    // The 150 KB line: shortened in its row, whole in the details on request.
    h.get_by_label("Find in results").click();
    h.step();
    for _ in 0..7 {
        h.key_press(egui::Key::Backspace);
    }
    h.get_by_label("Find in results").type_text("huge payload");
    support::step_until(&mut h, "the long line", |h| {
        h.query_by_label_contains("1 of 1 lines").is_some()
    });
    h.get_by_label("Next match").click();
    h.run_steps(3);
    h.get_by_label_contains("shortened: 150 KB");
    h.get_by_label_contains("This line is 150 KB long.");
    h.get_by_label("Show full line").click();
    h.run_steps(2);
    h.get_by_label("Show the start only");

    // Dedup by numbers: the 200,000 lines differ only in their digits between the timeouts
    // and the long line, so 13 rows stand for them all (folded on a worker thread).
    h.get_by_label("Dedup").click();
    h.run_steps(2);
    h.get_by_label("Numbers").click();
    support::step_until(&mut h, "the folded lines", |h| {
        h.query_by_label_contains("199987 duplicates folded")
            .is_some()
    });
    h.run_steps(2);
    // The newest run folds 39,876 lines into its first.
    h.get_by_label_contains("x39876");

    // Export as PNG (where the panel menu's dialog leads): the panel at its size on screen,
    // drawn with its lines, whose volume bars and level marks are the info level's green.
    let png = support::exported_panel(&mut h, panel);
    let green = support::pixels_near(&png, egui::Color32::from_rgb(0x73, 0xbf, 0x69));
    assert!(green > 500, "info-level green: {green} pixels");
}
