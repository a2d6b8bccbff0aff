//! SLO panels as saved: the objective's definition, where to evaluate it and which alerting
//! preset to judge burn rates by; and the overview of every SLO in the workspace.

use super::ConnectionId;
use crate::slo::definition::{Sli, SloDefinition, SloWindow};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SloPreset {
    /// The preset designed for the SLO's window: the SRE Workbook's for 30 days, Pyrra's
    /// for 28.
    #[default]
    ForWindow,
    SreWorkbook30d,
    Pyrra28d,
}

impl SloPreset {
    pub const ALL: &[SloPreset] = &[
        SloPreset::ForWindow,
        SloPreset::SreWorkbook30d,
        SloPreset::Pyrra28d,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::ForWindow => "Preset for the window",
            Self::SreWorkbook30d => "SRE Workbook (30 d)",
            Self::Pyrra28d => "Pyrra (28 d)",
        }
    }

    pub fn burn_preset(self, window: SloWindow) -> crate::analysis::slo::BurnPreset {
        use crate::analysis::slo::BurnPreset;
        match self {
            Self::ForWindow => BurnPreset::for_window(window.seconds()),
            Self::SreWorkbook30d => BurnPreset::sre_workbook_30d(),
            Self::Pyrra28d => BurnPreset::pyrra_28d(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SloPanel {
    pub connection: Option<ConnectionId>,
    pub definition: SloDefinition,
    pub preset: SloPreset,
}

impl Default for SloPanel {
    fn default() -> Self {
        Self {
            connection: None,
            definition: SloDefinition {
                name: "availability".into(),
                service: String::new(),
                sli: Sli::BadOverTotal {
                    bad: "sum(rate(http_requests_total{code=~\"5..\"}[{{.window}}]))".into(),
                    total: "sum(rate(http_requests_total[{{.window}}]))".into(),
                },
                objective: 0.999,
                window: SloWindow::default(),
                labels: Default::default(),
                description: String::new(),
            },
            preset: SloPreset::default(),
        }
    }
}

/// Every SLO panel of the workspace in one sortable table.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SloOverviewPanel {
    pub sort: SloSort,
    pub descending: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SloSort {
    #[default]
    BudgetRemaining,
    BurnRate,
    Name,
}
