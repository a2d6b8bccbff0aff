//! Panel images: crop a frame screenshot to a panel's rectangle and encode it as PNG.

use egui::{ColorImage, Rect};

/// Cuts `rect` (in points) out of a screenshot taken at `pixels_per_point`. The rectangle is
/// rounded outwards to whole pixels and clamped to the image.
pub fn crop_to_rect(image: &ColorImage, rect: Rect, pixels_per_point: f32) -> ColorImage {
    let [w, h] = image.size;
    // Round in pixels, not points: at 2 px/pt a rect at 194.5 pt starts at pixel 389.
    let to_px = |v: f32, max: usize| (v.max(0.0) as usize).min(max);
    let x0 = to_px((rect.min.x * pixels_per_point).floor(), w);
    let y0 = to_px((rect.min.y * pixels_per_point).floor(), h);
    let x1 = to_px((rect.max.x * pixels_per_point).ceil(), w).max(x0);
    let y1 = to_px((rect.max.y * pixels_per_point).ceil(), h).max(y0);
    let mut pixels = Vec::with_capacity((x1 - x0) * (y1 - y0));
    for y in y0..y1 {
        pixels.extend_from_slice(&image.pixels[y * w + x0..y * w + x1]);
    }
    ColorImage::new([x1 - x0, y1 - y0], pixels)
}

/// Encodes as an RGBA PNG.
pub fn encode_png(image: &ColorImage) -> Result<Vec<u8>, String> {
    let [w, h] = image.size;
    let rgba: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
    let mut out = Vec::new();
    image::write_buffer_with_format(
        &mut std::io::Cursor::new(&mut out),
        &rgba,
        w as u32,
        h as u32,
        image::ExtendedColorType::Rgba8,
        image::ImageFormat::Png,
    )
    .map_err(|e| format!("PNG encoding failed: {e}"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::{Color32, pos2};

    #[test]
    fn crop_takes_pixels_per_point_into_account() {
        // A 10x10 pixel frame at 2 pixels per point, red in pixel columns 4..8, rows 2..6.
        let mut image = ColorImage::filled([10, 10], Color32::BLACK);
        for y in 2..6 {
            for x in 4..8 {
                image.pixels[y * 10 + x] = Color32::RED;
            }
        }
        let cropped = crop_to_rect(
            &image,
            Rect::from_min_max(pos2(2.0, 1.0), pos2(4.0, 3.0)),
            2.0,
        );
        assert_eq!(cropped.size, [4, 4]);
        assert!(cropped.pixels.iter().all(|&p| p == Color32::RED));
    }

    #[test]
    fn crop_rounds_in_pixels_not_points() {
        let image = ColorImage::filled([10, 10], Color32::WHITE);
        let cropped = crop_to_rect(
            &image,
            Rect::from_min_max(pos2(0.5, 0.5), pos2(2.0, 2.0)),
            2.0,
        );
        assert_eq!(cropped.size, [3, 3]);
    }

    #[test]
    fn crop_is_clamped_to_the_image() {
        let image = ColorImage::filled([4, 4], Color32::WHITE);
        let cropped = crop_to_rect(
            &image,
            Rect::from_min_max(pos2(-5.0, 2.0), pos2(50.0, 50.0)),
            1.0,
        );
        assert_eq!(cropped.size, [4, 2]);
    }

    #[test]
    fn png_round_trips_through_the_image_crate() {
        let image = ColorImage::filled([3, 2], Color32::from_rgb(1, 2, 3));
        let png = encode_png(&image).unwrap();
        let decoded = image::load_from_memory(&png).unwrap().to_rgba8();
        assert_eq!(decoded.dimensions(), (3, 2));
        assert_eq!(decoded.get_pixel(2, 1).0, [1, 2, 3, 255]);
    }
}
