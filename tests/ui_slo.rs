//! SLO panels in the UI against a real Prometheus serving the 30-day backfill (0.38 % errors
//! over the month, 2 % at its end): the panel shows the overspent budget and the alert table's
//! states, the overview lists and sorts it, and its links open the error-ratio chart.

mod support_slo;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use signalscope::app::{SignalscopeApp, Startup};
use signalscope::fetch::Runtime;
use signalscope::model::TimeRange;
use signalscope::slo::{Sli, SloDefinition, SloWindow};
use signalscope::workspace::{
    Connection, ConnectionId, Panel, PanelId, PanelKind, SloOverviewPanel, SloPanel, SloPreset,
    Workspace,
};
use std::sync::Arc;

fn slo(name: &str, objective: f64) -> SloDefinition {
    SloDefinition {
        name: name.into(),
        service: "checkout".into(),
        sli: Sli::BadOverTotal {
            bad: r#"sum(rate(http_requests_total{code="500"}[{{.window}}]))"#.into(),
            total: "sum(rate(http_requests_total[{{.window}}]))".into(),
        },
        objective,
        window: SloWindow::DAYS_30,
        labels: Default::default(),
        description: String::new(),
    }
}

#[test]
fn slo_panels_show_budget_burn_and_alert_states_from_a_real_prometheus() {
    let Some(prom) = support_slo::BackfilledPrometheus::start() else {
        return;
    };
    let conn = ConnectionId(1);
    let mut ws = Workspace::default();
    ws.connections
        .push(Connection::prometheus(conn, "backfill", &prom.url));
    use chrono::TimeZone as _;
    // The SLOs are evaluated at the end of the range: 2024-01-31T00:00Z, the last sample.
    ws.time.range = TimeRange::Absolute {
        from: chrono::Utc.timestamp_opt(1_706_572_800, 0).unwrap(),
        to: chrono::Utc.timestamp_opt(1_706_659_200, 0).unwrap(),
    };
    for (id, name, objective) in [(1, "strict", 0.999), (2, "loose", 0.99)] {
        ws.panels.push(Panel {
            id: PanelId(id),
            title: format!("SLO {name}"),
            kind: PanelKind::Slo(SloPanel {
                connection: Some(conn),
                definition: slo(name, objective),
                preset: SloPreset::SreWorkbook30d,
            }),
        });
    }
    ws.panels.push(Panel {
        id: PanelId(3),
        title: "SLO overview".into(),
        kind: PanelKind::SloOverview(SloOverviewPanel::default()),
    });
    let app = SignalscopeApp::new(
        Arc::new(Runtime::new().unwrap()),
        Startup {
            workspace: ws,
            path: None,
            load_error: None,
            run_now: vec![PanelId(1), PanelId(2)],
            local: None,
        },
    );
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 2200.0))
        .build_ui_state(|ui, app: &mut SignalscopeApp| app.frame_ui(ui), app);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !(h.state().has_result(PanelId(1)) && h.state().has_result(PanelId(2))) {
        assert!(std::time::Instant::now() < deadline, "SLOs never evaluated");
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    h.run_steps(3);

    // 99.9 %: 0.38 % errors spent 3.8 budgets: −280 %. 99 %: 62 % left.
    h.get_by_label("Error budget remaining: -280.00 %");
    h.get_by_label("Error budget remaining: 62.00 %");
    assert_eq!(
        h.query_all_by_label_contains("Error ratio over 30 d: 0.38 %")
            .count(),
        2,
        "the same data under both objectives"
    );
    // Burn 20× everywhere at the end: for 99.9 % every row alerts (two pages, two tickets).
    assert!(
        h.query_all_by_label("PAGE").count() >= 3,
        "panel state, rows and overview"
    );
    assert!(h.query_all_by_label("TICKET").count() >= 2);
    h.get_by_label("Budget runs out: budget exhausted");
    // The 99 % SLO still has budget; burning 2× (2 % errors against 1 %), it lasts
    // 0.62 × 30 d / 2 = 9.3 days.
    h.get_by_label("Budget runs out: in 9d7h12m");
    h.get_all_by_label("20.00×").next().expect("a burn of 20");

    // The overview sorts by budget remaining, lowest first: strict before loose.
    let strict = h.get_by_label("strict").rect().min.y;
    let loose = h.get_by_label("loose").rect().min.y;
    assert!(strict < loose, "lowest budget first");
    h.get_by_label("Budget remaining (ascending)").click();
    h.run_steps(2);
    let strict = h.get_by_label("strict").rect().min.y;
    let loose = h.get_by_label("loose").rect().min.y;
    assert!(loose < strict, "descending puts the most budget first");

    // The error-rate link adds a chart of the SLO's error ratio.
    h.get_all_by_label("Error rate chart")
        .next()
        .unwrap()
        .click();
    h.run_steps(2);
    let chart = h
        .state()
        .workspace
        .panels
        .iter()
        .find_map(|p| match &p.kind {
            PanelKind::Metrics(m) => Some(m.first_query().to_owned()),
            _ => None,
        })
        .expect("a metrics panel");
    assert!(
        chart.contains("[5m]") && chart.contains(r#"code="500""#),
        "{chart}"
    );
}
