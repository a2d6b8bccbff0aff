//! Runs the demo shop in the background and sends what it produces over the real network path:
//! OTLP/HTTP with protobuf bodies, `POST {endpoint}/v1/traces`, `/v1/logs` and `/v1/metrics`.
//!
//! It never writes into a store directly, so the demo exercises exactly what an instrumented
//! application would. An unreachable or refusing receiver is counted, logged at most once a
//! minute and retried with exponential back-off; it never panics and never spins.

use super::config::DemoConfig;
use super::shop::{DemoBatch, DemoShop, data_point_count};
use prost::Message;
use reqwest::header::CONTENT_TYPE;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};
use tokio::task::AbortHandle;

/// Time between two ticks of the shop while the receiver answers.
pub const TICK_INTERVAL: Duration = Duration::from_secs(1);
/// The longest wait between attempts while the receiver keeps failing.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// Failures are logged at most this often.
pub const FAILURE_LOG_INTERVAL: Duration = Duration::from_secs(60);
/// Per-request timeout; the receiver is local, so anything slower is a failure.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

const PROTOBUF: &str = "application/x-protobuf";

/// What the workload has sent so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DemoStats {
    /// HTTP requests the receiver answered with a 2xx status.
    pub requests_sent: u64,
    /// HTTP requests that could not be delivered or were refused (non-2xx).
    pub requests_failed: u64,
    pub spans_sent: u64,
    pub log_records_sent: u64,
    pub data_points_sent: u64,
    /// The most recent failure, for display ("OTLP receiver at …: connection refused").
    pub last_error: Option<String>,
}

/// The running workload. Dropping it stops the workload.
#[derive(Debug)]
pub struct DemoHandle {
    task: AbortHandle,
    stats: Arc<SharedStats>,
    config: DemoConfig,
    started: Instant,
}

impl DemoHandle {
    pub fn stats(&self) -> DemoStats {
        self.stats.snapshot()
    }

    pub fn config(&self) -> &DemoConfig {
        &self.config
    }

    /// Whether the scripted payment incident is under way right now.
    pub fn incident_active(&self) -> bool {
        self.config.incident_active(self.started.elapsed())
    }

    /// Stops the workload (the same as dropping the handle).
    pub fn stop(self) {}
}

impl Drop for DemoHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts the demo workload on `handle`'s runtime. It ticks once per [`TICK_INTERVAL`] and
/// sends to `config.endpoint` until the returned handle is dropped.
pub fn spawn(config: DemoConfig, handle: &tokio::runtime::Handle) -> DemoHandle {
    let stats = Arc::new(SharedStats::default());
    let shop = DemoShop::new(&config, SystemTime::now());
    let task = handle.spawn(run(config.endpoint.clone(), shop, Arc::clone(&stats)));
    DemoHandle {
        task: task.abort_handle(),
        stats,
        config,
        started: Instant::now(),
    }
}

async fn run(endpoint: String, mut shop: DemoShop, stats: Arc<SharedStats>) {
    let urls = SignalUrls::new(&endpoint);
    let mut failure_log = FailureLog::default();
    let client = match build_client() {
        Ok(client) => client,
        Err(error) => {
            let message = format!("demo workload: cannot build an HTTP client: {error}");
            stats.record_failure(message.clone());
            tracing::error!("{message}");
            return;
        }
    };
    let mut consecutive_failures = 0u32;
    let mut delay = TICK_INTERVAL;
    loop {
        tokio::time::sleep(delay).await;
        let batch = shop.tick(SystemTime::now());
        match send_batch(&client, &urls, batch, &stats).await {
            Ok(()) => {
                if consecutive_failures > 0 {
                    tracing::info!("demo workload: OTLP receiver at {endpoint} is reachable again");
                }
                consecutive_failures = 0;
                delay = TICK_INTERVAL;
            }
            Err(message) => {
                consecutive_failures = consecutive_failures.saturating_add(1);
                delay = backoff(consecutive_failures);
                failure_log.report(&message, delay);
                stats.record_failure(message);
            }
        }
    }
}

/// Wait before the next attempt after `failures` failures in a row: 2 s, 4 s, 8 s … 30 s.
pub fn backoff(failures: u32) -> Duration {
    let factor = 1u32.checked_shl(failures.min(16)).unwrap_or(u32::MAX);
    TICK_INTERVAL.saturating_mul(factor).min(MAX_BACKOFF)
}

