//! Signed checkpoints: a store's journal head at an instant, signed with Ed25519 by a key kept
//! outside the store (the idea of SQL Server's ledger digests and immudb's state signatures).
//!
//! A head printed on a ledger shows that a store still holds the entries it had then; anyone
//! who can write the store could still rewrite it from scratch and print new ledgers with a new
//! head. A checkpoint signed by a key the store's writers do not hold cannot be made for the
//! rewritten head: `azukari verify --checkpoint FILE` checks the signature against the public
//! key the office published (`azukari serve --print-key`), then that the store holds that head
//! and verifies.
//!
//! The file is text, one field a line, so it can be printed, mailed or filed:
//!
//! ```text
//! azukari checkpoint 1
//! head 1234:9f86d0…
//! at 2026-11-23T01:00:00.000Z
//! key 3b6a27bc…            (the public key, 32 bytes in hex)
//! signature 5f1e…          (64 bytes in hex, over the first three lines)
//! ```

use crate::Failure;
use azukari_domain::Instant;
use azukari_domain::journal::Head;
use azukari_store::Reader;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const FIRST_LINE: &str = "azukari checkpoint 1";
const KEY_FILE_FIRST_LINE: &str = "azukari checkpoint key 1";

/// The key a computer signs checkpoints with.
pub struct CheckpointKey {
    signing: SigningKey,
}

impl std::fmt::Debug for CheckpointKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        f.debug_struct("CheckpointKey")
            .field("public", &self.public_key())
            .finish()
    }
}

impl CheckpointKey {
    /// The key kept at `path`, made on first use: 32 random bytes, in a file only its owner
    /// may read (written beside and renamed, so a half-written key is never read).
    pub fn load_or_create(path: &Path) -> Result<CheckpointKey, Failure> {
        match std::fs::read_to_string(path) {
            Ok(text) => CheckpointKey::parse(&text)
                .map_err(|why| Failure::UnreadableFile(format!("{}: {why}", path.display()))),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    crate::private::create_private_dir(folder)
                        .map_err(|err| Failure::Internal(format!("{}: {err}", folder.display())))?;
                }
                let secret: [u8; 32] = rand::random();
                let text = format!("{KEY_FILE_FIRST_LINE}\n{}\n", hex::encode(secret));
                crate::private::write_private(path, text.as_bytes())
                    .map_err(|err| Failure::Internal(format!("{}: {err}", path.display())))?;
                Ok(CheckpointKey {
                    signing: SigningKey::from_bytes(&secret),
                })
            }
            Err(err) => Err(Failure::UnreadableFile(format!(
                "{}: {err}",
                path.display()
            ))),
        }
    }

    fn parse(text: &str) -> Result<CheckpointKey, String> {
        let mut lines = text.lines();
        if lines.next() != Some(KEY_FILE_FIRST_LINE) {
            return Err("not an Azukari checkpoint key".into());
        }
        let secret: [u8; 32] = lines
            .next()
            .and_then(|line| hex::decode(line.trim()).ok())
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or("the key is not 32 bytes in hex")?;
        Ok(CheckpointKey {
            signing: SigningKey::from_bytes(&secret),
        })
    }

    /// The public key, in hex: what the office publishes and auditors check against.
    pub fn public_key(&self) -> String {
        hex::encode(self.signing.verifying_key().to_bytes())
    }

    pub fn sign(&self, head: &Head, at: Instant) -> Checkpoint {
        let signature = self.signing.sign(signed_text(head, at).as_bytes());
        Checkpoint {
            head: head.clone(),
            at,
            public_key: self.public_key(),
            signature: hex::encode(signature.to_bytes()),
        }
    }
}

