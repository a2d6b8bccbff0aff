//! From query results to the series a chart draws: legend names (`{{job}} {{instance}}`),
//! summary statistics for the legend table, and the panel's series cap.

use crate::model::{ChartData, ChartSeries, Labels, QueryResult, SeriesStats};

/// One query's contribution to a chart.
pub struct QueryPart {
    pub query: usize,
    pub legend: String,
    pub step: f64,
    pub result: QueryResult,
}

/// Moves the series of every part into one [`ChartData`], in query order, keeping at most
/// `cap` series and counting all of them. The results keep their warnings but lose their series.
pub fn chart_data(
    id: u64,
    (start, end): (f64, f64),
    parts: &mut [QueryPart],
    cap: usize,
) -> ChartData {
    let total_series: usize = parts.iter().map(|p| p.result.series.len()).sum();
    let mut series = Vec::with_capacity(total_series.min(cap));
    for part in parts.iter_mut() {
        for s in std::mem::take(&mut part.result.series) {
            if series.len() == cap {
                break;
            }
            let name = format_legend(&part.legend, &s.labels);
            let stats = series_stats(&s.values);
            series.push(ChartSeries {
                query: part.query,
                name,
                labels: s.labels,
                timestamps: s.timestamps,
                values: s.values,
                step: part.step,
                stats,
            });
        }
    }
    ChartData {
        id,
        start,
        end,
        series,
        total_series,
        exemplars: Vec::new(),
    }
}

/// Fills `{{label}}` placeholders (spaces inside the braces allowed) with the series' label
/// values, as Grafana does; an unknown label becomes empty. An empty template gives the label
/// set as Prometheus prints it.
pub fn format_legend(template: &str, labels: &Labels) -> String {
    if template.trim().is_empty() {
        return labels.to_string();
    }
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        match after.find("}}") {
            Some(close) => {
                let name = after[..close].trim();
                out.push_str(labels.get(name).unwrap_or(""));
                rest = &after[close + 2..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Min, max, mean and last over the finite values; NaN and infinities are skipped.
pub fn series_stats(values: &[f64]) -> SeriesStats {
    let mut stats = SeriesStats::default();
    let (mut min, mut max, mut sum) = (f64::INFINITY, f64::NEG_INFINITY, 0.0);
    for &v in values.iter().filter(|v| v.is_finite()) {
        min = min.min(v);
        max = max.max(v);
        sum += v;
        stats.count += 1;
    }
    if stats.count > 0 {
        stats.min = min;
        stats.max = max;
        stats.mean = sum / stats.count as f64;
        stats.last = values
            .iter()
            .rev()
            .copied()
            .find(|v| v.is_finite())
            .unwrap_or(f64::NAN);
    }
    stats
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Series;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        Labels::new(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn legend_format_fills_labels() {
        let l = labels(&[("__name__", "up"), ("job", "api"), ("instance", "a:1")]);
        assert_eq!(format_legend("{{job}} {{ instance }}", &l), "api a:1");
        assert_eq!(format_legend("{{job}}/{{missing}}!", &l), "api/!");
        assert_eq!(format_legend("", &l), r#"up{instance="a:1", job="api"}"#);
        assert_eq!(format_legend("open {{job", &l), "open {{job");
        assert_eq!(format_legend("plain", &l), "plain");
    }

    #[test]
    fn stats_skip_non_finite_values() {
        let s = series_stats(&[1.0, f64::NAN, 5.0, 3.0, f64::INFINITY, f64::NAN]);
        assert_eq!(
            (s.min, s.max, s.mean, s.last, s.count),
            (1.0, 5.0, 3.0, 3.0, 3)
        );
        let empty = series_stats(&[f64::NAN]);
        assert!(empty.min.is_nan() && empty.last.is_nan());
        assert_eq!(empty.count, 0);
    }

    fn result(n: usize, job: &str) -> QueryResult {
        QueryResult {
            series: (0..n)
                .map(|i| Series {
                    labels: labels(&[("job", job), ("i", &i.to_string())]),
                    timestamps: vec![0.0, 1.0],
                    values: vec![i as f64, 1.0],
                })
                .collect(),
            warnings: vec!["w".into()],
            ..QueryResult::default()
        }
    }

    #[test]
    fn series_of_all_queries_are_kept_in_order_up_to_the_cap() {
        let mut parts = vec![
            QueryPart {
                query: 0,
                legend: "{{job}}-{{i}}".into(),
                step: 15.0,
                result: result(3, "a"),
            },
            QueryPart {
                query: 2,
                legend: String::new(),
                step: 60.0,
                result: result(4, "b"),
            },
        ];
        let data = chart_data(7, (0.0, 1.0), &mut parts, 5);
        assert_eq!(data.total_series, 7);
        let names: Vec<&str> = data.series.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "a-0",
                "a-1",
                "a-2",
                r#"{i="0", job="b"}"#,
                r#"{i="1", job="b"}"#
            ]
        );
        assert_eq!(data.series[3].query, 2);
        assert_eq!(data.series[3].step, 60.0);
        assert_eq!(data.step(), 15.0);
        assert_eq!(data.series[2].stats.max, 2.0);
        // The results keep their warnings.
        assert_eq!(parts[1].result.warnings, ["w"]);
        assert!(parts[0].result.series.is_empty());
    }
}
