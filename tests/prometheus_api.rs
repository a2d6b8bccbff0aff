//! Labels, label values, series, metadata, exemplars and the query inspector: first against
//! recorded Prometheus 2.42 responses replayed by an axum server (byte-stable answers, and the
//! requests we send checked), then against a real Prometheus (Debian's package).

mod support;

use signalscope::fetch::Progress;
use signalscope::sources::prometheus::exemplars::query_exemplars;
use signalscope::sources::prometheus::labels::{
    SeriesFilter, label_names, label_values, metric_names, series,
};
use signalscope::sources::prometheus::metadata::{MetricKind, describe, metadata};
use signalscope::sources::prometheus::{RangeQuery, range_query_inspected};
use signalscope::sources::{HttpClient, SourceError};
use signalscope::workspace::{Connection, ConnectionId};
use support::{Replay, Route};

fn client(url: &str) -> HttpClient {
    HttpClient::new(&Connection::prometheus(ConnectionId(1), "test", url)).expect("client")
}

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        .floor()
}

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/prometheus/",
            $name
        ))
        .as_slice()
    };
}

fn route(path: &'static str, body: &'static [u8]) -> Route {
    Route {
        path,
        status: 200,
        body,
    }
}

// ---------------------------------------------------------------- recorded responses

#[tokio::test]
async fn label_names_are_decoded_and_the_filter_is_sent() {
    let replay = Replay::routes(vec![route(
        "/api/v1/labels",
        fixture!("labels-match-demo.json"),
    )]);
    let filter =
        SeriesFilter::matching("demo_http_requests_total").between(1795506789.0, 1795507071.0);
    let reply = label_names(&client(&replay.url), &filter, &Progress::default())
        .await
        .expect("labels");
    assert_eq!(
        reply.data,
        [
            "__name__", "code", "env", "instance", "job", "route", "service"
        ]
    );
    assert!(reply.warnings.is_empty());
    assert_eq!(
        replay.requests(),
        ["/api/v1/labels?match%5B%5D=demo_http_requests_total&start=1795506789&end=1795507071"]
    );
}

#[tokio::test]
async fn label_values_and_metric_names_use_the_label_path() {
    let replay = Replay::routes(vec![
        route(
            "/api/v1/label/job/values",
            fixture!("label-job-values.json"),
        ),
        route(
            "/api/v1/label/__name__/values",
            fixture!("label-name-values.json"),
        ),
    ]);
    let http = client(&replay.url);
    let progress = Progress::default();
    let jobs = label_values(&http, "job", &SeriesFilter::default(), &progress)
        .await
        .expect("job values");
    assert_eq!(jobs.data, ["demo", "down-target", "prometheus"]);
    let names = metric_names(&http, &SeriesFilter::default(), &progress)
        .await
        .expect("metric names");
    assert_eq!(names.data.len(), 224);
    assert!(names.data.contains(&"demo_http_requests_total".to_owned()));
    assert!(names.data.windows(2).all(|w| w[0] < w[1]), "sorted as sent");
    assert_eq!(
        replay.requests(),
        ["/api/v1/label/job/values", "/api/v1/label/__name__/values"]
    );
    assert!(
        progress.bytes() > 9_000,
        "bytes counted: {}",
        progress.bytes()
    );
}

#[tokio::test]
async fn a_limit_the_server_ignores_is_applied_and_reported() {
    // Prometheus 2.42 predates `limit` (2.51); the recorded answer has all 30 names.
    let replay = Replay::routes(vec![route("/api/v1/labels", fixture!("labels.json"))]);
    let reply = label_names(
        &client(&replay.url),
        &SeriesFilter::default().with_limit(5),
        &Progress::default(),
    )
    .await
    .expect("labels");
    assert_eq!(
        reply.data,
        ["__name__", "alertname", "alertstate", "branch", "code"]
    );
    assert_eq!(reply.warnings, ["showing the first 5 of 30 results"]);
    assert_eq!(replay.requests(), ["/api/v1/labels?limit=5"]);
}

#[tokio::test]
async fn series_are_label_sets() {
    let replay = Replay::routes(vec![route(
        "/api/v1/series",
        fixture!("series-match-up.json"),
    )]);
    let http = client(&replay.url);
    let reply = series(&http, &SeriesFilter::matching("up"), &Progress::default())
        .await
        .expect("series");
    let jobs: Vec<_> = reply.data.iter().map(|l| l.get("job").unwrap()).collect();
    assert_eq!(jobs, ["prometheus", "demo", "down-target"]);
    assert!(reply.data.iter().all(|l| l.metric_name() == Some("up")));
    assert_eq!(reply.data[1].get("instance"), Some("127.0.0.1:19091"));

    let err = series(&http, &SeriesFilter::default(), &Progress::default())
        .await
        .unwrap_err();
    assert!(matches!(err, SourceError::Config(_)), "{err:?}");
    assert_eq!(replay.requests().len(), 1, "no request without a selector");
}

