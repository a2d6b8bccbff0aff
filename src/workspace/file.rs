//! Reading and writing workspace files: RON, atomic writes, errors that name the place.

use super::Workspace;
use std::path::{Path, PathBuf};

/// Why a workspace file could not be used. The file itself is never modified on error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WorkspaceError {
    #[error("{}: {message}", path.display())]
    Io { path: PathBuf, message: String },
    #[error("{}:{line}:{column}: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}: format version {found} is newer than this Signalscope understands ({supported})", path.display())]
    TooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
}

/// Reads and parses a workspace file.
pub fn load(path: &Path) -> Result<Workspace, WorkspaceError> {
    let text = std::fs::read_to_string(path).map_err(|e| WorkspaceError::Io {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    parse(path, &text)
}

/// Parses workspace text; `path` is only used in messages.
pub fn parse(path: &Path, text: &str) -> Result<Workspace, WorkspaceError> {
    let workspace: Workspace = ron::from_str(text).map_err(|e| WorkspaceError::Parse {
        path: path.to_owned(),
        line: e.span.start.line,
        column: e.span.start.col,
        message: e.code.to_string(),
    })?;
    if workspace.version > super::FORMAT_VERSION {
        return Err(WorkspaceError::TooNew {
            path: path.to_owned(),
            found: workspace.version,
            supported: super::FORMAT_VERSION,
        });
    }
    Ok(workspace)
}

/// The RON text of a workspace, as it is written to disk.
pub fn to_text(workspace: &Workspace) -> String {
    let config = ron::ser::PrettyConfig::new().struct_names(true);
    // Serializing plain data with derived impls cannot fail.
    ron::ser::to_string_pretty(workspace, config).unwrap_or_default()
}

/// Writes `text` to `path` atomically: a temporary file beside it, flushed, then renamed over.
/// A crash mid-write leaves the old file intact.
pub fn save_atomic(path: &Path, text: &str) -> Result<(), WorkspaceError> {
    let io = |e: std::io::Error| WorkspaceError::Io {
        path: path.to_owned(),
        message: e.to_string(),
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let file_name = path.file_name().map_or_else(
        || "workspace.ron".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let write = || -> std::io::Result<()> {
        use std::io::Write as _;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })
}

/// Where the workspace lives when the user has not chosen a file.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("dev", "Signalscope", "signalscope")
        .map(|d| d.config_dir().join("workspace.ron"))
}
