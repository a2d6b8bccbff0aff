//! Trace files opened in the app: read and decoded off the UI thread, then shown.

use super::{FileJob, SignalscopeApp};
use crate::sources::SourceError;
use std::path::PathBuf;

impl SignalscopeApp {
    /// Opens a trace file (Jaeger JSON, OTLP/JSON or OTLP protobuf) in the first traces panel,
    /// reading and decoding it in the background: File → Open trace… without the dialog.
    pub fn open_trace_path(&mut self, path: PathBuf) {
        let job = self.runtime.spawn(self.waker(), |_| async move {
            Some(decode_trace_file(path).await)
        });
        self.file_jobs.push(FileJob::Trace(job));
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
