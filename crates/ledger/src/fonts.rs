//! Japanese fonts. On Windows: Yu Gothic, Meiryo, MS Gothic from the Windows fonts folder; then,
//! on every system, Noto Sans CJK JP (Debian's fonts-noto-cjk) and IPAex Gothic; or fonts named
//! by the user. A face of a collection (.ttc) is chosen by its family name, not its place: the
//! order of faces differs between versions of a font. Every character is checked against the
//! fonts before anything is drawn: one no font has is refused by name, never drawn as a box.

use crate::LedgerError;
use printpdf::ParsedFont;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Which face of a font file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaceChoice {
    /// By place: 0 for a file that holds one face.
    Index(usize),
    /// By family or full name, in any of the languages the font names itself in
    /// (`Meiryo UI`, `メイリオ`, `Noto Sans CJK JP`).
    Named(String),
}

/// A font file and the face in it (collections such as .ttc hold several).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FontSource {
    pub path: PathBuf,
    pub face: FaceChoice,
}

/// The fonts Windows ships with Japanese support, in order of preference, and the face of each
/// (file names as in `C:\Windows\Fonts`).
const WINDOWS_FONTS: [(&str, &str); 4] = [
    ("YuGothR.ttc", "Yu Gothic"),
    ("YuGothM.ttc", "Yu Gothic Medium"),
    ("meiryo.ttc", "Meiryo"),
    ("msgothic.ttc", "MS Gothic"),
];

/// Where Debian and Ubuntu put the fonts this project asks for, in order of preference.
const DEBIAN_FONTS: [(&str, &str); 4] = [
    (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "Noto Sans CJK JP",
    ),
    (
        "/usr/share/fonts/opentype/noto/NotoSansCJKjp-Regular.otf",
        "",
    ),
    ("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf", ""),
    ("/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf", ""),
];

impl FontSource {
    /// `PATH`, `PATH#INDEX` or `PATH#FAMILY`. A path that names a file as it stands is taken
    /// whole, `#` and all.
    pub fn parse(text: &str) -> FontSource {
        if !Path::new(text).is_file()
            && let Some((path, face)) = text.rsplit_once('#')
            && !face.is_empty()
            && !face.contains(['/', '\\'])
        {
            return FontSource {
                path: path.into(),
                face: match face.parse::<usize>() {
                    Ok(index) => FaceChoice::Index(index),
                    Err(_) => FaceChoice::Named(face.trim().to_string()),
                },
            };
        }
        FontSource {
            path: text.into(),
            face: FaceChoice::Index(0),
        }
    }

    /// Every place a Japanese font is looked for, in order: the Windows fonts folder first when
    /// there is one, then the places of Debian and Ubuntu.
    pub fn candidates(windows_fonts: Option<&Path>) -> Vec<FontSource> {
        let windows = windows_fonts.into_iter().flat_map(|folder| {
            WINDOWS_FONTS.iter().map(move |(file, family)| FontSource {
                path: folder.join(file),
                face: FaceChoice::Named((*family).to_string()),
            })
        });
        let debian = DEBIAN_FONTS.iter().map(|(path, family)| FontSource {
            path: path.into(),
            face: if family.is_empty() {
                FaceChoice::Index(0)
            } else {
                FaceChoice::Named((*family).to_string())
            },
        });
        windows.chain(debian).collect()
    }

    /// The candidates on this system whose files exist.
    pub fn system_defaults() -> Vec<FontSource> {
        FontSource::candidates(windows_fonts_folder().as_deref())
            .into_iter()
            .filter(|source| source.path.is_file())
            .collect()
    }
}

/// `%WINDIR%\Fonts` on Windows; nothing elsewhere.
fn windows_fonts_folder() -> Option<PathBuf> {
    if !cfg!(windows) {
        return None;
    }
    std::env::var_os("WINDIR")
        .or_else(|| std::env::var_os("SystemRoot"))
        .map(|windows| PathBuf::from(windows).join("Fonts"))
}

/// The names each face of a font file (or collection) gives itself: family, full and
/// typographic family names, in every language it has them.
pub fn face_names(bytes: &[u8]) -> Vec<Vec<String>> {
    names_of_faces(bytes).collect()
}

