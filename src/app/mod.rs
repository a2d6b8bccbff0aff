//! The application shell: top bar, connection sidebar, panel area, and the action queue that
//! applies what panels ask for, once per frame.

mod apply;
mod completions;
pub mod export;
mod links;
mod live_tail;
pub mod local_services;
mod log_context;
pub mod metrics_job;
mod navigation;
pub mod panel_query;
pub mod panel_state;
mod panels_view;
mod results_graph;
pub mod slo_job;
pub mod trace_fetch;
mod trace_files;

use crate::export::csv::chart_to_csv;
use crate::fetch::{Job, Runtime, Waker};
use crate::model::{ChartData, QueryRun};
use crate::sources::completion::CompletionCache;
use crate::sources::{HttpClient, SourceError};
use crate::ui::Action;
use crate::ui::connections::{
    ConnectionDraft, DialogOutcome, Health, connection_dialog_ui, sidebar_ui,
};
use crate::ui::local_status::{local_settings_ui, local_status_ui};
use crate::ui::logs_panel::{LogsPanelView, logs_panel_ui};
use crate::ui::metrics_panel::{MetricsPanelView, metrics_panel_ui};
use crate::ui::navigation_bar::{NavigationView, navigation_bar_ui};
use crate::ui::slo_overview::{SloRow, slo_overview_ui};
use crate::ui::slo_panel::{SloPanelView, slo_panel_ui};
use crate::ui::time_bar::{TimeBarState, time_bar_ui};
use crate::ui::traces_panel::{TracesPanelView, traces_panel_ui};
use crate::workspace::{
    self, ConnectionId, MetricsPanel, Panel, PanelId, PanelKind, SourceKind, Workspace,
    WorkspaceError,
};
use export::PanelExport;
pub use local_services::LocalServices;
use metrics_job::run_metrics_queries;
use panel_state::{PanelData, PanelState};
use slo_job::run_slo;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often each connection's health is checked.
const HEALTH_INTERVAL: Duration = Duration::from_secs(30);
/// How long after a change the workspace is written.
const AUTOSAVE_DELAY: Duration = Duration::from_millis(750);
/// How long a notice stays on screen.
const NOTICE_TTL: Duration = Duration::from_secs(8);

/// How the app starts: the workspace, where to autosave it, and any problem loading it.
pub struct Startup {
    pub workspace: Workspace,
    /// Autosave target. `None` when the file could not be read: it is left untouched.
    pub path: Option<PathBuf>,
    /// Shown in a banner when the workspace file could not be used.
    pub load_error: Option<String>,
    /// Panels whose query runs as soon as the window opens.
    pub run_now: Vec<PanelId>,
    /// The embedded store (with its receiver and demo) behind the Local source, when it runs.
    pub local: Option<LocalServices>,
}

struct Notice {
    text: String,
    is_error: bool,
    at: Instant,
}

/// A workspace read from a file the user chose (boxed: it is far larger than the other jobs).
type OpenedWorkspace = Result<Box<Workspace>, WorkspaceError>;

enum FileJob {
    Open(Job<Option<(PathBuf, OpenedWorkspace)>>),
    SaveAs(Job<Option<(PathBuf, Result<(), WorkspaceError>)>>),
    ExportPath(PanelId, Job<Option<PathBuf>>),
    CaFile(Job<Option<PathBuf>>),
    /// Where to save a panel's open trace, from the save dialog.
    SaveTracePath(PanelId, Job<Option<PathBuf>>),
    /// A trace being saved: where, and how it went.
    TraceSaved(Job<trace_files::SavedTrace>),
    /// A trace file: where it is and what it held.
    Trace(Job<Option<(PathBuf, Result<crate::sources::DecodedTraces, SourceError>)>>),
}

