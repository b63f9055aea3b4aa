//! CSV: the department table (header, departments, totals), then, after an empty line, the
//! per-diet section the XLSX has on its second sheet: a title line, a header (diet type, lunch,
//! dinner) and the site's special portions per diet type. A reader that wants the first table
//! only stops at the first empty line.

use super::RenderError;
use super::table::{
    department_numbers, diet_headers, diet_numbers, qualified_number_headers, totals_numbers,
};
use crate::report::model::{ReportLabels, WeeklyReport};

/// Excel only detects UTF-8 (and so shows å/ä/ö right) when the file starts with this mark.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

pub(super) fn render(
    report: &WeeklyReport,
    labels: &ReportLabels,
    delimiter: u8,
) -> Result<Vec<u8>, RenderError> {
    let mut builder = ::csv::WriterBuilder::new();
    builder.delimiter(delimiter);
    let mut writer = builder.from_writer(UTF8_BOM.to_vec());

    let mut header = vec![labels.department.clone()];
    header.extend(qualified_number_headers(labels));
    writer.write_record(&header)?;

    for department in &report.departments {
        writer.write_record(record(&department.name, &department_numbers(department)))?;
    }
    writer.write_record(record(&labels.total, &totals_numbers(&report.totals)))?;

    // A truly empty line between the sections (the writer would write an empty record as
    // `""`), then a writer of its own, flexible: the section's title line is one field, its
    // table three.
    let mut bytes = finish(writer)?;
    bytes.push(b'\n');
    let mut writer = builder.flexible(true).from_writer(bytes);
    writer.write_record([galley_core::export::csv_text(&labels.diets).as_ref()])?;
    writer.write_record(diet_headers(labels))?;
    for diet in &report.totals.diets {
        writer.write_record(record(&diet.name, &diet_numbers(diet)))?;
    }

    finish(writer)
}

fn finish(writer: ::csv::Writer<Vec<u8>>) -> Result<Vec<u8>, RenderError> {
    writer
        .into_inner()
        .map_err(|error| RenderError::Csv(error.into_error().into()))
}

fn record(name: &str, numbers: &[i64]) -> Vec<String> {
    std::iter::once(galley_core::export::csv_text(name).into_owned())
        .chain(numbers.iter().map(i64::to_string))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::super::sample;
    use super::*;

    fn rows(bytes: &[u8], delimiter: u8) -> Vec<Vec<String>> {
        let body = bytes.strip_prefix(UTF8_BOM).expect("starts with the BOM");
        ::csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(body)
            .records()
            .map(|record| record.unwrap().iter().map(str::to_owned).collect())
            .collect()
    }

    #[test]
    fn starts_with_bom_and_has_header_departments_and_totals() {
        let report = sample::report();
        let bytes = render(&report, &sample::labels(), b';').unwrap();

        assert!(bytes.starts_with(UTF8_BOM));
        let text = std::str::from_utf8(&bytes[UTF8_BOM.len()..]).unwrap();
        let first_line = text.lines().next().unwrap();
        assert_eq!(
            first_line,
            "Avdelning;Lunch: Boende;Lunch: Specialkost;Lunch: Normalkost;Lunch: Alt 1;\
             Lunch: Alt 2;Kvällsmat: Boende;Kvällsmat: Specialkost;Kvällsmat: Normalkost"
        );

        let rows = rows(&bytes, b';');
        let table = 1 + report.departments.len() + 1;
        // The reader skips the empty line: the title, the header and a row per diet follow.
        assert_eq!(rows.len(), table + 2 + report.totals.diets.len());
        assert_eq!(rows[1][0], "Ängsgården avd 1");
        assert_eq!(
            rows[1][1],
            report.departments[0].lunch.counts.residents.to_string()
        );
        assert_eq!(rows[3][8], report.departments[2].dinner.normal.to_string());
        assert_eq!(
            rows[table - 1],
            [
                "Totalt", "9001", "9002", "9003", "9004", "9005", "9006", "9007", "9008"
            ]
        );
    }

    #[test]
    fn the_diet_section_follows_an_empty_line_like_the_xlsx_diet_sheet() {
        let report = sample::report();
        let bytes = render(&report, &sample::labels(), b';').unwrap();
        let text = std::str::from_utf8(&bytes[UTF8_BOM.len()..]).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let table = 1 + report.departments.len() + 1;
        assert_eq!(lines[table], "", "an empty line ends the department table");
        assert_eq!(lines[table + 1], "Specialkost per kosttyp");
        assert_eq!(lines[table + 2], "Kosttyp;Lunch;Kvällsmat");
        let diets: Vec<String> = report
            .totals
            .diets
            .iter()
            .map(|d| format!("{};{};{}", d.name, d.lunch, d.dinner))
            .collect();
        assert!(!diets.is_empty());
        assert_eq!(lines[table + 3..], diets[..]);
        assert_eq!(lines[table + 3], "Glutenfri;41;37");
    }

    #[test]
    fn quotes_a_name_containing_the_delimiter() {
        let report = sample::report();
        for delimiter in [b';', b','] {
            let bytes = render(&report, &sample::labels(), delimiter).unwrap();
            let text = std::str::from_utf8(&bytes[UTF8_BOM.len()..]).unwrap();
            assert!(
                text.contains("\"Öster; \"\"Solrosen\"\", plan 2\""),
                "name quoted with doubled inner quotes: {text}"
            );
            let rows = rows(&bytes, delimiter);
            assert_eq!(rows[2][0], "Öster; \"Solrosen\", plan 2");
            let table = 1 + report.departments.len() + 1;
            assert!(rows[..table].iter().all(|row| row.len() == 9));
        }
    }

    #[test]
    fn a_department_named_like_a_formula_is_written_as_text() {
        let mut report = sample::report();
        report.departments[0].name = "=HYPERLINK(\"http://x.test\",\"Boka\")".to_owned();
        report.departments[1].name = "@SUM(1)".to_owned();
        let bytes = render(&report, &sample::labels(), b';').unwrap();
        let rows = rows(&bytes, b';');
        assert_eq!(rows[1][0], "'=HYPERLINK(\"http://x.test\",\"Boka\")");
        assert_eq!(rows[2][0], "'@SUM(1)");
        assert_eq!(
            rows[1][1],
            report.departments[0].lunch.counts.residents.to_string()
        );
    }

    #[test]
    fn comma_delimiter_is_used() {
        let bytes = render(&sample::report(), &sample::labels(), b',').unwrap();
        let text = std::str::from_utf8(&bytes[UTF8_BOM.len()..]).unwrap();
        assert!(text.starts_with("Avdelning,Lunch: Boende,"));
        assert!(!text.lines().next().unwrap().contains(';'));
    }
}
