//! Metric points as Prometheus-style float series, so the local store answers PromQL.
//!
//! OTLP metrics are translated as Prometheus' OTLP receiver does: names sanitized
//! (`http.server.request.duration` → `http_server_request_duration`), monotonic sums get
//! `_total`, histograms become `_bucket{le}` / `_sum` / `_count`, and resource `service.name`
//! becomes the `service_name` label. Delta temporality is accumulated into cumulative values.

use super::attrs::{render, service_name};
use super::chunks::{Chunk, Chunks};
use crate::model::Labels;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::metrics::v1::{
    AggregationTemporality, metric::Data, number_data_point,
};
use std::collections::HashMap;

pub const CHUNK_ROWS: usize = 65536;

/// One stored point: series, time, value.
#[derive(Default)]
pub struct PointChunk {
    series: Vec<u32>,
    time_ns: Vec<u64>,
    value: Vec<f64>,
}

impl Chunk for PointChunk {
    fn len(&self) -> usize {
        self.series.len()
    }

    fn bytes(&self) -> usize {
        self.series.capacity() * 4 + self.time_ns.capacity() * 8 + self.value.capacity() * 8
    }
}

pub struct MetricTable {
    series: Vec<Labels>,
    by_labels: HashMap<Labels, u32>,
    series_bytes: usize,
    /// Running totals of delta series, keyed by series id.
    delta_totals: HashMap<u32, f64>,
    chunks: Chunks<PointChunk>,
    pub stored: u64,
    pub evicted: u64,
}

/// A series' samples in time order.
pub struct SeriesSamples<'a> {
    pub labels: &'a Labels,
    pub time_ns: Vec<u64>,
    pub value: Vec<f64>,
}

impl MetricTable {
    pub fn with_max_chunk_bytes(max_chunk_bytes: usize) -> Self {
        Self {
            series: Vec::new(),
            by_labels: HashMap::new(),
            series_bytes: 0,
            delta_totals: HashMap::new(),
            chunks: Chunks::new(CHUNK_ROWS, max_chunk_bytes),
            stored: 0,
            evicted: 0,
        }
    }

