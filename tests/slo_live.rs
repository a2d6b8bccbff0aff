//! SLO status against a real Prometheus serving 30 days of backfilled data whose error ratio is
//! known by construction (tests/fixtures/slo/PROVENANCE.md): 0.2 % errors until
//! 2024-01-28T00:00Z, 2 % after, 0.38 % over the month.

mod support_slo;

use signalscope::analysis::slo::{AlertState, BurnPreset, Exhaustion};
use signalscope::fetch::Progress;
use signalscope::slo::queries::error_ratio_query;
use signalscope::slo::recording_rules::{self, RecordedRules, RuleSource};
use signalscope::slo::{PrometheusEngine, Sli, SloDefinition, SloStatus, SloWindow, evaluate};
use signalscope::sources::prometheus::decode::{Answer, decode_query};
use signalscope::sources::prometheus::instant::{InstantQuery, instant_query};
use signalscope::sources::prometheus::{self, RangeQuery};
use signalscope::sources::{HttpClient, SourceError};
use signalscope::workspace::{Connection, ConnectionId};
use std::collections::BTreeMap;

/// 2024-01-31T00:00:00Z, the last sample.
const END: f64 = 1_706_659_200.0;
/// 2024-01-10T12:00:00Z, during the 0.2 % days.
const DAY10: f64 = 1_704_888_000.0;
const HOUR: f64 = 3600.0;
const DAY: f64 = 86_400.0;

/// Sloth-style recording rules for the same SLO, evaluated from "now" on (the backfill is in
/// 2024, so they never overlap it). Constants, so the test can tell a recorded value from a
/// recomputed one; only the 5m, 1h and 30d windows are recorded.
const SLOTH_RULES: &str = r#"groups:
  - name: sloth-slo-sli-recordings-checkout-requests-availability
    interval: 1s
    rules:
      - record: slo:sli_error:ratio_rate5m
        expr: vector(0.004)
        labels: {sloth_service: checkout, sloth_slo: requests-availability, sloth_window: 5m}
      - record: slo:sli_error:ratio_rate1h
        expr: vector(0.004)
        labels: {sloth_service: checkout, sloth_slo: requests-availability, sloth_window: 1h}
      - record: slo:sli_error:ratio_rate30d
        expr: vector(0.0005)
        labels: {sloth_service: checkout, sloth_slo: requests-availability, sloth_window: 30d}
      - record: slo:sli_error:ratio_rate1h
        expr: vector(0.9)
        labels: {sloth_service: checkout, sloth_slo: latency, sloth_window: 1h}
"#;

fn client(url: &str) -> HttpClient {
    HttpClient::new(&Connection::prometheus(ConnectionId(1), "backfill", url)).expect("client")
}

fn checkout() -> SloDefinition {
    SloDefinition {
        name: "requests-availability".into(),
        service: "checkout".into(),
        sli: Sli::BadOverTotal {
            bad: r#"sum(rate(http_requests_total{service="checkout",code="500"}[{{.window}}]))"#
                .into(),
            total: r#"sum(rate(http_requests_total{service="checkout"}[{{.window}}]))"#.into(),
        },
        objective: 0.999,
        window: SloWindow::DAYS_30,
        labels: BTreeMap::new(),
        description: String::new(),
    }
}

fn close(actual: Option<f64>, expected: f64, what: &str) {
    let a = actual.unwrap_or_else(|| panic!("{what}: no data"));
    assert!(
        (a - expected).abs() <= 1e-6,
        "{what}: {a} is not {expected} to 1e-6"
    );
}

