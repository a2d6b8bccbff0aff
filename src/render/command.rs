//! `signalscope render`: load the workspace, find the panel, fetch its data the way the GUI
//! does, render it off-screen and write the PNG. Every failure maps to a documented exit code
//! (see `cli::RENDER_EXIT_CODES`).

use super::{OffscreenRenderer, PanelSnapshot, RenderOptions, encode_png, render_panel};
use crate::analysis::AnalysedTrace;
use crate::app::panel_query::fetch_panel;
use crate::app::panel_state::PanelData;
use crate::cli::{RenderArgs, ZoneArg};
use crate::fetch::{Progress, Runtime};
use crate::model::TimeZoneChoice;
use crate::sources::SourceError;
use crate::sources::trace_file::open_trace_file;
use crate::store::LocalStore;
use crate::workspace::{
    self, Panel, PanelId, PanelKind, SourceKind, TraceView, TracesPanel, Workspace,
};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// Budget of the store a headless render opens for Local panels.
const STORE_BUDGET: usize = 512 * 1024 * 1024;

/// Why a render failed; each kind has its exit code.
#[derive(Debug, thiserror::Error)]
pub enum RenderFailure {
    #[error("{0}")]
    Render(String),
    #[error("{0}")]
    BadArguments(String),
    #[error("panel “{panel}”: {error}")]
    Fetch { panel: String, error: SourceError },
    #[error("no panel titled “{wanted}” in {workspace}; its panels are: {}", list_titles(.titles))]
    UnknownPanel {
        wanted: String,
        workspace: String,
        titles: Vec<String>,
    },
}

