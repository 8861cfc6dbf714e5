//! Why a use-case did not happen, and how the UI receives it: `{code, message, field}`.

use azukari_domain::import::ImportError;
use azukari_domain::rules::{Lang, Refusal};
use azukari_store::{CopyFailure, StoreError, VerifyFailure};
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error("the file cannot be read: {0}")]
    UnreadableFile(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("verify failed: {0}")]
    Verify(#[from] VerifyFailure),
    #[error(transparent)]
    Ledger(#[from] azukari_ledger::LedgerError),
    /// Something that should not happen; logged in full, shown as `internal`.
    #[error("internal error: {0}")]
    Internal(String),
    /// What the office server answered: made there by the same api, carried here whole.
    #[error("{}", .0.en)]
    Answered(Answered),
    /// The office server cannot be reached, or what answered is not one.
    #[error("the office server {server} cannot be reached: {why}")]
    Unreachable { server: String, why: String },
    /// The server's journal does not extend the journal this client saw from it before: it
    /// was replaced, restored from an older copy, or rewritten. The client writes nothing to it.
    #[error(
        "the office server {server} no longer has the journal this computer saw (entry {seen}); {found}. Nothing was sent to it: tell the security office"
    )]
    JournalForked {
        server: String,
        seen: String,
        found: String,
    },
    /// The store no longer holds the last head this computer signed for it: restored from
    /// an older copy, or rewritten. Nothing is signed for it until the office has looked.
    #[error("{}", not_extended_en(.0))]
    NotExtended(Box<crate::checkpoint::NotExtended>),
    /// Signing was asked of a place that has no checkpoint key.
    #[error("no checkpoint key is set up here")]
    NoCheckpointKey,
    /// A repeated request (same idempotency key): the first answer, as JSON. Only
    /// [`crate::Desk::once`] sees this; it turns it back into the answer.
    #[error("this request was answered already")]
    AnsweredAlready(String),
}

fn not_extended_en(not: &crate::checkpoint::NotExtended) -> String {
    format!(
        "the store no longer holds the journal head {} signed at {} (its head is now {}): it was restored from an older copy or rewritten, and nothing was signed. Check that checkpoint ({}) with azukari verify --checkpoint and tell the security office",
        not.signed.head,
        not.signed.at,
        not.head,
        not.kept.display()
    )
}

/// A failure as it crosses the network: the stable code, the field to mark, and the message
/// in both languages, so the client shows exactly what the same refusal shows locally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Answered {
    pub code: String,
    pub field: Option<String>,
    pub en: String,
    pub ja: String,
}

impl Answered {
    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ja => &self.ja,
            Lang::En => &self.en,
        }
    }

    pub fn new(code: &str, en: impl Into<String>, ja: impl Into<String>) -> Answered {
        Answered {
            code: code.to_string(),
            field: None,
            en: en.into(),
            ja: ja.into(),
        }
    }
}

/// What crosses to the UI. `code` is stable and what the UI branches on; `message` is in the
/// user's language; `field` names the form field to mark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct IpcError {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

