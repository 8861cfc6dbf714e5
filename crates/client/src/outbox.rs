//! A custodian's outbox: their own actions (acknowledging receipt; the weekly check when it
//! exists) made while the office server cannot be reached, kept on this computer with an
//! idempotency key and sent when it can be. The server applies each key once and answers a
//! repeat with its first answer, so an action whose answer was lost on the way is sent again
//! safely. One the server refuses (the item was transferred meanwhile) moves to the refused
//! list with the server's reason, to be shown; nothing is dropped silently. Decisions (issuing,
//! approving) never go through here: they need the server's answer at once.

use crate::{Kept, Remote};
use azukari_api::domain::Instant;
use azukari_api::{Answered, Call, Failure, Office, Result};
use serde::{Deserialize, Serialize};

/// An action waiting to be sent.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Waiting {
    /// The idempotency key the server applies once.
    pub key: String,
    pub call: Call,
    /// When the person did it, on this computer's clock (the server records when it arrived).
    pub made_at: Instant,
}

/// An action the server refused, with its reason.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Refused {
    pub waiting: Waiting,
    pub reason: Answered,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    waiting: Vec<Waiting>,
    refused: Vec<Refused>,
}

/// What one attempt to send the outbox did.
#[derive(Debug, Default)]
pub struct Sent {
    pub applied: Vec<Waiting>,
    pub refused: Vec<Refused>,
    /// Still waiting: the server could not be reached part way.
    pub left: usize,
}

/// Which calls a custodian may leave in the outbox.
pub fn may_wait(call: &Call) -> bool {
    matches!(call, Call::AcknowledgeLoan { .. })
}

/// The outbox of one login at one server.
#[derive(Debug)]
pub struct Outbox {
    kept: Kept,
    url: String,
    login: String,
}

impl Outbox {
    pub fn of(kept: &Kept, url: &str, login: &str) -> Outbox {
        Outbox {
            kept: kept.clone(),
            url: url.to_string(),
            login: login.trim().to_string(),
        }
    }

    fn name(&self) -> String {
        format!("outbox-{}.json", hex::encode(&self.login))
    }

    fn load(&self) -> Result<Stored> {
        match self.kept.read_text(&self.url, &self.name()) {
            None => Ok(Stored::default()),
            Some(text) => serde_json::from_str(&text).map_err(|err| {
                Failure::Internal(format!("the outbox on this computer cannot be read: {err}"))
            }),
        }
    }

    fn save(&self, kept: &Stored) -> Result<()> {
        let text = serde_json::to_string_pretty(kept)
            .map_err(|err| Failure::Internal(format!("the outbox: {err}")))?;
        self.kept
            .write_text(&self.url, &self.name(), &text)
            .map_err(|err| Failure::Internal(format!("the outbox cannot be written: {err}")))
    }

    /// Keeps an action to send later; refuses one that is not the custodian's own.
    pub fn put(&self, call: Call, made_at: Instant) -> Result<Waiting> {
        self.put_with_key(&new_key(), call, made_at)
    }

    /// Keeps an action whose sending was already tried with `key`: the first try may have
    /// been applied with its answer lost, and only the same key gets that answer back.
    pub fn put_with_key(&self, key: &str, call: Call, made_at: Instant) -> Result<Waiting> {
        if !may_wait(&call) {
            return Err(Failure::Internal(
                "only a custodian's own actions wait in the outbox".into(),
            ));
        }
        let waiting = Waiting {
            key: key.to_string(),
            call,
            made_at,
        };
        let mut kept = self.load()?;
        kept.waiting.push(waiting.clone());
        self.save(&kept)?;
        Ok(waiting)
    }

    pub fn waiting(&self) -> Result<Vec<Waiting>> {
        Ok(self.load()?.waiting)
    }

    pub fn refused(&self) -> Result<Vec<Refused>> {
        Ok(self.load()?.refused)
    }

    /// Forgets the refused actions once the person has seen them.
    pub fn dismiss_refused(&self) -> Result<usize> {
        let mut kept = self.load()?;
        let count = kept.refused.len();
        kept.refused.clear();
        self.save(&kept)?;
        Ok(count)
    }

    /// Sends what waits, oldest first, each with its key. Stops at the first one the server
    /// cannot be reached for, keeping it and those after it.
    ///
    /// The file is read again after each answer and the sent action removed by its key, so an
    /// action another process put in meanwhile (the CLI beside the desktop) stays.
    pub fn send(&self, remote: &mut Remote) -> Result<Sent> {
        let mut sent = Sent::default();
        let mut tried = std::collections::HashSet::new();
        loop {
            let Some(waiting) = self
                .load()?
                .waiting
                .into_iter()
                .find(|w| !tried.contains(&w.key))
            else {
                return Ok(sent);
            };
            tried.insert(waiting.key.clone());
            let refused = match remote.call_once(&waiting.key, waiting.call.clone()) {
                Ok(_) => None,
                Err(failure @ (Failure::Unreachable { .. } | Failure::JournalForked { .. })) => {
                    sent.left = self.load()?.waiting.len();
                    if sent.applied.is_empty() && sent.refused.is_empty() {
                        return Err(failure);
                    }
                    return Ok(sent);
                }
                Err(failure) if not_the_actions_fault(&failure) => {
                    // Not the action's fault: it stays, for after the next login.
                    return Err(failure);
                }
                Err(failure) => Some(Refused {
                    waiting: waiting.clone(),
                    reason: failure.to_answered(),
                }),
            };
            // Saved after each: a crash here resends at most this one, which the key makes safe.
            let mut kept = self.load()?;
            kept.waiting.retain(|w| w.key != waiting.key);
            match refused {
                Some(refused) => {
                    kept.refused.push(refused.clone());
                    sent.refused.push(refused);
                }
                None => sent.applied.push(waiting),
            }
            self.save(&kept)?;
        }
    }
}

/// A failure of the session, the server or its store, not a refusal of the action itself:
/// the action stays in the outbox for the next send.
fn not_the_actions_fault(failure: &Failure) -> bool {
    matches!(
        failure.code(),
        "not_logged_in"
            | "session_expired"
            | "session_ended"
            | "account_disabled"
            | "password_change_required"
            | "rate_limited"
            | "unsupported_version"
            | "internal"
            | "not_written"
    )
}

/// A new idempotency key: 128 random bits, unique across every computer of the office.
pub fn new_key() -> String {
    format!("outbox-{}", hex::encode(rand::random::<[u8; 16]>()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use azukari_api::Answered;

    fn answered(code: &str) -> Failure {
        Failure::Answered(Answered {
            code: code.into(),
            field: None,
            en: String::new(),
            ja: String::new(),
        })
    }

    /// What the server could not do for a reason of its own stays in the outbox, to be sent
    /// again; what it refused because of the action is shown to the custodian.
    #[test]
    fn an_action_the_server_did_not_write_stays_and_one_it_refused_does_not() {
        for code in ["not_written", "internal", "session_expired", "rate_limited"] {
            assert!(not_the_actions_fault(&answered(code)), "{code} is kept");
        }
        for code in ["conflict", "not_found", "forbidden", "invalid_input"] {
            assert!(
                !not_the_actions_fault(&answered(code)),
                "{code} is the action's"
            );
        }
    }
}
