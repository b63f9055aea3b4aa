//! A waste log in a CSV file: columns date, meal, category, dish, guests, produced_kg,
//! served_kg, leftover_kg (in any order; dish may be left out), `;` or `,` between them, kg with
//! a decimal point or comma. Headers and values may be English, Norwegian or Swedish.
//!
//! Every row is read and checked with [`validate`]; every problem is reported with its line,
//! so a file can be fixed in one go. Nothing here trusts the file: its size is the caller's
//! limit, the rows are capped, and a deadline stops a parse that takes too long.

use std::time::Instant;

use chrono::NaiveDate;

use super::entry::{FieldError, WasteInput, validate};
use super::{Category, MAX_GRAMS, Meal};

/// The most rows one file may hold (about three years of a busy galley's log).
pub const MAX_ROWS: usize = 10_000;

/// Years a logged date may be in.
pub const MIN_YEAR: i32 = 2000;
pub const MAX_YEAR: i32 = 2100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Date,
    Meal,
    Category,
    Dish,
    Guests,
    Produced,
    Served,
    Leftover,
}

impl Column {
    const REQUIRED: [Column; 7] = [
        Column::Date,
        Column::Meal,
        Column::Category,
        Column::Guests,
        Column::Produced,
        Column::Served,
        Column::Leftover,
    ];

    fn field(self) -> &'static str {
        match self {
            Column::Date => "date",
            Column::Meal => "meal",
            Column::Category => "category",
            Column::Dish => "dish",
            Column::Guests => "guests",
            Column::Produced => "produced_kg",
            Column::Served => "served_kg",
            Column::Leftover => "leftover_kg",
        }
    }

    /// A header in English, Norwegian or Swedish; case, blanks and a kg unit do not matter.
    fn named(header: &str) -> Option<Column> {
        let mut name = header.trim().to_lowercase().replace([' ', '-'], "_");
        for unit in ["_(kg)", "(kg)", "_kg"] {
            if let Some(stripped) = name.strip_suffix(unit) {
                name = stripped.trim_end_matches('_').to_owned();
            }
        }
        Some(match name.as_str() {
            "date" | "dato" | "datum" => Column::Date,
            "meal" | "måltid" | "maltid" => Column::Meal,
            "category" | "kategori" => Column::Category,
            "dish" | "rett" | "rätt" | "ratt" | "maträtt" => Column::Dish,
            "guests" | "gjester" | "gäster" | "gaster" | "antall_gjester" | "antal_gäster" => {
                Column::Guests
            }
            "produced" | "produsert" | "producerat" | "tillagat" | "laget" => Column::Produced,
            "served" | "servert" | "serverat" => Column::Served,
            "leftover" | "leftovers" | "rester" | "rest" | "svinn" | "matsvinn" => Column::Leftover,
            _ => return None,
        })
    }
}

fn meal_named(text: &str) -> Option<Meal> {
    Some(match text.trim().to_lowercase().as_str() {
        "lunch" | "lunsj" => Meal::Lunch,
        "dinner" | "middag" => Meal::Dinner,
        "night" | "natt" => Meal::Night,
        _ => return None,
    })
}

fn category_named(text: &str) -> Option<Category> {
    let name = text.trim().to_lowercase().replace([' ', '-'], "_");
    Some(match name.as_str() {
        "soup" | "suppe" | "soppa" => Category::Soup,
        "fish" | "fisk" => Category::Fish,
        "meat" | "kjøtt" | "kött" => Category::Meat,
        "vegetarian" | "vegetar" | "vegetarisk" | "vegetariskt" => Category::Vegetarian,
        "dessert" => Category::Dessert,
        "extra" | "ekstra" | "tilbehør" | "tillbehör" => Category::Extra,
        "night_meal" | "nattmat" | "nattmål" | "nattmåltid" => Category::NightMeal,
        _ => return None,
    })
}

/// `YYYY-MM-DD`, or `DD.MM.YYYY` as Norwegian and Swedish spreadsheets write it.
fn date_of(text: &str) -> Result<NaiveDate, String> {
    let text = text.trim();
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d.%m.%Y"))
        .map_err(|_| "must be a date YYYY-MM-DD or DD.MM.YYYY".to_owned())?;
    let year = chrono::Datelike::year(&date);
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        Ok(date)
    } else {
        Err(format!("must be in the years {MIN_YEAR} to {MAX_YEAR}"))
    }
}

