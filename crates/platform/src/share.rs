//! Folders a store must not live in: network file systems, where SQLite's file locks (and so its
//! write-ahead log) are not safe. On Linux the mount table says which file system a folder is on;
//! on Windows the path's form (`\\server\share`, `\\?\UNC\…`) and the drive's type (a mapped
//! network drive) say it. Either way the folder is looked at twice: as given, and with every
//! symlink and junction resolved, so a link to a share is refused like the share.

use std::path::Path;

/// What is wrong with keeping a store in `folder` (as the person gave it) whose resolved form is
/// `canonical`: `None` when it is a local folder, else the network file system or share, for the
/// error message.
pub fn network_location(folder: &Path, canonical: &Path) -> Option<String> {
    #[cfg(windows)]
    {
        [folder, canonical].into_iter().find_map(|path| {
            windows_network_location(&path.to_string_lossy(), crate::windows::drive_kind)
        })
    }
    #[cfg(not(windows))]
    {
        let _ = folder;
        let table = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
        network_filesystem(&table, canonical)
    }
}

const NETWORK_FILE_SYSTEMS: &[&str] = &[
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "smbfs",
    "ncpfs",
    "afs",
    "9p",
    "fuse.sshfs",
    "davfs",
    "fuse.davfs2",
    // GNOME Files' SMB and SFTP folders, rclone's remotes, cluster file systems.
    "fuse.gvfsd-fuse",
    "fuse.rclone",
    "ceph",
    "fuse.ceph",
    "glusterfs",
    "fuse.glusterfs",
    "lustre",
];

/// The network file system `folder` is on, read from a `/proc/self/mountinfo` table: the
/// mount whose mount point is the longest prefix of the folder decides.
pub fn network_filesystem(mountinfo: &str, folder: &Path) -> Option<String> {
    let mut best: Option<(usize, String)> = None;
    for line in mountinfo.lines() {
        // Fields: id parent major:minor root mount-point options [optional…] - fstype source …
        let fields: Vec<&str> = line.split(' ').collect();
        let Some(dash) = fields.iter().position(|f| *f == "-") else {
            continue;
        };
        let (Some(mount_point), Some(fs_type)) = (fields.get(4), fields.get(dash + 1)) else {
            continue;
        };
        let mount_point = unescape_octal(mount_point);
        if folder.starts_with(&mount_point)
            && best
                .as_ref()
                .is_none_or(|(len, _)| mount_point.len() >= *len)
        {
            best = Some((mount_point.len(), fs_type.to_string()));
        }
    }
    best.map(|(_, fs)| fs)
        .filter(|fs| NETWORK_FILE_SYSTEMS.contains(&fs.as_str()))
}

