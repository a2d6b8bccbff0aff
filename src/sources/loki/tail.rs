//! Live tail over Loki's WebSocket `/loki/api/v1/tail`: frames are decoded into
//! [`TailFrame`]s and delivered through a bounded channel; a dropped connection is retried
//! with capped exponential back-off. Nothing is dropped silently: entries Loki reports in
//! `dropped_entries` and lines we drop because the consumer is behind are both counted.
//!
//! Dropping the [`TailHandle`] stops the task and closes the socket.

use super::ENCODING_FLAGS_HEADER;
use super::decode::{TailFrame, decode_tail_frame};
use crate::sources::SourceError;
use crate::sources::http::default_headers;
use crate::workspace::Connection;
use futures_util::StreamExt as _;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;

/// What to tail.
#[derive(Clone, Debug, PartialEq)]
pub struct TailRequest {
    /// LogQL log query.
    pub query: String,
    /// Unix ns to start from; Loki's default (one hour ago) when `None`.
    pub start_ns: Option<u64>,
    /// Seconds Loki waits for late lines before sending (`delay_for`, at most 5).
    pub delay_for_secs: u32,
    /// Lines sent on connect from before now.
    pub limit: usize,
}

impl TailRequest {
    pub fn new(query: &str) -> Self {
        Self {
            query: query.to_owned(),
            start_ns: None,
            delay_for_secs: 0,
            limit: 100,
        }
    }
}

/// How the tail behaves.
#[derive(Clone, Debug, PartialEq)]
pub struct TailOptions {
    /// Frames held for a slow consumer before new ones are dropped (and counted).
    pub buffer_frames: usize,
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    /// Ask for the `categorize-labels` encoding.
    pub categorize_labels: bool,
}

impl Default for TailOptions {
    fn default() -> Self {
        Self {
            buffer_frames: 256,
            backoff_min: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            categorize_labels: true,
        }
    }
}

/// Counts the UI shows beside a live tail (lines per second, dropped-entries notice).
#[derive(Debug, Default)]
pub struct TailCounters {
    lines: AtomicU64,
    dropped_by_loki: AtomicU64,
    dropped_slow_consumer: AtomicU64,
    undecodable_frames: AtomicU64,
    connects: AtomicU64,
    connected: AtomicBool,
    last_error: Mutex<Option<SourceError>>,
}

impl TailCounters {
    /// Lines delivered to the channel.
    pub fn lines(&self) -> u64 {
        self.lines.load(Ordering::Relaxed)
    }
    /// Entries Loki reported in `dropped_entries` (its tailer could not keep up).
    pub fn dropped_by_loki(&self) -> u64 {
        self.dropped_by_loki.load(Ordering::Relaxed)
    }
    /// Lines we dropped because the channel was full.
    pub fn dropped_slow_consumer(&self) -> u64 {
        self.dropped_slow_consumer.load(Ordering::Relaxed)
    }
    /// Frames that were not valid tail JSON (their lines are lost; `last_error` says why).
    pub fn undecodable_frames(&self) -> u64 {
        self.undecodable_frames.load(Ordering::Relaxed)
    }
    /// Successful WebSocket handshakes (1 + reconnects).
    pub fn connects(&self) -> u64 {
        self.connects.load(Ordering::Relaxed)
    }
    pub fn is_connected(&self) -> bool {
        self.connected.load(Ordering::Relaxed)
    }
    /// Why the last connection attempt or connection failed, if one did.
    pub fn last_error(&self) -> Option<SourceError> {
        self.last_error.lock().ok().and_then(|e| e.clone())
    }
    fn set_error(&self, e: SourceError) {
        if let Ok(mut slot) = self.last_error.lock() {
            *slot = Some(e);
        }
    }
}

/// A running tail. Read frames from `frames`; drop the handle to stop.
pub struct TailHandle {
    pub frames: mpsc::Receiver<TailFrame>,
    pub counters: Arc<TailCounters>,
    task: tokio::task::AbortHandle,
}

impl Drop for TailHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts tailing on `runtime`. Fails only on bad settings; connection trouble is retried
/// and reported through [`TailCounters::last_error`].
pub fn start_tail(
    runtime: &tokio::runtime::Handle,
    conn: &Connection,
    request: TailRequest,
    options: TailOptions,
) -> Result<TailHandle, SourceError> {
    let base = websocket_base(&conn.url)?;
    let headers = default_headers(conn)?;
    let (sender, frames) = mpsc::channel(options.buffer_frames.max(1));
    let counters = Arc::new(TailCounters::default());
    let task = runtime.spawn(run(
        base,
        headers,
        request,
        options,
        sender,
        Arc::clone(&counters),
    ));
    Ok(TailHandle {
        frames,
        counters,
        task: task.abort_handle(),
    })
}

/// `http://host/prefix` → `ws://host/prefix`, `https://…` → `wss://…`.
pub fn websocket_base(url: &str) -> Result<String, SourceError> {
    let url = url.trim().trim_end_matches('/');
    if let Some(rest) = url.strip_prefix("http://") {
        Ok(format!("ws://{rest}"))
    } else if let Some(rest) = url.strip_prefix("https://") {
        Ok(format!("wss://{rest}"))
    } else {
        Err(SourceError::Config(format!(
            "base URL “{url}” must start with http:// or https://"
        )))
    }
}

