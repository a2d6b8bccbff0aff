//! Traces panels on Jaeger and Tempo connections, driven through their accessible widgets
//! against replay servers serving the recorded responses: search, the list of traces, and a
//! click that opens one (fetched by id from the same server).

mod loki_support;
mod support;
mod trace_replay;

use chrono::TimeZone as _;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use signalscope::app::{SignalscopeApp, Startup};
use signalscope::fetch::Runtime;
use signalscope::model::TimeRange;
use signalscope::workspace::{
    Connection, ConnectionId, Panel, PanelId, PanelKind, SourceKind, TracesPanel, Workspace,
};
use std::sync::Arc;
use trace_replay::{JSON, Query, Replay, TEXT, fixture, go_not_found};

const STORY: &str = "bdd640fb06671ad11c80317fa3b1799d";

fn harness(
    kind: SourceKind,
    url: &str,
    spec: TracesPanel,
    more: impl FnOnce(&mut Workspace),
) -> (Harness<'static, SignalscopeApp>, PanelId) {
    let mut ws = Workspace::default();
    let id = ConnectionId(5);
    let mut conn = Connection::prometheus(id, kind.name(), url);
    conn.kind = kind;
    ws.connections.push(conn);
    ws.time.range = TimeRange::Absolute {
        from: chrono::Utc.with_ymd_and_hms(2026, 11, 24, 7, 0, 0).unwrap(),
        to: chrono::Utc.with_ymd_and_hms(2026, 11, 24, 8, 0, 0).unwrap(),
    };
    let panel = PanelId(1);
    ws.panels.push(Panel {
        id: panel,
        title: "Traces".into(),
        kind: PanelKind::Traces(TracesPanel {
            connection: Some(id),
            ..spec
        }),
    });
    more(&mut ws);
    let app = SignalscopeApp::new(
        Arc::new(Runtime::new().unwrap()),
        Startup {
            workspace: ws,
            path: None,
            load_error: None,
            run_now: vec![],
            local: None,
        },
    );
    let h = Harness::builder()
        .with_size(egui::vec2(1280.0, 1400.0))
        .build_ui_state(|ui, app: &mut SignalscopeApp| app.frame_ui(ui), app);
    (h, panel)
}

/// A fresh traces panel on a Tempo at `url`.
fn tempo_panel(url: &str) -> (Harness<'static, SignalscopeApp>, PanelId) {
    harness(SourceKind::Tempo, url, TracesPanel::default(), |_| {})
}

#[test]
fn tempo_traceql_search_lists_the_story_trace_and_a_click_opens_it() {
    let tempo = Replay::start(|path, q: &Query| match path {
        "/api/search" => match q.get("q").map(String::as_str) {
            Some("{ status = error }") => {
                (200, JSON, fixture("tempo/search-traceql-status-error.json"))
            }
            _ => (400, TEXT, fixture("tempo/error-400-invalid-traceql.txt")),
        },
        p if p == format!("/api/v2/traces/{STORY}") => (200, JSON, fixture("tempo/trace-v2.json")),
        _ => go_not_found(),
    });
    let (mut h, panel) = tempo_panel(&tempo.url);
    h.run_steps(2);
    // Tempo's panel asks for TraceQL, not Jaeger's form.
    assert!(h.query_by_label("Service").is_none());
    h.get_by_label("TraceQL").click();
    h.step();
    h.get_by_label("TraceQL").type_text("{ status = error }");
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    support::step_until(&mut h, "the search", |h| h.state().has_result(panel));
    h.run_steps(2);
    let search = tempo
        .requests()
        .into_iter()
        .find(|(p, _)| p == "/api/search")
        .expect("a search request")
        .1;
    assert_eq!(search.get("start").map(String::as_str), Some("1795503600"));
    assert_eq!(search.get("end").map(String::as_str), Some("1795507200"));

    h.get_by_label("frontend: GET /checkout").click();
    support::step_until(&mut h, "the opened trace", |h| {
        h.state().open_trace(panel).is_some()
    });
    h.run_steps(2);
    assert!(tempo.paths().contains(&format!("/api/v2/traces/{STORY}")));
    let trace = h.state().open_trace(panel).unwrap();
    assert_eq!(trace.trace_id.to_string(), STORY);
    assert!(
        trace.spans.iter().any(|s| s.name == "POST /api/checkout"),
        "the checkout span is in the opened trace"
    );

    // TraceQL Tempo rejects: its own words.
    h.get_by_label("TraceQL").click();
    h.step();
    h.get_by_label("TraceQL").type_text(" &&");
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    support::step_until(&mut h, "Tempo's error", |h| {
        h.query_by_label_contains("invalid TraceQL").is_some()
    });
}

