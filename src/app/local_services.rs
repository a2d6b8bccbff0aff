//! The embedded services behind the Local source: the store, the OTLP receiver feeding it,
//! and the demo workload feeding the receiver over loopback. Started once at launch; every
//! failure (a port in use, an unwritable data dir) is kept for the sidebar, never fatal.

use crate::cli::LocalOptions;
use crate::demo::{self, DemoConfig, DemoHandle};
use crate::fetch::Runtime;
use crate::otlp::{Receiver, ReceiverConfig, Transport};
use crate::store::{LocalStore, Signal, TelemetrySink};
use crate::ui::local_status::{LocalStatus, SignalLine};
use std::net::SocketAddr;
use std::sync::Arc;

pub struct LocalServices {
    pub store: LocalStore,
    receiver: Option<Receiver>,
    /// Why the receiver did not start at all (a listen address that does not parse).
    receiver_error: Option<String>,
    demo: Option<DemoHandle>,
    /// A data-dir problem, shown in the sidebar (the store then runs in memory).
    persist_error: Option<String>,
}

fn parse_addr(what: &str, text: &str) -> Result<SocketAddr, String> {
    text.trim().parse().map_err(|_| {
        format!("{what} listen address “{text}” is not host:port (e.g. 127.0.0.1:4318)")
    })
}

impl LocalServices {
    /// Stops the receiver and demo and starts them again with `options`, keeping the store.
    pub fn restart(&mut self, runtime: &Runtime, options: &LocalOptions) {
        // Free the ports before binding them again.
        self.demo = None;
        self.receiver = None;
        let (receiver, receiver_error, demo) = Self::start_feeders(runtime, &self.store, options);
        self.receiver = receiver;
        self.receiver_error = receiver_error;
        self.demo = demo;
    }

    pub fn start(runtime: &Runtime, options: &LocalOptions) -> Self {
        let budget = options.store_budget_mib as usize * 1024 * 1024;
        let (store, persist_error) = match &options.data_dir {
            Some(dir) => match LocalStore::open(dir, budget) {
                Ok((store, replayed)) => {
                    tracing::info!("replayed {replayed} OTLP requests from {}", dir.display());
                    (store, None)
                }
                Err(e) => (
                    LocalStore::new(budget),
                    Some(format!(
                        "data dir {}: {e}; keeping data in memory only",
                        dir.display()
                    )),
                ),
            },
            None => (LocalStore::new(budget), None),
        };
        let (receiver, receiver_error, demo) = Self::start_feeders(runtime, &store, options);
        Self {
            store,
            receiver,
            receiver_error,
            demo,
            persist_error,
        }
    }

    /// The receiver on the store, and the demo sending to the receiver.
    fn start_feeders(
        runtime: &Runtime,
        store: &LocalStore,
        options: &LocalOptions,
    ) -> (Option<Receiver>, Option<String>, Option<DemoHandle>) {
        let addrs = parse_addr("OTLP/HTTP", &options.otlp_http_listen)
            .and_then(|h| Ok((h, parse_addr("OTLP/gRPC", &options.otlp_grpc_listen)?)));
        let (receiver, receiver_error) = match addrs {
            Ok((http_addr, grpc_addr)) => {
                let config = ReceiverConfig {
                    http_addr,
                    grpc_addr,
                    ..ReceiverConfig::default()
                };
                let sink: Arc<dyn TelemetrySink> = Arc::new(store.clone());
                (Some(Receiver::start(config, sink, runtime.handle())), None)
            }
            Err(e) => (None, Some(e)),
        };
        // The demo sends to wherever the HTTP receiver really listens.
        let demo = match receiver.as_ref().and_then(|r| r.http_status().local_addr()) {
            Some(addr) if options.demo_workload => Some(demo::spawn(
                DemoConfig {
                    endpoint: format!("http://{addr}"),
                    ..DemoConfig::default()
                },
                runtime.handle(),
            )),
            _ => None,
        };
        (receiver, receiver_error, demo)
    }

    /// A store with no receiver or demo, for tests that fill it themselves.
    pub fn from_store(store: LocalStore) -> Self {
        Self {
            store,
            receiver: None,
            receiver_error: None,
            demo: None,
            persist_error: None,
        }
    }

    pub fn status(&self) -> LocalStatus {
        let stats = self.store.stats();
        let received = self.receiver.as_ref().map(|r| r.stats().snapshot());
        let mut listeners = Vec::new();
        if let Some(r) = &self.receiver {
            for t in [Transport::Http, Transport::Grpc] {
                let name = if t == Transport::Http {
                    "OTLP/HTTP"
                } else {
                    "OTLP/gRPC"
                };
                let state = match r.status(t).local_addr() {
                    Some(addr) if r.status(t).is_listening() => Ok(addr.to_string()),
                    _ => Err(r.status(t).describe(t)),
                };
                listeners.push((name, state));
            }
        }
        if let Some(e) = &self.receiver_error {
            listeners.push(("OTLP", Err(e.clone())));
        }
        let signals = Signal::ALL
            .iter()
            .map(|&s| {
                let store_counts = match s {
                    Signal::Traces => stats.traces,
                    Signal::Logs => stats.logs,
                    Signal::Metrics => stats.metrics,
                };
                let recv = received.as_ref().map(|r| *r.signal(s)).unwrap_or_default();
                SignalLine {
                    name: s.name(),
                    received: recv.items_received,
                    rejected: recv.items_rejected + store_counts.rejected,
                    evicted: store_counts.evicted,
                    stored: store_counts.stored,
                }
            })
            .collect();
        let total = received.as_ref().map(|r| r.total()).unwrap_or_default();
        let persist_problems = self.persist_error.clone().or_else(|| {
            (stats.persist_damaged_records + stats.persist_write_errors > 0).then(|| {
                format!(
                    "data dir: {} damaged records skipped, {} failed writes",
                    stats.persist_damaged_records, stats.persist_write_errors
                )
            })
        });
        LocalStatus {
            listeners,
            signals,
            malformed_requests: total.malformed_requests + total.oversized_requests,
            refused_over_budget: total.over_budget_refusals,
            bytes: stats.bytes,
            budget_bytes: stats.budget_bytes,
            demo: self.demo.as_ref().map(|d| {
                let s = d.stats();
                (s.requests_sent, s.requests_failed, d.incident_active())
            }),
            persist_problems,
        }
    }
}