fn list_titles(titles: &[String]) -> String {
    if titles.is_empty() {
        "(none)".into()
    } else {
        titles
            .iter()
            .map(|t| format!("“{t}”"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl RenderFailure {
    /// The process exit code, as `--help` documents.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Render(_) => 1,
            Self::BadArguments(_) => 2,
            Self::Fetch { .. } => 3,
            Self::UnknownPanel { .. } => 4,
        }
    }
}

/// What a successful render did, for the command's one line of output.
#[derive(Debug)]
pub struct Rendered {
    pub size_px: [u32; 2],
    /// False when the panel's queries had nothing to run or returned nothing.
    pub has_data: bool,
    pub adapter: String,
}

/// Runs `signalscope render` with `args`.
pub fn run(args: &RenderArgs) -> Result<Rendered, RenderFailure> {
    let snapshot = match (&args.trace, &args.workspace) {
        (Some(file), _) => trace_snapshot(file, args)?,
        (None, Some(path)) => {
            let ws =
                workspace::load(path).map_err(|e| RenderFailure::BadArguments(e.to_string()))?;
            fetch_snapshot(&ws, args, Utc::now())?
        }
        (None, None) => {
            return Err(RenderFailure::BadArguments(
                "name a workspace and --panel, or --trace FILE".into(),
            ));
        }
    };
    let has_data = snapshot.data.as_ref().is_some_and(|d| match d {
        Ok(PanelData::Metrics(m)) => !m.chart.series.is_empty() || !m.table.series.is_empty(),
        Ok(PanelData::Logs(b)) => !b.batch.time_ns.is_empty(),
        Ok(PanelData::Traces(t)) => !t.is_empty(),
        Ok(PanelData::Slo(s)) => s.error_ratio.is_some(),
        Err(_) => false,
    });
    let options = RenderOptions {
        width: args.width as f32,
        height: args.height as f32,
        pixels_per_point: args.scale,
        theme: args.theme,
    };
    let mut renderer =
        OffscreenRenderer::new().map_err(|e| RenderFailure::Render(e.to_string()))?;
    let image = render_panel(&mut renderer, &snapshot, &options)
        .map_err(|e| RenderFailure::Render(e.to_string()))?;
    let bytes = encode_png(&image).map_err(RenderFailure::Render)?;
    std::fs::write(&args.out, bytes)
        .map_err(|e| RenderFailure::Render(format!("cannot write {}: {e}", args.out.display())))?;
    Ok(Rendered {
        size_px: [image.width(), image.height()],
        has_data,
        adapter: renderer.adapter_name(),
    })
}

/// Finds the panel `args` names and fetches its data over the chosen range.
pub fn fetch_snapshot(
    ws: &Workspace,
    args: &RenderArgs,
    now: DateTime<Utc>,
) -> Result<PanelSnapshot, RenderFailure> {
    let wanted = args.panel.as_deref().unwrap_or_default();
    let mut panel = find_panel(ws, wanted)
        .ok_or_else(|| RenderFailure::UnknownPanel {
            wanted: wanted.to_owned(),
            workspace: args
                .workspace
                .as_deref()
                .map_or_else(String::new, |p| p.display().to_string()),
            titles: ws.panels.iter().map(|p| p.title.clone()).collect(),
        })?
        .clone();
    if let (PanelKind::Traces(spec), Some(view)) = (&mut panel.kind, args.view) {
        spec.view = view.into();
    }
    let zone = match args.zone {
        Some(ZoneArg::Utc) => TimeZoneChoice::Utc,
        Some(ZoneArg::Local) => TimeZoneChoice::Local,
        None => ws.time.zone,
    };
    let (default_from, default_to) = ws.time.range.resolve(now);
    let parse = |t: &Option<String>, default| match t {
        Some(text) => parse_time(text, now, zone).map_err(RenderFailure::BadArguments),
        None => Ok(default),
    };
    let (from, to) = (
        parse(&args.from, default_from)?,
        parse(&args.to, default_to)?,
    );
    if from >= to {
        return Err(RenderFailure::BadArguments(format!(
            "--from ({from}) must be before --to ({to})"
        )));
    }
    let fetch_error = |error| RenderFailure::Fetch {
        panel: panel.title.clone(),
        error,
    };
    let conn = panel
        .kind
        .connection()
        .and_then(|c| ws.connection(c))
        .cloned()
        .ok_or_else(|| fetch_error(SourceError::Config("the panel has no connection".into())))?;
    let runtime = Runtime::new().map_err(|e| RenderFailure::Render(e.to_string()))?;
    let store = (conn.kind == SourceKind::Local)
        .then(|| local_store(args))
        .transpose()?;
    let secs = |t: DateTime<Utc>| t.timestamp_millis() as f64 / 1000.0;
    let data = runtime
        .handle()
        .block_on(fetch_panel(
            panel.kind.clone(),
            (secs(from), secs(to)),
            args.width as f32,
            conn,
            store,
            Arc::new(Progress::default()),
            ws.correlations.trace_id_pattern.clone(),
        ))
        .map_err(fetch_error)?;
    // A metrics panel reports each query's failure inside its result; a report with a failed
    // query is a failed report.
    if let Some(PanelData::Metrics(outcome)) = &data
        && let Some(Err(error)) = outcome.queries.iter().flatten().find(|q| q.is_err())
    {
        return Err(fetch_error(error.clone()));
    }
    Ok(PanelSnapshot {
        panel,
        data: data.map(Ok),
        open_trace: None,
        hidden: Default::default(),
        connections: ws.connections.clone(),
        range: (from, to),
        zone,
    })
}

/// A traces panel showing the first trace of `file`, over the trace's own time span.
/// A file that cannot be read or decoded is data that could not be fetched (exit code 3).
pub fn trace_snapshot(
    file: &std::path::Path,
    args: &RenderArgs,
) -> Result<PanelSnapshot, RenderFailure> {
    let title = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let fetch_error = |error| RenderFailure::Fetch {
        panel: title.clone(),
        error,
    };
    let decoded = open_trace_file(file).map_err(fetch_error)?;
    let dropped = decoded.dropped_spans;
    if dropped > 0 {
        tracing::warn!("{dropped} spans without readable ids were left out");
    }
    let trace = decoded.traces.into_iter().next().ok_or_else(|| {
        fetch_error(SourceError::Config(format!(
            "{} holds no spans",
            file.display()
        )))
    })?;
    let summary = trace.summary();
    let time = |ns: u64| DateTime::from_timestamp_nanos(ns.min(i64::MAX as u64) as i64);
    let range = (
        time(summary.start_ns),
        time(summary.start_ns.saturating_add(summary.duration_ns.max(1))),
    );
    let spec = TracesPanel {
        view: args.view.map(Into::into).unwrap_or(TraceView::Waterfall),
        ..TracesPanel::default()
    };
    Ok(PanelSnapshot {
        panel: Panel {
            id: PanelId(1),
            title,
            kind: PanelKind::Traces(spec),
        },
        data: Some(Ok(PanelData::Traces(vec![summary]))),
        open_trace: Some(Arc::new(AnalysedTrace::new(trace))),
        hidden: Default::default(),
        connections: Vec::new(),
        range,
        zone: match args.zone {
            Some(ZoneArg::Local) => TimeZoneChoice::Local,
            _ => TimeZoneChoice::Utc,
        },
    })
}

/// The store behind Local panels: what a GUI session kept in `--data-dir`, or an empty one
/// (a headless render runs no OTLP receiver, so nothing would ever arrive in it).
fn local_store(args: &RenderArgs) -> Result<LocalStore, RenderFailure> {
    match &args.data_dir {
        Some(dir) => LocalStore::open(dir, STORE_BUDGET)
            .map(|(store, _replayed)| store)
            .map_err(|e| RenderFailure::BadArguments(format!("data dir {}: {e}", dir.display()))),
        None => {
            tracing::warn!(
                "the panel reads the Local source; without --data-dir it renders from an empty store"
            );
            Ok(LocalStore::new(STORE_BUDGET))
        }
    }
}

/// The panel titled `wanted`: an exact match, else the only case-insensitive one.
fn find_panel<'a>(ws: &'a Workspace, wanted: &str) -> Option<&'a Panel> {
    let wanted = wanted.trim();
    ws.panels.iter().find(|p| p.title == wanted).or_else(|| {
        let mut matches = ws
            .panels
            .iter()
            .filter(|p| p.title.eq_ignore_ascii_case(wanted));
        match (matches.next(), matches.next()) {
            (Some(p), None) => Some(p),
            _ => None,
        }
    })
}

