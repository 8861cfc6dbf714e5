//! Importing registers exported from Excel: `.xlsx`, or `.csv` in UTF-8 (with or without BOM),
//! CP932 (Windows Shift_JIS, with its extensions ①, ㈱, 髙) or UTF-16 ("Unicode text").
//!
//! The whole file is one transaction: one bad cell rejects it, naming the row and column, and
//! nothing is written. A dry run does every check, including against the store, then rolls back.

use crate::custody::issue_in;
use crate::register::{
    NewAsset, NewPerson, PersonRef, asset_event, means_own_organisation, person_event,
    resolve_organisation,
};
use crate::{Desk, Failure, Result, Session};
use azukari_domain::import::{self, ImportError, parse_assets, parse_people};
use azukari_domain::rules::{self, Refusal};
use azukari_domain::time::start_of_day;
use azukari_domain::*;
use azukari_store::{IdTable, Writer};
use serde::Serialize;
use std::io::Cursor;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Assets,
    People,
}

/// How to import: for real or as a preview, and what to do with organisations the register
/// does not know yet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[ts(export)]
pub struct ImportOptions {
    /// Every check, against the store too, then nothing written: the preview.
    #[serde(default)]
    pub dry_run: bool,
    /// Adds every organisation the file names that the register lacks, in the same
    /// transaction: an asset's owner as a customer (who lent it), a person's organisation as
    /// a partner (whose staff they are). Without it the import lists them all and stops.
    #[serde(default)]
    pub add_organisations: bool,
}

impl ImportOptions {
    pub fn preview() -> ImportOptions {
        ImportOptions {
            dry_run: true,
            ..Default::default()
        }
    }
}

/// The most rows of each kind a summary lists; the counts are always whole.
pub const PREVIEW_ROWS: usize = 1000;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[ts(export)]
pub struct ImportSummary {
    pub rows: u32,
    pub assets_added: u32,
    pub people_added: u32,
    pub loans_issued: u32,
    #[serde(default)]
    pub organisations_added: u32,
    pub dry_run: bool,
    /// What was (or, in a preview, would be) added, row by row: the first [`PREVIEW_ROWS`].
    #[serde(default)]
    pub assets: Vec<ImportedAsset>,
    #[serde(default)]
    pub people: Vec<ImportedPerson>,
    /// The organisations added, by name, with their kind.
    #[serde(default)]
    pub organisations: Vec<ImportedOrganisation>,
}

/// An asset row as it enters the register, with the loan it gets when it names a custodian.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[ts(export)]
pub struct ImportedAsset {
    /// The file's row, as the spreadsheet numbers it.
    pub row: u32,
    pub tag: String,
    pub kind: AssetKind,
    pub name: String,
    pub serial: Option<String>,
    /// The owner as the register names it.
    pub owner: String,
    pub custodian: Option<String>,
    #[ts(type = "string | null")]
    pub issued: Option<chrono::NaiveDate>,
    #[ts(type = "string | null")]
    pub due: Option<chrono::NaiveDate>,
    pub place: Option<String>,
}

