//! The journal's hash chain.
//!
//! An entry is its sequence number, its instant, its actor and its event. Since form 2 the hash
//! covers all four: `hash = SHA-256(prev_hash ‖ canonical JSON of {actor, at, event, form, seq})`.
//! Form 1, written before that, hashed the event alone (`SHA-256(prev_hash ‖ event JSON)`), so
//! its `at` and `actor` are not proven by the chain. A store keeps its form-1 entries as they
//! were written (the chain cannot be rewritten), and every entry after them is form 2:
//! [`check_form_order`] refuses a form-1 entry after a form-2 one, so a forger cannot drop back
//! to the weaker rule.
//!
//! Changing an event (the rule every event follows): a landed event's JSON is its history and
//! must still read back to the same canonical bytes. An event only gains fields that are
//! optional with a default and are left out of the JSON when absent
//! (`#[serde(default, skip_serializing_if = "Option::is_none")]`), so an entry written before
//! the field existed reads back to exactly the bytes it was hashed with. A field is never
//! renamed or removed, and its type changes only where every JSON it was written as still
//! reads back byte for byte (`Account.password_hash` became optional that way); a new meaning
//! is a new event.

use crate::event::Event;
use crate::ids::AccountId;
use crate::time::Instant;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Which rule an entry's hash was made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Form {
    /// The event's canonical JSON alone (stores written before the entry was covered).
    EventOnly = 1,
    /// Sequence number, instant, actor, form and event.
    WholeEntry = 2,
}

impl Form {
    /// The form every new entry is written in.
    pub const CURRENT: Form = Form::WholeEntry;

    pub fn number(self) -> i64 {
        self as i64
    }

    pub fn from_number(number: i64) -> Option<Form> {
        match number {
            1 => Some(Form::EventOnly),
            2 => Some(Form::WholeEntry),
            _ => None,
        }
    }
}

/// Canonical JSON of an event: object keys sorted (serde_json's map is ordered by key), no
/// insignificant white space. Equal events always give equal bytes.
pub fn canonical_json(event: &Event) -> String {
    let value = serde_json::to_value(event).expect("events serialise to JSON");
    serde_json::to_string(&value).expect("a JSON value serialises")
}

/// Whether `canonical` reads back to the very event it was made from. An event that does not
/// (an instant outside the accepted years, a value JSON cannot carry) would make a journal
/// that replay cannot read, so it is never written.
pub fn reads_back(event: &Event, canonical: &str) -> bool {
    serde_json::from_str::<Event>(canonical).is_ok_and(|back| &back == event)
}

/// One journal entry as its hash sees it.
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    pub seq: i64,
    pub at: Instant,
    pub actor: Option<AccountId>,
    /// The event's canonical JSON, as stored.
    pub event: &'a str,
    pub form: Form,
}

impl Entry<'_> {
    /// The bytes hashed after the previous hash.
    fn hashed_text(&self) -> String {
        match self.form {
            Form::EventOnly => self.event.to_string(),
            // Keys in sorted order, the event embedded as the canonical JSON it is stored as.
            Form::WholeEntry => format!(
                r#"{{"actor":{},"at":"{}","event":{},"form":{},"seq":{}}}"#,
                self.actor
                    .map_or_else(|| "null".to_string(), |a| a.0.to_string()),
                self.at.to_rfc3339(),
                self.event,
                self.form.number(),
                self.seq
            ),
        }
    }

    pub fn hash(&self, prev_hash: &str) -> String {
        chain_hash(prev_hash, &self.hashed_text())
    }
}

/// What the journal keeps of a password hash: its SHA-256, hex. `verify` compares the hash kept
/// in the store's `credentials` with the digest the journal last recorded for the account, so
/// a hash swapped behind the journal is found.
pub fn credential_digest(password_hash: &str) -> String {
    chain_hash("", password_hash)
}

pub fn chain_hash(prev_hash: &str, text: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(text.as_bytes());
    hex::encode(hasher.finalize())
}

