//! Ledgers: a ledger is described once — title, header lines, columns, grouped rows — and
//! rendered to PDF (A4 landscape, fonts embedded and subset), CSV (UTF-8 with BOM, or CP932)
//! and XLSX. The only crate that knows PDF. Knows nothing of the store: callers hand it rows.
//!
//! Rendering is deterministic: the same ledger gives the same bytes (no clock, fixed font
//! resource names and document id), so a printed ledger can be re-made and compared.

mod content;
mod csv_out;
mod document;
mod fonts;
mod glyphs;
mod labels;
mod model;
mod pdf;
mod xlsx_out;

pub use csv_out::{CsvEncoding, render_csv};
pub use fonts::{FaceChoice, FontSource, Fonts, face_index, face_names};
pub use labels::{Label, render_labels};
pub use model::{Align, CheckpointBlock, Column, Group, Ledger};
pub use pdf::render_pdf;
pub use xlsx_out::render_xlsx;

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("the font {path} cannot be used: {why}")]
    Font { path: String, why: String },
    #[error(
        "no font found: install fonts-noto-cjk (or fonts-ipaexfont-gothic), or name one with --font"
    )]
    NoFont,
    #[error("{place}: the character '{ch}' (U+{code:04X}) is in none of the fonts ({fonts})")]
    MissingGlyph {
        ch: char,
        code: u32,
        place: String,
        fonts: String,
    },
    #[error("{place}: the character '{ch}' (U+{code:04X}) cannot be written in CP932; use UTF-8")]
    NotInCp932 { ch: char, code: u32, place: String },
    #[error("PDF: {why}")]
    Pdf { why: String },
    #[error("XLSX: {0}")]
    Xlsx(String),
}

/// Where a piece of text sits, for errors: "row 12, column 貸与先" or "title".
pub(crate) fn place(row: Option<usize>, column: Option<&str>, what: &str) -> String {
    match (row, column) {
        (Some(row), Some(column)) => format!("row {row}, column {column}"),
        (Some(row), None) => format!("row {row}"),
        _ => what.to_string(),
    }
}