/// A person added: from a people file, or a custodian the register did not know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[ts(export)]
pub struct ImportedPerson {
    pub row: u32,
    pub name: String,
    pub kana: Option<String>,
    pub organisation: String,
    pub employee_number: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[ts(export)]
pub struct ImportedOrganisation {
    pub name: String,
    pub kind: OrganisationKind,
}

fn listed<T>(list: &mut Vec<T>, item: impl FnOnce() -> T) {
    if list.len() < PREVIEW_ROWS {
        list.push(item());
    }
}

/// Turns a file's bytes into a grid of cells, whatever Excel saved it as.
pub fn read_grid(file_name: &str, bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    let lower = file_name.to_lowercase();
    if lower.ends_with(".xls") || lower.ends_with(".ods") || bytes.starts_with(b"\xD0\xCF\x11\xE0")
    {
        return Err(Failure::UnreadableFile(
            "old Excel (.xls) and OpenDocument (.ods) files are not read: save the register as .xlsx or as CSV".into(),
        ));
    }
    if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") || bytes.starts_with(b"PK\x03\x04") {
        return read_workbook(bytes);
    }
    let text = decode_text(bytes)?;
    // Excel's "Unicode text" is tab-separated; a title line above the header has neither.
    let head: String = text.lines().take(10).collect();
    let delimiter = if head.matches('\t').count() > head.matches(',').count() {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut grid = Vec::new();
    let mut cells = 0usize;
    for record in reader.records() {
        let record = record.map_err(|err| {
            let row = err.position().map(|p| p.line()).unwrap_or(0);
            Failure::UnreadableFile(format!("row {row}: {err}"))
        })?;
        // Records on lines skipped as blank by csv keep their place, so row numbers match.
        let line = record
            .position()
            .map(|p| p.line() as usize)
            .unwrap_or(grid.len() + 1);
        while grid.len() + 1 < line {
            grid.push(Vec::new());
        }
        // A file of nothing but commas holds millions of empty cells in a few megabytes.
        cells += record.len();
        if cells > MAX_SHEET_CELLS {
            return Err(too_many_cells());
        }
        grid.push(record.iter().map(str::to_string).collect());
    }
    Ok(grid)
}

/// UTF-8 (BOM or not), UTF-16 with BOM, else CP932. A file that is none of these is refused,
/// naming the first row that does not decode.
pub fn decode_text(bytes: &[u8]) -> Result<String> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(str::to_string)
            .map_err(|err| bad_bytes(rest, err.valid_up_to(), "UTF-8"));
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let (text, _, malformed) = encoding_rs::UTF_16LE.decode(bytes);
        if malformed {
            return Err(Failure::UnreadableFile(
                "the file is not valid UTF-16".into(),
            ));
        }
        return Ok(text.into_owned());
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    // WHATWG's Shift_JIS is Windows-31J (CP932), NEC and IBM extensions included.
    match encoding_rs::SHIFT_JIS.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => Ok(text.into_owned()),
        None => {
            let (lossy, _) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(bytes);
            let row = lossy
                .lines()
                .position(|line| line.contains('\u{FFFD}'))
                .map(|i| i + 1)
                .unwrap_or(1);
            Err(Failure::UnreadableFile(format!(
                "row {row} is neither UTF-8 nor Shift_JIS (CP932); save the file as CSV UTF-8 or CSV (Shift_JIS)"
            )))
        }
    }
}

fn bad_bytes(bytes: &[u8], valid_up_to: usize, encoding: &str) -> Failure {
    let row = bytes[..valid_up_to].iter().filter(|b| **b == b'\n').count() + 1;
    Failure::UnreadableFile(format!("row {row} is not valid {encoding}"))
}

/// The most a register sheet may use. DESIGN's scale is 100,000 assets; a cell beyond these
/// is a stray mark far out on the sheet, and building a grid out to it would take gigabytes.
pub const MAX_SHEET_ROWS: u32 = 200_000;
pub const MAX_SHEET_COLUMNS: u32 = 100;
/// Cells with a value, over the whole sheet: about 100,000 rows of 40 columns.
pub const MAX_SHEET_CELLS: usize = 4_000_000;
/// The text of all cells together. One shared string repeated in every cell would otherwise be
/// copied millions of times.
pub const MAX_SHEET_TEXT_BYTES: usize = 128 * 1024 * 1024;
/// What an XLSX may unpack to. Deflate packs XML up to a thousandfold, so a file under the size
/// limit could unpack to gigabytes before a single cell is read; a 100,000-row register
/// unpacks to about 50 MB. The zip reader holds each part to the size the archive declares, so
/// checking the declared sizes bounds what is unpacked.
pub const MAX_UNPACKED_BYTES: u64 = 512 * 1024 * 1024;

