//! Our Prometheus clients against a second real server: VictoriaMetrics single-node (Debian's
//! `victoria-metrics`, 1.79), started on loopback with deterministic data imported in
//! Prometheus text format with explicit timestamps.
//!
//! Differences from Prometheus met here (the clients handle all of them):
//! - Imported rows become searchable only after VictoriaMetrics flushes them (about a second
//!   later), even with `-search.latencyOffset=0s`; label names may show up before the samples
//!   do. So the test polls until every imported sample is counted.
//! - A bad query is answered with HTTP 422 and `errorType` set to the status code (`"422"`),
//!   where Prometheus says 400 `bad_data`.
//! - `/api/v1/metadata` is accepted but always empty (1.79 keeps no metadata), and
//!   `/api/v1/query_exemplars` always returns an empty list.
//! - `stats=1` is ignored: there is no `data.stats`, so the inspector has no server time.
//! - Series come back with labels in storage order, not sorted (our `Labels` sorts them).
//! - Step alignment: VictoriaMetrics may round `start` down to a multiple of `step` so that its
//!   response cache can be reused (Prometheus never does). For a short query with an unaligned
//!   start (6 points), 1.79 kept the requested start, cache on or off; our `RangeQuery::for_width`
//!   aligns `start` to the step anyway, and every query here starts on the step grid.
//! - `rate` does not extrapolate to the window edges as Prometheus does; with a counter growing
//!   at a constant slope both give the slope exactly, which is what is compared here.

mod support;

use signalscope::fetch::Progress;
use signalscope::model::QueryResult;
use signalscope::sources::prometheus::exemplars::query_exemplars;
use signalscope::sources::prometheus::labels::{
    SeriesFilter, label_names, label_values, metric_names, series,
};
use signalscope::sources::prometheus::metadata::metadata;
use signalscope::sources::prometheus::{self, RangeQuery, range_query_inspected};
use signalscope::sources::{HttpClient, SourceError};
use signalscope::workspace::{Connection, ConnectionId};
use std::time::{Duration, Instant};

/// Start of the imported data (2026-11-23 09:20 UTC), a multiple of every step used.
const T0: i64 = 1_795_500_000;
/// Samples every 15 s over ten minutes: 41 per series.
const SCRAPE: i64 = 15;
const SAMPLES: i64 = 41;
const END: i64 = T0 + SCRAPE * (SAMPLES - 1);

fn client(url: &str) -> HttpClient {
    HttpClient::new(&Connection::prometheus(ConnectionId(1), "vm", url)).expect("client")
}

/// Two counters growing at 2/s and 0.5/s, and a gauge cycling 1, 2, 3, 4, 5.
fn import_body() -> String {
    let mut body = String::new();
    for i in 0..SAMPLES {
        let t = T0 + i * SCRAPE;
        let ms = t * 1000;
        let elapsed = (t - T0) as f64;
        body.push_str(&format!(
            "vm_demo_requests_total{{job=\"api\",instance=\"a:1\",code=\"200\"}} {} {ms}\n",
            2.0 * elapsed
        ));
        body.push_str(&format!(
            "vm_demo_requests_total{{job=\"api\",instance=\"a:1\",code=\"500\"}} {} {ms}\n",
            0.5 * elapsed
        ));
        body.push_str(&format!(
            "vm_demo_queue_depth{{job=\"worker\",instance=\"w:1\"}} {} {ms}\n",
            i % 5 + 1
        ));
    }
    body
}

async fn range(http: &HttpClient, query: &str, start: i64, end: i64, step: i64) -> QueryResult {
    let q = RangeQuery {
        query: query.to_owned(),
        start: start as f64,
        end: end as f64,
        step: step as f64,
    };
    prometheus::range_query(http, &q, &Progress::default())
        .await
        .unwrap_or_else(|e| panic!("{query}: {e}"))
}

