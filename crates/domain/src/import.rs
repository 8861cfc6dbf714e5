//! Reading registers that offices export from Excel, once they are a grid of cells.
//!
//! Decoding the file (CSV in UTF-8 or CP932, XLSX) happens in the api; this module turns the
//! grid into rows, or into the first error naming the row and the column as the spreadsheet
//! shows them (row 1 is the first line of the file, column A the first column).

use crate::record::{AssetKind, Classification};
use crate::rules::{self, MAX_TEXT_CHARS, Refusal};
use chrono::NaiveDate;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// 1-based, as the spreadsheet numbers rows.
    pub row: usize,
    /// The header as written in the file, and its column letter.
    pub column: Option<(String, String)>,
    pub refusal: Refusal,
}

impl ImportError {
    pub fn message(&self, lang: rules::Lang) -> String {
        let what = self.refusal.message(lang);
        match (&self.column, lang) {
            (Some((header, letter)), rules::Lang::En) => {
                format!("row {}, column {header} ({letter}): {what}", self.row)
            }
            (Some((header, letter)), rules::Lang::Ja) => {
                format!("{}行目、{header}列（{letter}）: {what}", self.row)
            }
            (None, rules::Lang::En) => format!("row {}: {what}", self.row),
            (None, rules::Lang::Ja) => format!("{}行目: {what}", self.row),
        }
    }
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(rules::Lang::En))
    }
}

impl std::error::Error for ImportError {}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetRow {
    pub row: usize,
    pub tag: String,
    pub kind: AssetKind,
    pub name: String,
    pub model: Option<String>,
    pub serial: Option<String>,
    /// An organisation's name; absent or 自社/own means our own company.
    pub owner: Option<String>,
    pub classification: Classification,
    pub encrypted: bool,
    pub custodian: Option<String>,
    pub issued: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
    pub place: Option<String>,
    /// The customer site the item is lent for, by name.
    pub site: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    pub row: usize,
    pub name: String,
    pub kana: Option<String>,
    pub organisation: Option<String>,
    pub email: Option<String>,
    pub employee_number: Option<String>,
}

/// Column names, Japanese and English, as offices write them.
const ASSET_COLUMNS: &[(&str, &[&str])] = &[
    ("tag", &["管理番号", "tag", "資産番号", "管理no"]),
    ("kind", &["種別", "kind", "種類"]),
    ("name", &["品名", "name", "名称"]),
    ("model", &["型番", "model", "機種"]),
    (
        "serial",
        &["シリアル番号", "serial", "製造番号", "シリアル"],
    ),
    ("owner", &["所有", "owner", "所有者", "貸与元"]),
    ("classification", &["分類", "classification", "情報分類"]),
    ("encrypted", &["暗号化", "encrypted"]),
    ("custodian", &["貸与先", "custodian", "利用者", "使用者"]),
    ("issued", &["貸与日", "issued"]),
    ("due", &["返却予定日", "due"]),
    ("place", &["保管場所", "place", "定位置"]),
    ("site", &["現場", "site", "常駐先"]),
    ("note", &["備考", "note"]),
];

const PERSON_COLUMNS: &[(&str, &[&str])] = &[
    ("name", &["氏名", "name", "名前"]),
    ("kana", &["かな", "kana", "フリガナ", "ふりがな", "カナ"]),
    (
        "organisation",
        &["所属", "organisation", "organization", "会社", "組織"],
    ),
    ("email", &["メールアドレス", "email", "e-mail", "メール"]),
    (
        "employee_number",
        &[
            "社員番号",
            "employee_number",
            "employee number",
            "従業員番号",
        ],
    ),
];

/// Folds what Excel users type interchangeably: full-width ASCII (ＰＣ), the ideographic space,
/// and English case. Japanese text is otherwise kept exactly as typed.
pub fn fold(text: &str) -> String {
    text.trim()
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect::<String>()
        .trim()
        .to_lowercase()
}