fn check_unpacked_size(bytes: &[u8]) -> Result<()> {
    let unreadable = |err: zip::result::ZipError| {
        Failure::UnreadableFile(format!("not an Excel workbook (.xlsx): {err}"))
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    let unpacked = match archive.decompressed_size() {
        Some(total) => total,
        // Parts written with data descriptors: their sizes are in the central directory.
        None => {
            let mut total = 0u128;
            for i in 0..archive.len() {
                total += u128::from(archive.by_index_raw(i).map_err(unreadable)?.size());
            }
            total
        }
    };
    if unpacked > u128::from(MAX_UNPACKED_BYTES) {
        return Err(Failure::UnreadableFile(format!(
            "the workbook unpacks to {} MB, more than a register needs ({} MB at most)",
            unpacked / (1024 * 1024),
            MAX_UNPACKED_BYTES / (1024 * 1024)
        )));
    }
    Ok(())
}

/// Reads the first sheet of an `.xlsx` cell by cell, keeping spreadsheet row and column
/// numbers. Only cells with a value take memory, and a cell past the limits above stops the
/// read at once, naming where it is, before any grid is built.
fn read_workbook(bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    use calamine::{DataRef, DataType, Reader, Xlsx};
    let unreadable = |err: calamine::XlsxError| {
        Failure::UnreadableFile(format!(
            "not an Excel workbook (.xlsx) Azukari can read: {err}; save it as .xlsx or as CSV"
        ))
    };
    check_unpacked_size(bytes)?;
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let first = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| Failure::UnreadableFile("the workbook has no sheet".into()))?;
    let mut reader = workbook
        .worksheet_cells_reader(&first)
        .map_err(unreadable)?;
    let mut cells: Vec<(u32, u32, String)> = Vec::new();
    let mut text_bytes = 0usize;
    while let Some(cell) = reader.next_cell().map_err(unreadable)? {
        let value = cell.get_value();
        let text = match value {
            DataRef::Empty => continue,
            DataRef::String(text) => text.clone(),
            DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => {
                text.chars().take(10).collect()
            }
            DataRef::SharedString(text) => text.to_string(),
            DataRef::Int(i) => i.to_string(),
            // Serial numbers typed as numbers arrive as floats; 12345.0 is "12345".
            DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            DataRef::Float(f) => f.to_string(),
            DataRef::Bool(b) => if *b { "yes" } else { "no" }.into(),
            DataRef::DateTime(_) => value
                .as_datetime()
                .map(|d| d.date().to_string())
                .unwrap_or_default(),
            DataRef::Error(err) => format!("#{err:?}"),
        };
        if text.is_empty() {
            continue;
        }
        let (row, column) = cell.get_position();
        if row >= MAX_SHEET_ROWS || column >= MAX_SHEET_COLUMNS {
            return Err(Failure::UnreadableFile(format!(
                "the sheet has a value in cell {}{}, beyond what a register uses ({MAX_SHEET_ROWS} rows, {MAX_SHEET_COLUMNS} columns): delete what stands there, or everything outside the register, and save again",
                import::column_letter(column as usize),
                row as u64 + 1
            )));
        }
        text_bytes += text.len();
        if cells.len() == MAX_SHEET_CELLS || text_bytes > MAX_SHEET_TEXT_BYTES {
            return Err(too_many_cells());
        }
        cells.push((row, column, text));
    }
    let mut grid: Vec<Vec<String>> = Vec::new();
    for (row, column, text) in cells {
        let (row, column) = (row as usize, column as usize);
        if grid.len() <= row {
            grid.resize(row + 1, Vec::new());
        }
        let cells = &mut grid[row];
        if cells.len() <= column {
            cells.resize(column + 1, String::new());
        }
        cells[column] = text;
    }
    Ok(grid)
}

