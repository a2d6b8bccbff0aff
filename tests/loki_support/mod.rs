//! A replay Loki for tests: an axum server implementing the documented Loki HTTP API routes
//! (`query_range`, `query`, `labels`, `label/<name>/values`, `series`, `index/volume`,
//! `index/volume_range`, WebSocket `tail`) that checks the parameters it receives and answers
//! with the fixtures in `tests/fixtures/loki/` (see PROVENANCE.md there), plus a generator of
//! synthetic lines with Loki's paging semantics (`start` inclusive, `end` exclusive, newest
//! first for `backward`, at most `limit` entries, grouped by stream).

#![allow(dead_code)]

use axum::Router;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const TENANT: &str = "tenant-a";
pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/loki");

/// The queries the replay server knows, each answered with one fixture.
pub const Q_BACKWARD: &str = r#"{namespace="shop"}"#;
pub const Q_ERROR_FILTER: &str = r#"{namespace="shop"} |~ "(?i)error""#;
pub const Q_CATEGORIZED: &str = r#"{namespace="shop", service_name=~"frontend|payment"}"#;
pub const Q_LOGFMT: &str = r#"{service_name="checkout"} | logfmt"#;
pub const Q_EMPTY: &str = r#"{namespace="nothing"}"#;
pub const Q_MATRIX: &str =
    r#"sum by (service_name) (count_over_time({namespace="shop"} |~ "(?i)error" [1m]))"#;
pub const Q_RATE: &str = r#"sum by (service_name) (rate({namespace="shop"} |~ "(?i)error" [5m]))"#;
/// `fixture-error:<file>` answers with that error fixture and the status in its name.
pub const Q_ERROR_PREFIX: &str = "fixture-error:";
/// Answered with the first half of the backward fixture (a cut connection).
pub const Q_TRUNCATED: &str = "truncated";
/// Answered with an HTML page and status 200 (a proxy's error page).
pub const Q_GARBAGE: &str = "garbage";
/// Answered after 3 seconds.
pub const Q_SLOW: &str = "slow";

/// One request the server saw.
#[derive(Clone, Debug)]
pub struct Seen {
    pub path: String,
    pub params: Vec<(String, String)>,
    pub org_id: Option<String>,
    pub categorize: bool,
}

impl Seen {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Synthetic lines served by the paging routes.
#[derive(Clone, Debug)]
pub struct Synthetic {
    /// (nanosecond timestamp, stream index, line), sorted by time.
    pub entries: Vec<(u64, usize, String)>,
    pub streams: Vec<BTreeMap<String, String>>,
    /// Delay before each answer (for cancellation tests).
    pub delay: Duration,
}

impl Synthetic {
    /// `n` lines over three streams; every 7 consecutive lines share one nanosecond, so page
    /// boundaries fall inside groups of equal timestamps.
    pub fn grouped(n: usize, base_ns: u64) -> Self {
        let streams = (0..3)
            .map(|s| {
                BTreeMap::from([
                    ("job".to_owned(), "synth".to_owned()),
                    ("shard".to_owned(), s.to_string()),
                ])
            })
            .collect();
        let entries = (0..n)
            .map(|i| {
                (
                    base_ns + (i as u64 / 7) * 1_000,
                    i % 3,
                    format!("line {i:06} level=info"),
                )
            })
            .collect();
        Self {
            entries,
            streams,
            delay: Duration::ZERO,
        }
    }
}

#[derive(Default)]
struct ServerState {
    seen: Mutex<Vec<Seen>>,
    synthetic: Option<Synthetic>,
    tail_connections: AtomicUsize,
    /// Pages whose last entry's nanosecond continued past the page (a split group).
    split_pages: AtomicUsize,
}

/// A running replay server; stops with its runtime when dropped.
pub struct ReplayLoki {
    pub url: String,
    state: Arc<ServerState>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl ReplayLoki {
    /// Serves the fixtures.
    pub fn start() -> Self {
        Self::start_with(None)
    }

    /// Serves `synthetic` lines on `query_range` instead of the fixtures.
    pub fn synthetic(synthetic: Synthetic) -> Self {
        Self::start_with(Some(synthetic))
    }

    fn start_with(synthetic: Option<Synthetic>) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let state = Arc::new(ServerState {
            synthetic,
            ..ServerState::default()
        });
        // Bound here (std) so the address is known at once, served on the server's runtime:
        // tests call this from inside their own runtime, where `block_on` is not allowed.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        let app = Router::new()
            .route("/loki/api/v1/query_range", get(query_range))
            .route("/loki/api/v1/query", get(instant_query))
            .route("/loki/api/v1/labels", get(labels))
            .route("/loki/api/v1/label/{name}/values", get(label_values))
            .route("/loki/api/v1/series", get(series))
            .route("/loki/api/v1/index/volume", get(volume))
            .route("/loki/api/v1/index/volume_range", get(volume_range))
            .route("/loki/api/v1/tail", get(tail))
            .with_state(Arc::clone(&state));
        runtime.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url: format!("http://{addr}"),
            state,
            runtime: Some(runtime),
        }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().expect("lock").clone()
    }

