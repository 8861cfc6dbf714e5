//! Why a use-case did not happen, and how the UI receives it: `{code, message, field}`.

use azukari_domain::import::ImportError;
use azukari_domain::rules::{Lang, Refusal};
use azukari_store::{StoreError, VerifyFailure};
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
    pub fn code(&self) -> &'static str {
        match self {
            Failure::Refused(refusal) => refusal.code(),
            Failure::Import(_) | Failure::UnreadableFile(_) => "import_rejected",
            Failure::Store(StoreError::NetworkShare { .. }) => "network_share",
            Failure::Store(StoreError::NotInitialised) => "not_initialised",
            Failure::Store(StoreError::AlreadyExists(_)) => "already_exists",
            Failure::Store(StoreError::ClockBehind { .. }) => "clock_behind",
            Failure::Store(StoreError::BadBackup(_)) | Failure::Verify(_) => "verify_failed",
            Failure::Ledger(_) => "ledger_failed",
            Failure::Internal(_) => "internal",
            Failure::Store(_) => "internal",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Failure::Refused(refusal), _) => refusal.message(lang),
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
            _ => self.to_string(),
        }
    }

    pub fn to_ipc(&self, lang: Lang) -> IpcError {
        let field = match self {
            Failure::Refused(refusal) => refusal.field().map(str::to_string),
            Failure::Import(err) => err.refusal.field().map(str::to_string),
            _ => None,
        };
        IpcError {
            code: self.code().to_string(),
            message: self.message(lang),
            field,
        }
    }
}