/// The value of `series` labelled `window=name` in a recorded instant answer.
fn recorded_by_window(file: &str) -> BTreeMap<String, f64> {
    let path = format!(
        "{}/tests/fixtures/slo/responses/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let body = std::fs::read(path).expect("recorded response");
    let Answer::Success(result) = decode_query(&body).expect("decodes") else {
        panic!("recorded an error");
    };
    result
        .series
        .iter()
        .map(|s| (s.labels.get("window").unwrap_or("").to_owned(), s.values[0]))
        .collect()
}

fn check_end_of_month(status: &SloStatus) {
    close(status.error_ratio, 0.0038, "e(30d)");
    close(
        status.budget_remaining,
        1.0 - 0.0038 / 0.001,
        "budget remaining",
    );
    close(status.budget_consumed, 3.8, "budget consumed");
    for (secs, name) in [
        (5.0 * 60.0, "5m"),
        (30.0 * 60.0, "30m"),
        (HOUR, "1h"),
        (2.0 * HOUR, "2h"),
        (6.0 * HOUR, "6h"),
        (DAY, "1d"),
        (3.0 * DAY, "3d"),
    ] {
        close(
            status.burn_rate(secs),
            20.0,
            &format!("burn rate over {name}"),
        );
    }
    let states: Vec<AlertState> = status.alerts.iter().map(|r| r.state).collect();
    assert_eq!(
        states,
        [
            AlertState::Page,
            AlertState::Page,
            AlertState::Ticket,
            AlertState::Ticket
        ]
    );
    assert_eq!(status.state, AlertState::Page);
    assert_eq!(status.exhaustion, Exhaustion::AlreadyExhausted);
    assert!(status.notes.is_empty(), "{:?}", status.notes);

    // The charts: burn-down ends at the same budget; SLI and burn show both regimes.
    close(
        status.budget.values.last().copied(),
        -2.8,
        "last budget point",
    );
    assert_eq!(status.budget.timestamps.last(), Some(&END));
    assert!(
        status.budget.len() >= 100,
        "{} budget points",
        status.budget.len()
    );
    let first_budget = status.budget.values[0];
    assert!(
        (first_budget - (-1.0)).abs() < 1e-6,
        "a month ago only 0.2 % days were in the window: budget −1, got {first_budget}"
    );
    let sli_min = status
        .sli
        .values
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min);
    let sli_max = status.sli.values.iter().copied().fold(0.0, f64::max);
    assert!((sli_min - 0.98).abs() < 1e-9 && (sli_max - 0.998).abs() < 1e-9);
    close(status.burn.values.last().copied(), 20.0, "last burn point");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slo_status_matches_the_backfill_to_the_sixth_decimal() {
    let Some(prom) = tokio::task::block_in_place(|| {
        support_slo::BackfilledPrometheus::start_with_rules(Some(SLOTH_RULES))
    }) else {
        return;
    };
    let http = client(&prom.url);
    let progress = Progress::default();
    let engine = PrometheusEngine {
        http: &http,
        progress: &progress,
    };
    let def = checkout();

    // No Sloth or Pyrra rules on this server: every window is computed from the SLI.
    let rules = recording_rules::detect(&http, &def, END - DAY, END)
        .await
        .expect("series API");
    assert_eq!(rules, RecordedRules::none());

    let preset = BurnPreset::sre_workbook_30d();
    let end = evaluate(&engine, &def, &preset, &rules, END, 120)
        .await
        .expect("status at the end of the month");
    check_end_of_month(&end);

    // The server's own burn-rate answer, recorded with Prometheus 2.42, agrees with ours.
    let recorded = recorded_by_window("query-burn-rate-multiwindow-at-end.json");
    assert_eq!(recorded.len(), 3);
    for (name, secs) in [("1h", HOUR), ("6h", 6.0 * HOUR), ("3d", 3.0 * DAY)] {
        let ours = end.burn_rate(secs).expect("burn");
        assert!(
            (ours - recorded[name]).abs() <= 1e-6,
            "{name}: ours {ours}, recorded {}",
            recorded[name]
        );
    }
    let e30 = recorded_by_window("query-error-ratio-30d-at-end.json")[""];
    close(
        end.error_ratio,
        e30,
        "e(30d) against the recorded increase() answer",
    );

    // The hourly error ratio over the month, through our range client and query builder,
    // point for point as the server answered the recorded query.
    let body = std::fs::read(format!(
        "{}/tests/fixtures/slo/responses/query-range-error-ratio-1h-30d-step1h.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("recorded range");
    let Answer::Success(recorded) = decode_query(&body).expect("decodes") else {
        panic!("recorded an error");
    };
    let q = RangeQuery {
        query: error_ratio_query(&def, HOUR, &rules),
        start: 1_704_070_800.0,
        end: END,
        step: HOUR,
    };
    let ours = prometheus::range_query(&http, &q, &progress)
        .await
        .expect("range");
    let (ours, recorded) = (&ours.series[0], &recorded.series[0]);
    assert_eq!(ours.len(), 720);
    assert_eq!(ours.timestamps, recorded.timestamps);
    for (a, b) in ours.values.iter().zip(&recorded.values) {
        assert!((a - b).abs() <= 1e-9, "{a} vs recorded {b}");
    }

    // Day 10: burning at 2, which only the slowest (3d/6h ×1) row tickets.
    let day10 = evaluate(&engine, &def, &preset, &rules, DAY10, 60)
        .await
        .expect("status on day 10");
    close(day10.burn_rate(HOUR), 2.0, "burn over 1h on day 10");
    close(day10.burn_rate(3.0 * DAY), 2.0, "burn over 3d on day 10");
    let recorded_day10 = recorded_by_window("query-error-ratio-1h-day10.json")[""];
    close(
        day10
            .burn_rates
            .iter()
            .find(|b| b.window_secs == HOUR)
            .and_then(|b| b.error_ratio),
        recorded_day10,
        "e(1h) on day 10 against the recording",
    );
    let states: Vec<AlertState> = day10.alerts.iter().map(|r| r.state).collect();
    assert_eq!(
        states,
        [
            AlertState::Ok,
            AlertState::Ok,
            AlertState::Ok,
            AlertState::Ticket
        ]
    );
    // Only 9.5 days of data: e(30d) is 0.2 %, so the budget is already −1.
    close(day10.budget_remaining, -1.0, "budget on day 10");

    // Before the first sample there is no traffic: no data, not a perfect SLI.
    let before = evaluate(&engine, &def, &preset, &rules, 1_704_000_000.0, 30)
        .await
        .expect("status before the data");
    assert_eq!(before.error_ratio, None);
    assert_eq!(before.budget_remaining, None);
    assert!(before.alerts.iter().all(|r| r.state == AlertState::NoData));
    assert_eq!(before.exhaustion, Exhaustion::NoData);

    // With a 99 % objective the same month leaves 62 % of the budget, burning at 2 (×20/10).
    let mut relaxed = def.clone();
    relaxed.objective = 0.99;
    let relaxed = evaluate(&engine, &relaxed, &preset, &rules, END, 30)
        .await
        .expect("99 % status");
    close(relaxed.budget_remaining, 0.62, "budget at 99 %");
    close(relaxed.burn_rate(HOUR), 2.0, "burn at 99 %");
    match relaxed.exhaustion {
        // 0.62 of a 30-day budget at burn 2 lasts 0.62 × 30 d / 2 = 9.3 days.
        Exhaustion::In(secs) => assert!((secs - 9.3 * DAY).abs() < 1.0, "{secs}"),
        other => panic!("expected a time to exhaustion, got {other:?}"),
    }

    // Now: the server records Sloth's rules for this SLO; they are found and read instead of
    // recomputing, and windows without a rule still come from the SLI (no data now).
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        .floor();
    let mut rules = RecordedRules::none();
    for _ in 0..50 {
        rules = recording_rules::detect(&http, &def, now - 600.0, now + 600.0)
            .await
            .expect("series API");
        if rules.windows.len() == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(rules.source, Some(RuleSource::Sloth));
    assert_eq!(
        rules.windows.keys().copied().collect::<Vec<_>>(),
        [300, 3600, 30 * 86_400],
        "the other SLO's rule is not ours"
    );
    let live = evaluate(&engine, &def, &preset, &rules, now + 2.0, 30)
        .await
        .expect("status from recorded rules");
    assert_eq!(live.recorded, Some(RuleSource::Sloth));
    close(live.burn_rate(300.0), 4.0, "recorded 5m burn");
    close(live.burn_rate(HOUR), 4.0, "recorded 1h burn");
    close(
        live.budget_remaining,
        0.5,
        "budget from the recorded 30d ratio",
    );
    assert_eq!(
        live.burn_rate(30.0 * 60.0),
        None,
        "30m is not recorded: computed, no data"
    );
    let five = &live.burn_rates[0];
    assert!(
        five.query.starts_with("max(slo:sli_error:ratio_rate5m{"),
        "{}",
        five.query
    );

    // A bad query comes back as the server's typed error, through the instant client.
    let err = instant_query(
        &http,
        &InstantQuery {
            query: "sum(rate(http_requests_total[5m]".into(),
            time: END,
        },
        &progress,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, SourceError::Query { error_type, .. } if error_type == "bad_data"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_dead_server_is_unreachable_not_a_panic() {
    let port = support_slo::free_port();
    let http = client(&format!("http://127.0.0.1:{port}"));
    let progress = Progress::default();
    let engine = PrometheusEngine {
        http: &http,
        progress: &progress,
    };
    let preset = BurnPreset::sre_workbook_30d();
    let err = evaluate(
        &engine,
        &checkout(),
        &preset,
        &RecordedRules::none(),
        END,
        30,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("cannot connect"), "{err}");
}
