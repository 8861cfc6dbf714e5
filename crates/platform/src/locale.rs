//! The user's language. On Linux it is the locale of messages as the C library reads it: the
//! first of `LC_ALL`, `LC_MESSAGES` and `LANG` that is set (`LANGUAGE`, which gettext consults
//! only when that locale is not C, is left alone). On Windows, where no `LANG` is set, it is the
//! user's preferred display language (GetUserPreferredUILanguages, through `sys-locale`): what
//! a Japanese Windows shows its own menus in.

/// The user's locale as a POSIX or BCP 47 tag (`ja_JP.UTF-8`, `ja-JP`, `en-US`), if any.
pub fn user_locale() -> Option<String> {
    if cfg!(windows) {
        sys_locale::get_locale()
    } else {
        posix_locale(|name| std::env::var(name).ok())
    }
}

/// The first of `LC_ALL`, `LC_MESSAGES`, `LANG` that is set and not empty.
pub fn posix_locale(variable: impl Fn(&str) -> Option<String>) -> Option<String> {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .into_iter()
        .find_map(|name| variable(name).filter(|value| !value.is_empty()))
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

    #[test]
    fn lc_all_then_lc_messages_then_lang_and_never_language() {
        type Environment = &'static [(&'static str, &'static str)];
        let cases: [(Environment, Option<&str>); 5] = [
            (&[("LANG", "ja_JP.UTF-8"), ("LC_ALL", "C")], Some("C")),
            (
                &[("LANG", "C"), ("LC_MESSAGES", "ja_JP.UTF-8")],
                Some("ja_JP.UTF-8"),
            ),
            (&[("LANG", "C"), ("LANGUAGE", "ja")], Some("C")),
            (
                &[("LC_ALL", ""), ("LANG", "ja_JP.UTF-8")],
                Some("ja_JP.UTF-8"),
            ),
            (&[], None),
        ];
        for (env, expected) in cases {
            let variable = |name: &str| {
                env.iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| value.to_string())
            };
            assert_eq!(posix_locale(variable).as_deref(), expected, "{env:?}");
        }
    }
}
