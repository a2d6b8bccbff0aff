//! Headless rendering of one panel to an image: the path both `signalscope render` and the
//! GUI's "Export as PNG…" take, so the two give the same picture. Runs egui passes on a
//! private context until the panel settles, then draws them off-screen with wgpu.

pub mod command;
pub mod offscreen;
pub mod scene;

pub use offscreen::{OffscreenError, OffscreenRenderer};
pub use scene::{PanelSnapshot, snapshot_ui};

use image::RgbaImage;
use std::time::{Duration, Instant};

/// How long the panel may keep asking for another frame (a large chart is decimated on a
/// worker thread) before the last frame is drawn as it is.
const SETTLE_LIMIT: Duration = Duration::from_secs(10);

/// Light or dark look.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum RenderTheme {
    #[default]
    Dark,
    Light,
}

impl RenderTheme {
    fn visuals(self) -> egui::Visuals {
        match self {
            Self::Dark => egui::Visuals::dark(),
            Self::Light => egui::Visuals::light(),
        }
    }
}

impl From<egui::Theme> for RenderTheme {
    fn from(theme: egui::Theme) -> Self {
        match theme {
            egui::Theme::Dark => Self::Dark,
            egui::Theme::Light => Self::Light,
        }
    }
}

/// The image's size and look.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RenderOptions {
    /// Size in points; the image is this times `pixels_per_point` pixels.
    pub width: f32,
    pub height: f32,
    pub pixels_per_point: f32,
    pub theme: RenderTheme,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            width: 1200.0,
            height: 600.0,
            pixels_per_point: 1.0,
            theme: RenderTheme::Dark,
        }
    }
}

impl RenderOptions {
    /// The image's size in pixels.
    pub fn size_px(&self) -> [u32; 2] {
        [
            (self.width * self.pixels_per_point).round() as u32,
            (self.height * self.pixels_per_point).round() as u32,
        ]
    }
}

/// Renders `snapshot` as `options` say, on `renderer`'s device.
pub fn render_panel(
    renderer: &mut OffscreenRenderer,
    snapshot: &PanelSnapshot,
    options: &RenderOptions,
) -> Result<RgbaImage, OffscreenError> {
    let ctx = egui::Context::default();
    let visuals = options.theme.visuals();
    let background = visuals.panel_fill;
    ctx.set_visuals(visuals);
    // A still image: no animations to wait for, no blinking cursor.
    ctx.all_styles_mut(|s| s.animation_time = 0.0);
    // The panel edits its spec and legend state in place; the caller's copy stays as it was.
    let mut snapshot = snapshot.clone();
    let size = egui::vec2(options.width, options.height);
    let started = Instant::now();
    let mut output = None;
    for pass in 0u32.. {
        let mut input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, size)),
            time: Some(f64::from(pass)),
            ..Default::default()
        };
        input
            .viewports
            .entry(egui::ViewportId::ROOT)
            .or_default()
            .native_pixels_per_point = Some(options.pixels_per_point);
        let mut out = ctx.run_ui(input, |ui| {
            egui::CentralPanel::default().show(ui, |ui| snapshot_ui(ui, &mut snapshot));
        });
        renderer.apply_textures(std::mem::take(&mut out.textures_delta));
        let repaint = out
            .viewport_output
            .get(&egui::ViewportId::ROOT)
            .map_or(Duration::MAX, |v| v.repaint_delay);
        output = Some(out);
        // The first passes measure (grids, combo boxes); later ones wait for worker results.
        let settled = pass >= 2 && repaint > Duration::from_millis(500);
        if settled || started.elapsed() > SETTLE_LIMIT {
            break;
        }
        if pass >= 2 {
            std::thread::sleep(repaint.min(Duration::from_millis(20)));
        }
    }
    let Some(output) = output else {
        return Err(OffscreenError::Device("no frame was drawn".into()));
    };
    let image = renderer.draw(
        &ctx,
        output.shapes,
        output.pixels_per_point,
        options.size_px(),
        background,
    );
    // The context's textures die with it; free them on the renderer too.
    let mut free = egui::TexturesDelta::default();
    free.free = ctx
        .tex_manager()
        .read()
        .allocated()
        .map(|(id, _)| *id)
        .collect();
    renderer.apply_textures(free);
    image
}

/// Encodes an image as PNG.
pub fn encode_png(image: &RgbaImage) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgba8(image.clone())
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .map_err(|e| format!("PNG encoding failed: {e}"))?;
    Ok(bytes)
}

/// Renders `snapshot` on a fresh device and writes it to `path` as PNG; the GUI's export.
pub fn export_png(
    snapshot: &PanelSnapshot,
    options: &RenderOptions,
    path: &std::path::Path,
) -> Result<(), String> {
    let mut renderer = OffscreenRenderer::new().map_err(|e| e.to_string())?;
    let image = render_panel(&mut renderer, snapshot, options).map_err(|e| e.to_string())?;
    let bytes = encode_png(&image)?;
    std::fs::write(path, bytes).map_err(|e| format!("Could not write {}: {e}", path.display()))
}
