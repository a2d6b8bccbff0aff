//! The data behind the query editors' autocomplete for one connection: metric names (with
//! metadata), label names and label values per metric, fetched from a Prometheus-compatible
//! server or the Local store, Loki's stream labels, or Tempo's tags, and cached with a time to
//! live.
//!
//! [`CompletionCache`] is plain data (no egui, no I/O) behind an `Arc<Mutex<…>>`, so the UI can
//! read what is already known in a frame while [`CompletionSource`] fills it in a background job.

use super::prometheus::labels::{SeriesFilter, label_names, label_values, metric_names};
use super::prometheus::metadata::{MetricMetadata, describe, metadata};
use crate::analysis::promql_completion::CompletionContext;
use crate::analysis::promql_completion::candidates::{MetricInfo, Vocabulary};
use crate::fetch::Progress;
use crate::sources::{HttpClient, SourceError, local};
use crate::store::LocalStore;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long fetched names stay fresh by default.
pub const DEFAULT_TTL: Duration = Duration::from_secs(60);

/// Where names come from.
#[derive(Clone)]
pub enum CompletionBackend {
    Prometheus(HttpClient),
    Local(LocalStore),
    /// Loki's stream labels, for the LogQL editor's selector (it has no metric names).
    Loki(HttpClient),
    /// Tempo's tags (scoped as TraceQL spells them: `resource.service.name`) and values.
    Tempo(HttpClient),
}

/// Tag names as TraceQL spells them: `resource.x`, `span.x`, intrinsics bare, other scopes
/// prefixed, and a v1 Tempo's unscoped tags as `.x`.
fn traceql_names(scopes: Vec<crate::sources::tempo::TagScope>) -> Vec<String> {
    let mut names: Vec<String> = scopes
        .into_iter()
        .flat_map(|scope| {
            let prefix = match scope.name.as_str() {
                "intrinsic" => String::new(),
                "" => ".".to_owned(),
                other => format!("{other}."),
            };
            scope.tags.into_iter().map(move |t| format!("{prefix}{t}"))
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The range Loki's label endpoints are asked about: its own default, the last six hours.
fn loki_recent() -> crate::sources::loki::NsRange {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    crate::sources::loki::NsRange {
        start_ns: now.saturating_sub(6 * 3600 * 1_000_000_000),
        end_ns: now,
    }
}

/// A value and when it was fetched.
#[derive(Clone, Debug)]
struct Cached<T> {
    value: T,
    fetched: Instant,
}

/// What is known about one connection's names, each list with the time it was fetched.
#[derive(Clone, Debug)]
pub struct CompletionCache {
    ttl: Duration,
    metrics: Option<Cached<Vec<MetricInfo>>>,
    /// Keyed by metric (`None`: every series).
    label_names: HashMap<Option<String>, Cached<Vec<String>>>,
    /// Keyed by (metric, label).
    label_values: HashMap<(Option<String>, String), Cached<Vec<String>>>,
}

impl CompletionCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            metrics: None,
            label_names: HashMap::new(),
            label_values: HashMap::new(),
        }
    }

    fn fresh<'a, T>(&self, entry: Option<&'a Cached<T>>, now: Instant) -> Option<&'a T> {
        entry
            .filter(|c| now.saturating_duration_since(c.fetched) < self.ttl)
            .map(|c| &c.value)
    }

    /// What `context` needs, if all of it is cached and fresh; `None` means fetch it first
    /// ([`CompletionSource::vocabulary_for`]). Contexts that need nothing give an empty one.
    pub fn vocabulary(&self, context: &CompletionContext, now: Instant) -> Option<Vocabulary> {
        let mut vocabulary = Vocabulary::default();
        match context {
            CompletionContext::Expression { .. } => {
                vocabulary.metrics = self.metrics(now)?.to_vec();
            }
            CompletionContext::LabelName { metric, .. }
            | CompletionContext::GroupingLabel { metric, .. } => {
                vocabulary.label_names = self.label_names(metric.as_deref(), now)?.to_vec();
            }
            CompletionContext::LabelValue { metric, label, .. } => {
                vocabulary.label_values =
                    self.label_values(metric.as_deref(), label, now)?.to_vec();
            }
            CompletionContext::Nothing
            | CompletionContext::Keyword { .. }
            | CompletionContext::Duration => {}
        }
        Some(vocabulary)
    }

    /// Metric names with their metadata, if fetched less than the TTL ago.
    pub fn metrics(&self, now: Instant) -> Option<&[MetricInfo]> {
        self.fresh(self.metrics.as_ref(), now).map(Vec::as_slice)
    }

    pub fn label_names(&self, metric: Option<&str>, now: Instant) -> Option<&[String]> {
        let key = metric.map(str::to_owned);
        self.fresh(self.label_names.get(&key), now)
            .map(Vec::as_slice)
    }

    pub fn label_values(
        &self,
        metric: Option<&str>,
        label: &str,
        now: Instant,
    ) -> Option<&[String]> {
        let key = (metric.map(str::to_owned), label.to_owned());
        self.fresh(self.label_values.get(&key), now)
            .map(Vec::as_slice)
    }

    pub fn put_metrics(&mut self, value: Vec<MetricInfo>, now: Instant) {
        self.metrics = Some(Cached {
            value,
            fetched: now,
        });
    }

    pub fn put_label_names(&mut self, metric: Option<&str>, value: Vec<String>, now: Instant) {
        self.label_names.insert(
            metric.map(str::to_owned),
            Cached {
                value,
                fetched: now,
            },
        );
    }

    pub fn put_label_values(
        &mut self,
        metric: Option<&str>,
        label: &str,
        value: Vec<String>,
        now: Instant,
    ) {
        self.label_values.insert(
            (metric.map(str::to_owned), label.to_owned()),
            Cached {
                value,
                fetched: now,
            },
        );
    }

    /// Forgets everything (the connection changed).
    pub fn clear(&mut self) {
        self.metrics = None;
        self.label_names.clear();
        self.label_values.clear();
    }
}

