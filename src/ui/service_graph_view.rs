//! The Service graph view of a traces panel: which service called which in the open trace (and
//! the pinned baseline, when there is one), or in every trace a search listed. Services are boxes laid out in columns by call
//! depth; calls are arrows labelled with their count and errors, red when some failed. Every
//! box and arrow is a hover-only widget with an accessible name, so screen readers and tests
//! find them.

use super::chart::service_color;
use super::trace_derived::derived;
use crate::analysis::AnalysedTrace;
use crate::analysis::service_graph::{ResultsServiceGraph, ServiceGraph, service_graph};
use egui::{Align2, Color32, FontId, Pos2, Rect, Sense, Stroke, Vec2, pos2, vec2};
use std::collections::VecDeque;
use std::sync::Arc;

const NODE_SIZE: Vec2 = vec2(170.0, 40.0);
/// Room between columns for the arrows' labels.
const COLUMN_GAP: f32 = 180.0;
const ROW_GAP: f32 = 28.0;
const MARGIN: f32 = 12.0;
const ERROR_COLOR: Color32 = Color32::from_rgb(0xf2, 0x49, 0x5c);

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `3 calls, 1 error`.
pub fn edge_text(calls: u32, errors: u32) -> String {
    format!(
        "{}, {}",
        plural(calls, "call", "calls"),
        plural(errors, "error", "errors")
    )
}

/// Each node's column: its distance in calls from a service nobody calls. Services only
/// reachable through a cycle start a column 0 of their own.
pub fn call_depths(graph: &ServiceGraph) -> Vec<u32> {
    let n = graph.nodes.len();
    let mut called = vec![false; n];
    let mut callees: Vec<Vec<u32>> = vec![Vec::new(); n];
    for e in &graph.edges {
        called[e.to as usize] = true;
        callees[e.from as usize].push(e.to);
    }
    let mut depth = vec![u32::MAX; n];
    let mut queue = VecDeque::new();
    let seeds = (0..n).filter(|&i| !called[i]).chain(0..n);
    for seed in seeds {
        if depth[seed] != u32::MAX {
            continue;
        }
        depth[seed] = 0;
        queue.push_back(seed);
        while let Some(i) = queue.pop_front() {
            for &to in &callees[i] {
                if depth[to as usize] == u32::MAX {
                    depth[to as usize] = depth[i] + 1;
                    queue.push_back(to as usize);
                }
            }
        }
    }
    depth
}

/// A graph ready to paint: node rectangles relative to the canvas' top left.
struct LaidOutGraph {
    graph: ServiceGraph,
    nodes: Vec<Rect>,
    size: Vec2,
}

fn lay_out(graph: ServiceGraph) -> LaidOutGraph {
    let depth = call_depths(&graph);
    let columns = depth.iter().max().map_or(1, |&d| d as usize + 1);
    let mut per_column = vec![0u32; columns];
    for &d in &depth {
        per_column[d as usize] += 1;
    }
    let rows = per_column.iter().copied().max().unwrap_or(1).max(1);
    let step = NODE_SIZE.y + ROW_GAP;
    let mut next_row = vec![0u32; columns];
    let nodes = depth
        .iter()
        .map(|&d| {
            let d = d as usize;
            let row = next_row[d];
            next_row[d] += 1;
            // Each column centred on the tallest, so fan-outs spread evenly.
            let top = (rows - per_column[d]) as f32 * step / 2.0;
            Rect::from_min_size(
                pos2(
                    MARGIN + d as f32 * (NODE_SIZE.x + COLUMN_GAP),
                    MARGIN + top + row as f32 * step,
                ),
                NODE_SIZE,
            )
        })
        .collect();
    let (columns, rows) = (columns as f32, rows as f32);
    let size = vec2(
        2.0 * MARGIN + columns * NODE_SIZE.x + (columns - 1.0) * COLUMN_GAP,
        2.0 * MARGIN + rows * NODE_SIZE.y + (rows - 1.0) * ROW_GAP,
    );
    LaidOutGraph { graph, nodes, size }
}

/// The point where the ray from `rect`'s centre along `dir` leaves it.
fn exit_point(rect: Rect, dir: Vec2) -> Pos2 {
    let half = rect.size() / 2.0;
    let tx = if dir.x.abs() > f32::EPSILON {
        half.x / dir.x.abs()
    } else {
        f32::INFINITY
    };
    let ty = if dir.y.abs() > f32::EPSILON {
        half.y / dir.y.abs()
    } else {
        f32::INFINITY
    };
    rect.center() + dir * tx.min(ty)
}

