//! What this computer keeps of each office server: the last journal head it saw, and the
//! session tokens of `azukari login`. In the data folder, private to the user (0600 files in
//! a 0700 folder on Unix; the profile's ACL on Windows), one folder per server.

use azukari_api::domain::journal::Head;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct Kept {
    /// `None` keeps everything in memory, for one process's life.
    folder: Option<PathBuf>,
    memory: Arc<Mutex<HashMap<String, String>>>,
}

impl Kept {
    /// Kept in `folder` (made private if missing).
    pub fn in_folder(folder: &Path) -> Kept {
        Kept {
            folder: Some(folder.to_path_buf()),
            memory: Arc::default(),
        }
    }

    /// Kept for this process only.
    pub fn in_memory() -> Kept {
        Kept {
            folder: None,
            memory: Arc::default(),
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
        self.read_text(url, &Kept::token_name(login))
            .map(|t| t.trim().to_string())
    }

    pub fn keep_token(&self, url: &str, login: &str, token: &str) -> std::io::Result<()> {
        self.write_text(url, &Kept::token_name(login), token)?;
        self.write_text(url, "last-login", login.trim())
    }

    pub fn forget_token(&self, url: &str, login: &str) {
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