pub fn parse_kind(value: &str) -> Option<AssetKind> {
    let folded = fold(value);
    Some(match folded.as_str() {
        "ノートpc" | "pc" | "パソコン" | "ノートパソコン" | "デスクトップpc" => {
            AssetKind::Pc
        }
        "携帯電話" | "スマートフォン" | "スマホ" | "phone" | "携帯" => {
            AssetKind::Phone
        }
        "入館証" | "entry_badge" | "entry badge" | "入館カード" => AssetKind::EntryBadge,
        "社員証" | "id_card" | "id card" => AssetKind::IdCard,
        "usbメモリ" | "usb_media" | "usb" => AssetKind::UsbMedia,
        "外付けhdd" | "外付けssd" | "external_disk" | "外付けディスク" => {
            AssetKind::ExternalDisk
        }
        "光学メディア" | "optical_media" | "cd" | "dvd" => AssetKind::OpticalMedia,
        "その他" | "other" => AssetKind::Other,
        _ => return None,
    })
}

pub fn parse_classification(value: &str) -> Option<Classification> {
    Some(match fold(value).as_str() {
        "公開" | "public" => Classification::Public,
        "社内" | "社内限り" | "internal" => Classification::Internal,
        "社外秘" | "confidential" | "機密" => Classification::Confidential,
        "個人情報" | "personal_data" | "personal data" => Classification::PersonalData,
        _ => return None,
    })
}

pub fn parse_yes_no(value: &str) -> Option<bool> {
    match fold(value).as_str() {
        "有" | "あり" | "yes" | "y" | "true" | "1" | "○" | "〇" | "済" => Some(true),
        "無" | "なし" | "no" | "n" | "false" | "0" | "×" | "-" => Some(false),
        _ => None,
    }
}

/// `2026/4/1`, `2026/04/01`, `2026-04-01`, `2026.4.1` and `2026年4月1日`, in the years 1900
/// to 9999 (see [`crate::time::check_day`]): `0000/01/01` is an export error, not a date.
pub fn parse_date(value: &str) -> Option<NaiveDate> {
    let folded = fold(value);
    let unified: String = folded
        .trim_end_matches('日')
        .chars()
        .map(|c| {
            if matches!(c, '/' | '.' | '年' | '月') {
                '-'
            } else {
                c
            }
        })
        .collect();
    let mut parts = unified.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || y.len() != 4
        || m.is_empty()
        || m.len() > 2
        || d.is_empty()
        || d.len() > 2
    {
        return None;
    }
    let day = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
    crate::time::check_day(day).ok()
}

/// Column letters as the spreadsheet shows them: A … Z, AA …
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push((b'A' + rem as u8) as char);
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