impl Failure {
    pub fn code(&self) -> &str {
        match self {
            Failure::Answered(answered) => &answered.code,
            Failure::Unreachable { .. } => "server_unreachable",
            Failure::JournalForked { .. } => "journal_forked",
            Failure::AnsweredAlready(_) => "internal",
            Failure::NotExtended(_) => "checkpoint_not_held",
            Failure::NoCheckpointKey => "no_checkpoint_key",
            Failure::Refused(refusal) => refusal.code(),
            // The one import refusal a person answers with a choice rather than an edit of
            // the file: the UI offers to add them.
            Failure::Import(err) if matches!(err.refusal, Refusal::UnknownOrganisations { .. }) => {
                "unknown_organisations"
            }
            Failure::Import(_) | Failure::UnreadableFile(_) => "import_rejected",
            Failure::Store(StoreError::NetworkShare { .. }) => "network_share",
            Failure::Store(StoreError::NotInitialised) => "not_initialised",
            Failure::Store(StoreError::AlreadyExists(_)) => "already_exists",
            Failure::Store(StoreError::ClockBehind { .. }) => "clock_behind",
            Failure::Store(StoreError::GroupLost(_)) => "not_written",
            // PostgreSQL restarted or the network dropped: nothing of the write was kept
            // (or, its COMMIT's answer lost, it was kept with its answer for the retry).
            Failure::Store(StoreError::Database(db)) if db.is_connection_lost() => "not_written",
            Failure::Store(StoreError::Connect { .. }) => "store_unreachable",
            Failure::Store(StoreError::Copy(copy)) => match **copy {
                CopyFailure::TargetNotEmpty(_) => "already_exists",
                CopyFailure::SourceDoesNotVerify(_)
                | CopyFailure::CopyDoesNotVerify(_)
                | CopyFailure::HeadsDiffer { .. } => "verify_failed",
                CopyFailure::Store(_) => "internal",
            },
            Failure::Store(StoreError::BadBackup(_)) | Failure::Verify(_) => "verify_failed",
            Failure::Ledger(_) => "ledger_failed",
            Failure::Internal(_) => "internal",
            Failure::Store(_) => "internal",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Failure::Refused(refusal), _) => refusal.message(lang),
            (Failure::Answered(answered), _) => answered.message(lang).to_string(),
            (Failure::Unreachable { server, why }, Lang::Ja) => format!(
                "事務所のサーバー {server} に接続できません（{why}）。ネットワークとサーバーの状態を確かめてから、もう一度お試しください"
            ),
            (
                Failure::JournalForked {
                    server,
                    seen,
                    found,
                },
                Lang::Ja,
            ) => format!(
                "事務所のサーバー {server} の操作記録が、このパソコンが以前に確認した記録（{seen}）とつながりません（{found}）。サーバーには何も送っていません。セキュリティ管理室に連絡してください"
            ),
            (Failure::NotExtended(not), Lang::Ja) => format!(
                "この保存先の操作記録には、{} に署名した先頭 {} がもうありません（いまの先頭は {}）。古い複製から戻されたか、書き換えられています。署名はしていません。azukari verify --checkpoint でその署名（{}）を確かめ、セキュリティ管理室に連絡してください",
                not.signed.at,
                not.signed.head,
                not.head,
                not.kept.display()
            ),
            (Failure::NoCheckpointKey, Lang::Ja) => {
                "ここには署名用の鍵（チェックポイント鍵）が設定されていません".to_string()
            }
            (Failure::Import(err), _) => err.message(lang),
            (Failure::UnreadableFile(why), Lang::Ja) => format!("ファイルを読み込めません: {why}"),
            (Failure::Store(StoreError::NetworkShare { path, fs }), Lang::Ja) => format!(
                "保存先 {} はネットワーク上のファイルシステムまたは共有フォルダ（{fs}）にあります。ローカルのフォルダを選んでください",
                path.display()
            ),
            (Failure::Store(StoreError::Io { path, source }), Lang::Ja) => {
                format!("{} を開けません（{source}）", path.display())
            }
            (Failure::Store(StoreError::ClockBehind { at, head_at }), Lang::Ja) => format!(
                "このパソコンの時計（{at}）が最後の操作記録（{head_at}）より前を指しています。時計を正しく合わせてから、もう一度お試しください"
            ),
            (Failure::Store(StoreError::GroupLost(why)), Lang::Ja) => format!(
                "この操作は同時に届いた操作とまとめて保存できず（{why}）、どれも保存されていません。もう一度お試しください"
            ),
            _ => self.to_string(),
        }
    }

    /// The office server no longer knows the session (ended, expired, never given): the
    /// person logs in again; nothing else is wrong.
    pub fn session_gone(&self) -> bool {
        matches!(
            self.code(),
            "session_expired" | "session_ended" | "not_logged_in"
        )
    }

    /// The field a form marks, if the failure is about one.
    pub fn field(&self) -> Option<String> {
        match self {
            Failure::Refused(refusal) => refusal.field().map(str::to_string),
            Failure::Import(err) => err.refusal.field().map(str::to_string),
            Failure::Answered(answered) => answered.field.clone(),
            _ => None,
        }
    }

    /// The failure as the office server sends it.
    pub fn to_answered(&self) -> Answered {
        match self {
            Failure::Answered(answered) => answered.clone(),
            _ => Answered {
                code: self.code().to_string(),
                field: self.field(),
                en: self.message(Lang::En),
                ja: self.message(Lang::Ja),
            },
        }
    }

    pub fn to_ipc(&self, lang: Lang) -> IpcError {
        let field = self.field();
        IpcError {
            code: self.code().to_string(),
            message: self.message(lang),
            field,
        }
    }
}
