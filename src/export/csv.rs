//! A chart's data as CSV: one row per sample with the time, the series' labels and the value.

use crate::model::{ChartData, TimeZoneChoice};
use chrono::{TimeZone as _, Utc};

/// `time,series,value` rows; times in RFC 3339 in the chosen zone.
pub fn chart_to_csv(data: &ChartData, zone: TimeZoneChoice) -> String {
    let mut out = String::from("time,series,value\n");
    for series in &data.series {
        let name = quote(&series.labels.to_string());
        for (&t, &v) in series.timestamps.iter().zip(&series.values) {
            let secs = t.floor() as i64;
            let nanos = ((t - t.floor()) * 1e9).round() as u32;
            let time = Utc
                .timestamp_opt(secs, nanos)
                .single()
                .map(|t| match zone {
                    TimeZoneChoice::Utc => t.to_rfc3339(),
                    TimeZoneChoice::Local => t.with_timezone(&chrono::Local).to_rfc3339(),
                })
                .unwrap_or_else(|| t.to_string());
            out.push_str(&format!("{time},{name},{}\n", format_value(v)));
        }
    }
    out
}

/// Prometheus' spelling of special values, so the CSV can be read back by the same tools.
fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "+Inf".into()
    } else if v == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        v.to_string()
    }
}

/// RFC 4180 quoting: always quote, double inner quotes.
fn quote(field: &str) -> String {
    format!("\"{}\"", field.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ChartSeries, Labels, SeriesStats};

    #[test]
    fn rows_carry_time_labels_and_value() {
        let data = ChartData {
            series: vec![ChartSeries {
                query: 0,
                name: "legend text is not the identity".into(),
                labels: Labels::new(vec![
                    ("__name__".into(), "up".into()),
                    ("job".into(), "p".into()),
                ]),
                timestamps: vec![0.0, 1.5],
                values: vec![1.0, f64::NAN],
                step: 1.0,
                stats: SeriesStats::default(),
            }],
            ..ChartData::default()
        };
        let csv = chart_to_csv(&data, TimeZoneChoice::Utc);
        assert_eq!(
            csv,
            "time,series,value\n\
             1970-01-01T00:00:00+00:00,\"up{job=\"\"p\"\"}\",1\n\
             1970-01-01T00:00:01.500+00:00,\"up{job=\"\"p\"\"}\",NaN\n"
        );
    }
}
