//! A ledger as an A4 landscape PDF, laid out as Japanese offices expect: title, organisation,
//! as-of and stamp boxes (承認・確認) on every page, the column header repeated, group headings
//! carried over page breaks, long cells shortened with "…", and at the foot who printed it,
//! the journal head and `n / N`.

use crate::fonts::Fonts;
use crate::model::{Align, Ledger};
use crate::{LedgerError, place};
use printpdf::{
    Codepoint, Color, FontId, Line, LinePoint, Mm, Op, PaintMode, PdfDocument, PdfFont,
    PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, Rect, Rgb, TextItem, TextMatrix,
};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

const PAGE_W: f32 = 297.0;
const PAGE_H: f32 = 210.0;
const MARGIN: f32 = 10.0;
const TABLE_TOP: f32 = 37.0;
const HEADER_ROW: f32 = 6.5;
const ROW: f32 = 5.2;
const TABLE_BOTTOM: f32 = 195.0;
const CELL_PT: f32 = 7.5;
const PAD: f32 = 1.2;

fn pt(mm: f32) -> Pt {
    Pt(mm * 72.0 / 25.4)
}

fn grey(level: f32) -> Color {
    Color::Rgb(Rgb::new(level, level, level, None))
}

fn rgb(r: f32, g: f32, b: f32) -> Color {
    Color::Rgb(Rgb::new(r, g, b, None))
}

/// Font resource names are fixed so that two renderings give the same bytes; printpdf takes
/// the subset tag (XXXXXX+) from their first six letters.
pub(crate) fn font_id(face: usize) -> FontId {
    let letter = (b'A' + (face % 26) as u8) as char;
    FontId(format!("AZUKA{letter}"))
}

enum Line_<'a> {
    Heading { text: &'a str, continued: bool },
    Row { cells: &'a [String] },
}

/// The pages' ops and the glyphs they use, per face, drawn with fonts already checked.
pub(crate) struct Painter<'f> {
    pub(crate) fonts: &'f mut Fonts,
    /// face → glyph id → the character it shows (for the ToUnicode map).
    pub(crate) used: Vec<BTreeMap<u16, char>>,
    graphics: Vec<Op>,
    text: Vec<Op>,
    current_font: Option<(usize, u32)>,
    page_height: f32,
    /// Characters drawn as plain text with the primary font, and how often: the cmap printpdf
    /// searches for them is trimmed to these, most frequent first.
    pub(crate) plain: HashMap<char, usize>,
}

impl<'f> Painter<'f> {
    /// A painter for pages `page_height` mm high; the layout measures y from the top.
    pub(crate) fn new(fonts: &'f mut Fonts, page_height: f32) -> Self {
        let faces = fonts.faces.len();
        Painter {
            fonts,
            used: vec![BTreeMap::new(); faces],
            graphics: Vec::new(),
            text: Vec::new(),
            current_font: None,
            page_height,
            plain: HashMap::new(),
        }
    }

    /// One table row as one text object: the cells' fitted text, each at its x, with offsets
    /// between them. A cell needing the fallback font is drawn on its own.
    pub(crate) fn row(&mut self, cells: &[(String, f32)], baseline: f32, size: f32) {
        let mut items: Vec<TextItem> = Vec::with_capacity(cells.len() * 2);
        let mut start: Option<f32> = None;
        let mut cursor = 0.0;
        let em_mm = size * 25.4 / 72.0;
        for (text, x) in cells {
            if text.is_empty() {
                continue;
            }
            let primary_only = text.chars().all(|ch| {
                Fonts::is_invisible(ch)
                    || ch.is_control()
                    || self.fonts.glyph(ch).is_some_and(|(face, _, _)| face == 0)
            });
            if !primary_only {
                self.text(text, *x, baseline, size);
                continue;
            }
            let clean: String = text
                .chars()
                .filter(|ch| !Fonts::is_invisible(*ch) && !ch.is_control())
                .collect();
            match start {
                None => start = Some(*x),
                Some(_) => items.push(TextItem::Offset(-(x - cursor) / em_mm * 1000.0)),
            }
            for ch in clean.chars() {
                *self.plain.entry(ch).or_insert(0) += 1;
            }
            cursor = x + self.fonts.width_mm(&clean, size);
            items.push(TextItem::Text(clean));
        }
        let Some(start) = start else { return };
        let key = (0, size.to_bits());
        if self.current_font != Some(key) {
            self.text.push(Op::SetFont {
                font: PdfFontHandle::External(font_id(0)),
                size: Pt(size),
            });
            self.current_font = Some(key);
        }
        let at = self.y(baseline);
        self.text.push(Op::SetTextMatrix {
            matrix: TextMatrix::Translate(pt(start), at),
        });
        self.text.push(Op::ShowText { items });
    }

