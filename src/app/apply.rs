//! What each action does to the app: the one place panels' requests become workspace
//! changes, jobs and notices.

use super::*;

impl SignalscopeApp {
    pub(super) fn apply(&mut self, ctx: &egui::Context, action: Action) {
        match action {
            Action::SetTimeRange(range) => {
                self.workspace.time.range = range;
                self.run_all();
            }
            Action::SetZone(zone) => self.workspace.time.zone = zone,
            Action::SetAutoRefresh(secs) => {
                self.workspace.time.auto_refresh_secs = secs;
                self.last_refresh = Instant::now();
            }
            Action::RefreshAll => self.run_all(),
            Action::RunQuery(id) => {
                // A new query ends the live tail of the old one.
                self.live.remove(&id);
                self.remember_queries(id);
                self.run_query(id);
            }
            Action::CancelQuery(id) => {
                if let Some(state) = self.panels.get_mut(&id)
                    && (state.job.take().is_some() | state.results_graph_job.take().is_some())
                {
                    self.notify("Query cancelled", false);
                }
            }
            Action::CancelTraceOpening(id) => {
                if let Some(state) = self.panels.get_mut(&id)
                    && state.trace_job.take().is_some()
                {
                    self.notify("Opening the trace was cancelled", false);
                }
            }
            Action::BuildResultsGraph(id) => self.build_results_graph(id),
            Action::CloseResultsGraph(id) => self.close_results_graph(id),
            Action::Follow(link) => self.follow(link, None),
            Action::FollowFrom(link, from) => self.follow(link, Some(from)),
            Action::CompareWithOpen { panel, trace_id } => self.compare_with_open(panel, trace_id),
            Action::AddLogFilter { panel, filter } => self.add_log_filter(panel, &filter),
            Action::StartLive(id) => self.start_live(id),
            Action::ShowLogContext {
                panel,
                time_ns,
                body,
                labels,
            } => {
                let of = log_context::ContextOf {
                    time_ns,
                    body,
                    labels,
                };
                let conn = self.workspace.panel_connection(panel).cloned();
                let store = self.local.as_ref().map(|l| l.store.clone());
                self.context_job = match (conn, store) {
                    (Some(conn), _) if conn.kind == SourceKind::Loki => Some(
                        self.runtime
                            .spawn(self.waker(), move |_| log_context::loki_context(conn, of)),
                    ),
                    (Some(_), Some(store)) => Some(
                        self.runtime
                            .spawn(self.waker(), move |_| log_context::local_context(store, of)),
                    ),
                    _ => None,
                };
            }
            Action::PauseLive(id, paused) => {
                if let Some(tail) = self.live.get_mut(&id) {
                    tail.set_paused(paused);
                }
            }
            Action::StopLive(id) => {
                self.live.remove(&id);
            }
            Action::ClearOwnRange(id) => {
                self.workspace.layout.own_range.remove(&id);
                self.run_query(id);
            }
            Action::Back => self.go_back(),
            Action::Forward => self.go_forward(),
            Action::CopyLink(id) => match self.panel_link(id) {
                Some(link) => {
                    ctx.copy_text(link.to_uri());
                    self.notify("Copied the panel's link", false);
                }
                None => self.notify("This panel's view has no link", true),
            },
            Action::OpenLinkText(text) => match workspace::Link::from_uri(&text) {
                Ok(link) => {
                    self.link_text.clear();
                    self.follow(link, None);
                }
                Err(e) => self.notify(e.to_string(), true),
            },
            Action::AddMetricsPanel => {
                let id = self.workspace.next_panel_id();
                let connection = self.workspace.connections.first().map(|c| c.id);
                self.workspace.panels.push(Panel {
                    id,
                    title: format!("Metrics {}", id.0),
                    kind: PanelKind::Metrics(MetricsPanel::new(connection, "")),
                });
            }
            Action::AddSloPanel => {
                let def = workspace::SloPanel::default().definition;
                self.add_slo_panel(def);
            }
            Action::AddSloOverview => {
                let id = self.workspace.next_panel_id();
                self.workspace.panels.push(Panel {
                    id,
                    title: "SLO overview".into(),
                    kind: PanelKind::SloOverview(workspace::SloOverviewPanel::default()),
                });
            }
            Action::ImportSlos => {
                self.slo_import = Some(self.runtime.spawn(self.waker(), |_| async {
                    let file = rfd::AsyncFileDialog::new()
                        .set_title("Import SLOs (Sloth or OpenSLO YAML)")
                        .add_filter("YAML", &["yaml", "yml"])
                        .pick_file()
                        .await
                        .ok_or_else(|| "No file chosen".to_owned())?;
                    let path = file.path().to_owned();
                    let text = tokio::fs::read_to_string(&path)
                        .await
                        .map_err(|e| format!("{}: {e}", path.display()))?;
                    crate::slo::import_any(&text).map_err(|e| format!("{}: {e}", path.display()))
                }));
            }
            Action::OpenSloErrorChart(id) => self.open_slo_error_chart(id),
            Action::ScrollToPanel(id) => self.scroll_to_panel = Some(id),
            Action::ViewPanel(id) => self.viewed_panel = id,
            Action::FetchCompletions { panel, context } => self.fetch_completions(panel, context),
            Action::RemovePanel(id) => {
                self.workspace.panels.retain(|p| p.id != id);
                self.workspace.layout.remove(id);
                self.panels.remove(&id);
                // A removed logs panel stops tailing.
                self.live.remove(&id);
            }
            Action::EditConnection(id) => {
                self.dialog = Some(match id.and_then(|id| self.workspace.connection(id)) {
                    Some(c) => ConnectionDraft::edit(c),
                    None => ConnectionDraft::new(self.workspace.next_connection_id()),
                });
            }
            Action::SaveConnection(conn) => {
                let id = conn.id;
                match self.workspace.connections.iter_mut().find(|c| c.id == id) {
                    Some(existing) => *existing = conn,
                    None => self.workspace.connections.push(conn),
                }
                // Panels without a connection adopt the first one added.
                for panel in &mut self.workspace.panels {
                    if panel.kind.connection().is_none() {
                        panel.kind.set_connection(Some(id));
                    }
                }
                self.health.remove(&id);
                self.next_health_check = Instant::now();
            }
            Action::RemoveConnection(id) => {
                self.workspace.connections.retain(|c| c.id != id);
                self.health.remove(&id);
                self.health_jobs.remove(&id);
                for panel in &mut self.workspace.panels {
                    if panel.kind.connection() == Some(id) {
                        panel.kind.set_connection(None);
                    }
                }
            }
            Action::SaveTrace { panel, path: None } => {
                let Some(trace) = self.panels.get(&panel).and_then(|p| p.open_trace.clone()) else {
                    self.notify("No trace is open in that panel to save", true);
                    return;
                };
                let name = format!("trace-{}.json", trace.trace.trace_id);
                let job = self.runtime.spawn(self.waker(), move |_| {
                    ask_save_path("Save trace as OTLP/JSON", name, "OTLP/JSON", &["json"])
                });
                self.file_jobs.push(FileJob::SaveTracePath(panel, job));
            }
            Action::SaveTrace {
                panel,
                path: Some(path),
            } => self.save_open_trace(panel, path),
            Action::ExportPng { panel, path: None } => {
                let name = self
                    .workspace
                    .panel(panel)
                    .map_or("panel".to_owned(), |p| file_stem(&p.title));
                let job = self.runtime.spawn(self.waker(), move |_| {
                    let name = format!("{name}.png");
                    ask_save_path("Export panel as PNG", name, "PNG image", &["png"])
                });
                self.file_jobs.push(FileJob::ExportPath(panel, job));
            }
            Action::ExportPng {
                panel,
                path: Some(path),
            } => {
                self.exports.push(PanelExport::new(panel, path));
                ctx.request_repaint();
            }
            Action::CopyCsv(id) => {
                if let Some(data) = self.panel_chart(id) {
                    let csv = chart_to_csv(data, self.workspace.time.zone);
                    let rows = data.point_count();
                    ctx.copy_text(csv);
                    self.notify(format!("Copied {rows} rows as CSV"), false);
                }
            }
            Action::RestartLocal => {
                let settings = &self.workspace.local;
                let options = crate::cli::LocalOptions {
                    otlp_http_listen: settings.otlp_http_listen.clone(),
                    otlp_grpc_listen: settings.otlp_grpc_listen.clone(),
                    data_dir: None,
                    store_budget_mib: settings.store_budget_mib,
                    demo_workload: settings.demo_workload,
                };
                if let Some(local) = &mut self.local {
                    local.restart(&self.runtime, &options);
                    self.notify("OTLP receiver restarted", false);
                }
            }
            Action::OpenTraceFile => {
                let job = self.runtime.spawn(self.waker(), |_| async {
                    let file = rfd::AsyncFileDialog::new()
                        .set_title("Open trace")
                        .add_filter("Jaeger JSON, OTLP JSON or protobuf", &["json", "pb", "bin"])
                        .pick_file()
                        .await?;
                    Some(trace_files::decode_trace_file(file.path().to_owned()).await)
                });
                self.file_jobs.push(FileJob::Trace(job));
            }
            Action::OpenWorkspace => {
                let job = self.runtime.spawn(self.waker(), |_| async {
                    let file = rfd::AsyncFileDialog::new()
                        .set_title("Open workspace")
                        .add_filter("Signalscope workspace", &["ron"])
                        .pick_file()
                        .await?;
                    let path = file.path().to_owned();
                    let result = workspace::load(&path).map(Box::new);
                    Some((path, result))
                });
                self.file_jobs.push(FileJob::Open(job));
            }
            Action::SaveWorkspaceAs => {
                let text = workspace::to_text(&self.workspace);
                let job = self.runtime.spawn(self.waker(), |_| async move {
                    let file = rfd::AsyncFileDialog::new()
                        .set_title("Save workspace as")
                        .set_file_name("workspace.ron")
                        .add_filter("Signalscope workspace", &["ron"])
                        .save_file()
                        .await?;
                    let path = file.path().to_owned();
                    let result = workspace::save_atomic(&path, &text);
                    Some((path, result))
                });
                self.file_jobs.push(FileJob::SaveAs(job));
            }
        }
    }
}

/// Where the user wants a file saved, from the native save dialog (run on the async workers,
/// so the window keeps drawing); `None` when the dialog is cancelled.
async fn ask_save_path(
    title: &'static str,
    file_name: String,
    filter: &'static str,
    extensions: &'static [&'static str],
) -> Option<PathBuf> {
    rfd::AsyncFileDialog::new()
        .set_title(title)
        .set_file_name(file_name)
        .add_filter(filter, extensions)
        .save_file()
        .await
        .map(|f| f.path().to_owned())
}
