//! Test support: a real Prometheus started from Debian's package, and a replay server for
//! recorded responses where a test needs byte-stable data.
#![allow(dead_code)] // Each test binary uses a different part.

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
        let bin = std::env::var("PROMETHEUS_BIN").unwrap_or_else(|_| "/usr/bin/prometheus".into());
        if !PathBuf::from(&bin).exists() {
            let msg = format!(
                "{bin} not found: install it with `apt-get install prometheus` (.ci/run does)"
            );
            if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
                panic!("{msg}; CI=true, so this is a failure");
            }
            eprintln!("SKIPPED: {msg}");
            return None;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let config = dir.path().join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ['127.0.0.1:{port}']\n"
            ),
        )
        .expect("write config");
        let child = Command::new(&bin)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start prometheus");
        let mut prom = Self {
            url: format!("http://127.0.0.1:{port}"),
            port,
            child,
            _dir: dir,
        };
        prom.wait_until_ready();
        Some(prom)
    }

    fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("poll prometheus") {
                let mut err = String::new();
                if let Some(mut e) = self.child.stderr.take() {
                    let _ = e.read_to_string(&mut err);
                }
                panic!("prometheus exited with {status}: {err}");
            }
            if http_get_status(self.port, "/-/ready") == Some(200) {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("prometheus at {} was not ready within 60 s", self.url);
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

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
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
    _runtime: tokio::runtime::Runtime,
}

impl Replay {
    pub fn start(status: u16, query_range_body: &'static [u8]) -> Self {
        use axum::{Router, routing::get, routing::post};
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let status = axum::http::StatusCode::from_u16(status).expect("status");
        let json = move || {
            (
                status,
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                query_range_body,
            )
        };
        let app = Router::new()
            .route(
                "/-/ready",
                get(|| async { "Prometheus Server is Ready.\n" }),
            )
            .route(
                "/api/v1/query_range",
                post(move || async move { json() }).get(move || async move { json() }),
            );
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url: format!("http://{addr}"),
            _runtime: runtime,
        }
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
