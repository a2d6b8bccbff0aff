//! Decoding of Prometheus HTTP API query responses into columnar `Series` and
//! `HistogramSeries` (native histograms, `histogram`/`histograms` keys).
//!
//! Values are pushed straight into `Vec<f64>` columns while parsing, without building a
//! `serde_json::Value` tree or one object per sample (see BENCHMARKS.md for the comparison).
//! Native histogram buckets go straight into their series' one flat bucket array.

use crate::model::{BoundaryRule, HistogramBucket, HistogramSeries, Labels, QueryResult, Series};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::fmt;

/// Why a body could not be decoded, with the position serde_json reports.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

impl From<serde_json::Error> for DecodeError {
    fn from(e: serde_json::Error) -> Self {
        // serde_json appends " at line L column C"; we carry those separately.
        let message = e.to_string();
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m)
            .to_owned();
        Self {
            message,
            line: e.line(),
            column: e.column(),
        }
    }
}

/// What a Prometheus response body said.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Success(QueryResult),
    /// `status: "error"`, with the server's `errorType` and `error`.
    Error {
        error_type: String,
        message: String,
    },
}

#[derive(Deserialize)]
struct Envelope<'a> {
    status: &'a str,
    #[serde(borrow)]
    data: Option<&'a RawValue>,
    #[serde(rename = "errorType", default)]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    warnings: Vec<String>,
    #[serde(default)]
    infos: Vec<String>,
}

#[derive(Deserialize)]
struct Data<'a> {
    #[serde(rename = "resultType")]
    result_type: &'a str,
    #[serde(borrow)]
    result: &'a RawValue,
}

/// Decodes the body of `/api/v1/query` or `/api/v1/query_range`.
pub fn decode_query(body: &[u8]) -> Result<Answer, DecodeError> {
    let envelope: Envelope<'_> = serde_json::from_slice(body)?;
    if envelope.status != "success" {
        return Ok(Answer::Error {
            error_type: envelope.error_type.unwrap_or_else(|| "error".to_owned()),
            message: envelope
                .error
                .unwrap_or_else(|| format!("status “{}” without a message", envelope.status)),
        });
    }
    let data = envelope.data.ok_or_else(|| DecodeError {
        message: "success response without data".into(),
        line: 1,
        column: 1,
    })?;
    let data: Data<'_> = serde_json::from_str(data.get()).map_err(|e| within(body, data, e))?;
    let mut result = QueryResult {
        series: Vec::new(),
        histograms: Vec::new(),
        warnings: envelope.warnings,
        infos: envelope.infos,
    };
    let raw_value = data.result;
    let raw = raw_value.get();
    let within = |e| within(body, raw_value, e);
    match data.result_type {
        "matrix" => {
            let matrix: Vec<MatrixSeries> = serde_json::from_str(raw).map_err(within)?;
            for m in matrix {
                // A series may carry floats, histograms or both; keep whatever it has.
                match m.histograms {
                    Some(HistogramColumns(h)) => {
                        if !m.values.timestamps.is_empty() {
                            result.series.push(Series {
                                labels: m.metric.clone(),
                                timestamps: m.values.timestamps,
                                values: m.values.values,
                            });
                        }
                        result.histograms.push(HistogramSeries {
                            labels: m.metric,
                            ..h
                        });
                    }
                    None => result.series.push(Series {
                        labels: m.metric,
                        timestamps: m.values.timestamps,
                        values: m.values.values,
                    }),
                }
            }
        }
        "vector" => {
            let vector: Vec<VectorSample> = serde_json::from_str(raw).map_err(within)?;
            for v in vector {
                if let Some(HistogramColumns(h)) = v.histogram {
                    if let Some(Sample(t, x)) = v.value {
                        result.series.push(Series {
                            labels: v.metric.clone(),
                            timestamps: vec![t],
                            values: vec![x],
                        });
                    }
                    result.histograms.push(HistogramSeries {
                        labels: v.metric,
                        ..h
                    });
                    continue;
                }
                let (timestamps, values) = match v.value {
                    Some(Sample(t, x)) => (vec![t], vec![x]),
                    None => (Vec::new(), Vec::new()),
                };
                result.series.push(Series {
                    labels: v.metric,
                    timestamps,
                    values,
                });
            }
        }
        "scalar" => {
            let Sample(t, x) = serde_json::from_str(raw).map_err(within)?;
            result.series.push(Series {
                labels: Labels::default(),
                timestamps: vec![t],
                values: vec![x],
            });
        }
        "string" => {
            let (_, text): (f64, String) = serde_json::from_str(raw).map_err(within)?;
            result.infos.push(format!("string result: {text}"));
        }
        other => {
            return Err(DecodeError {
                message: format!("unknown resultType “{other}”"),
                line: 1,
                column: 1,
            });
        }
    }
    Ok(Answer::Success(result))
}

