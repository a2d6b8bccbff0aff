//! Signalscope: a native desktop observability explorer.
//!
//! Data flows one way: `sources` (HTTP clients) → `model` (typed, columnar data) →
//! `analysis` (pure functions) → `ui` (panels that read state and return actions), and the
//! `app` applies those actions. See `docs/ARCHITECTURE.md`.

pub mod analysis;
pub mod app;
pub mod cli;
pub mod demo;
pub mod export;
pub mod fetch;
pub mod model;
pub mod otlp;
pub mod render;
pub mod slo;
pub mod sources;
pub mod store;
pub mod ui;
pub mod workspace;
