//! A page's (or a form's) content stream, written operator by operator as the layout goes.
//!
//! Why not printpdf's ops: printpdf 0.12 keeps every page of a document as a vector of ops
//! until it saves, and then as an uncompressed lopdf document; a 100,000-row ledger peaked
//! above 500 MB that way. Here a page is a few kilobytes of bytes, compressed as soon as it
//! is laid out. The operators used are the handful PDF has for rules, fills and text.
//!
//! Positions are given in millimetres from the top left, as the layout thinks, and written in
//! points from the bottom left rounded to 1/100 pt. Text is placed with `Td` relative to the
//! previous line start, so a column's cells repeat the same offsets row after row and deflate
//! takes them to almost nothing.

use crate::glyphs::Glyphs;
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Paint {
    Fill,
    Stroke,
}

/// An RGB colour, each part 0–1000.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rgb(pub u16, pub u16, pub u16);

impl Rgb {
    pub(crate) const BLACK: Rgb = Rgb(0, 0, 0);

    pub(crate) fn grey(level: u16) -> Rgb {
        Rgb(level, level, level)
    }
}

/// The font resource name of a face: fixed, so that two renderings give the same bytes.
/// printpdf takes the subset tag (XXXXXX+) from its first six letters.
pub(crate) fn font_name(face: usize) -> String {
    let letter = (b'A' + (face % 26) as u8) as char;
    format!("AZUKA{letter}")
}

pub(crate) struct Content {
    bytes: Vec<u8>,
    page_height: f32,
    in_text: bool,
    /// Face and size (in 1/100 pt) last set with `Tf` in this text object.
    font: Option<(u8, i32)>,
    /// Start of the current text line, in 1/100 pt.
    line: (i32, i32),
    /// The fill colour set, `None` before the first: a form inherits whatever the page had.
    fill: Option<Rgb>,
    stroke: Option<(Rgb, i32)>,
}

/// Millimetres to 1/100 pt.
fn centi(mm: f32) -> i32 {
    (mm * 7200.0 / 25.4).round() as i32
}

impl Content {
    /// A stream for a page (or form) `page_height` mm high.
    pub(crate) fn new(page_height: f32) -> Content {
        Content {
            bytes: Vec::with_capacity(16 * 1024),
            page_height,
            in_text: false,
            font: None,
            line: (0, 0),
            fill: None,
            stroke: None,
        }
    }

    pub(crate) fn into_bytes(mut self) -> Vec<u8> {
        self.end_text();
        self.bytes
    }

    fn num(&mut self, centi: i32) {
        let sign = if centi < 0 { "-" } else { "" };
        let (whole, part) = (centi.unsigned_abs() / 100, centi.unsigned_abs() % 100);
        // Writing to a Vec cannot fail.
        let _ = match part {
            0 => write!(self.bytes, "{sign}{whole}"),
            p if p % 10 == 0 => write!(self.bytes, "{sign}{whole}.{}", p / 10),
            p => write!(self.bytes, "{sign}{whole}.{p:02}"),
        };
    }

    fn x(&mut self, mm: f32) {
        self.num(centi(mm));
        self.bytes.push(b' ');
    }

    fn y(&mut self, mm_from_top: f32) {
        self.num(centi(self.page_height - mm_from_top));
        self.bytes.push(b' ');
    }

    fn op(&mut self, operator: &str) {
        self.bytes.extend_from_slice(operator.as_bytes());
        self.bytes.push(b'\n');
    }

    fn colour(&mut self, colour: Rgb, grey_op: &str, rgb_op: &str) {
        let parts = [colour.0, colour.1, colour.2];
        let count = if colour.0 == colour.1 && colour.1 == colour.2 {
            1
        } else {
            3
        };
        for part in &parts[..count] {
            self.num(i32::from(*part) / 10);
            self.bytes.push(b' ');
        }
        self.op(if count == 1 { grey_op } else { rgb_op });
    }

    fn end_text(&mut self) {
        if self.in_text {
            self.op("ET");
            self.in_text = false;
        }
    }

    fn begin_text(&mut self) {
        if !self.in_text {
            self.op("BT");
            self.in_text = true;
            self.font = None;
            self.line = (0, 0);
        }
    }

    pub(crate) fn set_fill(&mut self, colour: Rgb) {
        if self.fill != Some(colour) {
            self.colour(colour, "g", "rg");
            self.fill = Some(colour);
        }
    }

    pub(crate) fn set_stroke(&mut self, colour: Rgb, width_pt: f32) {
        let width = (width_pt * 100.0).round() as i32;
        if self.stroke == Some((colour, width)) {
            return;
        }
        self.end_text();
        self.colour(colour, "G", "RG");
        self.num(width);
        self.op(" w");
        self.stroke = Some((colour, width));
    }

    pub(crate) fn rect(&mut self, left: f32, top: f32, width: f32, height: f32, paint: Paint) {
        self.end_text();
        self.x(left);
        self.y(top + height);
        self.x(width);
        self.x(height);
        self.op(match paint {
            Paint::Fill => "re f",
            Paint::Stroke => "re S",
        });
    }

