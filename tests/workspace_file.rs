//! Workspace files: round trip, atomic writes, corrupt files left alone, secrets never written.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use signalscope::app::{SignalscopeApp, Startup};
use signalscope::cli::Cli;
use signalscope::fetch::Runtime;
use signalscope::model::{TimeRange, TimeZoneChoice};
use signalscope::workspace::{
    self, Auth, HeaderEntry, Secret, Workspace, WorkspaceError, load, save_atomic, to_text,
};
use std::sync::Arc;

fn sample_workspace() -> Workspace {
    let mut ws = Workspace::default();
    ws.add_prometheus_with_panel(
        "http://127.0.0.1:9090",
        "rate(prometheus_http_requests_total[5m])",
    );
    ws.time.range = TimeRange::Relative { seconds: 6 * 3600 };
    ws.time.zone = TimeZoneChoice::Utc;
    ws.time.auto_refresh_secs = Some(30);
    ws.connections[0].headers = vec![HeaderEntry::from_input("X-Scope-OrgID", "tenant-a")];
    ws
}

#[test]
fn workspace_round_trips_through_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/dir/ws.ron");
    let ws = sample_workspace();
    save_atomic(&path, &to_text(&ws)).unwrap();
    assert_eq!(load(&path).unwrap(), ws);
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("ws.ron")]);
}

#[test]
fn saved_file_carries_a_format_version() {
    let text = to_text(&Workspace::default());
    assert!(
        text.contains(&format!("version: {}", workspace::FORMAT_VERSION)),
        "{text}"
    );
}

#[test]
fn corrupt_workspace_is_reported_with_line_and_column_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ws.ron");
    let mut text = to_text(&sample_workspace());
    // Break line 3: an unclosed string.
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[2] = "    connections: [\"oops".into();
    text = lines.join("\n");
    std::fs::write(&path, &text).unwrap();
    let before = std::fs::read(&path).unwrap();

    match load(&path) {
        Err(WorkspaceError::Parse {
            path: p,
            line,
            column,
            message,
        }) => {
            assert_eq!(p, path);
            assert!(line >= 3, "line {line}");
            assert!(column >= 1, "column {column}");
            assert!(!message.is_empty());
        }
        other => panic!("expected a parse error, got {other:?}"),
    }

    // The app still opens: the error is reported, the file is not the autosave target.
    let cli = <Cli as clap::Parser>::parse_from(["signalscope".as_ref(), path.as_os_str()]);
    let startup = cli.startup();
    let error = startup.load_error.clone().expect("load error reported");
    assert!(error.contains("ws.ron:"), "{error}");
    assert!(
        startup.path.is_none(),
        "a corrupt file must not be autosaved over"
    );

    // Run the app for a few frames with a change, then close it: the file is unchanged.
    let runtime = Arc::new(Runtime::new().unwrap());
    let app = SignalscopeApp::new(runtime, startup);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1200.0, 700.0))
        .build_ui_state(|ui, app: &mut SignalscopeApp| app.frame_ui(ui), app);
    h.get_by_label("Add panel").click();
    h.run_steps(2);
    h.get_by_label("Metrics panel").click();
    for _ in 0..5 {
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert_eq!(
        h.state().workspace.panels.len(),
        1,
        "the click added a panel"
    );
    h.get_by_label_contains("Workspace not loaded");
    h.state_mut().save_now();
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn newer_format_version_is_refused_not_misread() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.ron");
    std::fs::write(&path, "(version: 999)").unwrap();
    assert!(matches!(
        load(&path),
        Err(WorkspaceError::TooNew { found: 999, .. })
    ));
}

#[test]
fn no_secret_appears_in_a_saved_workspace() {
    let mut ws = sample_workspace();
    ws.connections[0].auth = Auth::Basic {
        username: "alice".into(),
        password: Secret::from_input("hunter2-password"),
    };
    let mut second = ws.connections[0].clone();
    second.id = ws.next_connection_id();
    second.auth = Auth::Bearer {
        token: Secret::from_input("tok-SECRET-123"),
    };
    second.headers = vec![
        HeaderEntry::from_input("X-API-Key", "key-SECRET-456"),
        HeaderEntry::from_input("Authorization", "Bearer hdr-SECRET-789"),
        HeaderEntry::from_input("X-Scope-OrgID", "env:ORG_ID"),
    ];
    ws.connections.push(second);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ws.ron");
    save_atomic(&path, &to_text(&ws)).unwrap();
    let written = std::fs::read_to_string(&path).unwrap();
    for secret in [
        "hunter2-password",
        "tok-SECRET-123",
        "key-SECRET-456",
        "hdr-SECRET-789",
    ] {
        assert!(
            !written.contains(secret),
            "{secret} leaked into:\n{written}"
        );
    }
    // What is not secret is kept.
    assert!(written.contains("alice"));
    assert!(written.contains("env:ORG_ID"));
    assert!(written.contains("tenant-a"));
    // And the Debug output used in logs hides them too.
    let debug = format!("{ws:?}");
    assert!(!debug.contains("hunter2-password") && !debug.contains("tok-SECRET-123"));
}

#[test]
fn autosave_writes_changes_to_the_workspace_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ws.ron");
    let runtime = Arc::new(Runtime::new().unwrap());
    let app = SignalscopeApp::new(
        runtime,
        Startup {
            workspace: Workspace::default(),
            path: Some(path.clone()),
            load_error: None,
            run_now: Vec::new(),
            local: None,
        },
    );
    let mut h = Harness::builder()
        .with_size(egui::vec2(1200.0, 700.0))
        .build_ui_state(|ui, app: &mut SignalscopeApp| app.frame_ui(ui), app);
    h.get_by_label("Add panel").click();
    h.run_steps(2);
    h.get_by_label("Metrics panel").click();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        h.step();
        if path.exists() && !h.state().is_saving() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "workspace was never autosaved"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let saved = load(&path).unwrap();
    assert_eq!(saved.panels.len(), 1);
    assert_eq!(saved, h.state().workspace);
}
