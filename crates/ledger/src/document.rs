//! A PDF document built page by page: printpdf subsets the fonts and writes their dictionaries
//! (widths, ToUnicode, the embedded program) and the document information; each page's content
//! stream is written by [`Content`] and compressed as soon as it is laid out, on a second
//! thread, so memory holds compressed pages only.
//!
//! printpdf is asked for the fonts through a one-page document that shows every glyph the
//! ledger uses, once. The codes it writes there for each glyph are the codes our pages use:
//! what printpdf decided about subsetting (renumbered glyph ids for TrueType, the charset's
//! CIDs for CID-keyed CFF such as Noto Sans CJK) is read back, not guessed.

use crate::LedgerError;
use crate::content::{Content, font_name};
use crate::fonts::Fonts;
use crate::glyphs::{CharSet, Glyphs};
use lopdf::{Dictionary, Object, ObjectId, Stream, StringFormat};
use printpdf::{
    Codepoint, FontId, Mm, Op, PdfDocument, PdfFont, PdfFontHandle, PdfPage, PdfSaveOptions, Pt,
    TextItem,
};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

/// How hard page streams are compressed: deflate's best. On the 100,000-row ledger it measured
/// no slower than the default (6), which gave a file 5 KB larger (3.19 MB).
const LEVEL: u32 = 9;

pub(crate) struct PdfBuilder {
    doc: lopdf::Document,
    pages_id: ObjectId,
    fonts_id: ObjectId,
    forms: Dictionary,
    /// Page size in mm.
    size: (f32, f32),
    compressor: Option<Compressor>,
}

/// The thread that deflates pages while the next ones are laid out; it hands back the
/// compressed pages, in order, when the sender is dropped.
struct Compressor {
    sender: SyncSender<Vec<u8>>,
    worker: JoinHandle<Vec<Vec<u8>>>,
}

fn pt(mm: f32) -> Object {
    Object::Real(mm * 72.0 / 25.4)
}

impl PdfBuilder {
    /// A document of pages `size` mm, with the fonts subset to `chars`. Fails naming the
    /// first character no font has; the caller then finds where it stands.
    fn new(
        fonts: &mut Fonts,
        chars: &CharSet,
        title: &str,
        created_unix: i64,
        size: (f32, f32),
    ) -> Result<(PdfBuilder, Glyphs), BuildError> {
        let mut glyphs = Glyphs::build(chars, fonts).map_err(BuildError::Missing)?;
        let used = glyphs.by_face();

        let mut skeleton = PdfDocument::new(title);
        let when =
            printpdf::OffsetDateTime::from_unix_timestamp(created_unix).unwrap_or_else(|_| {
                printpdf::OffsetDateTime::from_unix_timestamp(0).expect("the epoch is a date")
            });
        skeleton.metadata.info.creation_date = when;
        skeleton.metadata.info.modification_date = when;
        skeleton.metadata.info.metadata_date = when;
        skeleton.metadata.info.producer = "Azukari".into();
        skeleton.metadata.info.creator = "Azukari".into();
        let mut ops = vec![Op::StartTextSection];
        for (face, glyphs) in used.iter().enumerate() {
            if glyphs.is_empty() {
                continue;
            }
            let id = FontId(font_name(face));
            skeleton
                .resources
                .fonts
                .map
                .insert(id.clone(), PdfFont::new(fonts.faces[face].parsed.clone()));
            ops.push(Op::SetFont {
                font: PdfFontHandle::External(id),
                size: Pt(10.0),
            });
            ops.push(Op::ShowText {
                items: vec![TextItem::GlyphIds(
                    glyphs
                        .iter()
                        .map(|(gid, ch)| Codepoint {
                            gid: *gid,
                            offset: 0.0,
                            // What the glyph extracts as: printpdf's ToUnicode map.
                            cid: Some(ch.to_string()),
                        })
                        .collect(),
                )],
            });
        }
        ops.push(Op::EndTextSection);
        skeleton.pages = vec![PdfPage::new(Mm(size.0), Mm(size.1), ops)];
        let options = PdfSaveOptions {
            optimize: true,
            subset_fonts: true,
            secure: true,
            image_optimization: None,
        };
        let mut warnings = Vec::new();
        let mut doc = printpdf::serialize::to_lopdf_doc(&skeleton, &options, &mut warnings);
        if let Some(failure) = warnings
            .iter()
            .find(|w| format!("{w:?}").contains("Failed to subset"))
        {
            return Err(BuildError::Font(format!("{failure:?}")));
        }
        let font_error = |why: &str| BuildError::Font(format!("printpdf's font pages: {why}"));
        let lopdf_error = |e: lopdf::Error| font_error(&e.to_string());
        let reference = |dict: &Dictionary, key: &[u8]| {
            dict.get(key)
                .and_then(Object::as_reference)
                .map_err(lopdf_error)
        };

        let (_, page_id) = doc
            .get_pages()
            .into_iter()
            .next()
            .ok_or_else(|| font_error("no page"))?;
        let page = doc.get_dictionary(page_id).map_err(lopdf_error)?.clone();
        let pages_id = reference(&page, b"Parent")?;
        let resources_id = reference(&page, b"Resources")?;
        let fonts_id = reference(
            doc.get_dictionary(resources_id).map_err(lopdf_error)?,
            b"Font",
        )?;
        let contents_id = reference(&page, b"Contents")?;
        let shown = doc
            .get_object(contents_id)
            .and_then(Object::as_stream)
            .and_then(|s| s.decompressed_content())
            .map_err(lopdf_error)?;
        let codes = codes_shown(&shown, &used).map_err(|why| font_error(&why))?;
        glyphs.set_codes(&codes);

        // The glyph page goes, and the resources dictionaries printpdf made for it, all but
        // the fonts'.
        let mut gone = vec![page_id, contents_id, resources_id];
        if let Ok(resources) = doc.get_dictionary(resources_id) {
            gone.extend(
                resources
                    .iter()
                    .filter_map(|(_, value)| value.as_reference().ok())
                    .filter(|id| *id != fonts_id),
            );
        }
        for id in gone {
            doc.objects.remove(&id);
        }
        doc.compress();

        let (sender, pages) = sync_channel::<Vec<u8>>(4);
        let worker = std::thread::spawn(move || {
            pages
                .into_iter()
                .map(|raw| deflate(&raw))
                .collect::<Vec<_>>()
        });
        Ok((
            PdfBuilder {
                doc,
                pages_id,
                fonts_id,
                forms: Dictionary::new(),
                size,
                compressor: Some(Compressor { sender, worker }),
            },
            glyphs,
        ))
    }