/// Whole grams from kg written with at most three decimals (point or comma), read exactly.
pub fn grams_of(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let (whole, fraction) = match text.split_once(['.', ',']) {
        // "1." would be read as 1 kg: a separator needs decimals after it.
        Some((_, "")) => return Err("must be a number of kg, like 12.5 or 12,5".to_owned()),
        Some((whole, fraction)) => (whole, fraction),
        None => (text, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if text.starts_with('-') && text.len() > 1 {
        return Err("must not be negative".to_owned());
    }
    if whole.is_empty() || !digits(whole) || !digits(fraction) {
        return Err("must be a number of kg, like 12.5 or 12,5".to_owned());
    }
    if fraction.len() > 3 {
        return Err("must have at most three decimals (whole grams)".to_owned());
    }
    let whole = whole.trim_start_matches('0');
    if whole.len() > 6 {
        return Err("must be at most 100000 kg".to_owned());
    }
    let kg: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| "must be a number".to_owned())?
    };
    let mut grams = kg * 1000;
    if !fraction.is_empty() {
        let padded = format!("{fraction:0<3}");
        grams += padded.parse::<i64>().map_err(|_| "must be a number")?;
    }
    if grams > MAX_GRAMS {
        return Err("must be at most 100000 kg".to_owned());
    }
    Ok(grams)
}

fn guests_of(text: &str) -> Result<u32, String> {
    let text = text.trim();
    if text.is_empty() || text.len() > 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err("must be a whole number 0 to 2000".to_owned());
    }
    text.parse()
        .map_err(|_| "must be a whole number 0 to 2000".to_owned())
}

/// A problem of the file, at a line (1 is the header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: u64,
    pub field: String,
    pub reason: String,
}

/// One row read: its line and the entry it makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRow {
    pub line: u64,
    pub entry: WasteInput,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub rows: Vec<ParsedRow>,
    pub errors: Vec<LineError>,
}

impl Parsed {
    fn refuse(line: u64, field: &str, reason: impl Into<String>) -> Parsed {
        Parsed {
            rows: Vec::new(),
            errors: vec![LineError {
                line,
                field: field.to_owned(),
                reason: reason.into(),
            }],
        }
    }
}

/// `;` unless the header line has a `,` and no `;`.
fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    if header.contains(',') && !header.contains(';') {
        b','
    } else {
        b';'
    }
}

/// Reads the whole file; stops at `deadline` with an error of its own.
pub fn parse(bytes: &[u8], deadline: Instant) -> Parsed {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Parsed::refuse(1, "file", "must be UTF-8 text");
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(text))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(header)) => header,
        _ => return Parsed::refuse(1, "file", "is empty: the first line names the columns"),
    };
    let columns = match columns(&header) {
        Ok(columns) => columns,
        Err(errors) => {
            return Parsed {
                rows: Vec::new(),
                errors,
            };
        }
    };
    let mut parsed = Parsed::default();
    // csv's own line count skips blank lines; the line a person sees counts them.
    let mut lines = LineCounter::new(text);
    for (index, record) in records.enumerate() {
        let line = index as u64 + 2;
        if index % 256 == 0 && Instant::now() >= deadline {
            return Parsed::refuse(line, "file", "took too long to read; split the file");
        }
        if index >= MAX_ROWS {
            parsed.errors.push(LineError {
                line,
                field: "file".to_owned(),
                reason: format!("has more than {MAX_ROWS} rows; split the file"),
            });
            break;
        }
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                parsed.errors.push(LineError {
                    line,
                    field: "line".to_owned(),
                    reason: format!("cannot be read: {error}"),
                });
                continue;
            }
        };
        let line = record.position().map_or(line, |p| lines.line_at(p.byte()));
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        match row(&columns, &record) {
            Ok(entry) => parsed.rows.push(ParsedRow { line, entry }),
            Err(errors) => parsed
                .errors
                .extend(errors.into_iter().map(|(field, reason)| LineError {
                    line,
                    field: field.to_owned(),
                    reason,
                })),
        }
    }
    parsed
}

