//! The connection dialog, driven as a user would: add, validate, save, edit, remove.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use signalscope::app::{SignalscopeApp, Startup};
use signalscope::fetch::Runtime;
use signalscope::workspace::{Auth, Secret, Workspace};
use std::sync::Arc;

fn harness() -> Harness<'static, SignalscopeApp> {
    let app = SignalscopeApp::new(
        Arc::new(Runtime::new().unwrap()),
        Startup {
            workspace: Workspace::default(),
            path: None,
            load_error: None,
            run_now: Vec::new(),
            local: None,
        },
    );
    Harness::builder()
        .with_size(egui::vec2(1200.0, 800.0))
        .build_ui_state(|ui, app: &mut SignalscopeApp| app.frame_ui(ui), app)
}

fn replace_text(h: &mut Harness<'_, SignalscopeApp>, label: &str, text: &str) {
    h.get_by_label(label).click();
    h.run_steps(2);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run_steps(1);
    h.get_by_label(label).type_text(text);
    h.run_steps(2);
}

#[test]
fn adding_a_connection_validates_the_url_and_keeps_the_token_as_a_reference() {
    let mut h = harness();
    h.run_steps(2);
    h.get_by_label("+ Add connection").click();
    // A new modal lays itself out invisibly first; give it a few frames.
    h.run_steps(5);
    h.get_by_label("Add connection");

    replace_text(&mut h, "URL", "localhost:9090");
    h.get_by_label("Save connection").click();
    h.run_steps(2);
    // Refused with a reason; the dialog stays open and nothing is added.
    h.get_by_label_contains("is not an http:// or https:// URL");
    assert!(h.state().workspace.connections.is_empty());

    replace_text(&mut h, "URL", "https://mimir.example/prometheus");
    replace_text(&mut h, "Name", "prod");
    h.get_by_label("Bearer token").click();
    h.run_steps(2);
    replace_text(&mut h, "Token", "env:PROM_TOKEN");
    h.get_by_label("Skip TLS verification").click();
    h.run_steps(2);
    h.get_by_label_contains("Warning: any certificate is accepted");
    h.get_by_label("Save connection").click();
    h.run_steps(3);

    let conns = &h.state().workspace.connections;
    assert_eq!(conns.len(), 1);
    assert_eq!(conns[0].name, "prod");
    assert_eq!(conns[0].url, "https://mimir.example/prometheus");
    assert_eq!(
        conns[0].auth,
        Auth::Bearer {
            token: Secret::Env("PROM_TOKEN".into())
        }
    );
    assert!(conns[0].skip_tls_verify);
    assert!(
        h.query_by_label("Add connection").is_none(),
        "the dialog closed"
    );

    // Edit it from the sidebar, then remove it.
    h.get_by_label("prod").click();
    h.run_steps(5);
    h.get_by_label("Edit connection");
    h.get_by_label("Remove connection").click();
    h.run_steps(3);
    assert!(h.state().workspace.connections.is_empty());
}