/// Re-positions an error found inside `part` (a slice of `body`) so it points into `body`:
/// what a user opening the whole response sees. Shared by every JSON decoder of responses.
pub(crate) fn within(body: &[u8], part: &RawValue, e: serde_json::Error) -> DecodeError {
    let mut err = DecodeError::from(e);
    let part = part.get().as_bytes();
    let start = (part.as_ptr() as usize).saturating_sub(body.as_ptr() as usize);
    // Byte index of (line, column) inside `part`; serde_json counts both from 1.
    let mut index = 0;
    for _ in 1..err.line {
        index += part[index..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
    }
    let absolute = (start + index + err.column.saturating_sub(1)).min(body.len());
    let before = &body[..absolute];
    err.line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    err.column = 1 + before.len()
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
    err
}

#[derive(Deserialize)]
struct MatrixSeries {
    #[serde(default, deserialize_with = "deserialize_labels")]
    metric: Labels,
    #[serde(default)]
    values: Columns,
    #[serde(default)]
    histograms: Option<HistogramColumns>,
}

#[derive(Deserialize)]
struct VectorSample {
    #[serde(default, deserialize_with = "deserialize_labels")]
    metric: Labels,
    #[serde(default)]
    value: Option<Sample>,
    #[serde(default, deserialize_with = "deserialize_one_histogram")]
    histogram: Option<HistogramColumns>,
}

fn deserialize_labels<'de, D: Deserializer<'de>>(d: D) -> Result<Labels, D::Error> {
    // A BTreeMap arrives sorted, which is what `Labels` wants.
    let map = BTreeMap::<String, String>::deserialize(d)?;
    Ok(Labels::new(map.into_iter().collect()))
}

/// A `[unix_seconds, "value"]` pair.
struct Sample(f64, f64);

impl<'de> Deserialize<'de> for Sample {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Sample;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a [timestamp, \"value\"] pair")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Sample, A::Error> {
                let t: f64 = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let v = seq
                    .next_element_seed(SampleValue)?
                    .ok_or_else(|| de::Error::invalid_length(1, &self))?;
                Ok(Sample(t, v))
            }
        }
        d.deserialize_seq(V)
    }
}

/// A sample value: Prometheus sends floats as strings (`"1"`, `"NaN"`, `"+Inf"`).
struct SampleValue;

impl<'de> DeserializeSeed<'de> for SampleValue {
    type Value = f64;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<f64, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for SampleValue {
    type Value = f64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number as a string")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<f64, E> {
        parse_sample_value(s).ok_or_else(|| E::invalid_value(de::Unexpected::Str(s), &self))
    }
    // Some Prometheus-compatible servers send plain JSON numbers.
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }
}

/// Parses Go's float formatting, including `NaN`, `+Inf` and `-Inf`.
pub fn parse_sample_value(s: &str) -> Option<f64> {
    match s {
        "NaN" => Some(f64::NAN),
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        _ => s.parse().ok(),
    }
}

/// The `values` array of a matrix series, decoded into two columns.
#[derive(Default)]
struct Columns {
    timestamps: Vec<f64>,
    values: Vec<f64>,
}

