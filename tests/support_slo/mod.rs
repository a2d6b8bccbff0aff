//! Test support: a real Prometheus serving the 30-day SLO backfill
//! (`tests/fixtures/slo/slo-backfill.om.txt.gz`), built into TSDB blocks by `promtool`.
#![allow(dead_code)]

#[path = "../support/listening_server.rs"]
mod listening_server;
#[allow(unused_imports)] // Each test binary uses a different part.
pub use listening_server::{free_port, start_listening};

use std::io::Read as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Prometheus on a free loopback port over blocks made from the backfill.
pub struct BackfilledPrometheus {
    pub url: String,
    child: Child,
    _dir: tempfile::TempDir,
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/slo")
        .join(name)
}

/// `None` (after saying why) when a binary is missing; with `CI=true` that is a failure.
fn binary(var: &str, default: &str) -> Option<String> {
    let bin = std::env::var(var).unwrap_or_else(|_| default.into());
    if Path::new(&bin).exists() {
        return Some(bin);
    }
    let msg =
        format!("{bin} not found: install it with `apt-get install prometheus` (.ci/run does)");
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("{msg}; CI=true, so this is a failure");
    }
    eprintln!("SKIPPED: {msg}");
    None
}

impl BackfilledPrometheus {
    pub fn start() -> Option<Self> {
        Self::start_with_rules(None)
    }

    /// Also loads `rules` (a Prometheus rule file's YAML), evaluated every second from now on.
    pub fn start_with_rules(rules: Option<&str>) -> Option<Self> {
        let promtool = binary("PROMTOOL_BIN", "/usr/bin/promtool")?;
        let prometheus = binary("PROMETHEUS_BIN", "/usr/bin/prometheus")?;
        let dir = tempfile::tempdir().expect("temp dir");
        let om = dir.path().join("slo-backfill.om.txt");
        let gz = std::fs::File::open(fixture("slo-backfill.om.txt.gz")).expect("open fixture");
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(gz)
            .read_to_end(&mut text)
            .expect("gunzip fixture");
        std::fs::write(&om, &text).expect("write OpenMetrics");
        let data = dir.path().join("data");
        let out = Command::new(&promtool)
            .args(["tsdb", "create-blocks-from", "openmetrics"])
            .arg("--max-block-duration=24h")
            .arg(&om)
            .arg(&data)
            .output()
            .expect("run promtool");
        assert!(
            out.status.success(),
            "promtool failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::remove_file(&om).expect("remove OpenMetrics copy");
        let config = match rules {
            None => fixture("prometheus-slo.yml"),
            Some(rules) => {
                let rules_path = dir.path().join("rules.yml");
                std::fs::write(&rules_path, rules).expect("write rules");
                let config = dir.path().join("prometheus.yml");
                std::fs::write(
                    &config,
                    format!(
                        "global:\n  evaluation_interval: 1s\nrule_files:\n  - {}\nscrape_configs: []\n",
                        rules_path.display()
                    ),
                )
                .expect("write config");
                config
            }
        };
        let (child, port) = start_listening(
            "prometheus",
            |port| {
                let mut command = Command::new(&prometheus);
                command
                    .arg(format!("--config.file={}", config.display()))
                    .arg(format!("--storage.tsdb.path={}", data.display()))
                    // Retention counts from the newest block: the default 15 d would delete half the month.
                    .arg("--storage.tsdb.retention.time=100y")
                    .arg(format!("--web.listen-address=127.0.0.1:{port}"))
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped());
                command
            },
            ready,
        );
        Some(Self {
            url: format!("http://127.0.0.1:{port}"),
            child,
            _dir: dir,
        })
    }
}

impl Drop for BackfilledPrometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A blocking HTTP/1.0 `GET /-/ready`, independent of the code under test.
fn ready(port: u16) -> bool {
    use std::io::Write as _;
    let Ok(mut stream) = std::net::TcpStream::connect_timeout(
        &SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_secs(2),
    ) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    if write!(stream, "GET /-/ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").is_err() {
        return false;
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.starts_with("HTTP/1.0 200") || response.starts_with("HTTP/1.1 200")
}
