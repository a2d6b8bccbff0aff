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
}

impl Cli {
    /// Loads the workspace the arguments name and applies `--prometheus`. Never fails: a
    /// workspace that cannot be read is reported and left alone, and the app opens anyway.
    pub fn startup(&self) -> Startup {
        let path = self.workspace.clone().or_else(workspace::default_path);
        let (mut ws, path, load_error) = match path {
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
}