    /// Where `aligned` would put the fitted text: for building a row.
    pub(crate) fn place(
        &mut self,
        text: &str,
        left: f32,
        width: f32,
        size: f32,
        align: Align,
    ) -> (String, f32) {
        let fitted = self.fit(text, width - 2.0 * PAD, size);
        let w = self.fonts.width_mm(&fitted, size);
        let x = match align {
            Align::Left => left + PAD,
            Align::Center => left + (width - w) / 2.0,
            Align::Right => left + width - PAD - w,
        };
        (fitted, x)
    }

    /// y measured from the top of the page, as the layout thinks, to PDF's from the bottom.
    fn y(&self, mm_from_top: f32) -> Pt {
        pt(self.page_height - mm_from_top)
    }

    /// Draws `text` with its left end at `x` and its baseline at `baseline` (mm from the top),
    /// switching font where a character comes from the fallback.
    pub(crate) fn text(&mut self, text: &str, x: f32, baseline: f32, size: f32) {
        let mut x = x;
        let mut run: Vec<Codepoint> = Vec::new();
        let mut run_face = usize::MAX;
        let mut run_x = x;
        for ch in text.chars() {
            if Fonts::is_invisible(ch) {
                continue;
            }
            let ch = if ch.is_control() { ' ' } else { ch };
            let Some((face, gid, advance)) = self.fonts.glyph(ch) else {
                continue;
            };
            if face != run_face {
                self.flush(&mut run, run_face, run_x, baseline, size);
                run_face = face;
                run_x = x;
            }
            run.push(Codepoint {
                gid,
                offset: 0.0,
                cid: None,
            });
            self.used[face].entry(gid).or_insert(ch);
            x += f32::from(advance) / self.fonts.faces[face].units_per_em * size * 25.4 / 72.0;
        }
        self.flush(&mut run, run_face, run_x, baseline, size);
    }

    fn flush(&mut self, run: &mut Vec<Codepoint>, face: usize, x: f32, baseline: f32, size: f32) {
        if run.is_empty() {
            return;
        }
        let key = (face, size.to_bits());
        if self.current_font != Some(key) {
            self.text.push(Op::SetFont {
                font: PdfFontHandle::External(font_id(face)),
                size: Pt(size),
            });
            self.current_font = Some(key);
        }
        let at = self.y(baseline);
        self.text.push(Op::SetTextMatrix {
            matrix: TextMatrix::Translate(pt(x), at),
        });
        self.text.push(Op::ShowText {
            items: vec![TextItem::GlyphIds(std::mem::take(run))],
        });
    }

    pub(crate) fn aligned(
        &mut self,
        text: &str,
        left: f32,
        width: f32,
        baseline: f32,
        size: f32,
        align: Align,
    ) {
        let (fitted, x) = self.place(text, left, width, size, align);
        self.text(&fitted, x, baseline, size);
    }

    /// The text as it fits in `max` mm: whole, or cut and ended with "…".
    pub(crate) fn fit(&mut self, text: &str, max: f32, size: f32) -> String {
        let flat: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        if self.fonts.width_mm(&flat, size) <= max {
            return flat;
        }
        let ellipsis = self.fonts.width_mm("…", size);
        let mut out = String::new();
        let mut width = 0.0;
        for ch in flat.chars() {
            let w = self.fonts.width_mm(&ch.to_string(), size);
            if width + w + ellipsis > max {
                break;
            }
            width += w;
            out.push(ch);
        }
        out.push('…');
        out
    }

    pub(crate) fn rect(&mut self, left: f32, top: f32, width: f32, height: f32, mode: PaintMode) {
        let bottom = self.y(top + height);
        self.graphics.push(Op::DrawRectangle {
            rectangle: Rect {
                x: pt(left),
                y: bottom,
                width: pt(width),
                height: pt(height),
                mode: Some(mode),
                winding_order: None,
            },
        });
    }

