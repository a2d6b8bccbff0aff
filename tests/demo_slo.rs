//! The demo workspace's checkout SLO burns during the demo's payment incident: the demo shop is
//! ticked on a simulated clock into a local store, and the SLO is evaluated over it with the
//! same definition and preset the demo panel uses.

use signalscope::analysis::slo::AlertState;
use signalscope::demo::{DemoConfig, DemoShop};
use signalscope::slo::{LocalEngine, RecordedRules, evaluate};
use signalscope::store::{LocalStore, TelemetrySink};
use signalscope::workspace::{PanelKind, Workspace};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[tokio::test]
async fn the_demo_slo_burns_during_the_incident_and_not_before() {
    let slo = Workspace::demo()
        .panels
        .into_iter()
        .find_map(|p| match p.kind {
            PanelKind::Slo(s) => Some(s),
            _ => None,
        })
        .expect("the demo has an SLO panel");
    let config = DemoConfig {
        endpoint: "http://127.0.0.1:1".into(),
        requests_per_second: 20.0,
        incident_every: Duration::from_secs(240),
        incident_length: Duration::from_secs(60),
        seed: 7,
    };
    let opened = UNIX_EPOCH + Duration::from_secs(1_750_000_000);
    let mut shop = DemoShop::new(&config, opened);
    let store = LocalStore::new(512 * 1024 * 1024);
    // Ten minutes, one tick per second: the first incident runs from 240 s to 300 s.
    for second in 0..=330 {
        let batch = shop.tick(opened + Duration::from_secs(second));
        if let Some(metrics) = batch.metrics {
            store.append_metrics(metrics).expect("within budget");
        }
    }
    let at = |s: u64| {
        (opened + Duration::from_secs(s))
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64()
    };
    let preset = slo.preset.burn_preset(slo.definition.window);
    let engine = LocalEngine { store: &store };
    let rules = RecordedRules::none();
    let before = evaluate(&engine, &slo.definition, &preset, &rules, at(235), 30)
        .await
        .expect("evaluated before the incident");
    let during = evaluate(&engine, &slo.definition, &preset, &rules, at(295), 30)
        .await
        .expect("evaluated during the incident");
    let burn_5m = |s: &signalscope::slo::SloStatus| s.burn_rate(300.0).expect("a 5m burn rate");
    assert!(
        burn_5m(&before) < 1.0,
        "before the incident checkout is within its objective: {}",
        burn_5m(&before)
    );
    // 55 s of a one-minute incident inside the 5-minute window: several times the sustainable
    // rate, and the slow-burn rows (1d/2h ×3, 3d/6h ×1) alert.
    assert!(
        burn_5m(&during) > 3.0,
        "the incident burns checkout's budget fast: {}",
        burn_5m(&during)
    );
    assert!(during.state >= AlertState::Ticket, "{:?}", during.state);
    assert_eq!(before.state, AlertState::Ok, "{:?}", before.alerts);
    assert!(
        during.budget_remaining.unwrap() < before.budget_remaining.unwrap(),
        "budget {:?} → {:?}",
        before.budget_remaining,
        during.budget_remaining
    );
}
