//! Instants and calendar dates as the store and the journal write them.
//!
//! Instants are UTC, RFC 3339 with milliseconds (`2026-11-01T09:00:00.000Z`), so that their text
//! sorts in time order in SQL and hashes the same on every machine.
//!
//! Only the years 1900 to 9999 are instants or dates here. Outside them RFC 3339 has no
//! four-digit year (year 0 becomes `-0001-12-31…`, which nothing reads back), and no custody
//! record of an office lies there: a date outside is a typing or export error. Every way in
//! (parsing, deserialising, the clock, a calendar date from an import cell) checks the range.

use chrono::{DateTime, NaiveDate, SecondsFormat, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, TS)]
#[ts(export, type = "string")]
pub struct Instant(DateTime<Utc>);

/// The first and last calendar days Azukari accepts.
pub const FIRST_DAY: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a valid date");
pub const LAST_DAY: NaiveDate = NaiveDate::from_ymd_opt(9999, 12, 31).expect("a valid date");

/// A calendar date in the years Azukari accepts, or what to say about it.
pub fn check_day(day: NaiveDate) -> Result<NaiveDate, String> {
    if (FIRST_DAY..=LAST_DAY).contains(&day) {
        Ok(day)
    } else {
        Err(format!(
            "a date from {FIRST_DAY} to {LAST_DAY}, not {}",
            day.format("%Y-%m-%d")
        ))
    }
}

/// Reads an optional calendar date as events carry it, refusing one outside 1900 to 9999: an
/// event holding such a date does not read back, so `Writer::apply` never journals it.
pub fn checked_day_opt<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<NaiveDate>, D::Error> {
    Option::<NaiveDate>::deserialize(deserializer)?
        .map(check_day)
        .transpose()
        .map_err(serde::de::Error::custom)
}

impl Instant {
    /// Truncates to milliseconds: the journal keeps no more, and replay must give equal values.
    /// Refuses an instant outside the years 1900 to 9999 in UTC, but for a day of slack before
    /// 1900: the first day begins on 31 December 1899 in UTC in zones east of it (Tokyo's
    /// 1900-01-01 starts at 1899-12-31T15:00Z). Nothing after 9999 is let in: year 10000 is
    /// written `+10000-…`, which nothing reads back.
    pub fn new(at: DateTime<Utc>) -> Result<Self, String> {
        let millis = at.timestamp_millis();
        let at = Utc.timestamp_millis_opt(millis).single().unwrap_or(at);
        let day = at.date_naive();
        let slack = chrono::Days::new(1);
        if day < FIRST_DAY - slack || day > LAST_DAY {
            return Err(format!(
                "an instant in the years {} to {}, not {}",
                FIRST_DAY.format("%Y"),
                LAST_DAY.format("%Y"),
                at.format("%Y-%m-%dT%H:%M:%SZ")
            ));
        }
        Ok(Instant(at))
    }

    /// An instant from the machine's clock. A clock outside 1900 to 9999 is broken beyond use;
    /// it is refused rather than written into a journal that could not read it back.
    pub fn from_clock(at: DateTime<Utc>) -> Result<Self, String> {
        Instant::new(at).map_err(|expected| format!("the system clock is wrong: {expected}"))
    }

    /// For instants known to be in range: built from a checked instant or a checked date.
    pub fn from_utc(at: DateTime<Utc>) -> Self {
        Instant::new(at).expect("an instant inside the accepted years")
    }

    pub fn utc(self) -> DateTime<Utc> {
        self.0
    }

    /// This instant moved by `by`; none when that leaves the accepted years.
    pub fn checked_add(self, by: chrono::Duration) -> Option<Instant> {
        self.0
            .checked_add_signed(by)
            .and_then(|at| Instant::new(at).ok())
    }