impl Default for CompletionCache {
    fn default() -> Self {
        Self::new(DEFAULT_TTL)
    }
}

/// Fetches names for completion through a connection's backend, via its cache.
#[derive(Clone)]
pub struct CompletionSource {
    backend: CompletionBackend,
    cache: Arc<Mutex<CompletionCache>>,
}

impl CompletionSource {
    pub fn new(backend: CompletionBackend, ttl: Duration) -> Self {
        Self {
            backend,
            cache: Arc::new(Mutex::new(CompletionCache::new(ttl))),
        }
    }

    /// A source filling a cache the caller already holds (the UI keeps one per connection and
    /// builds the source, whose HTTP client reads files, off the UI thread).
    pub fn with_cache(backend: CompletionBackend, cache: Arc<Mutex<CompletionCache>>) -> Self {
        Self { backend, cache }
    }

    /// The cache, for the UI to read what is known without waiting.
    pub fn cache(&self) -> Arc<Mutex<CompletionCache>> {
        Arc::clone(&self.cache)
    }

    fn lock(&self) -> MutexGuard<'_, CompletionCache> {
        // A panic while holding the lock leaves plain data behind; keep using it.
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Metric names, each with its metadata where the server has some, sorted by name.
    pub async fn metrics(&self) -> Result<Vec<MetricInfo>, SourceError> {
        if let Some(known) = self.lock().metrics(Instant::now()) {
            return Ok(known.to_vec());
        }
        let metrics = match &self.backend {
            CompletionBackend::Prometheus(http) => {
                let progress = Progress::default();
                let names = metric_names(http, &SeriesFilter::default(), &progress).await?;
                // Metadata only adds detail: a server without it (or refusing it) still completes.
                let meta = metadata(http, None, None, &progress)
                    .await
                    .map(|r| r.data)
                    .unwrap_or_default();
                with_metadata(names.data, &meta)
            }
            CompletionBackend::Local(store) => {
                let meta = local::labels::metric_metadata(store);
                with_metadata(local::labels::metric_names(store), &meta)
            }
            CompletionBackend::Loki(_) | CompletionBackend::Tempo(_) => Vec::new(),
        };
        self.lock().put_metrics(metrics.clone(), Instant::now());
        Ok(metrics)
    }

    /// Label names of the series of `metric` (of every series when `None`).
    pub async fn label_names(&self, metric: Option<&str>) -> Result<Vec<String>, SourceError> {
        if let Some(known) = self.lock().label_names(metric, Instant::now()) {
            return Ok(known.to_vec());
        }
        let selectors = selectors(metric);
        let names = match &self.backend {
            CompletionBackend::Prometheus(http) => {
                let filter = SeriesFilter {
                    matchers: selectors,
                    ..SeriesFilter::default()
                };
                label_names(http, &filter, &Progress::default()).await?.data
            }
            CompletionBackend::Local(store) => local::labels::label_names(store, &selectors)?,
            CompletionBackend::Loki(http) => {
                crate::sources::loki::labels(http, loki_recent(), &Progress::default()).await?
            }
            CompletionBackend::Tempo(http) => traceql_names(
                crate::sources::tempo::TempoClient::new(http.clone())
                    .tags(None, &Progress::default())
                    .await?,
            ),
        };
        let names: Vec<String> = names.into_iter().filter(|n| n != "__name__").collect();
        self.lock()
            .put_label_names(metric, names.clone(), Instant::now());
        Ok(names)
    }

