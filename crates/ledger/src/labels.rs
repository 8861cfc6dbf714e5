//! A4 sheets of asset labels: the tag large, the name and owner small, and a QR code of the
//! tag, 3 across and 8 down (70 × 37 mm, the common A4 24-label sheet).

use crate::content::{Content, Paint, Rgb};
use crate::document::start;
use crate::fonts::Fonts;
use crate::glyphs::{CharSet, Glyphs};
use crate::{LedgerError, place};
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
    let mut chars = CharSet::new();
    for label in labels {
        for text in [&label.tag, &label.name, &label.owner] {
            chars.insert_str(text);
        }
    }
    // Every character was checked above; a failure here is one the layout adds.
    let (mut pdf, glyphs) = start(fonts, &chars, title, created_unix, (SHEET_W, 297.0), |_| {
        Ok(())
    })?;
    let per_sheet = ACROSS * DOWN;
    let sheets = labels.len().div_ceil(per_sheet).max(1);
    // An empty selection still gives one (empty) sheet rather than no page at all.
    let chunks: Vec<&[Label]> = if labels.is_empty() {
        vec![&[]]
    } else {
        labels.chunks(per_sheet).collect()
    };
    for (sheet, chunk) in chunks.iter().enumerate() {
        let mut c = Content::new(297.0);
        for (slot, label) in chunk.iter().enumerate() {
            let left = (slot % ACROSS) as f32 * LABEL_W;
            let top = SHEET_TOP + (slot / ACROSS) as f32 * LABEL_H;
            draw_label(&mut c, &glyphs, label, left, top)?;
        }
        pdf.add_page(c);
        progress(sheet + 1, sheets);
    }
    let seed = labels
        .iter()
        .flat_map(|l| [l.tag.as_str(), l.name.as_str(), l.owner.as_str()])
        .collect::<Vec<_>>()
        .join("\u{1f}");
    pdf.finish(&seed)
}

fn draw_label(
    c: &mut Content,
    glyphs: &Glyphs,
    label: &Label,
    left: f32,
    top: f32,
) -> Result<(), LedgerError> {
    // A faint cut guide, so a sheet printed on plain paper can be cut too.
    c.set_stroke(Rgb::grey(800), 0.2);
    c.rect(left, top, LABEL_W, LABEL_H, Paint::Stroke);
    let code = QrCode::new(label.tag.as_bytes()).map_err(|e| LedgerError::Pdf {
        why: format!("QR code of {}: {e}", label.tag),
    })?;
    let modules = code.width();
    // The QR specification's quiet zone: four modules of white around the code.
    let quiet = 4.0;
    let size = LABEL_H - 6.0;
    let module = size / (modules as f32 + 2.0 * quiet);
    let (qx, qy) = (left + 3.0, top + 3.0);
    c.set_fill(Rgb::BLACK);
    c.fill_rects(
        code.to_colors()
            .iter()
            .enumerate()
            .filter(|(_, color)| **color == Module::Dark)
            .map(|(i, _)| {
                let (cx, cy) = ((i % modules) as f32, (i / modules) as f32);
                (
                    qx + (quiet + cx) * module,
                    qy + (quiet + cy) * module,
                    module,
                    module,
                )
            }),
    );
    let text_left = qx + size + 2.0;
    let text_w = left + LABEL_W - text_left - 2.0;
    for (text, baseline, size) in [
        (&label.tag, 12.0, 14.0),
        (&label.name, 19.0, 8.0),
        (&label.owner, 24.5, 7.0),
    ] {
        let fitted = glyphs.fit(text, text_w, size);
        c.text(glyphs, &fitted, text_left, top + baseline, size);
    }
    Ok(())
}
