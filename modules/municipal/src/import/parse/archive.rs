//! Reading XLSX and DOCX containers (zip archives) without trusting them: every entry is
//! read through a byte limit, since the sizes a zip declares can lie (a zip bomb).

use std::io::{self, Cursor, Read};

use zip::ZipArchive;
use zip::result::ZipError;

use super::MAX_UNPACKED_BYTES;

/// Why an archive could not be read.
#[derive(Debug, thiserror::Error)]
pub(super) enum ArchiveError {
    #[error(transparent)]
    Zip(#[from] ZipError),
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error("the archive unpacks to more than the limit")]
    TooLarge,
}

pub(super) type Archive<'a> = ZipArchive<Cursor<&'a [u8]>>;

pub(super) fn open(bytes: &[u8]) -> Result<Archive<'_>, ArchiveError> {
    Ok(ZipArchive::new(Cursor::new(bytes))?)
}

/// The unpacked bytes of entry `name`, `None` when the archive has no such entry.
pub(super) fn read_entry(
    archive: &mut Archive<'_>,
    name: &str,
) -> Result<Option<Vec<u8>>, ArchiveError> {
    let entry = match archive.by_name(name) {
        Ok(entry) => entry,
        Err(ZipError::FileNotFound) => return Ok(None),
        Err(error) => return Err(error.into()),
    };
    if entry.size() > MAX_UNPACKED_BYTES {
        return Err(ArchiveError::TooLarge);
    }
    let mut bytes = Vec::new();
    // One byte past the limit tells "exactly at the limit" from "over it".
    entry.take(MAX_UNPACKED_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_UNPACKED_BYTES {
        return Err(ArchiveError::TooLarge);
    }
    Ok(Some(bytes))
}

/// Unpacks every entry that `is_read` names, discarding the bytes, to prove that all of them
/// together stay within the limit and are intact. Used before a reader (calamine) that
/// unpacks entries on its own without a limit.
pub(super) fn check_unpacked_size(
    archive: &mut Archive<'_>,
    is_read: impl Fn(&str) -> bool,
) -> Result<(), ArchiveError> {
    let mut remaining = MAX_UNPACKED_BYTES;
    for index in 0..archive.len() {
        let entry = archive.by_index(index)?;
        if !is_read(&entry.name()?) {
            continue;
        }
        if entry.size() > remaining {
            return Err(ArchiveError::TooLarge);
        }
        let unpacked = io::copy(&mut entry.take(remaining + 1), &mut io::sink())?;
        remaining = remaining
            .checked_sub(unpacked)
            .ok_or(ArchiveError::TooLarge)?;
    }
    Ok(())
}

#[cfg(test)]
pub(super) mod test_zip {
    //! Building small zips in memory for tests.
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::io::{Cursor, Write};

    use zip::ZipWriter;
    use zip::write::SimpleFileOptions;

    /// A deflated zip holding `entries` (name, contents).
    pub fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, contents) in entries {
            writer
                .start_file(*name, SimpleFileOptions::default())
                .unwrap();
            writer.write_all(contents).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::test_zip::zip;
    use super::*;

    #[test]
    fn reads_an_entry_and_reports_a_missing_one() {
        let bytes = zip(&[("a.txt", b"hej")]);
        let mut archive = open(&bytes).unwrap();
        assert_eq!(
            read_entry(&mut archive, "a.txt").unwrap(),
            Some(b"hej".to_vec())
        );
        assert_eq!(read_entry(&mut archive, "b.txt").unwrap(), None);
    }

    #[test]
    fn zip_bomb_is_refused_while_reading() {
        let big = vec![b'x'; MAX_UNPACKED_BYTES as usize + 1];
        let bytes = zip(&[("word/document.xml", &big)]);
        assert!(bytes.len() < 100_000, "deflates to {} bytes", bytes.len());
        let mut archive = open(&bytes).unwrap();
        assert!(matches!(
            read_entry(&mut archive, "word/document.xml"),
            Err(ArchiveError::TooLarge)
        ));
        assert!(matches!(
            check_unpacked_size(&mut archive, |_| true),
            Err(ArchiveError::TooLarge)
        ));
    }

    #[test]
    fn many_entries_count_together() {
        let half = vec![b'x'; MAX_UNPACKED_BYTES as usize / 2 + 1];
        let bytes = zip(&[("a", &half), ("b", &half)]);
        let mut archive = open(&bytes).unwrap();
        assert!(matches!(
            check_unpacked_size(&mut archive, |_| true),
            Err(ArchiveError::TooLarge)
        ));
        let small = zip(&[("a", b"1"), ("b", b"2")]);
        check_unpacked_size(&mut open(&small).unwrap(), |_| true).unwrap();
    }

    #[test]
    fn entries_not_read_are_not_counted() {
        let big = vec![b'x'; MAX_UNPACKED_BYTES as usize + 1];
        let bytes = zip(&[("xl/media/image1.png", &big), ("xl/workbook.xml", b"<w/>")]);
        let mut archive = open(&bytes).unwrap();
        check_unpacked_size(&mut archive, |name| name.ends_with(".xml")).unwrap();
    }

    #[test]
    fn not_a_zip_is_an_error() {
        assert!(open(b"hello").is_err());
        assert!(open(b"PK\x03\x04garbage").is_err());
    }
}