#[tokio::test]
async fn metadata_lists_every_metric_with_type_help_and_unit() {
    let replay = Replay::routes(vec![route("/api/v1/metadata", fixture!("metadata.json"))]);
    let reply = metadata(&client(&replay.url), None, None, &Progress::default())
        .await
        .expect("metadata");
    let all = &reply.data;
    assert_eq!(all.len(), 181);
    assert!(
        all.windows(2).all(|w| w[0].name < w[1].name),
        "sorted by name"
    );
    let latency = describe(all, "demo_http_request_duration_seconds_bucket").expect("histogram");
    assert_eq!(latency.kind, MetricKind::Histogram);
    assert_eq!(latency.unit, "seconds");
    assert_eq!(
        latency.help,
        "Latency of HTTP requests served by the demo service."
    );
    let requests = describe(all, "demo_http_requests_total").expect("counter");
    assert_eq!(requests.kind, MetricKind::Counter);
    assert_eq!(requests.unit, "");
    assert_eq!(
        describe(all, "go_gc_duration_seconds").map(|m| &m.kind),
        Some(&MetricKind::Summary)
    );
}

#[tokio::test]
async fn metadata_of_one_metric_sends_its_name() {
    let replay = Replay::routes(vec![route(
        "/api/v1/metadata",
        fixture!("metadata-one-metric.json"),
    )]);
    let reply = metadata(
        &client(&replay.url),
        Some("demo_http_request_duration_seconds"),
        Some(10),
        &Progress::default(),
    )
    .await
    .expect("metadata");
    assert_eq!(reply.data.len(), 1);
    assert_eq!(reply.data[0].name, "demo_http_request_duration_seconds");
    assert_eq!(reply.data[0].variants, 1);
    assert_eq!(
        replay.requests(),
        ["/api/v1/metadata?metric=demo_http_request_duration_seconds&limit=10"]
    );
}

#[tokio::test]
async fn exemplars_carry_trace_ids_values_and_times() {
    let replay = Replay::routes(vec![route(
        "/api/v1/query_exemplars",
        fixture!("query-exemplars.json"),
    )]);
    let query = r#"demo_http_request_duration_seconds_bucket{service="checkout",route="/api/pay",le="0.1"}"#;
    let reply = query_exemplars(
        &client(&replay.url),
        query,
        1795507041.0,
        1795507071.0,
        &Progress::default(),
    )
    .await
    .expect("exemplars");
    assert_eq!(reply.data.len(), 1);
    let series = &reply.data[0];
    assert_eq!(series.labels.get("le"), Some("0.1"));
    assert_eq!(series.labels.get("route"), Some("/api/pay"));
    assert_eq!(series.exemplars.len(), 30);
    let first = &series.exemplars[0];
    assert_eq!(
        first.trace_id_text(),
        Some("8c822f8bd68981b63492226014c6a470")
    );
    assert!(first.trace_id().is_some());
    assert_eq!(first.labels.get("span_id"), Some("0bfc2b73532c4164"));
    assert_eq!(first.value, 0.08);
    assert_eq!(first.timestamp, 1795507041.38);
    assert_eq!(series.exemplars[29].timestamp, 1795507070.383);
    let requests = replay.requests();
    assert!(
        requests[0].starts_with(
            "/api/v1/query_exemplars?query=demo_http_request_duration_seconds_bucket%7B"
        ) && requests[0].ends_with("&start=1795507041&end=1795507071"),
        "{requests:?}"
    );
}

#[tokio::test]
async fn no_exemplars_is_an_empty_list() {
    let replay = Replay::routes(vec![route(
        "/api/v1/query_exemplars",
        fixture!("query-exemplars-empty.json"),
    )]);
    let reply = query_exemplars(&client(&replay.url), "x", 0.0, 1.0, &Progress::default())
        .await
        .expect("exemplars");
    assert!(reply.data.is_empty());
}

