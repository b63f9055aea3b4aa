//! A recipe card: A4 portrait, the name, the portions, the allergens, the ingredients in a
//! two-column list (amount right-aligned, then the name) and the numbered steps, wrapped to
//! the page and continued on the next one when long. Every text arrives translated.

use krilla::geom::Point;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::surface::Surface;
use krilla::{Document, SerializeSettings};

use super::fonts::{FontError, Fonts, Weight};

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;
const AMOUNT_WIDTH: f32 = 90.0;
const GAP: f32 = 12.0;

/// What a card shows, already in the reader's language.
#[derive(Debug, Clone)]
pub struct Card {
    pub title: String,
    /// "12 portions (the recipe makes 4)".
    pub portions: String,
    /// "Allergens: Gluten, Milk" or "No allergens".
    pub allergens: String,
    pub ingredients_heading: String,
    /// (amount with unit, ingredient name).
    pub ingredients: Vec<(String, String)>,
    pub steps_heading: String,
    pub steps: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CardError {
    #[error(transparent)]
    Font(#[from] FontError),
    #[error("writing the PDF failed: {0}")]
    Pdf(String),
}

struct Text {
    x: f32,
    baseline: f32,
    size: f32,
    weight: Weight,
    text: String,
}

struct Pages<'f> {
    fonts: &'f Fonts,
    pages: Vec<Vec<Text>>,
    y: f32,
}

impl<'f> Pages<'f> {
    fn new(fonts: &'f Fonts) -> Self {
        Pages {
            fonts,
            pages: vec![Vec::new()],
            y: MARGIN,
        }
    }

    /// Moves down by `height`, starting a page first when it would not fit.
    fn advance(&mut self, height: f32) -> f32 {
        if self.y + height > PAGE_HEIGHT - MARGIN {
            self.pages.push(Vec::new());
            self.y = MARGIN;
        }
        self.y += height;
        self.y
    }

    fn put(&mut self, x: f32, baseline: f32, size: f32, weight: Weight, text: &str) {
        if let Some(page) = self.pages.last_mut() {
            page.push(Text {
                x,
                baseline,
                size,
                weight,
                text: text.to_owned(),
            });
        }
    }

    /// A paragraph wrapped to `width` from `x`.
    fn paragraph(&mut self, x: f32, width: f32, size: f32, weight: Weight, text: &str) {
        for line in wrap(self.fonts, text, weight, size, width) {
            let baseline = self.advance(size * 1.4);
            self.put(x, baseline, size, weight, &line);
        }
    }
}

/// Greedy word wrap; a word longer than the line is cut by characters.
pub fn wrap(fonts: &Fonts, text: &str, weight: Weight, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if fonts.width(&candidate, weight, size) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for ch in word.chars() {
            line.push(ch);
            if fonts.width(&line, weight, size) > width && line.chars().count() > 1 {
                line.pop();
                lines.push(std::mem::take(&mut line));
                line.push(ch);
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

fn lay_out(card: &Card, fonts: &Fonts) -> Vec<Vec<Text>> {
    let mut pages = Pages::new(fonts);
    let width = PAGE_WIDTH - 2.0 * MARGIN;
    pages.paragraph(MARGIN, width, 20.0, Weight::Bold, &card.title);
    pages.advance(4.0);
    pages.paragraph(MARGIN, width, 11.0, Weight::Regular, &card.portions);
    pages.paragraph(MARGIN, width, 11.0, Weight::Bold, &card.allergens);
    pages.advance(12.0);
    pages.paragraph(MARGIN, width, 14.0, Weight::Bold, &card.ingredients_heading);
    pages.advance(2.0);
    let name_x = MARGIN + AMOUNT_WIDTH + GAP;
    for (amount, name) in &card.ingredients {
        let lines = wrap(
            fonts,
            name,
            Weight::Regular,
            11.0,
            width - AMOUNT_WIDTH - GAP,
        );
        for (index, line) in lines.iter().enumerate() {
            let baseline = pages.advance(16.0);
            if index == 0 {
                let amount_x = MARGIN + AMOUNT_WIDTH - fonts.width(amount, Weight::Bold, 11.0);
                pages.put(amount_x, baseline, 11.0, Weight::Bold, amount);
            }
            pages.put(name_x, baseline, 11.0, Weight::Regular, line);
        }
    }
    pages.advance(12.0);
    pages.paragraph(MARGIN, width, 14.0, Weight::Bold, &card.steps_heading);
    pages.advance(2.0);
    let step_x = MARGIN + 24.0;
    for (index, step) in card.steps.iter().enumerate() {
        let lines = wrap(fonts, step, Weight::Regular, 11.0, width - 24.0);
        for (line_index, line) in lines.iter().enumerate() {
            let baseline = pages.advance(15.5);
            if line_index == 0 {
                let number = format!("{}.", index + 1);
                pages.put(MARGIN, baseline, 11.0, Weight::Bold, &number);
            }
            pages.put(step_x, baseline, 11.0, Weight::Regular, line);
        }
        pages.advance(4.0);
    }
    pages.pages
}

/// The card as PDF bytes. CPU work: call it on a file worker.
pub fn render(card: &Card) -> Result<Vec<u8>, CardError> {
    let fonts = Fonts::load()?;
    let pages = lay_out(card, &fonts);
    let mut document = Document::new_with(SerializeSettings::default());
    document.set_metadata(Metadata::new().title(card.title.clone()));
    for texts in &pages {
        let size = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
            .ok_or_else(|| CardError::Pdf("invalid page size".into()))?;
        let mut page = document.start_page_with(size);
        let mut surface = page.surface();
        for text in texts {
            draw(&mut surface, &fonts, text);
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|error| CardError::Pdf(format!("{error:?}")))
}

fn draw(surface: &mut Surface<'_>, fonts: &Fonts, text: &Text) {
    surface.set_stroke(None);
    surface.set_fill(Some(Fill::default()));
    let face = fonts.face(text.weight);
    surface.draw_glyphs(
        Point::from_xy(text.x, text.baseline),
        &face.glyphs(&text.text),
        face.pdf_font().clone(),
        &text.text,
        text.size,
        false,
    );
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn long_words_and_lines_wrap_inside_the_width() {
        let fonts = Fonts::load().unwrap();
        let text = format!("Koka upp {} och rör", "x".repeat(200));
        let lines = wrap(&fonts, &text, Weight::Regular, 11.0, 200.0);
        assert!(lines.len() > 3, "{lines:?}");
        for line in &lines {
            assert!(fonts.width(line, Weight::Regular, 11.0) <= 200.0, "{line}");
        }
        assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
    }

    #[test]
    fn a_long_recipe_continues_on_a_second_page() {
        let card = Card {
            title: "Fiskesuppe".into(),
            portions: "40".into(),
            allergens: "Fisk".into(),
            ingredients_heading: "Ingredienser".into(),
            ingredients: vec![("1 kg".into(), "Torsk".into()); 30],
            steps_heading: "Slik gjør du".into(),
            steps: vec!["Kok opp kraften og la den småkoke i ti minutter.".into(); 20],
        };
        let fonts = Fonts::load().unwrap();
        assert_eq!(lay_out(&card, &fonts).len(), 2);
        let pdf = render(&card).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
    }
}