/// Form-1 entries may only come before the first form-2 entry.
pub fn check_form_order(previous: Option<Form>, this: Form) -> Result<(), String> {
    match previous {
        Some(prev) if this < prev => Err(format!(
            "is written in form {} after an entry of form {}: the journal's rule never goes back",
            this.number(),
            prev.number()
        )),
        _ => Ok(()),
    }
}

/// A journal head as printed on a ledger: `SEQ:HASH`, the form `verify --expect` takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Head {
    #[ts(type = "number")]
    pub seq: i64,
    pub hash: String,
}

impl std::str::FromStr for Head {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim().trim_start_matches('#');
        let expected = || format!("'{text}' is not a journal head: SEQ:HASH, like 1234:9f86d0…");
        // As typed (`SEQ:HASH`) or as a ledger's foot prints it (`#SEQ HASH`).
        let (seq, hash) = text
            .split_once(':')
            .or_else(|| text.split_once(' '))
            .ok_or_else(expected)?;
        let seq: i64 = seq.trim().parse().map_err(|_| expected())?;
        let hash = hash.trim().to_ascii_lowercase();
        if seq < 0 || hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(expected());
        }
        Ok(Head { seq, hash })
    }
}

impl std::fmt::Display for Head {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry<'a>(event: &'a str, at: &str, actor: Option<i64>) -> Entry<'a> {
        Entry {
            seq: 7,
            at: at.parse().unwrap(),
            actor: actor.map(AccountId),
            event,
            form: Form::WholeEntry,
        }
    }

    #[test]
    fn keys_are_sorted_so_the_hash_does_not_depend_on_field_order() {
        let json = canonical_json(&Event::AccountDisabled {
            account_id: AccountId(7),
        });
        assert_eq!(json, r#"{"account_id":7,"type":"account_disabled"}"#);
    }

    #[test]
    fn the_chain_changes_when_any_byte_changes() {
        let a = chain_hash(GENESIS, r#"{"a":1}"#);
        let b = chain_hash(GENESIS, r#"{"a":2}"#);
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn the_whole_entry_is_covered_instant_actor_and_sequence_included() {
        let base = entry(r#"{"a":1}"#, "2026-11-01T00:00:00Z", Some(1));
        let hash = base.hash(GENESIS);
        let later = entry(r#"{"a":1}"#, "2026-11-01T00:00:01Z", Some(1));
        let other_actor = entry(r#"{"a":1}"#, "2026-11-01T00:00:00Z", Some(2));
        let no_actor = entry(r#"{"a":1}"#, "2026-11-01T00:00:00Z", None);
        let other_seq = Entry { seq: 8, ..base };
        for (what, changed) in [
            ("instant", later),
            ("actor", other_actor),
            ("missing actor", no_actor),
            ("sequence number", other_seq),
        ] {
            assert_ne!(
                changed.hash(GENESIS),
                hash,
                "the {what} must change the hash"
            );
        }
        let old = Entry {
            form: Form::EventOnly,
            ..base
        };
        assert_eq!(
            old.hash(GENESIS),
            chain_hash(GENESIS, r#"{"a":1}"#),
            "form 1 is the rule stores were written with before: event only"
        );
    }

    #[test]
    fn the_entry_text_is_canonical_json() {
        let text = entry(r#"{"b":2,"type":"x"}"#, "2026-11-01T00:00:00Z", None).hashed_text();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(serde_json::to_string(&value).unwrap(), text);
    }

    #[test]
    fn the_form_never_goes_back() {
        assert!(check_form_order(None, Form::EventOnly).is_ok());
        assert!(check_form_order(Some(Form::EventOnly), Form::WholeEntry).is_ok());
        assert!(check_form_order(Some(Form::WholeEntry), Form::EventOnly).is_err());
    }

    #[test]
    fn heads_read_as_printed() {
        let hash = "ab".repeat(32);
        let head: Head = format!("#12:{}", hash.to_uppercase()).parse().unwrap();
        assert_eq!(head, Head { seq: 12, hash });
        assert!("12".parse::<Head>().is_err());
        assert!("x:00".parse::<Head>().is_err());
        assert!(format!("12:{}", "g".repeat(64)).parse::<Head>().is_err());
    }
}
