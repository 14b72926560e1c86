//! Timestamps: microseconds since the Unix epoch, UTC.
//!
//! Stored as a 64-bit integer on every backend (portable, compact, sortable) and rendered the way
//! the Argilla clients expect: naive ISO-8601 with microseconds, the fraction omitted when zero.

use std::fmt;

use time::{OffsetDateTime, PrimitiveDateTime};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn from_offset(at: OffsetDateTime) -> Self {
        let micros = at.unix_timestamp_nanos() / 1_000;
        Self(i64::try_from(micros).unwrap_or(i64::MAX))
    }

    fn to_offset(self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// Parses an ISO-8601 date or date-time; a value without offset is taken as UTC.
    pub fn parse(text: &str) -> Option<Self> {
        use time::format_description::well_known::Iso8601;
        if let Ok(at) = OffsetDateTime::parse(text, &Iso8601::DEFAULT) {
            return Some(Self::from_offset(at));
        }
        if let Ok(at) = PrimitiveDateTime::parse(text, &Iso8601::DEFAULT) {
            return Some(Self::from_offset(at.assume_utc()));
        }
        if let Ok(day) = time::Date::parse(text, &Iso8601::DEFAULT) {
            return Some(Self::from_offset(day.midnight().assume_utc()));
        }
        None
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.to_offset();
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            at.year(),
            u8::from(at.month()),
            at.day(),
            at.hour(),
            at.minute(),
            at.second()
        )?;
        let micros = at.microsecond();
        if micros != 0 {
            write!(f, ".{micros:06}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_naive_iso_with_micros() {
        assert_eq!(Timestamp(0).to_string(), "1970-01-01T00:00:00");
        assert_eq!(Timestamp(1_717_237_230_123_456).to_string(), "2024-06-01T10:20:30.123456");
        assert_eq!(Timestamp(1_717_237_230_000_001).to_string(), "2024-06-01T10:20:30.000001");
    }

    #[test]
    fn parses_what_it_renders_and_dates() {
        let at = Timestamp(1_717_237_230_123_456);
        assert_eq!(Timestamp::parse(&at.to_string()), Some(at));
        assert_eq!(Timestamp::parse("2024-06-01T10:20:30.123456Z"), Some(at));
        assert_eq!(Timestamp::parse("1970-01-02"), Some(Timestamp(86_400_000_000)));
        assert_eq!(Timestamp::parse("nope"), None);
    }
}
