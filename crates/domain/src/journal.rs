//! The journal's hash chain: canonical JSON and `hash = SHA-256(prev_hash ‖ canonical_json)`.

use crate::event::Event;
use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Canonical JSON of an event: object keys sorted (serde_json's map is ordered by key), no
/// insignificant white space. Equal events always give equal bytes.
pub fn canonical_json(event: &Event) -> String {
    let value = serde_json::to_value(event).expect("events serialise to JSON");
    serde_json::to_string(&value).expect("a JSON value serialises")
}

pub fn chain_hash(prev_hash: &str, canonical: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(canonical.as_bytes());
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::AccountId;

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
}
