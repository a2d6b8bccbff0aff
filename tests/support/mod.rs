//! Test support: a real Prometheus started from Debian's package, and a replay server for
//! recorded responses where a test needs byte-stable data.
#![allow(dead_code)] // Each test binary uses a different part.

mod listening_server;
#[allow(unused_imports)] // Each test binary uses a different part.
pub use listening_server::{free_port, start_listening};

use std::io::Read as _;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A Prometheus server on a free loopback port with its own data dir, scraping itself every second.
pub struct Prometheus {
    pub url: String,
    pub port: u16,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Prometheus {
    /// Starts `/usr/bin/prometheus` (or `$PROMETHEUS_BIN`). When it is missing, returns `None`
    /// after saying why the test is skipped; with `CI=true` a missing binary fails the test.
    pub fn start() -> Option<Self> {
        Self::start_with(&[], "")
    }

    /// [`Prometheus::start`] with extra command-line flags (e.g. `--enable-feature=exemplar-storage`)
    /// and extra `scrape_configs` entries (YAML list items, indented by two spaces).
    pub fn start_with(extra_args: &[&str], extra_scrape_configs: &str) -> Option<Self> {
        let bin = std::env::var("PROMETHEUS_BIN").unwrap_or_else(|_| "/usr/bin/prometheus".into());
        if !PathBuf::from(&bin).exists() {
            skip_or_fail(&format!(
                "{bin} not found: install it with `apt-get install prometheus` (.ci/run does)"
            ));
            return None;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("prometheus.yml");
        let data = dir.path().join("data");
        let (child, port) = start_listening(
            "prometheus",
            |port| {
                // The self-scrape target names the port, so the config is written per attempt.
                std::fs::write(
                    &config,
                    format!(
                        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ['127.0.0.1:{port}']\n{extra_scrape_configs}"
                    ),
                )
                .expect("write config");
                let mut command = Command::new(&bin);
                command
                    .arg(format!("--config.file={}", config.display()))
                    .arg(format!("--storage.tsdb.path={}", data.display()))
                    .arg(format!("--web.listen-address=127.0.0.1:{port}"))
                    .args(extra_args)
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped());
                command
            },
            |port| http_get_status(port, "/-/ready") == Some(200),
        );
        Some(Self {
            url: format!("http://127.0.0.1:{port}"),
            port,
            child,
            _dir: dir,
        })
    }

    /// Waits until the self-scrape has stored at least `n` samples of `up` (one per second).
    pub fn wait_for_samples(&self, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let path = "/api/v1/query?query=count_over_time(up%5B5m%5D)";
        while Instant::now() < deadline {
            if let Some(body) = http_get_body(self.port, path)
                && let Some(count) = body
                    .split("\"value\":[")
                    .nth(1)
                    .and_then(|rest| rest.split('"').nth(1))
                    .and_then(|v| v.parse::<f64>().ok())
                && count >= n as f64
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        panic!("prometheus did not collect {n} samples of up within 60 s");
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Says why a test that needs a server binary is skipped; with `CI=true` that is a failure.
fn skip_or_fail(msg: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("{msg}; CI=true, so this is a failure");
    }
    eprintln!("SKIPPED: {msg}");
}

/// A VictoriaMetrics single-node server (Debian's `victoria-metrics`) on a free loopback port
/// with its own data dir. It answers as soon as data is imported: the search latency offset
/// (normally 30 s, which hides the newest samples) is zero and the response cache is off.
pub struct VictoriaMetrics {
    pub url: String,
    pub port: u16,
    child: Child,
    _dir: tempfile::TempDir,
}

impl VictoriaMetrics {
    /// Starts `/usr/bin/victoria-metrics` (or `$VICTORIA_METRICS_BIN`); `None` (after saying
    /// why) when it is missing, a failure with `CI=true`.
    pub fn start() -> Option<Self> {
        let bin = std::env::var("VICTORIA_METRICS_BIN")
            .unwrap_or_else(|_| "/usr/bin/victoria-metrics".into());
        if !PathBuf::from(&bin).exists() {
            skip_or_fail(&format!(
                "{bin} not found: install it with `apt-get install victoria-metrics` (.ci/install-deps test does)"
            ));
            return None;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("data");
        let (child, port) = start_listening(
            "victoria-metrics",
            |port| {
                let mut command = Command::new(&bin);
                command
                    .arg(format!("-storageDataPath={}", data.display()))
                    .arg(format!("-httpListenAddr=127.0.0.1:{port}"))
                    .arg("-search.latencyOffset=0s")
                    .arg("-search.disableCache")
                    .arg("-retentionPeriod=100y")
                    .arg("-loggerLevel=ERROR")
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped());
                command
            },
            |port| http_get_status(port, "/health") == Some(200),
        );
        Some(Self {
            url: format!("http://127.0.0.1:{port}"),
            port,
            child,
            _dir: dir,
        })
    }
}

impl Drop for VictoriaMetrics {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal blocking HTTP/1.0 GET, so readiness checks do not depend on the code under test.
fn http_get(port: u16, path: &str) -> Option<String> {
    use std::io::Write as _;
    let mut stream = std::net::TcpStream::connect_timeout(
        &SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_secs(2),
    )
    .ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

fn http_get_status(port: u16, path: &str) -> Option<u16> {
    http_get(port, path)?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn http_get_body(port: u16, path: &str) -> Option<String> {
    let response = http_get(port, path)?;
    response.split_once("\r\n\r\n").map(|(_, b)| b.to_owned())
}

/// Serves recorded Prometheus responses: `/-/ready` and `/api/v1/query_range` with a fixed body.
/// For tests that need the same pixels every run (snapshots), which a live server cannot give.
pub struct Replay {
    pub url: String,
    /// Path and query string of every request received, in order.
    pub requests: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    runtime: Option<tokio::runtime::Runtime>,
}

/// Shuts the server's runtime down without waiting, so a replay may be dropped inside an async
/// test (dropping a runtime there would panic).
impl Drop for Replay {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// One recorded answer: `path` (exact, without query string) → status and JSON body.
pub struct Route {
    pub path: &'static str,
    pub status: u16,
    pub body: &'static [u8],
}

impl Replay {
    pub fn start(status: u16, query_range_body: &'static [u8]) -> Self {
        Self::routes(vec![Route {
            path: "/api/v1/query_range",
            status,
            body: query_range_body,
        }])
    }

    /// Serves `/-/ready` and each route for GET and POST; anything else is Prometheus' 404.
    pub fn routes(routes: Vec<Route>) -> Self {
        use axum::{Router, routing::any, routing::get};
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        // Bound here without the runtime, so a replay can also start inside an async test.
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("non-blocking");
        let addr = listener.local_addr().expect("addr");
        let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut app = Router::new().route(
            "/-/ready",
            get(|| async { "Prometheus Server is Ready.\n" }),
        );
        for route in routes {
            let status = axum::http::StatusCode::from_u16(route.status).expect("status");
            let body = route.body;
            app = app.route(
                route.path,
                any(move || async move {
                    (
                        status,
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        body,
                    )
                }),
            );
        }
        let seen = std::sync::Arc::clone(&requests);
        let app = app.layer(axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| {
                let seen = std::sync::Arc::clone(&seen);
                async move {
                    let uri = request.uri();
                    let line = uri
                        .path_and_query()
                        .map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned());
                    seen.lock().expect("requests").push(line);
                    next.run(request).await
                }
            },
        ));
        runtime.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url: format!("http://{addr}"),
            requests,
            runtime: Some(runtime),
        }
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("requests").clone()
    }
}

/// Steps a UI harness until `done` holds; background jobs finish on their own threads. Gives up
/// (failing the test) after 30 s.
pub fn step_until<S>(
    h: &mut egui_kittest::Harness<'_, S>,
    what: &str,
    done: impl Fn(&egui_kittest::Harness<'_, S>) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(h) {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    h.step();
}

/// Pixels of `image` within 12 of `color` in each channel: how much of a colour a picture shows.
pub fn pixels_near(image: &image::RgbaImage, color: egui::Color32) -> usize {
    image
        .pixels()
        .filter(|p| {
            let [r, g, b, _] = p.0;
            r.abs_diff(color.r()) <= 12
                && g.abs_diff(color.g()) <= 12
                && b.abs_diff(color.b()) <= 12
        })
        .count()
}

/// The app on `workspace` (no Local store, nothing run at start) in a window of `size`.
pub fn app_harness(
    workspace: signalscope::workspace::Workspace,
    size: egui::Vec2,
) -> egui_kittest::Harness<'static, signalscope::app::SignalscopeApp> {
    use signalscope::app::{SignalscopeApp, Startup};
    let app = SignalscopeApp::new(
        std::sync::Arc::new(signalscope::fetch::Runtime::new().expect("runtime")),
        Startup {
            workspace,
            path: None,
            load_error: None,
            run_now: vec![],
            local: None,
        },
    );
    egui_kittest::Harness::builder()
        .with_size(size)
        .build_ui_state(|ui, app: &mut SignalscopeApp| app.frame_ui(ui), app)
}

/// Exports `panel` as PNG (where the panel menu's dialog leads) and reads the file back,
/// checking it has the panel's size on screen (the harness draws at 1 px per point).
pub fn exported_panel(
    h: &mut egui_kittest::Harness<'_, signalscope::app::SignalscopeApp>,
    panel: signalscope::workspace::PanelId,
) -> image::RgbaImage {
    use egui_kittest::kittest::Queryable as _;
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("panel.png");
    h.state_mut().export_panel_png(panel, out.clone());
    step_until(h, "the export", |h| {
        h.query_by_label_contains("Exported").is_some()
    });
    let rect = h.state().panel_rect(panel).expect("panel drawn");
    let png = image::open(&out).expect("a readable PNG").to_rgba8();
    assert_eq!(
        png.dimensions(),
        (rect.width().round() as u32, rect.height().round() as u32),
        "the panel's size on screen"
    );
    png
}
