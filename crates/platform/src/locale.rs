//! The user's language: on Linux from `LC_ALL`, `LC_MESSAGES` and `LANG`; on Windows from the
//! user's locale (GetUserDefaultLocaleName), which is what a Japanese Windows sets, since no
//! `LANG` is set there.

/// The user's locale as a BCP 47 or POSIX tag (`ja-JP`, `ja_JP.UTF-8`, `en-US`), if any.
pub fn user_locale() -> Option<String> {
    sys_locale::get_locale()
}

/// Whether a locale tag is Japanese: `ja`, `ja-JP`, `ja_JP.UTF-8`, `JA-jp`.
pub fn is_japanese(tag: &str) -> bool {
    let language = tag.split(['-', '_', '.', '@']).next().unwrap_or_default();
    language.eq_ignore_ascii_case("ja")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_is_told_by_the_language_part_of_every_form() {
        for tag in [
            "ja",
            "ja-JP",
            "ja_JP.UTF-8",
            "JA-jp",
            "ja_JP@euro",
            "ja-Jpan-JP",
        ] {
            assert!(is_japanese(tag), "{tag}");
        }
        for tag in [
            "",
            "C",
            "POSIX",
            "en-US",
            "en_US.UTF-8",
            "jav-ID",
            "zh-Hans-JP",
        ] {
            assert!(!is_japanese(tag), "{tag}");
        }
    }
}
