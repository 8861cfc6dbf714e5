//! Text for a console, or for whatever standard output is redirected to.
//!
//! A console shows Japanese whatever its code page: on Windows the standard library writes to a
//! console in UTF-16 (WriteConsoleW), so the text needs nothing from us there. Redirected output
//! is bytes, and what reads them decides their encoding: on a Japanese Windows that is the
//! console's code page, 932 (PowerShell decodes a program's output with it, `type` and `findstr`
//! show it), so redirected output is CP932 where the code page is 932 and UTF-8 elsewhere, as
//! Python does. `AZUKARI_OUTPUT_ENCODING` (`utf-8` or `cp932`) overrides either way.
//!
//! CP932 lacks some characters people's names are written with (𠮷, 𩸽); they are written as
//! `&#NNNNN;`, which loses nothing and is visibly not the character.

use std::borrow::Cow;
use std::io::{IsTerminal, Write};
use std::sync::OnceLock;

/// The variable that sets redirected output's encoding.
pub const ENCODING_VARIABLE: &str = "AZUKARI_OUTPUT_ENCODING";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Cp932,
}

/// The encoding of redirected output: the variable's if it is set, else by the code page of the
/// console (Windows), else UTF-8. An unknown value is an error that names the variable.
pub fn redirected_encoding(
    setting: Option<&str>,
    code_page: Option<u32>,
) -> Result<TextEncoding, String> {
    if let Some(setting) = setting.map(str::trim).filter(|s| !s.is_empty()) {
        return match setting
            .to_ascii_lowercase()
            .replace(['-', '_'], "")
            .as_str()
        {
            "utf8" | "65001" => Ok(TextEncoding::Utf8),
            "cp932" | "932" | "shiftjis" | "sjis" | "windows31j" => Ok(TextEncoding::Cp932),
            _ => Err(format!(
                "{ENCODING_VARIABLE}={setting}: expected utf-8 or cp932"
            )),
        };
    }
    Ok(match code_page {
        Some(932) => TextEncoding::Cp932,
        _ => TextEncoding::Utf8,
    })
}

/// `text` in `encoding`; a character CP932 lacks becomes `&#NNNNN;`.
pub fn encode(text: &str, encoding: TextEncoding) -> Cow<'_, [u8]> {
    match encoding {
        TextEncoding::Utf8 => Cow::Borrowed(text.as_bytes()),
        TextEncoding::Cp932 => {
            // encoding_rs writes what Shift_JIS lacks as a decimal character reference.
            let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(text);
            bytes
        }
    }
}

/// The code page text redirected from a console is read with: the console's output code page,
/// or the system's ANSI code page when there is no console. `None` off Windows.
pub fn code_page() -> Option<u32> {
    #[cfg(windows)]
    {
        crate::windows::output_code_page()
    }
    #[cfg(not(windows))]
    {
        None
    }
}

/// Standard output, decided once per process.
pub fn out() -> Console {
    static OUT: OnceLock<Console> = OnceLock::new();
    *OUT.get_or_init(Console::stdout)
}

/// Standard error, decided once per process.
pub fn err() -> Console {
    static ERR: OnceLock<Console> = OnceLock::new();
    *ERR.get_or_init(Console::stderr)
}

/// Standard output or standard error, each line encoded for where it goes.
#[derive(Debug, Clone, Copy)]
pub struct Console {
    encoding: TextEncoding,
    stream: Stream,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stream {
    Out,
    Err,
}

impl Console {
    /// For standard output. An unknown `AZUKARI_OUTPUT_ENCODING` is reported once on standard
    /// error and UTF-8 is used.
    pub fn stdout() -> Console {
        Console::new(Stream::Out, std::io::stdout().is_terminal())
    }

    pub fn stderr() -> Console {
        Console::new(Stream::Err, std::io::stderr().is_terminal())
    }

    fn new(stream: Stream, terminal: bool) -> Console {
        let encoding = if terminal {
            // The standard library already writes a Windows console in UTF-16.
            TextEncoding::Utf8
        } else {
            let setting = std::env::var(ENCODING_VARIABLE).ok();
            redirected_encoding(setting.as_deref(), code_page()).unwrap_or_else(|why| {
                let _ = writeln!(std::io::stderr(), "azukari: {why}");
                TextEncoding::Utf8
            })
        };
        Console { encoding, stream }
    }

    /// Writes `text` and a line break. Output that cannot be written (a closed pipe) is dropped,
    /// as `head` expects of a program it cuts short.
    pub fn line(&self, text: &str) {
        let bytes = encode(text, self.encoding);
        let _ = match self.stream {
            Stream::Out => write_line(&mut std::io::stdout().lock(), &bytes),
            Stream::Err => write_line(&mut std::io::stderr().lock(), &bytes),
        };
    }
}

/// One line under one lock, so lines from two threads never interleave.
fn write_line(out: &mut impl Write, bytes: &[u8]) -> std::io::Result<()> {
    out.write_all(bytes)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirected_output_follows_the_code_page_unless_told() {
        assert_eq!(
            redirected_encoding(None, Some(932)),
            Ok(TextEncoding::Cp932)
        );
        assert_eq!(
            redirected_encoding(None, Some(65001)),
            Ok(TextEncoding::Utf8)
        );
        assert_eq!(
            redirected_encoding(None, Some(1252)),
            Ok(TextEncoding::Utf8)
        );
        assert_eq!(redirected_encoding(None, None), Ok(TextEncoding::Utf8));
        assert_eq!(
            redirected_encoding(Some("UTF-8"), Some(932)),
            Ok(TextEncoding::Utf8)
        );
        assert_eq!(
            redirected_encoding(Some("Shift_JIS"), None),
            Ok(TextEncoding::Cp932)
        );
        assert_eq!(
            redirected_encoding(Some(" cp932 "), None),
            Ok(TextEncoding::Cp932)
        );
        assert_eq!(
            redirected_encoding(Some(""), Some(932)),
            Ok(TextEncoding::Cp932)
        );
        let err = redirected_encoding(Some("latin1"), None).unwrap_err();
        assert!(err.contains("AZUKARI_OUTPUT_ENCODING=latin1"), "{err}");
    }

    #[test]
    fn cp932_keeps_what_it_has_and_marks_what_it_lacks() {
        let text = "山田 髙橋 ①\t渡邊 𠮷野";
        let bytes = encode(text, TextEncoding::Cp932);
        let (back, _, had_errors) = encoding_rs::SHIFT_JIS.decode(&bytes);
        assert!(!had_errors);
        // 髙 and ① are NEC/IBM extensions that CP932 has; 𠮷 (U+20BB7) is beyond it.
        assert_eq!(back, "山田 髙橋 ①\t渡邊 &#134071;野");
        assert_eq!(&bytes[..4], &[0x8E, 0x52, 0x93, 0x63], "山田 in CP932");
        assert_eq!(encode(text, TextEncoding::Utf8).as_ref(), text.as_bytes());
    }
}
