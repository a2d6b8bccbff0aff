//! Draws egui frames into a texture and reads the pixels back: no window, no surface, no
//! display server. Any wgpu adapter works; a software one (Mesa's lavapipe) is preferred
//! because it gives the same pixels on every machine.

use egui_wgpu::{RenderState, RendererOptions, ScreenDescriptor, WgpuConfiguration, WgpuSetup};
use image::RgbaImage;
use std::sync::Arc;
use std::time::Duration;

/// How long to wait for the device to finish a frame before giving up (a software rasterizer
/// at a large size is slow, but a lost device must not hang a cron job forever).
const GPU_WAIT: Duration = Duration::from_secs(30);

/// Why a frame could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum OffscreenError {
    #[error(
        "no usable graphics adapter ({0}); on a machine without a GPU install Mesa's software \
         Vulkan driver: apt-get install mesa-vulkan-drivers"
    )]
    NoAdapter(String),
    #[error("the graphics device failed: {0}")]
    Device(String),
    #[error("the image would be {0}×{1} pixels; each side must be between 1 and {2}")]
    Size(u32, u32, u32),
}

/// A wgpu device with egui's renderer on it, reused for every frame it draws.
pub struct OffscreenRenderer {
    state: RenderState,
}

impl OffscreenRenderer {
    /// Opens a device: a CPU adapter if there is one, else a discrete GPU, else any. Vulkan
    /// (Metal, DX12) first; OpenGL only when none of those has an adapter, since probing GL
    /// prints EGL's complaints about a missing display on a headless machine.
    pub fn new() -> Result<Self, OffscreenError> {
        let mut last_error = String::new();
        for backends in [wgpu::Backends::PRIMARY, wgpu::Backends::GL] {
            match Self::with_backends(backends) {
                Ok(state) => return Ok(Self { state }),
                Err(e) => last_error = e,
            }
        }
        Err(OffscreenError::NoAdapter(last_error))
    }

    fn with_backends(backends: wgpu::Backends) -> Result<RenderState, String> {
        let mut setup = egui_wgpu::WgpuSetupCreateNew::without_display_handle();
        setup.instance_descriptor.backends = backends;
        setup.native_adapter_selector = Some(Arc::new(|adapters, _surface| {
            let mut adapters: Vec<_> = adapters.iter().collect();
            adapters.sort_by_key(|a| match a.get_info().device_type {
                wgpu::DeviceType::Cpu => 0,
                wgpu::DeviceType::DiscreteGpu => 1,
                _ => 2,
            });
            adapters
                .first()
                .map(|a| (*a).clone())
                .ok_or_else(|| "no adapter found".to_owned())
        }));
        let setup = WgpuSetup::CreateNew(setup);
        let instance = pollster::block_on(setup.new_instance());
        pollster::block_on(RenderState::create(
            &WgpuConfiguration {
                wgpu_setup: setup,
                ..Default::default()
            },
            &instance,
            None,
            RendererOptions::PREDICTABLE,
        ))
        .map_err(|e| e.to_string())
    }

    /// The adapter in use, e.g. "llvmpipe (LLVM 19.1.7, 256 bits) (Vulkan, Cpu)".
    pub fn adapter_name(&self) -> String {
        let info = self.state.adapter.get_info();
        format!("{} ({:?}, {:?})", info.name, info.backend, info.device_type)
    }

    /// Uploads and frees the textures one egui pass changed (the font atlas above all).
    pub fn apply_textures(&mut self, mut delta: egui::TexturesDelta) {
        let mut renderer = self.state.renderer.write();
        // Each texture's updates apply in order; the order between textures does not matter.
        for (id, images) in delta.set.drain() {
            for image in images {
                renderer.update_texture(&self.state.device, &self.state.queue, id, &image);
            }
        }
        for id in delta.free.drain() {
            renderer.free_texture(&id);
        }
    }

