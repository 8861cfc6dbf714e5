//! Errors the window cannot show: a windowed app has no terminal to print to (on Windows its
//! standard error goes nowhere), so they are appended to `azukari.log` in the data folder,
//! private to its owner like the store beside it.

use std::io::Write;
use std::path::PathBuf;

/// Past this the log starts over, keeping the previous one as `azukari.log.1`.
const KEEP_BYTES: u64 = 1024 * 1024;

/// Azukari's folder in the user's data directory (`~/.local/share/azukari` on Linux,
/// `%APPDATA%\Azukari` on Windows).
pub fn data_dir() -> Option<PathBuf> {
    azukari_platform::folders::data_dir()
}

pub fn path() -> Option<PathBuf> {
    data_dir().map(|dir| azukari_platform::folders::log_file(&dir))
}

/// Appends one line; a log that cannot be written is not worth failing for.
pub fn error(message: &str) {
    eprintln!("azukari: {message}");
    let Some(path) = path() else { return };
    let Some(folder) = path.parent() else { return };
    if azukari_api::private::create_private_dir(folder).is_err() {
        return;
    }
    if std::fs::metadata(&path).is_ok_and(|m| m.len() > KEEP_BYTES) {
        let _ = std::fs::rename(&path, path.with_extension("log.1"));
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    if let Ok(mut file) = options.open(&path) {
        // A log made by an older version, or copied in, may be readable by others.
        let _ = azukari_api::private::make_file_private(&path);
        let at = crate::now()
            .map(|at| at.to_string())
            .unwrap_or_else(|_| "(clock unreadable)".into());
        let _ = writeln!(file, "{at} {message}");
    }
}

/// A panic anywhere (the UI thread, a command, the integrity check) goes to the log with its
/// place, as well as to standard error, which a windowed app on Windows does not have.
pub fn panics_to_the_log() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        error(&format!("panic: {info}"));
        default(info);
    }));
}

/// Logs what stopped the app from starting, tells the person where they will see it (a message
/// box on Windows, where a windowed app has no standard error), then ends it with `code`.
pub fn fatal(message: &str, code: i32) -> ! {
    error(message);
    let log = path().map(|path| path.display().to_string());
    let text = azukari_platform::dialog::fatal_text(message, log.as_deref(), crate::japanese());
    azukari_platform::dialog::show_error("Azukari", &text);
    std::process::exit(code)
}
