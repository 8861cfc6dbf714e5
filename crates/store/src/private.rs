//! Files only their owner may read. A store holds everyone's names, e-mail addresses and
//! password hashes; its WAL and SHM hold the same pages; backups and ledgers copy them. On
//! Unix each is created (or tightened) to 0600 and the data folder to 0700, whatever the
//! umask. On Windows the files inherit the ACL of the user's profile folder, which only that
//! user (and administrators) may read.

use std::fs::File;
use std::io;
use std::path::Path;

/// Makes `folder` (and its parents) and closes it to everyone but its owner.
pub fn create_private_dir(folder: &Path) -> io::Result<()> {
    std::fs::create_dir_all(folder)?;
    restrict(folder, 0o700)
}

/// Creates (or truncates) `path` readable and writable by its owner only.
pub fn create_private_file(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path)?;
    // An existing file keeps its old mode through `open`: tighten it too.
    restrict(path, 0o600)?;
    Ok(file)
}

/// Writes `bytes` to `path` beside it first (`PATH.partial`, private too) and renames, so a
/// failure never leaves a half-written file at `path`.
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let partial = partial_path(path);
    let written = create_private_file(&partial)
        .and_then(|mut file| io::Write::write_all(&mut file, bytes).and_then(|()| file.sync_all()))
        .and_then(|()| std::fs::rename(&partial, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

/// A store's own files: the database, and its WAL and SHM when they are there. SQLite creates
/// the WAL and SHM with the database's mode, so a private database keeps them private; an
/// existing store made before this is tightened on open.
pub fn make_store_private(path: &Path) -> io::Result<()> {
    if !path.exists() {
        create_private_file(path)?;
    }
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
        if file.exists() {
            restrict(&file, 0o600)?;
        }
    }
    Ok(())
}

/// Closes an existing file to everyone but its owner (a log appended to, say).
pub fn make_file_private(path: &Path) -> io::Result<()> {
    restrict(path, 0o600)
}

/// `PATH.partial` beside `path`, or `None` when `path` names no file.
pub fn partial_path_of(path: &Path) -> Option<std::path::PathBuf> {
    path.file_name().map(|_| partial_path(path))
}

pub(crate) fn partial_path(path: &Path) -> std::path::PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let current = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if current != mode {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn files_and_folders_are_closed_to_others_even_when_they_were_open() {
        let dir = tempfile::tempdir().unwrap();
        let open = dir.path().join("ledger.pdf");
        std::fs::write(&open, b"old").unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o666)).unwrap();
        write_private(&open, b"new").unwrap();
        assert_eq!(
            mode(&open),
            0o600,
            "an existing file is tightened, not kept"
        );
        assert_eq!(std::fs::read(&open).unwrap(), b"new");
        assert!(!dir.path().join("ledger.pdf.partial").exists());

        let folder = dir.path().join("data/azukari");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
        create_private_dir(&folder).unwrap();
        assert_eq!(mode(&folder), 0o700);

        let store = folder.join("azukari.db");
        make_store_private(&store).unwrap();
        assert_eq!(mode(&store), 0o600, "made before SQLite writes to it");
        let wal = folder.join("azukari.db-wal");
        std::fs::write(&wal, b"").unwrap();
        std::fs::set_permissions(&wal, std::fs::Permissions::from_mode(0o644)).unwrap();
        make_store_private(&store).unwrap();
        assert_eq!(mode(&wal), 0o600, "a WAL left open by an older version");
    }
}
