//! The rules of custody and of the register, and the refusals they give.
//!
//! Every refusal names what is wrong in the user's words; [`Refusal::message`] says it in
//! Japanese or English, and [`Refusal::code`] is what programs branch on.

use crate::record::AssetStatus;
use crate::time::Instant;
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "ja" => Ok(Lang::Ja),
            "en" => Ok(Lang::En),
            _ => Err(format!("'{text}' is not a language: ja or en")),
        }
    }
}

pub const MAX_FAILED_LOGINS: u32 = 5;
/// The first lock; each lock after it without a successful login between lasts twice as long,
/// up to [`MAX_LOCK_MINUTES`].
pub const LOCK_MINUTES: i64 = 15;
pub const MAX_LOCK_MINUTES: i64 = 24 * 60;
pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_TAG_CHARS: usize = 64;
pub const MAX_TEXT_CHARS: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{field} is required")]
    Required { field: &'static str },
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("{field} contains a control character")]
    ControlCharacter { field: &'static str },
    #[error("{field}: '{value}' is not valid ({expected})")]
    InvalidValue {
        field: &'static str,
        value: String,
        expected: String,
    },
    #[error("{field}: '{value}' exists already")]
    Duplicate { field: &'static str, value: String },
    #[error("no {what} '{key}'")]
    NotFound { what: &'static str, key: String },
    #[error("{count} people are named '{name}'; name one with --person-id")]
    AmbiguousPerson { name: String, count: usize },
    #[error("asset {tag} is {status}, not available, so it cannot be issued")]
    AssetNotAvailable { tag: String, status: AssetStatus },
    #[error("asset {tag} is not on loan, so it cannot be returned")]
    AssetNotOnLoan { tag: String },
    /// Every organisation a file names that the register does not know, with the first row
    /// naming each, so one run lists them all.
    #[error("{}", unknown_organisations_en(names))]
    UnknownOrganisations { names: Vec<(String, usize)> },
    #[error("{name} still holds {count} item(s): take them back before deactivating")]
    PersonHoldsItems { name: String, count: usize },
    #[error("asset {tag} is {status} already")]
    StatusUnchanged { tag: String, status: AssetStatus },
    #[error("{}", status_change_en(tag, *from, *to, *on_loan))]
    StatusChangeNotAllowed {
        tag: String,
        from: AssetStatus,
        to: AssetStatus,
        /// Someone holds the item: it comes back before it goes to repair or is retired.
        on_loan: bool,
    },
    #[error("due date {due} is before the issue date {issued}")]
    DueBeforeIssue { due: NaiveDate, issued: NaiveDate },
    #[error("{name} is not active")]
    PersonInactive { name: String },
    #[error("this loan is not yours to acknowledge")]
    NotYourLoan,
    #[error("the loan was acknowledged already")]
    AlreadyAcknowledged,
    #[error("wrong login or password")]
    WrongPassword,
    #[error("the account is locked until {until} after {MAX_FAILED_LOGINS} failed logins")]
    AccountLocked { until: Instant },
    #[error("the account is disabled")]
    AccountDisabled,
    #[error("the password needs at least {MIN_PASSWORD_CHARS} characters")]
    WeakPassword,
    #[error("your roles do not allow this ({use_case})")]
    Forbidden { use_case: &'static str },
    #[error("{field} contains an invisible or direction-changing character (U+{code:04X})")]
    HiddenCharacter { field: &'static str, code: u32 },
    #[error("the password was reset: choose a new one before doing anything else")]
    PasswordChangeRequired,
    #[error("the new password must differ from the current one")]
    PasswordUnchanged,
    #[error("{field}: {value} is before {start}")]
    EndsBeforeStart {
        field: &'static str,
        value: Instant,
        start: Instant,
    },
    /// The office server: no session token came with the request, or none it knows.
    #[error("not logged in to the office server: run `azukari login` (or give a password)")]
    NotLoggedIn,
    /// The session went past its idle or absolute end.
    #[error("the session has expired: log in again")]
    SessionExpired,
    /// The session was ended: by a logout, by the security office, or because the account was
    /// disabled or its password reset.
    #[error("the session was ended: log in again")]
    SessionEnded,
    /// Too many logins tried from one address or for one account in a short time.
    #[error("too many login attempts: wait {seconds} seconds, then try again")]
    TooManyAttempts { seconds: u64 },
}

impl Refusal {
    /// Stable codes the UI and scripts branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Required { .. }
            | Refusal::TooLong { .. }
            | Refusal::ControlCharacter { .. }
            | Refusal::InvalidValue { .. }
            | Refusal::DueBeforeIssue { .. }
            | Refusal::HiddenCharacter { .. }
            | Refusal::PasswordUnchanged
            | Refusal::EndsBeforeStart { .. }
            | Refusal::WeakPassword => "invalid_input",
            Refusal::PasswordChangeRequired => "password_change_required",
            Refusal::Duplicate { .. } => "duplicate",
            Refusal::NotFound { .. } => "not_found",
            Refusal::UnknownOrganisations { .. } => "unknown_organisations",
            Refusal::AmbiguousPerson { .. } => "ambiguous",
            Refusal::AssetNotAvailable { .. }
            | Refusal::AssetNotOnLoan { .. }
            | Refusal::StatusUnchanged { .. }
            | Refusal::PersonHoldsItems { .. }
            | Refusal::StatusChangeNotAllowed { .. }
            | Refusal::PersonInactive { .. }
            | Refusal::AlreadyAcknowledged => "conflict",
            Refusal::NotYourLoan | Refusal::Forbidden { .. } => "forbidden",
            Refusal::WrongPassword => "wrong_password",
            Refusal::AccountLocked { .. } => "account_locked",
            Refusal::AccountDisabled => "account_disabled",
            Refusal::NotLoggedIn => "not_logged_in",
            Refusal::SessionExpired => "session_expired",
            Refusal::SessionEnded => "session_ended",
            Refusal::TooManyAttempts { .. } => "rate_limited",
        }
    }

    /// The field the refusal is about, for forms that mark it.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Refusal::Required { field }
            | Refusal::TooLong { field, .. }
            | Refusal::ControlCharacter { field }
            | Refusal::InvalidValue { field, .. }
            | Refusal::HiddenCharacter { field, .. }
            | Refusal::EndsBeforeStart { field, .. }
            | Refusal::Duplicate { field, .. } => Some(field),
            Refusal::DueBeforeIssue { .. } => Some("due"),
            Refusal::UnknownOrganisations { .. } => Some("organisation"),
            Refusal::PersonHoldsItems { .. } => Some("active"),
            Refusal::StatusUnchanged { .. } | Refusal::StatusChangeNotAllowed { .. } => {
                Some("status")
            }
            Refusal::WeakPassword | Refusal::WrongPassword => Some("password"),
            Refusal::PasswordUnchanged | Refusal::PasswordChangeRequired => Some("new_password"),
            _ => None,
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Ja => self.message_ja(),
        }
    }

    fn message_ja(&self) -> String {
        let f = |field: &str| field_ja(field).to_string();
        match self {
            Refusal::Required { field } => format!("{}を入力してください", f(field)),
            Refusal::TooLong { field, max } => {
                format!("{}は{max}文字以内で入力してください", f(field))
            }
            Refusal::ControlCharacter { field } => {
                format!("{}に制御文字が含まれています", f(field))
            }
            Refusal::InvalidValue {
                field,
                value,
                expected,
            } => {
                format!("{}「{value}」は正しくありません（{expected}）", f(field))
            }
            Refusal::Duplicate { field, value } => {
                format!("{}「{value}」は既に登録されています", f(field))
            }
            Refusal::NotFound { what, key } => format!("{}「{key}」は見つかりません", f(what)),
            Refusal::AmbiguousPerson { name, count } => {
                format!("「{name}」という人が{count}人います。--person-id で指定してください")
            }
            Refusal::AssetNotAvailable { tag, status } => {
                format!("資産 {tag} は{}のため貸与できません", status_ja(*status))
            }
            Refusal::AssetNotOnLoan { tag } => {
                format!("資産 {tag} は貸与中ではないため返却できません")
            }
            Refusal::UnknownOrganisations { names } => match names.as_slice() {
                [(name, _)] => format!(
                    "組織「{name}」は台帳にありません。先に登録するか、--add-organisations を付けて取り込んでください"
                ),
                _ => format!(
                    "台帳にない組織が{}件あります: {}。先に登録するか、--add-organisations を付けて取り込んでください",
                    names.len(),
                    names
                        .iter()
                        .map(|(name, row)| format!("{name}（{row}行目）"))
                        .collect::<Vec<_>>()
                        .join("、")
                ),
            },
            Refusal::PersonHoldsItems { name, count } => format!(
                "{name} さんはまだ{count}点を保有しています。無効にする前に返却を受けてください"
            ),
            Refusal::StatusUnchanged { tag, status } => {
                format!("資産 {tag} は既に{}です", status_ja(*status))
            }
            Refusal::StatusChangeNotAllowed {
                tag,
                to,
                on_loan: true,
                ..
            } => format!(
                "資産 {tag} は貸与中です。{}にする前に返却を受けてください",
                status_ja(*to)
            ),
            Refusal::StatusChangeNotAllowed { tag, from, to, .. } => format!(
                "資産 {tag} は{}のため{}にできません",
                status_ja(*from),
                status_ja(*to)
            ),
            Refusal::DueBeforeIssue { due, issued } => {
                format!("返却予定日 {due} が貸与日 {issued} より前です")
            }
            Refusal::PersonInactive { name } => format!("{name} さんは無効になっています"),
            Refusal::NotYourLoan => "ご自身の貸与ではないため受領確認できません".into(),
            Refusal::AlreadyAcknowledged => "この貸与は受領確認済みです".into(),
            Refusal::WrongPassword => "ログインIDまたはパスワードが違います".into(),
            Refusal::AccountLocked { until } => format!(
                "ログインに{MAX_FAILED_LOGINS}回失敗したため、{until} までロックされています"
            ),
            Refusal::AccountDisabled => "このアカウントは無効です".into(),
            Refusal::WeakPassword => {
                format!("パスワードは{MIN_PASSWORD_CHARS}文字以上にしてください")
            }
            Refusal::Forbidden { .. } => "この操作を行う権限がありません".into(),
            Refusal::HiddenCharacter { field, code } => format!(
                "{}に見えない文字または表示の向きを変える文字（U+{code:04X}）が含まれています",
                f(field)
            ),
            Refusal::PasswordChangeRequired => {
                "パスワードがリセットされました。先に新しいパスワードを設定してください".into()
            }
            Refusal::PasswordUnchanged => {
                "新しいパスワードは現在のパスワードと別のものにしてください".into()
            }
            Refusal::EndsBeforeStart {
                field,
                value,
                start,
            } => format!("{}「{value}」が開始（{start}）より前です", f(field)),
            Refusal::NotLoggedIn => {
                "事務所のサーバーにログインしていません。azukari login でログインしてください"
                    .into()
            }
            Refusal::SessionExpired => {
                "ログインの有効期限が切れました。もう一度ログインしてください".into()
            }
            Refusal::SessionEnded => {
                "ログインが終了されました。もう一度ログインしてください".into()
            }
            Refusal::TooManyAttempts { seconds } => {
                format!("ログインの試行が多すぎます。{seconds}秒待ってから、もう一度お試しください")
            }
        }
    }
}