struct Header {
    /// 0-based index of the header row in the grid.
    row: usize,
    /// field -> (column index, header as written)
    columns: Vec<(&'static str, usize, String)>,
}

impl Header {
    fn column(&self, field: &str) -> Option<&(&'static str, usize, String)> {
        self.columns.iter().find(|(name, _, _)| *name == field)
    }
}

/// The header is the first of the first ten rows in which two or more cells are known column
/// names: registers often carry a title line above it.
fn find_header(
    grid: &[Vec<String>],
    known: &[(&'static str, &[&str])],
    required: &[&'static str],
) -> Result<Header, ImportError> {
    for (row_index, row) in grid.iter().take(10).enumerate() {
        let mut columns: Vec<(&'static str, usize, String)> = Vec::new();
        for (column, cell) in row.iter().enumerate() {
            let folded = fold(cell);
            if let Some((field, _)) = known
                .iter()
                .find(|(_, names)| names.iter().any(|name| fold(name) == folded))
            {
                if columns.iter().any(|(seen, _, _)| seen == field) {
                    return Err(ImportError {
                        row: row_index + 1,
                        column: Some((cell.trim().to_string(), column_letter(column))),
                        refusal: Refusal::Duplicate {
                            field: "column",
                            value: cell.trim().to_string(),
                        },
                    });
                }
                columns.push((field, column, cell.trim().to_string()));
            }
        }
        if columns.len() >= 2 {
            let header = Header {
                row: row_index,
                columns,
            };
            for field in required {
                if header.column(field).is_none() {
                    return Err(ImportError {
                        row: row_index + 1,
                        column: None,
                        refusal: Refusal::Required {
                            field: column_name(field),
                        },
                    });
                }
            }
            return Ok(header);
        }
    }
    Err(ImportError {
        row: 1,
        column: None,
        refusal: Refusal::InvalidValue {
            field: "header",
            value: grid.first().map(|row| row.join(",")).unwrap_or_default(),
            expected: "a header row with columns such as 管理番号/tag, 種別/kind, 品名/name".into(),
        },
    })
}

/// Required-column refusals name the column in both languages ("管理番号/tag column").
fn column_name(field: &str) -> &'static str {
    match field {
        "tag" => "管理番号/tag column",
        "kind" => "種別/kind column",
        "name" => "品名/name (氏名) column",
        _ => "column",
    }
}

struct Cells<'a> {
    header: &'a Header,
    row: &'a [String],
    row_number: usize,
}

impl Cells<'_> {
    fn raw(&self, field: &str) -> Option<&str> {
        let (_, index, _) = self.header.column(field)?;
        self.row
            .get(*index)
            .map(String::as_str)
            .filter(|cell| !cell.trim().is_empty())
    }

    fn error(&self, field: &str, refusal: Refusal) -> ImportError {
        let column = self
            .header
            .column(field)
            .map(|(_, index, written)| (written.clone(), column_letter(*index)));
        ImportError {
            row: self.row_number,
            column,
            refusal,
        }
    }

    fn text(&self, field: &'static str) -> Result<Option<String>, ImportError> {
        rules::optional_text(field, self.raw(field), MAX_TEXT_CHARS)
            .map_err(|refusal| self.error(field, refusal))
    }

    fn required(&self, field: &'static str) -> Result<String, ImportError> {
        self.text(field)?
            .ok_or_else(|| self.error(field, Refusal::Required { field }))
    }

    fn parsed<T>(
        &self,
        field: &'static str,
        parse: impl Fn(&str) -> Option<T>,
        expected: &str,
    ) -> Result<Option<T>, ImportError> {
        match self.raw(field) {
            None => Ok(None),
            Some(value) => parse(value).map(Some).ok_or_else(|| {
                self.error(
                    field,
                    Refusal::InvalidValue {
                        field,
                        value: value.trim().to_string(),
                        expected: expected.to_string(),
                    },
                )
            }),
        }
    }
}

fn data_rows<'a>(grid: &'a [Vec<String>], header: &'a Header) -> impl Iterator<Item = Cells<'a>> {
    grid.iter()
        .enumerate()
        .skip(header.row + 1)
        .filter(|(_, row)| row.iter().any(|cell| !cell.trim().is_empty()))
        .map(move |(index, row)| Cells {
            header,
            row,
            row_number: index + 1,
        })
}

const KINDS: &str = "ノートPC/PC, 携帯電話/スマートフォン/phone, 入館証/entry_badge, 社員証/id_card, USBメモリ/usb_media, 外付けHDD/external_disk, 光学メディア/optical_media, その他/other";
const CLASSIFICATIONS: &str =
    "公開/public, 社内/internal, 社外秘/confidential, 個人情報/personal_data";
const DATES: &str = "a date from 1900 to 9999, like 2026/4/1 or 2026-04-01";

/// The header cell of an asset-register field as written in the file, and its column letter:
/// for errors found later, against the store.
pub fn asset_header(grid: &[Vec<String>], field: &str) -> Option<(String, String)> {
    let header = find_header(grid, ASSET_COLUMNS, &[]).ok()?;
    header
        .column(field)
        .map(|(_, index, written)| (written.clone(), column_letter(*index)))
}

/// A people file's column as written, for errors found against the store.
pub fn person_header(grid: &[Vec<String>], field: &str) -> Option<(String, String)> {
    let header = find_header(grid, PERSON_COLUMNS, &[]).ok()?;
    header
        .column(field)
        .map(|(_, index, written)| (written.clone(), column_letter(*index)))
}

pub fn parse_assets(grid: &[Vec<String>]) -> Result<Vec<AssetRow>, ImportError> {
    let header = find_header(grid, ASSET_COLUMNS, &["tag", "kind", "name"])?;
    let mut rows: Vec<AssetRow> = Vec::new();
    let mut seen_tags = std::collections::HashMap::new();
    for cells in data_rows(grid, &header) {
        let tag_text = cells.raw("tag").unwrap_or("");
        let tag = rules::tag(tag_text).map_err(|refusal| cells.error("tag", refusal))?;
        if let Some(first) = seen_tags.insert(tag.clone(), cells.row_number) {
            return Err(cells.error(
                "tag",
                Refusal::InvalidValue {
                    field: "tag",
                    value: tag,
                    expected: format!("a tag not used already in row {first}"),
                },
            ));
        }
        let kind = cells
            .parsed("kind", parse_kind, KINDS)?
            .ok_or_else(|| cells.error("kind", Refusal::Required { field: "kind" }))?;
        let custodian = cells.text("custodian")?;
        let issued = cells.parsed("issued", parse_date, DATES)?;
        let due = cells.parsed("due", parse_date, DATES)?;
        let site = cells.text("site")?;
        if custodian.is_none() && (issued.is_some() || due.is_some() || site.is_some()) {
            return Err(cells.error("custodian", Refusal::Required { field: "custodian" }));
        }
        if let (Some(issued), Some(due)) = (issued, due)
            && due < issued
        {
            return Err(cells.error("due", Refusal::DueBeforeIssue { due, issued }));
        }
        rows.push(AssetRow {
            row: cells.row_number,
            tag,
            kind,
            name: cells.required("name")?,
            model: cells.text("model")?,
            serial: cells.text("serial")?,
            owner: cells.text("owner")?,
            classification: cells
                .parsed("classification", parse_classification, CLASSIFICATIONS)?
                .unwrap_or(Classification::Internal),
            encrypted: cells
                .parsed("encrypted", parse_yes_no, "有/yes or 無/no")?
                .unwrap_or(false),
            custodian,
            issued,
            due,
            place: cells.text("place")?,
            site,
            note: cells.text("note")?,
        });
    }
    Ok(rows)
}

pub fn parse_people(grid: &[Vec<String>]) -> Result<Vec<PersonRow>, ImportError> {
    let header = find_header(grid, PERSON_COLUMNS, &["name"]).or_else(|first| {
        // A people register may have just one known column (氏名); accept it alone too.
        single_column_header(grid, PERSON_COLUMNS).ok_or(first)
    })?;
    let mut rows = Vec::new();
    for cells in data_rows(grid, &header) {
        rows.push(PersonRow {
            row: cells.row_number,
            name: cells.required("name")?,
            kana: cells.text("kana")?,
            organisation: cells.text("organisation")?,
            email: cells.text("email")?,
            employee_number: cells.text("employee_number")?,
        });
    }
    Ok(rows)
}

fn single_column_header(grid: &[Vec<String>], known: &[(&'static str, &[&str])]) -> Option<Header> {
    let first = grid.first()?;
    let (column, cell) = first
        .iter()
        .enumerate()
        .find(|(_, cell)| known[0].1.iter().any(|name| fold(name) == fold(cell)))?;
    Some(Header {
        row: 0,
        columns: vec![(known[0].0, column, cell.trim().to_string())],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    fn grid(lines: &[&[&str]]) -> Vec<Vec<String>> {
        lines
            .iter()
            .map(|row| row.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    #[test]
    fn japanese_headers_in_any_order_below_a_title_line() {
        let rows = parse_assets(&grid(&[
            &["貸与物管理台帳", "", ""],
            &["品名", "管理番号", "種別", "貸与先", "貸与日", "暗号化"],
            &[
                "ThinkPad X1",
                "PC-0001",
                "ノートPC",
                "髙橋 一郎",
                "2026/4/1",
                "有",
            ],
            &["", "", "", "", "", ""],
            &["入館証A", "BD-0001", "入館証", "", "", ""],
        ]))
        .unwrap();
        assert_eq!(rows.len(), 2, "the empty line is skipped");
        assert_eq!(
            rows[0].row, 3,
            "rows are numbered as the spreadsheet shows them"
        );
        assert_eq!(rows[0].kind, AssetKind::Pc);
        assert_eq!(rows[0].custodian.as_deref(), Some("髙橋 一郎"));
        assert_eq!(rows[0].issued, NaiveDate::from_ymd_opt(2026, 4, 1));
        assert!(rows[0].encrypted);
        assert_eq!(rows[1].kind, AssetKind::EntryBadge);
        assert_eq!(
            rows[1].classification,
            Classification::Internal,
            "the default"
        );
    }

    #[test]
    fn a_bad_kind_names_row_and_column() {
        let err = parse_assets(&grid(&[
            &["tag", "name", "kind"],
            &["PC-1", "a", "pc"],
            &["PC-2", "b", "laptop"],
        ]))
        .unwrap_err();
        assert_eq!(err.row, 3);
        assert_eq!(err.column, Some(("kind".into(), "C".into())));
        let message = err.message(rules::Lang::En);
        assert!(message.starts_with("row 3, column kind (C):"), "{message}");
        assert!(message.contains("'laptop' is not valid"), "{message}");
        assert!(
            err.message(rules::Lang::Ja)
                .starts_with("3行目、kind列（C）")
        );
    }

    #[test]
    fn a_repeated_tag_names_the_first_row() {
        let err = parse_assets(&grid(&[
            &["管理番号", "種別", "品名"],
            &["A", "PC", "x"],
            &["A", "PC", "y"],
        ]))
        .unwrap_err();
        assert_eq!(err.row, 3);
        assert!(err.to_string().contains("row 2"), "{err}");
    }

    #[test]
    fn a_missing_required_column_is_named() {
        let err = parse_assets(&grid(&[&["管理番号", "品名"], &["A", "x"]])).unwrap_err();
        assert!(err.to_string().contains("種別/kind"), "{err}");
    }

    #[rstest]
    #[case("ノートPC", AssetKind::Pc)]
    #[case("ＰＣ", AssetKind::Pc)]
    #[case("pc", AssetKind::Pc)]
    #[case("スマートフォン", AssetKind::Phone)]
    #[case("携帯電話", AssetKind::Phone)]
    #[case("ＵＳＢメモリ", AssetKind::UsbMedia)]
    #[case("外付けHDD", AssetKind::ExternalDisk)]
    #[case("光学メディア", AssetKind::OpticalMedia)]
    #[case("その他", AssetKind::Other)]
    fn kinds_in_either_language(#[case] text: &str, #[case] kind: AssetKind) {
        assert_eq!(parse_kind(text), Some(kind));
    }

    #[rstest]
    #[case("2026/4/1")]
    #[case("2026/04/01")]
    #[case("2026-04-01")]
    #[case("２０２６／４／１")]
    #[case("2026年4月1日")]
    fn dates_as_offices_write_them(#[case] text: &str) {
        assert_eq!(parse_date(text), NaiveDate::from_ymd_opt(2026, 4, 1));
    }

    #[rstest]
    #[case("2026/2/30")]
    #[case("26/4/1")]
    #[case("2026/4")]
    #[case("2026/4/1/2")]
    #[case::year_zero("0000/01/01")]
    #[case::before_1900("1899/12/31")]
    #[case::year_zero_dashed("0000-01-01")]
    fn impossible_dates_are_refused(#[case] text: &str) {
        assert_eq!(parse_date(text), None);
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
    }

    proptest! {
        #[test]
        fn any_cells_give_rows_or_an_error_never_a_panic(
            cells in proptest::collection::vec(proptest::collection::vec(".{0,12}", 0..6), 0..8)
        ) {
            let _ = parse_assets(&cells);
            let _ = parse_people(&cells);
        }

        #[test]
        fn every_valid_date_parses_in_all_three_spellings(y in 1990i32..2100, m in 1u32..13, d in 1u32..29) {
            let expected = NaiveDate::from_ymd_opt(y, m, d);
            prop_assert_eq!(parse_date(&format!("{y}/{m}/{d}")), expected);
            prop_assert_eq!(parse_date(&format!("{y}/{m:02}/{d:02}")), expected);
            prop_assert_eq!(parse_date(&format!("{y}-{m:02}-{d:02}")), expected);
        }

        #[test]
        fn a_bad_cell_anywhere_is_reported_at_its_row(bad_row in 0usize..20, rows in 20usize..40) {
            let mut lines = vec![vec!["管理番号".to_string(), "種別".into(), "品名".into()]];
            for i in 0..rows {
                let kind = if i == bad_row { "??" } else { "PC" };
                lines.push(vec![format!("PC-{i}"), kind.into(), "x".into()]);
            }
            let err = parse_assets(&lines).unwrap_err();
            prop_assert_eq!(err.row, bad_row + 2);
            prop_assert_eq!(err.column.map(|c| c.1), Some("B".to_string()));
        }
    }
}