/// The tail URL for `request`, starting at `start_ns` when known.
fn tail_url(base: &str, request: &TailRequest, start_ns: Option<u64>) -> String {
    let (limit, delay) = (
        request.limit.to_string(),
        request.delay_for_secs.to_string(),
    );
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("query", &request.query);
    query.append_pair("limit", &limit);
    query.append_pair("delay_for", &delay);
    if let Some(start) = start_ns {
        query.append_pair("start", &start.to_string());
    }
    format!("{base}/loki/api/v1/tail?{}", query.finish())
}

async fn run(
    base: String,
    headers: reqwest::header::HeaderMap,
    request: TailRequest,
    options: TailOptions,
    sender: mpsc::Sender<TailFrame>,
    counters: Arc<TailCounters>,
) {
    let mut backoff = options.backoff_min;
    // After a reconnect, continue just after the newest line seen instead of repeating them.
    let mut start_ns = request.start_ns;
    loop {
        let url = tail_url(&base, &request, start_ns);
        match connect(&url, &headers, options.categorize_labels).await {
            Ok(mut socket) => {
                counters.connects.fetch_add(1, Ordering::Relaxed);
                counters.connected.store(true, Ordering::Relaxed);
                backoff = options.backoff_min;
                while let Some(message) = socket.next().await {
                    let text = match message {
                        Ok(Message::Text(text)) => text,
                        Ok(Message::Close(_)) => break,
                        Ok(_) => continue,
                        Err(e) => {
                            counters.set_error(SourceError::Unreachable {
                                url: url.clone(),
                                message: e.to_string(),
                            });
                            break;
                        }
                    };
                    let frame = match decode_tail_frame(text.as_str()) {
                        Ok(frame) => frame,
                        Err(e) => {
                            counters.undecodable_frames.fetch_add(1, Ordering::Relaxed);
                            counters.set_error(SourceError::Decode {
                                url: url.clone(),
                                message: e.message,
                                line: e.line,
                                column: e.column,
                            });
                            continue;
                        }
                    };
                    if let Some(&newest) = frame.lines.time_ns.iter().max() {
                        start_ns = Some(start_ns.map_or(newest + 1, |s| s.max(newest + 1)));
                    }
                    deliver(frame, &sender, &counters);
                    if sender.is_closed() {
                        return;
                    }
                }
                counters.connected.store(false, Ordering::Relaxed);
            }
            Err(e) => counters.set_error(e),
        }
        if sender.is_closed() {
            return;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(options.backoff_max);
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(
    url: &str,
    headers: &reqwest::header::HeaderMap,
    categorize: bool,
) -> Result<Socket, SourceError> {
    let mut request = url
        .into_client_request()
        .map_err(|e| SourceError::Config(format!("tail URL {url}: {e}")))?;
    for (name, value) in headers {
        request.headers_mut().insert(name.clone(), value.clone());
    }
    if categorize {
        request.headers_mut().insert(
            ENCODING_FLAGS_HEADER,
            HeaderValue::from_static("categorize-labels"),
        );
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            let body = response
                .body()
                .as_deref()
                .map(|b| String::from_utf8_lossy(b).trim().to_owned())
                .unwrap_or_default();
            Err(SourceError::HttpStatus {
                url: url.to_owned(),
                status: response.status().as_u16(),
                body,
            })
        }
        Err(e) => Err(SourceError::Unreachable {
            url: url.to_owned(),
            message: e.to_string(),
        }),
    }
}

/// Sends a frame without waiting: a full channel means the consumer is behind, and the
/// frame's lines are counted as dropped rather than stalling the socket.
fn deliver(frame: TailFrame, sender: &mpsc::Sender<TailFrame>, counters: &TailCounters) {
    counters
        .dropped_by_loki
        .fetch_add(frame.dropped.len() as u64, Ordering::Relaxed);
    let lines = frame.lines.len() as u64;
    // Counted before sending, so a consumer that sees the frame also sees it counted.
    counters.lines.fetch_add(lines, Ordering::Relaxed);
    match sender.try_send(frame) {
        Ok(()) => {}
        Err(mpsc::error::TrySendError::Full(_)) => {
            counters.lines.fetch_sub(lines, Ordering::Relaxed);
            counters
                .dropped_slow_consumer
                .fetch_add(lines, Ordering::Relaxed);
        }
        Err(mpsc::error::TrySendError::Closed(_)) => {
            counters.lines.fetch_sub(lines, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websocket_url_follows_the_http_scheme() {
        assert_eq!(
            websocket_base("http://loki:3100/").unwrap(),
            "ws://loki:3100"
        );
        assert_eq!(
            websocket_base("https://logs.example.com/loki-prefix").unwrap(),
            "wss://logs.example.com/loki-prefix"
        );
        assert!(websocket_base("loki:3100").is_err());
    }

    #[test]
    fn tail_url_carries_query_and_start() {
        let mut r = TailRequest::new("{app=\"a\"}");
        r.limit = 10;
        let url = tail_url("ws://h", &r, Some(42));
        assert_eq!(
            url,
            "ws://h/loki/api/v1/tail?query=%7Bapp%3D%22a%22%7D&limit=10&delay_for=0&start=42"
        );
    }

    #[test]
    fn full_channel_counts_dropped_lines() {
        let (tx, _rx) = mpsc::channel(1);
        let counters = TailCounters::default();
        let mut frame = TailFrame::default();
        frame.lines.push_stream_row(1, 0, "a");
        frame.lines.push_stream_row(2, 0, "b");
        deliver(frame.clone(), &tx, &counters);
        deliver(frame, &tx, &counters);
        assert_eq!(counters.lines(), 2);
        assert_eq!(counters.dropped_slow_consumer(), 2);
    }
}
