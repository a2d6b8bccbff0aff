//! The Local source in the UI: the demo workspace over a store holding the recorded OTLP
//! story (trace bdd640fb…), driven through accessible widgets.

mod support;

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
        .with_size(egui::vec2(1280.0, 2600.0))
        .build_ui_state(|ui, app: &mut SignalscopeApp| app.frame_ui(ui), app);
    support::step_until(&mut h, "log and trace results", |h| {
        h.state().has_result(logs) && h.state().has_result(traces)
    });

    // The trace list shows the story's root span.
    h.get_by_label("frontend: GET /checkout");
    // The warnings-and-errors log list has the payment decline; selecting it shows its
    // details, whose trace link opens the trace.
    h.get_all_by_label_contains("card declined")
        .next()
        .unwrap()
        .click();
    h.run_steps(2);
    h.get_by_label("View trace").click();
    support::step_until(&mut h, "the opened trace", |h| {
        h.state().open_trace(traces).is_some()
    });
    let trace = h.state().open_trace(traces).unwrap();
    assert_eq!(trace.spans.len(), 10);
    h.get_by_label_contains("Trace bdd640fb06671ad11c80317fa3b1799d");
    h.get_by_label("payment: POST /api/charge");
}

#[test]
fn a_receiver_port_in_use_is_shown_and_the_rest_keeps_working() {
    // Someone else holds the HTTP port.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let runtime = Arc::new(Runtime::new().unwrap());
    let options = signalscope::cli::LocalOptions {
        otlp_http_listen: format!("127.0.0.1:{port}"),
        otlp_grpc_listen: "127.0.0.1:0".into(),
        data_dir: None,
        store_budget_mib: 64,
        demo_workload: true,
    };
    let local = signalscope::app::LocalServices::start(&runtime, &options);
    let status = local.status();
    let http = &status.listeners[0];
    assert_eq!(http.0, "OTLP/HTTP");
    let error = http.1.as_ref().unwrap_err();
    assert!(error.contains(&port.to_string()), "{error}");
    assert!(
        status.listeners[1].1.is_ok(),
        "gRPC still listens: {:?}",
        status.listeners[1]
    );

    let mut ws = Workspace::demo();
    ws.time.auto_refresh_secs = None;
    let app = SignalscopeApp::new(
        runtime,
        Startup {
            workspace: ws,
            path: None,
            load_error: None,
            run_now: vec![PanelId(1)],
            local: Some(local),
        },
    );
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 900.0))
        .build_ui_state(|ui, app: &mut SignalscopeApp| app.frame_ui(ui), app);
    support::step_until(&mut h, "the first panel's query", |h| {
        h.state().has_result(PanelId(1))
    });
    // The sidebar names the problem; the panels still answer from the store.
    h.get_by_label_contains(&format!("127.0.0.1:{port}"));
    assert!(matches!(h.state().panel_result(PanelId(1)), Some(Ok(_))));
    drop(taken);
}
