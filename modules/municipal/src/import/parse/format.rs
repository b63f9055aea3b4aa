//! Which kind of file an upload is: what its name and content type claim, checked against
//! its first bytes.

/// The file formats a menu can be imported from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Csv,
    Xlsx,
    Docx,
}

/// Every ZIP file (and so every XLSX and DOCX) starts with a local file header.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// Binary formats people upload by mistake; their first bytes give them away.
const OTHER_BINARY_MAGICS: &[&[u8]] = &[
    b"PK",                               // any other zip variant
    b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", // old .xls/.doc (OLE compound file)
    b"%PDF",
    b"\x89PNG",
    b"\xFF\xD8\xFF", // JPEG
];

/// How far into a text file to look for the NUL bytes that betray a binary file.
const TEXT_SNIFF_BYTES: usize = 8192;

impl Format {
    /// From the upload's file name extension and/or content type, confirmed by the bytes'
    /// magic (XLSX and DOCX are ZIP: `PK\x03\x04`; CSV must not be binary). `None` when it is
    /// none of them or the claimed type contradicts the bytes.
    ///
    /// The extension wins over the content type; generic content types
    /// (`application/octet-stream`, `text/plain`, and `application/vnd.ms-excel`, which
    /// Windows browsers send for .csv) claim nothing. A file with no claim is recognised from
    /// its bytes alone. An empty file passes as CSV so that [`super::parse`] can say it is
    /// empty.
    pub fn detect(
        file_name: Option<&str>,
        content_type: Option<&str>,
        bytes: &[u8],
    ) -> Option<Format> {
        let by_name = file_name.and_then(claim_from_name);
        let by_type = content_type.and_then(claim_from_content_type);
        let claimed = match (by_name, by_type) {
            (Some(Claim::Unsupported), _) => return None,
            (Some(Claim::Is(name)), Some(Claim::Is(kind))) if name != kind => return None,
            (Some(Claim::Is(format)), _) => Some(format),
            (None, Some(Claim::Is(format))) => Some(format),
            (None, Some(Claim::Unsupported)) => return None,
            (None, None) => None,
        };
        match (claimed, sniff(bytes)?) {
            (None, Sniffed::Text) | (Some(Format::Csv), Sniffed::Text) => Some(Format::Csv),
            (None, Sniffed::Zip(kind)) => kind,
            // A zip whose entry names did not tell its kind still gets its chance to parse.
            (Some(claimed), Sniffed::Zip(None)) if claimed != Format::Csv => Some(claimed),
            (Some(claimed), Sniffed::Zip(Some(kind))) => (claimed == kind).then_some(claimed),
            (Some(_), _) => None,
        }
    }
}

/// What the first bytes of a file look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sniffed {
    /// No binary magic and no NUL byte: CSV can be tried.
    Text,
    /// A zip; the kind when its entry names tell it.
    Zip(Option<Format>),
}

/// What a name or content type says a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Claim {
    Is(Format),
    /// Something else entirely (`.pdf`, `.xls`, `image/png`): refused without looking.
    Unsupported,
}

fn claim_from_name(file_name: &str) -> Option<Claim> {
    let (_, extension) = file_name.trim().rsplit_once('.')?;
    // "Meny v. 12" has no extension, only a dot.
    let looks_like_extension =
        (1..=5).contains(&extension.len()) && extension.bytes().all(|b| b.is_ascii_alphanumeric());
    if !looks_like_extension {
        return None;
    }
    Some(match extension.to_ascii_lowercase().as_str() {
        "csv" | "txt" => Claim::Is(Format::Csv),
        "xlsx" => Claim::Is(Format::Xlsx),
        "docx" => Claim::Is(Format::Docx),
        _ => Claim::Unsupported,
    })
}

fn claim_from_content_type(content_type: &str) -> Option<Claim> {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    Some(match essence.as_str() {
        "" | "application/octet-stream" | "text/plain" | "application/vnd.ms-excel" => {
            return None;
        }
        "text/csv" | "application/csv" | "text/comma-separated-values" => Claim::Is(Format::Csv),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => {
            Claim::Is(Format::Xlsx)
        }
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => {
            Claim::Is(Format::Docx)
        }
        _ => Claim::Unsupported,
    })
}