    /// Draws `shapes` into a `size_px` texture cleared to `background` and returns its pixels.
    pub fn draw(
        &mut self,
        ctx: &egui::Context,
        shapes: Vec<egui::epaint::ClippedShape>,
        pixels_per_point: f32,
        size_px: [u32; 2],
        background: egui::Color32,
    ) -> Result<RgbaImage, OffscreenError> {
        let max = self.state.device.limits().max_texture_dimension_2d;
        if size_px[0] == 0 || size_px[1] == 0 || size_px[0] > max || size_px[1] > max {
            return Err(OffscreenError::Size(size_px[0], size_px[1], max));
        }
        let device = &self.state.device;
        let queue = &self.state.queue;
        let mut renderer = self.state.renderer.write();
        let screen = ScreenDescriptor {
            pixels_per_point,
            size_in_pixels: size_px,
        };
        let primitives = ctx.tessellate(shapes, pixels_per_point);
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("signalscope offscreen"),
        });
        let user_buffers =
            renderer.update_buffers(device, queue, &mut encoder, &primitives, &screen);
        let extent = wgpu::Extent3d {
            width: size_px[0],
            height: size_px[1],
            depth_or_array_layers: 1,
        };
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("signalscope offscreen target"),
            size: extent,
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: self.state.target_format,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
            view_formats: &[],
        });
        let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
        // egui's colours are gamma-space and the target is a linear (non-sRGB) format, so the
        // clear colour is given as the same gamma-space numbers.
        let [r, g, b, a] = background.to_array().map(|c| f64::from(c) / 255.0);
        {
            let mut pass = encoder
                .begin_render_pass(&wgpu::RenderPassDescriptor {
                    label: Some("signalscope offscreen pass"),
                    color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                        view: &view,
                        resolve_target: None,
                        ops: wgpu::Operations {
                            load: wgpu::LoadOp::Clear(wgpu::Color { r, g, b, a }),
                            store: wgpu::StoreOp::Store,
                        },
                        depth_slice: None,
                    })],
                    ..Default::default()
                })
                .forget_lifetime();
            renderer.render(&mut pass, &primitives, &screen);
        }

        // Rows of the read-back buffer are padded to wgpu's copy alignment.
        let row = size_px[0] as usize * 4;
        let align = wgpu::COPY_BYTES_PER_ROW_ALIGNMENT as usize;
        let padded_row = row.div_ceil(align) * align;
        let buffer = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("signalscope offscreen readback"),
            size: (padded_row * size_px[1] as usize) as u64,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        encoder.copy_texture_to_buffer(
            texture.as_image_copy(),
            wgpu::TexelCopyBufferInfo {
                buffer: &buffer,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(padded_row as u32),
                    rows_per_image: None,
                },
            },
            extent,
        );
        let submission = queue.submit(user_buffers.into_iter().chain([encoder.finish()]));
        let (sender, receiver) = std::sync::mpsc::channel();
        buffer
            .slice(..)
            .map_async(wgpu::MapMode::Read, move |r| drop(sender.send(r)));
        device
            .poll(wgpu::PollType::Wait {
                submission_index: Some(submission),
                timeout: Some(GPU_WAIT),
            })
            .map_err(|e| OffscreenError::Device(e.to_string()))?;
        receiver
            .recv_timeout(GPU_WAIT)
            .map_err(|e| OffscreenError::Device(format!("read-back never finished: {e}")))?
            .map_err(|e| OffscreenError::Device(e.to_string()))?;
        let mapped = buffer
            .slice(..)
            .get_mapped_range()
            .map_err(|e| OffscreenError::Device(e.to_string()))?;
        let mut pixels = Vec::with_capacity(row * size_px[1] as usize);
        for line in mapped.chunks_exact(padded_row) {
            pixels.extend_from_slice(&line[..row]);
        }
        drop(mapped);
        if self.state.target_format == wgpu::TextureFormat::Bgra8Unorm {
            for px in pixels.chunks_exact_mut(4) {
                px.swap(0, 2);
            }
        }
        RgbaImage::from_raw(size_px[0], size_px[1], pixels)
            .ok_or_else(|| OffscreenError::Device("read-back has the wrong size".into()))
    }
}
