//! Instants and calendar dates as the store and the journal write them.
//!
//! Instants are UTC, RFC 3339 with milliseconds (`2026-11-01T09:00:00.000Z`), so that their text
//! sorts in time order in SQL and hashes the same on every machine.

use chrono::{DateTime, NaiveDate, SecondsFormat, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, TS)]
#[ts(export, type = "string")]
pub struct Instant(DateTime<Utc>);

impl Instant {
    /// Truncates to milliseconds: the journal keeps no more, and replay must give equal values.
    pub fn from_utc(at: DateTime<Utc>) -> Self {
        let millis = at.timestamp_millis();
        Instant(Utc.timestamp_millis_opt(millis).single().unwrap_or(at))
    }

    pub fn utc(self) -> DateTime<Utc> {
        self.0
    }

    pub fn to_rfc3339(self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    /// Parses what people type on the command line: RFC 3339 with `Z` or an offset, or a bare
    /// date, which means the start of that day in the store's time zone.
    pub fn parse_user(text: &str, zone: Tz) -> Result<Instant, String> {
        let text = text.trim();
        if let Ok(at) = DateTime::parse_from_rfc3339(text) {
            return Ok(Instant::from_utc(at.with_timezone(&Utc)));
        }
        if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Ok(start_of_day(day, zone));
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
/// of the day is taken.
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
    type Err = chrono::ParseError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Instant::from_utc(
            DateTime::parse_from_rfc3339(text)?.with_timezone(&Utc),
        ))
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
    fn nonsense_is_refused_with_the_text_named() {
        let err = Instant::parse_user("yesterday", chrono_tz::UTC).unwrap_err();
        assert!(
            err.contains("yesterday"),
            "the message should quote the bad input: {err}"
        );
    }
}