    pub fn requests(&self) -> usize {
        self.state.seen.lock().expect("lock").len()
    }

    pub fn split_pages(&self) -> usize {
        self.state.split_pages.load(Ordering::SeqCst)
    }

    pub fn handle(&self) -> tokio::runtime::Handle {
        self.runtime.as_ref().expect("runtime").handle().clone()
    }
}

impl Drop for ReplayLoki {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn record(state: &ServerState, path: &str, query: Option<String>, headers: &HeaderMap) -> Seen {
    let params = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    let seen = Seen {
        path: path.to_owned(),
        params,
        org_id: headers
            .get("x-scope-orgid")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        categorize: headers
            .get("x-loki-response-encoding-flags")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|f| f.trim() == "categorize-labels")),
    };
    state.seen.lock().expect("lock").push(seen.clone());
    seen
}

fn json(body: Vec<u8>) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

/// Loki's plain-text error answer.
fn text_error(status: u16, message: impl Into<String>) -> Response {
    (
        StatusCode::from_u16(status).expect("status"),
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message.into(),
    )
        .into_response()
}

/// What Loki checks first: the tenant (multi-tenant mode), then the parameters. `Some` is
/// the error answer.
fn check_common(seen: &Seen, required: &[&str]) -> Option<Response> {
    if seen.org_id.is_none() {
        return Some(text_error(
            401,
            String::from_utf8_lossy(&fixture("error-401-no-org-id.txt")),
        ));
    }
    for name in required {
        if seen.param(name).is_none_or(str::is_empty) {
            return Some(text_error(400, format!("replay: missing parameter {name}")));
        }
    }
    for name in ["start", "end", "time"] {
        if let Some(v) = seen.param(name)
            && v.parse::<u64>().is_err()
        {
            return Some(text_error(
                400,
                format!("replay: {name}={v} is not nanoseconds"),
            ));
        }
    }
    if let Some(v) = seen.param("limit")
        && v.parse::<usize>().is_err()
    {
        return Some(text_error(400, format!("replay: limit={v}")));
    }
    if let Some(d) = seen.param("direction")
        && d != "forward"
        && d != "backward"
    {
        return Some(text_error(400, format!("replay: direction={d}")));
    }
    None
}

