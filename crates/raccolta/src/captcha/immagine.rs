//! The image challenge: dark glyphs, each rotated, scaled and shifted at random, on a light background, then waved
//! and crossed by lines and dots that stop a program from cutting the characters apart.

use ab_glyph::{Font, FontRef, PxScale, point};
use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, GrayImage, ImageEncoder, Luma, Rgb, RgbImage};
use imageproc::drawing::{draw_cubic_bezier_curve_mut, draw_filled_circle_mut};
use imageproc::geometric_transformations::{Interpolation, rotate_about_center, warp_with};
use rand::Rng;

use super::{CaptchaError, LUNGHEZZA};

/// DejaVu Sans Bold cut down to the characters of `ALFABETO` (licence and how to cut it again: in the same folder).
const FONT: &[u8] = include_bytes!("../../assets/captcha/DejaVuSans-Bold-captcha.ttf");

/// Size of the image for a code of `LUNGHEZZA` characters; longer codes get a wider image. Shown at this natural
/// size, the characters are about 40 pixels tall.
pub(super) const LARGHEZZA: u32 = 260;
/// Height of the image.
pub(super) const ALTEZZA: u32 = 90;
/// Empty space left and right of the characters.
const MARGINE: u32 = 10;
/// Width given to each character beyond `LUNGHEZZA`.
const CELLA_MINIMA: u32 = (LARGHEZZA - 2 * MARGINE) / LUNGHEZZA as u32;
/// Height of a character, in pixels per em (the capitals of DejaVu are about 0.73 em tall).
const SCALA: std::ops::Range<f32> = 52.0..60.0;
/// Width of a character relative to its height.
const STIRAMENTO: std::ops::Range<f32> = 0.8..1.1;
/// Rotation of a character, in radians (about ±20°).
const ROTAZIONE: std::ops::Range<f32> = -0.35..0.35;
/// Darkest and lightest background: every channel stays in this range, well above the ink.
const SFONDO: std::ops::RangeInclusive<u8> = 228..=250;
/// Lightest ink: every channel stays below it, for a contrast of at least 7:1 against the background.
const INCHIOSTRO_MASSIMO: u8 = 70;
/// Specks spread over the image.
const PUNTI: usize = 440;

/// The PNG image of `caratteri` (already checked against `ALFABETO`).
pub(super) fn png(caratteri: &[char], rng: &mut (impl Rng + ?Sized)) -> Result<Vec<u8>, CaptchaError> {
    let immagine = disegna(caratteri, rng)?;
    let mut png = Vec::new();
    PngEncoder::new(&mut png).write_image(
        immagine.as_raw(),
        immagine.width(),
        immagine.height(),
        ExtendedColorType::Rgb8,
    )?;
    Ok(png)
}

/// The whole picture: background, characters, a wave through both, then noise on top.
fn disegna(caratteri: &[char], rng: &mut (impl Rng + ?Sized)) -> Result<RgbImage, CaptchaError> {
    let mut immagine = sfondo(caratteri.len(), rng);
    scrivi(&mut immagine, caratteri, rng)?;
    let mut immagine = ondula(&immagine, rng);
    disturba(&mut immagine, rng);
    Ok(immagine)
}

/// A light background with a gentle gradient between two random tints, and faint curves behind the text.
fn sfondo(caratteri: usize, rng: &mut (impl Rng + ?Sized)) -> RgbImage {
    let larghezza = LARGHEZZA.max(2 * MARGINE + CELLA_MINIMA * caratteri as u32);
    let da: [f32; 3] = std::array::from_fn(|_| f32::from(rng.random_range(SFONDO)));
    let a: [f32; 3] = std::array::from_fn(|_| f32::from(rng.random_range(SFONDO)));
    let mut immagine = RgbImage::from_fn(larghezza, ALTEZZA, |x, _| {
        let t = x as f32 / larghezza as f32;
        Rgb(std::array::from_fn(|i| (da[i] + (a[i] - da[i]) * t).round() as u8))
    });
    for _ in 0..3 {
        let grigio = rng.random_range(175..=205);
        curva(&mut immagine, Rgb([grigio, grigio, grigio]), 1, rng);
    }
    immagine
}

/// Draws each character in its own cell, rotated, stretched and shifted at random, in a random dark colour.
fn scrivi(immagine: &mut RgbImage, caratteri: &[char], rng: &mut (impl Rng + ?Sized)) -> Result<(), CaptchaError> {
    let font = FontRef::try_from_slice(FONT)?;
    let cella = (immagine.width() - 2 * MARGINE) as f32 / caratteri.len() as f32;
    for (i, &carattere) in caratteri.iter().enumerate() {
        let altezza = rng.random_range(SCALA);
        let scala = PxScale { x: altezza * rng.random_range(STIRAMENTO), y: altezza };
        let glifo = maschera(&font, carattere, scala)?;
        let glifo = rotate_about_center(&glifo, rng.random_range(ROTAZIONE), Interpolation::Bilinear, Luma([0]));
        let centro_x = MARGINE as f32 + cella * (i as f32 + 0.5) + rng.random_range(-3.0..3.0);
        let centro_y = ALTEZZA as f32 / 2.0 + rng.random_range(-7.0..7.0);
        let colore = inchiostro(rng);
        let x0 = (centro_x - glifo.width() as f32 / 2.0).round() as i64;
        let y0 = (centro_y - glifo.height() as f32 / 2.0).round() as i64;
        for (gx, gy, Luma([copertura])) in glifo.enumerate_pixels() {
            let (x, y) = (x0 + i64::from(gx), y0 + i64::from(gy));
            if *copertura > 0 && (0..i64::from(immagine.width())).contains(&x) && (0..i64::from(ALTEZZA)).contains(&y) {
                let pixel = immagine.get_pixel_mut(x as u32, y as u32);
                *pixel = mescola(*pixel, colore, f32::from(*copertura) / 255.0);
            }
        }
    }
    Ok(())
}