#[test]
fn jaeger_search_needs_a_service_then_lists_summaries_and_opens_a_trace() {
    let jaeger = Replay::start(|path, q: &Query| match path {
        "/api/v3/trace-summaries"
            if q.get("query.service_name").map(String::as_str) == Some("frontend") =>
        {
            (200, JSON, fixture("jaeger/apiv3/FindTraceSummaries.json"))
        }
        "/api/v3/traces/00000000000000000000000000000001" => {
            (200, JSON, fixture("jaeger/apiv3/GetTrace.json"))
        }
        _ => go_not_found(),
    });
    let (mut h, panel) = harness(
        SourceKind::Jaeger,
        &jaeger.url,
        TracesPanel::default(),
        |_| {},
    );
    h.run_steps(2);
    h.get_by_label("Search traces").click();
    support::step_until(&mut h, "the refusal", |h| {
        h.query_by_label_contains("Jaeger searches one service at a time")
            .is_some()
    });
    // Only the health check (services) reached the server: no search without a service.
    assert!(
        !jaeger.paths().iter().any(|p| p.contains("trace")),
        "{:?}",
        jaeger.paths()
    );

    h.get_by_label("Service").click();
    h.step();
    h.get_by_label("Service").type_text("frontend");
    h.step();
    h.get_by_label("Search traces").click();
    support::step_until(&mut h, "the summaries", |h| {
        h.query_by_label("frontend: HTTP GET /").is_some()
    });
    assert!(h.query_by_label_contains("1 errors").is_some());
    assert!(h.query_by_label_contains("2 spans").is_some());

    h.get_by_label("frontend: HTTP GET /").click();
    support::step_until(&mut h, "the opened trace", |h| {
        h.state().open_trace(panel).is_some()
    });
    let trace = h.state().open_trace(panel).unwrap();
    assert_eq!(trace.spans[0].name, "foobar");
}

