//! PDF: A4 portrait, title block, the department table (header repeated on every page it
//! spans), then the diet totals; "n / m" at the foot of each page. Drawn with krilla, which
//! embeds a subset of the DejaVu Sans faces so å/ä/ö print on any reader.

mod fonts;
mod grid;
mod layout;
mod tables;

use krilla::color::luma;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::{Document, SerializeSettings};

use super::RenderError;
use crate::report::model::{ReportLabels, WeeklyReport};
use fonts::Fonts;
use layout::{Mark, PAGE_HEIGHT, PAGE_WIDTH, Pages, Shade};

pub(super) fn render(report: &WeeklyReport, labels: &ReportLabels) -> Result<Vec<u8>, RenderError> {
    render_with(report, labels, SerializeSettings::default())
}

fn render_with(
    report: &WeeklyReport,
    labels: &ReportLabels,
    settings: SerializeSettings,
) -> Result<Vec<u8>, RenderError> {
    let fonts = Fonts::load()?;
    let pages = lay_out(report, labels, &fonts);

    let mut document = Document::new_with(settings);
    document.set_metadata(Metadata::new().title(heading(report, labels)));
    for marks in &pages {
        let size = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
            .ok_or_else(|| RenderError::Pdf("invalid page size".into()))?;
        let mut page = document.start_page_with(size);
        let mut surface = page.surface();
        for mark in marks {
            draw(&mut surface, &fonts, mark);
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|error| RenderError::Pdf(format!("{error:?}")))
}

/// "Veckorapport – Björkö – v. 12, 16–22 mars 2026": the document title and running head.
fn heading(report: &WeeklyReport, labels: &ReportLabels) -> String {
    format!(
        "{} – {} – {}",
        labels.title, report.site_name, labels.period
    )
}

fn lay_out(report: &WeeklyReport, labels: &ReportLabels, fonts: &Fonts) -> Vec<Vec<Mark>> {
    let mut pages = Pages::new(fonts, heading(report, labels));
    pages.title_block(&labels.title, &[&report.site_name, &labels.period]);
    pages.table(&tables::department_table(report, labels, fonts));
    if !report.totals.diets.is_empty() {
        let diets = tables::diet_table(report, labels, fonts);
        pages.section(&labels.diets, &diets);
        pages.table(&diets);
    }
    pages.finish()
}

fn draw(surface: &mut Surface<'_>, fonts: &Fonts, mark: &Mark) {
    match mark {
        Mark::Text {
            x,
            baseline,
            size,
            weight,
            text,
        } => {
            // A stroke left over from a rule would outline the glyphs too.
            surface.set_stroke(None);
            surface.set_fill(Some(Fill::default()));
            let face = fonts.face(*weight);
            surface.draw_glyphs(
                Point::from_xy(*x, *baseline),
                &face.glyphs(text),
                face.pdf_font().clone(),
                text,
                *size,
                false,
            );
        }
        Mark::Rule {
            from,
            to,
            y,
            width,
            shade,
        } => {
            let lightness = match shade {
                Shade::Black => 0,
                Shade::Light => 200,
            };
            surface.set_fill(None);
            surface.set_stroke(Some(Stroke {
                paint: luma::Color::new(lightness).into(),
                width: *width,
                ..Stroke::default()
            }));
            let mut path = PathBuilder::new();
            path.move_to(*from, *y);
            path.line_to(*to, *y);
            if let Some(path) = path.finish() {
                surface.draw_path(&path);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