/// The coverage of one character, centred in a square big enough to rotate it without cutting a corner.
fn maschera(font: &FontRef<'_>, carattere: char, scala: PxScale) -> Result<GrayImage, CaptchaError> {
    let id = font.glyph_id(carattere);
    if id.0 == 0 {
        return Err(CaptchaError::GlifoMancante(carattere));
    }
    let contorno = font
        .outline_glyph(id.with_scale_and_position(scala, point(0.0, 0.0)))
        .ok_or(CaptchaError::GlifoMancante(carattere))?;
    let limiti = contorno.px_bounds();
    let lato = limiti.width().hypot(limiti.height()).ceil() as u32 + 2;
    let dx = ((lato as f32 - limiti.width()) / 2.0).floor() as u32;
    let dy = ((lato as f32 - limiti.height()) / 2.0).floor() as u32;
    let mut maschera = GrayImage::new(lato, lato);
    contorno.draw(|x, y, copertura| {
        let (x, y) = (x + dx, y + dy);
        if x < lato && y < lato {
            maschera.put_pixel(x, y, Luma([(copertura.clamp(0.0, 1.0) * 255.0).round() as u8]));
        }
    });
    Ok(maschera)
}

/// Moves every pixel along two slow sine waves, bending the characters without breaking them.
fn ondula(immagine: &RgbImage, rng: &mut (impl Rng + ?Sized)) -> RgbImage {
    let (ampiezza_x, frequenza_x, fase_x) =
        (rng.random_range(1.0..2.5), rng.random_range(0.06..0.12), rng.random_range(0.0..std::f32::consts::TAU));
    let (ampiezza_y, frequenza_y, fase_y) =
        (rng.random_range(2.0..4.0), rng.random_range(0.03..0.06), rng.random_range(0.0..std::f32::consts::TAU));
    let bordo = *immagine.get_pixel(0, 0);
    warp_with(
        immagine,
        move |x, y| {
            (x + ampiezza_x * (y * frequenza_x + fase_x).sin(), y + ampiezza_y * (x * frequenza_y + fase_y).sin())
        },
        Interpolation::Bilinear,
        bordo,
    )
}

/// Noise on top: dark curves through the text, light scratches across it, and specks everywhere.
fn disturba(immagine: &mut RgbImage, rng: &mut (impl Rng + ?Sized)) {
    for _ in 0..2 {
        let colore = inchiostro(rng);
        curva(immagine, colore, 2, rng);
    }
    for _ in 0..2 {
        let chiaro = rng.random_range(SFONDO);
        curva(immagine, Rgb([chiaro, chiaro, chiaro]), 1, rng);
    }
    let (larghezza, altezza) = immagine.dimensions();
    for _ in 0..PUNTI {
        let centro = (rng.random_range(0..larghezza) as i32, rng.random_range(0..altezza) as i32);
        let colore = if rng.random_bool(0.5) { inchiostro(rng) } else { grigio_medio(rng) };
        draw_filled_circle_mut(immagine, centro, rng.random_range(0..=1), colore);
    }
}

/// A cubic curve from the left edge to the right edge through random control points, `spessore` pixels thick.
fn curva(immagine: &mut RgbImage, colore: Rgb<u8>, spessore: u32, rng: &mut (impl Rng + ?Sized)) {
    let (larghezza, altezza) = (immagine.width() as f32, immagine.height() as f32);
    let margine = altezza * 0.2;
    let mut y = || rng.random_range(margine..altezza - margine);
    let (inizio, fine) = ((0.0, y()), (larghezza, y()));
    let (controllo_a, controllo_b) = ((larghezza / 3.0, y()), (larghezza * 2.0 / 3.0, y()));
    for strato in 0..spessore {
        let d = strato as f32;
        let sposta = |(x, y): (f32, f32)| (x, y + d);
        draw_cubic_bezier_curve_mut(
            immagine,
            sposta(inizio),
            sposta(fine),
            sposta(controllo_a),
            sposta(controllo_b),
            colore,
        );
    }
}

/// A random dark colour: every channel at most `INCHIOSTRO_MASSIMO`.
fn inchiostro(rng: &mut (impl Rng + ?Sized)) -> Rgb<u8> {
    Rgb(std::array::from_fn(|_| rng.random_range(0..=INCHIOSTRO_MASSIMO)))
}