/// Imports the data and waits until all of it is searchable.
async fn start_with_data() -> Option<(support::VictoriaMetrics, HttpClient)> {
    let vm = tokio::task::block_in_place(support::VictoriaMetrics::start)?;
    // Built first: it installs the TLS crypto provider reqwest needs.
    let http = client(&vm.url);
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/import/prometheus", vm.url))
        .body(import_body())
        .send()
        .await
        .expect("import");
    assert_eq!(response.status().as_u16(), 204, "import accepted");
    let deadline = Instant::now() + Duration::from_secs(30);
    let expected = (3 * SAMPLES) as f64;
    loop {
        let counted = range(
            &http,
            r#"sum(count_over_time({__name__=~"vm_demo_.*"}[15m]))"#,
            END,
            END,
            60,
        )
        .await;
        let n = counted
            .series
            .first()
            .and_then(|s| s.values.first().copied());
        if n == Some(expected) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {n:?} of {expected} imported samples searchable after 30 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Some((vm, http))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn victoriametrics_answers_our_range_queries_with_the_imported_values() {
    let Some((_vm, http)) = start_with_data().await else {
        return;
    };

    // Raw gauge values come back exactly, on the 15 s grid.
    let gauge = range(&http, "vm_demo_queue_depth", T0, T0 + 300, 15).await;
    assert_eq!(gauge.series.len(), 1, "{gauge:?}");
    let s = &gauge.series[0];
    assert_eq!(s.labels.get("job"), Some("worker"));
    let expected_t: Vec<f64> = (0..=20).map(|i| (T0 + 15 * i) as f64).collect();
    let expected_v: Vec<f64> = (0..=20).map(|i| (i % 5 + 1) as f64).collect();
    assert_eq!(s.timestamps, expected_t);
    assert_eq!(s.values, expected_v);

    // rate over the counters: 30 per 15 s is 2/s, 7.5 per 15 s is 0.5/s.
    let rates = range(&http, "rate(vm_demo_requests_total[1m])", T0 + 120, END, 60).await;
    assert_eq!(rates.series.len(), 2, "{rates:?}");
    for s in &rates.series {
        let want = match s.labels.get("code") {
            Some("200") => 2.0,
            Some("500") => 0.5,
            other => panic!("unexpected series code={other:?}"),
        };
        assert_eq!(s.len(), 9, "one point a minute from T0+2m to T0+10m: {s:?}");
        assert!(
            s.values.iter().all(|v| (v - want).abs() < 1e-9),
            "{want}: {:?}",
            s.values
        );
        assert_eq!(s.labels.metric_name(), None, "rate drops the metric name");
    }
    let total = range(&http, "sum(rate(vm_demo_requests_total[1m]))", END, END, 60).await;
    assert!((total.series[0].values[0] - 2.5).abs() < 1e-9, "{total:?}");

    // The inspector works too; VictoriaMetrics sends no statistics.
    let q = RangeQuery {
        query: "vm_demo_queue_depth".into(),
        start: T0 as f64,
        end: END as f64,
        step: 15.0,
    };
    let inspected = range_query_inspected(&http, &q, &Progress::default()).await;
    inspected.result.expect("inspected query");
    let i = inspected.inspection;
    assert_eq!(i.http_status, Some(200));
    assert_eq!((i.series, i.points), (1, 41));
    assert_eq!(i.server_time, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn victoriametrics_lists_labels_metric_names_and_series() {
    let Some((_vm, http)) = start_with_data().await else {
        return;
    };
    let p = Progress::default();
    let all = SeriesFilter::default().between(T0 as f64, END as f64);

    let names = label_names(&http, &all, &p).await.expect("labels");
    assert_eq!(names.data, ["__name__", "code", "instance", "job"]);
    let gauge_labels = label_names(
        &http,
        &SeriesFilter::matching("vm_demo_queue_depth").between(T0 as f64, END as f64),
        &p,
    )
    .await
    .expect("labels of the gauge");
    assert_eq!(gauge_labels.data, ["__name__", "instance", "job"]);

    let jobs = label_values(&http, "job", &all, &p).await.expect("jobs");
    assert_eq!(jobs.data, ["api", "worker"]);
    let codes = label_values(
        &http,
        "code",
        &SeriesFilter::matching(r#"vm_demo_requests_total{job="api"}"#)
            .between(T0 as f64, END as f64),
        &p,
    )
    .await
    .expect("codes");
    assert_eq!(codes.data, ["200", "500"]);

    let metrics = metric_names(&http, &all, &p).await.expect("metric names");
    assert_eq!(
        metrics.data,
        ["vm_demo_queue_depth", "vm_demo_requests_total"]
    );

    let found = series(
        &http,
        &SeriesFilter::matching("vm_demo_requests_total").between(T0 as f64, END as f64),
        &p,
    )
    .await
    .expect("series");
    let mut codes: Vec<_> = found.data.iter().map(|l| l.get("code").unwrap()).collect();
    codes.sort();
    assert_eq!(codes, ["200", "500"]);
    assert!(
        found.data.iter().all(|l| l.get("instance") == Some("a:1")),
        "{:?}",
        found.data
    );

    // Endpoints VictoriaMetrics 1.79 accepts without data behind them.
    let meta = metadata(&http, None, None, &p).await.expect("metadata");
    assert!(meta.data.is_empty());
    let exemplars = query_exemplars(&http, "vm_demo_requests_total", T0 as f64, END as f64, &p)
        .await
        .expect("exemplars");
    assert!(exemplars.data.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn victoriametrics_errors_become_typed_errors() {
    let Some(vm) = tokio::task::block_in_place(support::VictoriaMetrics::start) else {
        return;
    };
    let http = client(&vm.url);
    let q = RangeQuery {
        query: "rate(vm_demo_requests_total[1m]".into(),
        start: T0 as f64,
        end: END as f64,
        step: 60.0,
    };
    let err = prometheus::range_query(&http, &q, &Progress::default())
        .await
        .unwrap_err();
    match &err {
        SourceError::Query {
            error_type,
            message,
            ..
        } => {
            assert_eq!(
                error_type, "422",
                "VictoriaMetrics puts the status in errorType"
            );
            assert!(message.contains("unparsed data"), "{message}");
        }
        other => panic!("expected a query error, got {other:?}"),
    }
    let err = label_values(
        &http,
        "job",
        &SeriesFilter::matching("{job=~\"(\"}"),
        &Progress::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, SourceError::Query { .. }), "{err:?}");

    drop(vm);
    let err = label_names(&http, &SeriesFilter::default(), &Progress::default())
        .await
        .unwrap_err();
    assert!(matches!(err, SourceError::Unreachable { .. }), "{err:?}");
}

/// CI once saw VictoriaMetrics die because its free port was taken before it bound; the test
/// support starts it again on another port. Here the first attempt is pointed at a port held
/// open on purpose.
#[test]
fn a_server_whose_port_is_taken_is_started_again_on_another() {
    let bin = std::env::var("VICTORIA_METRICS_BIN")
        .unwrap_or_else(|_| "/usr/bin/victoria-metrics".into());
    if !std::path::Path::new(&bin).exists() {
        // VictoriaMetrics::start in the other tests says why, and fails with CI=true.
        return;
    }
    let held = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let held_port = held.local_addr().expect("addr").port();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut attempts = Vec::new();
    let (mut child, port) = support::start_listening(
        "victoria-metrics",
        |port| {
            let port = if attempts.is_empty() { held_port } else { port };
            attempts.push(port);
            let mut command = std::process::Command::new(&bin);
            command
                .arg(format!(
                    "-storageDataPath={}",
                    dir.path().join("data").display()
                ))
                .arg(format!("-httpListenAddr=127.0.0.1:{port}"))
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped());
            command
        },
        |port| std::net::TcpStream::connect(("127.0.0.1", port)).is_ok(),
    );
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(attempts.len(), 2, "{attempts:?}");
    assert_eq!(attempts[0], held_port);
    assert_ne!(port, held_port);
    assert_eq!(port, attempts[1]);
}