    pub fn append(&mut self, request: &ExportMetricsServiceRequest) -> (u64, u64, Option<String>) {
        let (mut accepted, mut rejected) = (0u64, 0u64);
        for rm in &request.resource_metrics {
            let service = service_name(rm.resource.as_ref());
            for sm in &rm.scope_metrics {
                for metric in &sm.metrics {
                    let base = sanitize(&metric.name);
                    let Some(data) = &metric.data else {
                        rejected += 1;
                        continue;
                    };
                    match data {
                        Data::Gauge(g) => {
                            for p in &g.data_points {
                                let v = number(p.value.as_ref());
                                self.push(
                                    &base,
                                    &service,
                                    &p.attributes,
                                    &[],
                                    p.time_unix_nano,
                                    v,
                                    false,
                                );
                                accepted += 1;
                            }
                        }
                        Data::Sum(s) => {
                            let delta =
                                s.aggregation_temporality == AggregationTemporality::Delta as i32;
                            let name = if s.is_monotonic && !base.ends_with("_total") {
                                format!("{base}_total")
                            } else {
                                base.clone()
                            };
                            for p in &s.data_points {
                                let v = number(p.value.as_ref());
                                self.push(
                                    &name,
                                    &service,
                                    &p.attributes,
                                    &[],
                                    p.time_unix_nano,
                                    v,
                                    delta,
                                );
                                accepted += 1;
                            }
                        }
                        Data::Histogram(h) => {
                            let delta =
                                h.aggregation_temporality == AggregationTemporality::Delta as i32;
                            for p in &h.data_points {
                                let t = p.time_unix_nano;
                                let mut cumulative = 0u64;
                                for (i, count) in p.bucket_counts.iter().enumerate() {
                                    cumulative += count;
                                    let le = p
                                        .explicit_bounds
                                        .get(i)
                                        .map_or_else(|| "+Inf".to_owned(), |b| format_le(*b));
                                    self.push(
                                        &format!("{base}_bucket"),
                                        &service,
                                        &p.attributes,
                                        &[("le", &le)],
                                        t,
                                        cumulative as f64,
                                        delta,
                                    );
                                }
                                self.push_count_and_sum(
                                    &base,
                                    &service,
                                    &p.attributes,
                                    t,
                                    p.count as f64,
                                    p.sum.unwrap_or(0.0),
                                    delta,
                                );
                                accepted += 1;
                            }
                        }
                        Data::ExponentialHistogram(h) => {
                            let delta =
                                h.aggregation_temporality == AggregationTemporality::Delta as i32;
                            for p in &h.data_points {
                                let t = p.time_unix_nano;
                                // Bucket i of the positive range covers (base^(offset+i), base^(offset+i+1)].
                                let base_factor = 2f64.powf(2f64.powi(-p.scale));
                                let mut cumulative = p.zero_count
                                    + p.negative
                                        .as_ref()
                                        .map_or(0, |n| n.bucket_counts.iter().sum());
                                if let Some(pos) = &p.positive {
                                    for (i, count) in pos.bucket_counts.iter().enumerate() {
                                        cumulative += count;
                                        let upper = base_factor.powi(pos.offset + i as i32 + 1);
                                        self.push(
                                            &format!("{base}_bucket"),
                                            &service,
                                            &p.attributes,
                                            &[("le", &format_le(upper))],
                                            t,
                                            cumulative as f64,
                                            delta,
                                        );
                                    }
                                }
                                self.push(
                                    &format!("{base}_bucket"),
                                    &service,
                                    &p.attributes,
                                    &[("le", "+Inf")],
                                    t,
                                    p.count as f64,
                                    delta,
                                );
                                self.push_count_and_sum(
                                    &base,
                                    &service,
                                    &p.attributes,
                                    t,
                                    p.count as f64,
                                    p.sum.unwrap_or(0.0),
                                    delta,
                                );
                                accepted += 1;
                            }
                        }
                        Data::Summary(s) => {
                            for p in &s.data_points {
                                let t = p.time_unix_nano;
                                for q in &p.quantile_values {
                                    self.push(
                                        &base,
                                        &service,
                                        &p.attributes,
                                        &[("quantile", &format_le(q.quantile))],
                                        t,
                                        q.value,
                                        false,
                                    );
                                }
                                self.push_count_and_sum(
                                    &base,
                                    &service,
                                    &p.attributes,
                                    t,
                                    p.count as f64,
                                    p.sum,
                                    false,
                                );
                                accepted += 1;
                            }
                        }
                    }
                }
            }
        }
        self.stored += accepted;
        let reason = (rejected > 0).then(|| format!("{rejected} metrics without data"));
        (accepted, rejected, reason)
    }

    /// The `_count` and `_sum` series every histogram and summary point carries.
    #[allow(clippy::too_many_arguments)] // The point's identity and values, as `push` takes them.
    fn push_count_and_sum(
        &mut self,
        base: &str,
        service: &str,
        attrs: &[KeyValue],
        time_ns: u64,
        count: f64,
        sum: f64,
        delta: bool,
    ) {
        self.push(
            &format!("{base}_count"),
            service,
            attrs,
            &[],
            time_ns,
            count,
            delta,
        );
        self.push(
            &format!("{base}_sum"),
            service,
            attrs,
            &[],
            time_ns,
            sum,
            delta,
        );
    }

    #[allow(clippy::too_many_arguments)] // One call site shape per OTLP point kind.
    fn push(
        &mut self,
        name: &str,
        service: &str,
        attrs: &[KeyValue],
        extra: &[(&str, &str)],
        time_ns: u64,
        value: f64,
        delta: bool,
    ) {
        let mut pairs: Vec<(String, String)> = Vec::with_capacity(attrs.len() + 3);
        pairs.push(("__name__".into(), name.to_owned()));
        pairs.push(("service_name".into(), service.to_owned()));
        for kv in attrs {
            let v = kv
                .value
                .as_ref()
                .and_then(|v| v.value.as_ref())
                .map_or_else(String::new, render);
            pairs.push((sanitize(&kv.key), v));
        }
        for (k, v) in extra {
            pairs.push(((*k).to_owned(), (*v).to_owned()));
        }
        let labels = Labels::new(pairs);
        let id = match self.by_labels.get(&labels) {
            Some(&id) => id,
            None => {
                let id = self.series.len() as u32;
                self.series_bytes += labels
                    .iter()
                    .map(|(k, v)| k.len() + v.len() + 48)
                    .sum::<usize>()
                    * 2;
                self.series.push(labels.clone());
                self.by_labels.insert(labels, id);
                id
            }
        };
        let value = if delta {
            let total = self.delta_totals.entry(id).or_insert(0.0);
            *total += value;
            *total
        } else {
            value
        };
        let (_, chunk) = self.chunks.open();
        chunk.series.push(id);
        chunk.time_ns.push(time_ns);
        chunk.value.push(value);
    }