/// Parses `now`, `now-6h` (s, m, h, d, w), RFC 3339, Unix seconds, or a local-style
/// `YYYY-MM-DD HH:MM[:SS]` in `zone`.
pub fn parse_time(
    text: &str,
    now: DateTime<Utc>,
    zone: TimeZoneChoice,
) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix("now") {
        if rest.is_empty() {
            return Ok(now);
        }
        let bad = || format!("“{text}” is not a relative time like now-6h (units s, m, h, d, w)");
        let (sign, amount) = match rest.as_bytes()[0] {
            b'-' => (-1, &rest[1..]),
            b'+' => (1, &rest[1..]),
            _ => return Err(bad()),
        };
        let split = amount.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let (n, unit) = amount.split_at(split);
        let n: i64 = n.parse().map_err(|_| bad())?;
        let seconds = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            "w" => 7 * 86_400,
            _ => return Err(bad()),
        };
        let delta = chrono::Duration::try_seconds(n.saturating_mul(seconds)).ok_or_else(bad)?;
        return Ok(now + delta * sign);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    if !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && let Some(t) = text
            .parse()
            .ok()
            .and_then(|s| DateTime::from_timestamp(s, 0))
    {
        return Ok(t);
    }
    zone.parse(text).map_err(|_| {
        format!(
            "“{text}” is not a time: use RFC 3339 (2026-11-24T07:00:00Z), \
             2026-11-24 07:00:00 ({} time), Unix seconds, or now-6h",
            zone.name()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    #[test]
    fn relative_absolute_and_unix_times_parse() {
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap();
        let z = TimeZoneChoice::Utc;
        assert_eq!(parse_time("now", now, z), Ok(now));
        assert_eq!(
            parse_time("now-6h", now, z),
            Ok(Utc.with_ymd_and_hms(2026, 11, 24, 6, 0, 0).unwrap())
        );
        assert_eq!(
            parse_time("now-2d", now, z),
            Ok(Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap())
        );
        assert_eq!(
            parse_time("2026-11-24T08:30:00+01:00", now, z),
            Ok(Utc.with_ymd_and_hms(2026, 11, 24, 7, 30, 0).unwrap())
        );
        assert_eq!(
            parse_time("2026-11-24 07:30", now, z),
            Ok(Utc.with_ymd_and_hms(2026, 11, 24, 7, 30, 0).unwrap())
        );
        assert_eq!(
            parse_time("1795506789", now, z),
            Ok(Utc.timestamp_opt(1_795_506_789, 0).unwrap())
        );
        for bad in ["now-", "now-6", "now-6y", "now*2h", "yesterday", ""] {
            assert!(parse_time(bad, now, z).is_err(), "{bad} should not parse");
        }
    }
}