/// Draws the service graph of `open` and, when given and different, `baseline`.
pub fn service_graph_ui(
    ui: &mut egui::Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    open: &Arc<AnalysedTrace>,
    baseline: Option<&Arc<AnalysedTrace>>,
) {
    let mut traces = vec![open];
    if let Some(b) = baseline.filter(|b| !Arc::ptr_eq(b, open)) {
        traces.push(b);
    }
    let id = ui.make_persistent_id(("service_graph", &id_salt));
    let laid = derived(ui, id, &traces, |traces| {
        let plain: Vec<&crate::model::Trace> = traces.iter().map(|t| &t.trace).collect();
        lay_out(service_graph(&plain))
    });
    ui.label(
        egui::RichText::new(if traces.len() == 2 {
            "Calls between services in the open trace and the baseline A"
        } else {
            "Calls between services in the open trace"
        })
        .small()
        .weak(),
    );
    let Some(laid) = laid else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Building the service graph...");
        });
        return;
    };
    laid_out_graph_ui(ui, &id_salt, id, &laid);
}

/// Draws the service graph of a search's listed traces, with what it covers; returns true
/// when the user closes it.
pub fn results_graph_ui(
    ui: &mut egui::Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    results: &Arc<ResultsServiceGraph>,
) -> bool {
    let mut close = false;
    ui.horizontal_wrapped(|ui| {
        ui.label(format!(
            "Calls between services in {} ({} spans)",
            plural(results.traces as u32, "listed trace", "listed traces"),
            results.spans
        ));
        close = ui.button("Close service graph").clicked();
    });
    if results.left_out > 0 {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!(
                "The first {} listed traces only: {} more were not read.",
                results.traces + results.missing.len(),
                results.left_out
            ),
        );
    }
    if let Some((trace_id, why)) = results.missing.first() {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!(
                "Not drawn: {} that could not be read (trace {trace_id}: {why})",
                plural(
                    results.missing.len() as u32,
                    "listed trace",
                    "listed traces"
                ),
            ),
        );
    }
    // Laid out once per result; the result is replaced, never changed, when rebuilt.
    let id = ui.make_persistent_id(("results_graph", &id_salt));
    let key = Arc::as_ptr(results) as usize;
    let laid = match ui.data(|d| d.get_temp::<(usize, Arc<LaidOutGraph>)>(id)) {
        Some((k, laid)) if k == key => laid,
        _ => {
            let laid = Arc::new(lay_out(results.graph.clone()));
            ui.data_mut(|d| d.insert_temp(id, (key, Arc::clone(&laid))));
            laid
        }
    };
    laid_out_graph_ui(ui, &id_salt, id, &laid);
    close
}

fn laid_out_graph_ui(
    ui: &mut egui::Ui,
    id_salt: &(impl std::hash::Hash + std::fmt::Debug),
    id: egui::Id,
    laid: &LaidOutGraph,
) {
    if laid.graph.nodes.is_empty() {
        ui.label("No spans.");
        return;
    }
    egui::ScrollArea::both()
        .id_salt(("service_graph_scroll", id_salt))
        .auto_shrink([false, true])
        .show(ui, |ui| {
            let (canvas, _) = ui.allocate_exact_size(laid.size, Sense::hover());
            graph_canvas_ui(ui, id, canvas, laid);
        });
}

