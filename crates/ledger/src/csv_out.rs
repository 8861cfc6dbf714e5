//! CSV of a ledger: the same rows as the PDF, one line each, group first when grouped. Every
//! CSV Azukari writes goes through here, so no cell is ever run as a formula.

use crate::{Ledger, LedgerError, place};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvEncoding {
    /// With a BOM, so that Excel opens it as UTF-8.
    Utf8Bom,
    /// Windows Shift_JIS, for tools that read nothing else; refuses characters it lacks.
    Cp932,
}

/// A cell a spreadsheet would run as a formula (`=HYPERLINK(…)` typed as somebody's name)
/// starts with one of these. Such a cell is written behind an apostrophe, which Excel and
/// LibreOffice show as text and do not evaluate (OWASP's advice for CSV injection).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Full-width forms Japanese input produces; Excel reads `＝1+1` typed into a cell as a formula.
const FULL_WIDTH_FORMULA_STARTS: [char; 4] = ['＝', '＋', '－', '＠'];

pub(crate) fn defused(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some(c) if FORMULA_STARTS.contains(&c) || FULL_WIDTH_FORMULA_STARTS.contains(&c) => {
            format!("'{cell}").into()
        }
        _ => cell.into(),
    }
}

fn quote(cell: &str) -> String {
    let cell = defused(cell);
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.into_owned()
    }
}

pub fn render_csv(ledger: &Ledger, encoding: CsvEncoding) -> Result<Vec<u8>, LedgerError> {
    let mut text = String::new();
    let header = ledger.flat_header();
    let lines = std::iter::once(header.clone()).chain(ledger.flat_rows());
    for cells in lines {
        let line: Vec<String> = cells.iter().map(|cell| quote(cell)).collect();
        text.push_str(&line.join(","));
        text.push_str("\r\n");
    }
    match encoding {
        CsvEncoding::Utf8Bom => {
            let mut bytes = b"\xEF\xBB\xBF".to_vec();
            bytes.extend(text.as_bytes());
            Ok(bytes)
        }
        CsvEncoding::Cp932 => {
            // Find the first character CP932 lacks, so the error names its row and column.
            for (row, cells) in std::iter::once(header.clone())
                .chain(ledger.flat_rows())
                .enumerate()
            {
                for (column, cell) in cells.iter().enumerate() {
                    let (_, _, unmappable) = encoding_rs::SHIFT_JIS.encode(cell);
                    if unmappable {
                        let ch = cell
                            .chars()
                            .find(|c| encoding_rs::SHIFT_JIS.encode(&c.to_string()).2)
                            .unwrap_or('?');
                        return Err(LedgerError::NotInCp932 {
                            ch,
                            code: ch as u32,
                            place: place(Some(row + 1), header.get(column).copied(), "header"),
                        });
                    }
                }
            }
            Ok(encoding_rs::SHIFT_JIS.encode(&text).0.into_owned())
        }
    }
}