/// A span of a Tempo trace → its logs in a Loki logs panel: the LogQL names the trace, over
/// the span's time with the margin.
#[test]
fn logs_for_a_tempo_span_ask_loki_for_the_trace_id() {
    let tempo = Replay::start(|path, q: &Query| match path {
        "/api/search" if q.get("q").map(String::as_str) == Some("{ status = error }") => {
            (200, JSON, fixture("tempo/search-traceql-status-error.json"))
        }
        p if p == format!("/api/v2/traces/{STORY}") => (200, JSON, fixture("tempo/trace-v2.json")),
        _ => go_not_found(),
    });
    let loki = loki_support::ReplayLoki::start();
    let spec = TracesPanel {
        traceql: "{ status = error }".into(),
        ..TracesPanel::default()
    };
    let (mut h, panel) = harness(SourceKind::Tempo, &tempo.url, spec, |ws| {
        let mut conn = Connection::prometheus(ConnectionId(9), "Loki", &loki.url);
        conn.kind = SourceKind::Loki;
        conn.headers = vec![signalscope::workspace::HeaderEntry::from_input(
            "X-Scope-OrgID",
            loki_support::TENANT,
        )];
        ws.connections.push(conn);
        ws.panels.push(Panel {
            id: PanelId(2),
            title: "Logs".into(),
            kind: PanelKind::Logs(signalscope::workspace::LogsPanel {
                connection: Some(ConnectionId(9)),
                ..Default::default()
            }),
        });
    });
    h.ctx
        .set_missing_glyph_policy(egui::epaint::text::MissingGlyphPolicy::Tofu);
    h.run_steps(2);
    h.get_by_label("Search traces").click();
    support::step_until(&mut h, "the search", |h| h.state().has_result(panel));
    h.run_steps(2);
    h.get_by_label("frontend: GET /checkout").click();
    support::step_until(&mut h, "the opened trace", |h| {
        h.state().open_trace(panel).is_some()
    });
    h.run_steps(2);
    h.get_by_label("checkout: POST /api/checkout").click();
    h.run_steps(2);
    h.get_by_label("Logs for this span").click();
    support::step_until(&mut h, "the Loki query", |h| {
        h.state().has_result(PanelId(2))
    });
    let asked = loki
        .seen()
        .into_iter()
        .find(|s| {
            s.path == "/loki/api/v1/query_range"
                && !s.param("query").is_some_and(|q| q.starts_with("sum by"))
        })
        .expect("the logs panel asked Loki");
    assert_eq!(
        asked.param("query"),
        Some(format!(r#"{{service_name=~".+"}} |= "{STORY}""#).as_str())
    );
    let span = h
        .state()
        .open_trace(panel)
        .unwrap()
        .spans
        .iter()
        .find(|s| s.name == "POST /api/checkout")
        .unwrap()
        .clone();
    let start: u64 = asked.param("start").unwrap().parse().unwrap();
    let end: u64 = asked.param("end").unwrap().parse().unwrap();
    assert!(
        start < span.start_ns && end > span.end_ns,
        "the span's time with a margin"
    );
}

/// The TraceQL editor completes tag names (scoped as TraceQL spells them) and a tag's values
/// from Tempo's v2 tag endpoints.
#[test]
fn the_traceql_editor_completes_tags_and_values_from_tempo() {
    let tempo = Replay::start(|path, _q: &Query| match path {
        "/api/v2/search/tags" => (200, JSON, fixture("tempo/search-tags-v2.json")),
        "/api/v2/search/tag/resource.service.name/values" => (
            200,
            JSON,
            fixture("tempo/search-tag-resource.service.name-values-v2.json"),
        ),
        _ => go_not_found(),
    });
    let (mut h, panel) = tempo_panel(&tempo.url);
    h.run_steps(2);
    h.get_by_label("TraceQL").click();
    h.step();
    h.get_by_label("TraceQL").type_text("{ resource.service.na");
    support::step_until(&mut h, "tag names from Tempo", |h| {
        h.query_all_by_label_contains("resource.service.name")
            .count()
            > 0
    });
    h.key_press(egui::Key::Tab);
    h.step();
    h.get_by_label("TraceQL").type_text(" = \"pay");
    support::step_until(&mut h, "the tag's values", |h| {
        h.query_all_by_label_contains("payment").count() > 0
    });
    h.key_press(egui::Key::Tab);
    h.run_steps(2);
    let traceql = match &h.state().workspace.panels[0].kind {
        PanelKind::Traces(t) => t.traceql.clone(),
        _ => unreachable!(),
    };
    assert_eq!(traceql, r#"{ resource.service.name = "payment"#);
    assert!(
        tempo
            .paths()
            .contains(&"/api/v2/search/tag/resource.service.name/values".to_owned())
    );
    let _ = panel;
}

/// A Tempo traces panel that has searched `{ status = error }` and lists its two traces;
/// the replay serves the story trace by id when `serve_story`.
fn searched_tempo(serve_story: bool) -> (Replay, Harness<'static, SignalscopeApp>, PanelId) {
    searched(Replay::start(move |path, _: &Query| match path {
        "/api/search" => (200, JSON, fixture("tempo/search-traceql-status-error.json")),
        p if serve_story && p == format!("/api/v2/traces/{STORY}") => {
            (200, JSON, fixture("tempo/trace-v2.json"))
        }
        _ => go_not_found(),
    }))
}

/// A traces panel on `tempo` that has searched `{ status = error }` and lists what it found.
fn searched(tempo: Replay) -> (Replay, Harness<'static, SignalscopeApp>, PanelId) {
    let (mut h, panel) = harness(
        SourceKind::Tempo,
        &tempo.url,
        TracesPanel {
            traceql: "{ status = error }".into(),
            ..TracesPanel::default()
        },
        |_| {},
    );
    h.run_steps(2);
    h.get_by_label("Search traces").click();
    support::step_until(&mut h, "the search", |h| {
        h.query_by_label("frontend: GET /checkout").is_some()
    });
    (tempo, h, panel)
}

/// "Service graph of these traces" reads every listed trace whole from Tempo (the list holds
/// summaries) and draws the calls between their services; a listed trace Tempo no longer has
/// is named, not silently left out. Opening a trace from the list puts the trace back.
#[test]
fn the_service_graph_of_tempo_results_reads_each_listed_trace() {
    let (tempo, mut h, panel) = searched_tempo(true);
    h.get_by_label("Service graph of these traces").click();
    support::step_until(&mut h, "the graph", |h| {
        h.query_by_label_contains("Calls between services in")
            .is_some()
    });
    h.run_steps(2);
    // Both listed traces were asked for, by id.
    let paths = tempo.paths();
    assert!(
        paths.contains(&format!("/api/v2/traces/{STORY}")),
        "{paths:?}"
    );
    assert!(
        paths
            .iter()
            .any(|p| p.contains("7e2b1c5a4d3f60918273a4b5c6d7e8f")),
        "{paths:?}"
    );
    h.get_by_label_contains("Not drawn: 1 listed trace that could not be read (trace 07e2b1c5");

    // Every edge of the story trace, as the graph of the same trace read from the fixture.
    let story = signalscope::sources::trace_file::open_trace_bytes(
        "trace-v2.json",
        &fixture("tempo/trace-v2.json"),
    )
    .unwrap();
    let expected = signalscope::analysis::service_graph::service_graph(&[&story.traces[0]]);
    assert!(!expected.edges.is_empty());
    h.get_by_label(&format!(
        "Calls between services in 1 listed trace ({} spans)",
        story.traces[0].spans.len()
    ));
    for edge in &expected.edges {
        let label = format!(
            "{} -> {}: {}",
            expected.nodes[edge.from as usize].service,
            expected.nodes[edge.to as usize].service,
            signalscope::ui::service_graph_view::edge_text(edge.calls, edge.errors)
        );
        h.get_by_label(&label);
    }

    // Opening a listed trace shows the trace in the graph's place.
    h.get_by_label("frontend: GET /checkout").click();
    support::step_until(&mut h, "the opened trace", |h| {
        h.state().open_trace(panel).is_some()
    });
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("Calls between services in")
            .is_none()
    );
    h.get_by_label("Waterfall");

    // Built again and closed: the open trace is back.
    h.get_by_label("Service graph of these traces").click();
    support::step_until(&mut h, "the graph again", |h| {
        h.query_by_label("Close service graph").is_some()
    });
    h.get_by_label("Close service graph").click();
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("Calls between services in")
            .is_none()
    );
    h.get_by_label("Waterfall");
}

/// The graph reads at most `RESULTS_GRAPH_TRACES` listed traces and says how many it left;
/// a server that cannot be reached is an error, not a graph of nothing.
#[test]
fn the_results_graph_caps_the_traces_it_reads_and_stops_at_a_dead_server() {
    use signalscope::app::trace_fetch::fetch_results_graph;
    use signalscope::fetch::Progress;
    use signalscope::model::TraceId;
    use signalscope::sources::SourceError;
    use signalscope::ui::traces_panel::RESULTS_GRAPH_TRACES;

    let jaeger = Replay::start(|path, _: &Query| {
        if path.starts_with("/api/v3/traces/") {
            (200, JSON, fixture("jaeger/apiv3/GetTrace.json"))
        } else {
            go_not_found()
        }
    });
    let conn = |url: &str| {
        let mut conn = Connection::prometheus(ConnectionId(1), "Jaeger", url);
        conn.kind = SourceKind::Jaeger;
        conn
    };
    let ids: Vec<TraceId> = (1..=RESULTS_GRAPH_TRACES as u128 + 5)
        .map(|n| TraceId::from_bytes(&n.to_be_bytes()).unwrap())
        .collect();
    let progress = Progress::default();
    let graph = trace_replay::block_on(fetch_results_graph(
        conn(&jaeger.url),
        None,
        ids.clone(),
        &progress,
    ))
    .unwrap();
    assert_eq!(graph.traces, RESULTS_GRAPH_TRACES);
    assert_eq!(graph.left_out, 5);
    assert!(graph.missing.is_empty());
    assert_eq!(progress.items(), RESULTS_GRAPH_TRACES as u64 - 1);
    let asked = jaeger
        .paths()
        .iter()
        .filter(|p| p.starts_with("/api/v3/traces/"))
        .count();
    assert_eq!(asked, RESULTS_GRAPH_TRACES);
    // Each read trace counts once: the graph of one, every count times the traces read.
    let one = signalscope::sources::trace_file::open_trace_bytes(
        "GetTrace.json",
        &fixture("jaeger/apiv3/GetTrace.json"),
    )
    .unwrap();
    let one = signalscope::analysis::service_graph::service_graph(&[&one.traces[0]]);
    assert!(!one.nodes.is_empty());
    let times = |n: u32| n * RESULTS_GRAPH_TRACES as u32;
    let scaled: Vec<_> = one
        .nodes
        .iter()
        .map(|n| (n.service.clone(), times(n.span_count), times(n.error_count)))
        .collect();
    let got: Vec<_> = graph
        .graph
        .nodes
        .iter()
        .map(|n| (n.service.clone(), n.span_count, n.error_count))
        .collect();
    assert_eq!(got, scaled);

    let dead = trace_replay::block_on(fetch_results_graph(
        conn(&trace_replay::dead_url()),
        None,
        ids,
        &Progress::default(),
    ));
    assert!(
        matches!(dead, Err(SourceError::Unreachable { .. })),
        "{dead:?}"
    );
}

/// The issue's flow on Tempo: search → open a trace → collapse a subtree → flame graph →
/// select a span by clicking its frame.
#[test]
fn search_open_collapse_flame_and_select_a_span() {
    let (_tempo, mut h, panel) = searched_tempo(true);
    h.get_by_label("frontend: GET /checkout").click();
    support::step_until(&mut h, "the opened trace", |h| {
        h.state().open_trace(panel).is_some()
    });
    h.run_steps(2);
    // All ten spans are rows; the checkout subtree holds six of them.
    h.get_by_label("payment: charge card");
    h.get_by_label("checkout: SELECT shop.orders");
    h.get_by_label("Collapse checkout: POST /api/checkout")
        .click();
    h.run_steps(2);
    assert!(h.query_by_label("payment: charge card").is_none());
    assert!(h.query_by_label("checkout: SELECT shop.orders").is_none());
    h.get_by_label("checkout: POST /api/checkout");
    h.get_by_label("frontend: render cart");
    h.get_by_label("Expand checkout: POST /api/checkout");

    h.get_by_label("Flame graph").click();
    h.run_steps(2);
    // Only the list names the root until its frame is clicked; then the span pane does too.
    assert_eq!(h.query_all_by_label("frontend: GET /checkout").count(), 1);
    let area = h.get_by_label("Flame graph frames").rect();
    let root = egui::pos2(area.left() + area.width() * 0.5, area.top() + 8.0);
    h.drag_at(root);
    h.step();
    h.drop_at(root);
    h.run_steps(2);
    assert_eq!(h.query_all_by_label("frontend: GET /checkout").count(), 2);
}

/// When the server goes away between the search and the service graph, the user is told why
/// the graph could not be built, and the list stays.
#[test]
fn a_results_graph_from_a_server_that_went_away_says_why() {
    let (tempo, mut h, panel) = searched_tempo(false);
    drop(tempo);
    h.get_by_label("Service graph of these traces").click();
    support::step_until(&mut h, "the failure", |h| {
        h.query_by_label_contains("Could not build the service graph of the listed traces")
            .is_some()
    });
    assert!(
        h.query_by_label_contains("Calls between services in")
            .is_none()
    );
    assert!(h.state().has_result(panel));
    h.get_by_label("frontend: GET /checkout");
    h.get_by_label("Service graph of these traces");
}

/// "Trace ID" opens a pasted id from the panel's source without a search: hex as Jaeger and
/// Tempo print it, base64 as Tempo's JSON holds it; text that is no id is named, nothing asked.
#[test]
fn a_pasted_trace_id_opens_from_the_panels_source() {
    let tempo = Replay::start(|path, _: &Query| match path {
        p if p == format!("/api/v2/traces/{STORY}") => (200, JSON, fixture("tempo/trace-v2.json")),
        _ => go_not_found(),
    });
    let (mut h, panel) = tempo_panel(&tempo.url);
    h.run_steps(2);
    h.get_by_label("Trace ID").click();
    h.step();
    h.get_by_label("Trace ID").type_text("not-an-id");
    h.step();
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
    h.get_by_label_contains("“not-an-id” is not a trace id");
    // (Only the health check may have asked anything.)
    let trace_requests = |tempo: &Replay| -> Vec<String> {
        tempo
            .paths()
            .into_iter()
            .filter(|p| p.contains("/traces"))
            .collect()
    };
    assert!(trace_requests(&tempo).is_empty(), "{:?}", tempo.paths());

    h.get_by_label("Trace ID").click();
    h.step();
    for _ in 0.."not-an-id".len() {
        h.key_press(egui::Key::Backspace);
    }
    h.get_by_label("Trace ID").type_text(STORY);
    h.step();
    assert!(h.query_by_label_contains("is not a trace id").is_none());
    h.get_by_label("Look up").click();
    support::step_until(&mut h, "the looked-up trace", |h| {
        h.state().open_trace(panel).is_some()
    });
    assert_eq!(
        trace_requests(&tempo),
        vec![format!("/api/v2/traces/{STORY}")]
    );
    let trace = h.state().open_trace(panel).unwrap();
    assert_eq!(trace.trace_id.to_string(), STORY);
    assert_eq!(trace.spans.len(), 10);
    h.run_steps(2);
    h.get_by_label_contains(&format!("Trace {STORY}"));

    // The same id in base64 (as Tempo's JSON writes it) is the same trace.
    use base64::Engine as _;
    let bytes: Vec<u8> = (0..16)
        .map(|i| u8::from_str_radix(&STORY[i * 2..i * 2 + 2], 16).unwrap())
        .collect();
    let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
    h.get_by_label("Trace ID").click();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("Trace ID").type_text(&b64);
    h.step();
    h.key_press(egui::Key::Enter);
    support::step_until(&mut h, "the trace asked for again", |_| {
        trace_requests(&tempo).len() == 2
    });
    assert!(h.query_by_label_contains("is not a trace id").is_none());
    assert_eq!(
        trace_requests(&tempo),
        vec![format!("/api/v2/traces/{STORY}"); 2],
        "asked for by its hex id"
    );
    assert_eq!(
        h.state().open_trace(panel).unwrap().trace_id.to_string(),
        STORY
    );
}

/// A Tempo whose answer for a trace stops after its first `first` bytes until the test
/// releases it (one release per request, in order): a slow trace, seen half-way.
struct HeldBackTempo {
    url: String,
    release: std::sync::mpsc::Sender<()>,
}

fn held_back_tempo(body: Vec<u8>, first: usize) -> HeldBackTempo {
    use std::io::{BufRead as _, BufReader, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let (release, released) = std::sync::mpsc::channel::<()>();
    let released = Arc::new(std::sync::Mutex::new(released));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let (body, released) = (body.clone(), Arc::clone(&released));
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut request = String::new();
                let _ = reader.read_line(&mut request);
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) <= 2 {
                        break;
                    }
                }
                let path = request.split_whitespace().nth(1).unwrap_or("");
                if !path.starts_with("/api/v2/traces/") {
                    let _ = stream.write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                    return;
                }
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body[..first]);
                let _ = stream.flush();
                let go = released.lock().expect("lock").recv();
                if go.is_ok() {
                    let _ = stream.write_all(&body[first..]);
                }
            });
        }
    });
    HeldBackTempo { url, release }
}