async fn query_range(
    State(state): State<Arc<ServerState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let seen = record(&state, "/loki/api/v1/query_range", query, &headers);
    if let Some(r) = check_common(&seen, &["query", "start", "end", "limit", "direction"]) {
        return r;
    }
    if let Some(synthetic) = &state.synthetic {
        tokio::time::sleep(synthetic.delay).await;
        return synthetic_page(&state, synthetic, &seen);
    }
    let q = seen.param("query").unwrap_or_default();
    let direction = seen.param("direction").unwrap_or_default();
    if let Some(file) = q.strip_prefix(Q_ERROR_PREFIX) {
        let status = file
            .trim_start_matches("error-")
            .get(..3)
            .and_then(|s| s.parse().ok())
            .unwrap_or(500);
        return text_error(status, String::from_utf8_lossy(&fixture(file)));
    }
    let categorized = |file: &str| {
        if seen.categorize {
            json(fixture(file))
        } else {
            text_error(
                400,
                "replay: this fixture needs the categorize-labels header",
            )
        }
    };
    if let Some(inner) = q
        .strip_prefix("sum by (detected_level) (count_over_time(")
        .and_then(|rest| rest.rsplit_once(" ["))
        .map(|(inner, _)| inner)
        && inner == Q_BACKWARD
    {
        return json(volume_of_backward_fixture(&seen));
    }
    match (q, direction) {
        (Q_BACKWARD, "backward") => json(fixture("query-range-streams-backward.json")),
        (Q_ERROR_FILTER, "forward") => {
            json(fixture("query-range-streams-forward-error-filter.json"))
        }
        (Q_CATEGORIZED, "backward") => categorized("query-range-streams-categorize-labels.json"),
        (Q_LOGFMT, "backward") => categorized("query-range-streams-categorize-labels-logfmt.json"),
        (Q_EMPTY, _) => json(fixture("query-range-streams-empty.json")),
        (Q_MATRIX, _) if seen.param("step").is_some() => {
            json(fixture("query-range-matrix-error-count-by-service.json"))
        }
        (Q_TRUNCATED, _) => {
            let body = fixture("query-range-streams-backward.json");
            json(body[..body.len() / 2].to_vec())
        }
        (Q_GARBAGE, _) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body>Bad gateway</body></html>",
        )
            .into_response(),
        (Q_SLOW, _) => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            json(fixture("query-range-streams-empty.json"))
        }
        _ => text_error(
            400,
            String::from_utf8_lossy(&fixture("error-400-parse.txt")),
        ),
    }
}

