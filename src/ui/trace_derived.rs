//! A value a view derives from one or more open traces (a diff, a service graph), kept in
//! egui's memory and computed once per set of traces: within the frame when they are small,
//! on a worker thread when they are large, so a million-span trace never stalls a frame.

use crate::analysis::AnalysedTrace;
use std::sync::{Arc, Mutex, Weak};

/// Spans (over all the traces) above which the value is computed on a worker thread.
pub const BACKGROUND_SPANS: usize = 50_000;

/// Where the value lands once computed.
type Slot<T> = Arc<Mutex<Option<Arc<T>>>>;

/// The traces a value was derived from and the value. Weak references keep the traces'
/// addresses from being reused while cached, without keeping the traces alive.
struct Entry<T> {
    traces: Vec<Weak<AnalysedTrace>>,
    slot: Slot<T>,
}

impl<T> Clone for Entry<T> {
    fn clone(&self) -> Self {
        Self {
            traces: self.traces.clone(),
            slot: Arc::clone(&self.slot),
        }
    }
}

impl<T> Entry<T> {
    fn is_for(&self, traces: &[&Arc<AnalysedTrace>]) -> bool {
        self.traces.len() == traces.len()
            && self
                .traces
                .iter()
                .zip(traces)
                .all(|(w, t)| w.as_ptr() == Arc::as_ptr(t))
    }
}

/// The value `compute` derives from `traces`, cached under `id`; `None` while a worker
/// thread computes it (a repaint follows when it is done).
pub fn derived<T: Send + Sync + 'static>(
    ui: &egui::Ui,
    id: egui::Id,
    traces: &[&Arc<AnalysedTrace>],
    compute: impl FnOnce(&[Arc<AnalysedTrace>]) -> T + Send + 'static,
) -> Option<Arc<T>> {
    if let Some(entry) = ui.data(|d| d.get_temp::<Entry<T>>(id))
        && entry.is_for(traces)
    {
        let value = entry.slot.lock().ok().and_then(|v| v.clone());
        if value.is_none() {
            // The worker asks for a repaint too; this keeps the spinner turning meanwhile.
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
        }
        return value;
    }
    let owned: Vec<Arc<AnalysedTrace>> = traces.iter().map(|t| Arc::clone(t)).collect();
    let entry = Entry {
        traces: traces.iter().map(|t| Arc::downgrade(t)).collect(),
        slot: Arc::new(Mutex::new(None)),
    };
    let spans: usize = traces.iter().map(|t| t.trace.spans.len()).sum();
    let value = if spans <= BACKGROUND_SPANS {
        let value = Arc::new(compute(&owned));
        if let Ok(mut slot) = entry.slot.lock() {
            *slot = Some(Arc::clone(&value));
        }
        Some(value)
    } else {
        let (slot, ctx) = (Arc::clone(&entry.slot), ui.ctx().clone());
        std::thread::spawn(move || {
            let value = Arc::new(compute(&owned));
            if let Ok(mut slot) = slot.lock() {
                *slot = Some(value);
            }
            ctx.request_repaint();
        });
        None
    };
    ui.data_mut(|d| d.insert_temp(id, entry));
    value
}
