//! Where Azukari keeps its files when the person names no other place.
//!
//! Linux: `$XDG_DATA_HOME/azukari` (`~/.local/share/azukari`). Windows: `%APPDATA%\Azukari`,
//! the roaming application data folder, read from the known-folder API rather than the
//! variable. Who may read it: on Linux the folder is made 0700 and the files 0600
//! (`azukari_store::private`); on Windows the folder inherits the profile's ACL, which grants
//! the user, SYSTEM and Administrators and nobody else (see ARCHITECTURE.md, "Files private to
//! their owner"). Where an organisation redirects `%APPDATA%` to a file server, the folder is on
//! a share and the store refuses to open there, saying so; `--store` names a local place.

use std::path::{Path, PathBuf};

/// The operating systems Azukari is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    Windows,
}

impl Os {
    pub const THIS: Os = if cfg!(windows) {
        Os::Windows
    } else {
        Os::Linux
    };
}

/// Azukari's folder inside the platform's data folder: Windows names folders as products are
/// named, Linux in lower case.
pub fn app_folder(data_folder: &Path, os: Os) -> PathBuf {
    data_folder.join(match os {
        Os::Windows => "Azukari",
        Os::Linux => "azukari",
    })
}

/// Azukari's data folder on this machine, not yet created.
pub fn data_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|base| app_folder(&base, Os::THIS))
}

/// Azukari's configuration folder on this machine, not yet created: the checkpoint key is
/// kept here, apart from the data folder the default store is in. On Windows the same roaming
/// folder as the data.
pub fn config_dir() -> Option<PathBuf> {
    dirs::config_dir().map(|base| app_folder(&base, Os::THIS))
}

/// The key checkpoints are signed with, in the configuration folder; the checkpoints it
/// signs are kept in `checkpoints` beside it.
pub fn checkpoint_key(config_dir: &Path) -> PathBuf {
    config_dir.join("checkpoint.key")
}

/// This computer's checkpoint key when none is named: `AZUKARI_CHECKPOINT_KEY`, or
/// [`checkpoint_key`] in the configuration folder.
pub fn checkpoint_key_file() -> Option<PathBuf> {
    match std::env::var_os("AZUKARI_CHECKPOINT_KEY") {
        Some(path) => Some(PathBuf::from(path)),
        None => config_dir().map(|dir| checkpoint_key(&dir)),
    }
}

/// The store used when none is named.
pub fn default_store(data_dir: &Path) -> PathBuf {
    data_dir.join("azukari.db")
}

/// The desktop's log file, beside the default store.
pub fn log_file(data_dir: &Path) -> PathBuf {
    data_dir.join("azukari.log")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_is_named_as_each_platform_names_them() {
        let roaming = Path::new(r"C:\Users\山田\AppData\Roaming");
        assert_eq!(
            app_folder(roaming, Os::Windows),
            roaming.join("Azukari"),
            "%APPDATA%\\Azukari"
        );
        let share = Path::new("/home/yamada/.local/share");
        assert_eq!(app_folder(share, Os::Linux), share.join("azukari"));
        assert_eq!(
            default_store(&app_folder(share, Os::Linux)),
            Path::new("/home/yamada/.local/share/azukari/azukari.db")
        );
    }
}