impl<'de> Deserialize<'de> for Columns {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Columns;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of [timestamp, \"value\"] pairs")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Columns, A::Error> {
                let n = seq.size_hint().unwrap_or(0);
                let mut c = Columns {
                    timestamps: Vec::with_capacity(n),
                    values: Vec::with_capacity(n),
                };
                while let Some(Sample(t, v)) = seq.next_element()? {
                    c.timestamps.push(t);
                    c.values.push(v);
                }
                Ok(c)
            }
        }
        d.deserialize_seq(V)
    }
}

/// The `histograms` array of a matrix series: `[[unix_seconds, {count, sum, buckets}], …]`.
struct HistogramColumns(HistogramSeries);

impl<'de> Deserialize<'de> for HistogramColumns {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = HistogramColumns;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of [timestamp, histogram] pairs")
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<HistogramColumns, A::Error> {
                let mut h = HistogramSeries::default();
                while seq.next_element_seed(HistogramSample(&mut h))?.is_some() {}
                Ok(HistogramColumns(h))
            }
        }
        d.deserialize_seq(V)
    }
}

/// The `histogram` of a vector sample: one `[unix_seconds, {count, sum, buckets}]` pair.
fn deserialize_one_histogram<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<HistogramColumns>, D::Error> {
    let mut h = HistogramSeries::default();
    HistogramSample(&mut h).deserialize(d)?;
    Ok(Some(HistogramColumns(h)))
}

/// One `[unix_seconds, {count, sum, buckets}]` pair, appended to a series.
struct HistogramSample<'a>(&'a mut HistogramSeries);

impl<'de> DeserializeSeed<'de> for HistogramSample<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for HistogramSample<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a [timestamp, histogram] pair")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let t: f64 = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let (count, sum) = seq
            .next_element_seed(HistogramObject(&mut self.0.buckets))?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        if seq.next_element::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_length(3, &self));
        }
        self.0.finish_sample(t, count, sum);
        Ok(())
    }
}

/// `{"count": "…", "sum": "…", "buckets": [...]}`: pushes the buckets, returns (count, sum).
struct HistogramObject<'a>(&'a mut Vec<HistogramBucket>);

impl<'de> DeserializeSeed<'de> for HistogramObject<'_> {
    type Value = (f64, f64);
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(f64, f64), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for HistogramObject<'_> {
    type Value = (f64, f64);
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a native histogram {count, sum, buckets}")
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<(f64, f64), A::Error> {
        let (mut count, mut sum) = (None, None);
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "count" => count = Some(map.next_value_seed(SampleValue)?),
                "sum" => sum = Some(map.next_value_seed(SampleValue)?),
                "buckets" => map.next_value_seed(Buckets(&mut *self.0))?,
                // Later Prometheus versions may add keys; they are not ours to refuse.
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        let count = count.ok_or_else(|| de::Error::missing_field("count"))?;
        let sum = sum.ok_or_else(|| de::Error::missing_field("sum"))?;
        Ok((count, sum))
    }
}

/// The `buckets` array, appended to the series' flat bucket column.
struct Buckets<'a>(&'a mut Vec<HistogramBucket>);

impl<'de> DeserializeSeed<'de> for Buckets<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Buckets<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of [boundary_rule, \"lower\", \"upper\", \"count\"] buckets")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(Bucket(b)) = seq.next_element()? {
            self.0.push(b);
        }
        Ok(())
    }
}

/// One `[boundary_rule, "lower", "upper", "count"]` bucket.
struct Bucket(HistogramBucket);

