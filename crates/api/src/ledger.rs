//! The custody ledger and asset labels, described for the ledger engine in the user's
//! language. What the ledger says is decided here; how it looks, in crates/ledger.

use crate::{Desk, Result, Session};
use azukari_domain::rules::{Lang, Refusal, status_ja};
use azukari_domain::view::CustodyLine;
use azukari_domain::*;
use azukari_ledger::{Align, Column, Group, Label, Ledger};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LedgerGrouping {
    #[default]
    None,
    Custodian,
    Organisation,
    Site,
    Kind,
}

impl std::str::FromStr for LedgerGrouping {
    type Err = String;
    fn from_str(text: &str) -> std::result::Result<Self, String> {
        Ok(match text {
            "none" => LedgerGrouping::None,
            "custodian" => LedgerGrouping::Custodian,
            "organisation" | "organization" => LedgerGrouping::Organisation,
            "site" => LedgerGrouping::Site,
            "kind" => LedgerGrouping::Kind,
            _ => {
                return Err(format!(
                    "'{text}' is not a grouping: custodian, organisation, site, kind or none"
                ));
            }
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LedgerFormat {
    #[default]
    Pdf,
    Csv,
    Xlsx,
}

impl std::str::FromStr for LedgerFormat {
    type Err = String;
    fn from_str(text: &str) -> std::result::Result<Self, String> {
        match text {
            "pdf" => Ok(LedgerFormat::Pdf),
            "csv" => Ok(LedgerFormat::Csv),
            "xlsx" => Ok(LedgerFormat::Xlsx),
            _ => Err(format!("'{text}' is not a format: pdf, csv or xlsx")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, TS)]
#[ts(export)]
pub struct CustodyLedgerRequest {
    /// The instant the ledger shows; now when absent.
    pub as_of: Option<Instant>,
    pub group_by: LedgerGrouping,
    pub lang: Lang,
}

pub fn kind_word(kind: AssetKind, lang: Lang) -> &'static str {
    match (kind, lang) {
        (AssetKind::Pc, Lang::Ja) => "ノートPC",
        (AssetKind::Phone, Lang::Ja) => "携帯電話",
        (AssetKind::EntryBadge, Lang::Ja) => "入館証",
        (AssetKind::IdCard, Lang::Ja) => "社員証",
        (AssetKind::UsbMedia, Lang::Ja) => "USBメモリ",
        (AssetKind::ExternalDisk, Lang::Ja) => "外付けHDD",
        (AssetKind::OpticalMedia, Lang::Ja) => "光学メディア",
        (AssetKind::Other, Lang::Ja) => "その他",
        (AssetKind::Pc, Lang::En) => "PC",
        (AssetKind::Phone, Lang::En) => "Phone",
        (AssetKind::EntryBadge, Lang::En) => "Entry badge",
        (AssetKind::IdCard, Lang::En) => "ID card",
        (AssetKind::UsbMedia, Lang::En) => "USB media",
        (AssetKind::ExternalDisk, Lang::En) => "External disk",
        (AssetKind::OpticalMedia, Lang::En) => "Optical media",
        (AssetKind::Other, Lang::En) => "Other",
    }
}

fn status_word(status: AssetStatus, lang: Lang) -> &'static str {
    match lang {
        Lang::Ja => status_ja(status),
        Lang::En => match status {
            AssetStatus::Available => "Available",
            AssetStatus::OnLoan => "On loan",
            AssetStatus::CarriedOut => "Carried out",
            AssetStatus::Lost => "Lost",
            AssetStatus::InRepair => "In repair",
            AssetStatus::Retired => "Retired",
        },
    }
}

fn day(at: Instant, zone: Tz, lang: Lang) -> String {
    let date = at.date_in(zone);
    match lang {
        Lang::Ja => date.format("%Y/%m/%d").to_string(),
        Lang::En => date.format("%Y-%m-%d").to_string(),
    }
}

fn due(text: &str, lang: Lang) -> String {
    match lang {
        Lang::Ja => text.replace('-', "/"),
        Lang::En => text.to_string(),
    }
}

fn words(lang: Lang) -> [&'static str; 13] {
    match lang {
        Lang::Ja => [
            "管理番号",
            "種別",
            "品名・型番",
            "シリアル番号",
            "所有",
            "貸与先",
            "所属",
            "現場",
            "貸与日",
            "返却予定日",
            "返却日",
            "保管場所",
            "状態",
        ],
        Lang::En => [
            "Tag",
            "Kind",
            "Name, model",
            "Serial",
            "Owner",
            "Custodian",
            "Organisation",
            "Site",
            "Issued",
            "Due",
            "Returned",
            "Place",
            "Status",
        ],
    }
}

impl Desk {
    /// The custody ledger (貸与物管理台帳) as of an instant, grouped as asked.
    pub fn custody_ledger(
        &self,
        session: &Session,
        request: &CustodyLedgerRequest,
        now: Instant,
    ) -> Result<Ledger> {
        // The custody ledger lists the whole register: only for roles that read everything.
        if self.read_scope(session, UseCase::PrintLedger)? != ReadScope::Everything {
            return Err(Refusal::Forbidden {
                use_case: "print the whole register",
            }
            .into());
        }
        let read = self.store.read();
        let zone = read.time_zone()?;
        let lang = request.lang;
        let as_of = request.as_of.unwrap_or(now);
        let lines = read.custody_lines(as_of)?;
        let organisation = read.own_organisation()?.name;
        let (seq, hash) = read.journal_head()?;
        // Signed where a key is set up (the office server's, a desktop's own): the head
        // this ledger was made from, vouched for by a key the store's writers do not hold.
        let checkpoint = match &self.signer {
            Some(signer) => {
                let head = azukari_domain::journal::Head {
                    seq,
                    hash: hash.clone(),
                };
                let signed = signer.sign(&read, &head, now)?;
                Some(azukari_ledger::CheckpointBlock {
                    caption: match lang {
                        Lang::Ja => "署名付きチェックポイント：印刷した時点の操作記録の先頭を、台帳を作成したサーバー（またはパソコン）の鍵で署名したもの。次の5行を azukari verify --checkpoint で確かめられます".into(),
                        Lang::En => "Signed checkpoint: the journal head when this was printed, signed with the key of the server (or computer) that made it. azukari verify --checkpoint checks the five lines below".into(),
                    },
                    lines: signed.to_text().lines().map(str::to_string).collect(),
                })
            }
            None => None,
        };

        let none_word = match (request.group_by, lang) {
            (LedgerGrouping::Site, Lang::Ja) => "現場なし",
            (LedgerGrouping::Site, Lang::En) => "No site",
            (_, Lang::Ja) => "貸与なし",
            (_, Lang::En) => "Not on loan",
        };
        // Groups in name order, the group of the unheld last; rows in tag order within.
        let mut groups: BTreeMap<(bool, String), Vec<Vec<String>>> = BTreeMap::new();
        for line in &lines {
            let key = match request.group_by {
                LedgerGrouping::None => None,
                LedgerGrouping::Custodian => {
                    line.custodian
                        .as_ref()
                        .map(|c| match &line.custodian_organisation {
                            Some(org) if lang == Lang::Ja => format!("{c}（{org}）"),
                            Some(org) => format!("{c} ({org})"),
                            None => c.clone(),
                        })
                }
                LedgerGrouping::Organisation => line.custodian_organisation.clone(),
                LedgerGrouping::Site => line.site.clone(),
                LedgerGrouping::Kind => Some(kind_word(line.kind, lang).to_string()),
            };
            let key = match (request.group_by, key) {
                (LedgerGrouping::None, _) => (false, String::new()),
                (_, Some(key)) => (false, key),
                (_, None) => (true, none_word.to_string()),
            };
            groups.entry(key).or_default().push(row(line, zone, lang));
        }
        let grouped = request.group_by != LedgerGrouping::None;
        let groups = groups
            .into_iter()
            .map(|((_, heading), rows)| Group {
                heading: grouped.then_some(heading),
                rows,
            })
            .collect();

        let [
            tag,
            kind,
            name,
            serial,
            owner,
            custodian,
            org,
            site,
            issued,
            due_w,
            returned,
            place,
            status,
        ] = words(lang);
        let columns = vec![
            // Kind fits 光学メディア, owner and organisation a company name of eight.
            Column::new(tag, 20.0, Align::Left),
            Column::new(kind, 19.0, Align::Left),
            Column::new(name, 42.0, Align::Left),
            Column::new(serial, 22.0, Align::Left),
            Column::new(owner, 25.0, Align::Left),
            Column::new(custodian, 22.0, Align::Left),
            Column::new(org, 25.0, Align::Left),
            Column::new(site, 20.0, Align::Left),
            Column::new(issued, 17.0, Align::Right),
            Column::new(due_w, 17.0, Align::Right),
            Column::new(returned, 17.0, Align::Right),
            Column::new(place, 22.0, Align::Left),
            Column::new(status, 14.0, Align::Center),
        ];
        let at = as_of.utc().with_timezone(&zone);
        let count = lines.len();
        // The group column is headed with the grouped column's own word.
        let group_label = match request.group_by {
            LedgerGrouping::None => None,
            LedgerGrouping::Custodian => Some(custodian),
            LedgerGrouping::Organisation => Some(org),
            LedgerGrouping::Site => Some(site),
            LedgerGrouping::Kind => Some(kind),
        };
        let (title, as_of_line, by) = match lang {
            Lang::Ja => (
                "貸与物管理台帳",
                format!("基準日時 {}（{zone}）", at.format("%Y/%m/%d %H:%M")),
                match request.group_by {
                    LedgerGrouping::None => format!("全資産・{count}件"),
                    LedgerGrouping::Custodian => format!("貸与先別・{count}件"),
                    LedgerGrouping::Organisation => format!("所属別・{count}件"),
                    LedgerGrouping::Site => format!("現場別・{count}件"),
                    LedgerGrouping::Kind => format!("種別別・{count}件"),
                },
            ),
            Lang::En => (
                "Custody ledger",
                format!("As of {} ({zone})", at.format("%Y-%m-%d %H:%M")),
                match request.group_by {
                    LedgerGrouping::None => format!("All assets, {count}"),
                    LedgerGrouping::Custodian => format!("By custodian, {count} assets"),
                    LedgerGrouping::Organisation => format!("By organisation, {count} assets"),
                    LedgerGrouping::Site => format!("By site, {count} assets"),
                    LedgerGrouping::Kind => format!("By kind, {count} assets"),
                },
            ),
        };
        Ok(Ledger {
            title: title.into(),
            organisation,
            header_lines: vec![as_of_line, by],
            printed_by: match lang {
                Lang::Ja => format!("出力者 {}", session.login),
                Lang::En => format!("Printed by {}", session.login),
            },
            journal_head: match lang {
                Lang::Ja => format!("操作記録 #{seq}:{hash}"),
                Lang::En => format!("Journal #{seq}:{hash}"),
            },
            checkpoint,
            stamps: match lang {
                Lang::Ja => vec!["承認".into(), "確認".into()],
                Lang::En => vec!["Approved".into(), "Checked".into()],
            },
            page_label: match lang {
                Lang::Ja => "{n} / {N} ページ".into(),
                Lang::En => "Page {n} / {N}".into(),
            },
            group_label: group_label.map(str::to_string),
            columns,
            groups,
            created_unix: as_of.utc().timestamp(),
        })
    }

    /// Labels for the named assets, or for every asset when none is named.
    pub fn asset_labels(&self, session: &Session, tags: &[String]) -> Result<Vec<Label>> {
        let scope = self.read_scope(session, UseCase::PrintLedger)?;
        let read = self.store.read();
        let label = |row: azukari_domain::view::AssetRow| Label {
            tag: row.tag,
            name: row.name,
            owner: row.owner,
        };
        if tags.is_empty() {
            let query = azukari_domain::view::AssetQuery {
                limit: u32::MAX,
                ..Default::default()
            };
            let mut labels = Vec::new();
            let mut offset = 0;
            loop {
                let page = read.asset_page(
                    &scope,
                    &azukari_domain::view::AssetQuery {
                        offset,
                        limit: 1000,
                        ..query.clone()
                    },
                )?;
                let done = page.rows.len() < 1000;
                offset += page.rows.len() as u32;
                labels.extend(page.rows.into_iter().map(label));
                if done {
                    return Ok(labels);
                }
            }
        }
        tags.iter()
            .map(|tag| {
                let row = read
                    .asset(&scope, tag.trim())?
                    .ok_or_else(|| Refusal::NotFound {
                        what: "asset",
                        key: tag.clone(),
                    })?;
                Ok(label(row))
            })
            .collect()
    }
}

fn row(line: &CustodyLine, zone: Tz, lang: Lang) -> Vec<String> {
    let name = match &line.model {
        Some(model) => format!("{} {model}", line.name),
        None => line.name.clone(),
    };
    vec![
        line.tag.clone(),
        kind_word(line.kind, lang).into(),
        name,
        line.serial.clone().unwrap_or_default(),
        line.owner.clone(),
        line.custodian.clone().unwrap_or_default(),
        line.custodian_organisation.clone().unwrap_or_default(),
        line.site.clone().unwrap_or_default(),
        line.issued_at
            .map(|at| day(at, zone, lang))
            .unwrap_or_default(),
        line.due_on
            .as_deref()
            .map(|d| due(d, lang))
            .unwrap_or_default(),
        line.returned_at
            .map(|at| day(at, zone, lang))
            .unwrap_or_default(),
        line.place.clone().unwrap_or_default(),
        status_word(line.status, lang).into(),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LedgerKind {
    #[default]
    Custody,
    Labels,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CsvText {
    /// UTF-8 with a BOM, as Excel expects.
    #[default]
    Utf8,
    Cp932,
}

/// What to print, as the print screen and the command line ask for it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PrintRequest {
    pub ledger: LedgerKind,
    /// As typed: RFC 3339, or a date meaning its start in the store's zone; now when absent.
    pub as_of: Option<String>,
    pub group_by: LedgerGrouping,
    pub format: LedgerFormat,
    pub lang: Lang,
    pub encoding: CsvText,
    /// Labels for these tags only; all assets when empty.
    pub tags: Vec<String>,
}

/// A rendered ledger and the file name it suggests (title and as-of, no path).
#[derive(Debug, Clone)]
pub struct Printed {
    pub bytes: Vec<u8>,
    pub rows: usize,
    pub file_name: String,
}

impl Desk {
    /// Renders what `request` asks for. `font` names a font to use first (PATH or PATH#FACE).
    pub fn print(
        &self,
        session: &Session,
        request: &PrintRequest,
        font: Option<&str>,
        now: Instant,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Printed> {
        let as_of = match request
            .as_of
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            Some(text) => Some(self.parse_instant(text)?),
            None => None,
        };
        let zone = self.store.time_zone()?;
        let stamp = as_of
            .unwrap_or(now)
            .utc()
            .with_timezone(&zone)
            .format("%Y%m%d-%H%M");
        match request.ledger {
            LedgerKind::Labels => {
                let labels = self.asset_labels(session, &request.tags)?;
                let mut fonts = azukari_ledger::Fonts::with_preference(font)?;
                let title = match request.lang {
                    Lang::Ja => "資産ラベル",
                    Lang::En => "Asset labels",
                };
                let bytes = azukari_ledger::render_labels(&labels, &mut fonts, title, 0, progress)?;
                Ok(Printed {
                    bytes,
                    rows: labels.len(),
                    file_name: format!("{title}.pdf"),
                })
            }
            LedgerKind::Custody => {
                let ask = CustodyLedgerRequest {
                    as_of,
                    group_by: request.group_by,
                    lang: request.lang,
                };
                let ledger = self.custody_ledger(session, &ask, now)?;
                let (bytes, extension) = match request.format {
                    LedgerFormat::Pdf => {
                        let mut fonts = azukari_ledger::Fonts::with_preference(font)?;
                        (
                            azukari_ledger::render_pdf(&ledger, &mut fonts, progress)?,
                            "pdf",
                        )
                    }
                    LedgerFormat::Csv => {
                        let encoding = match request.encoding {
                            CsvText::Utf8 => azukari_ledger::CsvEncoding::Utf8Bom,
                            CsvText::Cp932 => azukari_ledger::CsvEncoding::Cp932,
                        };
                        (azukari_ledger::render_csv(&ledger, encoding)?, "csv")
                    }
                    LedgerFormat::Xlsx => (azukari_ledger::render_xlsx(&ledger)?, "xlsx"),
                };
                let file_name = format!("{}_{stamp}.{extension}", ledger.title.replace(' ', "-"));
                Ok(Printed {
                    bytes,
                    rows: ledger.row_count(),
                    file_name,
                })
            }
        }
    }
}

/// Progress of a ledger being rendered, for the print screen's bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PrintProgress {
    pub done: u32,
    pub total: u32,
}

/// A store verified, as the desktop says it: every journal entry checked and replayed, every
/// record compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Verified {
    #[ts(type = "number")]
    pub entries: i64,
    /// `SEQ:HASH`, as ledgers print it.
    pub head: String,
    #[ts(type = "number")]
    pub records: u64,
    pub tables: u32,
}

impl From<&azukari_store::VerifyReport> for Verified {
    fn from(report: &azukari_store::VerifyReport) -> Verified {
        Verified {
            entries: report.entries,
            head: format!("{}:{}", report.entries, report.head),
            records: report.records,
            tables: report.tables.len() as u32,
        }
    }
}

/// A backup or a restored store the desktop made, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SavedStore {
    pub path: String,
    /// The journal head it holds, `SEQ:HASH` (a restore's), or none (a backup's is the
    /// store's, as verify prints it).
    pub head: Option<String>,
}

/// Where the desktop saved a printed ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PrintedFile {
    pub path: String,
    pub rows: u32,
    pub bytes: u32,
}
