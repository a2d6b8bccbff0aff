//! Background work: the app's one tokio runtime and `Job<T>`, a running task whose result the
//! UI polls without ever blocking.
//!
//! Dropping a `Job` aborts its task, so a superseded query stops using the network at once.

use poll_promise::Promise;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Called when a job finishes so the UI wakes up and shows the result (`request_repaint`).
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// Bytes received so far by a request, updated by the source while the body streams in.
#[derive(Debug, Default)]
pub struct Progress {
    bytes: AtomicU64,
    /// Records (log lines, spans…) received so far, where the fetch counts them.
    items: AtomicU64,
}

impl Progress {
    pub fn set_items(&self, n: u64) {
        self.items.store(n, Ordering::Relaxed);
    }

    pub fn items(&self) -> u64 {
        self.items.load(Ordering::Relaxed)
    }

    pub fn add_bytes(&self, n: u64) {
        self.bytes.fetch_add(n, Ordering::Relaxed);
    }

    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
}

/// The runtime every request, and later the OTLP receiver, runs on.
pub struct Runtime {
    runtime: tokio::runtime::Runtime,
}

impl Runtime {
    pub fn new() -> std::io::Result<Self> {
        // Every HTTP client (ours, the demo's) is built with reqwest's rustls and no default
        // crypto provider; install one before any of them exists. A second install is a no-op.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("signalscope-io")
            .enable_all()
            .build()?;
        Ok(Self { runtime })
    }

    pub fn handle(&self) -> &tokio::runtime::Handle {
        self.runtime.handle()
    }

    /// Starts `make(progress)` in the background; `waker` runs when it is done.
    pub fn spawn<T, F, Fut>(&self, waker: Waker, make: F) -> Job<T>
    where
        T: Send + 'static,
        F: FnOnce(Arc<Progress>) -> Fut,
        Fut: std::future::Future<Output = T> + Send + 'static,
    {
        let progress = Arc::new(Progress::default());
        let future = make(Arc::clone(&progress));
        let (sender, promise) = Promise::new();
        let task = self.runtime.spawn(async move {
            sender.send(future.await);
            waker();
        });
        Job {
            promise,
            abort: AbortOnDrop(task.abort_handle()),
            progress,
            started: Instant::now(),
        }
    }

    /// Runs a fire-and-forget future (autosave, health checks that report through a channel).
    pub fn spawn_detached<Fut>(&self, future: Fut)
    where
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        self.runtime.spawn(future);
    }
}

/// A task in flight. Poll it each frame with [`Job::ready`]; drop it to cancel.
pub struct Job<T: Send + 'static> {
    promise: Promise<T>,
    abort: AbortOnDrop,
    progress: Arc<Progress>,
    started: Instant,
}

impl<T: Send + 'static> Job<T> {
    /// The result, once the task has finished. Never blocks.
    pub fn ready(&self) -> Option<&T> {
        self.promise.ready()
    }

    /// Takes the result out, or gives the job back if it is still running.
    pub fn try_take(self) -> Result<T, Self> {
        let Self {
            promise,
            abort,
            progress,
            started,
        } = self;
        match promise.try_take() {
            Ok(value) => Ok(value),
            Err(promise) => Err(Self {
                promise,
                abort,
                progress,
                started,
            }),
        }
    }

    pub fn bytes_received(&self) -> u64 {
        self.progress.bytes()
    }

    /// Records received so far, for fetches that count them (0 for the others).
    pub fn items_received(&self) -> u64 {
        self.progress.items()
    }

    pub fn elapsed(&self) -> std::time::Duration {
        self.started.elapsed()
    }
}

/// Aborts the task when the job holding it is dropped.
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;

    #[test]
    fn finished_job_delivers_its_value_and_wakes_the_ui() {
        let rt = Runtime::new().unwrap();
        let woken = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&woken);
        let mut job = rt.spawn(
            Arc::new(move || flag.store(true, Ordering::SeqCst)),
            |p| async move {
                p.add_bytes(42);
                7
            },
        );
        let value = loop {
            match job.try_take() {
                Ok(v) => break v,
                Err(j) => {
                    job = j;
                    std::thread::yield_now();
                }
            }
        };
        assert_eq!(value, 7);
        // The waker runs right after the value is sent.
        while !woken.load(Ordering::SeqCst) {
            std::thread::yield_now();
        }
    }

    #[test]
    fn dropping_a_job_cancels_its_task() {
        let rt = Runtime::new().unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let job = rt.spawn(Arc::new(|| {}), move |_| async move {
            // Holds the sender until cancelled; the receiver sees the drop when the task dies.
            let _tx = tx;
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        });
        drop(job);
        // recv returns Err once the aborted task has dropped its sender.
        assert_eq!(
            rx.recv_timeout(std::time::Duration::from_secs(10)),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected),
            "the aborted task should have dropped its sender"
        );
    }
}
