//! Cheap fuzzing: truncated, mutated and random inputs through every parser give rows, row
//! errors or a file error, never a panic (a panic would fail the test).

use super::test_support::{
    SAMPLE_BAD_CSV, SAMPLE_CSV, SAMPLE_DOCX, SAMPLE_TABLE_DOCX, SAMPLE_XLSX,
};
use super::{Format, ParseBudget, parse};

const FORMATS: [Format; 3] = [Format::Csv, Format::Xlsx, Format::Docx];
const SAMPLES: [&[u8]; 5] = [
    SAMPLE_CSV,
    SAMPLE_XLSX,
    SAMPLE_DOCX,
    SAMPLE_TABLE_DOCX,
    SAMPLE_BAD_CSV,
];

/// Every way in: detection under each claimed name, and parsing as each format.
fn try_everything(bytes: &[u8]) {
    for name in ["meny.csv", "meny.xlsx", "meny.docx"] {
        let _ = Format::detect(Some(name), None, bytes);
    }
    let _ = Format::detect(None, None, bytes);
    for format in FORMATS {
        let _ = parse(format, bytes, 2026, &ParseBudget::default());
    }
}

/// A small deterministic generator (xorshift64): reproducible without a dependency.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }
}

#[test]
fn truncated_samples_never_panic() {
    for sample in SAMPLES {
        let step = (sample.len() / 200).max(1);
        for end in (0..sample.len()).step_by(step) {
            try_everything(&sample[..end]);
        }
    }
}

#[test]
fn mutated_samples_never_panic() {
    let mut random = Random(0x5EED_CAFE_F00D_u64);
    for sample in SAMPLES {
        for _ in 0..150 {
            let mut bytes = sample.to_vec();
            for _ in 0..=random.below(8) {
                let at = random.below(bytes.len());
                bytes[at] = random.next() as u8;
            }
            try_everything(&bytes);
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut random = Random(42);
    for length in [1, 2, 3, 4, 5, 16, 100, 1000, 5000] {
        for prefix in [&b""[..], b"PK\x03\x04", b"\xEF\xBB\xBF"] {
            let mut bytes = prefix.to_vec();
            bytes.extend((0..length).map(|_| random.next() as u8));
            try_everything(&bytes);
        }
    }
}