/// The kernel writes a space, tab, line feed and backslash in a mount point as `\040`, `\011`,
/// `\012` and `\134`.
fn unescape_octal(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && let Some(code) = bytes
                .get(i + 1..i + 4)
                .and_then(|digits| std::str::from_utf8(digits).ok())
                .and_then(|digits| u8::from_str_radix(digits, 8).ok())
        {
            out.push(code);
            i += 4;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Where a Windows path points, by its form alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WindowsPlace {
    /// `C:\…`, `\\?\C:\…`, `\\.\C:\…`: a drive letter, local or mapped.
    Drive(char),
    /// `\\server\share\…`, `\\?\UNC\server\share\…`, or the redirector's device
    /// (`\\?\GLOBALROOT\Device\Mup\server\share\…`): always the network.
    Share { server: String, share: String },
    /// `\\?\Volume{…}\…`, `\\?\GLOBALROOT\Device\HarddiskVolume3\…`: a local volume.
    Device,
    /// A device path of no known kind: refused, since it cannot be shown to be local.
    Unknown,
    /// No root: resolved against the current folder, which is looked at on its own.
    Relative,
}

/// The kind of drive a letter is, as GetDriveTypeW tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriveKind {
    Local,
    Network,
}

/// Reads a Windows path's form. Either slash separates; prefixes are matched without regard to
/// case, as Windows does. Inside the object namespace (`\\?\`, `\\.\`, `\??\`) the aliases that
/// lead back to the same place (`GLOBALROOT\`, `Global\`, `GLOBAL??\`, `DosDevices\`, `??\`) are
/// followed; a device that is neither a disk volume nor a known redirector is taken as network,
/// so that an unknown form is refused rather than let through.
pub fn windows_place(path: &str) -> WindowsPlace {
    let path = path.replace('/', "\\");
    let upper = path.to_ascii_uppercase();
    let Some(namespace) = ["\\\\?\\", "\\\\.\\", "\\??\\"]
        .into_iter()
        .find(|prefix| upper.starts_with(prefix))
    else {
        if let Some(rest) = path.strip_prefix("\\\\") {
            return share_of(rest);
        }
        return match drive_letter(&path) {
            Some(letter) => WindowsPlace::Drive(letter),
            None => WindowsPlace::Relative,
        };
    };
    let mut rest = &path[namespace.len()..];
    'aliases: loop {
        for alias in [
            "GLOBALROOT\\",
            "GLOBAL??\\",
            "GLOBAL\\",
            "DOSDEVICES\\",
            "??\\",
        ] {
            if rest.to_ascii_uppercase().starts_with(alias) {
                rest = &rest[alias.len()..];
                continue 'aliases;
            }
        }
        break;
    }
    let upper = rest.to_ascii_uppercase();
    if upper.starts_with("UNC\\") {
        return share_of(&rest[4..]);
    }
    if let Some(letter) = drive_letter(rest) {
        return WindowsPlace::Drive(letter);
    }
    if upper.starts_with("VOLUME{") {
        return WindowsPlace::Device;
    }
    if let Some(device) = upper.strip_prefix("DEVICE\\") {
        let name = device.split('\\').next().unwrap_or_default();
        if name == "MUP" || name.ends_with("REDIRECTOR") {
            return share_of(&rest["DEVICE\\".len() + name.len()..]);
        }
        if ["HARDDISKVOLUME", "HARDDISK", "CDROM", "FLOPPY"]
            .iter()
            .any(|local| name.starts_with(local))
        {
            return WindowsPlace::Device;
        }
    }
    WindowsPlace::Unknown
}

/// `server\share\…` (after the leading backslashes) as a share.
fn share_of(rest: &str) -> WindowsPlace {
    let mut names = rest.split('\\').filter(|part| !part.is_empty());
    WindowsPlace::Share {
        server: names.next().unwrap_or_default().to_string(),
        share: names.next().unwrap_or_default().to_string(),
    }
}

fn drive_letter(path: &str) -> Option<char> {
    let mut chars = path.chars();
    match (chars.next(), chars.next()) {
        (Some(letter), Some(':')) if letter.is_ascii_alphabetic() => {
            Some(letter.to_ascii_uppercase())
        }
        _ => None,
    }
}

