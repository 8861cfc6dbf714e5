//! A4 sheets of asset labels: the tag large, the name and owner small, and a QR code of the
//! tag, 3 across and 8 down (70 × 37 mm, the common A4 24-label sheet).

use crate::fonts::Fonts;
use crate::pdf::{Painter, save};
use crate::{LedgerError, place};
use printpdf::{Mm, PaintMode, PdfPage};
use qrcode::{Color as Module, QrCode};

#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub tag: String,
    pub name: String,
    pub owner: String,
}

const ACROSS: usize = 3;
const DOWN: usize = 8;
const LABEL_W: f32 = 70.0;
const LABEL_H: f32 = 37.0;
const SHEET_W: f32 = 210.0;
const SHEET_TOP: f32 = (297.0 - LABEL_H * DOWN as f32) / 2.0;

pub fn render_labels(
    labels: &[Label],
    fonts: &mut Fonts,
    title: &str,
    created_unix: i64,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<u8>, LedgerError> {
    for (row, label) in labels.iter().enumerate() {
        for (text, column) in [
            (&label.tag, "tag"),
            (&label.name, "name"),
            (&label.owner, "owner"),
        ] {
            if let Some(ch) = fonts.first_missing(text) {
                return Err(LedgerError::MissingGlyph {
                    ch,
                    code: ch as u32,
                    place: place(Some(row + 1), Some(column), ""),
                    fonts: fonts.names(),
                });
            }
        }
    }
    let per_sheet = ACROSS * DOWN;
    let sheets = labels.len().div_ceil(per_sheet).max(1);
    let mut painter = Painter::new(fonts, 297.0);
    let mut pages = Vec::with_capacity(sheets);
    // An empty selection still gives one (empty) sheet rather than no page at all.
    let chunks: Vec<&[Label]> = if labels.is_empty() {
        vec![&[]]
    } else {
        labels.chunks(per_sheet).collect()
    };
    for (sheet, chunk) in chunks.iter().enumerate() {
        for (slot, label) in chunk.iter().enumerate() {
            let left = (slot % ACROSS) as f32 * LABEL_W;
            let top = SHEET_TOP + (slot / ACROSS) as f32 * LABEL_H;
            draw_label(&mut painter, label, left, top)?;
        }
        pages.push(PdfPage::new(Mm(SHEET_W), Mm(297.0), painter.finish_page()));
        progress(sheet + 1, sheets);
    }
    let seed = labels
        .iter()
        .map(|l| l.tag.as_str())
        .collect::<Vec<_>>()
        .join("\u{1f}");
    save(pages, painter, title, created_unix, &seed)
}

fn draw_label(p: &mut Painter<'_>, label: &Label, left: f32, top: f32) -> Result<(), LedgerError> {
    // A faint cut guide, so a sheet printed on plain paper can be cut too.
    p.set_stroke(
        printpdf::Color::Rgb(printpdf::Rgb::new(0.8, 0.8, 0.8, None)),
        0.2,
    );
    p.rect(left, top, LABEL_W, LABEL_H, PaintMode::Stroke);
    let code = QrCode::new(label.tag.as_bytes()).map_err(|e| LedgerError::Font {
        path: label.tag.clone(),
        why: format!("QR code: {e}"),
    })?;
    let modules = code.width();
    // The QR specification's quiet zone: four modules of white around the code.
    let quiet = 4.0;
    let size = LABEL_H - 6.0;
    let module = size / (modules as f32 + 2.0 * quiet);
    let (qx, qy) = (left + 3.0, top + 3.0);
    p.set_fill(printpdf::Color::Rgb(printpdf::Rgb::new(
        0.0, 0.0, 0.0, None,
    )));
    for (i, color) in code.to_colors().iter().enumerate() {
        if *color == Module::Dark {
            let (cx, cy) = ((i % modules) as f32, (i / modules) as f32);
            p.rect(
                qx + (quiet + cx) * module,
                qy + (quiet + cy) * module,
                module,
                module,
                PaintMode::Fill,
            );
        }
    }
    let text_left = qx + size + 2.0;
    let text_w = left + LABEL_W - text_left - 2.0;
    let tag = p.fit(&label.tag, text_w, 14.0);
    p.text(&tag, text_left, top + 12.0, 14.0);
    let name = p.fit(&label.name, text_w, 8.0);
    p.text(&name, text_left, top + 19.0, 8.0);
    let owner = p.fit(&label.owner, text_w, 7.0);
    p.text(&owner, text_left, top + 24.5, 7.0);
    Ok(())
}
