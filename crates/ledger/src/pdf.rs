//! A ledger as an A4 landscape PDF, laid out as Japanese offices expect: title, organisation,
//! as-of and stamp boxes (承認・確認) on every page, the column header repeated, group headings
//! carried over page breaks, long cells shortened with "…", and at the foot who printed it,
//! the journal head and `n / N`.
//!
//! What is the same on every page — the frame above and below the table, and the table's
//! rules for a given number of lines — is laid out once as a form and drawn by reference, so
//! a page's own stream holds little more than its cells' text.

use crate::content::{Content, Paint, Rgb};
use crate::document::start;
use crate::fonts::Fonts;
use crate::glyphs::{CharSet, Glyphs};
use crate::model::{Align, CheckpointBlock, Ledger};
use crate::{LedgerError, place};
use std::collections::BTreeMap;

const PAGE_W: f32 = 297.0;
const PAGE_H: f32 = 210.0;
const MARGIN: f32 = 10.0;
const TABLE_TOP: f32 = 37.0;
const HEADER_ROW: f32 = 6.5;
const ROW: f32 = 5.2;
const TABLE_BOTTOM: f32 = 195.0;
const CELL_PT: f32 = 7.5;
const HEADING_PT: f32 = 8.0;
const PAD: f32 = 1.2;

/// Table lines the signed checkpoint under the last page's table takes.
const CHECKPOINT_LINES: usize = 6;
const CHECKPOINT_PT: f32 = 6.5;

const HEADER_FILL: Rgb = Rgb(850, 880, 920);
const HEADING_FILL: Rgb = Rgb(930, 950, 980);

enum Line_<'a> {
    Heading { text: &'a str, continued: bool },
    Row { cells: &'a [String] },
}

/// The smallest a cell's text is shrunk to, as a share of its size, before it is cut with
/// "…": as with a spreadsheet's "shrink to fit", a date or a name a little too long for its
/// column (in a font with wider figures, say) stays whole.
const SHRINK: f32 = 0.8;

/// How `text` goes in a cell from `left`, `width` mm wide: the fitted text, its left end and
/// its size.
fn place_in_cell<'t>(
    glyphs: &Glyphs,
    text: &'t str,
    left: f32,
    width: f32,
    size: f32,
    align: Align,
) -> (std::borrow::Cow<'t, str>, f32, f32) {
    let room = width - 2.0 * PAD;
    let whole = glyphs.width_mm(text, size);
    let size = if whole > room {
        // Down to 1/100 pt, as the size is written, so the text is never wider than measured.
        ((size * room / whole * 100.0).floor() / 100.0).max(size * SHRINK)
    } else {
        size
    };
    let fitted = glyphs.fit(text, room, size);
    let x = match align {
        Align::Left => left + PAD,
        Align::Center => left + (width - glyphs.width_mm(&fitted, size)) / 2.0,
        Align::Right => left + width - PAD - glyphs.width_mm(&fitted, size),
    };
    (fitted, x, size)
}

/// Draws `text` fitted in a cell.
#[allow(clippy::too_many_arguments)]
fn cell(
    c: &mut Content,
    glyphs: &Glyphs,
    text: &str,
    left: f32,
    width: f32,
    baseline: f32,
    size: f32,
    align: Align,
) {
    let (fitted, x, size) = place_in_cell(glyphs, text, left, width, size, align);
    c.text(glyphs, &fitted, x, baseline, size);
}

