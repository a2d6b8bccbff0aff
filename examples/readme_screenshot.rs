//! Renders the whole Signalscope window, off-screen, to `assets/screenshot.png` for the README.
//!
//! `cargo run --example readme_screenshot -- http://127.0.0.1:9090` (a Prometheus that has been
//! scraping itself for a few minutes). Uses egui_kittest's wgpu renderer, so it needs no display.

use egui_kittest::Harness;
use signalscope::app::{SignalscopeApp, Startup};
use signalscope::fetch::Runtime;
use signalscope::model::TimeRange;
use signalscope::workspace::Workspace;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:9090".into());
    let out = std::env::args()
        .nth(2)
        .unwrap_or_else(|| "assets/screenshot.png".into());
    let mut ws = Workspace::default();
    let a = ws.add_prometheus_with_panel(
        &url,
        "sum by (handler) (rate(prometheus_http_requests_total[1m]))",
    );
    let b = ws.add_prometheus_with_panel(&url, "go_memstats_heap_inuse_bytes");
    ws.panels[0].title = "HTTP requests per second by handler".into();
    ws.panels[1].title = "Heap in use".into();
    ws.time.range = TimeRange::Relative { seconds: 15 * 60 };
    let runtime = Arc::new(Runtime::new().expect("runtime"));
    let app = SignalscopeApp::new(
        runtime,
        Startup {
            workspace: ws,
            path: None,
            load_error: None,
            run_now: vec![a, b],
            local: None,
        },
    );
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .wgpu()
        .build_ui_state(|ui, app: &mut SignalscopeApp| app.frame_ui(ui), app);
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline && [a, b].iter().any(|&p| h.state().panel_result(p).is_none()) {
        h.step();
        std::thread::sleep(Duration::from_millis(50));
    }
    // One more check of connection health, then settle.
    for _ in 0..10 {
        h.step();
        std::thread::sleep(Duration::from_millis(50));
    }
    let image = h.render().expect("render");
    image.save(&out).expect("write screenshot");
    println!("wrote {out}");
}
