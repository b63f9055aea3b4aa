use super::layout::{CONTENT_WIDTH, MARGIN};
use super::*;
use crate::report::render::sample;

fn texts(page: &[Mark]) -> Vec<&str> {
    page.iter()
        .filter_map(|mark| match mark {
            Mark::Text { text, .. } => Some(text.as_str()),
            Mark::Rule { .. } => None,
        })
        .collect()
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

/// Page objects, not the page tree (`/Type /Pages`).
fn page_objects(pdf: &[u8]) -> usize {
    count(pdf, b"/Type /Page") - count(pdf, b"/Type /Pages")
}

fn uncompressed(report: &WeeklyReport) -> Vec<u8> {
    let settings = SerializeSettings {
        compress_content_streams: false,
        ..SerializeSettings::default()
    };
    render_with(report, &sample::labels(), settings).unwrap()
}

#[test]
fn is_a_pdf_with_both_faces_embedded_as_subsets() {
    let pdf = render(&sample::report(), &sample::labels()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(count(&pdf, b"/FontFile2"), 2, "regular and bold embedded");
    // Subset fonts carry a six-letter tag before the name, e.g. "ABCDEF+DejaVuSans".
    assert!(count(&pdf, b"+DejaVuSans-Bold") >= 1);
    assert!(count(&pdf, b"+DejaVuSans") > count(&pdf, b"+DejaVuSans-Bold"));
    assert_eq!(page_objects(&pdf), 1);
    // A subset, not the 740 KB faces.
    assert!(pdf.len() < 100_000, "{} bytes", pdf.len());
}

#[test]
fn maps_swedish_letters_back_to_unicode() {
    let pdf = uncompressed(&sample::report());
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("/ToUnicode"));
    // The subsets' ToUnicode maps ("<glyph> <code point>") list Ä (Ängsgården), Ö (Öster),
    // Å (Åkerbär), ä, å and ö, so the letters print and can be copied or searched.
    for code in ["00C4", "00D6", "00C5", "00E4", "00E5", "00F6"] {
        assert!(
            text.contains(&format!("> <{code}>")),
            "no ToUnicode entry for U+{code}"
        );
    }
}

#[test]
fn two_hundred_departments_paginate_with_the_header_on_every_page() {
    let report = sample::large_report(200);
    let labels = sample::labels();
    let fonts = Fonts::load().unwrap();
    let pages = lay_out(&report, &labels, &fonts);
    let total = pages.len();
    assert!(total >= 4, "200 rows need several pages, got {total}");

    let mut pages_with_departments = 0;
    for (index, page) in pages.iter().enumerate() {
        let texts = texts(page);
        assert_eq!(
            texts.last(),
            Some(&format!("{} / {total}", index + 1).as_str())
        );
        if report
            .departments
            .iter()
            .any(|d| texts.contains(&d.name.as_str()))
        {
            pages_with_departments += 1;
            assert!(texts.contains(&"Avdelning"), "header on page {}", index + 1);
            assert!(
                texts.contains(&"Kvällsmat"),
                "group header on page {}",
                index + 1
            );
        }
    }
    assert!(
        pages_with_departments >= 4,
        "{pages_with_departments} pages of departments"
    );
    let all: Vec<&str> = pages.iter().flat_map(|page| texts(page)).collect();
    for department in &report.departments {
        let occurrences = all.iter().filter(|t| **t == department.name).count();
        assert_eq!(occurrences, 1, "{} printed once", department.name);
    }
    assert_eq!(all.iter().filter(|t| **t == "Totalt").count(), 1);
    assert_eq!(all.iter().filter(|t| **t == "9008").count(), 1);
    assert!(all.contains(&"Specialkost per kosttyp"));
    assert!(all.contains(&"Timbal/Paté"));
    assert!(
        !all.iter().any(|t| t.ends_with('…')),
        "headers and names that fit are never shortened"
    );

    let pdf = render(&report, &labels).unwrap();
    assert_eq!(page_objects(&pdf), total);
    assert!(pdf.len() < 1_000_000, "{} bytes", pdf.len());
}

/// Swedish labels, and English ones stretched long enough that the table must shrink its text.
fn label_sets() -> [ReportLabels; 2] {
    let mut long = sample::labels();
    long.residents = "Residents (total)".into();
    long.special = "Special diet portions".into();
    long.normal = "Normal diet portions".into();
    long.dinner = "Dinner".into();
    [sample::labels(), long]
}

#[test]
fn everything_stays_inside_the_margins() {
    let fonts = Fonts::load().unwrap();
    let right_margin = MARGIN + CONTENT_WIDTH + 0.01;
    for labels in label_sets() {
        let pages = lay_out(&sample::large_report(200), &labels, &fonts);
        for mark in pages.iter().flatten() {
            match mark {
                Mark::Text {
                    x,
                    baseline,
                    size,
                    weight,
                    text,
                } => {
                    let right = x + fonts.width(text, *weight, *size);
                    assert!(
                        *x >= MARGIN - 0.01 && right <= right_margin,
                        "{text} at {x}"
                    );
                    assert!(*baseline > MARGIN && *baseline <= PAGE_HEIGHT - MARGIN + 0.01);
                }
                Mark::Rule { from, to, .. } => {
                    assert!(*from >= MARGIN - 0.01 && *to <= right_margin);
                }
            }
        }
        // Long headers wrap onto more lines instead of being cut or widening the table.
        let all: Vec<&str> = pages.iter().flat_map(|page| texts(page)).collect();
        assert!(!all.iter().any(|t| t.ends_with('…')), "nothing shortened");
        let first_page_words: Vec<&str> = texts(&pages[0])
            .into_iter()
            .flat_map(str::split_whitespace)
            .collect();
        for word in labels.special.split_whitespace() {
            assert!(first_page_words.contains(&word), "{word} printed");
        }
    }
}

#[test]
fn numbers_are_right_aligned_in_their_column() {
    let fonts = Fonts::load().unwrap();
    let report = sample::large_report(12);
    let pages = lay_out(&report, &sample::labels(), &fonts);
    // Lunch residents are 51..=62: two digits each; their right edges must coincide.
    let right_edges: Vec<f32> = pages[0]
        .iter()
        .filter_map(|mark| match mark {
            Mark::Text {
                x,
                size,
                weight,
                text,
                ..
            } if report
                .departments
                .iter()
                .any(|d| d.lunch.counts.residents.to_string() == *text) =>
            {
                Some(x + fonts.width(text, *weight, *size))
            }
            _ => None,
        })
        .collect();
    assert!(right_edges.len() >= 12);
    let first_column: Vec<f32> = right_edges
        .iter()
        .copied()
        .filter(|edge| (edge - right_edges[0]).abs() < 0.01)
        .collect();
    assert!(first_column.len() >= 12, "{right_edges:?}");
}

#[test]
fn long_names_are_shortened_not_spilled() {
    let mut report = sample::report();
    report.departments[0].name = "Ängsgårdens demensboende, våning 3, korridor B ".repeat(4);
    let pages = lay_out(&report, &sample::labels(), &Fonts::load().unwrap());
    let shortened: Vec<&str> = texts(&pages[0])
        .into_iter()
        .filter(|t| t.starts_with("Ängsgårdens"))
        .collect();
    assert_eq!(shortened.len(), 1);
    assert!(shortened[0].ends_with('…'));
    assert!(shortened[0].len() < report.departments[0].name.len());
}

#[test]
fn no_diet_section_without_diets() {
    let mut report = sample::report();
    report.totals.diets.clear();
    let pages = lay_out(&report, &sample::labels(), &Fonts::load().unwrap());
    assert!(!texts(&pages[0]).contains(&"Specialkost per kosttyp"));
    assert!(texts(&pages[0]).contains(&"Totalt"));
}

#[test]
fn an_empty_report_still_renders_header_and_totals() {
    let report = sample::report_with(Vec::new());
    let pdf = render(&report, &sample::labels()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(page_objects(&pdf), 1);
}

#[test]
fn a_short_diet_table_is_not_split_across_pages() {
    let labels = sample::labels();
    let fonts = Fonts::load().unwrap();
    // Try department counts until the diet section would straddle a page break.
    for count in 150..=200 {
        let report = sample::large_report(count);
        let pages = lay_out(&report, &labels, &fonts);
        let pages_with = |name: &str| pages.iter().filter(|p| texts(p).contains(&name)).count();
        let heading_page = pages
            .iter()
            .position(|p| texts(p).contains(&"Specialkost per kosttyp"));
        let last_diet_page = pages.iter().position(|p| texts(p).contains(&"Timbal/Paté"));
        assert_eq!(pages_with("Timbal/Paté"), 1);
        assert_eq!(heading_page, last_diet_page, "{count} departments");
    }
}

#[test]
fn headers_wrap_only_when_one_line_would_need_tiny_text() {
    let fonts = Fonts::load().unwrap();
    let report = sample::large_report(30);
    let [swedish, long] = label_sets();

    let table = tables::department_table(&report, &swedish, &fonts);
    assert_eq!(table.header_lines(), 1, "{:?}", table.headers);

    let table = tables::department_table(&report, &long, &fonts);
    assert!(table.header_lines() > 1);
    assert_eq!(
        table.headers[4],
        ["Alt 1"],
        "short headers stay on one line"
    );
    assert_eq!(table.headers[2].join(" "), "Special diet portions");
}