    /// Many filled rectangles as one path (a QR code's modules).
    pub(crate) fn fill_rects(&mut self, rects: impl IntoIterator<Item = (f32, f32, f32, f32)>) {
        self.end_text();
        let mut any = false;
        for (left, top, width, height) in rects {
            self.x(left);
            self.y(top + height);
            self.x(width);
            self.x(height);
            self.op("re");
            any = true;
        }
        if any {
            self.op("f");
        }
    }

    pub(crate) fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32) {
        self.end_text();
        self.x(x1);
        self.y(y1);
        self.op("m");
        self.x(x2);
        self.y(y2);
        self.op("l S");
    }

    /// Draws a form XObject (laid out once, drawn on every page) at the origin.
    pub(crate) fn form(&mut self, name: &str) {
        self.end_text();
        self.op(&format!("q /{name} Do Q"));
    }

    /// Draws `text` with its left end at `x` and its baseline at `baseline` (mm from the top),
    /// in black, switching face where a character comes from a fallback font.
    pub(crate) fn text(&mut self, glyphs: &Glyphs, text: &str, x: f32, baseline: f32, size: f32) {
        if text.is_empty() {
            return;
        }
        self.set_fill(Rgb::BLACK);
        self.begin_text();
        let y = centi(self.page_height - baseline);
        let size_centi = (size * 100.0).round() as i32;
        let scale = size * 25.4 / 72.0;
        let mut pen = x;
        let mut run: Vec<u16> = Vec::with_capacity(text.len());
        let mut run_face = u8::MAX;
        let mut run_x = x;
        for ch in text.chars() {
            let Some(glyph) = glyphs.get(ch) else {
                // Only characters that are drawn as nothing have no glyph: the document's
                // glyph table holds every other character its text has.
                debug_assert!(
                    crate::fonts::Fonts::drawn_as(ch).is_none(),
                    "{ch:?} is not in the glyph table"
                );
                continue;
            };
            if glyph.face != run_face {
                self.show(&run, run_face, size_centi, run_x, y);
                run.clear();
                run_face = glyph.face;
                run_x = pen;
            }
            run.push(glyph.code);
            pen += glyph.advance * scale;
        }
        self.show(&run, run_face, size_centi, run_x, y);
    }

    fn show(&mut self, codes: &[u16], face: u8, size: i32, x: f32, y: i32) {
        if codes.is_empty() {
            return;
        }
        if self.font != Some((face, size)) {
            let _ = write!(self.bytes, "/{} ", font_name(usize::from(face)));
            self.num(size);
            self.op(" Tf");
            self.font = Some((face, size));
        }
        let x = centi(x);
        let (dx, dy) = (x - self.line.0, y - self.line.1);
        if (dx, dy) != (0, 0) {
            self.num(dx);
            self.bytes.push(b' ');
            self.num(dy);
            self.op(" Td");
            self.line = (x, y);
        }
        // Identity-H codes, two bytes each, as a literal string: only the three delimiters
        // and the carriage return (which a reader would turn into a line feed) are escaped.
        self.bytes.push(b'(');
        for code in codes {
            for byte in code.to_be_bytes() {
                match byte {
                    b'(' | b')' | b'\\' => self.bytes.extend_from_slice(&[b'\\', byte]),
                    b'\r' => self.bytes.extend_from_slice(b"\\r"),
                    _ => self.bytes.push(byte),
                }
            }
        }
        self.op(")Tj");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_short_and_exact_to_a_hundredth() {
        let mut content = Content::new(0.0);
        for value in [0, 5, 50, 100, 1234, -5, -1230, 120] {
            content.num(value);
            content.bytes.push(b' ');
        }
        assert_eq!(
            String::from_utf8(content.bytes).unwrap(),
            "0 0.05 0.5 1 12.34 -0.05 -12.3 1.2 "
        );
    }

    /// Codes whose bytes are PDF's string delimiters, its escape, or line ends must come back
    /// from a PDF parser as written.
    #[test]
    fn glyph_codes_survive_a_parser_whatever_their_bytes() {
        let codes: Vec<u16> = vec![
            0x2829, 0x5C0D, 0x0A00, 0x0028, 0x2900, 0x5C5C, 0x0D0A, 0xFFFF,
        ];
        let mut content = Content::new(100.0);
        content.begin_text();
        content.show(&codes, 0, 750, 10.0, 1234);
        content.show(&codes[..2], 1, 800, 20.0, 1234);
        let bytes = content.into_bytes();
        // A reader turns a bare carriage return inside a string into a line feed.
        assert!(
            !bytes.contains(&b'\r'),
            "a carriage return is written escaped"
        );
        let parsed = lopdf::content::Content::decode(&bytes).unwrap();
        let shown: Vec<Vec<u8>> = parsed
            .operations
            .iter()
            .filter(|op| op.operator == "Tj")
            .map(|op| op.operands[0].as_str().unwrap().to_vec())
            .collect();
        let expected: Vec<u8> = codes.iter().flat_map(|c| c.to_be_bytes()).collect();
        assert_eq!(shown, vec![expected.clone(), expected[..4].to_vec()]);
        let operators: Vec<&str> = parsed
            .operations
            .iter()
            .map(|op| op.operator.as_str())
            .collect();
        assert_eq!(operators, ["BT", "Tf", "Td", "Tj", "Tf", "Td", "Tj", "ET"]);
    }
}