/// The line of each record, counted forward (records only move forward).
struct LineCounter<'a> {
    text: &'a str,
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            text,
            offset: 0,
            line: 1,
        }
    }

    fn line_at(&mut self, byte: u64) -> u64 {
        let byte = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        if byte > self.offset {
            let skipped = self.text.as_bytes()[self.offset..byte]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.line += skipped as u64;
            self.offset = byte;
        }
        // A record's position is where the one before it ended: blank lines come first.
        while let Some(b) = self.text.as_bytes().get(self.offset).copied() {
            if b != b'\n' && b != b'\r' {
                break;
            }
            self.line += u64::from(b == b'\n');
            self.offset += 1;
        }
        self.line
    }
}

fn columns(header: &csv::StringRecord) -> Result<Vec<Option<Column>>, Vec<LineError>> {
    let mut errors = Vec::new();
    let mut error = |field: &str, reason: String| {
        errors.push(LineError {
            line: 1,
            field: field.to_owned(),
            reason,
        })
    };
    let mut columns: Vec<Option<Column>> = Vec::new();
    for (index, name) in header.iter().enumerate() {
        let column = Column::named(name);
        match column {
            None if name.trim().is_empty() => {}
            None => error(
                &format!("columns[{index}]"),
                format!(
                    "unknown column {:?}",
                    name.chars().take(40).collect::<String>()
                ),
            ),
            Some(column) if columns.contains(&Some(column)) => error(
                &format!("columns[{index}]"),
                format!("{} is named twice", column.field()),
            ),
            Some(_) => {}
        }
        columns.push(column);
    }
    for required in Column::REQUIRED {
        if !columns.contains(&Some(required)) {
            error(required.field(), "column is missing".to_owned());
        }
    }
    if errors.is_empty() {
        Ok(columns)
    } else {
        Err(errors)
    }
}