/// A trace on its way shows what has arrived and can be cancelled: nothing opens, and the
/// next lookup of it opens it once the rest arrives.
#[test]
fn a_slow_trace_shows_its_progress_and_can_be_cancelled() {
    let tempo = held_back_tempo(fixture("tempo/trace-v2.json"), 4096);
    let (mut h, panel) = tempo_panel(&tempo.url);
    h.run_steps(2);
    h.get_by_label("Trace ID").click();
    h.step();
    h.get_by_label("Trace ID").type_text(STORY);
    h.step();
    h.key_press(egui::Key::Enter);
    let arriving = format!("Opening trace {STORY}: 4.0 KiB received");
    support::step_until(&mut h, "the first 4 KiB", |h| {
        h.query_by_label_contains(&arriving).is_some()
    });
    h.get_by_label("Cancel opening").click();
    h.run_steps(3);
    assert!(h.query_by_label_contains("Opening trace").is_none());
    h.get_by_label_contains("Opening the trace was cancelled");
    assert!(h.state().open_trace(panel).is_none());
    // The cancelled answer's rest goes nowhere.
    tempo.release.send(()).expect("server");

    h.get_by_label("Look up").click();
    support::step_until(&mut h, "the first 4 KiB again", |h| {
        h.query_by_label_contains(&arriving).is_some()
    });
    tempo.release.send(()).expect("server");
    support::step_until(&mut h, "the whole trace", |h| {
        h.state().open_trace(panel).is_some()
    });
    h.run_steps(2);
    assert_eq!(h.state().open_trace(panel).unwrap().spans.len(), 10);
    assert!(h.query_by_label_contains("Opening trace").is_none());
}

