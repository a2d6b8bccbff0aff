//! The Loki client against a replay server that follows the documented API and serves the
//! fixtures in tests/fixtures/loki/ (see PROVENANCE.md there): every response shape, every
//! error fixture, bad bodies, a dead server, paging over 12,345 lines, cancellation and the
//! WebSocket tail with reconnect.

mod loki_support;

use loki_support::*;
use signalscope::analysis::log_level::{LogLevel, assign_levels};
use signalscope::analysis::trace_link::TraceLinkPattern;
use signalscope::fetch::Progress;
use signalscope::model::LogBatch;
use signalscope::sources::loki::{
    self, Direction, LoadProgress, LokiAnswer, LokiRangeQuery, NsRange, TailOptions, TailRequest,
};
use signalscope::sources::{HttpClient, SourceError};
use signalscope::workspace::{Connection, ConnectionId, HeaderEntry};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

const TRACE: &str = "bdd640fb06671ad11c80317fa3b1799d";
/// Around the fixtures' timestamps (1795507024241106085 ns).
const RANGE: NsRange = NsRange {
    start_ns: 1_795_500_000_000_000_000,
    end_ns: 1_795_510_000_000_000_000,
};

fn connection(url: &str) -> Connection {
    let mut conn = Connection::prometheus(ConnectionId(7), "loki", url);
    conn.headers = vec![HeaderEntry::from_input("X-Scope-OrgID", TENANT)];
    conn.timeout_secs = 10;
    conn
}

fn client(url: &str) -> HttpClient {
    HttpClient::new(&connection(url)).expect("client")
}

async fn logs(http: &HttpClient, q: &LokiRangeQuery) -> Result<LogBatch, SourceError> {
    match loki::query_range(http, q, &Progress::default()).await? {
        LokiAnswer::Logs(batch) => Ok(batch),
        other => panic!("expected lines, got {other:?}"),
    }
}