/// The network share (`\\server\share`) or mapped drive (`Z:`) a Windows path is on, for the
/// error message; `None` for a local one. `drive_kind` answers for a drive letter (GetDriveTypeW on Windows).
pub fn windows_network_location(
    path: &str,
    drive_kind: impl Fn(char) -> DriveKind,
) -> Option<String> {
    match windows_place(path) {
        WindowsPlace::Share { server, share } => Some(format!("\\\\{server}\\{share}")),
        WindowsPlace::Drive(letter) if drive_kind(letter) == DriveKind::Network => {
            Some(format!("{letter}:"))
        }
        WindowsPlace::Unknown => Some(path.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(_: char) -> DriveKind {
        DriveKind::Local
    }

    fn z_is_mapped(letter: char) -> DriveKind {
        if letter == 'Z' {
            DriveKind::Network
        } else {
            DriveKind::Local
        }
    }

    #[test]
    fn unc_paths_in_every_spelling_are_shares() {
        for path in [
            r"\\fileserver\総務\azukari",
            r"//fileserver/総務/azukari",
            r"\\?\UNC\fileserver\総務\azukari",
            r"\\?\unc\fileserver\総務",
            r"\\.\UNC\fileserver\総務\x",
            r"\\?\GLOBALROOT\Device\Mup\fileserver\総務\x",
            r"\??\UNC\fileserver\総務\x",
            r"\\?\Global\UNC\fileserver\総務\x",
            r"\\?\GLOBALROOT\??\UNC\fileserver\総務\x",
            r"\\?\GLOBALROOT\GLOBAL??\UNC\fileserver\総務\x",
            r"\\.\GLOBALROOT\Device\LanmanRedirector\fileserver\総務",
            r"\??\GLOBALROOT\Device\Mup\fileserver\総務\x",
            r"\\?\GLOBALROOT\Device\WebDavRedirector\fileserver\総務\x",
        ] {
            assert_eq!(
                windows_place(path),
                WindowsPlace::Share {
                    server: "fileserver".into(),
                    share: "総務".into()
                },
                "{path}"
            );
            assert_eq!(
                windows_network_location(path, local).as_deref(),
                Some(r"\\fileserver\総務"),
                "{path}"
            );
        }
    }

    #[test]
    fn the_loopback_and_wsl_shares_are_shares_too() {
        // SMB to this very machine and WSL's 9P server lock no better than a remote share.
        for path in [
            r"\\localhost\C$\data",
            r"\\127.0.0.1\c$\data",
            r"\\wsl$\Debian\home",
            r"\\wsl.localhost\Ubuntu\x",
        ] {
            assert!(windows_network_location(path, local).is_some(), "{path}");
        }
    }

    #[test]
    fn local_drives_and_volumes_are_kept() {
        for path in [
            r"C:\Users\山田\AppData\Roaming\Azukari",
            r"c:/data",
            r"\\?\C:\Users\山田",
            r"\\.\D:\x",
            r"\\?\Volume{0b1c2d3e-0000-0000-0000-100000000000}\data",
            r"D:",
            r"data\azukari",
        ] {
            assert_eq!(windows_network_location(path, z_is_mapped), None, "{path}");
        }
        assert_eq!(windows_place(r"\\?\c:\x"), WindowsPlace::Drive('C'));
        assert_eq!(windows_place(r"relative\x"), WindowsPlace::Relative);
    }

    #[test]
    fn a_device_of_no_known_kind_is_refused_and_a_disk_volume_kept() {
        assert_eq!(
            windows_place(r"\\?\GLOBALROOT\Device\HarddiskVolume3\data"),
            WindowsPlace::Device
        );
        for path in [r"\\?\GLOBALROOT\Device\SomethingNew\x", r"\\.\pipe\azukari"] {
            assert_eq!(
                windows_network_location(path, local).as_deref(),
                Some(path),
                "{path}"
            );
        }
    }

    #[test]
    fn a_mapped_network_drive_is_refused_by_its_letter() {
        for path in [
            r"Z:\総務\azukari",
            r"z:\x",
            r"\\?\Z:\x",
            r"\\?\GLOBALROOT\DosDevices\Z:\x",
            r"\\?\Global\Z:\x",
        ] {
            assert_eq!(
                windows_network_location(path, z_is_mapped).as_deref(),
                Some("Z:"),
                "{path}"
            );
        }
    }

    #[test]
    fn a_junction_resolved_to_a_share_is_refused_even_when_the_path_given_looks_local() {
        // `C:\data` is a junction; std::fs::canonicalize resolves it to the share's \\?\UNC form.
        let given = Path::new(r"C:\data");
        let resolved = r"\\?\UNC\nas\backup\data";
        let found = [given.to_str().unwrap_or(""), resolved]
            .into_iter()
            .find_map(|path| windows_network_location(path, local));
        assert_eq!(found.as_deref(), Some(r"\\nas\backup"));
    }

    const MOUNTINFO: &str = "\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
40 22 0:35 / /mnt/share rw,relatime shared:2 - nfs4 server:/export rw
41 22 0:36 / /mnt/office\\040files rw - cifs //server/office rw
42 40 8:2 / /mnt/share/local rw - ext4 /dev/sdb1 rw
43 22 0:37 / /run/user/1000/gvfs rw - fuse.gvfsd-fuse gvfsd-fuse rw
44 22 0:38 / /mnt/tab\\011and\\134slash rw - nfs4 server:/x rw";

    #[test]
    fn the_longest_mount_point_decides_on_linux() {
        assert_eq!(network_filesystem(MOUNTINFO, Path::new("/home/me")), None);
        assert_eq!(
            network_filesystem(MOUNTINFO, Path::new("/mnt/share/x")).as_deref(),
            Some("nfs4")
        );
        assert_eq!(
            network_filesystem(MOUNTINFO, Path::new("/mnt/office files/a")).as_deref(),
            Some("cifs")
        );
        assert_eq!(
            network_filesystem(MOUNTINFO, Path::new("/mnt/share/local/y")),
            None
        );
        assert_eq!(
            network_filesystem(
                MOUNTINFO,
                Path::new("/run/user/1000/gvfs/smb-share:server=nas")
            ),
            Some("fuse.gvfsd-fuse".into())
        );
        assert_eq!(
            network_filesystem(MOUNTINFO, Path::new("/mnt/tab\tand\\slash/x")).as_deref(),
            Some("nfs4")
        );
    }
}