pub struct SignalscopeApp {
    runtime: Arc<Runtime>,
    /// Wakes the UI when a job finishes; set on the first frame, when the context is known.
    waker: Option<Waker>,
    /// Panels to run on the first frame.
    pending_runs: Vec<PanelId>,
    pub workspace: Workspace,
    path: Option<PathBuf>,
    /// The text last written (or read), to tell when the workspace changed.
    saved_text: String,
    save_job: Option<Job<Result<(), WorkspaceError>>>,
    changed_at: Option<Instant>,
    load_error: Option<String>,
    panels: BTreeMap<PanelId, PanelState>,
    local: Option<LocalServices>,
    health: BTreeMap<ConnectionId, Health>,
    health_jobs: BTreeMap<ConnectionId, Job<Result<(), SourceError>>>,
    next_health_check: Instant,
    last_refresh: Instant,
    time_bar: TimeBarState,
    dialog: Option<ConnectionDraft>,
    file_jobs: Vec<FileJob>,
    exports: Vec<PanelExport>,
    write_jobs: Vec<Job<Result<PathBuf, String>>>,
    notices: Vec<Notice>,
    /// A panel to bring into view in the next frame.
    scroll_to_panel: Option<PanelId>,
    /// The panel shown alone (Panel menu → View panel), if any.
    viewed_panel: Option<PanelId>,
    /// Per connection: the names PromQL completion knows, and when each missing piece was
    /// last asked for (so a frame never asks twice).
    completions: BTreeMap<ConnectionId, Arc<std::sync::Mutex<CompletionCache>>>,
    completion_requests: std::collections::HashMap<(ConnectionId, String), Instant>,
    /// SLOs being read from a file the user chose.
    slo_import: Option<Job<Result<Vec<crate::slo::definition::SloDefinition>, String>>>,
    /// Where links led, for Back and Forward.
    history: navigation::NavHistory<links::Place>,
    /// Links to follow once the first frame has a context (from the command line).
    pending_links: Vec<workspace::Link>,
    /// The "Open link" field's text.
    link_text: String,
    /// Loki panels tailing live.
    live: BTreeMap<PanelId, live_tail::LiveTail>,
    /// A line's context being fetched, and the one on show.
    context_job: Option<Job<Result<log_context::LogContext, SourceError>>>,
    context: Option<log_context::LogContext>,
}

impl SignalscopeApp {
    pub fn new(runtime: Arc<Runtime>, startup: Startup) -> Self {
        // A workspace whose file does not exist yet (first run) is written at the first save.
        let saved_text = match &startup.path {
            Some(p) if !p.exists() => String::new(),
            _ => workspace::to_text(&startup.workspace),
        };
        Self {
            runtime,
            waker: None,
            pending_runs: startup.run_now,
            workspace: startup.workspace,
            path: startup.path,
            saved_text,
            save_job: None,
            changed_at: Some(Instant::now()),
            load_error: startup.load_error,
            panels: BTreeMap::new(),
            scroll_to_panel: None,
            viewed_panel: None,
            completions: BTreeMap::new(),
            completion_requests: Default::default(),
            slo_import: None,
            history: navigation::NavHistory::new("Workspace"),
            pending_links: Vec::new(),
            link_text: String::new(),
            live: BTreeMap::new(),
            context_job: None,
            context: None,
            local: startup.local,
            health: BTreeMap::new(),
            health_jobs: BTreeMap::new(),
            next_health_check: Instant::now(),
            last_refresh: Instant::now(),
            time_bar: TimeBarState::default(),
            dialog: None,
            file_jobs: Vec::new(),
            exports: Vec::new(),
            write_jobs: Vec::new(),
            notices: Vec::new(),
        }
    }

    /// Follows a link (a `signalscope://` URI given on the command line, or by a test) as a
    /// click would; before the first frame it waits for it.
    pub fn open_link(&mut self, link: workspace::Link) {
        if self.waker.is_none() {
            self.pending_links.push(link);
        } else {
            self.follow(link, None);
        }
    }

    /// The places Back would return through, oldest first, ending with the one on show.
    pub fn breadcrumb(&self) -> Vec<String> {
        self.history.trail().map(str::to_owned).collect()
    }

    fn waker(&self) -> Waker {
        self.waker.clone().unwrap_or_else(|| Arc::new(|| {}))
    }

    /// Exports a panel as PNG to `path`, as the panel menu does after its save dialog.
    pub fn export_panel_png(&mut self, panel: PanelId, path: PathBuf) {
        self.exports.push(PanelExport::new(panel, path));
    }

    /// The panel's rectangle in the last frame, in points.
    pub fn panel_rect(&self, id: PanelId) -> Option<egui::Rect> {
        self.panels.get(&id).and_then(|p| p.rect)
    }

    /// The last finished result of a metrics panel's first query, for tests.
    pub fn panel_result(&self, id: PanelId) -> Option<Result<&QueryRun, &SourceError>> {
        match self.panels.get(&id)?.metrics()? {
            Ok(outcome) => outcome.first(),
            Err(e) => Some(Err(e)),
        }
    }

