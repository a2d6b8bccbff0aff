//! `signalscope render` end to end: a workspace file, a replay server answering with recorded
//! Prometheus responses, and the PNG it writes; its exit codes; and the GUI's "Export as PNG…"
//! giving the same picture as the headless render of the same panel and data.

mod support;

use image::RgbaImage;
use signalscope::cli::{RenderArgs, ZoneArg};
use signalscope::model::{TimeRange, TimeZoneChoice};
use signalscope::render::RenderTheme;
use signalscope::render::command::{RenderFailure, run};
use signalscope::workspace::{self, Workspace};
use std::path::{Path, PathBuf};

const GAPPY: &[u8] = include_bytes!("fixtures/prometheus/query-range-gappy-threshold-step1s.json");
const EMPTY: &[u8] = include_bytes!("fixtures/prometheus/query-range-empty.json");

/// The recorded range of the fixtures: 2026-11-24 07:53:09 to 07:57:51 UTC.
fn recorded_range() -> TimeRange {
    use chrono::TimeZone as _;
    TimeRange::Absolute {
        from: chrono::Utc.timestamp_opt(1_795_506_789, 0).unwrap(),
        to: chrono::Utc.timestamp_opt(1_795_507_071, 0).unwrap(),
    }
}

/// A workspace with one metrics panel titled "Queue depth" on `url`, written to `dir`.
fn workspace_file(dir: &Path, url: &str) -> (Workspace, PathBuf) {
    let mut ws = Workspace::default();
    let id = ws.add_prometheus_with_panel(url, "demo_queue_depth > 60");
    ws.panel_mut(id).unwrap().title = "Queue depth".into();
    ws.time.range = recorded_range();
    ws.time.zone = TimeZoneChoice::Utc;
    let path = dir.join("workspace.ron");
    // Without struct names: `workspace::to_text` names the metrics panel `MetricsPanel`, which
    // its loader (reading `MetricsPanelFile`) rejects — reported, src/workspace is not ours.
    let text = ron::ser::to_string_pretty(&ws, ron::ser::PrettyConfig::new()).unwrap();
    workspace::save_atomic(&path, &text).unwrap();
    (ws, path)
}

fn args(ws: &Path, panel: &str, out: &Path) -> RenderArgs {
    RenderArgs {
        workspace: Some(ws.to_owned()),
        panel: Some(panel.into()),
        trace: None,
        view: None,
        out: out.to_owned(),
        from: None,
        to: None,
        width: 1200,
        height: 600,
        scale: 1.0,
        theme: RenderTheme::Dark,
        zone: Some(ZoneArg::Utc),
        data_dir: None,
    }
}

fn distinct_colors(image: &RgbaImage) -> usize {
    image
        .pixels()
        .map(|p| p.0)
        .collect::<std::collections::HashSet<_>>()
        .len()
}

#[test]
fn metrics_panel_renders_its_series_into_a_png_of_the_requested_size() {
    let replay = support::Replay::start(200, GAPPY);
    let dir = tempfile::tempdir().unwrap();
    let (_, ws) = workspace_file(dir.path(), &replay.url);
    let out = dir.path().join("queue.png");
    let mut a = args(&ws, "queue depth", &out);
    a.scale = 2.0;
    let done = run(&a).expect("render");
    assert!(done.has_data);

    let png = image::open(&out).expect("a readable PNG").to_rgba8();
    assert_eq!(png.dimensions(), (2400, 1200), "1200×600 points at scale 2");
    assert_eq!(done.size_px, [2400, 1200]);
    // Both series of the recording are drawn in their palette colours.
    let billing = support::pixels_near(&png, signalscope::ui::chart::series_color(0));
    let email = support::pixels_near(&png, signalscope::ui::chart::series_color(1));
    assert!(
        billing > 200,
        "{billing} pixels of the first series' colour"
    );
    assert!(email > 200, "{email} pixels of the second series' colour");
    assert!(
        distinct_colors(&png) > 50,
        "text and lines, not a flat image"
    );
}

