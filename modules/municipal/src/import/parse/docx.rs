//! DOCX menus: the text lines of the Word document's main part, read with quick-xml and then
//! understood as a weekly menu by [`menu_text`](super::menu_text).

use quick_xml::events::{BytesRef, Event};
use quick_xml::{Reader, XmlVersion};

use crate::import::model::Parsed;

use super::FileError;
use super::archive::{self, Archive, ArchiveError};
use super::menu_text::{self, MenuLine};

/// Where Word puts the main part; the package relationships may name another.
const DEFAULT_MAIN_PART: &str = "word/document.xml";

pub(super) fn parse(bytes: &[u8], default_year: i32) -> Result<Parsed, FileError> {
    let xml = main_part(bytes)?;
    let paragraphs = paragraphs(&xml)
        .map_err(FileError::not_docx)?
        .ok_or(FileError::NotDocx { cause: None })?;
    menu_text::parse(&MenuLine::plain(&paragraphs), default_year)
}

/// The XML text of the document body.
fn main_part(bytes: &[u8]) -> Result<String, FileError> {
    let mut archive = archive::open(bytes).map_err(FileError::not_docx)?;
    let name = main_part_name(&mut archive)?;
    let xml = read_entry(&mut archive, &name)?.ok_or(FileError::NotDocx { cause: None })?;
    String::from_utf8(xml).map_err(FileError::not_docx)
}

fn read_entry(archive: &mut Archive<'_>, name: &str) -> Result<Option<Vec<u8>>, FileError> {
    archive::read_entry(archive, name).map_err(|error| match error {
        ArchiveError::TooLarge => FileError::too_large_unpacked(),
        other => FileError::not_docx(other),
    })
}

/// The main part named by `_rels/.rels` (Word Online sometimes writes `word/document2.xml`),
/// else the usual one.
fn main_part_name(archive: &mut Archive<'_>) -> Result<String, FileError> {
    let Some(rels) = read_entry(archive, "_rels/.rels")? else {
        return Ok(DEFAULT_MAIN_PART.to_owned());
    };
    let rels = String::from_utf8(rels).map_err(FileError::not_docx)?;
    let mut reader = Reader::from_str(&rels);
    loop {
        match reader.read_event().map_err(FileError::not_docx)? {
            Event::Start(element) | Event::Empty(element)
                if element.local_name().as_ref() == "Relationship" =>
            {
                let attribute = |name: &str| {
                    element
                        .try_get_attribute(name)
                        .ok()
                        .flatten()
                        .and_then(|value| value.normalized_value(XmlVersion::Implicit1_0).ok())
                        .map(|value| value.into_owned())
                };
                let is_main =
                    attribute("Type").is_some_and(|kind| kind.ends_with("/officeDocument"));
                if let (true, Some(target)) = (is_main, attribute("Target")) {
                    return Ok(target.trim_start_matches('/').to_owned());
                }
            }
            Event::Eof => return Ok(DEFAULT_MAIN_PART.to_owned()),
            _ => {}
        }
    }
}