/// Where a text of the ledger stands, for naming a character no font has.
enum Spot<'a> {
    Heading,
    ColumnHeader(&'a str),
    GroupHeading(&'a str),
    Cell { row: usize, column: &'a str },
}

impl Spot<'_> {
    fn describe(&self) -> String {
        match self {
            Spot::Heading => "the ledger's heading".into(),
            Spot::ColumnHeader(header) => format!("column header {header}"),
            Spot::GroupHeading(heading) => format!("group heading {heading}"),
            Spot::Cell { row, column } => place(Some(*row), Some(column), ""),
        }
    }
}

/// Every text the ledger draws, in reading order, and where it stands.
fn texts(ledger: &Ledger) -> impl Iterator<Item = (Spot<'_>, &str)> {
    let fixed = [
        &ledger.title,
        &ledger.organisation,
        &ledger.printed_by,
        &ledger.journal_head,
        &ledger.page_label,
    ];
    let checkpoint = ledger
        .checkpoint
        .iter()
        .flat_map(|block| std::iter::once(&block.caption).chain(&block.lines));
    let heading = fixed
        .into_iter()
        .chain(&ledger.header_lines)
        .chain(checkpoint)
        .chain(&ledger.stamps)
        .map(|text| (Spot::Heading, text.as_str()));
    let headers = ledger
        .columns
        .iter()
        .map(|c| (Spot::ColumnHeader(&c.header), c.header.as_str()));
    let mut number = 0;
    let body = ledger.groups.iter().flat_map(move |group| {
        let heading = group.heading.as_deref().map(|h| (Spot::GroupHeading(h), h));
        let rows = group.rows.iter().flat_map(move |row| {
            number += 1;
            let row_number = number;
            row.iter().zip(&ledger.columns).map(move |(cell, column)| {
                (
                    Spot::Cell {
                        row: row_number,
                        column: &column.header,
                    },
                    cell.as_str(),
                )
            })
        });
        heading.into_iter().chain(rows)
    });
    heading.chain(headers).chain(body)
}

/// Names the first character of the ledger no font has, and where it stands.
fn check_glyphs(ledger: &Ledger, fonts: &mut Fonts) -> Result<(), LedgerError> {
    for (spot, text) in texts(ledger) {
        if let Some(ch) = fonts.first_missing(text) {
            return Err(LedgerError::MissingGlyph {
                ch,
                code: ch as u32,
                place: spot.describe(),
                fonts: fonts.names(),
            });
        }
    }
    Ok(())
}

fn paginate(ledger: &Ledger) -> Vec<Vec<Line_<'_>>> {
    let per_page = ((TABLE_BOTTOM - TABLE_TOP - HEADER_ROW) / ROW).floor() as usize;
    let mut pages: Vec<Vec<Line_<'_>>> = vec![Vec::new()];
    for group in &ledger.groups {
        let mut first = true;
        for cells in &group.rows {
            let page = pages.last_mut().expect("there is always a page");
            // A heading goes with at least one of its rows; a group that runs over a page
            // break gets its heading again, marked as continued.
            let needs_heading = group.heading.is_some() && (first || page.is_empty());
            let needed = if needs_heading { 2 } else { 1 };
            if page.len() + needed > per_page {
                pages.push(Vec::new());
            }
            let page = pages.last_mut().expect("there is always a page");
            if let Some(heading) = &group.heading
                && (first || page.is_empty())
            {
                page.push(Line_::Heading {
                    text: heading,
                    continued: !first,
                });
            }
            page.push(Line_::Row { cells });
            first = false;
        }
    }
    // The signed checkpoint goes under the last page's table: a page of its own when the
    // table leaves no room for it.
    if ledger.checkpoint.is_some()
        && pages
            .last()
            .is_some_and(|page| page.len() + CHECKPOINT_LINES > per_page)
    {
        pages.push(Vec::new());
    }
    pages
}

/// Every character the ledger will draw, for the font subsets.
fn characters(ledger: &Ledger) -> CharSet {
    let mut chars = CharSet::new();
    for (_, text) in texts(ledger) {
        chars.insert_str(text);
    }
    chars
}

