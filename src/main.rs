//! The `signalscope` binary: parse arguments, start the runtime, open the window.

use clap::Parser as _;
use signalscope::app::SignalscopeApp;
use signalscope::cli::Cli;
use signalscope::fetch::Runtime;
use std::sync::Arc;

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "signalscope=info,warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let runtime = match Runtime::new() {
        Ok(rt) => Arc::new(rt),
        Err(e) => {
            eprintln!("signalscope: cannot start the background runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
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
        Box::new(move |_cc| Ok(Box::new(SignalscopeApp::new(runtime, startup)))),
    );
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("signalscope: cannot open the window: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