fn too_many_cells() -> Failure {
    Failure::UnreadableFile(format!(
        "the sheet has more than {MAX_SHEET_CELLS} cells or {} MB of text; a register has far fewer",
        MAX_SHEET_TEXT_BYTES / (1024 * 1024)
    ))
}

/// A refusal found against the store for a row, named by its row and the column it is about.
fn at_row(row: usize, column: Option<(String, String)>, failure: Failure) -> Failure {
    match failure {
        Failure::Refused(refusal) => Failure::Import(ImportError {
            row,
            column,
            refusal,
        }),
        other => other,
    }
}

/// The largest file an import reads unless told otherwise: a 100,000-row register is about
/// 15 MB as CSV and 5 MB as XLSX.
pub const DEFAULT_IMPORT_LIMIT_BYTES: u64 = 32 * 1024 * 1024;

/// Why a file over the import limit is not read, in the words every place uses.
pub fn too_large(limit: u64) -> Failure {
    const MB: u64 = 1024 * 1024;
    let limit = if limit.is_multiple_of(MB) {
        format!("{} MB", limit / MB)
    } else {
        format!("{limit} bytes")
    };
    Failure::UnreadableFile(format!(
        "the file is larger than the import limit of {limit}"
    ))
}

/// A register file's name (never its path: that stays on this computer) and bytes; refused
/// by its size before a byte is read, and never read past `limit` even if it grows meanwhile.
pub fn read_file(path: &std::path::Path, limit: u64) -> Result<(String, Vec<u8>)> {
    let cannot_read =
        |err: std::io::Error| Failure::UnreadableFile(format!("{}: {err}", path.display()));
    let size = std::fs::metadata(path).map_err(cannot_read)?.len();
    if size > limit {
        return Err(too_large(limit));
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(std::fs::File::open(path).map_err(cannot_read)?, limit + 1),
        &mut bytes,
    )
    .map_err(cannot_read)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(limit));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok((name, bytes))
}

impl Desk {
    /// Imports a register file: the role is checked first, then the file's size against the
    /// limit, before a byte of it is read.
    pub fn import_file(
        &mut self,
        session: &Session,
        kind: ImportKind,
        path: &std::path::Path,
        options: ImportOptions,
        now: Instant,
    ) -> Result<ImportSummary> {
        self.authorise_read(session, UseCase::ImportRegister)?;
        let (name, bytes) = read_file(path, self.import_limit)?;
        self.import(session, kind, &name, &bytes, options, now)
    }

    /// The largest file [`Desk::import`] takes, in bytes.
    pub fn set_import_limit(&mut self, bytes: u64) {
        self.import_limit = bytes;
    }

    pub fn import(
        &mut self,
        session: &Session,
        kind: ImportKind,
        file_name: &str,
        bytes: &[u8],
        options: ImportOptions,
        now: Instant,
    ) -> Result<ImportSummary> {
        // Who may import is decided before the file is looked at: a hostile file reaches the
        // parsers only in the hands of the security office.
        self.authorise_read(session, UseCase::ImportRegister)?;
        if bytes.len() as u64 > self.import_limit {
            return Err(too_large(self.import_limit));
        }
        let grid = read_grid(file_name, bytes)?;
        let actor = Some(session.account_id);
        let work = |w: &mut Writer<'_>| -> Result<ImportSummary> {
            crate::check_roles(
                w.read().account_standing(session.account_id)?,
                UseCase::ImportRegister,
            )?;
            let mut summary = match kind {
                ImportKind::Assets => import_assets(w, actor, &grid, options, now)?,
                ImportKind::People => import_people(w, actor, &grid, options, now)?,
            };
            summary.dry_run = options.dry_run;
            Ok(summary)
        };
        if options.dry_run {
            self.store.rehearse(work)
        } else {
            self.store.write(work)
        }
    }
}

