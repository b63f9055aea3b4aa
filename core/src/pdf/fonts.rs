//! The embedded DejaVu Sans faces, shared by every PDF Galley draws (the municipal weekly
//! report, the recipe card): turning text into glyphs for krilla and measuring it for
//! layout. Compiled into the binary so rendering never reads or downloads anything;
//! krilla embeds only the glyphs a report uses (a subset), keeping the PDF small.

use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::charmap::Charmap;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::{FontRef, MetadataProvider};

/// The embedded font could not be read (a build defect, surfaced instead of a panic).
#[derive(Debug, Clone, thiserror::Error)]
#[error("the embedded font could not be read: {0}")]
pub struct FontError(pub String);

const REGULAR: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/DejaVuSans.ttf"
));
const BOLD: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/DejaVuSans-Bold.ttf"
));

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

pub struct Fonts {
    regular: Face,
    bold: Face,
}

impl Fonts {
    pub fn load() -> Result<Self, FontError> {
        Ok(Self {
            regular: Face::load(REGULAR)?,
            bold: Face::load(BOLD)?,
        })
    }

    pub fn face(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    /// Width of `text` in points at `size`.
    pub fn width(&self, text: &str, weight: Weight, size: f32) -> f32 {
        self.face(weight).width(text) * size
    }
}

/// One face, parsed twice: by krilla for embedding and by skrifa for the character map and
/// advance widths, which krilla does not expose without its shaping feature.
pub struct Face {
    pdf_font: Font,
    charmap: Charmap<'static>,
    metrics: GlyphMetrics<'static>,
    units_per_em: f32,
}

impl Face {
    fn load(data: &'static [u8]) -> Result<Self, FontError> {
        let font_ref = FontRef::new(data).map_err(|error| FontError(error.to_string()))?;
        let units_per_em = f32::from(
            font_ref
                .metrics(Size::unscaled(), LocationRef::default())
                .units_per_em,
        );
        let pdf_font = Font::new(data.into(), 0)
            .ok_or_else(|| FontError("krilla rejected the font".into()))?;
        Ok(Self {
            pdf_font,
            charmap: font_ref.charmap(),
            metrics: font_ref.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em,
        })
    }

    pub fn pdf_font(&self) -> &Font {
        &self.pdf_font
    }

    /// One glyph per character, advanced by its width. The report's languages use
    /// precomposed letters (å, ä, ö, é) that DejaVu maps directly, so no shaping engine is
    /// needed; a character the font lacks becomes the font's "missing" box, not an error.
    pub fn glyphs(&self, text: &str) -> Vec<KrillaGlyph> {
        text.char_indices()
            .map(|(start, ch)| {
                let glyph = self.glyph_id(ch);
                KrillaGlyph::new(
                    GlyphId::new(glyph.to_u32()),
                    self.advance(glyph),
                    0.0,
                    0.0,
                    0.0,
                    start..start + ch.len_utf8(),
                    None,
                )
            })
            .collect()
    }

    /// Width of `text` in ems.
    fn width(&self, text: &str) -> f32 {
        text.chars().map(|ch| self.advance(self.glyph_id(ch))).sum()
    }

    fn glyph_id(&self, ch: char) -> skrifa::GlyphId {
        self.charmap.map(ch).unwrap_or(skrifa::GlyphId::NOTDEF)
    }

    /// Advance of a glyph in ems.
    fn advance(&self, glyph: skrifa::GlyphId) -> f32 {
        self.metrics.advance_width(glyph).unwrap_or(0.0) / self.units_per_em
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn swedish_letters_map_to_real_glyphs() {
        let fonts = Fonts::load().unwrap();
        for weight in [Weight::Regular, Weight::Bold] {
            let glyphs = fonts.face(weight).glyphs("åäöÅÄÖé");
            assert_eq!(glyphs.len(), 7);
            assert!(glyphs.iter().all(|g| g.glyph_id.to_u32() != 0));
            assert!(
                glyphs
                    .iter()
                    .all(|g| g.x_advance > 0.3 && g.x_advance < 1.0)
            );
        }
    }

    #[test]
    fn digits_share_one_width_so_numbers_line_up() {
        let fonts = Fonts::load().unwrap();
        let widths: Vec<f32> = ('0'..='9')
            .map(|d| fonts.width(&d.to_string(), Weight::Regular, 10.0))
            .collect();
        assert!(widths.iter().all(|w| (w - widths[0]).abs() < 1e-4));
        assert!(
            fonts.width("Ängsgården", Weight::Bold, 10.0)
                > fonts.width("Ängsgården", Weight::Regular, 10.0)
        );
    }
}
