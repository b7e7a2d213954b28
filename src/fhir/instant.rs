//! Server instants: `meta.lastUpdated`, `Last-Modified`, `_since`.

use time::format_description::well_known::{Rfc2822, Rfc3339};
use time::{OffsetDateTime, UtcOffset};

use crate::error::{Error, Result};

/// A point in time with microsecond precision, stored as microseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Instant(pub i64);

impl Instant {
    /// Now, truncated to milliseconds (the precision written into `meta.lastUpdated`).
    pub fn now() -> Self {
        let us = OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000 * 1000;
        Self(i64::try_from(us).unwrap_or(i64::MAX))
    }

    fn to_datetime(self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// FHIR instant text, e.g. `2026-12-01T15:42:00.123Z`.
    pub fn to_fhir(self) -> String {
        let dt = self.to_datetime();
        if !(0..=9999).contains(&dt.year()) {
            return format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                dt.year(),
                u8::from(dt.month()),
                dt.day(),
                dt.hour(),
                dt.minute(),
                dt.second(),
                dt.millisecond()
            );
        }
        // Digits written directly: one instant per request goes into its AuditEvent.
        let mut out = String::with_capacity(24);
        let year = u16::try_from(dt.year()).unwrap_or_default();
        digits(&mut out, year / 100);
        digits(&mut out, year % 100);
        out.push('-');
        digits(&mut out, u8::from(dt.month()).into());
        out.push('-');
        digits(&mut out, dt.day().into());
        out.push('T');
        digits(&mut out, dt.hour().into());
        out.push(':');
        digits(&mut out, dt.minute().into());
        out.push(':');
        digits(&mut out, dt.second().into());
        out.push('.');
        let ms = dt.millisecond();
        out.push(char::from(
            b'0' + u8::try_from(ms / 100).unwrap_or_default(),
        ));
        digits(&mut out, ms % 100);
        out.push('Z');
        out
    }

    /// HTTP date for `Last-Modified`, e.g. `Tue, 01 Dec 2026 15:42:00 GMT`.
    pub fn to_http(self) -> String {
        let s = self.to_datetime().format(&Rfc2822).unwrap_or_default();
        s.replace("+0000", "GMT")
    }

    /// Parse a FHIR instant or dateTime with a time zone (`_since`, `_at`): `Invalid` otherwise.
    pub fn parse_fhir(raw: &str) -> Result<Self> {
        let dt = OffsetDateTime::parse(raw, &Rfc3339)
            .or_else(|_| Self::parse_partial(raw))
            .map_err(|_| Error::invalid(format!("invalid instant '{raw}'")))?;
        let us = dt.to_offset(UtcOffset::UTC).unix_timestamp_nanos() / 1000;
        Ok(Self(i64::try_from(us).unwrap_or(i64::MAX)))
    }

    /// A date (`2026-12-01`) or a dateTime without seconds' fraction but with zone, read as its start.
    fn parse_partial(raw: &str) -> std::result::Result<OffsetDateTime, time::error::Parse> {
        let padded = match raw.len() {
            4 => format!("{raw}-01-01T00:00:00Z"),
            7 => format!("{raw}-01T00:00:00Z"),
            10 => format!("{raw}T00:00:00Z"),
            _ => raw.to_owned(),
        };
        OffsetDateTime::parse(&padded, &Rfc3339)
    }
}

/// `n` (below 100) as two digits.
fn digits(out: &mut String, n: u16) {
    let n = u8::try_from(n % 100).unwrap_or_default();
    out.push(char::from(b'0' + n / 10));
    out.push(char::from(b'0' + n % 10));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_fhir_and_http() {
        let i = Instant::parse_fhir("2026-12-01T15:42:00.123Z").unwrap();
        assert_eq!(i.to_fhir(), "2026-12-01T15:42:00.123Z");
        for text in [
            "1970-01-01T00:00:00.000Z",
            "0001-02-03T04:05:06.007Z",
            "9999-12-31T23:59:59.999Z",
            "2024-02-29T12:00:00.090Z",
        ] {
            assert_eq!(Instant::parse_fhir(text).unwrap().to_fhir(), text);
        }
        assert_eq!(i.to_http(), "Tue, 01 Dec 2026 15:42:00 GMT");
    }

    #[test]
    fn parses_zones_and_dates() {
        let a = Instant::parse_fhir("2026-12-01T16:42:00+01:00").unwrap();
        let b = Instant::parse_fhir("2026-12-01T15:42:00Z").unwrap();
        assert_eq!(a, b);
        assert!(Instant::parse_fhir("2026-12-01").is_ok());
        assert!(Instant::parse_fhir("yesterday").is_err());
    }
}