/// What the signature covers.
fn signed_text(head: &Head, at: Instant) -> String {
    format!("{FIRST_LINE}\nhead {head}\nat {}\n", at.to_rfc3339())
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Checkpoint {
    pub head: Head,
    pub at: Instant,
    /// The signer's public key, in hex.
    pub public_key: String,
    pub signature: String,
}

impl Checkpoint {
    pub fn to_text(&self) -> String {
        format!(
            "{}key {}\nsignature {}\n",
            signed_text(&self.head, self.at),
            self.public_key,
            self.signature
        )
    }

    /// Reads a checkpoint: a checkpoint file, or any text with its five lines in it (a
    /// ledger's text as `pdftotext` gives it, its XLSX info sheet saved as text, lines copied
    /// from a viewer). Says which line is wrong.
    pub fn parse(text: &str) -> Result<Checkpoint, String> {
        let mut lines = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .skip_while(|line| *line != FIRST_LINE);
        if lines.next() != Some(FIRST_LINE) {
            return Err(format!(
                "not an Azukari checkpoint (no line reads '{FIRST_LINE}', its first line)"
            ));
        }
        let mut field = |name: &str| -> Result<String, String> {
            lines
                .next()
                .and_then(|line| line.strip_prefix(name))
                .and_then(|rest| rest.strip_prefix(' '))
                .map(str::to_string)
                .ok_or_else(|| format!("the checkpoint has no '{name}' line where it should"))
        };
        let head: Head = field("head")?.parse()?;
        let at_text = field("at")?;
        let at: Instant = at_text
            .parse()
            .map_err(|err| format!("its instant '{at_text}' cannot be read: {err}"))?;
        let public_key = field("key")?.to_ascii_lowercase();
        let signature = field("signature")?.to_ascii_lowercase();
        Ok(Checkpoint {
            head,
            at,
            public_key,
            signature,
        })
    }

    /// The signature is good, and made by `trusted` (a public key in hex) when given;
    /// otherwise by the key the checkpoint names, which the caller then shows to be compared
    /// with the published one.
    pub fn check_signature(&self, trusted: Option<&str>) -> Result<(), String> {
        if let Some(trusted) = trusted
            && !trusted.trim().eq_ignore_ascii_case(&self.public_key)
        {
            return Err(format!(
                "it was signed by the key {}, not by the key {} it is checked against",
                self.public_key,
                trusted.trim()
            ));
        }
        let key: [u8; 32] = hex::decode(&self.public_key)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or("its key is not 32 bytes in hex")?;
        let key = VerifyingKey::from_bytes(&key).map_err(|_| "its key is not an Ed25519 key")?;
        let signature: [u8; 64] = hex::decode(&self.signature)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or("its signature is not 64 bytes in hex")?;
        key.verify(
            signed_text(&self.head, self.at).as_bytes(),
            &Signature::from_bytes(&signature),
        )
        .map_err(|_| {
            "its signature does not match its head and instant (the checkpoint was altered or forged)"
                .to_string()
        })
    }
}

/// Signs journal heads for one computer (the office server, or a desktop with its own store)
/// and keeps every checkpoint it signs, a file each, outside the store: the interval's, the
/// one asked for, and the one printed on each ledger.
///
/// Before it signs a head it checks that the store still holds the last head it signed for
/// that store. A store rewritten from scratch (new entries, a consistent new chain) would
/// otherwise get its rewritten head signed, and every later ledger would vouch for it; with
/// the check, the first signature after a rewrite is refused and says so.
#[derive(Debug)]
pub struct CheckpointSigner {
    key: CheckpointKey,
    /// The kept checkpoints: a folder per store, named by its first entry's hash.
    folder: PathBuf,
    /// The last head signed, per store (by its first entry's hash): read from the folder on
    /// first use, then kept here.
    last: Mutex<HashMap<String, Option<Checkpoint>>>,
}

/// A head the signer will not sign: the store no longer holds the last head it signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotExtended {
    /// The last checkpoint signed for this store.
    pub signed: Checkpoint,
    /// The store's head now.
    pub head: Head,
    /// The folder the signed checkpoints of this store are kept in.
    pub kept: PathBuf,
}

impl CheckpointSigner {
    /// The key at `key_path` (made on first use) and the kept checkpoints in the folder
    /// `checkpoints` beside it.
    pub fn beside_key(key_path: &Path) -> Result<CheckpointSigner, Failure> {
        let key = CheckpointKey::load_or_create(key_path)?;
        let folder = key_path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .join("checkpoints");
        Ok(CheckpointSigner::new(key, folder))
    }

    pub fn new(key: CheckpointKey, folder: PathBuf) -> CheckpointSigner {
        CheckpointSigner {
            key,
            folder,
            last: Mutex::new(HashMap::new()),
        }
    }

    pub fn public_key(&self) -> String {
        self.key.public_key()
    }

