//! Date ranges by precision (<https://hl7.org/fhir/R4/search.html#date>): a date value is
//! an implicit range, e.g. `2026-12` is the whole of December 2026.

const MICROS_PER_SECOND: i64 = 1_000_000;
const MICROS_PER_DAY: i64 = 86_400 * MICROS_PER_SECOND;

/// The instant range `[low, high]` (Unix epoch microseconds, both inclusive) that a FHIR
/// date, dateTime or instant text covers given its precision: `2026` → the whole year,
/// `2026-12` → the month, `2026-12-01` → the day, `2026-12-01T10:00` → the minute, then
/// seconds and fractions (up to microseconds). A time zone (`Z`, `+hh:mm`, `-hh:mm`) is
/// applied; without one (dates, and dateTimes written without a zone) the text is read as
/// UTC. `None` when the text is not such a value (bad digits, month 13, 30 February, a zone
/// without a time, trailing text).
pub fn date_range(text: &str) -> Option<(i64, i64)> {
    let (date, time) = match text.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let (day_start, day_span) = date_part(date)?;
    match time {
        None => Some((day_start, day_start + day_span - 1)),
        Some(_) if day_span != MICROS_PER_DAY => None,
        Some(t) => {
            let (offset, span, zone) = time_part(t)?;
            let low = day_start + offset - zone;
            Some((low, low + span - 1))
        }
    }
}

/// Start (epoch micros at UTC midnight) and length of `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
fn date_part(text: &str) -> Option<(i64, i64)> {
    let mut parts = text.split('-');
    let year = digits(parts.next()?, 4)?;
    let month = optional_digits(parts.next())?;
    let day = optional_digits(parts.next())?;
    if parts.next().is_some() || year == 0 {
        return None;
    }
    let Some(month) = month else {
        let start = days_from_civil(year, 1, 1);
        return Some((
            start * MICROS_PER_DAY,
            (days_from_civil(year + 1, 1, 1) - start) * MICROS_PER_DAY,
        ));
    };
    if !(1..=12).contains(&month) {
        return None;
    }
    let month_days = days_in_month(year, month);
    match day {
        None => Some((
            days_from_civil(year, month, 1) * MICROS_PER_DAY,
            month_days * MICROS_PER_DAY,
        )),
        Some(d) if (1..=month_days).contains(&d) => Some((
            days_from_civil(year, month, d) * MICROS_PER_DAY,
            MICROS_PER_DAY,
        )),
        Some(_) => None,
    }
}

/// Offset into the day, span and zone offset (all micros) of `hh:mm[:ss[.f+]][zone]`.
fn time_part(text: &str) -> Option<(i64, i64, i64)> {
    let zone_at = text.find(['Z', '+', '-']).unwrap_or(text.len());
    let (clock, zone) = text.split_at(zone_at);
    let zone = zone_offset(zone)?;
    let (hms, fraction) = match clock.split_once('.') {
        Some((hms, f)) => (hms, Some(f)),
        None => (clock, None),
    };
    let mut parts = hms.split(':');
    let hour = digits(parts.next()?, 2)?;
    let minute = digits(parts.next()?, 2)?;
    let second = optional_digits(parts.next())?;
    if parts.next().is_some() || hour > 23 || minute > 59 || second.is_some_and(|s| s > 60) {
        return None;
    }
    let base = (hour * 3600 + minute * 60 + second.unwrap_or(0)) * MICROS_PER_SECOND;
    match (second, fraction) {
        (None, None) => Some((base, 60 * MICROS_PER_SECOND, zone)),
        (None, Some(_)) => None,
        (Some(_), None) => Some((base, MICROS_PER_SECOND, zone)),
        (Some(_), Some(f)) => {
            let (micros, span) = fraction_micros(f)?;
            Some((base + micros, span, zone))
        }
    }
}