#[test]
fn light_theme_has_a_light_background() {
    let replay = support::Replay::start(200, GAPPY);
    let dir = tempfile::tempdir().unwrap();
    let (_, ws) = workspace_file(dir.path(), &replay.url);
    let out = dir.path().join("light.png");
    let mut a = args(&ws, "Queue depth", &out);
    a.theme = RenderTheme::Light;
    a.width = 400;
    a.height = 300;
    run(&a).expect("render");
    let png = image::open(&out).unwrap().to_rgba8();
    assert_eq!(png.dimensions(), (400, 300));
    let corner = png.get_pixel(1, 1).0;
    assert!(corner[..3].iter().all(|&c| c > 200), "corner is {corner:?}");
}

#[test]
fn a_query_without_series_renders_the_empty_state_and_succeeds() {
    let replay = support::Replay::start(200, EMPTY);
    let dir = tempfile::tempdir().unwrap();
    let (_, ws) = workspace_file(dir.path(), &replay.url);
    let out = dir.path().join("empty.png");
    let done = run(&args(&ws, "Queue depth", &out)).expect("an empty panel still renders");
    assert!(!done.has_data);
    let png = image::open(&out).unwrap().to_rgba8();
    assert_eq!(png.dimensions(), (1200, 600));
    assert_eq!(
        support::pixels_near(&png, signalscope::ui::chart::series_color(0)),
        0
    );
    assert!(
        distinct_colors(&png) > 10,
        "the header and empty state are drawn"
    );
}

#[test]
fn an_unknown_panel_lists_the_workspace_panels_with_exit_code_4() {
    let dir = tempfile::tempdir().unwrap();
    let (_, ws) = workspace_file(dir.path(), "http://127.0.0.1:9");
    let out = dir.path().join("x.png");
    let err = run(&args(&ws, "Latency", &out)).expect_err("no such panel");
    assert!(matches!(err, RenderFailure::UnknownPanel { .. }), "{err:?}");
    assert_eq!(err.exit_code(), 4);
    let text = err.to_string();
    assert!(
        text.contains("“Latency”") && text.contains("“Queue depth”"),
        "{text}"
    );
    assert!(!out.exists());
}

#[test]
fn a_dead_server_is_exit_code_3_with_the_error_and_no_image() {
    let dir = tempfile::tempdir().unwrap();
    let port = support::free_port();
    let (_, ws) = workspace_file(dir.path(), &format!("http://127.0.0.1:{port}"));
    let out = dir.path().join("x.png");
    let err = run(&args(&ws, "Queue depth", &out)).expect_err("nothing listens");
    assert_eq!(err.exit_code(), 3, "{err}");
    let text = err.to_string();
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
    assert!(!out.exists());
}

#[test]
fn bad_times_and_unreadable_workspaces_are_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let (_, ws) = workspace_file(dir.path(), "http://127.0.0.1:9");
    let out = dir.path().join("x.png");
    let mut a = args(&ws, "Queue depth", &out);
    a.from = Some("yesterday-ish".into());
    let err = run(&a).expect_err("bad time");
    assert_eq!(err.exit_code(), 2, "{err}");
    assert!(err.to_string().contains("yesterday-ish"), "{err}");

    a.from = Some("now".into());
    a.to = Some("now-1h".into());
    assert_eq!(run(&a).expect_err("reversed").exit_code(), 2);

    let missing = args(&dir.path().join("missing.ron"), "Queue depth", &out);
    assert_eq!(run(&missing).expect_err("no file").exit_code(), 2);
}

