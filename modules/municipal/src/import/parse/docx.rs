//! DOCX menus: the text lines and tables of the Word document's main part, read with
//! quick-xml, laid out as lines by [`docx_table`](super::docx_table) and then understood as a
//! weekly menu by [`menu_text`](super::menu_text).

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use crate::import::model::Parsed;

use super::archive::{self, Archive, ArchiveError, Unpacked};
use super::budget::ParseBudget;
use super::docx_table::{self, Block, Cell};
use super::{FileError, MAX_CELLS_PER_ROW, menu_text};

/// Where Word puts the main part; the package relationships may name another.
const DEFAULT_MAIN_PART: &str = "word/document.xml";

pub(super) fn parse(
    bytes: &[u8],
    default_year: i32,
    budget: &ParseBudget,
) -> Result<Parsed, FileError> {
    let xml = main_part(bytes)?;
    let blocks = read_body(&xml, budget)?.ok_or(FileError::NotDocx { cause: None })?;
    menu_text::parse(&docx_table::menu_lines(&blocks), default_year)
}

/// The XML text of the document body.
fn main_part(bytes: &[u8]) -> Result<String, FileError> {
    let mut archive = archive::open(bytes).map_err(archive_error)?;
    // The relationships and the main part share one budget: together they are what is read.
    let mut unpacked = Unpacked::default();
    let name = main_part_name(&mut archive, &mut unpacked)?;
    let xml = read_entry(&mut archive, &name, &mut unpacked)?
        .ok_or(FileError::NotDocx { cause: None })?;
    String::from_utf8(xml).map_err(FileError::not_docx)
}

fn read_entry(
    archive: &mut Archive<'_>,
    name: &str,
    unpacked: &mut Unpacked,
) -> Result<Option<Vec<u8>>, FileError> {
    archive::read_entry(archive, name, unpacked).map_err(archive_error)
}

fn archive_error(error: ArchiveError) -> FileError {
    match error {
        ArchiveError::TooLarge => FileError::too_large_unpacked(),
        ArchiveError::TooManyEntries => FileError::TooManyEntries {
            max: archive::MAX_ENTRIES,
        },
        other => FileError::not_docx(other),
    }
}

