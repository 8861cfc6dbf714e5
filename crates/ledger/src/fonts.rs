//! Japanese fonts: Noto Sans CJK JP (Debian's fonts-noto-cjk, face 0 of the collection) first,
//! IPAex Gothic as fallback, or fonts named by the user. Every character is checked against
//! them before anything is drawn: one no font has is refused by name, never drawn as a box.

use crate::LedgerError;
use printpdf::ParsedFont;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A font file and the face in it (collections such as .ttc hold several).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FontSource {
    pub path: PathBuf,
    pub face: usize,
}

impl FontSource {
    /// `PATH` or `PATH#FACE`.
    pub fn parse(text: &str) -> FontSource {
        match text.rsplit_once('#') {
            Some((path, face)) if face.parse::<usize>().is_ok() => FontSource {
                path: path.into(),
                face: face.parse().unwrap_or(0),
            },
            _ => FontSource {
                path: text.into(),
                face: 0,
            },
        }
    }

    /// Where Debian and Ubuntu put the fonts this project asks for, in order of preference.
    pub fn system_defaults() -> Vec<FontSource> {
        [
            ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0),
            (
                "/usr/share/fonts/opentype/noto/NotoSansCJKjp-Regular.otf",
                0,
            ),
            ("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf", 0),
            ("/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf", 0),
        ]
        .into_iter()
        .map(|(path, face)| FontSource {
            path: path.into(),
            face,
        })
        .filter(|source| source.path.exists())
        .collect()
    }
}

pub(crate) struct Face {
    pub(crate) name: String,
    pub(crate) parsed: ParsedFont,
    pub(crate) units_per_em: f32,
}

/// The fonts a ledger is drawn with, and what each character is drawn from.
pub struct Fonts {
    pub(crate) faces: Vec<Face>,
    /// char → (face, glyph id, advance in font units); `None` when no face has it.
    glyphs: HashMap<char, Option<(usize, u16, u16)>>,
}

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.faces.iter().map(|face| &face.name))
            .finish()
    }
}

impl Fonts {
    /// Loads the fonts in order; the first is the primary, the others fill in what it lacks.
    pub fn load(sources: &[FontSource]) -> Result<Fonts, LedgerError> {
        if sources.is_empty() {
            return Err(LedgerError::NoFont);
        }
        let mut faces = Vec::new();
        for source in sources {
            faces.push(load_face(&source.path, source.face)?);
        }
        Ok(Fonts {
            faces,
            glyphs: HashMap::new(),
        })
    }

    /// The system's fonts, or the ones named (path or path#face), and then the system's as
    /// fallback.
    pub fn with_preference(named: Option<&str>) -> Result<Fonts, LedgerError> {
        let mut sources: Vec<FontSource> = named.map(FontSource::parse).into_iter().collect();
        for source in FontSource::system_defaults() {
            if !sources.contains(&source) {
                sources.push(source);
            }
        }
        Fonts::load(&sources)
    }

    pub(crate) fn names(&self) -> String {
        self.faces
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// What a character of the text is drawn as: itself; a space for controls (a tab, a line
    /// break pasted into a cell) and the line and paragraph separators; or nothing for the
    /// characters that only steer other text — variation selectors (PDF text does not shape
    /// them) and Unicode's format characters (category Cf: joiners, direction marks, the soft
    /// hyphen, tags), which no font draws and which arrive unseen in text copied from
    /// elsewhere.
    pub(crate) fn drawn_as(ch: char) -> Option<char> {
        match ch {
            '\u{FE00}'..='\u{FE0F}'
            | '\u{E0100}'..='\u{E01EF}'
            | '\u{00AD}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}' => None,
            '\u{2028}' | '\u{2029}' => Some(' '),
            ch if ch.is_control() => Some(' '),
            ch => Some(ch),
        }
    }

    /// What `ch` is drawn with: the first face that has it.
    pub(crate) fn glyph(&mut self, ch: char) -> Option<(usize, u16, u16)> {
        if let Some(found) = self.glyphs.get(&ch) {
            return *found;
        }
        let found = self.faces.iter().enumerate().find_map(|(index, face)| {
            face.parsed
                .lookup_glyph_index(ch as u32)
                .filter(|gid| *gid != 0)
                .map(|gid| (index, gid, face.parsed.get_horizontal_advance(gid)))
        });
        self.glyphs.insert(ch, found);
        found
    }

    /// The first character of `text` that no font has.
    pub(crate) fn first_missing(&mut self, text: &str) -> Option<char> {
        text.chars()
            .filter_map(Fonts::drawn_as)
            .find(|ch| self.glyph(*ch).is_none())
    }
}

fn load_face(path: &Path, face: usize) -> Result<Face, LedgerError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| LedgerError::Font {
        path: shown.clone(),
        why: e.to_string(),
    })?;
    let mut warnings = Vec::new();
    let parsed =
        ParsedFont::from_bytes(&bytes, face, &mut warnings).ok_or_else(|| LedgerError::Font {
            path: shown.clone(),
            why: format!("face {face} is not a font printpdf can read"),
        })?;
    let units_per_em = f32::from(parsed.font_metrics.units_per_em.max(1));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or(shown);
    Ok(Face {
        name: format!("{name}#{face}"),
        parsed,
        units_per_em,
    })
}