    /// Values of `label` among the series of `metric` (of every series when `None`).
    pub async fn label_values(
        &self,
        metric: Option<&str>,
        label: &str,
    ) -> Result<Vec<String>, SourceError> {
        if let Some(known) = self.lock().label_values(metric, label, Instant::now()) {
            return Ok(known.to_vec());
        }
        let selectors = selectors(metric);
        let values = match &self.backend {
            CompletionBackend::Prometheus(http) => {
                let filter = SeriesFilter {
                    matchers: selectors,
                    ..SeriesFilter::default()
                };
                label_values(http, label, &filter, &Progress::default())
                    .await?
                    .data
            }
            CompletionBackend::Local(store) => {
                local::labels::label_values(store, label, &selectors)?
            }
            CompletionBackend::Loki(http) => {
                crate::sources::loki::label_values(
                    http,
                    label,
                    loki_recent(),
                    None,
                    &Progress::default(),
                )
                .await?
            }
            CompletionBackend::Tempo(http) => crate::sources::tempo::TempoClient::new(http.clone())
                .tag_values(label, None, &Progress::default())
                .await?
                .into_iter()
                .map(|v| v.value)
                .collect(),
        };
        self.lock()
            .put_label_values(metric, label, values.clone(), Instant::now());
        Ok(values)
    }

    /// Everything completion needs in `context`, from the cache or the backend.
    pub async fn vocabulary_for(
        &self,
        context: &CompletionContext,
    ) -> Result<Vocabulary, SourceError> {
        let mut vocabulary = Vocabulary::default();
        match context {
            CompletionContext::Expression { .. } => vocabulary.metrics = self.metrics().await?,
            CompletionContext::LabelName { metric, .. }
            | CompletionContext::GroupingLabel { metric, .. } => {
                vocabulary.label_names = self.label_names(metric.as_deref()).await?;
            }
            CompletionContext::LabelValue { metric, label, .. } => {
                vocabulary.label_values = self.label_values(metric.as_deref(), label).await?;
            }
            CompletionContext::Nothing
            | CompletionContext::Keyword { .. }
            | CompletionContext::Duration => {}
        }
        Ok(vocabulary)
    }
}

/// `{__name__="metric"}` (which also works for names a plain selector could not spell), or none.
fn selectors(metric: Option<&str>) -> Vec<String> {
    metric
        .map(|m| {
            format!(
                "{{__name__=\"{}\"}}",
                crate::analysis::promql_completion::escape_in_string(m, '"')
            )
        })
        .into_iter()
        .collect()
}

fn with_metadata(names: Vec<String>, meta: &[MetricMetadata]) -> Vec<MetricInfo> {
    names
        .into_iter()
        .map(|name| match describe(meta, &name) {
            Some(m) => MetricInfo {
                kind: m.kind.as_str().to_owned(),
                help: m.help.clone(),
                unit: m.unit.clone(),
                name,
            },
            None => MetricInfo {
                name,
                ..MetricInfo::default()
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_is_there_only_when_every_piece_is_cached() {
        let mut cache = CompletionCache::new(Duration::from_secs(10));
        let t0 = Instant::now();
        let values = CompletionContext::LabelValue {
            metric: Some("up".into()),
            label: "job".into(),
            quote: Some('"'),
        };
        assert!(cache.vocabulary(&values, t0).is_none());
        cache.put_label_values(Some("up"), "job", vec!["api".into()], t0);
        assert_eq!(cache.vocabulary(&values, t0).unwrap().label_values, ["api"]);
        assert!(cache.vocabulary(&CompletionContext::Duration, t0).is_some());
        let expr = CompletionContext::Expression { keywords: &[] };
        assert!(cache.vocabulary(&expr, t0).is_none());
    }

    #[test]
    fn cached_lists_expire_after_the_ttl() {
        let mut cache = CompletionCache::new(Duration::from_secs(10));
        let t0 = Instant::now();
        assert!(cache.label_values(Some("up"), "job", t0).is_none());
        cache.put_label_values(Some("up"), "job", vec!["api".into()], t0);
        assert_eq!(
            cache.label_values(Some("up"), "job", t0 + Duration::from_secs(9)),
            Some(&["api".to_owned()][..])
        );
        assert!(cache.label_values(None, "job", t0).is_none(), "per metric");
        assert!(
            cache
                .label_values(Some("up"), "job", t0 + Duration::from_secs(10))
                .is_none()
        );
        cache.put_metrics(vec![MetricInfo::default()], t0);
        cache.clear();
        assert!(cache.metrics(t0).is_none());
    }

    #[test]
    fn metric_selector_escapes_the_name() {
        assert_eq!(selectors(Some("up")), ["{__name__=\"up\"}"]);
        assert!(selectors(None).is_empty());
    }
}
