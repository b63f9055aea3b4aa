//! The import as the fuzz targets in `fuzz/` see it: one function per target, taking the
//! fuzzer's bytes. Not an API: it exists so that the fuzz crate, and the replay of its
//! regression inputs in `cargo test`, go through the same door, and so that a change to the
//! parsers' signatures is made here once rather than in every target (see
//! `docs/fuzzing.md`).
//!
//! XLSX and DOCX inputs that do not start with `PK` are read as a list of archive entries
//! and zipped here ([`entries_zip`]), so that mutations land in the XML the parsers read
//! instead of dying in the zip layer. The menu-text parser has no entry of its own outside
//! `parse`; [`menu_text`] reaches it through a minimal DOCX whose paragraphs are the input's
//! lines.

use std::borrow::Cow;
use std::io::{Cursor, Write};

use zip::ZipWriter;
use zip::write::SimpleFileOptions;

use crate::import::model::Parsed;
use crate::import::parse::{FileError, Format, ParseBudget, parse};

/// The year given to rows whose file names none.
const DEFAULT_YEAR: i32 = 2026;

/// The parse budget the server gives a file, but shorter: a parser must give up by itself,
/// well before libFuzzer's own `-timeout` calls the input a hang.
fn budget() -> ParseBudget {
    ParseBudget {
        deadline: std::time::Instant::now() + std::time::Duration::from_secs(2),
        ..ParseBudget::default()
    }
}

/// Separates the entries of a structured XLSX/DOCX input; XML holds no NUL byte.
const ENTRY_SEPARATOR: u8 = 0;

/// More entries than any real menu file has; zipping is not what is being fuzzed.
const MAX_ENTRIES: usize = 64;

pub fn csv(data: &[u8]) -> Result<Parsed, FileError> {
    let _ = Format::detect(Some("meny.csv"), None, data);
    parse(Format::Csv, data, DEFAULT_YEAR, &budget())
}

pub fn xlsx(data: &[u8]) -> Result<Parsed, FileError> {
    let bytes = container(data);
    let _ = Format::detect(Some("meny.xlsx"), None, &bytes);
    parse(Format::Xlsx, &bytes, DEFAULT_YEAR, &budget())
}

pub fn docx(data: &[u8]) -> Result<Parsed, FileError> {
    let bytes = container(data);
    let _ = Format::detect(Some("meny.docx"), None, &bytes);
    parse(Format::Docx, &bytes, DEFAULT_YEAR, &budget())
}

/// Each line of `data` (UTF-8, lossily) becomes one paragraph of a DOCX.
pub fn menu_text(data: &[u8]) -> Result<Parsed, FileError> {
    let text = String::from_utf8_lossy(data);
    let mut xml = String::from(
        "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
         <w:body>",
    );
    for line in text.split('\n') {
        xml.push_str("<w:p><w:r><w:t xml:space=\"preserve\">");
        push_escaped(&mut xml, line);
        xml.push_str("</w:t></w:r></w:p>");
    }
    xml.push_str("</w:body></w:document>");
    let bytes = zip_entries(&[("word/document.xml", xml.as_bytes())]);
    parse(Format::Docx, &bytes, DEFAULT_YEAR, &budget())
}

/// A real zip as it is; anything else as structured entries (see [`entries_zip`]).
fn container(data: &[u8]) -> Cow<'_, [u8]> {
    if data.starts_with(b"PK") {
        Cow::Borrowed(data)
    } else {
        Cow::Owned(entries_zip(data))
    }
}

/// Zips the entries of a structured input: entries separated by NUL bytes, each its name up
/// to the first newline and its contents after it. A name given twice keeps its first entry.
pub fn entries_zip(data: &[u8]) -> Vec<u8> {
    let entries: Vec<(Cow<'_, str>, &[u8])> = data
        .split(|byte| *byte == ENTRY_SEPARATOR)
        .take(MAX_ENTRIES)
        .map(|entry| {
            let (name, contents) = match entry.iter().position(|byte| *byte == b'\n') {
                Some(at) => (&entry[..at], &entry[at + 1..]),
                None => (entry, &[][..]),
            };
            (String::from_utf8_lossy(name), contents)
        })
        .collect();
    let borrowed: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(name, contents)| (name.as_ref(), *contents))
        .collect();
    zip_entries(&borrowed)
}

/// A stored (uncompressed) zip; entries the writer refuses are left out, and a zip that
/// cannot be finished is empty bytes, which the parser reports as an empty file.
fn zip_entries(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, contents) in entries {
        if writer.start_file(*name, options).is_ok() {
            let _ = writer.write_all(contents);
        }
    }
    writer.finish().map(Cursor::into_inner).unwrap_or_default()
}

/// XML text content: markup escaped, and the control characters XML 1.0 forbids made spaces.
fn push_escaped(xml: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => xml.push_str("&amp;"),
            '<' => xml.push_str("&lt;"),
            '>' => xml.push_str("&gt;"),
            '\t' => xml.push('\t'),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => xml.push(' '),
            c => xml.push(c),
        }
    }
}

#[cfg(test)]
mod tests;
