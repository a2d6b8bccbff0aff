//! Panels and shared widgets. UI code reads state and returns `Action`s; it never does I/O,
//! parsing or heavy computation inside the frame.

pub mod action;
pub mod chart;
pub mod connection_picker;
pub mod connections;
pub mod correlations_editor;
pub mod flame_graph;
pub mod heatmap_chart;
pub mod instant_table;
pub mod legend;
pub mod local_status;
pub mod log_context;
pub mod log_detail;
pub mod log_table;
pub mod log_volume_chart;
pub mod logs_panel;
pub mod metric_browser;
pub mod metrics_panel;
pub mod navigation_bar;
pub mod panel_menu;
pub mod promql_editor;
pub mod query_inspector;
pub mod service_graph_view;
pub mod slo_overview;
pub mod slo_panel;
pub mod span_detail;
pub mod time_axis;
pub mod time_bar;
pub mod trace_compare;
pub mod trace_derived;
pub mod trace_header;
pub mod trace_lookup;
pub mod trace_scatter;
pub mod trace_stats_table;
pub mod traces_panel;
pub mod units;
pub mod waterfall;

pub use action::Action;