/// Finds every organisation the rows name that the register lacks (by first row), then adds
/// them all or refuses with the whole list: a file with five new customers takes one run, not
/// five.
/// The column of a file that names organisations, and what a new one there is to us.
struct OrganisationColumn {
    header: Option<(String, String)>,
    kind: OrganisationKind,
}

fn settle_organisations<'r>(
    w: &mut Writer<'_>,
    actor: Option<AccountId>,
    named: impl Iterator<Item = (usize, Option<&'r str>)>,
    OrganisationColumn {
        header: column,
        kind,
    }: OrganisationColumn,
    options: ImportOptions,
    now: Instant,
    summary: &mut ImportSummary,
) -> Result<()> {
    let mut unknown: Vec<(String, usize)> = Vec::new();
    for (row, name) in named {
        let Some(name) = name.map(str::trim).filter(|name| !name.is_empty()) else {
            continue;
        };
        if means_own_organisation(name) || unknown.iter().any(|(seen, _)| seen == name) {
            continue;
        }
        if w.read().organisation_by_name(name)?.is_none() {
            unknown.push((name.to_string(), row));
        }
    }
    let Some(&(_, first_row)) = unknown.first() else {
        return Ok(());
    };
    if !options.add_organisations {
        return Err(Failure::Import(ImportError {
            row: first_row,
            column,
            refusal: Refusal::UnknownOrganisations { names: unknown },
        }));
    }
    for (name, row) in unknown {
        let name = rules::required_text("organisation", &name, 200)
            .map_err(|refusal| at_row(row, column.clone(), refusal.into()))?;
        let id = OrganisationId(w.next_id(IdTable::Organisations)?);
        let organisation = Organisation {
            id,
            name: name.clone(),
            kind,
        };
        w.apply(&Event::OrganisationAdded { organisation }, actor, now)?;
        summary.organisations_added += 1;
        summary
            .organisations
            .push(ImportedOrganisation { name, kind });
    }
    Ok(())
}

fn import_people(
    w: &mut Writer<'_>,
    actor: Option<AccountId>,
    grid: &[Vec<String>],
    options: ImportOptions,
    now: Instant,
) -> Result<ImportSummary> {
    let rows = parse_people(grid)?;
    let mut summary = ImportSummary {
        rows: rows.len() as u32,
        ..Default::default()
    };
    settle_organisations(
        w,
        actor,
        rows.iter()
            .map(|row| (row.row, row.organisation.as_deref())),
        OrganisationColumn {
            header: import::person_header(grid, "organisation"),
            kind: OrganisationKind::Partner,
        },
        options,
        now,
        &mut summary,
    )?;
    // Every organisation a row can name exists now: their names, read once for the summary.
    let organisation_names: std::collections::HashMap<OrganisationId, String> = w
        .read()
        .organisations()?
        .into_iter()
        .map(|organisation| (organisation.id, organisation.name))
        .collect();
    for row in rows {
        let person = NewPerson {
            name: row.name,
            kana: row.kana,
            organisation: row.organisation,
            email: row.email,
            employee_number: row.employee_number,
        };
        let id = PersonId(w.next_id(IdTable::People)?);
        let event = person_event(&w.read(), id, &person).map_err(|f| at_row(row.row, None, f))?;
        w.apply(&event, actor, now)?;
        summary.people_added += 1;
        if let Event::PersonAdded { person: added } = &event {
            listed(&mut summary.people, || ImportedPerson {
                row: row.row as u32,
                name: added.name.clone(),
                kana: added.kana.clone(),
                organisation: organisation_names
                    .get(&added.organisation_id)
                    .cloned()
                    .unwrap_or_default(),
                employee_number: added.employee_number.clone(),
            });
        }
    }
    Ok(summary)
}