/// The place of the face named `wanted` (ignoring case) in a font file; faces after it are not
/// read.
pub fn face_index(bytes: &[u8], wanted: &str) -> Option<usize> {
    names_of_faces(bytes).position(|names| {
        names
            .iter()
            .any(|name| name.trim().eq_ignore_ascii_case(wanted.trim()))
    })
}

fn names_of_faces(bytes: &[u8]) -> impl Iterator<Item = Vec<String>> + '_ {
    // A collection's header says how many faces it has, and ttf-parser takes its word; a hostile
    // or truncated file saying four billion would be read face by face for minutes. Each face
    // needs a 4-byte offset after the 12-byte header, which bounds the count by the file's size.
    let room = u32::try_from(bytes.len().saturating_sub(12) / 4).unwrap_or(u32::MAX);
    let count = ttf_parser::fonts_in_collection(bytes).map_or(1, |count| count.min(room));
    (0..count).map(|index| {
        let Ok(face) = ttf_parser::Face::parse(bytes, index) else {
            return Vec::new();
        };
        let mut names: Vec<String> = face
            .names()
            .into_iter()
            .filter(|name| {
                [
                    ttf_parser::name_id::FAMILY,
                    ttf_parser::name_id::FULL_NAME,
                    ttf_parser::name_id::TYPOGRAPHIC_FAMILY,
                ]
                .contains(&name.name_id)
            })
            .filter_map(|name| name.to_string())
            .collect();
        names.dedup();
        names
    })
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
        let faces = sources.iter().map(load_face).collect::<Result<_, _>>()?;
        Ok(Fonts::of(faces))
    }

    fn of(faces: Vec<Face>) -> Fonts {
        Fonts {
            faces,
            glyphs: HashMap::new(),
        }
    }

    /// The system's fonts, or the one named (`PATH`, `PATH#INDEX`, `PATH#FAMILY`) and then the
    /// system's as fallback. A named font that cannot be read is an error; a system font that
    /// cannot (a Windows install whose collection lacks the face) is passed over.
    pub fn with_preference(named: Option<&str>) -> Result<Fonts, LedgerError> {
        Fonts::with_preference_among(named, FontSource::system_defaults())
    }

    /// As `with_preference`, with the system's fonts given.
    pub fn with_preference_among(
        named: Option<&str>,
        system: Vec<FontSource>,
    ) -> Result<Fonts, LedgerError> {
        let mut faces = Vec::new();
        let named = named.map(FontSource::parse);
        if let Some(source) = &named {
            faces.push(load_face(source)?);
        }
        let mut passed_over = None;
        for source in system {
            if named.as_ref() == Some(&source) {
                continue;
            }
            match load_face(&source) {
                Ok(face) => faces.push(face),
                Err(err) => {
                    passed_over.get_or_insert(err);
                }
            }
        }
        if faces.is_empty() {
            return Err(passed_over.unwrap_or(LedgerError::NoFont));
        }
        Ok(Fonts::of(faces))
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

fn load_face(source: &FontSource) -> Result<Face, LedgerError> {
    let shown = source.path.display().to_string();
    let bytes = std::fs::read(&source.path).map_err(|e| LedgerError::Font {
        path: shown.clone(),
        why: e.to_string(),
    })?;
    let face = match &source.face {
        FaceChoice::Index(index) => *index,
        FaceChoice::Named(wanted) => face_index(&bytes, wanted).ok_or_else(|| {
            let known: Vec<String> = face_names(&bytes)
                .into_iter()
                .filter_map(|names| names.into_iter().next())
                .collect();
            LedgerError::Font {
                path: shown.clone(),
                why: format!("no face named '{wanted}' (it has: {})", known.join(", ")),
            }
        })?,
    };
    let mut warnings = Vec::new();
    let parsed =
        ParsedFont::from_bytes(&bytes, face, &mut warnings).ok_or_else(|| LedgerError::Font {
            path: shown.clone(),
            why: format!("face {face} is not a font printpdf can read"),
        })?;
    let units_per_em = f32::from(parsed.font_metrics.units_per_em.max(1));
    let name = source
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or(shown);
    Ok(Face {
        name: format!("{name}#{face}"),
        parsed,
        units_per_em,
    })
}
