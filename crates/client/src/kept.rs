//! What this computer keeps of each office server: the last journal head it saw, and the
//! session tokens of `azukari login` and the desktop. In the data folder, private to the user
//! (0600 files in a 0700 folder on Unix; the profile's ACL on Windows), one folder per server;
//! a session token goes to the operating system's credential store instead where there is one
//! (Windows Credential Manager; the Secret Service of GNOME Keyring or KWallet), so a copy of
//! the data folder holds no session.

use azukari_api::domain::journal::Head;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct Kept {
    /// `None` keeps everything in memory, for one process's life.
    folder: Option<PathBuf>,
    memory: Arc<Mutex<HashMap<String, String>>>,
    /// Session tokens go to the operating system's credential store when it answers.
    credential_store: bool,
}

/// Where a session token was kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPlace {
    CredentialStore,
    /// A 0600 file in the data folder: there is no credential store, or it did not answer.
    File,
    Memory,
}

impl TokenPlace {
    pub fn describe(self) -> &'static str {
        match self {
            TokenPlace::CredentialStore => "in the system's credential store",
            TokenPlace::File => "in a file only you can read",
            TokenPlace::Memory => "for this run only",
        }
    }
}

/// `AZUKARI_TOKEN_STORE=file` keeps tokens in files even where a credential store answers: for
/// a shared service account, or a test that must not touch the user's keyring.
pub const TOKEN_STORE_ENV: &str = "AZUKARI_TOKEN_STORE";

impl Kept {
    /// Kept in `folder` (made private if missing), session tokens too.
    pub fn in_folder(folder: &Path) -> Kept {
        Kept {
            folder: Some(folder.to_path_buf()),
            memory: Arc::default(),
            credential_store: false,
        }
    }

    /// Kept in `folder`, session tokens in the operating system's credential store where one
    /// answers (unless `AZUKARI_TOKEN_STORE=file`), else in `folder` too.
    pub fn for_this_user(folder: &Path) -> Kept {
        Kept {
            credential_store: std::env::var(TOKEN_STORE_ENV).as_deref() != Ok("file"),
            ..Kept::in_folder(folder)
        }
    }

    /// Kept for this process only.
    pub fn in_memory() -> Kept {
        Kept {
            folder: None,
            memory: Arc::default(),
            credential_store: false,
        }
    }

    /// One folder per server, named by its address with everything but letters and digits
    /// replaced: `https://office.example:8443` → `https___office.example_8443`.
    fn file(&self, url: &str, name: &str) -> Option<PathBuf> {
        let server: String = url
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        Some(
            self.folder
                .as_ref()?
                .join("servers")
                .join(server)
                .join(name),
        )
    }

    pub(crate) fn read_text(&self, url: &str, name: &str) -> Option<String> {
        match self.file(url, name) {
            Some(path) => std::fs::read_to_string(path).ok(),
            None => self
                .memory
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(&format!("{url}\n{name}"))
                .cloned(),
        }
    }

    pub(crate) fn write_text(&self, url: &str, name: &str, text: &str) -> std::io::Result<()> {
        match self.file(url, name) {
            Some(path) => {
                let folder = path.parent().expect("a file in a folder");
                // Each level private: the servers folder names which servers this user uses.
                if let Some(servers) = folder.parent() {
                    azukari_api::private::create_private_dir(servers)?;
                }
                azukari_api::private::create_private_dir(folder)?;
                let partial = azukari_api::private::partial_path_of(&path)
                    .unwrap_or_else(|| path.with_extension("partial"));
                azukari_api::private::write_private(&partial, text.as_bytes())?;
                std::fs::rename(&partial, &path)
            }
            None => {
                self.memory
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(format!("{url}\n{name}"), text.to_string());
                Ok(())
            }
        }
    }