/// Field names in Japanese, in the glossary's words.
pub fn field_ja(field: &str) -> &str {
    match field {
        "tag" => "管理番号",
        "kind" => "種別",
        "name" => "名前",
        "model" => "型番",
        "serial" => "シリアル番号",
        "owner" => "所有",
        "classification" => "分類",
        "encrypted" => "暗号化",
        "custodian" => "貸与先",
        "issued" => "貸与日",
        "due" => "返却予定日",
        "place" => "保管場所",
        "note" => "備考",
        "login" => "ログインID",
        "password" => "パスワード",
        "organisation" => "組織",
        "site" => "現場",
        "person" => "人",
        "asset" => "資産",
        "account" => "アカウント",
        "kana" => "かな",
        "email" => "メールアドレス",
        "employee_number" => "社員番号",
        "role" => "役割",
        "new_password" => "新しいパスワード",
        "returned" => "返却日時",
        "status" => "状態",
        "active" => "有効",
        "new_name" => "新しい名前",
        other => other,
    }
}

pub fn status_ja(status: AssetStatus) -> &'static str {
    match status {
        AssetStatus::Available => "在庫",
        AssetStatus::OnLoan => "貸与中",
        AssetStatus::CarriedOut => "持ち出し中",
        AssetStatus::Lost => "紛失",
        AssetStatus::InRepair => "修理中",
        AssetStatus::Retired => "廃棄済み",
    }
}