    /// What a metrics panel's chart draws, once its queries have finished.
    pub fn panel_chart(&self, id: PanelId) -> Option<&ChartData> {
        match self.panels.get(&id)?.metrics()? {
            Ok(outcome) => Some(&outcome.chart),
            Err(_) => None,
        }
    }

    /// The heatmap a metrics panel draws, when its chart is one.
    pub fn panel_heatmap(
        &self,
        id: PanelId,
    ) -> Option<&crate::analysis::heatmap_view::HeatmapView> {
        match self.panels.get(&id)?.metrics()? {
            Ok(outcome) => outcome.heatmap.as_deref(),
            Err(_) => None,
        }
    }

    /// Series a metrics panel's legend has hidden.
    pub fn hidden_series(&self, id: PanelId) -> Option<&std::collections::HashSet<String>> {
        self.panels.get(&id).map(|p| &p.hidden_series)
    }

    /// True once a panel (of any kind) has a finished result.
    pub fn has_result(&self, id: PanelId) -> bool {
        self.panels.get(&id).is_some_and(|p| p.last.is_some())
    }

    /// The trace open in a traces panel.
    pub fn open_trace(&self, id: PanelId) -> Option<&crate::model::Trace> {
        self.panels
            .get(&id)
            .and_then(|p| p.open_trace.as_ref())
            .map(|t| &t.trace)
    }

    /// The traces a traces panel's search listed.
    pub fn panel_traces(&self, id: PanelId) -> Option<&[crate::model::TraceSummary]> {
        match self.panels.get(&id)?.last.as_ref()? {
            Ok(PanelData::Traces(t)) => Some(t),
            _ => None,
        }
    }

    /// Lines the server counted in a logs panel's volume histogram, when it counted them.
    pub fn panel_volume_total(&self, id: PanelId) -> Option<u64> {
        match self.panels.get(&id)?.last.as_ref()? {
            Ok(PanelData::Logs(o)) => match o.volume.as_ref()? {
                Ok(v) => Some(
                    v.counts
                        .iter()
                        .flatten()
                        .map(|&n| u64::from(n))
                        .sum::<u64>()
                        + v.outside as u64,
                ),
                Err(_) => None,
            },
            _ => None,
        }
    }

    /// The lines a logs panel shows.
    pub fn panel_logs(&self, id: PanelId) -> Option<&crate::model::LogBatch> {
        match self.panels.get(&id)?.last.as_ref()? {
            Ok(PanelData::Logs(o)) => Some(&o.batch),
            _ => None,
        }
    }

    pub fn is_loading(&self, id: PanelId) -> bool {
        self.panels.get(&id).is_some_and(|p| p.job.is_some())
    }

    /// Where the workspace is autosaved, if anywhere.
    pub fn workspace_path(&self) -> Option<&std::path::Path> {
        self.path.as_deref()
    }

    /// True while a workspace write is in flight.
    pub fn is_saving(&self) -> bool {
        self.save_job.is_some()
    }

    /// One frame of the whole window.
    pub fn frame_ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if self.waker.is_none() {
            let repaint = ctx.clone();
            self.waker = Some(Arc::new(move || repaint.request_repaint()));
            for id in std::mem::take(&mut self.pending_runs) {
                self.run_query(id);
            }
            for link in std::mem::take(&mut self.pending_links) {
                self.follow(link, None);
            }
        }
        self.poll_jobs(&ctx);
        let mut actions = Vec::new();
        self.schedule(&ctx, &mut actions);

