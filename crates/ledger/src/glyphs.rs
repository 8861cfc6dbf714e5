//! What each character of a document is drawn with: the face, the code the content stream
//! writes for it, and its advance. Built once per document for exactly the characters it
//! holds, so the layout's hot loop (a 100,000-row ledger measures and draws about ten million
//! characters) is an array lookup, not a hash of every character.

use crate::fonts::Fonts;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// The distinct characters of a document, gathered before anything is drawn.
pub(crate) struct CharSet {
    /// One bit per character of the Basic Multilingual Plane.
    bmp: Vec<u64>,
    /// Characters beyond it (𠮷 and the like): few, so a sorted set.
    astral: BTreeSet<char>,
}

impl CharSet {
    /// A set holding the digits, the space and "…" already: page numbers, and the ellipsis
    /// the layout adds when it shortens a cell, are drawn without being in the ledger's text.
    pub(crate) fn new() -> CharSet {
        let mut set = CharSet {
            bmp: vec![0; 0x10000 / 64],
            astral: BTreeSet::new(),
        };
        for ch in ('0'..='9').chain([' ', '…']) {
            set.insert(ch);
        }
        set
    }

    pub(crate) fn insert(&mut self, ch: char) {
        let code = ch as usize;
        match self.bmp.get_mut(code / 64) {
            Some(word) => *word |= 1 << (code % 64),
            None => {
                self.astral.insert(ch);
            }
        }
    }

    pub(crate) fn insert_str(&mut self, text: &str) {
        for ch in text.chars() {
            self.insert(ch);
        }
    }

    pub(crate) fn chars(&self) -> impl Iterator<Item = char> + '_ {
        let bmp = self.bmp.iter().enumerate().flat_map(|(word, bits)| {
            (0..64)
                .filter(move |bit| bits & (1 << bit) != 0)
                .filter_map(move |bit| char::from_u32((word * 64 + bit) as u32))
        });
        bmp.chain(self.astral.iter().copied())
    }
}

/// Several characters can share one glyph: 一 (U+4E00) and the Kangxi radical ⼀ (U+2F00),
/// the ideographic space and the em space. A glyph extracts (copy, search) as one of them, so
/// let it be the ordinary one: radicals, compatibility ideographs and typographic spaces rank
/// after everything else, then the lower code point wins.
fn extraction_rank(ch: char) -> (bool, char) {
    // The twelve unified ideographs that live in the compatibility block, 﨑 among them.
    const UNIFIED: [char; 12] = [
        '\u{FA0E}', '\u{FA0F}', '\u{FA11}', '\u{FA13}', '\u{FA14}', '\u{FA1F}', '\u{FA21}',
        '\u{FA23}', '\u{FA24}', '\u{FA27}', '\u{FA28}', '\u{FA29}',
    ];
    let variant = matches!(ch,
        '\u{2E80}'..='\u{2FDF}' | '\u{F900}'..='\u{FAFF}' | '\u{2F800}'..='\u{2FA1F}' | '\u{2000}'..='\u{200A}')
        && !UNIFIED.contains(&ch);
    (variant, ch)
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Glyph {
    /// The face it is drawn from: 0 the primary font, then the fallbacks in order.
    pub(crate) face: u8,
    /// The glyph id in that face (before subsetting).
    pub(crate) gid: u16,
    /// What the content stream writes for it: the font's Identity-H code after subsetting.
    pub(crate) code: u16,
    /// Advance width as a fraction of the em.
    pub(crate) advance: f32,
}

/// Characters to glyphs, for one document.
pub(crate) struct Glyphs {
    /// Index + 1 into `table` for each BMP character; 0 when the character is not drawn.
    bmp: Vec<u32>,
    astral: BTreeMap<char, u32>,
    table: Vec<Glyph>,
}

impl Glyphs {
    /// Looks up every character of `chars` in the fonts. Characters that are never drawn
    /// (variation selectors, zero-width joiners, controls) are left out; the first character
    /// no font has is returned as the error.
    pub(crate) fn build(chars: &CharSet, fonts: &mut Fonts) -> Result<Glyphs, char> {
        let mut glyphs = Glyphs {
            bmp: vec![0; 0x10000],
            astral: BTreeMap::new(),
            table: Vec::new(),
        };
        for ch in chars.chars() {
            if Fonts::drawn_as(ch) != Some(ch) {
                continue;
            }
            let (face, gid, advance) = fonts.glyph(ch).ok_or(ch)?;
            glyphs.table.push(Glyph {
                face: face as u8,
                gid,
                code: gid,
                advance: f32::from(advance) / fonts.faces[face].units_per_em,
            });
            let index = glyphs.table.len() as u32;
            match glyphs.bmp.get_mut(ch as usize) {
                Some(slot) => *slot = index,
                None => {
                    glyphs.astral.insert(ch, index);
                }
            }
        }
        Ok(glyphs)
    }

    /// The glyph `ch` is drawn with: see [`Fonts::drawn_as`].
    pub(crate) fn get(&self, ch: char) -> Option<&Glyph> {
        let ch = Fonts::drawn_as(ch)?;
        let index = match self.bmp.get(ch as usize) {
            Some(index) => *index,
            None => self.astral.get(&ch).copied().unwrap_or(0),
        };
        index.checked_sub(1).map(|i| &self.table[i as usize])
    }

    /// Every glyph, per face, with the character it shows (for the fonts' subsets and
    /// their ToUnicode maps).
    pub(crate) fn by_face(&self) -> Vec<BTreeMap<u16, char>> {
        let faces = self.table.iter().map(|g| g.face + 1).max().unwrap_or(0);
        let mut out = vec![BTreeMap::new(); faces as usize];
        let bmp = self
            .bmp
            .iter()
            .enumerate()
            .filter(|(_, index)| **index != 0)
            .filter_map(|(ch, index)| Some((char::from_u32(ch as u32)?, *index)));
        for (ch, index) in bmp.chain(self.astral.iter().map(|(c, i)| (*c, *i))) {
            let glyph = self.table[index as usize - 1];
            let shows = out[glyph.face as usize].entry(glyph.gid).or_insert(ch);
            if extraction_rank(ch) < extraction_rank(*shows) {
                *shows = ch;
            }
        }
        out
    }

    /// Sets the code written for each glyph once the fonts are subset.
    pub(crate) fn set_codes(&mut self, codes: &[BTreeMap<u16, u16>]) {
        for glyph in &mut self.table {
            if let Some(code) = codes
                .get(glyph.face as usize)
                .and_then(|c| c.get(&glyph.gid))
            {
                glyph.code = *code;
            }
        }
    }

    /// Width of `text` at `size_pt`, in millimetres.
    pub(crate) fn width_mm(&self, text: &str, size_pt: f32) -> f32 {
        let em: f32 = text
            .chars()
            .filter_map(|ch| self.get(ch))
            .map(|g| g.advance)
            .sum();
        em * size_pt * 25.4 / 72.0
    }

    /// The text as it fits in `max` mm: whole, or cut and ended with "…".
    pub(crate) fn fit<'t>(&self, text: &'t str, max: f32, size: f32) -> Cow<'t, str> {
        if self.width_mm(text, size) <= max {
            return Cow::Borrowed(text);
        }
        let scale = size * 25.4 / 72.0;
        let ellipsis = self.width_mm("…", size);
        let mut out = String::new();
        let mut width = 0.0;
        for ch in text.chars() {
            let w = self.get(ch).map_or(0.0, |g| g.advance * scale);
            if width + w + ellipsis > max {
                break;
            }
            width += w;
            out.push(ch);
        }
        out.push('…');
        Cow::Owned(out)
    }
}
