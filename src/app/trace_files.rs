//! Trace files in the app: opened (read and decoded off the UI thread, then shown) and saved
//! (the open trace written as OTLP/JSON off the UI thread).

use super::{FileJob, SignalscopeApp};
use crate::model::TraceId;
use crate::sources::SourceError;
use crate::workspace::PanelId;
use std::path::PathBuf;

/// How saving a trace went, for the notice.
pub struct SavedTrace {
    pub path: PathBuf,
    pub trace_id: TraceId,
    pub spans: usize,
    pub outcome: Result<(), String>,
}

impl SavedTrace {
    pub fn message(&self) -> String {
        match &self.outcome {
            Ok(()) => format!(
                "Saved trace {} ({} spans) to {} as OTLP/JSON",
                self.trace_id,
                self.spans,
                self.path.display()
            ),
            Err(e) => e.clone(),
        }
    }
}

impl SignalscopeApp {
    /// Opens a trace file (Jaeger JSON, OTLP/JSON or OTLP protobuf) in the first traces panel,
    /// reading and decoding it in the background: File → Open trace… without the dialog.
    pub fn open_trace_path(&mut self, path: PathBuf) {
        let job = self.runtime.spawn(self.waker(), |_| async move {
            Some(decode_trace_file(path).await)
        });
        self.file_jobs.push(FileJob::Trace(job));
    }

    /// Saves the trace open in `panel` to `path` as OTLP/JSON in the background, as the trace's
    /// "Save trace…" does after its dialog; the outcome is a notice.
    pub fn save_open_trace(&mut self, panel: PanelId, path: PathBuf) {
        let Some(trace) = self.panels.get(&panel).and_then(|p| p.open_trace.clone()) else {
            self.notify("No trace is open in that panel to save", true);
            return;
        };
        let job = self.runtime.spawn(self.waker(), move |_| async move {
            let trace_id = trace.trace.trace_id;
            let spans = trace.trace.spans.len();
            let writing = path.clone();
            let outcome = tokio::task::spawn_blocking(move || {
                crate::export::otlp_json::save_otlp_json(&trace.trace, &writing)
            })
            .await
            .unwrap_or_else(|e| Err(format!("saving the trace stopped: {e}")));
            SavedTrace {
                path,
                trace_id,
                spans,
                outcome,
            }
        });
        self.file_jobs.push(FileJob::TraceSaved(job));
    }

    /// Shows the first trace of a file and says what else it held and what was left out.
    pub(super) fn show_decoded_traces(
        &mut self,
        path: &std::path::Path,
        decoded: crate::sources::DecodedTraces,
    ) {
        let count = decoded.traces.len();
        let dropped = decoded.dropped_spans;
        let Some(first) = decoded.traces.into_iter().next() else {
            self.notify(format!("{} holds no spans", path.display()), true);
            return;
        };
        let spans = first.spans.len();
        self.open_trace_value(first);
        let mut text = format!("Opened {} ({spans} spans)", path.display());
        if count > 1 {
            text.push_str(&format!(
                "; the file holds {count} traces, the first is shown"
            ));
        }
        if dropped > 0 {
            text.push_str(&format!(
                "; {dropped} spans without readable ids were left out"
            ));
        }
        for note in decoded.notes {
            text.push_str(&format!("; {note}"));
        }
        self.notify(text, dropped > 0);
    }
}

/// Reads and decodes a trace file off the async workers (it can be hundreds of megabytes).
pub(super) async fn decode_trace_file(
    path: PathBuf,
) -> (PathBuf, Result<crate::sources::DecodedTraces, SourceError>) {
    let reading = path.clone();
    let decoded =
        tokio::task::spawn_blocking(move || crate::sources::trace_file::open_trace_file(&reading))
            .await
            .unwrap_or_else(|e| {
                Err(SourceError::Config(format!(
                    "reading the trace stopped: {e}"
                )))
            });
    (path, decoded)
}