/// Loki's paging semantics over the synthetic lines.
fn synthetic_page(state: &ServerState, synthetic: &Synthetic, seen: &Seen) -> Response {
    let num = |name: &str| {
        seen.param(name)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let (start, end, limit) = (num("start"), num("end"), num("limit") as usize);
    let backward = seen.param("direction") == Some("backward");
    let mut hits: Vec<&(u64, usize, String)> = synthetic
        .entries
        .iter()
        .filter(|(t, _, _)| *t >= start && *t < end)
        .collect();
    if backward {
        hits.sort_by_key(|(t, _, _)| std::cmp::Reverse(*t));
    }
    if hits.len() > limit {
        let edge = hits[limit - 1].0;
        if hits[limit].0 == edge {
            state.split_pages.fetch_add(1, Ordering::SeqCst);
        }
        hits.truncate(limit);
    }
    // Loki groups the entries by stream, each stream in the requested direction.
    let mut by_stream: BTreeMap<usize, Vec<serde_json::Value>> = BTreeMap::new();
    for (t, s, line) in hits {
        by_stream
            .entry(*s)
            .or_default()
            .push(serde_json::json!([t.to_string(), line, {}]));
    }
    let result: Vec<serde_json::Value> = by_stream
        .into_iter()
        .map(|(s, values)| serde_json::json!({"stream": synthetic.streams[s], "values": values}))
        .collect();
    let body = serde_json::json!({
        "status": "success",
        "data": {"resultType": "streams", "encodingFlags": ["categorize-labels"], "result": result, "stats": {}}
    });
    json(serde_json::to_vec(&body).expect("json"))
}

async fn instant_query(
    State(state): State<Arc<ServerState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let seen = record(&state, "/loki/api/v1/query", query, &headers);
    if let Some(r) = check_common(&seen, &["query", "time"]) {
        return r;
    }
    match seen.param("query").unwrap_or_default() {
        Q_RATE => json(fixture("query-instant-vector-error-rate.json")),
        q if q.starts_with('{') => text_error(
            400,
            String::from_utf8_lossy(&fixture("error-400-instant-log-query.txt")),
        ),
        _ => text_error(
            400,
            String::from_utf8_lossy(&fixture("error-400-parse.txt")),
        ),
    }
}

async fn labels(
    State(state): State<Arc<ServerState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let seen = record(&state, "/loki/api/v1/labels", query, &headers);
    check_common(&seen, &["start", "end"]).unwrap_or_else(|| json(fixture("labels.json")))
}

async fn label_values(
    State(state): State<Arc<ServerState>>,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let seen = record(
        &state,
        &format!("/loki/api/v1/label/{name}/values"),
        query,
        &headers,
    );
    if let Some(r) = check_common(&seen, &["start", "end"]) {
        return r;
    }
    if name == "service_name" {
        json(fixture("label-service_name-values.json"))
    } else {
        json(br#"{"status":"success","data":[]}"#.to_vec())
    }
}

async fn series(
    State(state): State<Arc<ServerState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let seen = record(&state, "/loki/api/v1/series", query, &headers);
    check_common(&seen, &["match[]", "start", "end"])
        .unwrap_or_else(|| json(fixture("series.json")))
}

async fn volume(
    State(state): State<Arc<ServerState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let seen = record(&state, "/loki/api/v1/index/volume", query, &headers);
    check_common(&seen, &["query", "start", "end"])
        .unwrap_or_else(|| json(fixture("index-volume.json")))
}

async fn volume_range(
    State(state): State<Arc<ServerState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let seen = record(&state, "/loki/api/v1/index/volume_range", query, &headers);
    check_common(&seen, &["query", "start", "end", "step"])
        .unwrap_or_else(|| json(fixture("index-volume-range.json")))
}

/// First connection: the streams frame and the dropped-entries frame, then a close. Later
/// connections: the categorized frame, then the socket stays open until the client leaves.
async fn tail(
    State(state): State<Arc<ServerState>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let seen = record(&state, "/loki/api/v1/tail", query, &headers);
    if let Some(r) = check_common(&seen, &["query"]) {
        return r;
    }
    let n = state.tail_connections.fetch_add(1, Ordering::SeqCst);
    ws.on_upgrade(move |socket| send_frames(socket, n))
}

async fn send_frames(mut socket: WebSocket, connection: usize) {
    let files: &[&str] = if connection == 0 {
        &["tail-frame-streams.json", "tail-frame-dropped-entries.json"]
    } else {
        &["tail-frame-categorize-labels.json"]
    };
    for file in files {
        let text = String::from_utf8(fixture(file)).expect("utf-8");
        if socket.send(Message::Text(text.into())).await.is_err() {
            return;
        }
    }
    if connection == 0 {
        let _ = socket.send(Message::Close(None)).await;
        return;
    }
    while let Some(Ok(_)) = socket.recv().await {}
}

/// `sum by (detected_level) (count_over_time({namespace="shop"} [step]))` over the recorded
/// lines, as Loki computes it: each line's `level=` (its detected level) counted into the
/// step ending at or after it, one series per level, over the request's `start`/`end`/`step`.
fn volume_of_backward_fixture(seen: &Seen) -> Vec<u8> {
    let body: serde_json::Value =
        serde_json::from_slice(&fixture("query-range-streams-backward.json")).expect("fixture");
    let start: u64 = seen
        .param("start")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let step_ns = (seen
        .param("step")
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(60.0)
        * 1e9) as u64;
    let mut counts: BTreeMap<String, BTreeMap<u64, u64>> = BTreeMap::new();
    for stream in body["data"]["result"].as_array().expect("streams") {
        for value in stream["values"].as_array().expect("values") {
            let t: u64 = value[0].as_str().expect("ts").parse().expect("ns");
            let line = value[1].as_str().expect("line");
            let level = line
                .split_whitespace()
                .find_map(|w| w.strip_prefix("level="))
                .unwrap_or("unknown")
                .to_owned();
            let step_end = start + (t.saturating_sub(start)).div_ceil(step_ns).max(1) * step_ns;
            *counts
                .entry(level)
                .or_default()
                .entry(step_end)
                .or_default() += 1;
        }
    }
    let result: Vec<serde_json::Value> = counts
        .into_iter()
        .map(|(level, points)| {
            serde_json::json!({
                "metric": { "detected_level": level },
                "values": points
                    .into_iter()
                    .map(|(t, n)| serde_json::json!([t as f64 / 1e9, n.to_string()]))
                    .collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "status": "success",
        "data": { "resultType": "matrix", "result": result },
    }))
    .expect("json")
}