fn build_client() -> Result<reqwest::Client, reqwest::Error> {
    // reqwest is built without a default crypto provider; installing one twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        // The receiver is local; a system proxy must not intercept loopback traffic.
        .no_proxy()
        .user_agent(concat!("signalscope-demo/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Sends the non-empty parts of `batch`; stops at the first failure (the rest of the batch is
/// dropped: traces and logs are a sample anyway and metrics are cumulative).
async fn send_batch(
    client: &reqwest::Client,
    urls: &SignalUrls,
    batch: DemoBatch,
    stats: &SharedStats,
) -> Result<(), String> {
    let spans = batch.span_count() as u64;
    let log_records = batch.log_record_count() as u64;
    let DemoBatch {
        traces,
        logs,
        metrics,
    } = batch;
    if spans > 0 {
        post(client, &urls.traces, traces.encode_to_vec()).await?;
        stats.record_sent(&stats.spans_sent, spans);
    }
    if log_records > 0 {
        post(client, &urls.logs, logs.encode_to_vec()).await?;
        stats.record_sent(&stats.log_records_sent, log_records);
    }
    if let Some(metrics) = metrics {
        let points = data_point_count(&metrics) as u64;
        if points > 0 {
            post(client, &urls.metrics, metrics.encode_to_vec()).await?;
            stats.record_sent(&stats.data_points_sent, points);
        }
    }
    Ok(())
}

/// One OTLP/HTTP export. The error names the URL and says what went wrong.
async fn post(client: &reqwest::Client, url: &str, body: Vec<u8>) -> Result<(), String> {
    let response = client
        .post(url)
        .header(CONTENT_TYPE, PROTOBUF)
        .body(body)
        .send()
        .await
        .map_err(|error| format!("OTLP receiver at {url}: {}", describe_send_error(&error)))?;
    let status = response.status();
    // Read the body so the connection can be reused; its content (partial success) is not used.
    let body = response.bytes().await.unwrap_or_default();
    if status.is_success() {
        Ok(())
    } else {
        let excerpt = String::from_utf8_lossy(&body[..body.len().min(200)])
            .trim()
            .to_owned();
        Err(format!(
            "OTLP receiver at {url} answered {status}: {excerpt}"
        ))
    }
}

/// What went wrong in words a user can act on: "cannot connect: Connection refused (os error
/// 111)" rather than reqwest's outermost "error sending request for url (…)".
fn describe_send_error(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return format!("no answer within {REQUEST_TIMEOUT:?}");
    }
    let mut root: &dyn std::error::Error = error;
    while let Some(cause) = root.source() {
        root = cause;
    }
    if error.is_connect() {
        format!("cannot connect: {root}")
    } else {
        format!("{error}: {root}")
    }
}

/// The three OTLP/HTTP paths under one base URL.
struct SignalUrls {
    traces: String,
    logs: String,
    metrics: String,
}

impl SignalUrls {
    fn new(endpoint: &str) -> Self {
        let base = endpoint.trim().trim_end_matches('/');
        Self {
            traces: format!("{base}/v1/traces"),
            logs: format!("{base}/v1/logs"),
            metrics: format!("{base}/v1/metrics"),
        }
    }
}

/// Logs a failure at most once per [`FAILURE_LOG_INTERVAL`], with how many were suppressed.
#[derive(Default)]
struct FailureLog {
    last_logged: Option<Instant>,
    suppressed: u64,
}

impl FailureLog {
    fn report(&mut self, message: &str, retry_in: Duration) {
        let due = self
            .last_logged
            .is_none_or(|at| at.elapsed() >= FAILURE_LOG_INTERVAL);
        if !due {
            self.suppressed += 1;
            return;
        }
        let suppressed = std::mem::take(&mut self.suppressed);
        if suppressed > 0 {
            tracing::warn!(
                "demo workload: {message} (retrying in {retry_in:?}; {suppressed} more failures since the last report)"
            );
        } else {
            tracing::warn!("demo workload: {message} (retrying in {retry_in:?})");
        }
        self.last_logged = Some(Instant::now());
    }
}

/// Counters shared between the task and its handle.
#[derive(Debug, Default)]
struct SharedStats {
    requests_sent: AtomicU64,
    requests_failed: AtomicU64,
    spans_sent: AtomicU64,
    log_records_sent: AtomicU64,
    data_points_sent: AtomicU64,
    last_error: Mutex<Option<String>>,
}

impl SharedStats {
    fn record_sent(&self, items: &AtomicU64, count: u64) {
        self.requests_sent.fetch_add(1, Ordering::Relaxed);
        items.fetch_add(count, Ordering::Relaxed);
    }

    fn record_failure(&self, message: String) {
        self.requests_failed.fetch_add(1, Ordering::Relaxed);
        let mut last_error = self
            .last_error
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *last_error = Some(message);
    }

    fn snapshot(&self) -> DemoStats {
        let Self {
            requests_sent,
            requests_failed,
            spans_sent,
            log_records_sent,
            data_points_sent,
            last_error,
        } = self;
        DemoStats {
            requests_sent: requests_sent.load(Ordering::Relaxed),
            requests_failed: requests_failed.load(Ordering::Relaxed),
            spans_sent: spans_sent.load(Ordering::Relaxed),
            log_records_sent: log_records_sent.load(Ordering::Relaxed),
            data_points_sent: data_points_sent.load(Ordering::Relaxed),
            last_error: last_error
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .clone(),
        }
    }
}
