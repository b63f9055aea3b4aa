//! A cleaned copy of an uploaded workbook, made before calamine sees it. calamine trusts
//! what a workbook declares: it reserves memory for the `uniqueCount` of the shared strings
//! (4,000,000,000 in a 7 KB file aborts the process), unpacks any part the relationships name
//! without a limit, and overflows on cell references past Excel's last cell. The copy holds
//! only XML parts, each unpacked within one byte budget for the whole archive, each rewritten
//! event by event (quick-xml, no tree) with:
//! - `count` and `uniqueCount` removed wherever they stand (they are optional hints);
//! - `dimension` removed (the cells are streamed; its range is not needed);
//! - a cell or row reference beyond XFD1048576 refused with a clear error;
//! - a `ref` range that is malformed, reversed or out of range removed.
//!
//! Pictures and other binary parts are left out: the menu reader never needs them.

use std::io::{Cursor, Write};

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, Writer};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::FileError;
use super::archive::{self, ArchiveError, Unpacked};
use super::budget::Ticker;

/// Excel's last column (XFD) and row.
const MAX_COLUMN: u32 = 16_384;
const MAX_ROW: u32 = 1_048_576;

pub(super) fn sanitised_copy(bytes: &[u8], ticker: &mut Ticker) -> Result<Vec<u8>, FileError> {
    let mut archive = archive::open(bytes).map_err(archive_error)?;
    let mut unpacked = Unpacked::default();
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    // Stored: the copy lives only in memory, for the length of one parse.
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    for index in 0..archive.len() {
        let (name, data) =
            archive::read_index(&mut archive, index, &mut unpacked).map_err(archive_error)?;
        if name.ends_with('/') || !looks_like_xml(&data) {
            continue;
        }
        let clean = clean_part(&data, ticker)?;
        writer
            .start_file(name, options)
            .map_err(FileError::not_xlsx)?;
        writer.write_all(&clean).map_err(FileError::not_xlsx)?;
    }
    let copy = writer.finish().map_err(FileError::not_xlsx)?;
    Ok(copy.into_inner())
}

fn archive_error(error: ArchiveError) -> FileError {
    match error {
        ArchiveError::TooLarge => FileError::too_large_unpacked(),
        ArchiveError::TooManyEntries => FileError::TooManyEntries {
            max: archive::MAX_ENTRIES,
        },
        other => FileError::not_xlsx(other),
    }
}

/// XML starts with `<`, after an optional byte order mark and white space.
fn looks_like_xml(data: &[u8]) -> bool {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    data.iter()
        .find(|byte| !byte.is_ascii_whitespace())
        .is_some_and(|&byte| byte == b'<')
}

/// One XML part, rewritten as the module documentation says.
fn clean_part(data: &[u8], ticker: &mut Ticker) -> Result<Vec<u8>, FileError> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let text = std::str::from_utf8(data).map_err(FileError::not_xlsx)?;
    let mut reader = Reader::from_str(text);
    // As lenient as calamine, so that what it reads, this reads.
    reader.config_mut().check_end_names = false;
    reader.config_mut().check_comments = false;
    let mut writer = Writer::new(Vec::with_capacity(data.len()));
    let mut dropped_depth = 0usize;
    loop {
        ticker.tick()?;
        let event = reader.read_event().map_err(FileError::not_xlsx)?;
        if dropped_depth > 0 {
            match event {
                Event::Start(_) => dropped_depth += 1,
                Event::End(_) => dropped_depth -= 1,
                Event::Eof => break,
                _ => {}
            }
            continue;
        }
        let event = match event {
            Event::Eof => break,
            Event::DocType(_) => continue,
            Event::Start(element) if is_dimension(&element) => {
                dropped_depth = 1;
                continue;
            }
            Event::Empty(element) if is_dimension(&element) => continue,
            Event::Start(element) => Event::Start(clean_element(&element)?),
            Event::Empty(element) => Event::Empty(clean_element(&element)?),
            other => other,
        };
        writer.write_event(event).map_err(FileError::not_xlsx)?;
    }
    Ok(writer.into_inner())
}

fn is_dimension(element: &BytesStart<'_>) -> bool {
    element.local_name().as_ref() == "dimension"
}

