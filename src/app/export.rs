//! Exporting a panel as PNG: wait for the frame to settle, screenshot it, crop to the panel,
//! and write the file in the background.

use crate::workspace::PanelId;
use egui::{ColorImage, Rect};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

/// A panel export on its way from "the user chose a file" to "the PNG is written".
pub enum ExportStep {
    /// Frames to let pass so menus close before the screenshot.
    Settling { frames_left: u8 },
    /// Screenshot requested; the image arrives on the channel.
    Capturing { rect: Rect, pixels_per_point: f32 },
}

pub struct PanelExport {
    pub panel: PanelId,
    pub path: PathBuf,
    pub step: ExportStep,
    sender: Sender<Arc<ColorImage>>,
    receiver: Receiver<Arc<ColorImage>>,
}

/// What to do this frame for an export.
pub enum ExportPoll {
    Waiting,
    /// The screenshot arrived: crop `image` to `rect` and write it.
    Ready {
        image: Arc<ColorImage>,
        rect: Rect,
        pixels_per_point: f32,
    },
}

impl PanelExport {
    pub fn new(panel: PanelId, path: PathBuf) -> Self {
        let (sender, receiver) = channel();
        Self {
            panel,
            path,
            step: ExportStep::Settling { frames_left: 2 },
            sender,
            receiver,
        }
    }

    /// Advances the export by one frame. `panel_rect` is where the panel was drawn this frame.
    pub fn poll(&mut self, ctx: &egui::Context, panel_rect: Option<Rect>) -> ExportPoll {
        match &mut self.step {
            ExportStep::Settling { frames_left } if *frames_left > 0 => {
                *frames_left -= 1;
                ctx.request_repaint();
                ExportPoll::Waiting
            }
            ExportStep::Settling { .. } => {
                let Some(rect) = panel_rect else {
                    return ExportPoll::Waiting;
                };
                let sender = self.sender.clone();
                let waker = ctx.clone();
                ctx.request_screenshot(move |image| {
                    let _ = sender.send(image);
                    waker.request_repaint();
                });
                self.step = ExportStep::Capturing {
                    rect,
                    pixels_per_point: ctx.pixels_per_point(),
                };
                ExportPoll::Waiting
            }
            ExportStep::Capturing {
                rect,
                pixels_per_point,
            } => match self.receiver.try_recv() {
                Ok(image) => ExportPoll::Ready {
                    image,
                    rect: *rect,
                    pixels_per_point: *pixels_per_point,
                },
                Err(_) => ExportPoll::Waiting,
            },
        }
    }
}
