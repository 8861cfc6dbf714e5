//! Where this desktop works: a store on this computer, or an office server. Chosen once (by
//! `--store` / `--server` on the command line, the saved choice, or the first-run screen) and
//! shown at all times. A desktop connected to a server never falls back to a local store on its
//! own: that would fork the journal. When the server cannot be reached it says so and waits.

use crate::log;
use azukari_api::domain::Instant;
use azukari_api::{Desk, Failure, Local, Office, Place};
use azukari_client::{Connection, Kept, Remote};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The choice as it is saved in the data folder (`place.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Chosen {
    Local { path: PathBuf },
    Server { url: String, ca: Option<PathBuf> },
}

// The app holds one Seat for its whole life: the size of its largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum Seat {
    /// First run: the person has not chosen yet.
    Unchosen,
    /// A store on this computer: the desk before login, the office after.
    Local {
        path: PathBuf,
        desk: Option<Desk>,
        office: Option<Local>,
    },
    /// An office server: the session after login.
    Server {
        url: String,
        ca: Option<PathBuf>,
        office: Option<Remote>,
    },
}

fn choice_file() -> Option<PathBuf> {
    Some(log::data_dir()?.join("place.json"))
}

/// Journal heads and the outbox in the data folder (0600 files), the session token in the
/// system's credential store where one answers (see the README).
pub fn kept() -> Kept {
    match log::data_dir() {
        Some(dir) => Kept::for_this_user(&dir),
        None => Kept::in_memory(),
    }
}

/// The saved choice, if any.
pub fn saved() -> Option<Chosen> {
    let text = std::fs::read_to_string(choice_file()?).ok()?;
    serde_json::from_str(&text).ok()
}

pub fn save(chosen: &Chosen) -> Result<(), Failure> {
    let file = choice_file().ok_or_else(|| Failure::Internal("no data folder".into()))?;
    if let Some(folder) = file.parent() {
        azukari_api::private::create_private_dir(folder)
            .map_err(|err| Failure::Internal(format!("{}: {err}", folder.display())))?;
    }
    let text =
        serde_json::to_string_pretty(chosen).map_err(|err| Failure::Internal(err.to_string()))?;
    azukari_api::private::write_private(&file, text.as_bytes())
        .map_err(|err| Failure::Internal(format!("{}: {err}", file.display())))
}

impl Seat {
    /// Opens what was chosen: the store file, or the server's address (checked when used).
    pub fn open(chosen: Chosen) -> Result<Seat, Failure> {
        Ok(match chosen {
            Chosen::Local { path } => Seat::Local {
                desk: Some(Desk::open(&path)?),
                path,
                office: None,
            },
            Chosen::Server { url, ca } => {
                // The address is checked for its form now; whether it answers, when asked.
                Connection::new(&url, ca.as_deref(), kept())?;
                Seat::Server {
                    url,
                    ca,
                    office: None,
                }
            }
        })
    }

    pub fn place(&self) -> Option<Place> {
        match self {
            Seat::Unchosen => None,
            Seat::Local { path, .. } => Some(Place::Local {
                path: path.display().to_string(),
            }),
            Seat::Server { url, .. } => Some(Place::Server { url: url.clone() }),
        }
    }

    pub fn connection(&self) -> Result<Connection, Failure> {
        match self {
            Seat::Server { url, ca, .. } => Connection::new(url, ca.as_deref(), kept()),
            _ => Err(Failure::Internal("not connected to a server".into())),
        }
    }

    /// The logged-in office, wherever it is.
    pub fn office(&mut self) -> Option<&mut dyn Office> {
        match self {
            Seat::Local {
                office: Some(office),
                ..
            } => Some(office),
            Seat::Server {
                office: Some(office),
                ..
            } => Some(office),
            _ => None,
        }
    }

    pub fn local_path(&self) -> Option<&Path> {
        match self {
            Seat::Local { path, .. } => Some(path),
            _ => None,
        }
    }
}

/// Sends what waits in the outbox of the logged-in custodian; what the server refused stays
/// listed, with its reason, until dismissed.
pub fn send_outbox(remote: &mut Remote) -> Result<(), Failure> {
    let outbox = remote.outbox();
    if outbox.waiting()?.is_empty() {
        return Ok(());
    }
    outbox.send(remote).map(drop)
}

/// What waits in this login's outbox, and the server's reasons for what it refused.
pub fn outbox_state(remote: &Remote, lang: azukari_api::domain::rules::Lang) -> (u32, Vec<String>) {
    let outbox = remote.outbox();
    let waiting = outbox.waiting().map(|w| w.len() as u32).unwrap_or(0);
    let refused = outbox
        .refused()
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            let reason = r.reason.message(lang);
            match r.waiting.call {
                azukari_api::Call::AcknowledgeLoan { tag } => format!("{tag}: {reason}"),
                _ => reason.to_string(),
            }
        })
        .collect();
    (waiting, refused)
}

/// Keeps a custodian's acknowledgement for later: the server cannot be reached.
/// `key` is the one it was sent with: it may have been applied with its answer lost.
pub fn keep_for_later(
    remote: &Remote,
    key: &str,
    tag: &str,
    made_at: Instant,
) -> Result<(), Failure> {
    remote.outbox().put_with_key(
        key,
        azukari_api::Call::AcknowledgeLoan {
            tag: tag.to_string(),
        },
        made_at,
    )?;
    Ok(())
}
