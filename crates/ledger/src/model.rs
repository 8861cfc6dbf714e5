//! The description of a ledger, independent of its format.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub header: String,
    /// Width on the A4 landscape page; the PDF scales all columns to fill the table width.
    pub width_mm: f32,
    pub align: Align,
}

impl Column {
    pub fn new(header: impl Into<String>, width_mm: f32, align: Align) -> Self {
        Column {
            header: header.into(),
            width_mm,
            align,
        }
    }
}

/// Rows under one heading (a custodian, an organisation …); `heading` is `None` when the ledger
/// is not grouped.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub heading: Option<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckpointBlock {
    /// What it is and how to check it, in the ledger's language.
    pub caption: String,
    /// The checkpoint's text, a line each.
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ledger {
    /// 貸与物管理台帳
    pub title: String,
    pub organisation: String,
    /// Lines under the title, worded already: the as-of instant, the grouping.
    pub header_lines: Vec<String>,
    /// Bottom of every page, left: who printed it.
    pub printed_by: String,
    /// Bottom of every page, middle: the journal head the ledger was made from.
    pub journal_head: String,
    /// The stamp boxes' captions (承認・確認).
    pub stamps: Vec<String>,
    /// A signed checkpoint of the journal head, under the table of the last page and on the
    /// XLSX's info sheet, its lines as `azukari verify --checkpoint` reads them back.
    pub checkpoint: Option<CheckpointBlock>,
    /// "{n} / {N}" with the words of the ledger's language around them, e.g. "{n} / {N} ページ".
    pub page_label: String,
    /// The header of the group column in CSV and XLSX (貸与先, 種別 …); unused when ungrouped.
    pub group_label: Option<String>,
    pub columns: Vec<Column>,
    pub groups: Vec<Group>,
    /// Seconds since the epoch written as the PDF's and XLSX's creation date: the as-of
    /// instant, never the clock, so the bytes can be made again.
    pub created_unix: i64,
}

impl Ledger {
    pub fn row_count(&self) -> usize {
        self.groups.iter().map(|g| g.rows.len()).sum()
    }

    /// The rows as CSV and XLSX carry them: the group heading first when grouped.
    pub(crate) fn flat_rows(&self) -> impl Iterator<Item = Vec<&str>> {
        let grouped = self.group_label.is_some();
        self.groups.iter().flat_map(move |group| {
            group.rows.iter().map(move |row| {
                let mut cells: Vec<&str> = Vec::with_capacity(row.len() + 1);
                if grouped {
                    cells.push(group.heading.as_deref().unwrap_or(""));
                }
                cells.extend(row.iter().map(String::as_str));
                cells
            })
        })
    }

    pub(crate) fn flat_header(&self) -> Vec<&str> {
        let mut header: Vec<&str> = Vec::new();
        if let Some(label) = &self.group_label {
            header.push(label);
        }
        header.extend(self.columns.iter().map(|c| c.header.as_str()));
        header
    }
}