type RowErrors = Vec<(&'static str, String)>;

fn row(columns: &[Option<Column>], record: &csv::StringRecord) -> Result<WasteInput, RowErrors> {
    let cell = |wanted: Column| {
        columns
            .iter()
            .position(|c| *c == Some(wanted))
            .and_then(|i| record.get(i))
            .unwrap_or_default()
    };
    let mut errors: RowErrors = Vec::new();
    let mut take = |column: Column, result: Result<(), String>| {
        if let Err(reason) = result {
            errors.push((column.field(), reason));
        }
    };
    let mut date = NaiveDate::MIN;
    take(Column::Date, date_of(cell(Column::Date)).map(|d| date = d));
    let meal = meal_named(cell(Column::Meal));
    take(
        Column::Meal,
        meal.map(|_| ())
            .ok_or("must be lunch, dinner or night".to_owned()),
    );
    let category = category_named(cell(Column::Category));
    take(
        Column::Category,
        category
            .map(|_| ())
            .ok_or("must be soup, fish, meat, vegetarian, dessert, extra or night_meal".to_owned()),
    );
    let mut guests = 0;
    take(
        Column::Guests,
        guests_of(cell(Column::Guests)).map(|g| guests = g),
    );
    let mut grams = [0_i64; 3];
    for (slot, column) in [Column::Produced, Column::Served, Column::Leftover]
        .into_iter()
        .enumerate()
    {
        take(column, grams_of(cell(column)).map(|g| grams[slot] = g));
    }
    if record.len() > columns.len() {
        errors.push(("line", format!("has more than {} cells", columns.len())));
    }
    let dish = Some(cell(Column::Dish).to_owned()).filter(|d| !d.trim().is_empty());
    let (Some(meal), Some(category), true) = (meal, category, errors.is_empty()) else {
        return Err(errors);
    };
    let entry = WasteInput {
        date,
        meal,
        category,
        dish,
        guests,
        produced_g: grams[0],
        served_g: grams[1],
        leftover_g: grams[2],
    };
    validate(&entry).map_err(|broken| {
        broken
            .into_iter()
            .map(|FieldError { field, reason }| (field, reason))
            .collect::<RowErrors>()
    })?;
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn later() -> Instant {
        Instant::now() + Duration::from_secs(60)
    }

    fn errors(parsed: &Parsed) -> Vec<(u64, &str)> {
        parsed
            .errors
            .iter()
            .map(|e| (e.line, e.field.as_str()))
            .collect()
    }

    #[test]
    fn kg_are_read_exactly() {
        assert_eq!(grams_of("12,5"), Ok(12_500));
        assert_eq!(grams_of(" 0.001 "), Ok(1));
        assert_eq!(grams_of("16384.011"), Ok(16_384_011));
        assert_eq!(grams_of("100000"), Ok(MAX_GRAMS));
        assert_eq!(grams_of("007"), Ok(7_000));
        for bad in [
            "",
            "1.2345",
            "-1",
            "1e3",
            "1 000",
            "100000.001",
            "1.",
            ".5",
            "x",
        ] {
            assert!(grams_of(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn norwegian_headers_semicolons_and_decimal_commas() {
        let file = "\u{feff}Dato;Måltid;Kategori;Rett;Gjester;Produsert kg;Servert kg;Rester kg\n\
                    2026-03-02;lunsj;suppe;Fiskesuppe;40;12,5;10,250;2,25\n\
                    \n\
                    03.03.2026;middag;kjøtt;;38;9;8;1\n";
        let parsed = parse(file.as_bytes(), later());
        assert_eq!(parsed.errors, []);
        assert_eq!(parsed.rows.len(), 2);
        let first = &parsed.rows[0];
        assert_eq!(first.line, 2);
        assert_eq!(first.entry.meal, Meal::Lunch);
        assert_eq!(first.entry.category, Category::Soup);
        assert_eq!(first.entry.dish.as_deref(), Some("Fiskesuppe"));
        assert_eq!(
            (
                first.entry.produced_g,
                first.entry.served_g,
                first.entry.leftover_g
            ),
            (12_500, 10_250, 2_250)
        );
        let second = &parsed.rows[1];
        assert_eq!(second.line, 4);
        assert_eq!(
            second.entry.date,
            NaiveDate::from_ymd_opt(2026, 3, 3).unwrap()
        );
        assert_eq!(second.entry.dish, None);
    }

    #[test]
    fn swedish_headers_with_commas_between_columns() {
        let file = "datum,måltid,kategori,rätt,gäster,producerat_kg,serverat_kg,svinn_kg\n\
                    2026-03-02,natt,nattmat,\"Pytt, i panna\",12,\"3,5\",3,0.5\n";
        let parsed = parse(file.as_bytes(), later());
        assert_eq!(parsed.errors, []);
        let entry = &parsed.rows[0].entry;
        assert_eq!(entry.category, Category::NightMeal);
        assert_eq!(entry.dish.as_deref(), Some("Pytt, i panna"));
        assert_eq!((entry.produced_g, entry.leftover_g), (3_500, 500));
    }

    #[test]
    fn every_problem_is_named_with_its_line() {
        let file = "date;meal;category;guests;produced_kg;served_kg;leftover_kg\n\
                    2026-03-02;lunch;soup;40;10;11;1\n\
                    2026-02-30;brunch;cake;x;1;1;1\n\
                    2026-03-04;dinner;fish;2001;1;0;2\n";
        let parsed = parse(file.as_bytes(), later());
        assert_eq!(
            errors(&parsed),
            [
                (2, "served_kg"),
                (3, "date"),
                (3, "meal"),
                (3, "category"),
                (3, "guests"),
                (4, "guests"),
                (4, "leftover_kg")
            ]
        );
        assert!(parsed.rows.is_empty());
    }

    #[test]
    fn headers_must_name_every_column_once() {
        let file = "date;meal;kategori;category;notes;guests\n";
        let parsed = parse(file.as_bytes(), later());
        assert_eq!(
            errors(&parsed),
            [
                (1, "columns[3]"),
                (1, "columns[4]"),
                (1, "produced_kg"),
                (1, "served_kg"),
                (1, "leftover_kg")
            ]
        );
        assert_eq!(errors(&parse(b"", later())), [(1, "file")]);
        assert_eq!(errors(&parse(b"\xff\xfe", later())), [(1, "file")]);
    }

    #[test]
    fn rows_are_capped_and_the_deadline_holds() {
        let mut file =
            String::from("date;meal;category;guests;produced_kg;served_kg;leftover_kg\n");
        for _ in 0..=MAX_ROWS {
            file.push_str("2026-03-02;lunch;soup;1;1;1;0\n");
        }
        let parsed = parse(file.as_bytes(), later());
        assert_eq!(parsed.rows.len(), MAX_ROWS);
        assert_eq!(errors(&parsed), [(MAX_ROWS as u64 + 2, "file")]);
        let late = parse(file.as_bytes(), Instant::now());
        assert_eq!(errors(&late), [(2, "file")]);
    }
}
