//! The panels area of the window: each panel framed at its share of the height (two side by
//! side where a link opened one beside another), drawn by its kind's UI from the workspace
//! spec and the panel's runtime state; the actions they return go back to the app. A panel
//! viewed alone (Panel menu → View panel) gets the whole area until Esc.

use super::*;

impl SignalscopeApp {
    pub(super) fn panels_ui(&mut self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        if self.workspace.panels.is_empty() {
            ui.centered_and_justified(|ui| {
                ui.label("No panels. Add a connection on the left, then “Add panel” above.");
            });
            return;
        }
        let scroll_to = self.scroll_to_panel.take();
        // A link or the SLO overview bringing another panel into view shows them all again.
        let viewed = self
            .viewed_panel
            .filter(|id| self.workspace.panel(*id).is_some())
            .filter(|id| scroll_to.is_none_or(|target| target == *id));
        self.viewed_panel = viewed;
        if viewed.is_some() {
            let escape = ui.input(|i| i.key_pressed(egui::Key::Escape))
                && ui.ctx().memory(|m| m.focused().is_none());
            ui.horizontal(|ui| {
                ui.label(
                    egui::RichText::new(format!(
                        "One panel of {} shown",
                        self.workspace.panels.len()
                    ))
                    .weak(),
                );
                if ui.button("Show all panels").clicked() || escape {
                    actions.push(Action::ViewPanel(None));
                }
            });
        }
        let count = if viewed.is_some() {
            1.0
        } else {
            self.workspace.panels.len() as f32
        };
        // Each panel's frame adds margins, a border and the gap below it.
        let height = ((ui.available_height() - 28.0 * count) / count).max(320.0);
        let zone = self.workspace.time.zone;
        let connections = self.workspace.connections.clone();
        let history = &self.workspace.query_history;
        let correlations = &self.workspace.correlations;
        let slos = self.slo_summaries();
        let completions = &mut self.completions;
        let layout = &mut self.workspace.layout;
        let panel_states = &mut self.panels;
        let live = &self.live;
        egui::ScrollArea::vertical().show(ui, |ui| {
            let mut draw = |ui: &mut egui::Ui, panel: &mut Panel| {
                let state = panel_states.entry(panel.id).or_default();
                let frame = egui::Frame::group(ui.style()).inner_margin(8.0);
                let response = frame.show(ui, |ui| {
                    ui.set_height(height);
                    ui.set_width(ui.available_width());
                    let mut actions = Vec::new();
                    if let Some(range) = layout.own_range.get(&panel.id) {
                        ui.horizontal(|ui| {
                            ui.label(
                                egui::RichText::new(format!(
                                    "Own range from a link: {}",
                                    range.label(zone)
                                ))
                                .small()
                                .italics(),
                            );
                            if ui.small_button("Use the global range").clicked() {
                                actions.push(Action::ClearOwnRange(panel.id));
                            }
                        });
                    }
                    state.width_px = ui.available_width();
                    let loading = state
                        .job
                        .as_ref()
                        .map(|j| (j.elapsed(), j.bytes_received()));
                    actions.extend(match &mut panel.kind {
                        PanelKind::Slo(spec) => slo_panel_ui(
                            ui,
                            SloPanelView {
                                id: panel.id,
                                title: &panel.title,
                                spec,
                                connections: &connections,
                                loading: loading.is_some(),
                                last: match &state.last {
                                    Some(Ok(PanelData::Slo(s))) => Some(Ok(s)),
                                    Some(Err(e)) => Some(Err(e)),
                                    _ => None,
                                },
                                zone,
                            },
                        ),
                        PanelKind::SloOverview(spec) => {
                            let rows: Vec<SloRow<'_>> = slos
                                .iter()
                                .map(|s| SloRow {
                                    panel: s.0,
                                    name: &s.1,
                                    service: &s.2,
                                    objective: s.3,
                                    status: s.4.as_deref(),
                                    error: s.5.clone(),
                                })
                                .collect();
                            slo_overview_ui(ui, panel.id, &panel.title, spec, &rows)
                        }
                        PanelKind::Metrics(spec) => {
                            let panel_history = spec
                                .connection
                                .and_then(|c| history.get(&c))
                                .map_or(&[][..], Vec::as_slice);
                            let panel_completion = spec
                                .connection
                                .map(|c| Arc::clone(completions.entry(c).or_default()));
                            metrics_panel_ui(
                                ui,
                                MetricsPanelView {
                                    id: panel.id,
                                    title: &panel.title,
                                    spec,
                                    connections: &connections,
                                    loading,
                                    last: match &state.last {
                                        Some(Ok(PanelData::Metrics(o))) => Some(Ok(o)),
                                        Some(Err(e)) => Some(Err(e)),
                                        _ => None,
                                    }
                                    .map(|r| r.map(panel_state::MetricsOutcome::shown)),
                                    zone,
                                    hidden: &mut state.hidden_series,
                                    history: panel_history,
                                    completion: panel_completion.as_deref(),
                                    correlations,
                                },
                            )
                        }
                        PanelKind::Logs(spec) => {
                            let log_history = spec
                                .connection
                                .and_then(|c| history.get(&c))
                                .map_or(&[][..], Vec::as_slice);
                            let log_completion = spec
                                .connection
                                .map(|c| Arc::clone(completions.entry(c).or_default()));
                            ui.strong(&panel.title);
                            logs_panel_ui(
                                ui,
                                LogsPanelView {
                                    id: panel.id,
                                    spec,
                                    loading: state.job.as_ref().map(|j| {
                                        (j.elapsed(), j.bytes_received(), j.items_received())
                                    }),
                                    last: match &state.last {
                                        Some(Ok(PanelData::Logs(o))) => Some(Ok((
                                            &o.batch,
                                            (o.start, o.end),
                                            o.volume.as_ref(),
                                        ))),
                                        Some(Err(e)) => Some(Err(e)),
                                        _ => None,
                                    },
                                    zone,
                                    history: log_history,
                                    completion: log_completion.as_deref(),
                                    live: live.get(&panel.id).map(live_tail::LiveTail::status),
                                    connections: &connections,
                                },
                            )
                        }
                        PanelKind::Traces(spec) => {
                            let trace_completion = spec
                                .connection
                                .map(|c| Arc::clone(completions.entry(c).or_default()));
                            ui.strong(&panel.title);
                            traces_panel_ui(
                                ui,
                                TracesPanelView {
                                    id: panel.id,
                                    spec,
                                    loading: loading.is_some(),
                                    last: match &state.last {
                                        Some(Ok(PanelData::Traces(t))) => Some(Ok(t)),
                                        Some(Err(e)) => Some(Err(e)),
                                        _ => None,
                                    },
                                    open_trace: state.open_trace.as_ref(),
                                    opening: state.trace_opening(),
                                    results_graph: state.results_graph.as_ref(),
                                    results_graph_progress: state
                                        .results_graph_job
                                        .as_ref()
                                        .map(|j| j.items_received()),
                                    zone,
                                    connections: &connections,
                                    focus: &mut state.focus,
                                    completion: trace_completion.as_deref(),
                                },
                            )
                        }
                    });
                    actions
                });
                state.rect = Some(response.response.rect);
                if scroll_to == Some(panel.id) {
                    response.response.scroll_to_me(Some(egui::Align::TOP));
                }
                // A link remembers the panel it was clicked in, to open beside it.
                actions.extend(response.inner.into_iter().map(|a| match a {
                    Action::Follow(link) => Action::FollowFrom(link, panel.id),
                    a => a,
                }));
            };
            let panels = &mut self.workspace.panels;
            if let Some(panel) = viewed.and_then(|id| panels.iter_mut().find(|p| p.id == id)) {
                draw(ui, panel);
                return;
            }
            let mut i = 0;
            while i < panels.len() {
                let paired = panels
                    .get(i + 1)
                    .is_some_and(|next| layout.beside.contains(&next.id));
                if paired {
                    let (left, right) = panels.split_at_mut(i + 1);
                    ui.columns(2, |columns| {
                        draw(&mut columns[0], &mut left[i]);
                        draw(&mut columns[1], &mut right[0]);
                    });
                    i += 2;
                } else {
                    draw(ui, &mut panels[i]);
                    i += 1;
                }
                ui.add_space(8.0);
            }
        });
    }

    /// Each SLO panel's definition summary and last evaluation, for the overview.
    #[allow(clippy::type_complexity)] // A private snapshot read right after.
    fn slo_summaries(
        &self,
    ) -> Vec<(
        PanelId,
        String,
        String,
        f64,
        Option<Arc<crate::slo::evaluate::SloStatus>>,
        Option<String>,
    )> {
        self.workspace
            .panels
            .iter()
            .filter_map(|p| match &p.kind {
                PanelKind::Slo(spec) => {
                    let (status, error) = match self.panels.get(&p.id).and_then(|s| s.last.as_ref())
                    {
                        Some(Ok(PanelData::Slo(s))) => (Some(Arc::clone(s)), None),
                        Some(Err(e)) => (None, Some(e.to_string())),
                        _ => (None, None),
                    };
                    Some((
                        p.id,
                        spec.definition.name.clone(),
                        spec.definition.service.clone(),
                        spec.definition.objective,
                        status,
                        error,
                    ))
                }
                _ => None,
            })
            .collect()
    }
}
