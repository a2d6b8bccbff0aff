//! The demo workload: a simulated shop of six services that sends real OTLP/HTTP protobuf
//! (traces, logs and RED metrics) to a receiver, so Signalscope has something to show without
//! any external system.
//!
//! - [`DemoShop`] is the pure generator: [`DemoShop::tick`] turns the clock into OTLP requests.
//! - [`spawn`] runs a shop on a tokio runtime and POSTs every batch to `{endpoint}/v1/traces`,
//!   `/v1/logs` and `/v1/metrics`; dropping the returned [`DemoHandle`] stops it.
//!
//! The shop: `frontend` calls `catalog`, `cart` and `checkout`; `checkout` calls `cart` and
//! `payment`; `payment` calls an external card gateway and `ledger`. Every few minutes (see
//! [`IncidentSchedule`]) the card gateway becomes 5–10× slower and about 30 % of payment calls
//! fail with 503, which surfaces as 502s at `checkout` and `frontend`, ERROR logs with
//! `exception.*` attributes and a rising `shop.payment.queue.depth`.
//!
//! This module must not write into the local store or any other shortcut: everything it
//! produces goes through the network like data from a real application.
//!
//! Layout: [`config`](DemoConfig) (settings, incident schedule) → `shop` (the clock, arrivals,
//! batching) → `shop_request` (what each service does with one request) → `span_recorder`
//! (span and log shapes with semantic-convention attributes) and `red_metrics` (cumulative
//! RED metrics); `services` (the six resources), `random` (SplitMix64), `attributes`
//! (`KeyValue` constructors) and `exporter` (the network loop, back-off, stats).

mod attributes;
mod config;
mod exporter;
mod random;
mod red_metrics;
mod services;
mod shop;
mod shop_request;
mod span_recorder;

pub use config::{DemoConfig, IncidentSchedule};
pub use exporter::{
    DemoHandle, DemoStats, FAILURE_LOG_INTERVAL, MAX_BACKOFF, TICK_INTERVAL, backoff, spawn,
};
pub use red_metrics::{
    DURATION_BUCKETS_SECONDS, PAYMENT_QUEUE_DEPTH, REQUEST_COUNT, REQUEST_DURATION,
};
pub use services::Service;
pub use shop::{DemoBatch, DemoShop, MAX_CATCH_UP, METRIC_EXPORT_INTERVAL};
pub use shop_request::INCIDENT_PAYMENT_ERROR_RATE;
