//! How the desktop tells of an error that stops it before (or instead of) its window. A Windows
//! GUI program has no standard error: what it prints there is lost, so the message goes to a
//! message box as well as to the log. On Linux standard error reaches the terminal or the
//! session's journal, and the log has it too.

/// The text of the message box: what went wrong, and where the log is for whoever helps.
pub fn fatal_text(message: &str, log: Option<&str>, japanese: bool) -> String {
    match (log, japanese) {
        (Some(log), true) => {
            format!("Azukari を起動できませんでした。\n\n{message}\n\n記録: {log}")
        }
        (None, true) => format!("Azukari を起動できませんでした。\n\n{message}"),
        (Some(log), false) => format!("Azukari could not start.\n\n{message}\n\nLog: {log}"),
        (None, false) => format!("Azukari could not start.\n\n{message}"),
    }
}

/// Shows `text` in an error message box and waits for OK, where the platform has no other way
/// to reach the person (Windows); elsewhere standard error and the log already have it.
pub fn show_error(title: &str, text: &str) {
    #[cfg(windows)]
    crate::windows::message_box(title, text);
    #[cfg(not(windows))]
    let _ = (title, text);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_names_the_log_in_the_users_language() {
        let text = fatal_text(
            "保存先 Z:\\azukari.db はネットワーク上にあります",
            Some(r"C:\Users\山田\AppData\Roaming\Azukari\azukari.log"),
            true,
        );
        assert!(
            text.starts_with("Azukari を起動できませんでした。"),
            "{text}"
        );
        assert!(text.contains("ネットワーク上"), "{text}");
        assert!(text.ends_with(r"記録: C:\Users\山田\AppData\Roaming\Azukari\azukari.log"));
        assert_eq!(
            fatal_text("no data directory", None, false),
            "Azukari could not start.\n\nno data directory"
        );
    }
}
