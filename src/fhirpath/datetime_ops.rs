//! Comparison, calendar arithmetic and boundaries of [`DateTime`] and [`Time`].
//!
//! Comparisons follow <https://hl7.org/fhirpath/N1/#datetime-equality>: values are
//! compared component by component down to the coarser precision; when they agree
//! that far but have different precisions the result is unknown (`None`). Seconds
//! and milliseconds count as one precision. When only one side has a time zone the
//! other is tried at both extreme offsets (+14:00, -12:00).

use super::datetime::{DateTime, Precision, Time, days_in_month};
use std::cmp::Ordering;

const MS_PER_DAY: i64 = 86_400_000;

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        i32::try_from(year).unwrap_or(i32::MAX),
        u8::try_from(month).unwrap_or(1),
        u8::try_from(day).unwrap_or(1),
    )
}

/// Milliseconds since the epoch of the local wall-clock fields (zone ignored).
fn local_millis(dt: &DateTime) -> i64 {
    let days = days_from_civil(dt.year, dt.month, dt.day);
    let clock = ((i64::from(dt.hour) * 60 + i64::from(dt.minute)) * 60 + i64::from(dt.second))
        * 1000
        + i64::from(dt.millis);
    days * MS_PER_DAY + clock
}

/// Rebuilds the wall-clock fields from epoch milliseconds, keeping precision and zone.
fn with_local_millis(template: &DateTime, millis: i64) -> DateTime {
    let (year, month, day) = civil_from_days(millis.div_euclid(MS_PER_DAY));
    let clock = millis.rem_euclid(MS_PER_DAY);
    let part = |div: i64, modulo: i64| u8::try_from((clock / div) % modulo).unwrap_or(0);
    DateTime {
        year,
        month,
        day,
        hour: part(3_600_000, 24),
        minute: part(60_000, 60),
        second: part(1000, 60),
        millis: u16::try_from(clock % 1000).unwrap_or(0),
        ..*template
    }
}

/// The same instant expressed in UTC (only meaningful with a zone and a time).
fn to_utc(dt: &DateTime, tz_minutes: i16) -> DateTime {
    let millis = local_millis(dt) - i64::from(tz_minutes) * 60_000;
    DateTime {
        tz_minutes: Some(0),
        ..with_local_millis(dt, millis)
    }
}

/// Seconds and milliseconds are one precision for comparison purposes.
fn merged(p: Precision) -> Precision {
    if p == Precision::Millisecond {
        Precision::Second
    } else {
        p
    }
}

/// Field-wise comparison down to `upto` (both values in the same zone).
fn compare_fields(a: &DateTime, b: &DateTime, upto: Precision) -> Ordering {
    let keys = |d: &DateTime| {
        [
            i64::from(d.year),
            i64::from(d.month),
            i64::from(d.day),
            i64::from(d.hour),
            i64::from(d.minute),
            i64::from(d.second) * 1000 + i64::from(d.millis),
        ]
    };
    let count = match upto {
        Precision::Year => 1,
        Precision::Month => 2,
        Precision::Day => 3,
        Precision::Hour => 4,
        Precision::Minute => 5,
        Precision::Second | Precision::Millisecond => 6,
    };
    keys(a)[..count].cmp(&keys(b)[..count])
}

/// Compares two zone-aligned values; `None` when precision makes it unknown.
fn compare_aligned(a: &DateTime, b: &DateTime) -> Option<Ordering> {
    let (pa, pb) = (merged(a.precision), merged(b.precision));
    let ord = compare_fields(a, b, pa.min(pb));
    if ord == Ordering::Equal && pa != pb {
        None
    } else {
        Some(ord)
    }
}

/// Compares two dates or date-times (see the module docs); `None` = unknown.
pub fn compare_datetime(a: &DateTime, b: &DateTime) -> Option<Ordering> {
    if a.precision.min(b.precision) < Precision::Hour {
        return compare_aligned(a, b);
    }
    match (a.tz_minutes, b.tz_minutes) {
        (None, None) => compare_aligned(a, b),
        (Some(za), Some(zb)) => compare_aligned(&to_utc(a, za), &to_utc(b, zb)),
        (Some(za), None) => compare_one_zoned(&to_utc(a, za), b),
        (None, Some(zb)) => compare_one_zoned(&to_utc(b, zb), a).map(Ordering::reverse),
    }
}

/// `zoned` is in UTC; `naive` has no zone: it must compare the same way at
/// both extreme offsets for the answer to be known.
fn compare_one_zoned(zoned: &DateTime, naive: &DateTime) -> Option<Ordering> {
    let early = compare_aligned(zoned, &to_utc(naive, 14 * 60))?;
    let late = compare_aligned(zoned, &to_utc(naive, -12 * 60))?;
    (early == late).then_some(early)
}

/// Compares two times; `None` when precision makes it unknown.
pub fn compare_time(a: &Time, b: &Time) -> Option<Ordering> {
    compare_aligned(&time_as_datetime(a), &time_as_datetime(b))
}

/// A time placed on 1970-01-01 so date-time logic can be reused.
fn time_as_datetime(t: &Time) -> DateTime {
    DateTime {
        year: 1970,
        month: 1,
        day: 1,
        hour: t.hour,
        minute: t.minute,
        second: t.second,
        millis: t.millis,
        precision: t.precision,
        tz_minutes: None,
    }
}

/// A calendar duration unit usable in date/time arithmetic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CalendarUnit {
    /// year(s)
    Year,
    /// month(s)
    Month,
    /// week(s), UCUM `wk`
    Week,
    /// day(s), UCUM `d`
    Day,
    /// hour(s), UCUM `h`
    Hour,
    /// minute(s), UCUM `min`
    Minute,
    /// second(s), UCUM `s`
    Second,
    /// millisecond(s), UCUM `ms`
    Millisecond,
}

