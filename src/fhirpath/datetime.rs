//! Partial dates, date-times and times as FHIRPath sees them.
//!
//! Values keep the precision they were written with
//! (<https://hl7.org/fhirpath/N1/#datetime>): `@2015` is a year, `@2015-02-04T14:34`
//! a minute. Parsing accepts the FHIRPath literal forms (without the `@`) and the
//! FHIR JSON forms of `date`, `dateTime`, `instant` and `time`.

use std::fmt;

/// How much of a date/time value is known, from coarse to fine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Precision {
    /// `YYYY`
    Year,
    /// `YYYY-MM`
    Month,
    /// `YYYY-MM-DD`
    Day,
    /// `Thh`
    Hour,
    /// `Thh:mm`
    Minute,
    /// `Thh:mm:ss`
    Second,
    /// `Thh:mm:ss.fff`
    Millisecond,
}

/// A (possibly partial) date or date-time; which one it is depends on the
/// [`crate::fhirpath::SystemValue`] variant that holds it. Unknown fields are 0 (or
/// 1 for month/day) and must be ignored beyond `precision`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateTime {
    /// Calendar year (0001–9999 in FHIR).
    pub year: i32,
    /// Month 1–12.
    pub month: u8,
    /// Day of month 1–31.
    pub day: u8,
    /// Hour 0–23.
    pub hour: u8,
    /// Minute 0–59.
    pub minute: u8,
    /// Second 0–59.
    pub second: u8,
    /// Millisecond 0–999.
    pub millis: u16,
    /// Finest known component.
    pub precision: Precision,
    /// Offset from UTC in minutes, when the value has a time zone.
    pub tz_minutes: Option<i16>,
}

/// A (possibly partial) time of day without time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Time {
    /// Hour 0–23.
    pub hour: u8,
    /// Minute 0–59.
    pub minute: u8,
    /// Second 0–59.
    pub second: u8,
    /// Millisecond 0–999.
    pub millis: u16,
    /// Finest known component (between `Hour` and `Millisecond`).
    pub precision: Precision,
}

/// Number of days of `month` in `year` (proleptic Gregorian).
pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A small cursor over ASCII digits and separators.
struct Cursor<'s> {
    bytes: &'s [u8],
    pos: usize,
}

impl<'s> Cursor<'s> {
    fn new(text: &'s str) -> Self {
        Cursor {
            bytes: text.as_bytes(),
            pos: 0,
        }
    }

    fn done(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        if hit {
            self.pos += 1;
        }
        hit
    }

    /// Reads exactly `n` digits.
    fn digits(&mut self, n: usize) -> Option<u32> {
        let slice = self.bytes.get(self.pos..self.pos + n)?;
        if !slice.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.pos += n;
        Some(
            slice
                .iter()
                .fold(0, |acc, b| acc * 10 + u32::from(b - b'0')),
        )
    }

    /// Reads one or more digits, returning their value as milliseconds.
    fn fraction_millis(&mut self) -> Option<u16> {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        let frac = self.bytes.get(start..self.pos)?;
        if frac.is_empty() {
            return None;
        }
        let mut ms = 0u16;
        for i in 0..3 {
            let digit = frac.get(i).map_or(0, |b| u16::from(b - b'0'));
            ms = ms * 10 + digit;
        }
        Some(ms)
    }
}

fn u8_in(value: u32, min: u32, max: u32) -> Option<u8> {
    (min..=max)
        .contains(&value)
        .then(|| u8::try_from(value).ok())?
}

impl DateTime {
    /// Parses `YYYY[-MM[-DD]]`.
    pub fn parse_date(text: &str) -> Option<DateTime> {
        let mut c = Cursor::new(text);
        let dt = parse_date_part(&mut c)?;
        c.done().then_some(dt)
    }

    /// Parses `YYYY[-MM[-DD]][T[hh[:mm[:ss[.fff]]]][Z|±hh:mm]]`.
    pub fn parse_datetime(text: &str) -> Option<DateTime> {
        let mut c = Cursor::new(text);
        let mut dt = parse_date_part(&mut c)?;
        if c.eat(b'T') && !c.done() {
            let time = parse_time_part(&mut c)?;
            dt.set_time(&time);
            dt.tz_minutes = parse_zone(&mut c)?;
        }
        c.done().then_some(dt)
    }

    /// Copies the clock fields and precision of `time`.
    fn set_time(&mut self, time: &Time) {
        self.hour = time.hour;
        self.minute = time.minute;
        self.second = time.second;
        self.millis = time.millis;
        self.precision = time.precision;
    }

    /// The time-of-day part, if the value is finer than a day.
    pub fn time(&self) -> Option<Time> {
        (self.precision >= Precision::Hour).then_some(Time {
            hour: self.hour,
            minute: self.minute,
            second: self.second,
            millis: self.millis,
            precision: self.precision,
        })
    }

    /// The date part formatted as `YYYY[-MM[-DD]]`.
    fn fmt_date(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if self.precision >= Precision::Month {
            write!(f, "-{:02}", self.month)?;
        }
        if self.precision >= Precision::Day {
            write!(f, "-{:02}", self.day)?;
        }
        Ok(())
    }
}

