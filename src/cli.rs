//! Command-line arguments and how they turn into the app's starting workspace.

use crate::app::Startup;
use crate::render::RenderTheme;
use crate::workspace::{self, Workspace, WorkspaceError};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "signalscope",
    version,
    about = "A native desktop observability explorer",
    long_about = "A native desktop observability explorer: Prometheus, Loki, Jaeger, Tempo and \
OTLP in one fast window. Without a subcommand it opens the window; `signalscope render` turns \
a panel into a PNG without one.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Workspace file to open (RON), or a signalscope:// link (`signalscope://open?workspace=PATH`
    /// opens PATH; other links open the default workspace). Without it, the workspace in the
    /// platform config dir.
    pub workspace: Option<PathBuf>,

    /// Open this trace file (Jaeger JSON, OTLP/JSON or OTLP protobuf) in a traces panel once
    /// the window is up, as File → Open trace… does.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,

    /// Add a Prometheus connection at this URL and open a metrics panel on it.
    #[arg(long, value_name = "URL")]
    pub prometheus: Option<String>,

    /// Open the demo workspace and run the built-in demo shop (not saved over your workspace).
    #[arg(long)]
    pub demo: bool,

    /// Listen address of the OTLP/HTTP receiver [default: the workspace's, 127.0.0.1:4318].
    #[arg(long, value_name = "ADDR")]
    pub otlp_listen: Option<String>,

    /// Listen address of the OTLP/gRPC receiver [default: the workspace's, 127.0.0.1:4317].
    #[arg(long, value_name = "ADDR")]
    pub otlp_grpc_listen: Option<String>,

    /// Keep the local store in this directory so it survives restarts (memory only without).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Memory budget of the local store in MiB [default: the workspace's, 512].
    #[arg(long, value_name = "MIB")]
    pub store_budget_mib: Option<u32>,
}

/// What to do instead of opening the window.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render one panel of a workspace to a PNG, with no window and no display server.
    #[command(after_long_help = RENDER_EXIT_CODES, after_help = RENDER_EXIT_CODES)]
    Render(RenderArgs),
    /// Open the window on the default workspace and follow a `signalscope://` link (as copied
    /// with a panel's "Copy link"): logs, a trace, a trace search or a chart.
    OpenLink {
        /// e.g. signalscope://trace/bdd640fb06671ad11c80317fa3b1799d
        uri: String,
    },
    /// Write the man page or shell completions (used when packaging).
    #[command(hide = true)]
    Generate {
        #[arg(value_enum)]
        what: Generated,
        /// Directory to write into (created if missing).
        dir: PathBuf,
    },
}

/// What `signalscope generate` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Generated {
    /// `signalscope.1` and one page per subcommand.
    Man,
    /// Completions for bash, zsh and fish.
    Completions,
}