impl CalendarUnit {
    /// Maps a quantity unit to a calendar unit; UCUM `a` and `mo` are not
    /// calendar durations and give `None`.
    pub fn from_unit(unit: &str) -> Option<CalendarUnit> {
        Some(match unit.trim_end_matches('s') {
            "year" => CalendarUnit::Year,
            "month" => CalendarUnit::Month,
            "week" | "wk" => CalendarUnit::Week,
            "day" | "d" => CalendarUnit::Day,
            "hour" | "h" => CalendarUnit::Hour,
            "minute" | "min" => CalendarUnit::Minute,
            "second" | "" => CalendarUnit::Second,
            "millisecond" | "m" => CalendarUnit::Millisecond,
            _ => return None,
        })
    }

    /// Length in milliseconds for the fixed-length units.
    fn millis(self) -> Option<i64> {
        Some(match self {
            CalendarUnit::Week => 7 * MS_PER_DAY,
            CalendarUnit::Day => MS_PER_DAY,
            CalendarUnit::Hour => 3_600_000,
            CalendarUnit::Minute => 60_000,
            CalendarUnit::Second => 1000,
            CalendarUnit::Millisecond => 1,
            CalendarUnit::Year | CalendarUnit::Month => return None,
        })
    }
}

/// Adds `amount` units to a date/date-time, keeping its precision and zone.
/// Month and year steps clamp the day to the target month's length.
pub fn add_to_datetime(dt: &DateTime, amount: i64, unit: CalendarUnit) -> Option<DateTime> {
    let months = match unit {
        CalendarUnit::Year => amount.checked_mul(12)?,
        CalendarUnit::Month => amount,
        other => {
            let delta = amount.checked_mul(other.millis()?)?;
            let moved = with_local_millis(dt, local_millis(dt).checked_add(delta)?);
            return (1..=9999).contains(&moved.year).then_some(moved);
        }
    };
    let total = (i64::from(dt.year) * 12 + i64::from(dt.month) - 1).checked_add(months)?;
    let year = i32::try_from(total.div_euclid(12)).ok()?;
    let month = u8::try_from(total.rem_euclid(12) + 1).ok()?;
    if !(1..=9999).contains(&year) {
        return None;
    }
    let day = dt.day.min(days_in_month(year, month));
    Some(DateTime {
        year,
        month,
        day,
        ..*dt
    })
}

/// Adds `amount` units to a time of day, wrapping around midnight; `None`
/// for year/month units.
pub fn add_to_time(t: &Time, amount: i64, unit: CalendarUnit) -> Option<Time> {
    let delta = amount.checked_mul(unit.millis()?)?;
    let base = time_as_datetime(t);
    let moved = with_local_millis(&base, local_millis(&base).checked_add(delta)?);
    moved.time()
}

/// Current UTC instant at millisecond precision.
pub fn now_utc() -> DateTime {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(0));
    let template = DateTime {
        year: 1970,
        month: 1,
        day: 1,
        hour: 0,
        minute: 0,
        second: 0,
        millis: 0,
        precision: Precision::Millisecond,
        tz_minutes: Some(0),
    };
    with_local_millis(&template, millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> DateTime {
        DateTime::parse_datetime(s).unwrap()
    }

    #[test]
    fn civil_round_trip() {
        for days in [-800_000, -1, 0, 1, 11_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn comparison_respects_precision_and_zones() {
        assert_eq!(
            compare_datetime(&dt("2012-04-15"), &dt("2012-04-15T10:00:00")),
            None
        );
        assert_eq!(
            compare_datetime(&dt("2012-04-15T15:30:31"), &dt("2012-04-15T15:30:31.0")),
            Some(Ordering::Equal)
        );
        assert_eq!(
            compare_datetime(
                &dt("2017-11-05T01:30:00.0-04:00"),
                &dt("2017-11-05T00:30:00.0-05:00")
            ),
            Some(Ordering::Equal)
        );
        assert_eq!(
            compare_datetime(&dt("2012-04-15T15:00:00Z"), &dt("2012-04-15T10:00:00")),
            None
        );
        assert_eq!(
            compare_datetime(&dt("2012-04-15T15:00:00Z"), &dt("2019-04-15T10:00:00")),
            Some(Ordering::Less)
        );
    }

    #[test]
    fn calendar_arithmetic() {
        let d = DateTime::parse_date("1973-12-25").unwrap();
        assert_eq!(
            add_to_datetime(&d, 7, CalendarUnit::Day)
                .unwrap()
                .to_string(),
            "1974-01-01"
        );
        assert_eq!(
            add_to_datetime(&d, 1, CalendarUnit::Month)
                .unwrap()
                .to_string(),
            "1974-01-25"
        );
        let jan31 = DateTime::parse_date("2001-01-31").unwrap();
        assert_eq!(
            add_to_datetime(&jan31, 1, CalendarUnit::Month)
                .unwrap()
                .to_string(),
            "2001-02-28"
        );
        let t = dt("1973-12-25T00:00:00.000+10:00");
        assert_eq!(
            add_to_datetime(&t, 10, CalendarUnit::Millisecond)
                .unwrap()
                .to_string(),
            "1973-12-25T00:00:00.010+10:00"
        );
        assert_eq!(CalendarUnit::from_unit("mo"), None);
        assert_eq!(CalendarUnit::from_unit("a"), None);
        assert_eq!(
            CalendarUnit::from_unit("ms"),
            Some(CalendarUnit::Millisecond)
        );
        assert_eq!(CalendarUnit::from_unit("s"), Some(CalendarUnit::Second));
    }

    #[test]
    fn now_is_recent() {
        assert!(now_utc().year >= 2024);
    }
}