    /// The page's rectangle, in points: the pages' MediaBox and the forms' BBox.
    fn page_box(&self) -> Object {
        Object::Array(vec![
            Object::Integer(0),
            Object::Integer(0),
            pt(self.size.0),
            pt(self.size.1),
        ])
    }

    /// A form XObject called `name`: content laid out once and drawn on many pages.
    pub(crate) fn add_form(&mut self, name: &str, content: Content) {
        let dict = Dictionary::from_iter(vec![
            ("Type", Object::Name(b"XObject".to_vec())),
            ("Subtype", Object::Name(b"Form".to_vec())),
            ("BBox", self.page_box()),
            (
                "Resources",
                Object::Dictionary(Dictionary::from_iter(vec![(
                    "Font",
                    Object::Reference(self.fonts_id),
                )])),
            ),
            ("Filter", Object::Name(b"FlateDecode".to_vec())),
        ]);
        let id = self
            .doc
            .add_object(Stream::new(dict, deflate(&content.into_bytes())));
        self.forms.set(name, Object::Reference(id));
    }

    /// The next page.
    pub(crate) fn add_page(&mut self, content: Content) {
        if let Some(compressor) = &self.compressor {
            // The compressor only stops when the sender is dropped, in `finish`.
            let _ = compressor.sender.send(content.into_bytes());
        }
    }

    /// The document's bytes; `seed` names it (the trailer /ID), so the same ledger gives the
    /// same file.
    pub(crate) fn finish(mut self, seed: &str) -> Result<Vec<u8>, LedgerError> {
        let compressed = match self.compressor.take() {
            Some(Compressor { sender, worker }) => {
                drop(sender);
                worker.join().map_err(|_| LedgerError::Pdf {
                    why: "the page compressor stopped".into(),
                })?
            }
            None => Vec::new(),
        };
        let mut kids = Vec::with_capacity(compressed.len());
        for bytes in compressed {
            let dict =
                Dictionary::from_iter(vec![("Filter", Object::Name(b"FlateDecode".to_vec()))]);
            let contents = self.doc.add_object(Stream::new(dict, bytes));
            let page = Dictionary::from_iter(vec![
                ("Type", Object::Name(b"Page".to_vec())),
                ("Parent", Object::Reference(self.pages_id)),
                ("Contents", Object::Reference(contents)),
            ]);
            kids.push(Object::Reference(self.doc.add_object(page)));
        }
        // Size and resources are the same on every page: said once, on the page tree.
        let count = kids.len() as i64;
        let resources = Dictionary::from_iter(vec![
            ("Font", Object::Reference(self.fonts_id)),
            (
                "XObject",
                Object::Dictionary(std::mem::take(&mut self.forms)),
            ),
        ]);
        let tree = Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Pages".to_vec())),
            ("Kids", Object::Array(kids)),
            ("Count", Object::Integer(count)),
            ("MediaBox", self.page_box()),
            ("Resources", Object::Dictionary(resources)),
        ]);
        self.doc
            .objects
            .insert(self.pages_id, Object::Dictionary(tree));
        let id = Sha256::digest(seed.as_bytes());
        self.doc.trailer.set(
            "ID",
            Object::Array(vec![
                Object::String(id[..16].to_vec(), StringFormat::Hexadecimal),
                Object::String(id[16..].to_vec(), StringFormat::Hexadecimal),
            ]),
        );
        let mut bytes = Vec::new();
        let options = lopdf::SaveOptions::builder()
            .use_object_streams(true)
            .use_xref_streams(true)
            .compression_level(LEVEL)
            .build();
        self.doc
            .save_with_options(&mut bytes, options)
            .map_err(|e| LedgerError::Pdf { why: e.to_string() })?;
        Ok(bytes)
    }
}