/// The exit codes of `signalscope render`, shown in its `--help` and the README.
pub const RENDER_EXIT_CODES: &str = "\
Exit codes:
  0  the PNG was written (a panel whose query returned nothing shows its empty state)
  1  the image could not be rendered or written (no graphics adapter, unwritable file)
  2  bad arguments: usage errors, an unreadable workspace, a time that does not parse
  3  the panel's data could not be fetched (connection unreachable, timeout, HTTP or query error)
  4  no panel has that title (the workspace's panel titles are listed)";

/// Arguments of `signalscope render`.
#[derive(Debug, Clone, Args)]
pub struct RenderArgs {
    /// Workspace file (RON) holding the panel and its connection.
    #[arg(required_unless_present = "trace")]
    pub workspace: Option<PathBuf>,

    /// Title of the panel to render (exact, or a unique case-insensitive match).
    #[arg(long, value_name = "TITLE", required_unless_present = "trace")]
    pub panel: Option<String>,

    /// Render a trace file (Jaeger JSON, OTLP/JSON or OTLP protobuf) instead of a workspace
    /// panel: its first trace, over its own time span.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["workspace", "panel", "data_dir", "from", "to"])]
    pub trace: Option<PathBuf>,

    /// How a trace is drawn [default: the panel's view; waterfall for --trace].
    #[arg(long, value_enum)]
    pub view: Option<TraceViewArg>,

    /// PNG file to write.
    #[arg(long, short, value_name = "FILE")]
    pub out: PathBuf,

    /// Start of the range: RFC 3339 (2026-11-24T07:00:00Z), `YYYY-MM-DD HH:MM[:SS]` in the
    /// zone, Unix seconds, or relative like `now-6h` [default: the workspace's range].
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub from: Option<String>,

    /// End of the range, in the same forms as --from [default: now, or the workspace's].
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub to: Option<String>,

    /// Image width in points.
    #[arg(long, default_value_t = 1200, value_parser = clap::value_parser!(u32).range(100..=8192))]
    pub width: u32,

    /// Image height in points.
    #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u32).range(100..=8192))]
    pub height: u32,

    /// Pixels per point (2 for a sharp image on a high-DPI screen).
    #[arg(long, default_value_t = 1.0, value_parser = parse_scale)]
    pub scale: f32,

    #[arg(long, value_enum, default_value_t = RenderTheme::Dark)]
    pub theme: RenderTheme,

    /// Time zone of the header and axes [default: the workspace's].
    #[arg(long, value_enum)]
    pub zone: Option<ZoneArg>,

    /// Local store directory a GUI session kept with --data-dir, for panels on the Local
    /// source (without it they render from an empty store).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

/// `--view`: the traces panel's ways of drawing a trace that make sense in a picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TraceViewArg {
    Waterfall,
    Flame,
    AggregatedFlame,
    Statistics,
    ServiceGraph,
}

impl From<TraceViewArg> for crate::workspace::TraceView {
    fn from(view: TraceViewArg) -> Self {
        match view {
            TraceViewArg::Waterfall => Self::Waterfall,
            TraceViewArg::Flame => Self::Flame,
            TraceViewArg::AggregatedFlame => Self::AggregatedFlame,
            TraceViewArg::Statistics => Self::Statistics,
            TraceViewArg::ServiceGraph => Self::ServiceGraph,
        }
    }
}

/// `--zone`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ZoneArg {
    Utc,
    Local,
}

fn parse_scale(text: &str) -> Result<f32, String> {
    match text.parse::<f32>() {
        Ok(s) if (0.25..=8.0).contains(&s) => Ok(s),
        _ => Err(format!("“{text}” is not a scale between 0.25 and 8")),
    }
}

impl Cli {
    /// The link to follow once the window opens: `open-link URI`, or a positional
    /// `signalscope://` link that shows a view (the desktop's URI handler passes those).
    pub fn link(
        &self,
    ) -> Result<Option<crate::workspace::Link>, crate::workspace::link::LinkError> {
        use crate::workspace::Link;
        if let Some(Command::OpenLink { uri }) = &self.command {
            return Link::from_uri(uri).map(Some);
        }
        let Some(text) = self.workspace.as_deref().and_then(|p| p.to_str()) else {
            return Ok(None);
        };
        let is_link = text.to_ascii_lowercase().starts_with("signalscope:");
        let opens_workspace = url::Url::parse(text).is_ok_and(|u| u.host_str() == Some("open"));
        if !is_link || opens_workspace {
            return Ok(None);
        }
        Link::from_uri(text).map(Some)
    }
}