    pub fn bytes(&self) -> usize {
        self.series_bytes + self.chunks.bytes()
    }

    pub fn has_closed(&self) -> bool {
        self.chunks.has_closed()
    }

    pub fn evict_oldest(&mut self) -> u64 {
        // Series labels stay: they are few and bounded by cardinality, not by time.
        let n = self.chunks.pop_oldest().map_or(0, |(_, c)| c.len() as u64);
        self.evicted += n;
        n
    }

    /// Metric names, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .series
            .iter()
            .filter_map(|l| l.metric_name().map(str::to_owned))
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Label sets of every series ever stored, in first-seen order. Labels outlive evicted
    /// samples (see `evict_oldest`), so this lists series that may have no samples left.
    pub fn series_labels(&self) -> impl Iterator<Item = &Labels> {
        self.series.iter()
    }

    /// Samples of every series whose labels pass `matches`, within `[start_ns, end_ns]`.
    pub fn select(
        &self,
        matches: impl Fn(&Labels) -> bool,
        start_ns: u64,
        end_ns: u64,
    ) -> Vec<SeriesSamples<'_>> {
        let wanted: HashMap<u32, usize> = self
            .series
            .iter()
            .enumerate()
            .filter(|(_, l)| matches(l))
            .enumerate()
            .map(|(slot, (id, _))| (id as u32, slot))
            .collect();
        let mut out: Vec<SeriesSamples<'_>> = self
            .series
            .iter()
            .enumerate()
            .filter(|(id, _)| wanted.contains_key(&(*id as u32)))
            .map(|(_, labels)| SeriesSamples {
                labels,
                time_ns: Vec::new(),
                value: Vec::new(),
            })
            .collect();
        for (_, chunk) in self.chunks.iter() {
            for i in 0..chunk.len() {
                let t = chunk.time_ns[i];
                if t < start_ns || t > end_ns {
                    continue;
                }
                if let Some(&slot) = wanted.get(&chunk.series[i]) {
                    out[slot].time_ns.push(t);
                    out[slot].value.push(chunk.value[i]);
                }
            }
        }
        // Points arrive in request order; exporters may interleave, so sort each series.
        for s in &mut out {
            if !s.time_ns.windows(2).all(|w| w[0] <= w[1]) {
                let mut pairs: Vec<(u64, f64)> = s
                    .time_ns
                    .iter()
                    .copied()
                    .zip(s.value.iter().copied())
                    .collect();
                pairs.sort_by_key(|p| p.0);
                s.time_ns = pairs.iter().map(|p| p.0).collect();
                s.value = pairs.iter().map(|p| p.1).collect();
            }
        }
        out.retain(|s| !s.time_ns.is_empty());
        out
    }
}

fn number(v: Option<&number_data_point::Value>) -> f64 {
    match v {
        Some(number_data_point::Value::AsDouble(d)) => *d,
        Some(number_data_point::Value::AsInt(i)) => *i as f64,
        None => f64::NAN,
    }
}

/// Prometheus metric and label names allow `[a-zA-Z0-9_:]`; everything else becomes `_`.
pub fn sanitize(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == ':' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// Bucket bounds as Prometheus prints them (`0.005`, `1`, `+Inf`).
fn format_le(v: f64) -> String {
    if v == f64::INFINITY {
        "+Inf".into()
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sanitized_like_prometheus() {
        assert_eq!(
            sanitize("http.server.request.duration"),
            "http_server_request_duration"
        );
        assert_eq!(sanitize("2xx"), "_2xx");
    }
}