impl<'de> Deserialize<'de> for Bucket {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Bucket;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a [boundary_rule, \"lower\", \"upper\", \"count\"] bucket")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Bucket, A::Error> {
                let code: u64 = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let rule = BoundaryRule::from_code(code).ok_or_else(|| {
                    de::Error::invalid_value(
                        de::Unexpected::Unsigned(code),
                        &"a boundary rule 0, 1, 2 or 3",
                    )
                })?;
                let mut next = |i| {
                    seq.next_element_seed(SampleValue)?
                        .ok_or_else(|| de::Error::invalid_length(i, &self))
                };
                let lower = next(1)?;
                let upper = next(2)?;
                let count = next(3)?;
                if seq.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::invalid_length(5, &self));
                }
                if lower.is_nan() || upper.is_nan() || lower > upper {
                    return Err(de::Error::custom(format_args!(
                        "bucket lower bound {lower} is above its upper bound {upper}"
                    )));
                }
                Ok(Bucket(HistogramBucket {
                    lower,
                    upper,
                    count,
                    rule,
                }))
            }
        }
        d.deserialize_seq(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_float_spellings_parse() {
        assert!(parse_sample_value("NaN").unwrap().is_nan());
        assert_eq!(parse_sample_value("+Inf"), Some(f64::INFINITY));
        assert_eq!(parse_sample_value("-Inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_sample_value("1e+06"), Some(1e6));
        assert_eq!(parse_sample_value("0.25"), Some(0.25));
        assert_eq!(parse_sample_value("x"), None);
    }

    #[test]
    fn warnings_and_infos_are_kept() {
        let body = br#"{"status":"success","data":{"resultType":"vector","result":[]},"warnings":["w1"],"infos":["i1"]}"#;
        let Answer::Success(r) = decode_query(body).unwrap() else {
            panic!("expected success")
        };
        assert_eq!(r.warnings, vec!["w1"]);
        assert_eq!(r.infos, vec!["i1"]);
    }

    #[test]
    fn native_histograms_are_decoded_not_silently_dropped() {
        let body = br#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"h"},"histograms":[[1,{"count":"1","sum":"2"}],[2,{"count":"3","sum":"4","buckets":[[0,"1","2","3"]]}]]}]}}"#;
        let Answer::Success(r) = decode_query(body).unwrap() else {
            panic!("expected success")
        };
        assert!(r.series.is_empty(), "no empty float series beside it");
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        assert_eq!(r.histograms.len(), 1);
        let h = &r.histograms[0];
        assert_eq!(h.labels.metric_name(), Some("h"));
        assert_eq!(h.timestamps, vec![1.0, 2.0]);
        assert_eq!(h.get(0).unwrap().buckets, &[]);
        let second = h.get(1).unwrap();
        assert_eq!((second.count, second.sum), (3.0, 4.0));
        assert_eq!(
            second.buckets,
            &[HistogramBucket {
                lower: 1.0,
                upper: 2.0,
                count: 3.0,
                rule: BoundaryRule::OpenLeft
            }]
        );
    }

    #[test]
    fn a_bad_boundary_rule_is_a_decode_error_at_its_position() {
        let body = br#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"histogram":[1,{"count":"1","sum":"1","buckets":[[7,"1","2","1"]]}]}]}}"#;
        let err = decode_query(body).unwrap_err();
        assert!(err.message.contains("boundary rule"), "{}", err.message);
        let seven = body.windows(3).position(|w| w == b"[7,").unwrap() + 2;
        assert!(
            (seven..=seven + 2).contains(&err.column),
            "{} vs {seven}",
            err.column
        );
    }

    #[test]
    fn error_inside_the_result_points_into_the_whole_body() {
        let body = br#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"x"]]}]}}"#;
        let err = decode_query(body).unwrap_err();
        let x_column = body.windows(3).position(|w| w == br#""x""#).unwrap() + 1;
        assert_eq!(err.line, 1);
        // serde_json points just past the offending string.
        assert!(
            (x_column..=x_column + 2).contains(&err.column),
            "{} vs {x_column}",
            err.column
        );
    }

    #[test]
    fn truncated_body_reports_a_position() {
        let err = decode_query(br#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"],"#)
            .unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.column > 60, "column {}", err.column);
        assert!(err.message.contains("EOF"), "{}", err.message);
    }
}