fn unknown_organisations_en(names: &[(String, usize)]) -> String {
    const HOW: &str = "add them first, or import with --add-organisations";
    match names {
        [(name, _)] => format!(
            "no organisation '{name}' in the register: {}",
            HOW.replace("them", "it")
        ),
        _ => format!(
            "{} organisations are not in the register: {}: {HOW}",
            names.len(),
            names
                .iter()
                .map(|(name, row)| format!("{name} (row {row})"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn status_change_en(tag: &str, from: AssetStatus, to: AssetStatus, on_loan: bool) -> String {
    if on_loan {
        format!("asset {tag} is on loan: take it back before marking it {to}")
    } else {
        format!("asset {tag} is {from} and cannot be marked {to}")
    }
}

/// What marking an asset makes of it. Lost, in repair and retired are periods the office
/// opens and closes by hand; marking one ends the period before it. Available ends the period
/// ("found", "repaired", "put back in service"), and an item found while still on loan is on
/// loan again: its custodian still holds it. Nothing goes to repair or is retired while
/// someone holds it: it is taken back first, so custody has no loose ends.
pub fn check_mark(
    tag: &str,
    current: AssetStatus,
    has_open_loan: bool,
    to: AssetStatus,
) -> Result<AssetStatus, Refusal> {
    use AssetStatus::*;
    if matches!(to, OnLoan | CarriedOut) {
        return Err(Refusal::InvalidValue {
            field: "status",
            value: to.as_str().to_string(),
            expected: "lost, in_repair, available or retired".into(),
        });
    }
    let held = matches!(current, OnLoan | CarriedOut);
    if to == current || (to == Available && held) {
        return Err(Refusal::StatusUnchanged {
            tag: tag.to_string(),
            status: current,
        });
    }
    let refused = || Refusal::StatusChangeNotAllowed {
        tag: tag.to_string(),
        from: current,
        to,
        on_loan: has_open_loan,
    };
    match to {
        Lost if current != Retired => Ok(Lost),
        InRepair | Retired if has_open_loan => Err(refused()),
        InRepair if matches!(current, Available | Lost) => Ok(InRepair),
        Retired if matches!(current, Available | Lost | InRepair) => Ok(Retired),
        Available if has_open_loan => Ok(OnLoan),
        Available => Ok(Available),
        _ => Err(refused()),
    }
}

/// Trims and checks a required text field.
pub fn required_text(field: &'static str, value: &str, max: usize) -> Result<String, Refusal> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Refusal::Required { field });
    }
    plain_text(field, value, max).map(str::to_string)
}

/// Trims an optional text field; empty means absent.
pub fn optional_text(
    field: &'static str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, Refusal> {
    match value.map(str::trim).filter(|value| !value.is_empty()) {
        None => Ok(None),
        Some(value) => plain_text(field, value, max).map(|value| Some(value.to_string())),
    }
}

fn plain_text<'a>(field: &'static str, value: &'a str, max: usize) -> Result<&'a str, Refusal> {
    if value.chars().count() > max {
        return Err(Refusal::TooLong { field, max });
    }
    // Tabs and newlines in a note are fine; other control characters come from broken exports.
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Refusal::ControlCharacter { field });
    }
    // A direction override makes text read differently from what it holds ("Trojan Source"):
    // a name that shows as one person's while sorting and matching as another's.
    if let Some(c) = value.chars().find(|&c| is_bidi_control(c)) {
        return Err(Refusal::HiddenCharacter {
            field,
            code: c as u32,
        });
    }
    Ok(value)
}

/// The bidirectional embedding, override and isolate controls, and the implicit marks.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Characters that take no space: an identifier holding one looks like another identifier.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        // Zero-width space, joiners, word joiner and invisible operators, BOM, soft hyphen,
        // Mongolian vowel separator, combining grapheme joiner, deprecated format characters.
        '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{206A}'..='\u{206F}'
            | '\u{FEFF}' | '\u{00AD}' | '\u{180E}' | '\u{034F}'
            // Hangul fillers and the blank braille pattern: letters that draw as nothing.
            | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' | '\u{2800}'
            // Variation selectors and tag characters: invisible on their own.
            | '\u{FE00}'..='\u{FE0F}' | '\u{E0000}'..='\u{E007F}' | '\u{E0100}'..='\u{E01EF}'
    ) || is_bidi_control(c)
}