        let now = chrono::Utc::now();
        egui::Panel::top("time_bar").show(ui, |ui| {
            ui.add_space(2.0);
            actions.extend(time_bar_ui(ui, &self.workspace.time, &mut self.time_bar, now));
            let view = NavigationView {
                back: self.history.back_label(),
                forward: self.history.forward_label(),
                trail: self.history.trail().collect(),
            };
            actions.extend(navigation_bar_ui(
                ui,
                view,
                &mut self.link_text,
                &mut self.workspace.links,
            ));
            if let Some(e) = &self.load_error {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("Workspace not loaded (file left untouched; changes are not saved until you Save As): {e}"),
                );
            }
        });
        egui::Panel::bottom("notices")
            .show_separator_line(!self.notices.is_empty())
            .show(ui, |ui| self.notices_ui(ui));
        egui::Panel::left("connections")
            .default_size(200.0)
            .show(ui, |ui| {
                actions.extend(sidebar_ui(ui, &self.workspace.connections, &self.health));
                crate::ui::correlations_editor::correlations_ui(
                    ui,
                    &mut self.workspace.correlations,
                );
                if let Some(local) = &self.local {
                    local_status_ui(ui, &local.status());
                    actions.extend(local_settings_ui(ui, &mut self.workspace.local));
                    // Counters move while telemetry arrives.
                    ui.ctx().request_repaint_after(Duration::from_secs(1));
                }
            });
        egui::CentralPanel::default().show(ui, |ui| self.panels_ui(ui, &mut actions));

        if let Some(draft) = &mut self.dialog {
            match connection_dialog_ui(&ctx, draft, &mut actions) {
                DialogOutcome::Open => {}
                DialogOutcome::Closed => self.dialog = None,
                DialogOutcome::PickCaFile => {
                    let job = self.runtime.spawn(self.waker(), |_| async {
                        rfd::AsyncFileDialog::new()
                            .set_title("CA certificate (PEM)")
                            .add_filter("PEM", &["pem", "crt", "cer"])
                            .pick_file()
                            .await
                            .map(|f| f.path().to_owned())
                    });
                    self.file_jobs.push(FileJob::CaFile(job));
                }
            }
        }

        if let Some(c) = &self.context
            && !crate::ui::log_context::log_context_ui(
                &ctx,
                &c.stream,
                &c.lines,
                c.focus,
                self.workspace.time.zone,
            )
        {
            self.context = None;
        }
        let had_actions = !actions.is_empty();
        for action in actions {
            self.apply(&ctx, action);
        }
        self.poll_exports(&ctx);
        self.autosave(&ctx, had_actions || ctx.input(|i| !i.events.is_empty()));
    }

    /// Adds an SLO panel on the first Local connection (or the first connection) and runs it.
    fn add_slo_panel(&mut self, definition: crate::slo::definition::SloDefinition) {
        let id = self.workspace.next_panel_id();
        let connection = self
            .workspace
            .connections
            .iter()
            .find(|c| c.kind == SourceKind::Local)
            .or(self.workspace.connections.first())
            .map(|c| c.id);
        self.workspace.panels.push(Panel {
            id,
            title: format!("SLO {}", definition.name),
            kind: PanelKind::Slo(workspace::SloPanel {
                connection,
                definition,
                preset: workspace::SloPreset::default(),
            }),
        });
        self.run_query(id);
    }

    fn notices_ui(&mut self, ui: &mut egui::Ui) {
        self.notices.retain(|n| n.at.elapsed() < NOTICE_TTL);
        for n in &self.notices {
            if n.is_error {
                ui.colored_label(ui.visuals().error_fg_color, &n.text);
            } else {
                ui.label(&n.text);
            }
        }
        if let Some(oldest) = self.notices.iter().map(|n| n.at).min() {
            ui.ctx()
                .request_repaint_after(NOTICE_TTL.saturating_sub(oldest.elapsed()));
        }
    }

    fn notify(&mut self, text: impl Into<String>, is_error: bool) {
        let text = text.into();
        if is_error {
            tracing::warn!("{text}");
        } else {
            tracing::info!("{text}");
        }
        self.notices.push(Notice {
            text,
            is_error,
            at: Instant::now(),
        });
    }

    /// Starts what is due: health checks and auto refresh.
    fn schedule(&mut self, ctx: &egui::Context, actions: &mut Vec<Action>) {
        let now = Instant::now();
        if now >= self.next_health_check {
            self.check_health();
            self.next_health_check = now + HEALTH_INTERVAL;
        }
        let mut wake_in = self.next_health_check - now;
        if let Some(secs) = self.workspace.time.auto_refresh_secs {
            let interval = Duration::from_secs(u64::from(secs.max(1)));
            let due = self.last_refresh + interval;
            if now >= due {
                actions.push(Action::RefreshAll);
                wake_in = wake_in.min(interval);
            } else {
                wake_in = wake_in.min(due - now);
            }
        }
        ctx.request_repaint_after(wake_in);
    }

    fn check_health(&mut self) {
        for conn in &self.workspace.connections {
            if conn.kind == SourceKind::Local {
                let health = if self.local.is_some() {
                    Health::Up
                } else {
                    Health::Down("the local store is not running in this session".into())
                };
                self.health.insert(conn.id, health);
                continue;
            }
            let conn = conn.clone();
            let id = conn.id;
            let job = self.runtime.spawn(self.waker(), |_| async move {
                let http = HttpClient::new(&conn)?;
                crate::sources::health::health(conn.kind, &http).await
            });
            self.health_jobs.insert(id, job);
        }
    }

    fn poll_jobs(&mut self, ctx: &egui::Context) {
        let mut failures = Vec::new();
        for state in self.panels.values_mut() {
            failures.extend(state.poll());
        }
        for failure in failures {
            self.notify(failure, true);
        }
        self.poll_live(ctx);
        if let Some(job) = self.context_job.take() {
            match job.try_take() {
                Ok(Ok(context)) => self.context = Some(context),
                Ok(Err(e)) => self.notify(format!("Could not read the line's context: {e}"), true),
                Err(job) => self.context_job = Some(job),
            }
        }
        if let Some(job) = self.slo_import.take() {
            match job.try_take() {
                Ok(Ok(slos)) => {
                    let n = slos.len();
                    for def in slos {
                        self.add_slo_panel(def);
                    }
                    self.notify(format!("Imported {n} SLOs"), false);
                }
                Ok(Err(e)) => self.notify(e, true),
                Err(job) => self.slo_import = Some(job),
            }
        }
        let ids: Vec<ConnectionId> = self.health_jobs.keys().copied().collect();
        for id in ids {
            if let Some(job) = self.health_jobs.remove(&id) {
                match job.try_take() {
                    Ok(result) => {
                        let h = match result {
                            Ok(()) => Health::Up,
                            Err(e) => Health::Down(e.to_string()),
                        };
                        self.health.insert(id, h);
                    }
                    Err(job) => {
                        self.health_jobs.insert(id, job);
                    }
                }
            }
        }
        if let Some(job) = self.save_job.take() {
            match job.try_take() {
                Ok(Ok(())) => {}
                Ok(Err(e)) => self.notify(format!("Could not save workspace: {e}"), true),
                Err(job) => self.save_job = Some(job),
            }
        }
        let jobs = std::mem::take(&mut self.file_jobs);
        for job in jobs {
            self.poll_file_job(ctx, job);
        }
        let writes = std::mem::take(&mut self.write_jobs);
        for job in writes {
            match job.try_take() {
                Ok(Ok(path)) => self.notify(format!("Exported {}", path.display()), false),
                Ok(Err(e)) => self.notify(e, true),
                Err(job) => self.write_jobs.push(job),
            }
        }
    }

    fn poll_file_job(&mut self, ctx: &egui::Context, job: FileJob) {
        match job {
            FileJob::Open(job) => match job.try_take() {
                Ok(Some((path, Ok(ws)))) => {
                    self.replace_workspace(*ws, path.clone());
                    self.notify(format!("Opened {}", path.display()), false);
                }
                Ok(Some((_, Err(e)))) => {
                    self.notify(format!("Could not open workspace: {e}"), true)
                }
                Ok(None) => {}
                Err(job) => self.file_jobs.push(FileJob::Open(job)),
            },
            FileJob::SaveAs(job) => match job.try_take() {
                Ok(Some((path, Ok(())))) => {
                    self.notify(format!("Saved {}", path.display()), false);
                    self.path = Some(path);
                    self.load_error = None;
                    self.saved_text = workspace::to_text(&self.workspace);
                }
                Ok(Some((_, Err(e)))) => self.notify(format!("Could not save: {e}"), true),
                Ok(None) => {}
                Err(job) => self.file_jobs.push(FileJob::SaveAs(job)),
            },
            FileJob::ExportPath(panel, job) => match job.try_take() {
                Ok(Some(path)) => self.apply(
                    ctx,
                    Action::ExportPng {
                        panel,
                        path: Some(path),
                    },
                ),
                Ok(None) => {}
                Err(job) => self.file_jobs.push(FileJob::ExportPath(panel, job)),
            },
            FileJob::SaveTracePath(panel, job) => match job.try_take() {
                Ok(Some(path)) => self.save_open_trace(panel, path),
                Ok(None) => {}
                Err(job) => self.file_jobs.push(FileJob::SaveTracePath(panel, job)),
            },
            FileJob::TraceSaved(job) => match job.try_take() {
                Ok(saved) => {
                    let failed = saved.outcome.is_err();
                    self.notify(saved.message(), failed);
                }
                Err(job) => self.file_jobs.push(FileJob::TraceSaved(job)),
            },
            FileJob::Trace(job) => match job.try_take() {
                Ok(Some((path, Ok(decoded)))) => self.show_decoded_traces(&path, decoded),
                Ok(Some((path, Err(e)))) => {
                    self.notify(format!("Could not open {}: {e}", path.display()), true)
                }
                Ok(None) => {}
                Err(job) => self.file_jobs.push(FileJob::Trace(job)),
            },
            FileJob::CaFile(job) => match job.try_take() {
                Ok(path) => {
                    if let (Some(path), Some(draft)) = (path, &mut self.dialog) {
                        draft.ca_file = Some(path);
                    }
                }
                Err(job) => self.file_jobs.push(FileJob::CaFile(job)),
            },
        }
    }

    fn replace_workspace(&mut self, ws: Workspace, path: PathBuf) {
        self.saved_text = workspace::to_text(&ws);
        self.workspace = ws;
        self.path = Some(path);
        self.load_error = None;
        self.panels.clear();
        self.health.clear();
        self.health_jobs.clear();
        self.next_health_check = Instant::now();
        self.run_all();
    }

    fn run_all(&mut self) {
        let ids: Vec<PanelId> = self.workspace.panels.iter().map(|p| p.id).collect();
        for id in ids {
            self.run_query(id);
        }
        self.last_refresh = Instant::now();
    }

    /// Adds a metrics panel's queries to its connection's history (a run the user asked for).
    fn remember_queries(&mut self, id: PanelId) {
        let on_loki = self
            .workspace
            .panel_connection(id)
            .is_some_and(|c| c.kind == SourceKind::Loki);
        let Some(kind) = self.workspace.panel(id).map(|p| &p.kind) else {
            return;
        };
        let Some(connection) = kind.connection() else {
            return;
        };
        let queries: Vec<String> = match kind {
            PanelKind::Metrics(spec) => spec
                .queries
                .iter()
                .filter(|q| !q.disabled)
                .map(|q| q.expr.clone())
                .collect(),
            PanelKind::Logs(spec) if on_loki => vec![spec.query.clone()],
            _ => return,
        };
        for q in queries.iter().rev() {
            self.workspace.remember_query(connection, q);
        }
    }

    /// Starts the panel's query over the global range; a query already in flight is aborted.
    fn run_query(&mut self, id: PanelId) {
        let Some(panel) = self.workspace.panel(id) else {
            return;
        };
        let kind = panel.kind.clone();
        if matches!(kind, PanelKind::SloOverview(_)) {
            // The overview shows the other SLO panels' results; it runs nothing itself.
            return;
        }
        let waker = self.waker();
        let conn = kind
            .connection()
            .and_then(|c| self.workspace.connection(c))
            .cloned();
        let local = self.local.as_ref().map(|l| l.store.clone());
        let range = self
            .workspace
            .layout
            .own_range
            .get(&id)
            .unwrap_or(&self.workspace.time.range);
        let (from, to) = range.resolve(chrono::Utc::now());
        let (from, to) = (
            from.timestamp_millis() as f64 / 1000.0,
            to.timestamp_millis() as f64 / 1000.0,
        );
        let state = self.panels.entry(id).or_default();
        let Some(conn) = conn else {
            state.job = None;
            state.last = Some(Err(SourceError::Config(
                "choose a connection for this panel".into(),
            )));
            return;
        };
        let store = match (conn.kind, local) {
            (SourceKind::Local, Some(store)) => Some(store),
            (SourceKind::Local, None) => {
                state.job = None;
                state.last = Some(Err(SourceError::Config(
                    "the local store is not running in this session".into(),
                )));
                return;
            }
            (
                SourceKind::Prometheus | SourceKind::Loki | SourceKind::Jaeger | SourceKind::Tempo,
                _,
            ) => None,
        };
        let job = match kind {
            PanelKind::SloOverview(_) => return,
            PanelKind::Slo(spec) => {
                let http = match store {
                    Some(_) => None,
                    None => Some(conn),
                };
                self.runtime.spawn(waker, move |progress| {
                    run_slo(spec, to, store, http, progress)
                })
            }
            PanelKind::Metrics(spec) => {
                if spec
                    .queries
                    .iter()
                    .all(|q| q.disabled || q.expr.trim().is_empty())
                {
                    state.job = None;
                    return;
                }
                let width = if state.width_px > 0.0 {
                    state.width_px
                } else {
                    1000.0
                };
                let http = match store {
                    Some(_) => None,
                    None => Some(conn),
                };
                self.runtime.spawn(waker, move |progress| {
                    run_metrics_queries(spec, (from, to), width, store, http, progress)
                })
            }
            PanelKind::Logs(spec) if conn.kind == SourceKind::Loki => {
                let pattern = self.workspace.correlations.trace_id_pattern.clone();
                self.runtime.spawn(waker, move |progress| {
                    panel_query::load_loki_logs(spec, conn, (from, to), pattern, progress)
                })
            }
            PanelKind::Logs(spec) => {
                let Some(store) = store else {
                    state.last = Some(Err(SourceError::Config(format!(
                        "log panels read Loki or the Local source, not {}",
                        conn.kind.name()
                    ))));
                    return;
                };
                let q = match panel_query::log_query(&spec, (from, to)) {
                    Ok(q) => q,
                    Err(e) => {
                        state.last = Some(Err(e));
                        return;
                    }
                };
                self.runtime
                    .spawn(waker, move |_| panel_query::find_logs(store, q, (from, to)))
            }
            PanelKind::Traces(spec)
                if matches!(conn.kind, SourceKind::Jaeger | SourceKind::Tempo) =>
            {
                self.runtime.spawn(waker, move |progress| async move {
                    trace_fetch::search_remote_traces(spec, conn, (from, to), &progress).await
                })
            }
            PanelKind::Traces(spec) => {
                let Some(store) = store else {
                    state.last = Some(Err(SourceError::Config(format!(
                        "trace panels read Jaeger, Tempo or the Local source, not {}",
                        conn.kind.name()
                    ))));
                    return;
                };
                let q = panel_query::trace_query(&spec, (from, to));
                self.runtime.spawn(waker, |_| async move {
                    panel_query::find_traces(store, q?).await
                })
            }
        };
        state.job = Some(job);
    }

    fn poll_exports(&mut self, ctx: &egui::Context) {
        for export in std::mem::take(&mut self.exports) {
            let state = self.panels.get(&export.panel);
            let Some(snapshot) = export::panel_snapshot(&self.workspace, state, export.panel)
            else {
                self.notify("Export cancelled: the panel was removed", true);
                continue;
            };
            // The image has the panel's size on screen: wait until it has been drawn once.
            let Some(rect) = state.and_then(|s| s.rect) else {
                self.exports.push(export);
                continue;
            };
            let options = export::screen_options(ctx, rect);
            let job = self.runtime.spawn(self.waker(), move |_| {
                export::write_export(snapshot, options, export.path)
            });
            self.write_jobs.push(job);
        }
    }

    /// Writes the workspace in the background shortly after it changes.
    fn autosave(&mut self, ctx: &egui::Context, maybe_changed: bool) {
        if maybe_changed && self.changed_at.is_none() {
            self.changed_at = Some(Instant::now());
        }
        let Some(changed_at) = self.changed_at else {
            return;
        };
        if changed_at.elapsed() < AUTOSAVE_DELAY || self.save_job.is_some() {
            ctx.request_repaint_after(AUTOSAVE_DELAY);
            return;
        }
        self.changed_at = None;
        let Some(path) = self.path.clone() else {
            return;
        };
        let text = workspace::to_text(&self.workspace);
        if text == self.saved_text {
            return;
        }
        self.saved_text = text.clone();
        self.save_job = Some(self.runtime.spawn(self.waker(), |_| async move {
            tokio::task::spawn_blocking(move || workspace::save_atomic(&path, &text))
                .await
                .unwrap_or_else(|e| {
                    Err(WorkspaceError::Io {
                        path: PathBuf::new(),
                        message: e.to_string(),
                    })
                })
        }));
    }

    /// Writes the workspace now, on the calling thread: used when the window closes.
    pub fn save_now(&mut self) {
        if let Some(path) = &self.path {
            let text = workspace::to_text(&self.workspace);
            if text != self.saved_text
                && let Err(e) = workspace::save_atomic(path, &text)
            {
                tracing::error!("could not save workspace: {e}");
            }
        }
    }
}

/// A panel title made safe as a file name.
fn file_stem(title: &str) -> String {
    let stem: String = title
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if stem.is_empty() {
        "panel".into()
    } else {
        stem
    }
}

impl eframe::App for SignalscopeApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame_ui(ui);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.save_now();
    }
}