/// The text of each paragraph (`w:p`): its `w:t` runs joined, `w:tab` as a space, and a
/// `w:br`/`w:cr` line break starting a new paragraph. Deleted text (`w:delText`) and field
/// codes (`w:instrText`) are not `w:t` and so are left out; the `mc:Fallback` copy of a text
/// box is skipped, since the `mc:Choice` copy holds the same text.
///
/// `None` when the XML is not a WordprocessingML document (its root is not `w:document`).
fn paragraphs(xml: &str) -> Result<Option<Vec<String>>, quick_xml::Error> {
    let mut reader = Reader::from_str(xml);
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    let mut in_text = false;
    let mut fallback_depth = 0usize;
    let mut saw_root = false;
    loop {
        let event = reader.read_event()?;
        if let Event::Start(element) | Event::Empty(element) = &event {
            // An XLSX workbook or any other XML is not a Word body.
            if !std::mem::replace(&mut saw_root, true)
                && element.local_name().as_ref() != "document"
            {
                return Ok(None);
            }
        }
        if fallback_depth > 0 {
            match event {
                Event::Start(element) if element.local_name().as_ref() == "Fallback" => {
                    fallback_depth += 1;
                }
                Event::End(element) if element.local_name().as_ref() == "Fallback" => {
                    fallback_depth -= 1;
                }
                Event::Eof => break,
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(element) => match element.local_name().as_ref() {
                // A paragraph inside another (a text box) ends the outer one's text so far.
                "p" => paragraphs.push(std::mem::take(&mut current)),
                "t" => in_text = true,
                "Fallback" => fallback_depth = 1,
                _ => {}
            },
            Event::Empty(element) => match element.local_name().as_ref() {
                "tab" => current.push(' '),
                "br" | "cr" | "p" => paragraphs.push(std::mem::take(&mut current)),
                _ => {}
            },
            Event::End(element) => match element.local_name().as_ref() {
                "p" => paragraphs.push(std::mem::take(&mut current)),
                "t" => in_text = false,
                _ => {}
            },
            Event::Text(text) if in_text => current.push_str(&text.xml10_content()),
            Event::CData(text) if in_text => current.push_str(&text.xml10_content()),
            Event::GeneralRef(reference) if in_text => push_reference(&mut current, &reference),
            Event::Eof => break,
            _ => {}
        }
    }
    paragraphs.push(current);
    paragraphs.retain(|paragraph| !paragraph.trim().is_empty());
    Ok(saw_root.then_some(paragraphs))
}

/// `&amp;`, `&#229;` and the like; an unknown entity is dropped (Word writes none).
fn push_reference(text: &mut String, reference: &BytesRef<'_>) {
    if let Ok(Some(character)) = reference.resolve_char_ref() {
        text.push(character);
    } else if let Some(replacement) = quick_xml::escape::resolve_predefined_entity(reference) {
        text.push_str(replacement);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::super::archive::test_zip::zip;
    use super::super::test_support::*;
    use super::*;
    use crate::import::model::ImportSlot;

    #[test]
    fn sample_week_14() {
        let parsed = parse(SAMPLE_DOCX, 2020).unwrap();
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(parsed.rows.len(), 26);
        assert!(parsed.rows.iter().all(|r| (r.year, r.week) == (2026, 14)));
        assert_eq!(
            dish(&parsed, 1, ImportSlot::Alt1),
            Some("Pannbiff med lök, kokt potatis och gräddsås")
        );
        assert_eq!(
            dish(&parsed, 5, ImportSlot::Alt1),
            Some("Inkokt lax med äggsås och dillpotatis")
        );
        assert_eq!(
            dish(&parsed, 6, ImportSlot::Dessert),
            Some("Ostkaka med sylt och grädde")
        );
        // Lines: 1 title, 2 subtitle, 3 "Vecka 14 2026", 4 "Måndag 30/3", 5 "Alt 1: ...".
        assert_eq!(row(&parsed, 1, ImportSlot::Alt1).line, 5);
    }

    fn document(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
  xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>{body}</w:body></w:document>"#
        )
    }

    #[test]
    fn paragraph_text_joins_runs_and_splits_at_breaks() {
        let xml = document(
            r#"<w:p><w:r><w:t>Vecka</w:t></w:r><w:r><w:t xml:space="preserve"> 14</w:t></w:r></w:p>
               <w:p/>
               <w:p><w:r><w:t>Måndag</w:t><w:tab/><w:t>30/3</w:t></w:r></w:p>
               <w:p><w:r><w:t>Alt 1: Fisk &amp; potatis &#229;</w:t><w:br/><w:t>Alt 2: Soppa</w:t></w:r></w:p>
               <w:p><w:r><w:delText>Alt 2: Borttagen</w:delText><w:instrText>PAGE</w:instrText></w:r></w:p>
               <w:p><w:r><mc:AlternateContent><mc:Choice><w:txbxContent><w:p><w:r><w:t>I rutan</w:t></w:r></w:p></w:txbxContent></mc:Choice>
                 <mc:Fallback><w:txbxContent><w:p><w:r><w:t>I rutan</w:t></w:r></w:p></w:txbxContent></mc:Fallback></mc:AlternateContent></w:r></w:p>"#,
        );
        assert_eq!(
            paragraphs(&xml).unwrap().unwrap(),
            vec![
                "Vecka 14",
                "Måndag 30/3",
                "Alt 1: Fisk & potatis å",
                "Alt 2: Soppa",
                "I rutan"
            ]
        );
    }

    #[test]
    fn main_part_named_by_the_relationships_is_read() {
        let rels = br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/word/document2.xml"/>
            </Relationships>"#;
        let body = document(
            "<w:p><w:r><w:t>Vecka 12</w:t></w:r></w:p><w:p><w:r><w:t>Fredag</w:t></w:r></w:p>\
             <w:p><w:r><w:t>Alt 1: Fiskgratäng</w:t></w:r></w:p>",
        );
        let bytes = zip(&[
            ("_rels/.rels", rels),
            ("word/document2.xml", body.as_bytes()),
        ]);
        let parsed = parse(&bytes, 2026).unwrap();
        assert_eq!(dish(&parsed, 5, ImportSlot::Alt1), Some("Fiskgratäng"));
    }

    #[test]
    fn zip_without_document_is_a_file_error() {
        let bytes = zip(&[("[Content_Types].xml", b"<Types/>")]);
        assert!(matches!(
            parse(&bytes, 2026),
            Err(FileError::NotDocx { cause: None })
        ));
        assert!(matches!(
            parse(SAMPLE_XLSX, 2026),
            Err(FileError::NotDocx { .. })
        ));
        assert!(matches!(
            parse(SAMPLE_CSV, 2026),
            Err(FileError::NotDocx { .. })
        ));
    }

    #[test]
    fn broken_xml_is_a_file_error() {
        let bytes = zip(&[("word/document.xml", b"<w:document><w:body><w:p></w:body>")]);
        assert!(matches!(
            parse(&bytes, 2026),
            Err(FileError::NotDocx { .. })
        ));
    }

    #[test]
    fn zip_bomb_is_refused() {
        let big = vec![b' '; super::super::MAX_UNPACKED_BYTES as usize + 1];
        let bytes = zip(&[("word/document.xml", &big)]);
        assert!(matches!(
            parse(&bytes, 2026),
            Err(FileError::TooLarge { .. })
        ));
    }
}