    pub(crate) fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32) {
        let (from, to) = (self.y(y1), self.y(y2));
        self.graphics.push(Op::DrawLine {
            line: Line {
                points: vec![
                    LinePoint {
                        p: Point { x: pt(x1), y: from },
                        bezier: false,
                    },
                    LinePoint {
                        p: Point { x: pt(x2), y: to },
                        bezier: false,
                    },
                ],
                is_closed: false,
            },
        });
    }

    pub(crate) fn set_fill(&mut self, color: Color) {
        self.graphics.push(Op::SetFillColor { col: color });
    }

    pub(crate) fn set_stroke(&mut self, color: Color, width_pt: f32) {
        self.graphics.push(Op::SetOutlineColor { col: color });
        self.graphics
            .push(Op::SetOutlineThickness { pt: Pt(width_pt) });
    }

    /// The page's ops: drawing first, then all text in one text section.
    pub(crate) fn finish_page(&mut self) -> Vec<Op> {
        let mut ops = std::mem::take(&mut self.graphics);
        ops.push(Op::SetFillColor { col: grey(0.0) });
        ops.push(Op::StartTextSection);
        ops.append(&mut self.text);
        ops.push(Op::EndTextSection);
        self.current_font = None;
        ops
    }
}

/// Checks every character of the ledger against the fonts before anything is drawn.
fn check_glyphs(ledger: &Ledger, fonts: &mut Fonts) -> Result<(), LedgerError> {
    let missing = |fonts: &mut Fonts, text: &str, place: String| -> Result<(), LedgerError> {
        match fonts.first_missing(text) {
            None => Ok(()),
            Some(ch) => Err(LedgerError::MissingGlyph {
                ch,
                code: ch as u32,
                place,
                fonts: fonts.names(),
            }),
        }
    };
    let fixed = [
        &ledger.title,
        &ledger.organisation,
        &ledger.printed_by,
        &ledger.journal_head,
        &ledger.page_label,
    ];
    for text in fixed
        .into_iter()
        .chain(&ledger.header_lines)
        .chain(&ledger.stamps)
    {
        missing(fonts, text, "the ledger's heading".into())?;
    }
    missing(fonts, "…0123456789/ ", "page numbers".into())?;
    for column in &ledger.columns {
        missing(
            fonts,
            &column.header,
            format!("column header {}", column.header),
        )?;
    }
    let mut number = 0;
    for group in &ledger.groups {
        if let Some(heading) = &group.heading {
            missing(fonts, heading, format!("group heading {heading}"))?;
        }
        for row in &group.rows {
            number += 1;
            for (cell, column) in row.iter().zip(&ledger.columns) {
                missing(fonts, cell, place(Some(number), Some(&column.header), ""))?;
            }
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
    pages
}

pub fn render_pdf(
    ledger: &Ledger,
    fonts: &mut Fonts,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<u8>, LedgerError> {
    check_glyphs(ledger, fonts)?;
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
    let mut painter = Painter::new(fonts, PAGE_H);
    let mut pdf_pages = Vec::with_capacity(total);
    for (index, lines) in pages.iter().enumerate() {
        draw_frame(&mut painter, ledger, index + 1, total);
        draw_table(&mut painter, ledger, &widths, lines);
        pdf_pages.push(PdfPage::new(Mm(PAGE_W), Mm(PAGE_H), painter.finish_page()));
        if index % 25 == 0 {
            progress(index + 1, total);
        }
    }
    let bytes = save(
        pdf_pages,
        painter,
        &ledger.title,
        ledger.created_unix,
        &document_seed(ledger),
    )?;
    progress(total, total);
    Ok(bytes)
}

fn document_seed(ledger: &Ledger) -> String {
    format!(
        "{}\u{1f}{}\u{1f}{}\u{1f}{}",
        ledger.title,
        ledger.journal_head,
        ledger.header_lines.join("\u{1f}"),
        ledger.row_count()
    )
}

/// Title, organisation, header lines and stamp boxes on top; printed-by, journal head and
/// page number at the foot.
fn draw_frame(p: &mut Painter<'_>, ledger: &Ledger, page: usize, total: usize) {
    p.text(&ledger.title, MARGIN, MARGIN + 6.0, 15.0);
    p.text(&ledger.organisation, MARGIN, MARGIN + 12.5, 9.0);
    for (i, line) in ledger.header_lines.iter().enumerate() {
        p.text(line, MARGIN, MARGIN + 17.5 + i as f32 * 4.2, 8.0);
    }
    // Stamp boxes: a caption cell over an empty square, right-aligned.
    let (box_w, caption_h, stamp_h) = (20.0, 5.0, 16.0);
    p.set_stroke(grey(0.0), 0.6);
    let count = ledger.stamps.len() as f32;
    for (i, caption) in ledger.stamps.iter().enumerate() {
        let left = PAGE_W - MARGIN - (count - i as f32) * box_w;
        p.rect(left, MARGIN, box_w, caption_h + stamp_h, PaintMode::Stroke);
        p.line(left, MARGIN + caption_h, left + box_w, MARGIN + caption_h);
        p.aligned(caption, left, box_w, MARGIN + 3.7, 8.0, Align::Center);
    }
    let foot = PAGE_H - MARGIN + 3.0;
    p.text(&ledger.printed_by, MARGIN, foot, 7.0);
    let head_w = p.fonts.width_mm(&ledger.journal_head, 6.5);
    p.text(&ledger.journal_head, (PAGE_W - head_w) / 2.0, foot, 6.5);
    let number = ledger
        .page_label
        .replace("{n}", &page.to_string())
        .replace("{N}", &total.to_string());
    let w = p.fonts.width_mm(&number, 8.0);
    p.text(&number, PAGE_W - MARGIN - w, foot, 8.0);
}

fn draw_table(p: &mut Painter<'_>, ledger: &Ledger, widths: &[f32], lines: &[Line_<'_>]) {
    let left = MARGIN;
    let width: f32 = widths.iter().sum();
    let height = HEADER_ROW + ROW * lines.len() as f32;
    // Header row, shaded; then shaded group headings; then the rules.
    p.set_fill(rgb(0.85, 0.88, 0.92));
    p.rect(left, TABLE_TOP, width, HEADER_ROW, PaintMode::Fill);
    p.set_fill(rgb(0.93, 0.95, 0.98));
    for (i, line) in lines.iter().enumerate() {
        if matches!(line, Line_::Heading { .. }) {
            p.rect(
                left,
                TABLE_TOP + HEADER_ROW + ROW * i as f32,
                width,
                ROW,
                PaintMode::Fill,
            );
        }
    }
    p.set_stroke(grey(0.55), 0.3);
    for i in 1..=lines.len() {
        let at = TABLE_TOP + HEADER_ROW + ROW * i as f32;
        p.line(left, at, left + width, at);
    }
    let mut x = left;
    for (i, w) in widths.iter().enumerate() {
        x += w;
        if i + 1 < widths.len() {
            // Column rules stop at group headings, which span the table.
            let mut top = TABLE_TOP;
            for (row, line) in lines.iter().enumerate() {
                if matches!(line, Line_::Heading { .. }) {
                    let heading_top = TABLE_TOP + HEADER_ROW + ROW * row as f32;
                    p.line(x, top, x, heading_top);
                    top = heading_top + ROW;
                }
            }
            p.line(x, top, x, TABLE_TOP + height);
        }
    }
    p.set_stroke(grey(0.0), 0.6);
    p.rect(left, TABLE_TOP, width, height, PaintMode::Stroke);
    p.line(
        left,
        TABLE_TOP + HEADER_ROW,
        left + width,
        TABLE_TOP + HEADER_ROW,
    );

    let mut x = left;
    for (column, w) in ledger.columns.iter().zip(widths) {
        p.aligned(
            &column.header,
            x,
            *w,
            TABLE_TOP + 4.6,
            CELL_PT,
            Align::Center,
        );
        x += w;
    }
    for (i, line) in lines.iter().enumerate() {
        let baseline = TABLE_TOP + HEADER_ROW + ROW * i as f32 + 3.7;
        match line {
            Line_::Heading { text, continued } => {
                let text = if *continued {
                    format!("{text} …")
                } else {
                    (*text).to_string()
                };
                p.aligned(&text, left, width, baseline, 8.0, Align::Left);
            }
            Line_::Row { cells } => {
                let mut x = left;
                let mut placed = Vec::with_capacity(cells.len());
                for ((cell, column), w) in cells.iter().zip(&ledger.columns).zip(widths) {
                    if !cell.is_empty() {
                        placed.push(p.place(cell, x, *w, CELL_PT, column.align));
                    }
                    x += w;
                }
                p.row(&placed, baseline, CELL_PT);
            }
        }
    }
}

/// Builds the document with fixed font names, dates and id, and saves it with fonts subset.
pub(crate) fn save(
    pages: Vec<PdfPage>,
    painter: Painter<'_>,
    title: &str,
    created_unix: i64,
    seed: &str,
) -> Result<Vec<u8>, LedgerError> {
    let mut doc = PdfDocument::new(title);
    let when = printpdf::OffsetDateTime::from_unix_timestamp(created_unix).unwrap_or_else(|_| {
        printpdf::OffsetDateTime::from_unix_timestamp(0).expect("the epoch is a date")
    });
    doc.metadata.info.creation_date = when;
    doc.metadata.info.modification_date = when;
    doc.metadata.info.metadata_date = when;
    doc.metadata.info.producer = "Azukari".into();
    doc.metadata.info.creator = "Azukari".into();
    let Painter {
        fonts, used, plain, ..
    } = painter;
    for (index, glyphs) in used.iter().enumerate() {
        if glyphs.is_empty() && (index != 0 || plain.is_empty()) {
            continue;
        }
        let mut parsed = fonts.faces[index].parsed.clone();
        if index == 0 {
            trim_cmap(&mut parsed, &plain);
        }
        // The ToUnicode map is read from here for glyphs drawn by id, so text extracts.
        for (gid, ch) in glyphs {
            parsed.reverse_glyph_cache.insert(*gid, ch.to_string());
        }
        doc.resources
            .fonts
            .map
            .insert(font_id(index), PdfFont::new(parsed));
    }
    doc.pages = pages;
    let options = PdfSaveOptions {
        optimize: true,
        subset_fonts: true,
        secure: true,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    let mut bytes = doc.save(&options, &mut warnings);
    if let Some(failure) = warnings
        .iter()
        .find(|w| format!("{w:?}").contains("Failed to subset"))
    {
        return Err(LedgerError::Font {
            path: fonts.names(),
            why: format!("{failure:?}"),
        });
    }
    fix_document_id(&mut bytes, seed);
    Ok(bytes)
}

/// printpdf maps each character of plain text through the font's cmap by a linear scan of its
/// groups (15,000 in Noto Sans CJK), twice. Keep only the groups covering the characters this
/// document draws as text, most used first, so the scan ends after a group or two. Glyphs
/// drawn by id do not go through the cmap, and the subset is cut from the original bytes.
fn trim_cmap(parsed: &mut printpdf::ParsedFont, usage: &HashMap<char, usize>) {
    use allsorts::tables::cmap::owned::{CmapSubtable, CmapSubtableFormat12};
    let Some(CmapSubtable::Format12(table)) = parsed.cmap_subtable.as_ref() else {
        return;
    };
    let mut chars: Vec<(char, usize)> = usage.iter().map(|(c, n)| (*c, *n)).collect();
    chars.sort_unstable();
    let mut kept: Vec<(usize, allsorts::tables::cmap::SequentialMapGroup)> = Vec::new();
    for group in &table.groups {
        let probe = CmapSubtable::Format12(CmapSubtableFormat12 {
            language: table.language,
            groups: vec![*group],
        });
        let weight: usize = chars
            .iter()
            .filter(|(c, _)| matches!(probe.map_glyph(*c as u32), Ok(Some(_))))
            .map(|(_, n)| n)
            .sum();
        if weight > 0 {
            kept.push((weight, *group));
        }
    }
    kept.sort_by_key(|(weight, _)| std::cmp::Reverse(*weight));
    let trimmed = CmapSubtableFormat12 {
        language: table.language,
        groups: kept.into_iter().map(|(_, g)| g).collect(),
    };
    // Every character drawn as text must still map to its glyph, or printpdf would drop it.
    let check = CmapSubtable::Format12(trimmed.clone());
    let complete = chars.iter().all(|(c, _)| {
        matches!((check.map_glyph(*c as u32), parsed.lookup_glyph_index(*c as u32)), (Ok(Some(a)), Some(b)) if a == b)
    });
    if complete {
        parsed.cmap_subtable = Some(CmapSubtable::Format12(trimmed));
    }
}

/// printpdf numbers its trailer /ID from a process-wide counter; replace it, byte for byte,
/// with one derived from the ledger, so the same ledger always gives the same file.
fn fix_document_id(bytes: &mut [u8], seed: &str) {
    let Some(at) = bytes.windows(4).rposition(|w| w == b"/ID[") else {
        return;
    };
    let Some(end) = bytes[at..].iter().position(|b| *b == b']') else {
        return;
    };
    let id = hex::encode(Sha256::digest(seed.as_bytes()));
    let mut id = id.bytes().cycle();
    let mut inside = false;
    for byte in &mut bytes[at + 4..at + end] {
        match *byte {
            b'(' | b'<' => inside = true,
            b')' | b'>' => inside = false,
            _ if inside && byte.is_ascii_alphanumeric() => *byte = id.next().unwrap_or(b'0'),
            _ => {}
        }
    }
}
