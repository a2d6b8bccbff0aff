//! Our Prometheus client against a real Prometheus (Debian's package), scraping itself.

mod support;

use signalscope::fetch::Progress;
use signalscope::sources::prometheus::{self, RangeQuery};
use signalscope::sources::{HttpClient, SourceError};
use signalscope::workspace::{Connection, ConnectionId};

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn range_query_against_real_prometheus_returns_its_self_scrape() {
    let Some(prom) = support::Prometheus::start() else {
        return;
    };
    tokio::task::block_in_place(|| prom.wait_for_samples(5));
    let http = client(&prom.url);
    prometheus::health(&http).await.expect("healthy");

    let end = now();
    let q = RangeQuery::for_width("up", end - 60.0, end, 60.0);
    assert_eq!(q.step, 1.0);
    let progress = Progress::default();
    let result = prometheus::range_query(&http, &q, &progress)
        .await
        .expect("query");

    assert_eq!(result.series.len(), 1, "{result:?}");
    let series = &result.series[0];
    assert_eq!(series.labels.metric_name(), Some("up"));
    assert_eq!(series.labels.get("job"), Some("prometheus"));
    let instance = format!("127.0.0.1:{}", prom.port);
    assert_eq!(series.labels.get("instance"), Some(instance.as_str()));
    assert!(series.len() >= 4, "only {} samples", series.len());
    assert!(
        series.values.iter().all(|&v| v == 1.0),
        "{:?}",
        series.values
    );
    // Samples sit on the requested step grid.
    assert!(series.timestamps.windows(2).all(|w| w[1] - w[0] >= 1.0));
    assert!(
        series
            .timestamps
            .iter()
            .all(|t| (t - q.start) % q.step == 0.0)
    );
    assert!(
        progress.bytes() > 100,
        "progress counted {} bytes",
        progress.bytes()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_prometheus_errors_come_back_typed_with_its_message() {
    let Some(prom) = support::Prometheus::start() else {
        return;
    };
    let http = client(&prom.url);
    let end = now();
    let q = RangeQuery::for_width("rate(up[1m]", end - 60.0, end, 60.0);
    let err = prometheus::range_query(&http, &q, &Progress::default())
        .await
        .unwrap_err();
    match err {
        SourceError::Query {
            error_type,
            message,
            ..
        } => {
            assert_eq!(error_type, "bad_data");
            assert!(message.contains("parse error"), "{message}");
        }
        other => panic!("expected a query error, got {other:?}"),
    }
}

#[tokio::test]
async fn dead_server_is_reported_unreachable() {
    let port = support::free_port();
    let http = client(&format!("http://127.0.0.1:{port}"));
    let err = prometheus::health(&http).await.unwrap_err();
    assert!(matches!(err, SourceError::Unreachable { .. }), "{err:?}");
    assert!(err.to_string().contains(&port.to_string()), "{err}");
}