/// Micros and span of a fraction of a second (`5` → 500000 µs spanning 100000 µs).
fn fraction_micros(f: &str) -> Option<(i64, i64)> {
    if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let kept = &f[..f.len().min(6)];
    let scale = 10_i64.pow(u32::try_from(6 - kept.len()).ok()?);
    Some((kept.parse::<i64>().ok()? * scale, scale))
}

/// The zone offset in micros: `""` and `Z` are UTC; `±hh:mm` otherwise.
fn zone_offset(zone: &str) -> Option<i64> {
    let sign = match zone.as_bytes().first() {
        None => return Some(0),
        Some(b'Z') if zone.len() == 1 => return Some(0),
        Some(b'+') => 1,
        Some(b'-') => -1,
        Some(_) => return None,
    };
    let (h, m) = zone[1..].split_once(':')?;
    let (h, m) = (digits(h, 2)?, digits(m, 2)?);
    if h > 14 || m > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60) * MICROS_PER_SECOND)
}

/// `Some(None)` when absent, `Some(Some(n))` for two digits, `None` when malformed.
fn optional_digits(text: Option<&str>) -> Option<Option<i64>> {
    match text {
        None => Some(None),
        Some(t) => digits(t, 2).map(Some),
    }
}

/// Exactly `len` ASCII digits as a number.
fn digits(text: &str, len: usize) -> Option<i64> {
    if text.len() != len || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = MICROS_PER_DAY;
    /// 2026-01-01T00:00:00Z.
    const Y2026: i64 = 1_767_225_600 * MICROS_PER_SECOND;

    #[test]
    fn epoch_is_zero() {
        assert_eq!(date_range("1970-01-01"), Some((0, DAY - 1)));
    }

    #[test]
    fn year_month_and_day_cover_their_whole_span() {
        assert_eq!(date_range("2026"), Some((Y2026, Y2026 + 365 * DAY - 1)));
        let dec = Y2026 + 334 * DAY;
        assert_eq!(date_range("2026-12"), Some((dec, dec + 31 * DAY - 1)));
        assert_eq!(date_range("2026-12-01"), Some((dec, dec + DAY - 1)));
        assert_eq!(
            date_range("2024-02").map(|(l, h)| (h - l + 1) / DAY),
            Some(29)
        );
    }

    #[test]
    fn times_cover_minutes_seconds_and_fractions() {
        let ten = Y2026 + 10 * 3600 * MICROS_PER_SECOND;
        assert_eq!(
            date_range("2026-01-01T10:00"),
            Some((ten, ten + 60_000_000 - 1))
        );
        assert_eq!(
            date_range("2026-01-01T10:00:00Z"),
            Some((ten, ten + 999_999))
        );
        assert_eq!(
            date_range("2026-01-01T10:00:00.5Z"),
            Some((ten + 500_000, ten + 599_999))
        );
        assert_eq!(
            date_range("2026-01-01T10:00:00.1234567Z"),
            Some((ten + 123_456, ten + 123_456))
        );
    }

    #[test]
    fn time_zones_are_applied() {
        let ten = Y2026 + 10 * 3600 * MICROS_PER_SECOND;
        assert_eq!(
            date_range("2026-01-01T11:00:00+01:00").map(|r| r.0),
            Some(ten)
        );
        assert_eq!(
            date_range("2026-01-01T08:30:00-01:30").map(|r| r.0),
            Some(ten)
        );
    }

    #[test]
    fn malformed_dates_are_rejected() {
        for bad in [
            "",
            "26",
            "2026-13",
            "2026-02-30",
            "2026-1-01",
            "2026-01-01T25:00",
            "2026-01T10:00",
            "2026-01-01T10:00:00+1:00",
            "2026-01-01+01:00",
            "2026-01-01T10",
            "abc",
            "2026-01-01T10:00:00.",
        ] {
            assert_eq!(date_range(bad), None, "{bad}");
        }
    }

    #[test]
    fn civil_days_match_known_dates() {
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(days_from_civil(1, 1, 1), -719_162);
    }
}