    /// Where the checkpoints of the store whose first entry has `first_hash` are kept.
    pub fn folder_of(&self, first_hash: &str) -> PathBuf {
        // Sixteen hex digits tell stores apart; the whole hash makes a long path on Windows.
        self.folder.join(&first_hash[..first_hash.len().min(16)])
    }

    /// The last head signed for the store that `read` reads, if any.
    pub fn last_signed(&self, read: &Reader<'_>) -> Result<Option<Checkpoint>, Failure> {
        match read.journal_hash_at(1)? {
            Some(first_hash) => self.last_for(&first_hash),
            None => Ok(None),
        }
    }

    /// The last head signed for the store whose first entry has `first_hash`: read from its
    /// folder the first time, remembered after.
    fn last_for(&self, first_hash: &str) -> Result<Option<Checkpoint>, Failure> {
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if !last.contains_key(first_hash) {
            let kept = newest_kept(&self.folder_of(first_hash))?;
            last.insert(first_hash.to_string(), kept);
        }
        Ok(last[first_hash].clone())
    }

    /// Signs `head`, read from the store `read` reads, at `at`, and keeps the checkpoint.
    /// Refused when the store no longer holds the last head signed for it.
    pub fn sign(&self, read: &Reader<'_>, head: &Head, at: Instant) -> Result<Checkpoint, Failure> {
        let Some(first_hash) = read.journal_hash_at(1)? else {
            // An empty journal: nothing to vouch for, and nothing to keep it under.
            return Ok(self.key.sign(head, at));
        };
        if let Some(signed) = self.last_for(&first_hash)? {
            let held = head.seq >= signed.head.seq
                && read.journal_hash_at(signed.head.seq)?.as_deref() == Some(&signed.head.hash);
            if !held {
                return Err(Failure::NotExtended(Box::new(NotExtended {
                    signed,
                    head: head.clone(),
                    kept: self.folder_of(&first_hash),
                })));
            }
        }
        let checkpoint = self.key.sign(head, at);
        let folder = self.folder_of(&first_hash);
        crate::private::create_private_dir(&folder)
            .map_err(|err| Failure::Internal(format!("{}: {err}", folder.display())))?;
        let file = folder.join(format!(
            "{:012}-{}.txt",
            head.seq,
            at.utc().format("%Y%m%dT%H%M%S%3fZ")
        ));
        crate::private::write_private(&file, checkpoint.to_text().as_bytes())
            .map_err(|err| Failure::Internal(format!("{}: {err}", file.display())))?;
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let newer = match last.get(&first_hash) {
            Some(Some(kept)) => kept.head.seq <= head.seq,
            _ => true,
        };
        if newer {
            last.insert(first_hash, Some(checkpoint.clone()));
        }
        Ok(checkpoint)
    }
}