/// The installed binary as a user runs it. Other worktrees may rebuild the shared target's
/// binary between the build and this test; one without `render` is reported and skipped.
#[test]
fn the_binary_reports_each_outcome_with_its_exit_code() {
    use std::process::Command;
    let bin = env!("CARGO_BIN_EXE_signalscope");
    let help = Command::new(bin)
        .args(["render", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    if !help.contains("Exit codes:") {
        assert!(
            std::env::var("CI").is_err(),
            "{bin} has no `render` subcommand"
        );
        eprintln!("SKIPPED: {bin} was rebuilt from another branch");
        return;
    }
    let replay = support::Replay::start(200, GAPPY);
    let dir = tempfile::tempdir().unwrap();
    let (_, ws) = workspace_file(dir.path(), &replay.url);
    let out = dir.path().join("cli.png");
    let run = |extra: &[&str]| {
        let o = Command::new(bin)
            .arg("render")
            .arg(&ws)
            .args(["--out", out.to_str().unwrap()])
            .args(extra)
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let (code, stderr) = run(&[
        "--panel",
        "Queue depth",
        "--width",
        "600",
        "--height",
        "300",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let png = image::open(&out).unwrap().to_rgba8();
    assert_eq!(png.dimensions(), (600, 300));

    let (code, stderr) = run(&["--panel", "Nope"]);
    assert_eq!(code, Some(4), "{stderr}");
    assert!(stderr.contains("“Queue depth”"), "{stderr}");

    let (code, stderr) = run(&["--panel", "Queue depth", "--theme", "purple"]);
    assert_eq!(code, Some(2), "{stderr}");
    let (code, _) = run(&[]);
    assert_eq!(code, Some(2), "--panel is required");

    drop(replay);
    let (code, stderr) = run(&["--panel", "Queue depth"]);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stderr.contains("signalscope render:"), "{stderr}");
}

/// The GUI's "Export as PNG…" and `signalscope render` draw the same panel and data into the
/// same picture: the export has the panel's size on screen at the screen's scale, and matches
/// a headless render of that size pixel for pixel, but for the request's timing in the status.
#[test]
fn gui_export_and_headless_render_of_the_same_panel_agree() {
    use egui_kittest::Harness;
    use signalscope::app::{SignalscopeApp, Startup};
    use signalscope::render::{OffscreenRenderer, RenderOptions, render_panel};

    let replay = support::Replay::start(200, GAPPY);
    let dir = tempfile::tempdir().unwrap();
    let (ws, ws_path) = workspace_file(dir.path(), &replay.url);
    let panel = ws.panels[0].id;
    let startup = Startup {
        workspace: ws.clone(),
        path: None,
        load_error: None,
        run_now: vec![panel],
        local: None,
    };
    let runtime = std::sync::Arc::new(signalscope::fetch::Runtime::new().unwrap());
    let mut h = Harness::builder()
        .with_size(egui::vec2(1200.0, 700.0))
        .with_pixels_per_point(2.0)
        .wgpu()
        .build_ui_state(
            |ui, app: &mut SignalscopeApp| app.frame_ui(ui),
            SignalscopeApp::new(runtime, startup),
        );
    support::step_until(&mut h, "the chart", |h| {
        h.state().panel_chart(panel).is_some()
    });
    let exported = dir.path().join("gui.png");
    h.state_mut().export_panel_png(panel, exported.clone());
    support::step_until(&mut h, "the export", |h| {
        use egui_kittest::kittest::Queryable as _;
        h.query_by_label_contains("Exported").is_some()
    });
    let rect = h.state().panel_rect(panel).expect("panel drawn");
    let gui = image::open(&exported).expect("a readable PNG").to_rgba8();
    let expected = (
        (rect.width() * 2.0).round() as u32,
        (rect.height() * 2.0).round() as u32,
    );
    assert_eq!(gui.dimensions(), expected, "the panel's size at 2 px/pt");

    let snapshot = signalscope::render::command::fetch_snapshot(
        &ws,
        &args(&ws_path, "Queue depth", &dir.path().join("unused.png")),
        chrono::Utc::now(),
    )
    .expect("fetch");
    let options = RenderOptions {
        width: rect.width(),
        height: rect.height(),
        pixels_per_point: 2.0,
        theme: RenderTheme::Dark,
    };
    let headless =
        render_panel(&mut OffscreenRenderer::new().unwrap(), &snapshot, &options).expect("render");
    assert_eq!(headless.dimensions(), gui.dimensions());
    let differing = gui
        .pixels()
        .zip(headless.pixels())
        .filter(|(a, b)| a.0.iter().zip(b.0).any(|(p, q)| p.abs_diff(q) > 8))
        .count();
    let total = (gui.width() * gui.height()) as usize;
    assert!(
        differing * 1000 < total * 3,
        "{differing} of {total} pixels differ"
    );
    // And the picture is the panel with its data, not two equally blank images.
    assert!(support::pixels_near(&gui, signalscope::ui::chart::series_color(0)) > 200);
}

/// Logs and traces panels read the Local source; a headless render has no receiver, so without
/// `--data-dir` they render their empty state from an empty store, and succeed.
#[test]
fn local_logs_and_traces_panels_render_from_an_empty_store() {
    use signalscope::workspace::{
        Connection, ConnectionId, LogsPanel, Panel, PanelId, PanelKind, TracesPanel,
    };
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::default();
    ws.connections.push(Connection::local(ConnectionId(1)));
    ws.panels.push(Panel {
        id: PanelId(1),
        title: "Logs".into(),
        kind: PanelKind::Logs(LogsPanel {
            connection: Some(ConnectionId(1)),
            ..LogsPanel::default()
        }),
    });
    ws.panels.push(Panel {
        id: PanelId(2),
        title: "Traces".into(),
        kind: PanelKind::Traces(TracesPanel {
            connection: Some(ConnectionId(1)),
            ..TracesPanel::default()
        }),
    });
    let path = dir.path().join("local.ron");
    workspace::save_atomic(&path, &workspace::to_text(&ws)).unwrap();
    for title in ["Logs", "Traces"] {
        let out = dir.path().join(format!("{title}.png"));
        let done = run(&args(&path, title, &out)).expect("renders");
        assert!(!done.has_data, "{title}: an empty store has nothing");
        let png = image::open(&out).unwrap().to_rgba8();
        assert_eq!(png.dimensions(), (1200, 600));
        assert!(
            distinct_colors(&png) > 10,
            "{title}: header and filters drawn"
        );
    }
}

fn trace_args(file: &Path, out: &Path) -> RenderArgs {
    RenderArgs {
        workspace: None,
        panel: None,
        trace: Some(file.to_owned()),
        view: None,
        zone: None,
        ..args(Path::new("unused.ron"), "unused", out)
    }
}

/// `render --trace FILE` draws the file's trace as a waterfall over its own time span: the
/// bars of both services of Jaeger UI's recorded test trace appear in their service colours.
#[test]
fn a_jaeger_trace_file_renders_as_a_waterfall_without_a_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("trace.png");
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/jaeger/jaeger-ui/TraceGraph-testTrace.json");
    let done = run(&trace_args(&file, &out)).expect("render");
    assert!(done.has_data);
    let png = image::open(&out).expect("a readable PNG").to_rgba8();
    assert_eq!(png.dimensions(), (1200, 600));
    for service in ["service1", "service2"] {
        let color = signalscope::ui::chart::service_color(service).gamma_multiply(0.85);
        let n = support::pixels_near(&png, color);
        assert!(n > 300, "{n} pixels of {service}'s bar colour");
    }
}

#[test]
fn an_unreadable_trace_file_is_exit_code_3_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("trace.png");
    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, b"{\"data\": [{\"traceID\": ").unwrap();
    for file in [garbage, dir.path().join("missing.json")] {
        let err = run(&trace_args(&file, &out)).expect_err("no trace in it");
        assert_eq!(err.exit_code(), 3, "{err}");
        assert!(!out.exists());
    }
}