/// The workspace file a positional argument names: a path as it is, or the `workspace` query
/// parameter of a `signalscope:` link (the desktop file registers the scheme and passes links
/// here). Any other link names no file, so the default workspace opens.
pub fn workspace_from_arg(arg: &std::path::Path) -> Option<PathBuf> {
    let text = arg.to_str()?;
    if !text.to_ascii_lowercase().starts_with("signalscope:") {
        return Some(arg.to_owned());
    }
    let link = url::Url::parse(text).ok()?;
    link.query_pairs()
        .find(|(k, _)| k == "workspace")
        .map(|(_, v)| PathBuf::from(v.into_owned()))
        .filter(|p| !p.as_os_str().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;
    use std::path::Path;

    #[test]
    fn links_name_a_workspace_or_none_and_paths_stay_paths() {
        assert_eq!(
            workspace_from_arg(Path::new("team.ron")),
            Some(PathBuf::from("team.ron"))
        );
        assert_eq!(
            workspace_from_arg(Path::new(
                "signalscope://open?workspace=%2Fhome%2Fme%2Fteam.ron"
            )),
            Some(PathBuf::from("/home/me/team.ron"))
        );
        assert_eq!(workspace_from_arg(Path::new("signalscope://open")), None);
        assert_eq!(workspace_from_arg(Path::new("SIGNALSCOPE:garbage")), None);
    }

    #[test]
    fn open_link_and_view_links_given_as_the_argument_are_followed() {
        use crate::workspace::LinkTarget;
        let trace = "bdd640fb06671ad11c80317fa3b1799d";
        let uri = format!("signalscope://trace/{trace}?span=bd9c66b3ad3c2d6d");
        let cli = Cli::try_parse_from(["signalscope", "open-link", &uri]).unwrap();
        let link = cli.link().unwrap().expect("a link");
        assert!(
            matches!(link.to, LinkTarget::Trace { trace_id, span: Some(_) }
            if trace_id.to_string() == trace)
        );
        // The desktop's URI handler passes the link as the argument.
        let cli =
            Cli::try_parse_from(["signalscope", "signalscope://logs?label=service_name%3Dpay"])
                .unwrap();
        assert!(matches!(cli.link(), Ok(Some(_))));
        // A workspace link or a file is not a view link.
        for arg in ["signalscope://open?workspace=%2Ftmp%2Fw.ron", "team.ron"] {
            let cli = Cli::try_parse_from(["signalscope", arg]).unwrap();
            assert_eq!(cli.link(), Ok(None), "{arg}");
        }
        let cli = Cli::try_parse_from(["signalscope", "open-link", "signalscope://nope"]).unwrap();
        assert!(cli.link().is_err());
    }

    #[test]
    fn the_render_subcommand_and_the_plain_window_arguments_both_parse() {
        let cli = Cli::try_parse_from(["signalscope", "ws.ron", "--demo"]).unwrap();
        assert!(cli.command.is_none() && cli.demo);
        assert_eq!(cli.workspace, Some(PathBuf::from("ws.ron")));
        let cli = Cli::try_parse_from(["signalscope", "--prometheus", "http://p:9090"]).unwrap();
        assert_eq!(cli.prometheus.as_deref(), Some("http://p:9090"));
        let cli = Cli::try_parse_from([
            "signalscope",
            "render",
            "ws.ron",
            "--panel",
            "Up",
            "--out",
            "up.png",
            "--from",
            "now-6h",
        ])
        .unwrap();
        let Some(Command::Render(args)) = cli.command else {
            panic!("render")
        };
        assert_eq!((args.width, args.height, args.scale), (1200, 600, 1.0));
        assert_eq!(args.from.as_deref(), Some("now-6h"));
        let err =
            Cli::try_parse_from(["signalscope", "render", "ws.ron", "--out", "x.png"]).unwrap_err();
        assert_eq!(err.exit_code(), 2, "--panel is required");
        let cli = Cli::try_parse_from([
            "signalscope",
            "render",
            "--trace",
            "t.json",
            "--view",
            "flame",
            "--out",
            "t.png",
        ])
        .unwrap();
        let Some(Command::Render(args)) = cli.command else {
            panic!("render")
        };
        assert_eq!(args.trace, Some(PathBuf::from("t.json")));
        assert_eq!(args.view, Some(TraceViewArg::Flame));
        let err = Cli::try_parse_from([
            "signalscope",
            "render",
            "ws.ron",
            "--trace",
            "t.json",
            "--out",
            "x.png",
        ])
        .unwrap_err();
        assert_eq!(
            err.exit_code(),
            2,
            "--trace renders a file, not a workspace"
        );
        let err = Cli::try_parse_from(["signalscope", "render", "--out", "x.png"]).unwrap_err();
        assert_eq!(err.exit_code(), 2, "a workspace or a trace is required");
        Cli::command().debug_assert();
    }

    #[test]
    fn the_window_opens_a_trace_file_given_with_trace() {
        let cli = Cli::try_parse_from(["signalscope", "--trace", "t.json"]).unwrap();
        assert_eq!(cli.trace, Some(PathBuf::from("t.json")));
        assert!(cli.command.is_none() && cli.workspace.is_none());
        let cli = Cli::try_parse_from(["signalscope", "ws.ron", "--trace", "t.json"]).unwrap();
        assert_eq!(cli.workspace, Some(PathBuf::from("ws.ron")));
        assert_eq!(cli.trace, Some(PathBuf::from("t.json")));
        // The window's flag is not render's: render takes its own.
        let err = Cli::try_parse_from(["signalscope", "--trace", "t.json", "render", "--out", "x"])
            .unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }
}

/// How to run the local services this session: the workspace's settings with the command
/// line's overrides, which are not written back to the workspace.
#[derive(Clone, Debug, PartialEq)]
pub struct LocalOptions {
    pub otlp_http_listen: String,
    pub otlp_grpc_listen: String,
    pub data_dir: Option<PathBuf>,
    pub store_budget_mib: u32,
    pub demo_workload: bool,
}

impl Cli {
    /// Loads the workspace the arguments name and applies `--prometheus`. Never fails: a
    /// workspace that cannot be read is reported and left alone, and the app opens anyway.
    pub fn startup(&self) -> Startup {
        let explicit = self.workspace.as_deref().and_then(workspace_from_arg);
        let path = explicit.clone().or_else(workspace::default_path);
        let first_run = explicit.is_none()
            && self.prometheus.is_none()
            && path.as_ref().is_some_and(|p| !p.exists());
        let (mut ws, path, load_error) = match path {
            // Explicit demo: a fresh demo workspace that is not saved over the user's.
            _ if self.demo => (Workspace::demo(), None, None),
            // First run: the demo, so a newcomer sees live telemetry at once.
            Some(path) if first_run => (Workspace::demo(), Some(path), None),
            Some(path) if path.exists() => match workspace::load(&path) {
                Ok(ws) => (ws, Some(path), None),
                Err(e) => (Workspace::default(), None, Some(e.to_string())),
            },
            // A named file that does not exist yet is created on the first save.
            Some(path) => (Workspace::default(), Some(path), None),
            None => (
                Workspace::default(),
                None,
                Some(
                    WorkspaceError::Io {
                        path: PathBuf::from("(config dir)"),
                        message: "no home directory; the workspace will not be saved".into(),
                    }
                    .to_string(),
                ),
            ),
        };
        let mut run_now: Vec<_> = ws.panels.iter().map(|p| p.id).collect();
        if let Some(url) = &self.prometheus {
            let id = ws.add_prometheus_with_panel(url, "up");
            run_now.push(id);
            if ws.time.auto_refresh_secs.is_none() {
                ws.time.auto_refresh_secs = Some(10);
            }
        }
        Startup {
            workspace: ws,
            path,
            load_error,
            run_now,
            local: None,
        }
    }

    /// The local services' settings for this session.
    pub fn local_options(&self, ws: &Workspace) -> LocalOptions {
        LocalOptions {
            otlp_http_listen: self
                .otlp_listen
                .clone()
                .unwrap_or_else(|| ws.local.otlp_http_listen.clone()),
            otlp_grpc_listen: self
                .otlp_grpc_listen
                .clone()
                .unwrap_or_else(|| ws.local.otlp_grpc_listen.clone()),
            data_dir: self.data_dir.clone(),
            store_budget_mib: self
                .store_budget_mib
                .unwrap_or(ws.local.store_budget_mib)
                .max(16),
            demo_workload: self.demo || ws.local.demo_workload,
        }
    }
}