/// Tags and logins are typed, scanned and compared: what they look like is what they are. No
/// white space, nothing invisible, nothing that changes the direction of the text.
pub fn identifier(
    field: &'static str,
    value: &str,
    max: usize,
    example: &str,
) -> Result<String, Refusal> {
    let value = required_text(field, value, max)?;
    if let Some(c) = value.chars().find(|&c| is_invisible(c)) {
        return Err(Refusal::HiddenCharacter {
            field,
            code: c as u32,
        });
    }
    if value.chars().any(char::is_whitespace) {
        return Err(Refusal::InvalidValue {
            field,
            value,
            expected: format!("no spaces, like {example}"),
        });
    }
    Ok(value)
}

/// A tag is what is printed on the label: no white space inside, so it survives scanning.
pub fn tag(value: &str) -> Result<String, Refusal> {
    identifier("tag", value, MAX_TAG_CHARS, "PC-0001")
}

pub const MAX_LOGIN_CHARS: usize = 64;

pub fn login(value: &str) -> Result<String, Refusal> {
    identifier("login", value, MAX_LOGIN_CHARS, "tanaka")
}

pub fn password(value: &str) -> Result<(), Refusal> {
    if value.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Refusal::WeakPassword);
    }
    Ok(())
}

/// An asset may be issued only from the shelf, and the due date may not precede the issue.
pub fn check_issue(
    tag: &str,
    status: AssetStatus,
    custodian_active: bool,
    custodian_name: &str,
    issued_on: NaiveDate,
    due_on: Option<NaiveDate>,
) -> Result<(), Refusal> {
    if status != AssetStatus::Available {
        return Err(Refusal::AssetNotAvailable {
            tag: tag.to_string(),
            status,
        });
    }
    if !custodian_active {
        return Err(Refusal::PersonInactive {
            name: custodian_name.to_string(),
        });
    }
    if let Some(due) = due_on
        && due < issued_on
    {
        return Err(Refusal::DueBeforeIssue {
            due,
            issued: issued_on,
        });
    }
    Ok(())
}

