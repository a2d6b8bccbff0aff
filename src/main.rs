//! The `signalscope` binary: parse arguments, then open the window or run a subcommand
//! (`render` a panel to PNG; the hidden `generate` for packaging).

use clap::{CommandFactory as _, Parser as _};
use signalscope::app::SignalscopeApp;
use signalscope::cli::{Cli, Command, Generated};
use signalscope::fetch::Runtime;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

/// Decoding a large trace allocates millions of small strings and frees them when the trace
/// closes; mimalloc does both in about a third of glibc's time (BENCHMARKS.md, trace decode).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Set to quit once the first frame is on screen, printing how long that took: the "time to
/// first frame" in BENCHMARKS.md (`SIGNALSCOPE_EXIT_AFTER_FIRST_FRAME=1 xvfb-run signalscope`).
const EXIT_AFTER_FIRST_FRAME: &str = "SIGNALSCOPE_EXIT_AFTER_FIRST_FRAME";

/// The app, timed to its first painted frame and then closed.
struct FirstFrameTimer {
    app: SignalscopeApp,
    started: Instant,
    frames: u32,
}

impl eframe::App for FirstFrameTimer {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        self.app.ui(ui, frame);
        self.frames += 1;
        // `ui` runs before its frame is painted: the second call means the first is on screen.
        if self.frames == 2 {
            println!(
                "first frame after {} ms",
                self.started.elapsed().as_millis()
            );
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
        }
        ui.ctx().request_repaint();
    }
}

fn main() -> ExitCode {
    let started = Instant::now();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                // egui_wgpu warns when it renders on lavapipe, which is what `render` wants.
                .unwrap_or_else(|_| "signalscope=info,warn,egui_wgpu=error".into()),
        )
        .init();
    let cli = Cli::parse();
    match &cli.command {
        Some(Command::Render(args)) => return render(args),
        Some(Command::Generate { what, dir }) => return generate(*what, dir),
        Some(Command::OpenLink { .. }) | None => {}
    }
    let link = match cli.link() {
        Ok(link) => link,
        Err(e) => {
            eprintln!("signalscope: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match Runtime::new() {
        Ok(rt) => Arc::new(rt),
        Err(e) => {
            eprintln!("signalscope: cannot start the background runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let trace_file = cli.trace.clone();
    let mut startup = cli.startup();
    let options = cli.local_options(&startup.workspace);
    startup.local = Some(signalscope::app::LocalServices::start(&runtime, &options));
    if let Some(e) = &startup.load_error {
        tracing::error!("{e}");
    }
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Signalscope")
            .with_app_id("signalscope")
            .with_inner_size([1280.0, 800.0]),
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    let result = eframe::run_native(
        "Signalscope",
        options,
        Box::new(move |_cc| {
            let mut app = SignalscopeApp::new(runtime, startup);
            if let Some(link) = link {
                app.open_link(link);
            }
            if let Some(path) = trace_file {
                app.open_trace_path(path);
            }
            Ok(if std::env::var_os(EXIT_AFTER_FIRST_FRAME).is_some() {
                Box::new(FirstFrameTimer {
                    app,
                    started,
                    frames: 0,
                })
            } else {
                Box::new(app)
            })
        }),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("signalscope: cannot open the window: {e}");
            ExitCode::FAILURE
        }
    }
}

fn render(args: &signalscope::cli::RenderArgs) -> ExitCode {
    match signalscope::render::command::run(args) {
        Ok(done) => {
            let note = if done.has_data {
                ""
            } else {
                " (no data: the panel's empty state)"
            };
            println!(
                "wrote {} ({}x{} px){note}",
                args.out.display(),
                done.size_px[0],
                done.size_px[1]
            );
            tracing::debug!("rendered on {}", done.adapter);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("signalscope render: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

fn generate(what: Generated, dir: &std::path::Path) -> ExitCode {
    let result = std::fs::create_dir_all(dir).and_then(|()| match what {
        Generated::Man => clap_mangen::generate_to(Cli::command(), dir),
        Generated::Completions => {
            use clap_complete::Shell;
            [Shell::Bash, Shell::Zsh, Shell::Fish]
                .into_iter()
                .try_for_each(|shell| {
                    clap_complete::generate_to(shell, &mut Cli::command(), "signalscope", dir)
                        .map(|path| println!("{}", path.display()))
                })
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("signalscope generate: {}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}
