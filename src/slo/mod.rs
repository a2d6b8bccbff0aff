//! Service level objectives: definitions (saved in the workspace), import from Sloth and
//! OpenSLO YAML, detection of recorded rules, the PromQL they need, and evaluation into an
//! [`SloStatus`] a panel draws as is. The arithmetic lives in `analysis::slo`.

pub mod definition;
pub mod evaluate;
pub mod import_openslo;
pub mod import_sloth;
pub mod queries;
pub mod recording_rules;

pub use definition::{InvalidSlo, Sli, SloDefinition, SloWindow, WINDOW_PLACEHOLDER};
pub use evaluate::{
    LocalEngine, PromQlEngine, PrometheusEngine, SloError, SloStatus, WindowBurn, evaluate,
};
pub use import_openslo::import_openslo;
pub use import_sloth::import_sloth;
pub use recording_rules::{RecordedRules, RuleSource};

use std::fmt;

/// Why a YAML file could not be imported, naming the document (1-based) and the field.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportError {
    /// 1-based position of the YAML document in the file; 0 when the file as a whole failed.
    pub document: usize,
    /// `slos[1].objective`, `spec.indicator.spec.ratioMetric.total`…
    pub field: String,
    pub message: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.document == 0 {
            write!(f, "{}", self.message)
        } else if self.field.is_empty() {
            write!(f, "document {}: {}", self.document, self.message)
        } else {
            write!(
                f,
                "document {}: {}: {}",
                self.document, self.field, self.message
            )
        }
    }
}

impl std::error::Error for ImportError {}

/// Reads SLOs from a file that is either Sloth's or OpenSLO's: OpenSLO documents say
/// `apiVersion: openslo/…`; anything else is read as Sloth. The error is the chosen format's.
pub fn import_any(text: &str) -> Result<Vec<SloDefinition>, ImportError> {
    let openslo = text
        .lines()
        .any(|l| l.trim_start().starts_with("apiVersion:") && l.contains("openslo/"));
    if openslo {
        import_openslo(text)
    } else {
        import_sloth(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_any_tells_openslo_from_sloth() {
        let openslo = import_any(include_str!("../../tests/fixtures/slo/openslo-ratio.yaml"))
            .expect("OpenSLO");
        assert_eq!(
            openslo,
            import_openslo(include_str!("../../tests/fixtures/slo/openslo-ratio.yaml")).unwrap()
        );
        let sloth = import_any(include_str!(
            "../../tests/fixtures/slo/sloth-getting-started.yml"
        ))
        .expect("Sloth");
        assert!(!sloth.is_empty());
        assert!(import_any("not: [an, slo]").is_err());
    }
}
