//! Renders the whole Signalscope window, off-screen, to a PNG for the README.
//!
//! `cargo run --example readme_screenshot -- demo assets/screenshot.png` runs the demo shop
//! into the embedded receiver for 40 s and renders the demo workspace;
//! `cargo run --example readme_screenshot -- http://127.0.0.1:9090 out.png` renders two
//! charts of a Prometheus that has been scraping itself for a few minutes. Uses
//! egui_kittest's wgpu renderer, so it needs no display.

use egui_kittest::Harness;
use signalscope::app::{LocalServices, SignalscopeApp, Startup};
use signalscope::cli::LocalOptions;
use signalscope::fetch::Runtime;
use signalscope::model::TimeRange;
use signalscope::workspace::Workspace;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() {
    let source = std::env::args().nth(1).unwrap_or_else(|| "demo".into());
    let out = std::env::args()
        .nth(2)
        .unwrap_or_else(|| "assets/screenshot.png".into());
    let runtime = Arc::new(Runtime::new().expect("runtime"));
    let (ws, local, settle) = if source == "demo" {
        let mut ws = Workspace::demo();
        ws.time.range = TimeRange::Relative { seconds: 60 };
        let options = LocalOptions {
            otlp_http_listen: "127.0.0.1:0".into(),
            otlp_grpc_listen: "127.0.0.1:0".into(),
            data_dir: None,
            store_budget_mib: 256,
            demo_workload: true,
        };
        (
            ws,
            Some(LocalServices::start(&runtime, &options)),
            Duration::from_secs(40),
        )
    } else {
        let mut ws = Workspace::default();
        ws.add_prometheus_with_panel(
            &source,
            "sum by (handler) (rate(prometheus_http_requests_total[1m]))",
        );
        ws.add_prometheus_with_panel(&source, "go_memstats_heap_inuse_bytes");
        ws.panels[0].title = "HTTP requests per second by handler".into();
        ws.panels[1].title = "Heap in use".into();
        ws.time.range = TimeRange::Relative { seconds: 15 * 60 };
        (ws, None, Duration::from_secs(3))
    };
    // Let telemetry arrive before the first query runs.
    std::thread::sleep(settle);
    let run_now = ws.panels.iter().map(|p| p.id).collect::<Vec<_>>();
    let ids = run_now.clone();
    let app = SignalscopeApp::new(
        runtime,
        Startup {
            workspace: ws,
            path: None,
            load_error: None,
            run_now,
            local,
        },
    );
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 1000.0))
        .wgpu()
        .build_ui_state(|ui, app: &mut SignalscopeApp| app.frame_ui(ui), app);
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline && ids.iter().any(|&p| !h.state().has_result(p)) {
        h.step();
        std::thread::sleep(Duration::from_millis(50));
    }
    for _ in 0..10 {
        h.step();
        std::thread::sleep(Duration::from_millis(50));
    }
    let image = h.render().expect("render");
    image.save(&out).expect("write screenshot");
    println!("wrote {out}");
}