    pub fn to_rfc3339(self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    /// Parses what people type on the command line: RFC 3339 with `Z` or an offset, or a bare
    /// date, which means the start of that day in the store's time zone.
    pub fn parse_user(text: &str, zone: Tz) -> Result<Instant, String> {
        let text = text.trim();
        if let Ok(at) = DateTime::parse_from_rfc3339(text) {
            return Instant::new(at.with_timezone(&Utc));
        }
        if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Ok(start_of_day(check_day(day)?, zone));
        }
        Err(format!(
            "'{text}' is not an instant: use RFC 3339 like 2026-11-01T09:00:00+09:00, or a date like 2026-11-01"
        ))
    }

    /// The calendar day this instant falls on in the store's time zone.
    pub fn date_in(self, zone: Tz) -> NaiveDate {
        self.0.with_timezone(&zone).date_naive()
    }
}

/// Midnight of `day` in `zone`; where midnight does not exist (a DST gap) the first instant
/// of the day is taken. `day` must have passed [`check_day`].
pub fn start_of_day(day: NaiveDate, zone: Tz) -> Instant {
    let midnight = day
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists as a naive time");
    let at = zone
        .from_local_datetime(&midnight)
        .earliest()
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight).with_timezone(&zone));
    Instant::from_utc(at.with_timezone(&Utc))
}

impl std::fmt::Display for Instant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl std::str::FromStr for Instant {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let at = DateTime::parse_from_rfc3339(text)
            .map_err(|err| format!("'{text}' is not RFC 3339: {err}"))?;
        Instant::new(at.with_timezone(&Utc))
    }
}

impl Serialize for Instant {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Instant {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_date_is_the_start_of_that_day_in_the_store_zone() {
        let at = Instant::parse_user("2026-11-01", chrono_tz::Asia::Tokyo).unwrap();
        assert_eq!(
            at.to_rfc3339(),
            "2026-10-31T15:00:00.000Z",
            "Tokyo is UTC+9"
        );
    }

    #[test]
    fn offsets_are_normalised_to_utc_with_millis() {
        let at = Instant::parse_user("2026-11-01T09:00:00+09:00", chrono_tz::UTC).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-11-01T00:00:00.000Z");
    }

    #[test]
    fn years_outside_1900_to_9999_are_refused_wherever_they_come_from() {
        let tokyo = chrono_tz::Asia::Tokyo;
        assert!(Instant::parse_user("0000-01-01", tokyo).is_err());
        assert!(Instant::parse_user("1899-12-30", tokyo).is_err());
        assert!(Instant::parse_user("0001-01-01T00:00:00Z", tokyo).is_err());
        assert!("0000-01-01T00:00:00Z".parse::<Instant>().is_err());
        assert!(serde_json::from_str::<Instant>("\"0000-06-01T00:00:00.000Z\"").is_err());
        assert!(check_day(NaiveDate::from_ymd_opt(0, 1, 1).unwrap()).is_err());
        assert!(check_day(NaiveDate::from_ymd_opt(10000, 1, 1).unwrap()).is_err());
        assert!(Instant::parse_user("10000-01-01T00:00:00Z", tokyo).is_err());
        assert!(
            Instant::new(Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap()).is_err(),
            "year 10000 would be written +10000-…, which does not read back"
        );
    }

    #[test]
    fn the_first_and_last_days_begin_inside_the_range_in_every_zone() {
        for zone in [chrono_tz::Pacific::Kiritimati, chrono_tz::Etc::GMTPlus12] {
            for day in [FIRST_DAY, LAST_DAY] {
                let at = start_of_day(day, zone);
                let text = at.to_rfc3339();
                assert_eq!(
                    text.parse::<Instant>(),
                    Ok(at),
                    "{day} in {zone} must read back"
                );
            }
        }
    }

    #[test]
    fn nonsense_is_refused_with_the_text_named() {
        let err = Instant::parse_user("yesterday", chrono_tz::UTC).unwrap_err();
        assert!(
            err.contains("yesterday"),
            "the message should quote the bad input: {err}"
        );
    }
}