    fn remove(&self, url: &str, name: &str) {
        match self.file(url, name) {
            Some(path) => {
                let _ = std::fs::remove_file(path);
            }
            None => {
                self.memory
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&format!("{url}\n{name}"));
            }
        }
    }

    /// The last journal head seen from the server.
    pub fn head(&self, url: &str) -> Option<Head> {
        self.read_text(url, "journal-head")?.parse().ok()
    }

    /// Keeps `head` unless a later one is kept already (another process may have seen more).
    pub fn keep_head(&self, url: &str, head: &Head) {
        if self.head(url).is_some_and(|kept| kept.seq >= head.seq) {
            return;
        }
        // Losing this write only weakens the next check to this run's; it refuses nothing.
        let _ = self.write_text(url, "journal-head", &format!("{}:{}", head.seq, head.hash));
    }

    /// Forgets the head seen: only after the security office has confirmed that the server's
    /// journal is the office's (a restore they made on purpose).
    pub fn forget_head(&self, url: &str) {
        self.remove(url, "journal-head");
    }

    fn token_name(login: &str) -> String {
        format!("token-{}", hex::encode(login.trim()))
    }

    pub fn token(&self, url: &str, login: &str) -> Option<String> {
        if self.credential_store
            && let Ok(Some(token)) = credential_store::token(url, login)
        {
            return Some(token);
        }
        // Kept in a file: no credential store answered when it was kept, or before this
        // version kept tokens there.
        self.read_text(url, &Kept::token_name(login))
            .map(|t| t.trim().to_string())
    }

    /// Keeps the session's token for the next run, and says where.
    pub fn keep_token(&self, url: &str, login: &str, token: &str) -> std::io::Result<TokenPlace> {
        let place =
            if self.credential_store && credential_store::keep_token(url, login, token).is_ok() {
                // One place only: a file left from before would outlive a logout elsewhere.
                self.remove(url, &Kept::token_name(login));
                TokenPlace::CredentialStore
            } else {
                self.write_text(url, &Kept::token_name(login), token)?;
                if self.folder.is_some() {
                    TokenPlace::File
                } else {
                    TokenPlace::Memory
                }
            };
        self.write_text(url, "last-login", login.trim())?;
        Ok(place)
    }

    pub fn forget_token(&self, url: &str, login: &str) {
        if self.credential_store {
            // Gone or never there is the same; a store that does not answer keeps nothing.
            let _ = credential_store::forget_token(url, login);
        }
        self.remove(url, &Kept::token_name(login));
        if self.last_login(url).as_deref() == Some(login.trim()) {
            self.remove(url, "last-login");
        }
    }

    /// The login of the last session kept for the server: the desktop resumes it at start.
    pub fn last_login(&self, url: &str) -> Option<String> {
        self.read_text(url, "last-login")
            .map(|login| login.trim().to_string())
            .filter(|login| !login.is_empty())
    }
}

/// The operating system's credential store, through the keyring crate. Each call runs on a
/// thread of its own: the Secret Service client must not run on an async runtime's thread
/// (the desktop's commands do), and a store that never answers must not hang the app.
mod credential_store {
    use std::time::Duration;

    const SERVICE: &str = "Azukari";

    /// Long enough for a person to unlock their keyring when the system asks them to.
    const PATIENCE: Duration = Duration::from_secs(60);

    /// One entry per login and server: the same person may use two offices' servers.
    fn entry(url: &str, login: &str) -> keyring::Result<keyring::Entry> {
        keyring::Entry::new(SERVICE, &format!("{} @ {url}", login.trim()))
    }

    fn on_own_thread<T: Send + 'static>(
        work: impl FnOnce() -> keyring::Result<T> + Send + 'static,
    ) -> Result<T, String> {
        let (answer, answered) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("azukari-credential-store".into())
            .spawn(move || {
                let _ = answer.send(work());
            })
            .map_err(|err| err.to_string())?;
        match answered.recv_timeout(PATIENCE) {
            Ok(result) => result.map_err(|err| err.to_string()),
            Err(_) => Err("the credential store did not answer".into()),
        }
    }

    pub fn token(url: &str, login: &str) -> Result<Option<String>, String> {
        let (url, login) = (url.to_string(), login.to_string());
        on_own_thread(move || match entry(&url, &login)?.get_password() {
            Ok(token) => Ok(Some(token)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(err),
        })
    }

    pub fn keep_token(url: &str, login: &str, token: &str) -> Result<(), String> {
        let (url, login, token) = (url.to_string(), login.to_string(), token.to_string());
        on_own_thread(move || entry(&url, &login)?.set_password(&token))
    }

    pub fn forget_token(url: &str, login: &str) -> Result<(), String> {
        let (url, login) = (url.to_string(), login.to_string());
        on_own_thread(move || match entry(&url, &login)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(err),
        })
    }
}