fn graph_canvas_ui(ui: &mut egui::Ui, id: egui::Id, canvas: Rect, laid: &LaidOutGraph) {
    let painter = ui.painter_at(canvas);
    let visuals = ui.visuals().clone();
    let offset = canvas.min.to_vec2();
    let node_rect = |i: u32| laid.nodes[i as usize].translate(offset);
    let graph = &laid.graph;
    let font = FontId::proportional(12.0);

    // Labels go on top of arrows and boxes, so they are drawn last.
    let mut labels = Vec::with_capacity(graph.edges.len());
    for edge in &graph.edges {
        let (from, to) = (node_rect(edge.from), node_rect(edge.to));
        let dir = (to.center() - from.center()).normalized();
        // Arrows both ways between two services run side by side.
        let both_ways = graph
            .edges
            .binary_search_by_key(&(edge.to, edge.from), |e| (e.from, e.to))
            .is_ok();
        let side = vec2(-dir.y, dir.x) * if both_ways { 5.0 } else { 0.0 };
        let start = exit_point(from, dir) + side;
        let end = exit_point(to, -dir) + side;
        let color = if edge.errors > 0 {
            ERROR_COLOR
        } else {
            visuals.weak_text_color()
        };
        let stroke = Stroke::new(1.5, color);
        painter.line_segment([start, end], stroke);
        let back = -dir * 9.0;
        let wing = vec2(-dir.y, dir.x) * 4.5;
        painter.add(egui::Shape::convex_polygon(
            vec![end, end + back + wing, end + back - wing],
            color,
            Stroke::NONE,
        ));

        // Half way, where edges fanning out of one service have parted by half a row.
        labels.push((start + (end - start) * 0.5 + side * 2.5, color));
    }

    for (i, node) in graph.nodes.iter().enumerate() {
        let rect = node_rect(i as u32);
        let border = if node.error_count > 0 {
            ERROR_COLOR
        } else {
            service_color(&node.service)
        };
        painter.rect(
            rect,
            4.0,
            visuals.extreme_bg_color,
            Stroke::new(1.5, border),
            egui::StrokeKind::Inside,
        );
        painter.rect_filled(
            Rect::from_min_size(rect.min, vec2(5.0, rect.height())),
            egui::CornerRadius {
                nw: 4,
                sw: 4,
                ne: 0,
                se: 0,
            },
            service_color(&node.service),
        );
        let detail = format!(
            "{}, {}",
            plural(node.span_count, "span", "spans"),
            plural(node.error_count, "error", "errors")
        );
        painter.text(
            rect.center_top() + vec2(2.0, 4.0),
            Align2::CENTER_TOP,
            &node.service,
            FontId::proportional(13.0),
            visuals.strong_text_color(),
        );
        painter.text(
            rect.center_bottom() + vec2(2.0, -4.0),
            Align2::CENTER_BOTTOM,
            &detail,
            FontId::proportional(11.0),
            if node.error_count > 0 {
                ERROR_COLOR
            } else {
                visuals.text_color()
            },
        );
        let name = format!("{}: {detail}", node.service);
        let response = ui.interact(rect, id.with(("node", i)), Sense::hover());
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, &name));
        response.on_hover_text(name);
    }

    for (i, (edge, (middle, color))) in graph.edges.iter().zip(labels).enumerate() {
        let text = edge_text(edge.calls, edge.errors);
        let galley = painter.layout_no_wrap(text.clone(), font.clone(), color);
        let label_rect = Rect::from_center_size(middle, galley.size() + vec2(6.0, 2.0));
        painter.rect_filled(label_rect, 2.0, visuals.panel_fill);
        painter.galley(label_rect.min + vec2(3.0, 1.0), galley, color);
        let name = format!(
            "{} -> {}: {text}",
            graph.nodes[edge.from as usize].service, graph.nodes[edge.to as usize].service
        );
        let response = ui.interact(label_rect, id.with(("edge", i)), Sense::hover());
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, &name));
        response.on_hover_text(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::service_graph::{ServiceEdge, ServiceNode};

    fn graph(names: &[&str], edges: &[(u32, u32)]) -> ServiceGraph {
        ServiceGraph {
            nodes: names
                .iter()
                .map(|n| ServiceNode {
                    service: (*n).to_owned(),
                    span_count: 1,
                    error_count: 0,
                })
                .collect(),
            edges: edges
                .iter()
                .map(|&(from, to)| ServiceEdge {
                    from,
                    to,
                    calls: 1,
                    errors: 0,
                })
                .collect(),
        }
    }

    #[test]
    fn columns_follow_call_depth_and_cycles_still_get_one() {
        // a -> b -> c, a -> c; d <-> e (nobody calls into the cycle from outside).
        let g = graph(
            &["a", "b", "c", "d", "e"],
            &[(0, 1), (1, 2), (0, 2), (3, 4), (4, 3)],
        );
        assert_eq!(call_depths(&g), vec![0, 1, 1, 0, 1]);
    }

    #[test]
    fn edge_labels_count_in_words() {
        assert_eq!(edge_text(3, 1), "3 calls, 1 error");
        assert_eq!(edge_text(1, 0), "1 call, 0 errors");
    }
}