fn import_assets(
    w: &mut Writer<'_>,
    actor: Option<AccountId>,
    grid: &[Vec<String>],
    options: ImportOptions,
    now: Instant,
) -> Result<ImportSummary> {
    let rows = parse_assets(grid)?;
    let zone = w.read().time_zone()?;
    let mut summary = ImportSummary {
        rows: rows.len() as u32,
        ..Default::default()
    };
    // Column names as written, for errors found against the store.
    let header_of = |field: &str| import::asset_header(grid, field);
    settle_organisations(
        w,
        actor,
        rows.iter().map(|row| (row.row, row.owner.as_deref())),
        OrganisationColumn {
            header: header_of("owner"),
            kind: OrganisationKind::Customer,
        },
        options,
        now,
        &mut summary,
    )?;
    // A new custodian is added in our own organisation.
    let own = w.read().own_organisation()?.name;
    for row in rows {
        let owner = resolve_organisation(&w.read(), row.owner.as_deref())
            .map_err(|f| at_row(row.row, header_of("owner"), f))?;
        listed(&mut summary.assets, || ImportedAsset {
            row: row.row as u32,
            tag: row.tag.trim().to_string(),
            kind: row.kind,
            name: row.name.clone(),
            serial: row.serial.clone(),
            owner: owner.name.clone(),
            custodian: row.custodian.clone(),
            issued: row.issued,
            due: row.due,
            place: row.place.clone(),
        });
        let asset = NewAsset {
            tag: row.tag.clone(),
            kind: Some(row.kind),
            name: row.name,
            model: row.model,
            serial: row.serial,
            owner: row.owner,
            classification: Some(row.classification),
            encrypted: row.encrypted,
            note: row.note,
        };
        let id = AssetId(w.next_id(IdTable::Assets)?);
        // In the register at least since it was first issued, so as-of ledgers include it.
        let zone_start = row.issued.map(|day| start_of_day(day, zone));
        let registered_at = zone_start.map_or(now, |issued| issued.min(now));
        let event = asset_event(&w.read(), id, &asset, registered_at)
            .map_err(|f| at_row(row.row, header_of("tag"), f))?;
        w.apply(&event, actor, now)?;
        summary.assets_added += 1;
        let Some(custodian) = row.custodian else {
            continue;
        };
        let custodian_at = header_of("custodian");
        let found = w.read().people_named(&custodian)?;
        let person = match found.len() {
            // A new name adds the person, in our own company.
            0 => {
                let id = PersonId(w.next_id(IdTable::People)?);
                let event = person_event(
                    &w.read(),
                    id,
                    &NewPerson {
                        name: custodian.clone(),
                        ..Default::default()
                    },
                )
                .map_err(|f| at_row(row.row, custodian_at.clone(), f))?;
                w.apply(&event, actor, now)?;
                summary.people_added += 1;
                listed(&mut summary.people, || ImportedPerson {
                    row: row.row as u32,
                    name: custodian.clone(),
                    kana: None,
                    organisation: own.clone(),
                    employee_number: None,
                });
                id
            }
            1 => found[0].id,
            count => {
                return Err(at_row(
                    row.row,
                    custodian_at.clone(),
                    Refusal::AmbiguousPerson {
                        name: custodian,
                        count,
                    }
                    .into(),
                ));
            }
        };
        let issued_at = row.issued.map(|day| start_of_day(day, zone)).unwrap_or(now);
        let loan = crate::IssueLoan {
            tag: row.tag,
            to: PersonRef::Id(person),
            due: row.due,
            place: row.place,
            site: row.site,
        };
        issue_in(w, actor, &loan, issued_at, now).map_err(|f| {
            // A loan refused for its site, due date or place names that cell; anything else
            // is about the custodian.
            let field = match &f {
                Failure::Refused(Refusal::NotFound { what: "site", .. }) => Some("site"),
                Failure::Refused(refusal) => refusal.field(),
                _ => None,
            };
            let column = match field {
                Some(field @ ("site" | "due" | "place" | "issued")) => header_of(field),
                _ => custodian_at,
            };
            at_row(row.row, column, f)
        })?;
        summary.loans_issued += 1;
    }
    Ok(summary)
}
