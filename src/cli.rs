//! Command-line arguments and how they turn into the app's starting workspace.

use crate::app::Startup;
use crate::workspace::{self, Workspace, WorkspaceError};
use clap::Parser;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "signalscope",
    version,
    about = "A native desktop observability explorer"
)]
pub struct Cli {
    /// Workspace file to open (RON). Without it, the workspace in the platform config dir.
    pub workspace: Option<PathBuf>,

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
        let path = self.workspace.clone().or_else(workspace::default_path);
        let first_run = self.workspace.is_none()
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