/// Jaeger UI compares two found traces; here *Diff* on a listed trace compares it (B) with the
/// open one (A): the open trace is pinned, the listed one fetched and the Compare view shown.
#[test]
fn diff_on_a_listed_trace_compares_it_with_the_open_one() {
    use base64::Engine as _;
    const OTHER: &str = "07e2b1c5a4d3f60918273a4b5c6d7e8f";
    let other_bytes: Vec<u8> = (0..16)
        .map(|i| u8::from_str_radix(&OTHER[i * 2..i * 2 + 2], 16).unwrap())
        .collect();
    // The story trace again under the other listed id (Tempo v2 writes ids in base64).
    let other_body = String::from_utf8(fixture("tempo/trace-v2.json"))
        .unwrap()
        .replace(
            "vdZA+wZnGtEcgDF/o7F5nQ==",
            &base64::engine::general_purpose::STANDARD.encode(other_bytes),
        )
        .into_bytes();
    let tempo = Replay::start(move |path, _: &Query| match path {
        "/api/search" => (200, JSON, fixture("tempo/search-traceql-status-error.json")),
        p if p == format!("/api/v2/traces/{STORY}") => (200, JSON, fixture("tempo/trace-v2.json")),
        p if p == format!("/api/v2/traces/{OTHER}") => (200, JSON, other_body.clone()),
        _ => go_not_found(),
    });
    let (tempo, mut h, panel) = searched(tempo);
    h.run_steps(2);
    assert!(
        h.query_by_label("Diff").is_none(),
        "nothing open to compare with"
    );
    h.get_by_label("frontend: GET /checkout").click();
    support::step_until(&mut h, "the story trace", |h| {
        h.state().open_trace(panel).is_some()
    });
    h.run_steps(2);
    // Only the other listed trace offers Diff.
    assert_eq!(h.get_all_by_label("Diff").count(), 1);
    h.get_by_label("Diff").click();
    support::step_until(&mut h, "the other trace", |h| {
        h.state()
            .open_trace(panel)
            .is_some_and(|t| t.trace_id.to_string() == OTHER)
    });
    h.run_steps(3);
    let paths = tempo.paths();
    assert!(
        paths.contains(&format!("/api/v2/traces/{OTHER}")),
        "{paths:?}"
    );
    // A is the story trace, B the other; the same spans make every path's delta zero.
    h.get_by_label_contains("frontend: GET /checkout (bdd640fb...");
    h.get_by_label_contains("frontend: GET /checkout (07e2b1c5...");
    h.get_by_label_contains("service/operation paths, largest change first");
    assert!(
        h.query_by_label_contains("The open trace is the baseline")
            .is_none()
    );

    // Back: the story trace again, in the view it was shown in, without asking Tempo again.
    let fetches = |tempo: &Replay| {
        tempo
            .paths()
            .iter()
            .filter(|p| p.starts_with("/api/v2/traces/"))
            .count()
    };
    let asked = fetches(&tempo);
    h.get_by_label("Back").click();
    h.run_steps(3);
    assert_eq!(
        h.state().open_trace(panel).unwrap().trace_id.to_string(),
        STORY
    );
    assert!(
        h.query_by_label_contains("service/operation paths")
            .is_none()
    );
    h.get_by_label("Find in trace");
    assert_eq!(fetches(&tempo), asked);
}

