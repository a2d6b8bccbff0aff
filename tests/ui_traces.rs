//! The trace waterfall on a 200,000-span synthetic trace, driven through accessible widgets:
//! the trace opens without freezing, find with next, next error, collapse with the keyboard,
//! the critical-path-only filter, and the detail pane's link to the span's logs.

mod support;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{Queryable as _, by};
use signalscope::app::{SignalscopeApp, Startup};
use signalscope::fetch::Runtime;
use signalscope::model::SpanStatus;
use signalscope::model::synthetic_trace::{SyntheticTraceSpec, synthetic_trace};
use signalscope::workspace::{PanelKind, Workspace};
use std::sync::Arc;

const SPANS: usize = 200_000;

fn rows(h: &Harness<'_, SignalscopeApp>) -> usize {
    h.query_all(by().role(Role::Row)).count()
}

#[test]
fn a_200k_span_trace_opens_and_navigates() {
    let trace = synthetic_trace(SyntheticTraceSpec {
        spans: SPANS,
        seed: 7,
    });
    let errors = trace
        .spans
        .iter()
        .filter(|s| s.status == SpanStatus::Error)
        .count();
    assert!(errors > 0, "the generator makes some errors");
    let root_name = {
        let root = &trace.spans[0];
        format!("{}: {}", root.service, root.name)
    };
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
    let panel = app.open_trace_value(trace);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 1000.0))
        .build_ui_state(|ui, app: &mut SignalscopeApp| app.frame_ui(ui), app);
    support::step_until(&mut h, "the opened trace", |h| {
        h.state().open_trace(panel).is_some()
    });
    h.run_steps(2);
    h.get_by_label_contains(&format!("{SPANS} spans"));
    let shown = rows(&h);
    assert!(
        (10..200).contains(&shown),
        "only the rows on screen are laid out: {shown}"
    );

    // Critical path only: the root stays, on top.
    h.get_by_label("Critical path only").click();
    h.run_steps(2);
    assert!(h.query_all_by_label(&root_name).count() >= 1);
    assert!(rows(&h) <= shown);
    h.get_by_label("Critical path only").click();
    h.run_steps(2);

    // Find: the payment service's Refund spans; "Next span" selects one and shows it.
    h.get_by_label("Find in trace").click();
    h.step();
    h.get_by_label("Find in trace").type_text("refund");
    // At this size the search runs on a worker thread; the frame does not wait for it.
    support::step_until(&mut h, "the matches", |h| {
        h.query_by_label_contains("1 of ").is_some()
    });
    h.get_by_label("Next span").click();
    h.run_steps(3);
    h.get_by_label_contains("2 of ");
    assert!(
        h.query_all_by_label_contains(": Refund").count() >= 2,
        "the selected row is scrolled into view beside its details"
    );

    // Next error: the details say so.
    h.get_by_label("Next error").click();
    h.run_steps(3);
    h.get_by_label_contains("status: error");

    // Select the root, collapse it with the left arrow: one row left; right expands again.
    h.get_by_label("Find in trace").click();
    h.step();
    h.key_press(egui::Key::Escape);
    h.step();
    h.get_by_label("Minimap: click to jump").click();
    h.run_steps(2);
    h.key_press(egui::Key::Home);
    h.run_steps(2);
    // The root is the top row.
    h.get_all_by_label(&root_name).next().unwrap().click();
    h.run_steps(2);
    h.key_press(egui::Key::ArrowLeft);
    h.run_steps(2);
    assert_eq!(rows(&h), 1, "the collapsed root alone");
    h.key_press(egui::Key::ArrowRight);
    h.run_steps(2);
    assert!(rows(&h) > 10, "expanded again");

    // The selected span's logs: a logs panel appears, filtered to this trace.
    h.get_by_label("Logs for this span").click();
    h.run_steps(2);
    let ws = &h.state().workspace;
    let logs = ws
        .panels
        .iter()
        .find_map(|p| match &p.kind {
            PanelKind::Logs(l) => Some(l),
            _ => None,
        })
        .expect("a logs panel");
    assert_eq!(
        logs.trace_id,
        h.state().open_trace(panel).unwrap().trace_id.to_string()
    );
}

#[test]
fn a_trace_file_opens_in_the_waterfall() {
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
    // Tempo's v2 answer for the story trace, as a file (OTLP/JSON wrapped in `trace`).
    app.open_trace_path(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tempo/trace-v2.json"),
    );
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 1000.0))
        .build_ui_state(|ui, app: &mut SignalscopeApp| app.frame_ui(ui), app);
    support::step_until(&mut h, "the opened trace", |h| {
        h.state()
            .workspace
            .panels
            .first()
            .and_then(|p| h.state().open_trace(p.id))
            .is_some()
    });
    h.run_steps(2);
    let panel = h.state().workspace.panels[0].id;
    let trace = h.state().open_trace(panel).unwrap();
    assert_eq!(
        trace.trace_id.to_string(),
        "bdd640fb06671ad11c80317fa3b1799d"
    );
    assert_eq!(trace.spans.len(), 10);
    h.get_by_label_contains("Trace bdd640fb06671ad11c80317fa3b1799d");
    h.get_by_label("payment: charge card");
    h.get_by_label_contains("Opened");

    // Save trace… (where its dialog leads): OTLP/JSON that opens again as the same trace.
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("story.json");
    h.state_mut().save_open_trace(panel, saved.clone());
    support::step_until(&mut h, "the saved trace", |h| {
        h.query_by_label_contains("Saved trace bdd640fb06671ad11c80317fa3b1799d (10 spans)")
            .is_some()
    });
    let before = h.state().open_trace(panel).unwrap().clone();
    h.state_mut().open_trace_path(saved.clone());
    support::step_until(&mut h, "the trace opened from the saved file", |h| {
        h.query_by_label_contains(&format!("Opened {} (10 spans)", saved.display()))
            .is_some()
    });
    h.run_steps(2);
    let after = h.state().open_trace(panel).unwrap();
    assert_eq!(after.trace_id, before.trace_id);
    for (a, b) in after.spans.iter().zip(&before.spans) {
        assert_eq!(
            (
                a.span_id, a.parent, &a.service, &a.name, a.start_ns, a.end_ns, a.status
            ),
            (
                b.span_id, b.parent, &b.service, &b.name, b.start_ns, b.end_ns, b.status
            )
        );
    }
    // A place that cannot be written is named, and nothing else changes.
    let nowhere = dir.path().join("missing").join("x.json");
    h.state_mut().save_open_trace(panel, nowhere);
    support::step_until(&mut h, "the failed save", |h| {
        h.query_by_label_contains("Could not save the trace to")
            .is_some()
    });
    assert!(h.state().open_trace(panel).is_some());
}