/// The element with its attributes checked; see the module documentation.
fn clean_element(element: &BytesStart<'_>) -> Result<BytesStart<'static>, FileError> {
    let local = element.local_name();
    let mut clean = BytesStart::new(element.name().as_ref().to_owned());
    for attribute in element.attributes().with_checks(false) {
        let attribute = attribute.map_err(FileError::not_xlsx)?;
        let key = attribute.key.local_name();
        let value = attribute.value.as_bytes();
        match (local.as_ref(), key.as_ref()) {
            (_, "count" | "uniqueCount") => continue,
            ("c", "r") if cell_position(value).is_none() => {
                return Err(FileError::CellOutOfRange);
            }
            ("row", "r") if row_number(value).is_none() => {
                return Err(FileError::CellOutOfRange);
            }
            (_, "ref") if !is_range(value) => continue,
            _ => {}
        }
        clean.push_attribute(attribute);
    }
    Ok(clean)
}

/// A row number as Excel has them: 1 to 1048576, digits only.
fn row_number(text: &[u8]) -> Option<u32> {
    if text.is_empty() || text.len() > 7 || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let row = text
        .iter()
        .fold(0u32, |row, digit| row * 10 + u32::from(digit - b'0'));
    (1..=MAX_ROW).contains(&row).then_some(row)
}

/// (row, column), both from 1, of a cell reference like `B12` within A1:XFD1048576.
fn cell_position(text: &[u8]) -> Option<(u32, u32)> {
    let letters = text.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    if !(1..=3).contains(&letters) {
        return None;
    }
    let column = text[..letters].iter().fold(0u32, |column, letter| {
        column * 26 + u32::from(letter.to_ascii_uppercase() - b'A') + 1
    });
    let row = row_number(&text[letters..])?;
    (column <= MAX_COLUMN).then_some((row, column))
}

/// `A1` or `A1:C9`, in range and not reversed, as calamine can read it.
fn is_range(text: &[u8]) -> bool {
    let mut parts = text.split(|&byte| byte == b':');
    let (Some(first), second, None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let Some(start) = cell_position(first) else {
        return false;
    };
    match second.map(cell_position) {
        None => true,
        Some(Some(end)) => start.0 <= end.0 && start.1 <= end.1,
        Some(None) => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::super::budget::ParseBudget;
    use super::*;

    fn clean(xml: &str) -> Result<String, FileError> {
        let mut ticker = ParseBudget::default().ticker();
        clean_part(xml.as_bytes(), &mut ticker).map(|bytes| String::from_utf8(bytes).unwrap())
    }

    #[test]
    fn declared_counts_are_removed() {
        assert_eq!(
            clean(r#"<sst xmlns="x" count="4000000000" uniqueCount="4000000000"><si><t>a</t></si></sst>"#)
                .unwrap(),
            r#"<sst xmlns="x"><si><t>a</t></si></sst>"#
        );
    }

    #[test]
    fn dimension_is_removed_and_bad_ranges_dropped() {
        assert_eq!(
            clean(r#"<w><dimension ref="A1:XFD1048576"/><dimension ref="B2"></dimension><mergeCell ref="B2:A1"/><mergeCell ref="A1:B2"/></w>"#)
                .unwrap(),
            r#"<w><mergeCell/><mergeCell ref="A1:B2"/></w>"#
        );
    }

    #[test]
    fn cell_references_beyond_excel_are_refused() {
        for xml in [
            r#"<c r="AAAAAAAA1"/>"#,
            r#"<c r="XFE1"/>"#,
            r#"<c r="A1048577"/>"#,
            r#"<c r="A99999999999"/>"#,
            r#"<c r="A0"/>"#,
            r#"<row r="4294967296"/>"#,
        ] {
            assert!(
                matches!(clean(xml), Err(FileError::CellOutOfRange)),
                "{xml}"
            );
        }
        clean(r#"<row r="1048576"><c r="XFD1048576"/><c r="a1"/></row>"#).unwrap();
    }

    #[test]
    fn text_and_entities_pass_unchanged() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?><si><t xml:space="preserve">Fisk &amp; potatis &#229; <![CDATA[x]]></t></si>"#;
        assert_eq!(clean(xml).unwrap(), xml);
    }

    #[test]
    fn only_xml_parts_are_copied() {
        let bytes = super::super::archive::test_zip::zip(&[
            ("xl/media/image1.png", b"\x89PNG\r\n"),
            ("xl/workbook.xml", b"<workbook/>"),
        ]);
        let copy = sanitised_copy(&bytes, &mut ParseBudget::default().ticker()).unwrap();
        let archive = archive::open(&copy).unwrap();
        assert_eq!(
            archive
                .file_names()
                .map(|name| name.unwrap().into_owned())
                .collect::<Vec<_>>(),
            ["xl/workbook.xml"]
        );
    }

    #[test]
    fn positions() {
        assert_eq!(cell_position(b"A1"), Some((1, 1)));
        assert_eq!(cell_position(b"XFD1048576"), Some((1_048_576, 16_384)));
        assert_eq!(cell_position(b"1"), None);
        assert_eq!(cell_position(b"A"), None);
        assert!(is_range(b"A1:B2") && is_range(b"C3"));
        assert!(!is_range(b"A1:B2:C3") && !is_range(b"") && !is_range(b"A1:"));
    }
}
