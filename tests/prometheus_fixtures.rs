//! Decoding of real Prometheus 2.42 responses (recorded byte-for-byte, see
//! `tests/fixtures/prometheus/PROVENANCE.md`) and of deliberately broken ones.
//!
//! Expected values were read from the fixture files themselves; the HTTP statuses and request
//! URLs are those of `manifest.tsv` in the shared fixtures library.

use signalscope::model::{QueryResult, Series};
use signalscope::sources::SourceError;
use signalscope::sources::http::HttpResponse;
use signalscope::sources::prometheus::{Answer, decode_query, interpret};

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

/// `start` and `end` of every recorded range query (`manifest.tsv`).
const START: f64 = 1_795_506_789.0;
const END: f64 = 1_795_507_071.0;

fn success(body: &[u8]) -> QueryResult {
    match decode_query(body) {
        Ok(Answer::Success(result)) => result,
        other => panic!("expected a success answer, got {other:?}"),
    }
}

fn response(status: u16, url: &str, body: &[u8]) -> HttpResponse {
    HttpResponse {
        url: url.to_owned(),
        status,
        body: body.to_vec(),
    }
}

fn labels(series: &Series) -> Vec<(&str, &str)> {
    series.labels.iter().collect()
}

/// Asserts that `timestamps` go from `first` to `last` in steps of exactly `step` seconds.
fn assert_regular(timestamps: &[f64], first: f64, last: f64, step: f64) {
    assert_eq!(timestamps.first(), Some(&first));
    assert_eq!(timestamps.last(), Some(&last));
    for (i, pair) in timestamps.windows(2).enumerate() {
        assert_eq!(
            pair[1] - pair[0],
            step,
            "gap after sample {i} at {}",
            pair[0]
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Range queries (resultType "matrix")
// ---------------------------------------------------------------------------------------------

#[test]
fn range_query_of_up_keeps_every_sample() {
    let r = success(fixture!("query-range-up-step1s.json"));
    assert!(r.warnings.is_empty() && r.infos.is_empty(), "{r:?}");
    assert_eq!(r.series.len(), 3);
    assert_eq!(r.point_count(), 283 + 283 + 282);

    let [prometheus, demo, down] = &r.series[..] else {
        unreachable!()
    };
    assert_eq!(
        labels(prometheus),
        [
            ("__name__", "up"),
            ("env", "fixture"),
            ("instance", "127.0.0.1:19090"),
            ("job", "prometheus"),
        ]
    );
    assert_eq!(demo.labels.get("job"), Some("demo"));
    assert_eq!(demo.labels.get("instance"), Some("127.0.0.1:19091"));
    assert_eq!(down.labels.get("job"), Some("down-target"));
    assert_eq!(down.labels.get("instance"), Some("127.0.0.1:19099"));

    for s in [prometheus, demo] {
        assert_eq!(s.len(), 283);
        assert_eq!(s.values.len(), 283);
        assert_regular(&s.timestamps, START, END, 1.0);
        assert!(s.values.iter().all(|&v| v == 1.0), "{:?}", s.labels);
    }
    // The always-down target has no sample at `start` (it is scraped every 5 s) and is 0.
    assert_eq!(down.len(), 282);
    assert_eq!(down.values.len(), 282);
    assert_regular(&down.timestamps, START + 1.0, END, 1.0);
    assert!(down.values.iter().all(|&v| v == 0.0));
}

#[test]
fn range_query_labels_print_as_promql_selectors() {
    let r = success(fixture!("query-range-up-step1s.json"));
    let printed: Vec<String> = r.series.iter().map(|s| s.labels.to_string()).collect();
    assert_eq!(
        printed,
        [
            r#"up{env="fixture", instance="127.0.0.1:19090", job="prometheus"}"#,
            r#"up{env="fixture", instance="127.0.0.1:19091", job="demo"}"#,
            r#"up{env="fixture", instance="127.0.0.1:19099", job="down-target"}"#,
        ]
    );
}

#[test]
fn large_range_response_matches_an_independent_json_parse() {
    let body = fixture!("query-range-large-prometheus-http-and-go-step1s.json");
    let r = success(body);
    assert_eq!(r.series.len(), 129);
    assert_eq!(r.point_count(), 30_651);
    assert_eq!(r.series.iter().filter(|s| s.len() == 283).count(), 81);
    assert_eq!(r.series.iter().filter(|s| s.len() == 161).count(), 48);

    // Every label and every sample, compared with a plain serde_json parse of the same bytes.
    let tree: serde_json::Value = serde_json::from_slice(body).unwrap();
    let expected = tree["data"]["result"].as_array().unwrap();
    assert_eq!(expected.len(), r.series.len());
    for (i, (s, e)) in r.series.iter().zip(expected).enumerate() {
        let metric = e["metric"].as_object().unwrap();
        assert_eq!(s.labels.iter().count(), metric.len(), "series {i}");
        for (k, v) in metric {
            assert_eq!(s.labels.get(k), v.as_str(), "series {i} label {k}");
        }
        let values = e["values"].as_array().unwrap();
        assert_eq!(s.timestamps.len(), values.len(), "series {i}");
        assert_eq!(s.values.len(), values.len(), "series {i}");
        for (j, pair) in values.iter().enumerate() {
            let t = pair[0].as_f64().unwrap();
            let v: f64 = pair[1].as_str().unwrap().parse().unwrap();
            assert_eq!(s.timestamps[j], t, "series {i} sample {j}");
            assert_eq!(s.values[j].to_bits(), v.to_bits(), "series {i} sample {j}");
        }
    }

    // Spot checks read from the file, independent of the comparison above.
    let first = &r.series[0];
    assert_eq!(first.labels.metric_name(), Some("go_gc_duration_seconds"));
    assert_eq!(first.labels.get("quantile"), Some("0"));
    assert_eq!(first.values.first(), Some(&0.000091206));
    assert_eq!(first.values.last(), Some(&0.000035593));
    let bucket = &r.series[64];
    assert_eq!(
        bucket.labels.metric_name(),
        Some("prometheus_http_request_duration_seconds_bucket")
    );
    assert_eq!(bucket.labels.get("le"), Some("0.1"));
    assert_eq!(bucket.labels.get("handler"), Some("/metrics"));
    assert_eq!((bucket.values[0], bucket.values[282]), (1.0, 283.0));
    let last = &r.series[128];
    assert_eq!(
        last.labels.metric_name(),
        Some("prometheus_http_response_size_bytes_sum")
    );
    assert_regular(&last.timestamps, START, END, 1.0);
    assert_eq!(last.values.first(), Some(&7174.0));
    assert_eq!(last.values.last(), Some(&2_275_488.0));
}

#[test]
fn gaps_in_a_threshold_query_stay_missing_timestamps() {
    // `demo_queue_depth > 60`: samples at or below 60 are absent, not NaN or zero.
    let r = success(fixture!("query-range-gappy-threshold-step1s.json"));
    assert_eq!(r.series.len(), 2);
    let [billing, email] = &r.series[..] else {
        unreachable!()
    };
    assert_eq!(billing.labels.get("queue"), Some("billing"));
    assert_eq!(email.labels.get("queue"), Some("email"));
    assert_eq!(billing.labels.metric_name(), Some("demo_queue_depth"));

    let jumps = |s: &Series| -> Vec<(f64, f64)> {
        s.timestamps
            .windows(2)
            .filter(|w| w[1] - w[0] != 1.0)
            .map(|w| (w[0], w[1]))
            .collect()
    };
    assert_eq!(billing.len(), 127);
    assert_eq!(billing.values.len(), 127);
    assert_eq!(billing.timestamps.first(), Some(&START));
    assert_eq!(billing.timestamps.last(), Some(&1_795_507_061.0));
    assert_eq!(
        jumps(billing),
        [
            (1_795_506_810.0, 1_795_506_884.0),
            (1_795_506_935.0, 1_795_507_009.0)
        ]
    );
    assert_eq!(&billing.values[..3], &[88.61, 88.039, 87.374]);
    assert_eq!(billing.values.last(), Some(&60.776));

    assert_eq!(email.len(), 137);
    assert_eq!(email.values.len(), 137);
    assert_eq!(email.timestamps.first(), Some(&START));
    assert_eq!(email.timestamps.last(), Some(&END));
    assert_eq!(
        jumps(email),
        [
            (1_795_506_840.0, 1_795_506_914.0),
            (1_795_506_965.0, 1_795_507_039.0)
        ]
    );
    assert_eq!(email.values.first(), Some(&63.159));
    assert_eq!(email.values.last(), Some(&88.234));

    for s in &r.series {
        assert!(s.values.iter().all(|&v| v > 60.0), "{:?}", s.labels);
    }
}

#[test]
fn nan_samples_in_a_range_query_decode_as_nan() {
    // histogram_quantile over handlers that saw no requests is NaN at every step.
    let r = success(fixture!("query-range-histogram-quantile-p99-step15s.json"));
    let handlers: Vec<_> = r.series.iter().map(|s| s.labels.get("handler")).collect();
    assert_eq!(
        handlers,
        [
            Some("/-/ready"),
            Some("/api/v1/query_exemplars"),
            Some("/api/v1/targets"),
            Some("/metrics"),
        ]
    );
    let lens: Vec<_> = r.series.iter().map(Series::len).collect();
    assert_eq!(lens, [19, 10, 10, 18]);

    for s in &r.series[..3] {
        assert_eq!(s.values.len(), s.len());
        assert!(s.values.iter().all(|v| v.is_nan()), "{:?}", s.labels);
    }
    assert_regular(&r.series[0].timestamps, START, 1_795_507_059.0, 15.0);
    assert_regular(
        &r.series[1].timestamps,
        1_795_506_924.0,
        1_795_507_059.0,
        15.0,
    );

    let metrics = &r.series[3];
    assert!(metrics.values.iter().all(|v| v.is_finite()));
    assert_regular(&metrics.timestamps, 1_795_506_804.0, 1_795_507_059.0, 15.0);
    assert_eq!(metrics.values.first(), Some(&0.09900000000000002));
    assert_eq!(metrics.values.last(), Some(&0.099));
}

#[test]
fn aggregated_series_without_a_name_print_only_their_labels() {
    let r = success(fixture!("query-range-histogram-quantile-p99-step15s.json"));
    assert_eq!(r.series[0].labels.metric_name(), None);
    assert_eq!(labels(&r.series[0]), [("handler", "/-/ready")]);
    assert_eq!(r.series[0].labels.to_string(), r#"{handler="/-/ready"}"#);
}

#[test]
fn rate_values_keep_full_float_precision() {
    let r = success(fixture!(
        "query-range-rate-prometheus-http-requests-step15s.json"
    ));
    assert_eq!(r.series.len(), 4);
    let metrics = &r.series[3];
    assert_eq!(
        labels(metrics),
        [
            ("code", "200"),
            ("env", "fixture"),
            ("handler", "/metrics"),
            ("instance", "127.0.0.1:19090"),
            ("job", "prometheus"),
        ]
    );
    assert_eq!(metrics.len(), 18);
    assert_eq!(
        &metrics.values[..3],
        &[0.2795333333333333, 0.5295333333333333, 0.7795333333333334]
    );
    assert_eq!(
        &metrics.timestamps[..3],
        &[1_795_506_804.0, 1_795_506_819.0, 1_795_506_834.0]
    );
    assert_eq!(metrics.values.last(), Some(&1.0));
    assert_eq!(metrics.timestamps.last(), Some(&1_795_507_059.0));
}

#[test]
fn scalar_over_a_range_is_one_series_without_labels() {
    let r = success(fixture!("query-range-scalar-step15s.json"));
    assert_eq!(r.series.len(), 1);
    let s = &r.series[0];
    assert!(s.labels.is_empty());
    assert_eq!(s.labels.to_string(), "{}");
    assert_eq!(s.len(), 19);
    assert_regular(&s.timestamps, START, 1_795_507_059.0, 15.0);
    assert_eq!(s.values, vec![2.0; 19]);
}

#[test]
fn empty_range_result_is_success_with_no_series() {
    let r = success(fixture!("query-range-empty.json"));
    assert_eq!(r, QueryResult::default());
}

#[test]
fn range_selector_in_an_instant_query_keeps_millisecond_timestamps() {
    // `up{job="prometheus"}[10s]` returns the raw scrape times, at .228 s past the second.
    let r = success(fixture!("query-matrix-range-selector.json"));
    assert_eq!(r.series.len(), 1);
    let s = &r.series[0];
    assert_eq!(s.labels.get("job"), Some("prometheus"));
    let expected: Vec<f64> = (0..10).map(|i| 1_795_507_061.228 + f64::from(i)).collect();
    assert_eq!(s.timestamps.len(), 10);
    for (got, want) in s.timestamps.iter().zip(&expected) {
        assert!((got - want).abs() < 1e-6, "{got} vs {want}");
    }
    assert_eq!(s.timestamps[0], 1_795_507_061.228);
    assert_eq!(s.timestamps[9], 1_795_507_070.228);
    assert_eq!(s.values, vec![1.0; 10]);
}

// ---------------------------------------------------------------------------------------------
// Instant queries (resultType "vector", "scalar", "string")
// ---------------------------------------------------------------------------------------------

#[test]
fn instant_vector_of_up_has_one_sample_per_target() {
    let r = success(fixture!("query-vector-up.json"));
    let got: Vec<_> = r
        .series
        .iter()
        .map(|s| {
            (
                s.labels.get("job").unwrap(),
                s.timestamps.clone(),
                s.values.clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("prometheus", vec![END], vec![1.0]),
            ("demo", vec![END], vec![1.0]),
            ("down-target", vec![END], vec![0.0]),
        ]
    );
    assert!(
        r.series
            .iter()
            .all(|s| s.labels.metric_name() == Some("up"))
    );
}

#[test]
fn empty_instant_vector_is_success_with_no_series() {
    let r = success(fixture!("query-vector-empty.json"));
    assert_eq!(r, QueryResult::default());
}

#[test]
fn division_by_zero_gives_positive_infinity_and_nan() {
    // `up / 0`: 1/0 is +Inf, 0/0 is NaN; the division drops the metric name.
    let r = success(fixture!("query-vector-inf-nan.json"));
    assert_eq!(r.series.len(), 3);
    assert!(r.series.iter().all(|s| s.labels.metric_name().is_none()));
    assert_eq!(r.series[0].labels.get("job"), Some("prometheus"));
    assert_eq!(r.series[0].values, [f64::INFINITY]);
    assert_eq!(r.series[1].labels.get("job"), Some("demo"));
    assert_eq!(r.series[1].values, [f64::INFINITY]);
    assert_eq!(r.series[2].labels.get("job"), Some("down-target"));
    assert_eq!(r.series[2].values.len(), 1);
    assert!(r.series[2].values[0].is_nan());
    assert!(r.series.iter().all(|s| s.timestamps == [END]));
}

#[test]
fn build_info_keeps_every_label() {
    let r = success(fixture!("query-vector-build-info.json"));
    assert_eq!(r.series.len(), 1);
    let s = &r.series[0];
    assert_eq!(
        labels(s),
        [
            ("__name__", "prometheus_build_info"),
            ("branch", "debian/sid"),
            ("env", "fixture"),
            ("goarch", "amd64"),
            ("goos", "linux"),
            ("goversion", "go1.19.8"),
            ("instance", "127.0.0.1:19090"),
            ("job", "prometheus"),
            ("revision", "2.42.0+ds-5+deb12u1"),
            ("version", "2.42.0+ds"),
        ]
    );
    assert_eq!(
        s.labels.to_string(),
        "prometheus_build_info{branch=\"debian/sid\", env=\"fixture\", goarch=\"amd64\", \
         goos=\"linux\", goversion=\"go1.19.8\", instance=\"127.0.0.1:19090\", \
         job=\"prometheus\", revision=\"2.42.0+ds-5+deb12u1\", version=\"2.42.0+ds\"}"
    );
    assert_eq!(
        (s.timestamps.as_slice(), s.values.as_slice()),
        (&[END][..], &[1.0][..])
    );
}

#[test]
fn query_stats_are_skipped_without_warnings() {
    // `stats=all` adds `data.stats` beside `result`.
    let r = success(fixture!("query-vector-with-stats.json"));
    let got: Vec<_> = r
        .series
        .iter()
        .map(|s| (labels(s), s.values.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (vec![("job", "prometheus")], vec![1.0]),
            (vec![("job", "demo")], vec![1.0]),
            (vec![("job", "down-target")], vec![0.0]),
        ]
    );
    assert!(r.warnings.is_empty() && r.infos.is_empty(), "{r:?}");
}

#[test]
fn histogram_bucket_le_label_keeps_the_plus_inf_spelling() {
    let r = success(fixture!("query-vector-demo-histogram-buckets.json"));
    let buckets: Vec<_> = r
        .series
        .iter()
        .map(|s| (s.labels.get("le").unwrap(), s.values[0]))
        .collect();
    // Server order (label values sort as strings, so "+Inf" comes first).
    assert_eq!(
        buckets,
        [
            ("+Inf", 2880.0),
            ("0.005", 144.0),
            ("0.01", 432.0),
            ("0.025", 864.0),
            ("0.05", 1584.0),
            ("0.1", 2160.0),
            ("0.25", 2534.0),
            ("0.5", 2736.0),
            ("1.0", 2836.0),
            ("2.5", 2871.0),
            ("5.0", 2880.0),
        ]
    );
    assert!(r.series.iter().all(|s| {
        s.labels.metric_name() == Some("demo_http_request_duration_seconds_bucket")
            && s.labels.get("route") == Some("/api/cart")
            && s.labels.get("service") == Some("checkout")
    }));
}

#[test]
fn recording_rule_names_with_colons_are_metric_names() {
    let r = success(fixture!("query-vector-error-ratio-recording-rule.json"));
    assert_eq!(r.series.len(), 2);
    for s in &r.series {
        assert_eq!(
            s.labels.metric_name(),
            Some("service:demo_http_requests:error_ratio_rate1m")
        );
    }
    assert_eq!(
        r.series[0].labels.to_string(),
        r#"service:demo_http_requests:error_ratio_rate1m{service="checkout"}"#
    );
    assert_eq!(r.series[0].values, [0.010067114093959733]);
    assert_eq!(r.series[1].labels.get("service"), Some("frontend"));
    assert_eq!(r.series[1].values, [0.002254791431792559]);
}

#[test]
fn scalar_result_is_a_single_unlabelled_point() {
    let r = success(fixture!("query-scalar.json"));
    assert_eq!(r.series.len(), 1);
    assert!(r.series[0].labels.is_empty());
    assert_eq!(r.series[0].timestamps, [END]);
    assert_eq!(r.series[0].values, [2.0]);
}

#[test]
fn scalar_nan_result_is_nan() {
    let r = success(fixture!("query-scalar-nan.json"));
    assert_eq!(r.series.len(), 1);
    assert_eq!(r.series[0].timestamps, [END]);
    assert_eq!(r.series[0].values.len(), 1);
    assert!(r.series[0].values[0].is_nan());
}

#[test]
fn string_result_is_reported_as_info_not_a_series() {
    let r = success(fixture!("query-string.json"));
    assert!(r.series.is_empty());
    assert!(r.warnings.is_empty());
    assert_eq!(r.infos, ["string result: hello"]);
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

const QUERY_URL: &str = "http://127.0.0.1:19090/api/v1/query";
const RANGE_URL: &str = "http://127.0.0.1:19090/api/v1/query_range";

#[test]
fn parse_error_carries_prometheus_message() {
    let body = fixture!("error-bad-data-parse.json");
    let message = "invalid parameter \"query\": 1:12: parse error: unclosed left parenthesis";
    assert_eq!(
        decode_query(body),
        Ok(Answer::Error {
            error_type: "bad_data".into(),
            message: message.into(),
        })
    );
    let url = "http://127.0.0.1:19090/api/v1/query?query=rate%28up%5b1m%5d&time=1795507071";
    assert_eq!(
        interpret(response(400, url, body)),
        Err(SourceError::Query {
            url: url.into(),
            error_type: "bad_data".into(),
            message: message.into(),
        })
    );
}

#[test]
fn every_bad_data_error_keeps_its_exact_message() {
    let cases: [(&[u8], &str, &str); 4] = [
        (
            fixture!("error-bad-data-too-many-points.json"),
            RANGE_URL,
            "exceeded maximum resolution of 11,000 points per timeseries. \
             Try decreasing the query resolution (?step=XX)",
        ),
        (
            fixture!("error-bad-data-end-before-start.json"),
            RANGE_URL,
            "invalid parameter \"end\": end timestamp must not be before start time",
        ),
        (
            fixture!("error-bad-data-missing-query.json"),
            QUERY_URL,
            "invalid parameter \"query\": 1:1: parse error: no expression found in input",
        ),
        (
            fixture!("error-bad-data-type-mismatch.json"),
            QUERY_URL,
            "invalid parameter \"query\": 1:6: parse error: expected type range vector \
             in call to function \"rate\", got instant vector",
        ),
    ];
    for (body, url, message) in cases {
        assert_eq!(
            interpret(response(400, url, body)),
            Err(SourceError::Query {
                url: url.into(),
                error_type: "bad_data".into(),
                message: message.into(),
            })
        );
    }
}

#[test]
fn execution_error_with_422_is_a_query_error() {
    let err = interpret(response(
        422,
        QUERY_URL,
        fixture!("error-execution-duplicate-labelset.json"),
    ))
    .unwrap_err();
    assert_eq!(
        err,
        SourceError::Query {
            url: QUERY_URL.into(),
            error_type: "execution".into(),
            message: "vector cannot contain metrics with the same labelset".into(),
        }
    );
    assert_eq!(err.kind(), "Query error");
}

#[test]
fn timeout_with_503_is_a_query_error_of_type_timeout() {
    // Prometheus' own evaluation timeout: the body says why, so it is not a bare HTTP 503.
    let err = interpret(response(503, RANGE_URL, fixture!("error-timeout.json"))).unwrap_err();
    assert_eq!(
        err,
        SourceError::Query {
            url: RANGE_URL.into(),
            error_type: "timeout".into(),
            message: "query timed out in expression evaluation".into(),
        }
    );
    assert_eq!(
        err.to_string(),
        format!("{RANGE_URL}: timeout: query timed out in expression evaluation")
    );
}

#[test]
fn unknown_path_404_text_is_an_http_status_error() {
    let body = fixture!("error-404-unknown-path.txt");
    assert!(decode_query(body).is_err(), "plain text must not decode");
    let url = "http://127.0.0.1:19090/api/v1/nonexistent";
    assert_eq!(
        interpret(response(404, url, body)),
        Err(SourceError::HttpStatus {
            url: url.into(),
            status: 404,
            body: "404 page not found".into(),
        })
    );
}

#[test]
fn wrong_method_405_text_is_an_http_status_error() {
    let url = "http://127.0.0.1:19090/api/v1/labels";
    assert_eq!(
        interpret(response(405, url, fixture!("error-405-wrong-method.txt"))),
        Err(SourceError::HttpStatus {
            url: url.into(),
            status: 405,
            body: "Method Not Allowed".into(),
        })
    );
}

#[test]
fn truncated_range_response_is_a_decode_error_at_its_end() {
    // The first 4096 bytes of query-range-up-step1s.json, cut inside a sample.
    let body = fixture!("prometheus-query-range-truncated.json");
    assert_eq!(body.len(), 4096);
    assert!(!body.contains(&b'\n'));
    let err = decode_query(body).unwrap_err();
    assert_eq!((err.line, err.column), (1, 4096), "{err:?}");
    assert!(err.message.contains("EOF"), "{err:?}");

    match interpret(response(200, RANGE_URL, body)) {
        Err(SourceError::Decode {
            url,
            message,
            line,
            column,
        }) => {
            assert_eq!(url, RANGE_URL);
            assert_eq!((line, column), (1, 4096));
            assert_eq!(message, err.message);
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[test]
fn html_error_page_with_502_is_an_http_status_error() {
    let body = fixture!("prometheus-html-error-page.html");
    match interpret(response(502, RANGE_URL, body)) {
        Err(SourceError::HttpStatus {
            url,
            status,
            body: excerpt,
        }) => {
            assert_eq!(url, RANGE_URL);
            assert_eq!(status, 502);
            // Short bodies are kept whole, without the trailing newline.
            assert_eq!(
                excerpt,
                "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad \
                 Gateway</h1></center><hr><center>nginx</center></body></html>"
            );
        }
        other => panic!("expected an HTTP status error, got {other:?}"),
    }
}

#[test]
fn html_error_page_with_200_is_a_decode_error_at_the_first_byte() {
    let body = fixture!("prometheus-html-error-page.html");
    match interpret(response(200, RANGE_URL, body)) {
        Err(SourceError::Decode {
            url,
            message,
            line,
            column,
        }) => {
            assert_eq!(url, RANGE_URL);
            assert_eq!((line, column), (1, 1));
            assert_eq!(message, "expected value");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[test]
fn interpret_returns_the_decoded_series_for_a_recorded_success() {
    let body = fixture!("query-range-up-step1s.json");
    let url = "http://127.0.0.1:19090/api/v1/query_range?query=up&start=1795506789&end=1795507071&step=1s";
    let result = interpret(response(200, url, body)).unwrap();
    assert_eq!(result, success(body));
    assert_eq!(result.point_count(), 848);
}
