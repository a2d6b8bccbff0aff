//! Turns a [`CompletionAt`] and what the server knows (metric names with their kinds, label
//! names, label values) into the ranked list the completion popup shows.

use super::functions::{AGGREGATIONS, FUNCTIONS, FunctionDoc};
use super::rank::rank;
use super::{CompletionAt, CompletionContext, DURATIONS, escape_in_string, quoted};

/// A metric name with what its metadata says, when known.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetricInfo {
    pub name: String,
    /// `counter`, `gauge`, `histogram`… or empty.
    pub kind: String,
    pub help: String,
    pub unit: String,
}

/// The names a completion can draw on, fetched for one context (see
/// `sources::completion::CompletionSource::vocabulary_for`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Vocabulary {
    pub metrics: Vec<MetricInfo>,
    pub label_names: Vec<String>,
    pub label_values: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CandidateKind {
    Metric,
    Function,
    Aggregation,
    Keyword,
    LabelName,
    LabelValue,
    Duration,
}

/// One entry of the completion popup.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// What replaces [`CompletionAt::replace`] (quoted and escaped as needed).
    pub insert: String,
    /// What the popup shows.
    pub label: String,
    pub kind: CandidateKind,
    /// A signature, or a metric's type and unit.
    pub detail: String,
    /// One line of documentation or help text.
    pub doc: String,
}

/// The candidates for `at`, best first.
pub fn candidates(at: &CompletionAt, vocabulary: &Vocabulary) -> Vec<Candidate> {
    let mut all = Vec::new();
    match &at.context {
        CompletionContext::Nothing => {}
        CompletionContext::Expression { keywords } => {
            all.extend(vocabulary.metrics.iter().map(metric));
            all.extend(
                AGGREGATIONS
                    .iter()
                    .map(|f| function(f, CandidateKind::Aggregation)),
            );
            all.extend(
                FUNCTIONS
                    .iter()
                    .map(|f| function(f, CandidateKind::Function)),
            );
            all.extend(keywords.iter().map(|k| keyword(k)));
        }
        CompletionContext::Keyword { keywords } => {
            all.extend(keywords.iter().map(|k| keyword(k)));
        }
        CompletionContext::LabelName { used, .. }
        | CompletionContext::GroupingLabel { used, .. } => {
            all.extend(
                vocabulary
                    .label_names
                    .iter()
                    .filter(|n| !used.contains(n))
                    .map(|n| plain(n, n.clone(), CandidateKind::LabelName)),
            );
        }
        CompletionContext::LabelValue { quote, .. } => {
            all.extend(vocabulary.label_values.iter().map(|v| {
                let insert = match quote {
                    Some(q) => escape_in_string(v, *q),
                    None => quoted(v),
                };
                plain(v, insert, CandidateKind::LabelValue)
            }));
        }
        CompletionContext::Duration => {
            all.extend(
                DURATIONS
                    .iter()
                    .map(|d| plain(d, (*d).to_owned(), CandidateKind::Duration)),
            );
        }
    }
    let order = rank(&all, &at.typed, |c| c.label.as_str());
    let mut slots: Vec<Option<Candidate>> = all.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

fn metric(m: &MetricInfo) -> Candidate {
    let detail = match (m.kind.is_empty(), m.unit.is_empty()) {
        (true, _) => String::new(),
        (false, true) => m.kind.clone(),
        (false, false) => format!("{} ({})", m.kind, m.unit),
    };
    Candidate {
        insert: m.name.clone(),
        label: m.name.clone(),
        kind: CandidateKind::Metric,
        detail,
        doc: m.help.clone(),
    }
}

fn function(f: &FunctionDoc, kind: CandidateKind) -> Candidate {
    Candidate {
        insert: format!("{}(", f.name),
        label: f.name.to_owned(),
        kind,
        detail: f.signature(),
        doc: if f.experimental {
            format!("{} (experimental)", f.doc)
        } else {
            f.doc.to_owned()
        },
    }
}

fn keyword(k: &str) -> Candidate {
    plain(k, k.to_owned(), CandidateKind::Keyword)
}

fn plain(label: &str, insert: String, kind: CandidateKind) -> Candidate {
    Candidate {
        insert,
        label: label.to_owned(),
        kind,
        detail: String::new(),
        doc: String::new(),
    }
}