/// The newest checkpoint kept in `folder`: its files are named by head and instant, so the
/// last name is the newest.
fn newest_kept(folder: &Path) -> Result<Option<Checkpoint>, Failure> {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => {
            return Err(Failure::UnreadableFile(format!(
                "{}: {err}",
                folder.display()
            )));
        }
    };
    let newest = entries
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .max();
    let Some(path) = newest else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|err| Failure::UnreadableFile(format!("{}: {err}", path.display())))?;
    let checkpoint = Checkpoint::parse(&text)
        .map_err(|why| Failure::UnreadableFile(format!("{}: {why}", path.display())))?;
    Ok(Some(checkpoint))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(seq: i64) -> Head {
        Head {
            seq,
            hash: "ab".repeat(32),
        }
    }

    #[test]
    fn a_checkpoint_reads_back_and_its_signature_holds_only_unaltered() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys").join("checkpoint.key");
        let key = CheckpointKey::load_or_create(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        // The same key next time.
        assert_eq!(
            CheckpointKey::load_or_create(&path).unwrap().public_key(),
            key.public_key()
        );
        let at: Instant = "2026-11-23T01:00:00Z".parse().unwrap();
        let checkpoint = key.sign(&head(42), at);
        let read = Checkpoint::parse(&checkpoint.to_text()).unwrap();
        assert_eq!(read, checkpoint);
        read.check_signature(None).unwrap();
        read.check_signature(Some(&key.public_key().to_uppercase()))
            .unwrap();

        let text = checkpoint.to_text();
        for (altered, why) in [
            (text.replace("head 42:", "head 43:"), "does not match"),
            (
                text.replace("2026-11-23T01", "2026-11-24T01"),
                "does not match",
            ),
            (
                text.replace(&"ab".repeat(32), &"cd".repeat(32)),
                "does not match",
            ),
        ] {
            let err = Checkpoint::parse(&altered)
                .unwrap()
                .check_signature(None)
                .unwrap_err();
            assert!(err.contains(why), "{err}");
        }
        // Another key's checkpoint, checked against this key.
        let other = CheckpointKey::load_or_create(&dir.path().join("other.key")).unwrap();
        let err = other
            .sign(&head(42), at)
            .check_signature(Some(&key.public_key()))
            .unwrap_err();
        assert!(err.contains("not by the key"), "{err}");
        // A signature moved onto another key's checkpoint.
        let mut forged = other.sign(&head(42), at);
        forged.signature = checkpoint.signature.clone();
        assert!(forged.check_signature(None).is_err());
    }

    #[test]
    fn a_broken_checkpoint_or_key_file_is_named() {
        assert!(
            Checkpoint::parse("hello")
                .unwrap_err()
                .contains("first line")
        );
        let err = Checkpoint::parse("azukari checkpoint 1\nhead 1:zz\n").unwrap_err();
        assert!(err.contains("not a journal head"), "{err}");
        let err = Checkpoint::parse(&format!(
            "azukari checkpoint 1\nhead 1:{}\n",
            "a".repeat(64)
        ))
        .unwrap_err();
        assert!(err.contains("'at'"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checkpoint.key");
        std::fs::write(&path, "something else").unwrap();
        let err = CheckpointKey::load_or_create(&path).unwrap_err();
        assert!(
            err.to_string().contains("not an Azukari checkpoint key"),
            "{err}"
        );
    }
}

#[cfg(test)]
mod hostile {
    use super::*;

    /// An absurd instant, or a head of another length, is named, not signed over.
    #[test]
    fn an_absurd_instant_or_head_in_a_checkpoint_is_named() {
        let hash = "ab".repeat(32);
        for (at, why) in [
            ("99999-01-01T00:00:00Z", "cannot be read"),
            ("2026-02-30T00:00:00Z", "cannot be read"),
            ("yesterday", "cannot be read"),
        ] {
            let text =
                format!("azukari checkpoint 1\nhead 1:{hash}\nat {at}\nkey 00\nsignature 00\n");
            let err = Checkpoint::parse(&text).unwrap_err();
            assert!(err.contains(why) && err.contains(at), "{at}: {err}");
        }
        let text = format!("azukari checkpoint 1\nhead -1:{hash}\nat 2026-11-23T00:00:00Z\n");
        assert!(Checkpoint::parse(&text).is_err());
    }

    /// A file put among the kept checkpoints that is not one (a careless copy, a hostile
    /// hand) stops the signing of that store, naming the file, instead of being taken as the
    /// last head signed.
    #[test]
    fn a_damaged_kept_checkpoint_stops_signing_and_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let mut desk = crate::Desk::open(&dir.path().join("s.db")).unwrap();
        let now: Instant = "2026-11-23T01:00:00Z".parse().unwrap();
        desk.init(
            "株式会社サンプル",
            "admin",
            "correct horse battery",
            "Asia/Tokyo",
            now,
        )
        .unwrap();
        let key = dir.path().join("keys").join("checkpoint.key");
        let read = desk.store().read();
        let (seq, hash) = read.journal_head().unwrap();
        let head = Head { seq, hash };
        let signer = CheckpointSigner::beside_key(&key).unwrap();
        signer.sign(&read, &head, now).unwrap();
        let folder = signer.folder_of(&read.journal_hash_at(1).unwrap().unwrap());
        std::fs::write(folder.join("999999999999-x.txt"), "not a checkpoint").unwrap();
        // As a restarted server finds the folder.
        let restarted = CheckpointSigner::beside_key(&key).unwrap();
        let err = restarted.sign(&read, &head, now).unwrap_err();
        assert!(err.to_string().contains("999999999999-x.txt"), "{err}");
    }
}
