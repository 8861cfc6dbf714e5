//! XLSX of a ledger: one sheet of the rows with a frozen, filterable header, and one sheet
//! with what the PDF prints around them (title, as-of, journal head).

use crate::{Align, Ledger, LedgerError};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Workbook};

fn err(e: rust_xlsxwriter::XlsxError) -> LedgerError {
    LedgerError::Xlsx(e.to_string())
}

pub fn render_xlsx(ledger: &Ledger) -> Result<Vec<u8>, LedgerError> {
    let mut workbook = Workbook::new();
    // The creation date is the as-of instant, never the clock: the same ledger, the same bytes.
    let created = ExcelDateTime::from_timestamp(ledger.created_unix).map_err(err)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title(&ledger.title)
            .set_creation_datetime(&created),
    );
    let header_format = Format::new()
        .set_bold()
        .set_background_color("D9E1EA")
        .set_border_bottom(rust_xlsxwriter::FormatBorder::Thin);
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name(&ledger.title)).map_err(err)?;
    let header = ledger.flat_header();
    let offset = usize::from(ledger.group_label.is_some());
    for (column, text) in header.iter().enumerate() {
        sheet
            .write_string_with_format(0, column as u16, *text, &header_format)
            .map_err(err)?;
        let width = if column < offset {
            24.0
        } else {
            f64::from(ledger.columns[column - offset].width_mm) * 0.55
        };
        sheet
            .set_column_width(column as u16, width.max(6.0))
            .map_err(err)?;
    }
    let right = Format::new().set_align(FormatAlign::Right);
    for (row, cells) in ledger.flat_rows().enumerate() {
        for (column, text) in cells.iter().enumerate() {
            if text.is_empty() {
                continue;
            }
            let r = row as u32 + 1;
            let c = column as u16;
            if column >= offset && ledger.columns[column - offset].align == Align::Right {
                sheet
                    .write_string_with_format(r, c, *text, &right)
                    .map_err(err)?;
            } else {
                sheet.write_string(r, c, *text).map_err(err)?;
            }
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(err)?;
    let last_row = ledger.row_count() as u32;
    sheet
        .autofilter(0, 0, last_row.max(1), header.len().saturating_sub(1) as u16)
        .map_err(err)?;

    let about = workbook.add_worksheet();
    about.set_name("info").map_err(err)?;
    let mut lines = vec![ledger.title.clone(), ledger.organisation.clone()];
    lines.extend(ledger.header_lines.iter().cloned());
    lines.push(ledger.printed_by.clone());
    lines.push(ledger.journal_head.clone());
    if let Some(checkpoint) = &ledger.checkpoint {
        lines.push(String::new());
        lines.push(checkpoint.caption.clone());
        lines.extend(checkpoint.lines.iter().cloned());
    }
    for (row, line) in lines.iter().enumerate() {
        about.write_string(row as u32, 0, line).map_err(err)?;
    }
    about.set_column_width(0, 100).map_err(err)?;
    workbook.save_to_buffer().map_err(err)
}

/// Excel's sheet names: at most 31 characters, none of []:*?/\.
fn sheet_name(title: &str) -> String {
    let cleaned: String = title
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    if cleaned.is_empty() {
        "ledger".into()
    } else {
        cleaned
    }
}
