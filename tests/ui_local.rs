//! The Local source in the UI: the demo workspace over a store holding the recorded OTLP
//! story (trace bdd640fb…), driven through accessible widgets.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use prost::Message as _;
use signalscope::app::{SignalscopeApp, Startup};
use signalscope::fetch::Runtime;
use signalscope::model::TimeRange;
use signalscope::store::sink::{ExportLogsServiceRequest, ExportTraceServiceRequest};
use signalscope::store::{LocalStore, TelemetrySink};
use signalscope::workspace::{PanelId, Workspace};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn store_with_story() -> LocalStore {
    let store = LocalStore::default();
    for body in [
        &include_bytes!("fixtures/otlp/http-protobuf/traces-frontend.pb")[..],
        include_bytes!("fixtures/otlp/http-protobuf/traces-checkout.pb"),
        include_bytes!("fixtures/otlp/http-protobuf/traces-payment.pb"),
    ] {
        store
            .append_traces(ExportTraceServiceRequest::decode(body).unwrap())
            .unwrap();
    }
    for body in [
        &include_bytes!("fixtures/otlp/http-protobuf/logs-frontend.pb")[..],
        include_bytes!("fixtures/otlp/http-protobuf/logs-checkout.pb"),
        include_bytes!("fixtures/otlp/http-protobuf/logs-payment.pb"),
    ] {
        store
            .append_logs(ExportLogsServiceRequest::decode(body).unwrap())
            .unwrap();
    }
    store
}

fn step_until(
    h: &mut Harness<'_, SignalscopeApp>,
    what: &str,
    done: impl Fn(&Harness<'_, SignalscopeApp>) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(h) {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    h.step();
}

#[test]
fn an_error_log_line_opens_its_trace_in_the_trace_panel() {
    let mut ws = Workspace::demo();
    // The recorded story happened on 2026-11-24 around 07:57 UTC; look at that day.
    use chrono::TimeZone as _;
    ws.time.range = TimeRange::Absolute {
        from: chrono::Utc.timestamp_opt(1_795_500_000, 0).unwrap(),
        to: chrono::Utc.timestamp_opt(1_795_510_000, 0).unwrap(),
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
            local: Some(signalscope::app::LocalServices::from_store(
                store_with_story(),
            )),
        },
    );
    let (logs, traces) = (PanelId(3), PanelId(4));
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 1400.0))
        .build_ui_state(|ui, app: &mut SignalscopeApp| app.frame_ui(ui), app);
    step_until(&mut h, "log and trace results", |h| {
        h.state().has_result(logs) && h.state().has_result(traces)
    });

    // The trace list shows the story's root span.
    h.get_by_label("frontend: GET /checkout");
    // The warnings-and-errors log list has the payment decline; its trace link opens it.
    h.get_by_label_contains("card declined");
    let links = h.get_all_by_label("trace").count();
    assert!(links > 0, "error lines carry trace links");
    h.get_all_by_label("trace").next().unwrap().click();
    step_until(&mut h, "the opened trace", |h| {
        h.state().open_trace(traces).is_some()
    });
    let trace = h.state().open_trace(traces).unwrap();
    assert_eq!(trace.spans.len(), 10);
    h.get_by_label_contains("Trace bdd640fb06671ad11c80317fa3b1799d");
    h.get_by_label("payment charge card");
}