#[tokio::test]
async fn server_errors_become_typed_errors() {
    let replay = Replay::routes(vec![
        Route {
            path: "/api/v1/labels",
            status: 400,
            body: fixture!("error-bad-data-parse.json"),
        },
        Route {
            path: "/api/v1/metadata",
            status: 405,
            body: fixture!("error-405-wrong-method.txt"),
        },
        route(
            "/api/v1/query_exemplars",
            fixture!("prometheus-query-range-truncated.json"),
        ),
    ]);
    let http = client(&replay.url);
    let progress = Progress::default();
    let err = label_names(&http, &SeriesFilter::default(), &progress)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SourceError::Query { error_type, message, .. }
            if error_type == "bad_data" && message.contains("parse error")),
        "{err:?}"
    );
    let err = metadata(&http, None, None, &progress).await.unwrap_err();
    assert!(
        matches!(&err, SourceError::HttpStatus { status: 405, body, .. } if body == "Method Not Allowed"),
        "{err:?}"
    );
    let err = query_exemplars(&http, "up", 0.0, 1.0, &progress)
        .await
        .unwrap_err();
    assert!(
        matches!(err, SourceError::Decode { line: 1, column, .. } if column > 4000),
        "{err:?}"
    );
    // A path the replay does not know answers 404 with an empty body.
    let err = label_values(&http, "job", &SeriesFilter::default(), &progress)
        .await
        .unwrap_err();
    assert!(
        matches!(err, SourceError::HttpStatus { status: 404, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_dead_server_is_unreachable() {
    let http = client(&format!("http://127.0.0.1:{}", support::free_port()));
    let err = label_names(&http, &SeriesFilter::default(), &Progress::default())
        .await
        .unwrap_err();
    assert!(matches!(err, SourceError::Unreachable { .. }), "{err:?}");
    let inspected = range_query_inspected(
        &http,
        &RangeQuery::for_width("up", 0.0, 60.0, 60.0),
        &Progress::default(),
    )
    .await;
    assert!(inspected.result.is_err());
    assert_eq!(inspected.inspection.http_status, None);
    assert!(
        inspected
            .inspection
            .error
            .as_deref()
            .unwrap()
            .contains("cannot connect")
    );
}

#[tokio::test]
async fn inspection_of_a_recorded_range_query() {
    let replay = Replay::start(200, fixture!("query-range-up-step1s.json"));
    let q = RangeQuery::for_width("up", 1795506789.0, 1795507071.0, 282.0);
    let inspected = range_query_inspected(&client(&replay.url), &q, &Progress::default()).await;
    let result = inspected.result.expect("result");
    let i = inspected.inspection;
    assert_eq!(i.method, "POST");
    assert_eq!(i.http_status, Some(200));
    assert_eq!(i.response_bytes, 14_785);
    assert_eq!(i.series, result.series.len());
    assert_eq!(i.points, result.point_count());
    assert!(i.points > 0);
    let param = |k: &str| {
        i.params
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(param("query"), Some("up"));
    assert_eq!(param("step"), Some("1"));
    assert_eq!(param("stats"), Some("1"));
    assert!(
        i.url.contains("/api/v1/query_range?query=up&start="),
        "{}",
        i.url
    );
    assert_eq!(i.server_time, None, "the recording has no stats");
    assert!(i.error.is_none());
}

// ---------------------------------------------------------------- a real Prometheus

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn labels_metric_names_metadata_and_series_from_real_prometheus() {
    let Some(prom) = support::Prometheus::start() else {
        return;
    };
    tokio::task::block_in_place(|| prom.wait_for_samples(3));
    let http = client(&prom.url);
    let progress = Progress::default();

    let names = label_names(&http, &SeriesFilter::default(), &progress)
        .await
        .expect("labels");
    for expected in ["__name__", "instance", "job", "handler", "le"] {
        assert!(
            names.data.iter().any(|n| n == expected),
            "{expected} in {:?}",
            names.data
        );
    }
    let up_labels = label_names(&http, &SeriesFilter::matching("up"), &progress)
        .await
        .expect("labels of up");
    assert_eq!(up_labels.data, ["__name__", "instance", "job"]);

    let metrics = metric_names(&http, &SeriesFilter::default(), &progress)
        .await
        .expect("metric names");
    for expected in [
        "up",
        "prometheus_build_info",
        "prometheus_http_requests_total",
    ] {
        assert!(metrics.data.iter().any(|n| n == expected), "{expected}");
    }
    let jobs = label_values(&http, "job", &SeriesFilter::default(), &progress)
        .await
        .expect("jobs");
    assert_eq!(jobs.data, ["prometheus"]);
    let none = label_values(
        &http,
        "job",
        &SeriesFilter::matching(r#"up{job="nope"}"#),
        &progress,
    )
    .await
    .expect("no jobs");
    assert!(none.data.is_empty());

    let end = now();
    let found = series(
        &http,
        &SeriesFilter::matching("up").between(end - 300.0, end + 1.0),
        &progress,
    )
    .await
    .expect("series");
    assert_eq!(found.data.len(), 1);
    let instance = format!("127.0.0.1:{}", prom.port);
    assert_eq!(found.data[0].get("instance"), Some(instance.as_str()));

    let meta = metadata(&http, None, None, &progress)
        .await
        .expect("metadata");
    let requests = describe(&meta.data, "prometheus_http_requests_total").expect("described");
    assert_eq!(requests.kind, MetricKind::Counter);
    assert!(!requests.help.is_empty());
    let goroutines = describe(&meta.data, "go_goroutines").expect("described");
    assert_eq!(goroutines.kind, MetricKind::Gauge);

    let err = label_values(
        &http,
        "job",
        &SeriesFilter::matching("up{job=~\"(\"}"),
        &progress,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, SourceError::Query { error_type, .. } if error_type == "bad_data"),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspection_reports_prometheus_server_time_and_samples() {
    let Some(prom) = support::Prometheus::start() else {
        return;
    };
    tokio::task::block_in_place(|| prom.wait_for_samples(3));
    let end = now();
    let q = RangeQuery::for_width("up", end - 60.0, end, 60.0);
    let inspected = range_query_inspected(&client(&prom.url), &q, &Progress::default()).await;
    let result = inspected.result.expect("query");
    let i = inspected.inspection;
    assert_eq!(i.http_status, Some(200));
    assert_eq!(i.series, 1);
    assert_eq!(i.points, result.point_count());
    assert!(
        i.server_time.is_some(),
        "stats=1 asks Prometheus for its timings"
    );
    assert!(
        i.samples_read.is_some_and(|n| n > 0),
        "{:?}",
        i.samples_read
    );
    assert!(i.network_time >= i.server_time.unwrap());
    assert!(i.response_bytes > 100);

    let bad = RangeQuery::for_width("rate(up[1m]", end - 60.0, end, 60.0);
    let inspected = range_query_inspected(&client(&prom.url), &bad, &Progress::default()).await;
    assert!(matches!(inspected.result, Err(SourceError::Query { .. })));
    assert_eq!(inspected.inspection.http_status, Some(400));
    assert!(inspected.inspection.error.unwrap().contains("parse error"));
}

/// The trace id the scraped histogram's exemplar carries.
const TRACE_ID: &str = "bdd640fb06671ad11c80317fa3b1799d";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exemplars_scraped_from_openmetrics_come_back_with_their_trace_id() {
    // A tiny exporter speaking OpenMetrics, the only format that carries exemplars.
    let exemplar_time = now() - 5.0;
    let body = format!(
        "# TYPE demo_latency_seconds histogram\n\
         # HELP demo_latency_seconds Request latency.\n\
         demo_latency_seconds_bucket{{le=\"0.5\"}} 3\n\
         demo_latency_seconds_bucket{{le=\"1.0\"}} 5 # {{trace_id=\"{TRACE_ID}\"}} 0.67 {exemplar_time}\n\
         demo_latency_seconds_bucket{{le=\"+Inf\"}} 6\n\
         demo_latency_seconds_sum 3.2\n\
         demo_latency_seconds_count 6\n\
         # EOF\n"
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let exporter = listener.local_addr().unwrap();
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let body = body.clone();
            async move {
                (
                    [(
                        axum::http::header::CONTENT_TYPE,
                        "application/openmetrics-text; version=1.0.0; charset=utf-8",
                    )],
                    body,
                )
            }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let scrape =
        format!("  - job_name: exporter\n    static_configs:\n      - targets: ['{exporter}']\n");
    let Some(prom) = tokio::task::block_in_place(|| {
        support::Prometheus::start_with(&["--enable-feature=exemplar-storage"], &scrape)
    }) else {
        return;
    };
    let http = client(&prom.url);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let reply = loop {
        let reply = query_exemplars(
            &http,
            "demo_latency_seconds_bucket",
            exemplar_time - 60.0,
            now() + 60.0,
            &Progress::default(),
        )
        .await
        .expect("exemplars");
        if !reply.data.is_empty() {
            break reply;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no exemplar stored within 30 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    };
    assert_eq!(reply.data.len(), 1, "{:?}", reply.data);
    let series = &reply.data[0];
    assert_eq!(series.labels.get("le"), Some("1.0"));
    assert_eq!(series.labels.get("job"), Some("exporter"));
    let exemplar = &series.exemplars[0];
    assert_eq!(exemplar.trace_id_text(), Some(TRACE_ID));
    assert_eq!(exemplar.value, 0.67);
    assert_eq!(exemplar.timestamp, exemplar_time);
}