/// Only an item someone holds can come back.
pub fn check_return(tag: &str, status: AssetStatus, has_open_loan: bool) -> Result<(), Refusal> {
    if !has_open_loan || !matches!(status, AssetStatus::OnLoan | AssetStatus::CarriedOut) {
        return Err(Refusal::AssetNotOnLoan {
            tag: tag.to_string(),
        });
    }
    Ok(())
}

/// Whether a login may be tried now.
pub fn check_login_allowed(
    active: bool,
    locked_until: Option<Instant>,
    now: Instant,
) -> Result<(), Refusal> {
    if !active {
        return Err(Refusal::AccountDisabled);
    }
    match locked_until {
        Some(until) if now < until => Err(Refusal::AccountLocked { until }),
        _ => Ok(()),
    }
}

/// After a failed login: the instant the account is locked until, if this failure locks it.
/// `locks_before` counts the locks since the last successful login or unlock: each successive
/// lock doubles, from 15 minutes up to a day.
pub fn lock_after_failure(failed_before: u32, locks_before: u32, now: Instant) -> Option<Instant> {
    (failed_before + 1 >= MAX_FAILED_LOGINS).then(|| {
        let minutes = LOCK_MINUTES
            .saturating_mul(1_i64 << locks_before.min(16))
            .min(MAX_LOCK_MINUTES);
        // At the very end of the accepted years the lock ends with them.
        Instant::new(now.utc() + Duration::minutes(minutes)).unwrap_or(now)
    })
}