/// Starts a document, or says which character no font has: `locate` names where it stands
/// in the text (row and column), or, when it is one the layout adds, the page numbers.
pub(crate) fn start(
    fonts: &mut Fonts,
    chars: &CharSet,
    title: &str,
    created_unix: i64,
    size: (f32, f32),
    locate: impl FnOnce(&mut Fonts) -> Result<(), LedgerError>,
) -> Result<(PdfBuilder, Glyphs), LedgerError> {
    match PdfBuilder::new(fonts, chars, title, created_unix, size) {
        Ok(started) => Ok(started),
        Err(BuildError::Missing(ch)) => {
            locate(fonts)?;
            Err(LedgerError::MissingGlyph {
                ch,
                code: ch as u32,
                place: "page numbers and shortened cells".into(),
                fonts: fonts.names(),
            })
        }
        Err(BuildError::Font(why)) => Err(LedgerError::Font {
            path: fonts.names(),
            why,
        }),
    }
}

/// Why a document could not be started.
enum BuildError {
    /// A character no font has.
    Missing(char),
    Font(String),
}

fn deflate(raw: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(
        Vec::with_capacity(raw.len() / 3),
        flate2::Compression::new(LEVEL),
    );
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(raw);
    encoder.finish().unwrap_or_default()
}

/// The code printpdf wrote for each glyph of the glyph page, per face: the strings shown after
/// each face's `Tf`, two bytes a glyph, in the order the glyphs were given.
fn codes_shown(
    content: &[u8],
    used: &[BTreeMap<u16, char>],
) -> Result<Vec<BTreeMap<u16, u16>>, String> {
    let content = lopdf::content::Content::decode(content).map_err(|e| e.to_string())?;
    let mut shown: Vec<Vec<u8>> = vec![Vec::new(); used.len()];
    let mut face = None;
    for operation in content.operations {
        match operation.operator.as_str() {
            "Tf" => {
                let name = operation
                    .operands
                    .first()
                    .and_then(|n| n.as_name().ok())
                    .unwrap_or_default();
                face = (0..used.len()).find(|f| font_name(*f).as_bytes() == name);
            }
            "Tj" | "TJ" => {
                let Some(face) = face else {
                    return Err("text shown before a font was set".into());
                };
                let strings = match operation.operands.first() {
                    Some(Object::Array(items)) => items.clone(),
                    Some(other) => vec![other.clone()],
                    None => Vec::new(),
                };
                for item in strings {
                    if let Object::String(bytes, _) = item {
                        shown[face].extend_from_slice(&bytes);
                    }
                }
            }
            _ => {}
        }
    }
    used.iter()
        .zip(shown)
        .enumerate()
        .map(|(face, (glyphs, bytes))| {
            if bytes.len() != glyphs.len() * 2 {
                return Err(format!(
                    "face {face}: {} glyphs given, {} bytes of codes written",
                    glyphs.len(),
                    bytes.len()
                ));
            }
            let codes: BTreeMap<u16, u16> = glyphs
                .keys()
                .zip(bytes.chunks(2))
                .map(|(gid, code)| (*gid, u16::from_be_bytes([code[0], code[1]])))
                .collect();
            // printpdf writes code 0 (the empty box) for a glyph its subset lost; two glyphs
            // with one code would draw one of them as the other. Either is refused here
            // rather than printed.
            let mut seen = std::collections::BTreeSet::new();
            for (gid, code) in &codes {
                if (*code == 0 && *gid != 0) || !seen.insert(*code) {
                    return Err(format!(
                        "face {face}: glyph {gid} ({:?}) was given code {code}",
                        glyphs.get(gid)
                    ));
                }
            }
            Ok(codes)
        })
        .collect()
}
