//! Per-panel runtime state: the query in flight and the last result. Never saved.

use crate::fetch::Job;
use crate::model::QueryRun;
use crate::sources::SourceError;

pub type QueryJob = Job<Result<QueryRun, SourceError>>;

#[derive(Default)]
pub struct PanelState {
    /// The query in flight; replacing or dropping it aborts the request.
    pub job: Option<QueryJob>,
    /// The last finished query, shown while a new one loads.
    pub last: Option<Result<QueryRun, SourceError>>,
    /// The panel's rectangle in the last frame, in points (for export).
    pub rect: Option<egui::Rect>,
    /// The chart's width in the last frame, for the query step.
    pub width_px: f32,
}

impl PanelState {
    /// Moves a finished job's result into `last`. Returns true when something arrived.
    pub fn poll(&mut self) -> bool {
        let Some(job) = self.job.take() else {
            return false;
        };
        match job.try_take() {
            Ok(result) => {
                self.last = Some(result);
                true
            }
            Err(job) => {
                self.job = Some(job);
                false
            }
        }
    }
}