fn find_row(batch: &LogBatch, needle: &str) -> usize {
    (0..batch.len())
        .find(|&i| batch.body(i).contains(needle))
        .unwrap_or_else(|| panic!("no line contains {needle:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backward_streams_decode_with_labels_trace_ids_and_sent_parameters() {
    let server = ReplayLoki::start();
    let http = client(&server.url);
    let mut q = LokiRangeQuery::logs(Q_BACKWARD, RANGE);
    q.categorize_labels = false;
    let batch = logs(&http, &q).await.expect("backward fixture");
    assert_eq!(batch.len(), 17, "7 checkout + 5 frontend + 5 payment lines");
    assert_eq!(
        batch.streams.len(),
        7,
        "payment comes back split by structured metadata"
    );
    assert_eq!(batch.time_ns[0], 1_795_507_054_741_106_085);
    assert_eq!(
        batch.body(0),
        r#"ts=2026-11-24T07:57:34.741Z level=info caller=handler.go:88 msg="request served" method=GET path=/healthz status=200 duration=0.3ms"#
    );
    assert_eq!(batch.service_name(0), "checkout");
    assert_eq!(
        batch.stream_labels(0).and_then(|l| l.get("pod")),
        Some("checkout-5b8d4-xk2lp")
    );
    // Go's HTML escaping (\u003c…) and non-ASCII text come back as written.
    let html = find_row(&batch, "template rendered");
    assert!(
        batch
            .body(html)
            .contains(r#"<div class="error">Payment failed & order saved</div>"#)
    );
    let german = find_row(&batch, "Zahlung");
    assert!(
        batch
            .body(german)
            .contains("Zahlung abgelehnt – Karte gesperrt ✗")
    );
    // Trace ids folded into payment's stream labels fill the trace column.
    assert_eq!(
        batch.trace_id[german].map(|t| t.to_string()).as_deref(),
        Some(TRACE)
    );
    let charge = find_row(&batch, "charge failed");
    assert_eq!(
        batch.span_id[charge].map(|s| s.to_string()).as_deref(),
        Some("9a1de644815ef6d1")
    );
    // Lines whose trace id is only in the text are found by the default trace pattern.
    let pattern = TraceLinkPattern::default();
    let in_text = (0..batch.len())
        .filter(|&i| {
            pattern
                .find(batch.body(i))
                .is_some_and(|l| l.trace_id.to_string() == TRACE)
        })
        .count();
    assert_eq!(in_text, 9, "lines of the recorded trace that name it");

    let seen = server.seen();
    let s = &seen[0];
    assert_eq!(s.path, "/loki/api/v1/query_range");
    assert_eq!(s.param("query"), Some(Q_BACKWARD));
    assert_eq!(s.param("start"), Some("1795500000000000000"));
    assert_eq!(s.param("end"), Some("1795510000000000000"));
    assert_eq!(s.param("limit"), Some("5000"));
    assert_eq!(s.param("direction"), Some("backward"));
    assert_eq!(s.org_id.as_deref(), Some(TENANT));
    assert!(!s.categorize);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forward_filter_and_empty_results() {
    let server = ReplayLoki::start();
    let http = client(&server.url);
    let mut q = LokiRangeQuery::logs(Q_ERROR_FILTER, RANGE);
    q.direction = Direction::Forward;
    let batch = logs(&http, &q).await.expect("forward fixture");
    assert_eq!(batch.len(), 4);
    let times: Vec<u64> = batch.time_ns.clone();
    // Each stream is oldest first in a forward answer.
    assert!(times[1] < times[2], "{times:?}");
    assert_eq!(server.seen()[0].param("direction"), Some("forward"));

    let empty = logs(&http, &LokiRangeQuery::logs(Q_EMPTY, RANGE))
        .await
        .expect("empty");
    assert!(empty.is_empty());
    assert_eq!(empty.matched, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn categorized_lines_carry_structured_metadata_and_parsed_labels() {
    let server = ReplayLoki::start();
    let http = client(&server.url);
    let batch = logs(&http, &LokiRangeQuery::logs(Q_CATEGORIZED, RANGE))
        .await
        .expect("categorized fixture");
    assert!(server.seen()[0].categorize, "the encoding header was sent");
    assert_eq!(batch.len(), 10);
    assert_eq!(batch.streams.len(), 2, "metadata no longer splits streams");
    let reconciled = find_row(&batch, "reconciled order");
    assert_eq!(
        batch.structured_metadata.get(reconciled, "trace_id"),
        Some("b74d0fb132e706298fadc1a606cb0fb3")
    );
    assert_eq!(
        batch.trace_id[reconciled].map(|t| t.to_string()).as_deref(),
        Some("b74d0fb132e706298fadc1a606cb0fb3")
    );
    let frontend = find_row(&batch, "cache stats");
    assert_eq!(
        batch.structured_metadata.row(frontend).count(),
        0,
        "{{}} means none"
    );
    assert_eq!(batch.service_name(frontend), "frontend");

    let batch = logs(&http, &LokiRangeQuery::logs(Q_LOGFMT, RANGE))
        .await
        .expect("logfmt fixture");
    assert_eq!(batch.len(), 7);
    let declined = find_row(&batch, "payment declined");
    assert_eq!(batch.parsed.get(declined, "status"), Some("402"));
    assert_eq!(
        batch.parsed.get(declined, "msg"),
        Some("payment declined; order kept in state PENDING_PAYMENT")
    );
    assert_eq!(batch.parsed.get(declined, "trace_id"), Some(TRACE));
    assert_eq!(batch.structured_metadata.row(declined).count(), 0);

    // Levels come from parsed labels; rows keep their own.
    let mut batch = batch;
    assign_levels(&mut batch);
    assert_eq!(batch.severity[declined], LogLevel::Warn.severity_number());
    let failed = find_row(&batch, "request failed");
    assert_eq!(batch.severity[failed], LogLevel::Error.severity_number());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metric_queries_labels_series_and_volumes_decode() {
    let server = ReplayLoki::start();
    let http = client(&server.url);
    let p = Progress::default();

    let mut q = LokiRangeQuery::logs(Q_MATRIX, RANGE);
    q.step = Some(60.0);
    let LokiAnswer::Metric(matrix) = loki::query_range(&http, &q, &p).await.expect("matrix") else {
        panic!("matrix expected");
    };
    assert_eq!(matrix.series.len(), 3);
    assert_eq!(
        matrix.series[0].labels.get("service_name"),
        Some("checkout")
    );
    assert_eq!(matrix.series[0].values, [2.0, 1.0, 3.0, 9.0, 4.0, 2.0, 1.0]);
    assert_eq!(matrix.series[0].timestamps[0], 1_795_506_720.0);

    let LokiAnswer::Metric(vector) = loki::query(
        &http,
        Q_RATE,
        1_795_507_084_241_000_000,
        100,
        Direction::Backward,
        &p,
    )
    .await
    .expect("vector") else {
        panic!("vector expected");
    };
    assert_eq!(vector.series.len(), 3);
    assert_eq!(vector.series[2].labels.get("service_name"), Some("payment"));
    assert_eq!(vector.series[2].values, [0.01]);
    assert_eq!(vector.series[2].timestamps, [1_795_507_084.241]);

    let names = loki::labels(&http, RANGE, &p).await.expect("labels");
    assert_eq!(
        names,
        [
            "container",
            "namespace",
            "pod",
            "service_name",
            "service_namespace"
        ]
    );
    let values = loki::label_values(&http, "service_name", RANGE, Some(Q_BACKWARD), &p)
        .await
        .expect("values");
    assert_eq!(values, ["checkout", "frontend", "payment"]);
    let series = loki::series(&http, &[Q_BACKWARD], RANGE, &p)
        .await
        .expect("series");
    assert_eq!(series.len(), 3);
    assert_eq!(series[1].get("pod"), Some("frontend-7c9f5d-abcde"));

    let volume = loki::volume(&http, Q_BACKWARD, RANGE, 100, &p)
        .await
        .expect("volume");
    assert_eq!(
        volume.series[0].labels.get("service_name"),
        Some("frontend")
    );
    assert_eq!(volume.series[0].values, [19_233_280.0]);
    let volume_range = loki::volume_range(&http, Q_BACKWARD, RANGE, 600.0, &p)
        .await
        .expect("volume_range");
    assert_eq!(volume_range.series.len(), 3);
    assert_eq!(volume_range.series[0].values.len(), 6);
    assert_eq!(volume_range.series[1].values[1], 3_111_000.0);

    let seen = server.seen();
    let find = |path: &str| seen.iter().find(|s| s.path == path).expect(path).clone();
    assert_eq!(find("/loki/api/v1/query_range").param("step"), Some("60"));
    assert_eq!(
        find("/loki/api/v1/query").param("time"),
        Some("1795507084241000000")
    );
    assert_eq!(
        find("/loki/api/v1/label/service_name/values").param("query"),
        Some(Q_BACKWARD)
    );
    assert_eq!(
        find("/loki/api/v1/series").param("match[]"),
        Some(Q_BACKWARD)
    );
    assert_eq!(
        find("/loki/api/v1/index/volume_range").param("step"),
        Some("600")
    );
    assert!(seen.iter().all(|s| s.org_id.as_deref() == Some(TENANT)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_fixture_becomes_a_typed_error_with_lokis_words() {
    let server = ReplayLoki::start();
    let http = client(&server.url);
    let files = [
        "error-400-parse.txt",
        "error-400-empty-compatible-matcher.txt",
        "error-400-instant-log-query.txt",
        "error-400-max-entries.txt",
        "error-400-query-too-long.txt",
        "error-400-pipeline.txt",
        "error-401-no-org-id.txt",
        "error-429-too-many-outstanding-requests.txt",
        "error-499-client-canceled.txt",
        "error-504-timeout.txt",
    ];
    for file in files {
        let words = String::from_utf8(fixture(file)).expect("utf-8");
        let q = LokiRangeQuery::logs(&format!("{Q_ERROR_PREFIX}{file}"), RANGE);
        let err = logs(&http, &q).await.expect_err(file);
        let status: u16 = file[6..9].parse().expect("status in name");
        match (&err, status) {
            (SourceError::Query { message, .. }, 400) => {
                assert_eq!(message, words.trim(), "{file}")
            }
            (
                SourceError::HttpStatus {
                    status: s, body, ..
                },
                _,
            ) if *s == status => {
                assert_eq!(body, words.trim(), "{file}")
            }
            _ => panic!("{file}: {err:?}"),
        }
    }
    // The real paths to two of them: an instant log query, and a missing tenant.
    let err = loki::query(
        &http,
        Q_BACKWARD,
        RANGE.end_ns,
        10,
        Direction::Backward,
        &Progress::default(),
    )
    .await
    .expect_err("log query at /query");
    assert!(
        matches!(&err, SourceError::Query { message, .. } if message.starts_with("log queries are not supported as an instant query")),
        "{err:?}"
    );
    let mut no_tenant = connection(&server.url);
    no_tenant.headers.clear();
    let err = logs(
        &HttpClient::new(&no_tenant).expect("client"),
        &LokiRangeQuery::logs(Q_BACKWARD, RANGE),
    )
    .await
    .expect_err("no org id");
    assert!(
        matches!(&err, SourceError::HttpStatus { status: 401, body, .. } if body == "no org id"),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bodies_slow_and_dead_servers_are_typed_errors() {
    let server = ReplayLoki::start();
    let http = client(&server.url);
    let err = logs(&http, &LokiRangeQuery::logs(Q_TRUNCATED, RANGE))
        .await
        .expect_err("truncated");
    let half = fixture("query-range-streams-backward.json").len() / 2;
    assert!(
        matches!(&err, SourceError::Decode { line: 1, column, message, .. } if *column == half && message.contains("EOF")),
        "{err:?} (body of {half} bytes)"
    );
    let err = logs(&http, &LokiRangeQuery::logs(Q_GARBAGE, RANGE))
        .await
        .expect_err("html");
    assert!(
        matches!(
            &err,
            SourceError::Decode {
                line: 1,
                column: 1,
                ..
            }
        ),
        "{err:?}"
    );

    let mut slow = connection(&server.url);
    slow.timeout_secs = 1;
    let err = logs(
        &HttpClient::new(&slow).expect("client"),
        &LokiRangeQuery::logs(Q_SLOW, RANGE),
    )
    .await
    .expect_err("slow");
    assert!(matches!(&err, SourceError::Timeout { .. }), "{err:?}");

    // A port nothing listens on.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", dead.local_addr().expect("addr"));
    drop(dead);
    let err = logs(&client(&url), &LokiRangeQuery::logs(Q_BACKWARD, RANGE))
        .await
        .expect_err("dead");
    assert!(matches!(&err, SourceError::Unreachable { .. }), "{err:?}");
}

const BASE_NS: u64 = 1_795_507_000_000_000_000;
const LINES: usize = 12_345;

fn synthetic_range() -> NsRange {
    NsRange {
        start_ns: BASE_NS,
        end_ns: BASE_NS + 10_000_000_000,
    }
}

fn line_numbers(batch: &LogBatch) -> Vec<usize> {
    (0..batch.len())
        .map(|i| batch.body(i)[5..11].parse().expect("line number"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backward_paging_returns_every_line_once_in_order() {
    let server = ReplayLoki::synthetic(Synthetic::grouped(LINES, BASE_NS));
    let progress = LoadProgress::default();
    let batch = loki::load_logs(
        &client(&server.url),
        r#"{job="synth"}"#,
        synthetic_range(),
        Direction::Backward,
        1_000_000,
        &progress,
    )
    .await
    .expect("load");
    assert_eq!(batch.len(), LINES);
    assert!(!batch.more_available);
    let numbers = line_numbers(&batch);
    assert_eq!(
        numbers.iter().collect::<HashSet<_>>().len(),
        LINES,
        "no duplicates"
    );
    assert!(
        batch.time_ns.windows(2).all(|w| w[0] >= w[1]),
        "newest first"
    );
    assert_eq!(*numbers.iter().max().expect("lines"), LINES - 1);
    assert_eq!(*numbers.iter().min().expect("lines"), 0);
    assert_eq!(
        batch.stream_labels(0).and_then(|l| l.get("job")),
        Some("synth")
    );
    assert_eq!(batch.streams.len(), 3);
    // Pages cut through groups of equal timestamps, and the cursor overlapped them.
    assert!(
        server.split_pages() >= 2,
        "{} split pages",
        server.split_pages()
    );
    assert_eq!(progress.lines(), LINES as u64);
    assert_eq!(progress.pages(), server.requests() as u64);
    assert!(progress.bytes.bytes() > 0);
    let seen = server.seen();
    assert_eq!(seen.len(), 3, "5,000 + 5,000 + the rest");
    assert_eq!(seen[0].param("limit"), Some("5000"));
    // The second page ends just after (end is exclusive) the oldest line of the first.
    let first_oldest: u64 = BASE_NS + ((LINES as u64 - 5_000) / 7) * 1_000;
    assert_eq!(
        seen[1].param("end"),
        Some((first_oldest + 1).to_string().as_str())
    );
    assert!(
        seen.iter()
            .all(|s| s.categorize && s.org_id.as_deref() == Some(TENANT))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forward_paging_returns_every_line_once_in_order() {
    let server = ReplayLoki::synthetic(Synthetic::grouped(LINES, BASE_NS));
    let batch = loki::load_logs(
        &client(&server.url),
        r#"{job="synth"}"#,
        synthetic_range(),
        Direction::Forward,
        1_000_000,
        &LoadProgress::default(),
    )
    .await
    .expect("load");
    assert!(
        batch.time_ns.windows(2).all(|w| w[0] <= w[1]),
        "oldest first"
    );
    let mut numbers = line_numbers(&batch);
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        (0..LINES).collect::<Vec<_>>(),
        "every line exactly once"
    );
    assert!(server.split_pages() >= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_lines_cuts_the_newest_and_says_so() {
    let server = ReplayLoki::synthetic(Synthetic::grouped(LINES, BASE_NS));
    let batch = loki::load_logs(
        &client(&server.url),
        r#"{job="synth"}"#,
        synthetic_range(),
        Direction::Backward,
        7_000,
        &LoadProgress::default(),
    )
    .await
    .expect("load");
    assert_eq!(batch.len(), 7_000);
    assert!(batch.more_available);
    let mut numbers = line_numbers(&batch);
    numbers.sort_unstable();
    // The cut falls inside the group of 7 lines sharing one nanosecond (5341..=5347): all
    // newer lines are there, and the rest of the 7,000 come from that group.
    let newer = (5348..LINES).collect::<Vec<_>>();
    assert_eq!(
        numbers[3..],
        newer[..],
        "every line newer than the cut group"
    );
    assert!(
        numbers[..3].iter().all(|n| (5341..=5347).contains(n)),
        "{:?}",
        &numbers[..3]
    );
    // The second page asked only for what was still wanted (plus the boundary overlap).
    let second: usize = server.seen()[1]
        .param("limit")
        .expect("limit")
        .parse()
        .expect("n");
    assert!((2_000..2_010).contains(&second), "limit {second}");

    // A limit that the range fits exactly is not "more available".
    let all = loki::load_logs(
        &client(&server.url),
        r#"{job="synth"}"#,
        synthetic_range(),
        Direction::Backward,
        LINES,
        &LoadProgress::default(),
    )
    .await
    .expect("load");
    assert_eq!(all.len(), LINES);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_load_stops_all_requests() {
    let mut synthetic = Synthetic::grouped(LINES, BASE_NS);
    synthetic.delay = Duration::from_millis(300);
    let server = ReplayLoki::synthetic(synthetic);
    let http = client(&server.url);
    let progress = Arc::new(LoadProgress::default());
    let p = Arc::clone(&progress);
    let task = tokio::spawn(async move {
        loki::load_logs(
            &http,
            r#"{job="synth"}"#,
            synthetic_range(),
            Direction::Backward,
            1_000_000,
            &p,
        )
        .await
    });
    // Wait until the first page is in, then drop the future.
    while progress.pages() < 1 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    task.abort();
    assert!(task.await.expect_err("aborted").is_cancelled());
    // A request written just before the abort may reach the server a moment later (on a
    // loaded machine): let it land, then no further one may follow.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let at_drop = server.requests();
    assert!(at_drop <= 2, "{at_drop} requests before the drop");
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    assert_eq!(server.requests(), at_drop, "no request after the drop");
    assert!(progress.lines() < LINES as u64);
}

async fn next_frame(tail: &mut loki::TailHandle) -> loki::TailFrame {
    tokio::time::timeout(Duration::from_secs(10), tail.frames.recv())
        .await
        .expect("a frame within 10 s")
        .expect("channel open")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_delivers_frames_counts_drops_and_reconnects() {
    let server = ReplayLoki::start();
    let options = TailOptions {
        buffer_frames: 8,
        backoff_min: Duration::from_millis(50),
        backoff_max: Duration::from_millis(400),
        categorize_labels: true,
    };
    let mut request = TailRequest::new(Q_BACKWARD);
    request.start_ns = Some(RANGE.start_ns);
    let mut tail = loki::start_tail(
        &tokio::runtime::Handle::current(),
        &connection(&server.url),
        request,
        options,
    )
    .expect("tail");
    let first = next_frame(&mut tail).await;
    assert_eq!(first.lines.len(), 3);
    assert_eq!(first.lines.service_name(0), "checkout");
    assert!(first.lines.body(0).contains("checkout started"));
    assert_eq!(
        first.lines.trace_id[2].map(|t| t.to_string()).as_deref(),
        Some(TRACE),
        "payment's trace id label"
    );
    let second = next_frame(&mut tail).await;
    assert_eq!(second.lines.len(), 1);
    assert_eq!(second.dropped.len(), 3);
    assert_eq!(second.dropped[0].0, 1_795_507_024_293_106_185);
    assert_eq!(second.dropped[0].1.get("service_name"), Some("frontend"));
    // The server closed; the client reconnects and gets the categorized frame.
    let third = next_frame(&mut tail).await;
    assert_eq!(third.lines.len(), 2);
    assert_eq!(
        third.lines.structured_metadata.get(0, "span_id"),
        Some("9a1de644815ef6d1")
    );
    assert_eq!(tail.counters.connects(), 2);
    assert_eq!(tail.counters.dropped_by_loki(), 3);
    assert_eq!(tail.counters.lines(), 6);
    assert_eq!(tail.counters.dropped_slow_consumer(), 0);

    let seen: Vec<Seen> = server
        .seen()
        .into_iter()
        .filter(|s| s.path.ends_with("/tail"))
        .collect();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].param("start"), Some("1795500000000000000"));
    // The reconnect resumes just after the newest line received.
    assert_eq!(seen[1].param("start"), Some("1795507024293106736"));
    assert!(
        seen.iter()
            .all(|s| s.org_id.as_deref() == Some(TENANT) && s.categorize)
    );
    assert_eq!(seen[0].param("query"), Some(Q_BACKWARD));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_tail_consumer_loses_counted_lines_not_the_socket() {
    let server = ReplayLoki::start();
    let options = TailOptions {
        buffer_frames: 1,
        backoff_min: Duration::from_millis(50),
        backoff_max: Duration::from_millis(50),
        categorize_labels: false,
    };
    let tail = loki::start_tail(
        &tokio::runtime::Handle::current(),
        &connection(&server.url),
        TailRequest::new(Q_BACKWARD),
        options,
    )
    .expect("tail");
    // Nobody reads: the first frame fills the buffer, later ones are dropped and counted.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while tail.counters.connects() < 2 || tail.counters.dropped_slow_consumer() < 3 {
        assert!(tokio::time::Instant::now() < deadline, "no drops counted");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        tail.counters.lines(),
        3,
        "only the first frame was delivered"
    );
    assert_eq!(
        tail.counters.dropped_slow_consumer(),
        1 + 2,
        "frame two (1 line) and three (2)"
    );
    assert_eq!(tail.counters.dropped_by_loki(), 3);
}
