//! The chart reuses its decimated lines only while the result, range and width stay the same.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use signalscope::model::{Labels, QueryResult, Series, TimeZoneChoice};
use signalscope::ui::chart::chart_ui;

fn result(name: &str, base: f64) -> QueryResult {
    QueryResult {
        series: vec![Series {
            labels: Labels::new(vec![("__name__".into(), name.into())]),
            timestamps: (0..100).map(f64::from).collect(),
            values: (0..100).map(|i| base + f64::from(i % 10)).collect(),
        }],
        ..QueryResult::default()
    }
}

#[test]
fn a_new_result_is_drawn_not_the_cached_lines_of_the_old_one() {
    // (result id, result, the y range the chart last showed)
    let state = (1u64, result("first", 1000.0), (0.0, 0.0));
    let mut h = Harness::builder()
        .with_size(egui::vec2(800.0, 400.0))
        .build_ui_state(
            |ui, (id, r, shown): &mut (u64, QueryResult, (f64, f64))| {
                *shown = chart_ui(ui, "chart", *id, r, (0.0, 99.0), 1.0, TimeZoneChoice::Utc);
            },
            state,
        );
    h.run_steps(3);
    h.get_by_label("first");
    let (lo, hi) = h.state().2;
    assert!(
        lo > 999.0 && lo < 1000.0 && hi > 1009.0 && hi < 1010.0,
        "first range {lo}..{hi}"
    );

    // A refresh brings new values above the old ones (axis labels of the same width, so the
    // plot keeps its size): the chart must not reuse the old decimated lines.
    h.state_mut().0 = 2;
    h.state_mut().1 = result("second", 5000.0);
    h.run_steps(3);
    h.get_by_label("second");
    let (lo, hi) = h.state().2;
    assert!(
        lo > 4999.0 && lo < 5000.0 && hi > 5009.0 && hi < 5010.0,
        "second range {lo}..{hi}"
    );
}