fn parse_date_part(c: &mut Cursor<'_>) -> Option<DateTime> {
    let year = i32::try_from(c.digits(4)?).ok()?;
    let mut dt = DateTime {
        year,
        month: 1,
        day: 1,
        hour: 0,
        minute: 0,
        second: 0,
        millis: 0,
        precision: Precision::Year,
        tz_minutes: None,
    };
    if c.peek() == Some(b'-') {
        c.pos += 1;
        dt.month = u8_in(c.digits(2)?, 1, 12)?;
        dt.precision = Precision::Month;
        if c.eat(b'-') {
            dt.day = u8_in(c.digits(2)?, 1, u32::from(days_in_month(year, dt.month)))?;
            dt.precision = Precision::Day;
        }
    }
    Some(dt)
}

fn parse_time_part(c: &mut Cursor<'_>) -> Option<Time> {
    let mut t = Time {
        hour: u8_in(c.digits(2)?, 0, 23)?,
        minute: 0,
        second: 0,
        millis: 0,
        precision: Precision::Hour,
    };
    if c.eat(b':') {
        t.minute = u8_in(c.digits(2)?, 0, 59)?;
        t.precision = Precision::Minute;
        if c.eat(b':') {
            t.second = u8_in(c.digits(2)?, 0, 59)?;
            t.precision = Precision::Second;
            if c.eat(b'.') {
                t.millis = c.fraction_millis()?;
                t.precision = Precision::Millisecond;
            }
        }
    }
    Some(t)
}

/// Parses an optional `Z` or `±hh:mm`; `Some(None)` when absent, `None` when malformed.
fn parse_zone(c: &mut Cursor<'_>) -> Option<Option<i16>> {
    if c.eat(b'Z') {
        return Some(Some(0));
    }
    let sign = match c.peek() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return Some(None),
    };
    c.pos += 1;
    let hours = c.digits(2)?;
    if !c.eat(b':') {
        return None;
    }
    let minutes = c.digits(2)?;
    if hours > 14 || minutes > 59 {
        return None;
    }
    let total = i16::try_from(hours * 60 + minutes).ok()?;
    Some(Some(sign * total))
}

impl Time {
    /// Parses `hh[:mm[:ss[.fff]]]` (no time zone).
    pub fn parse(text: &str) -> Option<Time> {
        let mut c = Cursor::new(text);
        let t = parse_time_part(&mut c)?;
        c.done().then_some(t)
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.hour)?;
        if self.precision >= Precision::Minute {
            write!(f, ":{:02}", self.minute)?;
        }
        if self.precision >= Precision::Second {
            write!(f, ":{:02}", self.second)?;
        }
        if self.precision >= Precision::Millisecond {
            write!(f, ".{:03}", self.millis)?;
        }
        Ok(())
    }
}

/// Formats a time-zone offset as `Z` or `±hh:mm`.
pub fn format_zone(minutes: i16) -> String {
    if minutes == 0 {
        return "Z".to_owned();
    }
    let sign = if minutes < 0 { '-' } else { '+' };
    let m = minutes.unsigned_abs();
    format!("{sign}{:02}:{:02}", m / 60, m % 60)
}

impl fmt::Display for DateTime {
    /// ISO 8601 text at the value's precision (date-only values have no `T`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_date(f)?;
        if let Some(time) = self.time() {
            write!(f, "T{time}")?;
            if let Some(tz) = self.tz_minutes {
                f.write_str(&format_zone(tz))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_partial_dates() {
        assert_eq!(
            DateTime::parse_date("2015").unwrap().precision,
            Precision::Year
        );
        assert_eq!(
            DateTime::parse_date("2015-02").unwrap().to_string(),
            "2015-02"
        );
        assert!(DateTime::parse_date("2015-02-30").is_none());
        assert!(DateTime::parse_date("2015-13").is_none());
        assert!(DateTime::parse_date("15").is_none());
    }

    #[test]
    fn parses_datetimes_with_zones() {
        let dt = DateTime::parse_datetime("2015-02-04T14:34:28.123+10:00").unwrap();
        assert_eq!(dt.precision, Precision::Millisecond);
        assert_eq!(dt.tz_minutes, Some(600));
        assert_eq!(dt.to_string(), "2015-02-04T14:34:28.123+10:00");
        assert_eq!(
            DateTime::parse_datetime("2015T").unwrap().to_string(),
            "2015"
        );
        assert_eq!(
            DateTime::parse_datetime("2015-02-04T14")
                .unwrap()
                .to_string(),
            "2015-02-04T14"
        );
        assert_eq!(
            DateTime::parse_datetime("2001-05-06T10:10:10Z")
                .unwrap()
                .to_string(),
            "2001-05-06T10:10:10Z"
        );
        assert!(DateTime::parse_datetime("2015-02-04T25:00").is_none());
        assert!(DateTime::parse_datetime("2015-02-04T10:00+1").is_none());
    }

    #[test]
    fn parses_times() {
        assert_eq!(Time::parse("14:34:28.1").unwrap().millis, 100);
        assert_eq!(Time::parse("14").unwrap().precision, Precision::Hour);
        assert!(Time::parse("14:34:28Z").is_none());
        assert!(Time::parse("").is_none());
    }
}
