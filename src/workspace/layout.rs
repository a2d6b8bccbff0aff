//! Where panels sit and which keep their own time: a panel drawn beside the one before it (a
//! link opened it there), and a panel a link gave its own range (when links do not move the
//! global range).

use super::PanelId;
use crate::model::TimeRange;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Layout {
    /// Panels drawn to the right of the panel before them.
    pub beside: BTreeSet<PanelId>,
    /// Panels that show their own range instead of the global one.
    pub own_range: BTreeMap<PanelId, TimeRange>,
}

impl Layout {
    /// Forgets a removed panel.
    pub fn remove(&mut self, panel: PanelId) {
        self.beside.remove(&panel);
        self.own_range.remove(&panel);
    }
}

/// How a followed link opens, as the user chose it last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LinkOpening {
    /// Open the target in a panel beside the one clicked, instead of in the first panel of
    /// its kind.
    pub beside: bool,
    /// Move the global range to the link's (every panel follows); otherwise only the target
    /// panel takes the link's range.
    pub sync_time: bool,
}

impl Default for LinkOpening {
    fn default() -> Self {
        Self {
            beside: false,
            sync_time: true,
        }
    }
}
