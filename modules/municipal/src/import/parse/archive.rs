//! Reading XLSX and DOCX containers (zip archives) without trusting them: every entry is
//! read through a byte limit, since the sizes a zip declares can lie (a zip bomb).

use std::io::{self, Cursor, Read};

use zip::ZipArchive;
use zip::result::ZipError;

use super::MAX_UNPACKED_BYTES;

/// The most entries an archive may hold; Word and Excel write a few dozen.
pub const MAX_ENTRIES: usize = 1000;

/// Why an archive could not be read.
#[derive(Debug, thiserror::Error)]
pub(super) enum ArchiveError {
    #[error(transparent)]
    Zip(#[from] ZipError),
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error("the archive unpacks to more than the limit")]
    TooLarge,
    #[error("the archive has more entries than the limit")]
    TooManyEntries,
}

pub(super) type Archive<'a> = ZipArchive<Cursor<&'a [u8]>>;

pub(super) fn open(bytes: &[u8]) -> Result<Archive<'_>, ArchiveError> {
    let archive = ZipArchive::new(Cursor::new(bytes))?;
    if archive.len() > MAX_ENTRIES {
        return Err(ArchiveError::TooManyEntries);
    }
    Ok(archive)
}

/// What is left of the bytes one archive may unpack to, over every entry read from it.
/// Counted from the bytes actually unpacked: the sizes a zip declares can lie.
#[derive(Debug)]
pub(super) struct Unpacked {
    remaining: u64,
}

impl Default for Unpacked {
    fn default() -> Self {
        Unpacked {
            remaining: MAX_UNPACKED_BYTES,
        }
    }
}

impl Unpacked {
    /// Unpacks `entry` within what is left.
    fn read(&mut self, entry: impl Read) -> Result<Vec<u8>, ArchiveError> {
        let mut bytes = Vec::new();
        // One byte past the limit tells "exactly at the limit" from "over it".
        entry.take(self.remaining + 1).read_to_end(&mut bytes)?;
        self.remaining = self
            .remaining
            .checked_sub(bytes.len() as u64)
            .ok_or(ArchiveError::TooLarge)?;
        Ok(bytes)
    }
}

/// The unpacked bytes of entry `name`, `None` when the archive has no such entry.
pub(super) fn read_entry(
    archive: &mut Archive<'_>,
    name: &str,
    unpacked: &mut Unpacked,
) -> Result<Option<Vec<u8>>, ArchiveError> {
    let entry = match archive.by_name(name) {
        Ok(entry) => entry,
        Err(ZipError::FileNotFound) => return Ok(None),
        Err(error) => return Err(error.into()),
    };
    if entry.size() > unpacked.remaining {
        return Err(ArchiveError::TooLarge);
    }
    unpacked.read(entry).map(Some)
}

/// The name and unpacked bytes of the entry at `index`.
pub(super) fn read_index(
    archive: &mut Archive<'_>,
    index: usize,
    unpacked: &mut Unpacked,
) -> Result<(String, Vec<u8>), ArchiveError> {
    let entry = archive.by_index(index)?;
    if entry.size() > unpacked.remaining {
        return Err(ArchiveError::TooLarge);
    }
    let name = entry.name()?.into_owned();
    Ok((name, unpacked.read(entry)?))
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
        let unpacked = &mut Unpacked::default();
        assert_eq!(
            read_entry(&mut archive, "a.txt", unpacked).unwrap(),
            Some(b"hej".to_vec())
        );
        assert_eq!(read_entry(&mut archive, "b.txt", unpacked).unwrap(), None);
    }

    #[test]
    fn zip_bomb_is_refused_while_reading() {
        let big = vec![b'x'; MAX_UNPACKED_BYTES as usize + 1];
        let bytes = zip(&[("word/document.xml", &big)]);
        assert!(bytes.len() < 100_000, "deflates to {} bytes", bytes.len());
        let mut archive = open(&bytes).unwrap();
        assert!(matches!(
            read_entry(&mut archive, "word/document.xml", &mut Unpacked::default()),
            Err(ArchiveError::TooLarge)
        ));
        assert!(matches!(
            read_index(&mut archive, 0, &mut Unpacked::default()),
            Err(ArchiveError::TooLarge)
        ));
    }

    #[test]
    fn entries_count_together_whatever_their_names() {
        let half = vec![b'x'; MAX_UNPACKED_BYTES as usize / 2 + 1];
        let bytes = zip(&[("sheet1.bin", &half), ("SHEET2.XML", &half)]);
        let mut archive = open(&bytes).unwrap();
        let unpacked = &mut Unpacked::default();
        read_index(&mut archive, 0, unpacked).unwrap();
        assert!(matches!(
            read_index(&mut archive, 1, unpacked),
            Err(ArchiveError::TooLarge)
        ));
    }

    #[test]
    fn too_many_entries_are_refused() {
        let names: Vec<String> = (0..=MAX_ENTRIES).map(|n| format!("e{n}")).collect();
        let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
        assert!(matches!(
            open(&zip(&entries)),
            Err(ArchiveError::TooManyEntries)
        ));
        open(&zip(&entries[..MAX_ENTRIES])).unwrap();
    }

    #[test]
    fn not_a_zip_is_an_error() {
        assert!(open(b"hello").is_err());
        assert!(open(b"PK\x03\x04garbage").is_err());
    }
}