/// What the bytes look like; `None` for something that is neither text nor a zip.
fn sniff(bytes: &[u8]) -> Option<Sniffed> {
    if bytes.starts_with(ZIP_MAGIC) {
        // Entry names are stored uncompressed, so a plain search finds the main part.
        return Some(Sniffed::Zip(if contains(bytes, b"word/document") {
            Some(Format::Docx)
        } else if contains(bytes, b"xl/workbook") {
            Some(Format::Xlsx)
        } else {
            None
        }));
    }
    let is_binary = OTHER_BINARY_MAGICS
        .iter()
        .any(|magic| bytes.starts_with(magic))
        || bytes.iter().take(TEXT_SNIFF_BYTES).any(|&byte| byte == 0);
    (!is_binary).then_some(Sniffed::Text)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::super::test_support::{SAMPLE_CSV, SAMPLE_DOCX, SAMPLE_XLSX};
    use super::*;

    const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    #[test]
    fn samples_are_detected_from_their_names() {
        assert_eq!(
            Format::detect(Some("meny-v12-2026.csv"), None, SAMPLE_CSV),
            Some(Format::Csv)
        );
        assert_eq!(
            Format::detect(Some("Meny V13.XLSX"), Some(XLSX_TYPE), SAMPLE_XLSX),
            Some(Format::Xlsx)
        );
        assert_eq!(
            Format::detect(Some("meny.docx"), None, SAMPLE_DOCX),
            Some(Format::Docx)
        );
    }

    #[test]
    fn unnamed_files_are_recognised_from_their_bytes() {
        assert_eq!(Format::detect(None, None, SAMPLE_CSV), Some(Format::Csv));
        assert_eq!(Format::detect(None, None, SAMPLE_XLSX), Some(Format::Xlsx));
        assert_eq!(
            Format::detect(None, Some("application/octet-stream"), SAMPLE_DOCX),
            Some(Format::Docx)
        );
    }

    #[test]
    fn windows_csv_content_type_claims_nothing() {
        assert_eq!(
            Format::detect(
                Some("meny.csv"),
                Some("application/vnd.ms-excel"),
                SAMPLE_CSV
            ),
            Some(Format::Csv)
        );
        assert_eq!(
            Format::detect(None, Some("text/csv; charset=utf-8"), SAMPLE_CSV),
            Some(Format::Csv)
        );
    }

    #[test]
    fn claims_contradicting_the_bytes_are_refused() {
        assert_eq!(Format::detect(Some("meny.xlsx"), None, SAMPLE_CSV), None);
        assert_eq!(Format::detect(Some("meny.docx"), None, SAMPLE_CSV), None);
        assert_eq!(Format::detect(Some("meny.csv"), None, SAMPLE_XLSX), None);
        assert_eq!(Format::detect(Some("meny.xlsx"), None, SAMPLE_DOCX), None);
        assert_eq!(Format::detect(Some("meny.docx"), None, SAMPLE_XLSX), None);
        assert_eq!(
            Format::detect(Some("meny.csv"), Some(XLSX_TYPE), SAMPLE_CSV),
            None
        );
    }

    #[test]
    fn other_kinds_of_file_are_refused() {
        assert_eq!(Format::detect(Some("meny.pdf"), None, b"%PDF-1.7"), None);
        assert_eq!(Format::detect(Some("meny.xls"), None, SAMPLE_CSV), None);
        assert_eq!(Format::detect(None, Some("image/png"), SAMPLE_CSV), None);
        assert_eq!(Format::detect(None, None, b"\x89PNG\r\n\x1a\n"), None);
        assert_eq!(
            Format::detect(Some("meny.csv"), None, b"Vecka;Dag\0\0"),
            None
        );
    }

    #[test]
    fn name_without_extension_claims_nothing() {
        assert_eq!(
            Format::detect(Some("meny"), None, SAMPLE_CSV),
            Some(Format::Csv)
        );
        assert_eq!(
            Format::detect(Some("meny"), None, SAMPLE_DOCX),
            Some(Format::Docx)
        );
        assert_eq!(
            Format::detect(Some("Meny v. 12"), None, SAMPLE_CSV),
            Some(Format::Csv)
        );
    }

    #[test]
    fn empty_file_passes_as_csv_so_parse_can_say_it_is_empty() {
        assert_eq!(
            Format::detect(Some("meny.csv"), None, b""),
            Some(Format::Csv)
        );
        assert_eq!(Format::detect(Some("meny.xlsx"), None, b""), None);
    }
}