/// The main part named by `_rels/.rels` (Word Online sometimes writes `word/document2.xml`),
/// else the usual one.
fn main_part_name(archive: &mut Archive<'_>, unpacked: &mut Unpacked) -> Result<String, FileError> {
    let Some(rels) = read_entry(archive, "_rels/.rels", unpacked)? else {
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

/// The document body as [`Block`]s in reading order: the text of each paragraph (`w:p`)
/// outside tables, and each table (`w:tbl`) with the paragraphs of each cell. A paragraph's
/// text is its `w:t` runs joined, `w:tab` as a space, and a `w:br`/`w:cr` line break starts a
/// new line. Deleted text (`w:delText`) and field codes (`w:instrText`) are not `w:t` and so
/// are left out; the `mc:Fallback` copy of a text box is skipped, since the `mc:Choice` copy
/// holds the same text. A table inside a cell is read as part of that cell's text.
///
/// `None` when the XML is not a WordprocessingML document (its root is not `w:document`).
fn read_body(xml: &str, budget: &ParseBudget) -> Result<Option<Vec<Block>>, FileError> {
    let mut reader = Reader::from_str(xml);
    let mut body = Body::default();
    let mut in_text = false;
    let mut fallback_depth = 0usize;
    let mut saw_root = false;
    let mut ticker = budget.ticker();
    loop {
        ticker.tick()?;
        budget.check_text(&body.line)?;
        if body
            .row
            .as_ref()
            .is_some_and(|row| row.len() > MAX_CELLS_PER_ROW)
        {
            return Err(FileError::too_many_cells(body.rows.len() + 1));
        }
        let event = reader.read_event().map_err(FileError::not_docx)?;
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
                "p" => body.end_line(),
                "t" => in_text = true,
                "Fallback" => fallback_depth = 1,
                "tbl" => body.start_table(),
                "tr" => body.start_row(),
                "tc" => body.start_cell(),
                "gridBefore" => body.skip_columns(grid_value(&element)),
                _ => {}
            },
            Event::Empty(element) => match element.local_name().as_ref() {
                "tab" => body.line.push(' '),
                "br" | "cr" | "p" => body.end_line(),
                "tc" => {
                    body.start_cell();
                    body.end_cell();
                }
                "tr" => {
                    body.start_row();
                    body.end_row();
                }
                "gridBefore" => body.skip_columns(grid_value(&element)),
                "gridSpan" => body.span_cell(grid_value(&element)),
                _ => {}
            },
            Event::End(element) => match element.local_name().as_ref() {
                "p" => body.end_line(),
                "t" => in_text = false,
                "tbl" => body.end_table(),
                "tr" => body.end_row(),
                "tc" => body.end_cell(),
                _ => {}
            },
            Event::Text(text) if in_text => body.line.push_str(&text.xml10_content()),
            Event::CData(text) if in_text => body.line.push_str(&text.xml10_content()),
            Event::GeneralRef(reference) if in_text => push_reference(&mut body.line, &reference),
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(saw_root.then(|| body.finish()))
}

/// The `w:val` of a `w:gridSpan` or `w:gridBefore`: how many grid columns.
fn grid_value(element: &BytesStart<'_>) -> usize {
    // Word writes small numbers; a huge one must not make the column arithmetic overflow.
    const MAX_GRID_COLUMNS: usize = 1000;
    element
        .attributes()
        .flatten()
        .find(|attribute| attribute.key.local_name().as_ref() == "val")
        .and_then(|attribute| attribute.value.trim().parse().ok())
        .map_or(1, |value: usize| value.min(MAX_GRID_COLUMNS))
}

/// The body as it is being read.
#[derive(Debug, Default)]
struct Body {
    blocks: Vec<Block>,
    /// The text of the line being read.
    line: String,
    /// How deep in tables the reader is: 1 in a table of the body, 2 in a table in its cell.
    depth: usize,
    /// The rows of the outermost table being read.
    rows: Vec<Vec<Cell>>,
    row: Option<Vec<Cell>>,
    cell: Option<Cell>,
    /// The grid column the next cell of the row starts at.
    column: usize,
}

impl Body {
    /// Ends the line being read: into the cell being read, if any, else the body.
    fn end_line(&mut self) {
        let line = std::mem::take(&mut self.line);
        if line.trim().is_empty() {
            return;
        }
        match &mut self.cell {
            Some(cell) => cell.lines.push(line),
            None => self.blocks.push(Block::Line(line)),
        }
    }

    fn start_table(&mut self) {
        self.end_line();
        self.depth += 1;
    }

    fn end_table(&mut self) {
        self.end_line();
        if self.depth == 1 {
            self.end_row();
            self.blocks
                .push(Block::Table(std::mem::take(&mut self.rows)));
        }
        self.depth = self.depth.saturating_sub(1);
    }

    fn start_row(&mut self) {
        if self.depth == 1 {
            self.end_row();
            self.row = Some(Vec::new());
            self.column = 0;
        }
    }

    fn end_row(&mut self) {
        if self.depth == 1 {
            self.end_cell();
            if let Some(row) = self.row.take() {
                self.rows.push(row);
            }
        }
    }

    fn start_cell(&mut self) {
        if self.depth == 1 {
            self.end_cell();
            self.cell = Some(Cell {
                lines: Vec::new(),
                grid_column: self.column,
                span: 1,
            });
        }
    }

    fn end_cell(&mut self) {
        if self.depth != 1 {
            return;
        }
        self.end_line();
        if let Some(cell) = self.cell.take() {
            self.column = self.column.saturating_add(cell.span);
            self.row.get_or_insert_with(Vec::new).push(cell);
        }
    }

    fn span_cell(&mut self, columns: usize) {
        if let (1, Some(cell)) = (self.depth, &mut self.cell) {
            cell.span = columns.max(1);
        }
    }

    fn skip_columns(&mut self, columns: usize) {
        if self.depth == 1 && self.cell.is_none() {
            self.column = self.column.saturating_add(columns);
        }
    }

    /// What was read; a table left open by a truncated document is kept as far as it got.
    fn finish(mut self) -> Vec<Block> {
        self.end_line();
        if self.depth > 0 {
            self.depth = 1;
            self.end_table();
        }
        self.blocks
    }
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
    use crate::import::model::{CellPlace, ImportSlot};

    fn body(xml: &str) -> Result<Option<Vec<Block>>, FileError> {
        read_body(xml, &ParseBudget::default())
    }

    #[test]
    fn sample_week_14() {
        let parsed = parse(SAMPLE_DOCX, 2020, &ParseBudget::default()).unwrap();
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

    #[test]
    fn sample_table_week_15() {
        let parsed = parse(SAMPLE_TABLE_DOCX, 2020, &ParseBudget::default()).unwrap();
        assert_eq!(parsed.errors, vec![]);
        assert_eq!(parsed.rows.len(), 26);
        assert!(parsed.rows.iter().all(|r| (r.year, r.week) == (2026, 15)));
        let expected = [
            (
                1,
                ImportSlot::Alt1,
                "Lammstek med rosmarinpotatis och rödvinssås",
            ),
            (1, ImportSlot::Alt2, "Janssons frestelse med ägghalvor"),
            (1, ImportSlot::Dessert, "Citronfromage"),
            (
                1,
                ImportSlot::Dinner,
                "Potatis- och purjolökssoppa med smörgås",
            ),
            (4, ImportSlot::Alt1, "Ärtsoppa med fläsk"),
            (4, ImportSlot::Dessert, "Pannkakor med sylt och grädde"),
            (5, ImportSlot::Alt2, "Kålpudding med lingon och potatis"),
            (6, ImportSlot::Alt1, "Stekt falukorv med stuvade makaroner"),
            (7, ImportSlot::Dinner, "Omelett med svampstuvning"),
        ];
        for (day, slot, name) in expected {
            assert_eq!(dish(&parsed, day, slot), Some(name), "{day} {slot:?}");
        }
        // "–" under Alt 2 on the weekend is no dish.
        assert_eq!(dish(&parsed, 6, ImportSlot::Alt2), None);
        assert_eq!(dish(&parsed, 7, ImportSlot::Alt2), None);
        // Lines: 1 title, 2 "Vecka 15 2026", 3-7 the heading row, 8 "Måndag 6/4",
        // 9 "Annandag påsk", 10-11 Monday's Alt 1 (two paragraphs in one cell).
        let monday = row(&parsed, 1, ImportSlot::Alt1);
        assert_eq!(monday.line, 10);
        assert_eq!(
            monday.cell,
            Some(CellPlace {
                table: 1,
                row: 2,
                column: 2
            })
        );
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
        let lines = [
            "Vecka 14",
            "Måndag 30/3",
            "Alt 1: Fisk & potatis å",
            "Alt 2: Soppa",
            "I rutan",
        ];
        assert_eq!(
            body(&xml).unwrap().unwrap(),
            lines.map(|line| Block::Line(line.to_owned())).to_vec()
        );
    }

    fn cell(grid_column: usize, lines: &[&str]) -> Cell {
        Cell {
            lines: lines.iter().map(|line| (*line).to_owned()).collect(),
            grid_column,
            span: 1,
        }
    }

    #[test]
    fn tables_keep_their_place_rows_cells_and_grid_columns() {
        let xml = document(
            r#"<w:p><w:r><w:t>Vecka 15</w:t></w:r></w:p>
               <w:tbl><w:tblPr/><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>
                 <w:tr><w:tc><w:p><w:r><w:t>Dag</w:t></w:r></w:p></w:tc>
                   <w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>Alt 1</w:t></w:r></w:p></w:tc></w:tr>
                 <w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>
                   <w:tc><w:p/><w:p><w:r><w:t>Pannbiff</w:t></w:r></w:p><w:p><w:r><w:t>med lök</w:t></w:r></w:p></w:tc>
                   <w:tc><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Inre</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:tc></w:tr>
                 <w:tr/>
               </w:tbl>
               <w:p><w:r><w:t>Efter</w:t></w:r></w:p>"#,
        );
        assert_eq!(
            body(&xml).unwrap().unwrap(),
            vec![
                Block::Line("Vecka 15".into()),
                Block::Table(vec![
                    vec![
                        cell(0, &["Dag"]),
                        Cell {
                            span: 2,
                            ..cell(1, &["Alt 1"])
                        }
                    ],
                    vec![cell(1, &["Pannbiff", "med lök"]), cell(2, &["Inre"])],
                    vec![],
                ]),
                Block::Line("Efter".into()),
            ]
        );
    }

    #[test]
    fn a_truncated_table_keeps_what_was_read() {
        let xml =
            r#"<w:document xmlns:w="w"><w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Vecka 15</w:t>"#;
        assert_eq!(
            body(xml).unwrap().unwrap(),
            vec![Block::Table(vec![vec![cell(0, &["Vecka 15"])]])]
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
        let parsed = parse(&bytes, 2026, &ParseBudget::default()).unwrap();
        assert_eq!(dish(&parsed, 5, ImportSlot::Alt1), Some("Fiskgratäng"));
    }

    #[test]
    fn zip_without_document_is_a_file_error() {
        let bytes = zip(&[("[Content_Types].xml", b"<Types/>")]);
        assert!(matches!(
            parse(&bytes, 2026, &ParseBudget::default()),
            Err(FileError::NotDocx { cause: None })
        ));
        assert!(matches!(
            parse(SAMPLE_XLSX, 2026, &ParseBudget::default()),
            Err(FileError::NotDocx { .. })
        ));
        assert!(matches!(
            parse(SAMPLE_CSV, 2026, &ParseBudget::default()),
            Err(FileError::NotDocx { .. })
        ));
    }

    #[test]
    fn broken_xml_is_a_file_error() {
        let bytes = zip(&[("word/document.xml", b"<w:document><w:body><w:p></w:body>")]);
        assert!(matches!(
            parse(&bytes, 2026, &ParseBudget::default()),
            Err(FileError::NotDocx { .. })
        ));
    }

    #[test]
    fn zip_bomb_is_refused() {
        let big = vec![b' '; super::super::MAX_UNPACKED_BYTES as usize + 1];
        let bytes = zip(&[("word/document.xml", &big)]);
        assert!(matches!(
            parse(&bytes, 2026, &ParseBudget::default()),
            Err(FileError::TooLarge { .. })
        ));
    }

    #[test]
    fn a_table_row_of_too_many_cells_is_refused() {
        // 100,000 heading cells once cost seconds: every cell below looked its column up in
        // a list of them.
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/hostile/wide-heading.docx"
        ))
        .unwrap();
        let result = parse(&bytes, 2026, &ParseBudget::default());
        assert!(
            matches!(result, Err(FileError::TooManyCells { line: 1, max: 1000 })),
            "{result:?}"
        );
    }

    #[test]
    fn a_line_over_the_text_cap_is_refused() {
        let long = "x".repeat(70 * 1024);
        let xml = document(&format!("<w:p><w:r><w:t>{long}</w:t></w:r></w:p>"));
        assert!(matches!(
            body(&xml),
            Err(FileError::TextTooLong { max_kib: 64 })
        ));
    }

    #[test]
    fn the_relationships_and_the_main_part_share_one_budget() {
        let half = " ".repeat(super::super::MAX_UNPACKED_BYTES as usize / 2 + 1);
        let rels = format!(
            r#"<Relationships>{half}<Relationship Type="x/officeDocument" Target="word/document.xml"/></Relationships>"#
        );
        let body = document(&format!("{half}<w:p><w:r><w:t>Vecka 12</w:t></w:r></w:p>"));
        let bytes = zip(&[
            ("_rels/.rels", rels.as_bytes()),
            ("word/document.xml", body.as_bytes()),
        ]);
        assert!(matches!(
            parse(&bytes, 2026, &ParseBudget::default()),
            Err(FileError::TooLarge { max_mib: 10 })
        ));
    }
}