/// A loan comes back no earlier than it went out.
pub fn check_return_time(issued_at: Instant, returned_at: Instant) -> Result<(), Refusal> {
    if returned_at < issued_at {
        return Err(Refusal::EndsBeforeStart {
            field: "returned",
            value: returned_at,
            start: issued_at,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn at(text: &str) -> Instant {
        text.parse().unwrap()
    }

    #[rstest]
    #[case::from_the_shelf(AssetStatus::Available, true, None, None)]
    #[case::due_same_day(AssetStatus::Available, true, Some("2026-11-01"), None)]
    #[case::on_loan(AssetStatus::OnLoan, true, None, Some("conflict"))]
    #[case::lost(AssetStatus::Lost, true, None, Some("conflict"))]
    #[case::retired(AssetStatus::Retired, true, None, Some("conflict"))]
    #[case::inactive_person(AssetStatus::Available, false, None, Some("conflict"))]
    #[case::due_before_issue(
        AssetStatus::Available,
        true,
        Some("2026-10-31"),
        Some("invalid_input")
    )]
    fn issuing(
        #[case] status: AssetStatus,
        #[case] active: bool,
        #[case] due: Option<&str>,
        #[case] refused_with: Option<&str>,
    ) {
        let result = check_issue(
            "PC-0001",
            status,
            active,
            "山田",
            day("2026-11-01"),
            due.map(day),
        );
        assert_eq!(result.err().map(|r| r.code()), refused_with);
    }

    #[rstest]
    #[case(AssetStatus::OnLoan, true, true)]
    #[case(AssetStatus::CarriedOut, true, true)]
    #[case(AssetStatus::Available, false, false)]
    #[case(AssetStatus::Lost, true, false)]
    fn returning(#[case] status: AssetStatus, #[case] open: bool, #[case] allowed: bool) {
        assert_eq!(check_return("PC-0001", status, open).is_ok(), allowed);
    }

    /// Every mark from every status, with and without a custodian holding the item: what the
    /// asset becomes, or the refusal's code.
    #[rstest]
    #[case(
        AssetStatus::Available,
        false,
        AssetStatus::Lost,
        Ok(AssetStatus::Lost)
    )]
    #[case(AssetStatus::OnLoan, true, AssetStatus::Lost, Ok(AssetStatus::Lost))]
    #[case(AssetStatus::InRepair, false, AssetStatus::Lost, Ok(AssetStatus::Lost))]
    #[case(AssetStatus::Retired, false, AssetStatus::Lost, Err("conflict"))]
    #[case(AssetStatus::Lost, false, AssetStatus::Lost, Err("conflict"))]
    #[case(
        AssetStatus::Available,
        false,
        AssetStatus::InRepair,
        Ok(AssetStatus::InRepair)
    )]
    #[case(
        AssetStatus::Lost,
        false,
        AssetStatus::InRepair,
        Ok(AssetStatus::InRepair)
    )]
    #[case(AssetStatus::Lost, true, AssetStatus::InRepair, Err("conflict"))]
    #[case(AssetStatus::OnLoan, true, AssetStatus::InRepair, Err("conflict"))]
    #[case(AssetStatus::Retired, false, AssetStatus::InRepair, Err("conflict"))]
    #[case(
        AssetStatus::Available,
        false,
        AssetStatus::Retired,
        Ok(AssetStatus::Retired)
    )]
    #[case(
        AssetStatus::InRepair,
        false,
        AssetStatus::Retired,
        Ok(AssetStatus::Retired)
    )]
    #[case(
        AssetStatus::Lost,
        false,
        AssetStatus::Retired,
        Ok(AssetStatus::Retired)
    )]
    #[case(AssetStatus::OnLoan, true, AssetStatus::Retired, Err("conflict"))]
    #[case(
        AssetStatus::Lost,
        true,
        AssetStatus::Available,
        Ok(AssetStatus::OnLoan)
    )]
    #[case(
        AssetStatus::Lost,
        false,
        AssetStatus::Available,
        Ok(AssetStatus::Available)
    )]
    #[case(
        AssetStatus::InRepair,
        false,
        AssetStatus::Available,
        Ok(AssetStatus::Available)
    )]
    #[case(
        AssetStatus::Retired,
        false,
        AssetStatus::Available,
        Ok(AssetStatus::Available)
    )]
    #[case(AssetStatus::OnLoan, true, AssetStatus::Available, Err("conflict"))]
    #[case(AssetStatus::Available, false, AssetStatus::Available, Err("conflict"))]
    #[case(
        AssetStatus::Available,
        false,
        AssetStatus::OnLoan,
        Err("invalid_input")
    )]
    #[case(
        AssetStatus::Available,
        false,
        AssetStatus::CarriedOut,
        Err("invalid_input")
    )]
    fn marking(
        #[case] current: AssetStatus,
        #[case] open: bool,
        #[case] to: AssetStatus,
        #[case] expected: Result<AssetStatus, &str>,
    ) {
        let got = check_mark("PC-0001", current, open, to).map_err(|refusal| {
            assert_eq!(refusal.field(), Some("status"), "{refusal}");
            refusal.code()
        });
        assert_eq!(got, expected);
    }

    #[test]
    fn a_refused_mark_says_to_take_the_item_back_in_both_languages() {
        let refusal =
            check_mark("PC-0001", AssetStatus::OnLoan, true, AssetStatus::Retired).unwrap_err();
        assert_eq!(
            refusal.message(Lang::En),
            "asset PC-0001 is on loan: take it back before marking it retired"
        );
        assert_eq!(
            refusal.message(Lang::Ja),
            "資産 PC-0001 は貸与中です。廃棄済みにする前に返却を受けてください"
        );
    }

    #[rstest]
    #[case(0, false)]
    #[case(3, false)]
    #[case(4, true)]
    #[case(9, true)]
    fn the_fifth_failure_locks_for_fifteen_minutes(#[case] before: u32, #[case] locks: bool) {
        let now = at("2026-11-01T00:00:00Z");
        let until = lock_after_failure(before, 0, now);
        assert_eq!(until.is_some(), locks);
        if let Some(until) = until {
            assert_eq!(until, at("2026-11-01T00:15:00Z"));
        }
    }

    #[rstest]
    #[case::first(0, "2026-11-01T00:15:00Z")]
    #[case::second(1, "2026-11-01T00:30:00Z")]
    #[case::third(2, "2026-11-01T01:00:00Z")]
    #[case::seventh(6, "2026-11-01T16:00:00Z")]
    #[case::eighth_is_a_day(7, "2026-11-02T00:00:00Z")]
    #[case::never_past_a_day(40, "2026-11-02T00:00:00Z")]
    fn each_successive_lock_lasts_twice_as_long(#[case] locks_before: u32, #[case] until: &str) {
        let now = at("2026-11-01T00:00:00Z");
        assert_eq!(lock_after_failure(4, locks_before, now), Some(at(until)));
    }

    #[test]
    fn a_lock_near_the_end_of_time_does_not_panic() {
        let now = at("9999-12-31T23:59:00Z");
        assert!(lock_after_failure(4, 3, now).is_some());
    }

    #[rstest]
    #[case::before_the_lock_ends("2026-11-01T00:14:59Z", false)]
    #[case::when_it_ends("2026-11-01T00:15:00Z", true)]
    fn a_lock_ends_by_itself(#[case] now: &str, #[case] allowed: bool) {
        let until = Some(at("2026-11-01T00:15:00Z"));
        assert_eq!(check_login_allowed(true, until, at(now)).is_ok(), allowed);
    }

    #[rstest]
    #[case("PC-0001", Ok("PC-0001"))]
    #[case("  PC-0001 ", Ok("PC-0001"))]
    #[case("", Err("invalid_input"))]
    #[case("PC 0001", Err("invalid_input"))]
    #[case("PC-\u{7}", Err("invalid_input"))]
    #[case::zero_width_space("PC-\u{200B}0001", Err("invalid_input"))]
    #[case::word_joiner("PC\u{2060}-0001", Err("invalid_input"))]
    #[case::right_to_left_override("PC-\u{202E}1000", Err("invalid_input"))]
    #[case::byte_order_mark("\u{FEFF}PC-0001", Err("invalid_input"))]
    #[case::hangul_filler("PC-\u{3164}0001", Err("invalid_input"))]
    #[case::variation_selector("PC-0001\u{FE0F}", Err("invalid_input"))]
    #[case::tag_character("PC-0001\u{E0041}", Err("invalid_input"))]
    #[case::blank_braille("PC\u{2800}0001", Err("invalid_input"))]
    #[case::full_width_is_still_a_tag("ＰＣ-0001", Ok("ＰＣ-0001"))]
    fn tags(#[case] input: &str, #[case] expected: Result<&str, &str>) {
        let result = tag(input);
        assert_eq!(result.as_deref().map_err(|r| r.code()), expected);
    }

    #[rstest]
    #[case::override_("山田\u{202E}太郎")]
    #[case::isolate("\u{2067}山田")]
    #[case::mark("山田\u{200F}")]
    fn direction_controls_are_refused_in_any_text(#[case] text: &str) {
        let refused = required_text("name", text, 200).unwrap_err();
        assert!(
            matches!(refused, Refusal::HiddenCharacter { field: "name", .. }),
            "{refused:?}"
        );
        assert!(optional_text("note", Some(text), 200).is_err());
    }

    #[test]
    fn joiners_stay_allowed_in_names_where_scripts_need_them() {
        // Zero-width joiners build emoji and some scripts' letters; only identifiers refuse them.
        assert!(required_text("name", "山田\u{200D}太郎", 200).is_ok());
        assert!(login("ya\u{200D}mada").is_err());
    }

    #[test]
    fn a_return_before_the_issue_is_refused() {
        let issued = at("2026-11-01T00:00:00Z");
        assert!(check_return_time(issued, issued).is_ok());
        let refused = check_return_time(issued, at("2026-10-31T23:59:59Z")).unwrap_err();
        assert_eq!(refused.field(), Some("returned"));
    }

    #[test]
    fn japanese_messages_name_the_field_in_japanese() {
        let refusal = Refusal::Required { field: "tag" };
        assert_eq!(refusal.message(Lang::Ja), "管理番号を入力してください");
        assert_eq!(refusal.message(Lang::En), "tag is required");
    }
}