/// The *Attribute* field is read as Jaeger UI reads its tags (logfmt): several pairs, quoted
/// values and bare keys reach Jaeger as `query.attributes`; an unclosed quote is named and
/// nothing is asked.
#[test]
fn jaeger_tags_are_read_as_logfmt_and_a_bad_one_is_named() {
    let jaeger = Replay::start(|path, _: &Query| match path {
        "/api/v3/trace-summaries" => (200, JSON, fixture("jaeger/apiv3/FindTraceSummaries.json")),
        _ => go_not_found(),
    });
    let (mut h, _) = harness(
        SourceKind::Jaeger,
        &jaeger.url,
        TracesPanel {
            service: "frontend".into(),
            attribute: r#"region="eu"#.into(),
            ..TracesPanel::default()
        },
        |_| {},
    );
    h.run_steps(2);
    h.get_by_label("Search traces").click();
    support::step_until(&mut h, "the refusal", |h| {
        h.query_by_label_contains("Attribute: the value of region has no closing quote")
            .is_some()
    });
    let searched = |jaeger: &Replay| {
        jaeger
            .requests()
            .into_iter()
            .filter(|(p, _)| p == "/api/v3/trace-summaries")
            .collect::<Vec<_>>()
    };
    assert!(searched(&jaeger).is_empty(), "{:?}", jaeger.paths());

    h.get_by_label("Attribute").click();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("Attribute")
        .type_text(r#"region="eu west" error"#);
    h.step();
    h.get_by_label("Search traces").click();
    support::step_until(&mut h, "the summaries", |h| {
        h.query_by_label("frontend: HTTP GET /").is_some()
    });
    // (Leaving the field runs the search as the button does: one or two requests, the same.)
    let requests = searched(&jaeger);
    assert!(!requests.is_empty());
    for (_, query) in requests {
        let attributes: serde_json::Value = serde_json::from_str(
            query
                .get("query.attributes")
                .expect("query.attributes sent"),
        )
        .expect("JSON");
        assert_eq!(
            attributes,
            serde_json::json!({"region": "eu west", "error": "true"})
        );
    }
}
