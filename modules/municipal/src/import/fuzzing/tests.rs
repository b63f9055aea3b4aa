//! The fuzz crate's inputs through the facade, without libFuzzer: every regression input
//! (`fuzz/regressions/<target>/`) and every seed (`fuzz/seeds/<target>/`) is read without a
//! panic, and the seeds made from `docs/samples` read like the samples themselves.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use super::*;

type Target = fn(&[u8]) -> Result<Parsed, FileError>;

const TARGETS: [(&str, Target); 4] = [
    ("csv", csv),
    ("xlsx", xlsx),
    ("docx", docx),
    ("menu_text", menu_text),
];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file() && path.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    files.sort();
    files
}

/// The files of `fuzz/<kind>/<target>/` whose reading panicked, and how many were read.
fn panicking_inputs(kind: &str) -> (Vec<String>, usize) {
    let mut panicked = Vec::new();
    let mut read = 0;
    for (name, target) in TARGETS {
        for path in files_in(&fuzz_dir().join(kind).join(name)) {
            let bytes = fs::read(&path).unwrap();
            read += 1;
            if catch_unwind(AssertUnwindSafe(|| target(&bytes))).is_err() {
                panicked.push(format!("{name}: {}", path.display()));
            }
        }
    }
    (panicked, read)
}

/// Inputs that crashed before and the hostile seeds. (`fuzz/known/` holds those that still
/// crash: they move to `fuzz/regressions/` when the parser is fixed.)
#[test]
fn regression_inputs_and_seeds_do_not_panic() {
    let (mut panicked, regressions) = panicking_inputs("regressions");
    let (seeds_panicked, seeds) = panicking_inputs("seeds");
    panicked.extend(seeds_panicked);
    assert!(seeds > 0, "no seeds found under {:?}", fuzz_dir());
    assert_eq!(
        panicked,
        Vec::<String>::new(),
        "of {} inputs",
        regressions + seeds
    );
}

fn seed(target: &str, name: &str) -> Vec<u8> {
    fs::read(fuzz_dir().join("seeds").join(target).join(name)).unwrap()
}

fn sample(name: &str) -> Vec<u8> {
    fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../docs/samples")
            .join(name),
    )
    .unwrap()
}

#[test]
fn structured_seeds_read_like_their_samples() {
    for (target, seed_name, sample_name) in [
        (
            xlsx as Target,
            "meny-v13-2026.entries",
            "meny-v13-2026.xlsx",
        ),
        (docx, "meny-v14-2026.entries", "meny-v14-2026.docx"),
        (
            docx,
            "meny-tabell-v15-2026.entries",
            "meny-tabell-v15-2026.docx",
        ),
    ] {
        let from_seed = target(&seed(
            if sample_name.ends_with("xlsx") {
                "xlsx"
            } else {
                "docx"
            },
            seed_name,
        ))
        .unwrap();
        let from_sample = target(&sample(sample_name)).unwrap();
        assert_eq!(from_seed.rows.len(), 26, "{seed_name}");
        assert_eq!(from_seed, from_sample, "{seed_name}");
    }
}

#[test]
fn menu_text_seed_reads_like_the_docx_sample() {
    let from_text = menu_text(&seed("menu_text", "meny-v14-2026.txt")).unwrap();
    let from_sample = docx(&sample("meny-v14-2026.docx")).unwrap();
    assert_eq!(from_text.rows, from_sample.rows);
    assert_eq!(from_text.errors, vec![]);
}

#[test]
fn structured_input_becomes_a_zip_of_its_entries() {
    let bytes = entries_zip(b"a.xml\n<a/>\0b/c.xml\n\0empty\0a.xml\nsecond");
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    // "a.xml" given twice keeps its first entry.
    assert_eq!(archive.len(), 3);
    let mut contents = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("a.xml").unwrap(), &mut contents).unwrap();
    assert_eq!(contents, "<a/>");
}

#[test]
fn menu_text_lines_are_escaped_paragraphs() {
    let parsed =
        menu_text("Vecka 14 2026\nMåndag\nAlt 1: Fisk & <potatis>\x01\n".as_bytes()).unwrap();
    assert_eq!(parsed.errors, vec![]);
    assert_eq!(parsed.rows.len(), 1);
    assert_eq!(parsed.rows[0].dish, "Fisk & <potatis>");
}