/// A random mid grey, for specks that are neither ink nor background.
fn grigio_medio(rng: &mut (impl Rng + ?Sized)) -> Rgb<u8> {
    let grigio = rng.random_range(90..=170);
    Rgb([grigio, grigio, grigio])
}

/// `sotto` covered by `sopra` with opacity `alfa` (0 to 1).
fn mescola(sotto: Rgb<u8>, sopra: Rgb<u8>, alfa: f32) -> Rgb<u8> {
    Rgb(std::array::from_fn(|i| {
        (f32::from(sotto[i]) * (1.0 - alfa) + f32::from(sopra[i]) * alfa).round().clamp(0.0, 255.0) as u8
    }))
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;
    use crate::captcha::{ALFABETO, immagine_png, nuovo_codice};

    /// Perceived lightness (0 dark, 255 light) of a pixel, as in ITU-R BT.601.
    fn luce(Rgb([r, g, b]): Rgb<u8>) -> f32 {
        0.299 * f32::from(r) + 0.587 * f32::from(g) + 0.114 * f32::from(b)
    }

    #[test]
    fn the_image_is_a_png_of_260_by_90_pixels() {
        let png = immagine_png(&nuovo_codice()).expect("image");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
        assert_eq!(&png[12..16], b"IHDR", "the first chunk is IHDR");
        let larghezza = u32::from_be_bytes(png[16..20].try_into().expect("4 bytes"));
        let altezza = u32::from_be_bytes(png[20..24].try_into().expect("4 bytes"));
        assert_eq!((larghezza, altezza), (LARGHEZZA, ALTEZZA));
        let decodificata = image::load_from_memory_with_format(&png, image::ImageFormat::Png).expect("the PNG decodes");
        assert_eq!((decodificata.width(), decodificata.height()), (LARGHEZZA, ALTEZZA));
        assert!(png.len() < 60_000, "the image weighs {} bytes", png.len());
    }

    #[test]
    fn the_image_is_mostly_light_background_with_dark_ink() {
        for seme in 0..20 {
            let immagine = disegna(&['K', '7', 'A', 'W', '3'], &mut StdRng::seed_from_u64(seme)).expect("image");
            let totale = immagine.pixels().len() as f32;
            let chiari = immagine.pixels().filter(|&&p| luce(p) >= 200.0).count() as f32;
            let scuri = immagine.pixels().filter(|&&p| luce(p) <= 80.0).count() as f32;
            assert!(chiari / totale >= 0.6, "seed {seme}: only {:.0}% of the image is light", 100.0 * chiari / totale);
            assert!(scuri / totale >= 0.08, "seed {seme}: only {:.0}% of the image is ink", 100.0 * scuri / totale);
        }
    }

    #[test]
    fn every_character_is_drawn_in_its_own_place() {
        let mut rng = StdRng::seed_from_u64(5);
        let caratteri: Vec<char> = "K7AW3".chars().collect();
        let mut immagine = RgbImage::from_pixel(LARGHEZZA, ALTEZZA, Rgb([255, 255, 255]));
        scrivi(&mut immagine, &caratteri, &mut rng).expect("glyphs");
        let cella = (LARGHEZZA - 2 * MARGINE) / caratteri.len() as u32;
        for i in 0..caratteri.len() as u32 {
            // The middle third of each cell holds ink of its own character only.
            let colonne = MARGINE + i * cella + cella / 3..MARGINE + i * cella + 2 * cella / 3;
            let inchiostro =
                immagine.enumerate_pixels().filter(|&(x, _, &p)| colonne.contains(&x) && luce(p) <= 128.0).count();
            assert!(inchiostro >= 60, "character {i} has only {inchiostro} dark pixels");
        }
    }

    #[test]
    fn the_image_depends_on_the_code_and_on_chance() {
        let disegno = |codice: &str, seme| {
            let caratteri: Vec<char> = codice.chars().collect();
            png(&caratteri, &mut StdRng::seed_from_u64(seme)).expect("image")
        };
        assert_eq!(disegno("K7AW3", 1), disegno("K7AW3", 1), "the same randomness gives the same image");
        assert_ne!(disegno("K7AW3", 1), disegno("K7AWX", 1), "the code must change the image");
        assert_ne!(disegno("K7AW3", 1), disegno("K7AW3", 2), "each challenge draws the code differently");
    }

    #[test]
    fn the_font_has_every_character_of_alfabeto() {
        let font = FontRef::try_from_slice(FONT).expect("the embedded font parses");
        for carattere in ALFABETO.chars() {
            assert!(maschera(&font, carattere, PxScale::from(40.0)).is_ok(), "no glyph for {carattere:?}");
        }
    }

    #[test]
    fn longer_codes_get_a_wider_image() {
        let caratteri: Vec<char> = "K7AW3K7AW".chars().collect();
        let immagine = disegna(&caratteri, &mut StdRng::seed_from_u64(9)).expect("image");
        assert!(immagine.width() > LARGHEZZA);
        assert_eq!(immagine.height(), ALTEZZA);
    }
}