pub fn render_pdf(
    ledger: &Ledger,
    fonts: &mut Fonts,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<u8>, LedgerError> {
    let chars = characters(ledger);
    let (mut pdf, glyphs) = start(
        fonts,
        &chars,
        &ledger.title,
        ledger.created_unix,
        (PAGE_W, PAGE_H),
        |fonts| check_glyphs(ledger, fonts),
    )?;
    let pages = paginate(ledger);
    let total = pages.len();
    let table_width = PAGE_W - 2.0 * MARGIN;
    let sum: f32 = ledger
        .columns
        .iter()
        .map(|c| c.width_mm)
        .sum::<f32>()
        .max(1.0);
    let widths: Vec<f32> = ledger
        .columns
        .iter()
        .map(|c| c.width_mm / sum * table_width)
        .collect();
    pdf.add_form("Frame", frame(ledger, &glyphs, &widths));
    let mut grids: BTreeMap<usize, String> = BTreeMap::new();
    for (index, lines) in pages.iter().enumerate() {
        let grid = grids.entry(lines.len()).or_insert_with(|| {
            let name = format!("Grid{}", lines.len());
            pdf.add_form(&name, grid(&widths, lines.len()));
            name
        });
        let mut c = Content::new(PAGE_H);
        c.form("Frame");
        c.form(grid);
        draw_lines(&mut c, ledger, &glyphs, &widths, lines);
        if index + 1 == total
            && let Some(block) = &ledger.checkpoint
        {
            draw_checkpoint(&mut c, &glyphs, block, lines.len());
        }
        let number = ledger
            .page_label
            .replace("{n}", &(index + 1).to_string())
            .replace("{N}", &total.to_string());
        let w = glyphs.width_mm(&number, 8.0);
        c.text(
            &glyphs,
            &number,
            PAGE_W - MARGIN - w,
            PAGE_H - MARGIN + 3.0,
            8.0,
        );
        pdf.add_page(c);
        if index % 25 == 0 {
            progress(index + 1, total);
        }
    }
    let bytes = pdf.finish(&document_seed(ledger))?;
    progress(total, total);
    Ok(bytes)
}

fn document_seed(ledger: &Ledger) -> String {
    format!(
        "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
        ledger.title,
        ledger.journal_head,
        ledger
            .checkpoint
            .as_ref()
            .map(|block| block.lines.join("\n"))
            .unwrap_or_default(),
        ledger.header_lines.join("\u{1f}"),
        ledger.row_count()
    )
}

/// What every page shows outside the table's body: title, organisation, header lines and
/// stamp boxes on top, the table's header row, and printed-by and journal head at the foot.
fn frame(ledger: &Ledger, glyphs: &Glyphs, widths: &[f32]) -> Content {
    let mut c = Content::new(PAGE_H);
    c.text(glyphs, &ledger.title, MARGIN, MARGIN + 6.0, 15.0);
    c.text(glyphs, &ledger.organisation, MARGIN, MARGIN + 12.5, 9.0);
    for (i, line) in ledger.header_lines.iter().enumerate() {
        c.text(glyphs, line, MARGIN, MARGIN + 17.5 + i as f32 * 4.2, 8.0);
    }
    // Stamp boxes: a caption cell over an empty square, right-aligned.
    let (box_w, caption_h, stamp_h) = (20.0, 5.0, 16.0);
    c.set_stroke(Rgb::BLACK, 0.6);
    let count = ledger.stamps.len() as f32;
    for (i, caption) in ledger.stamps.iter().enumerate() {
        let left = PAGE_W - MARGIN - (count - i as f32) * box_w;
        c.rect(left, MARGIN, box_w, caption_h + stamp_h, Paint::Stroke);
        c.line(left, MARGIN + caption_h, left + box_w, MARGIN + caption_h);
        cell(
            &mut c,
            glyphs,
            caption,
            left,
            box_w,
            MARGIN + 3.7,
            8.0,
            Align::Center,
        );
    }
    let foot = PAGE_H - MARGIN + 3.0;
    c.text(glyphs, &ledger.printed_by, MARGIN, foot, 7.0);
    let head_w = glyphs.width_mm(&ledger.journal_head, 6.5);
    c.text(
        glyphs,
        &ledger.journal_head,
        (PAGE_W - head_w) / 2.0,
        foot,
        6.5,
    );

    let width: f32 = widths.iter().sum();
    c.set_fill(HEADER_FILL);
    c.rect(MARGIN, TABLE_TOP, width, HEADER_ROW, Paint::Fill);
    let mut x = MARGIN;
    for (column, w) in ledger.columns.iter().zip(widths) {
        cell(
            &mut c,
            glyphs,
            &column.header,
            x,
            *w,
            TABLE_TOP + 4.6,
            CELL_PT,
            Align::Center,
        );
        x += w;
    }
    c
}

/// The signed checkpoint under the table of `lines` lines: its caption, then its lines in a
/// size where the signature's 128 digits fit one line, so a text extractor (pdftotext, a
/// copy from a viewer) gives the lines back as `azukari verify --checkpoint` reads them.
fn draw_checkpoint(c: &mut Content, glyphs: &Glyphs, block: &CheckpointBlock, lines: usize) {
    let top = TABLE_TOP + HEADER_ROW + ROW * lines as f32 + 5.0;
    c.text(glyphs, &block.caption, MARGIN, top, 7.0);
    for (i, line) in block.lines.iter().enumerate() {
        c.text(
            glyphs,
            line,
            MARGIN + 2.0,
            top + 4.0 + i as f32 * 3.3,
            CHECKPOINT_PT,
        );
    }
}

/// The table's rules for a page of `lines` lines: one between every two lines, the column
/// rules, and the frame. Group headings are shaded over them on the page itself.
fn grid(widths: &[f32], lines: usize) -> Content {
    let mut c = Content::new(PAGE_H);
    let left = MARGIN;
    let width: f32 = widths.iter().sum();
    let height = HEADER_ROW + ROW * lines as f32;
    c.set_stroke(Rgb::grey(550), 0.3);
    for i in 1..=lines {
        let at = TABLE_TOP + HEADER_ROW + ROW * i as f32;
        c.line(left, at, left + width, at);
    }
    let mut x = left;
    for w in &widths[..widths.len().saturating_sub(1)] {
        x += w;
        c.line(x, TABLE_TOP, x, TABLE_TOP + height);
    }
    c.set_stroke(Rgb::BLACK, 0.6);
    c.rect(left, TABLE_TOP, width, height, Paint::Stroke);
    c.line(
        left,
        TABLE_TOP + HEADER_ROW,
        left + width,
        TABLE_TOP + HEADER_ROW,
    );
    c
}

/// The page's own lines: group headings shaded across the table (hiding the column rules
/// under them), then every line's text.
fn draw_lines(
    c: &mut Content,
    ledger: &Ledger,
    glyphs: &Glyphs,
    widths: &[f32],
    lines: &[Line_<'_>],
) {
    let left = MARGIN;
    let width: f32 = widths.iter().sum();
    // Inset by a little more than half a rule, so the rules around a heading stay whole.
    let inset = 0.12;
    for (i, line) in lines.iter().enumerate() {
        if matches!(line, Line_::Heading { .. }) {
            c.set_fill(HEADING_FILL);
            c.rect(
                left + 2.0 * inset,
                TABLE_TOP + HEADER_ROW + ROW * i as f32 + inset,
                width - 4.0 * inset,
                ROW - 2.0 * inset,
                Paint::Fill,
            );
        }
    }
    for (i, line) in lines.iter().enumerate() {
        let baseline = TABLE_TOP + HEADER_ROW + ROW * i as f32 + 3.7;
        match line {
            Line_::Heading { text, continued } => {
                if *continued {
                    let text = format!("{text} …");
                    cell(
                        c,
                        glyphs,
                        &text,
                        left,
                        width,
                        baseline,
                        HEADING_PT,
                        Align::Left,
                    );
                } else {
                    cell(
                        c,
                        glyphs,
                        text,
                        left,
                        width,
                        baseline,
                        HEADING_PT,
                        Align::Left,
                    );
                }
            }
            Line_::Row { cells } => {
                let mut x = left;
                for ((text, column), w) in cells.iter().zip(&ledger.columns).zip(widths) {
                    if !text.is_empty() {
                        cell(c, glyphs, text, x, *w, baseline, CELL_PT, column.align);
                    }
                    x += w;
                }
            }
        }
    }
}
