//! `lowBoundary()`, `highBoundary()`, `precision()` and `comparable()`
//! (FHIRPath 2.x, <https://build.fhir.org/ig/HL7/FHIRPath/#lowboundaryprecision-integer-decimal--date--datetime--time>).
//!
//! A decimal `1.587` stands for the interval `[1.5865, 1.5875)`; the low boundary
//! is truncated and the high boundary rounded to the requested digits. Date/time
//! boundaries fill the unknown components with their minimum or maximum, and an
//! absent time zone with the extreme offsets (+14:00 low, -12:00 high).

use super::{Inv, Spec, integer_arg, spec};
use crate::fhirpath::datetime::{DateTime, Precision, Time, days_in_month};
use crate::fhirpath::decimal::Decimal;
use crate::fhirpath::error::{FhirPathError, Result};
use crate::fhirpath::item::{Item, SystemValue};
use crate::fhirpath::quantity::Quantity;

pub(crate) const SPECS: &[Spec] = &[
    spec("lowBoundary", 0, 1, low_boundary),
    spec("highBoundary", 0, 1, high_boundary),
    spec("precision", 0, 0, precision),
    spec("comparable", 1, 1, comparable),
];

const MAX_DECIMAL_DIGITS: i64 = 28;

fn low_boundary<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    boundary(inv, false)
}

fn high_boundary<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    boundary(inv, true)
}

fn boundary<'a>(inv: &Inv<'_, 'a>, high: bool) -> Result<Vec<Item<'a>>> {
    let Some(value) = inv.single_value()? else {
        return Ok(Vec::new());
    };
    let digits = integer_arg(inv.env, &inv.arg(0)?, "precision")?;
    let result = match value {
        SystemValue::Integer(i) => {
            decimal_boundary(&Decimal::from_i64(i), digits, high).map(SystemValue::Decimal)
        }
        SystemValue::Decimal(d) => decimal_boundary(&d, digits, high).map(SystemValue::Decimal),
        SystemValue::Quantity(q) => decimal_boundary(&q.value, digits, high)
            .map(|v| SystemValue::Quantity(Quantity::new(v, q.unit))),
        SystemValue::Date(d) => {
            date_boundary(&d, digits.unwrap_or(8), high, false).map(SystemValue::Date)
        }
        SystemValue::DateTime(d) => {
            date_boundary(&d, digits.unwrap_or(17), high, true).map(SystemValue::DateTime)
        }
        SystemValue::Time(t) => time_boundary(&t, digits.unwrap_or(9), high).map(SystemValue::Time),
        SystemValue::String(s) => string_boundary(&s, digits, high),
        other => {
            return Err(FhirPathError::execution(format!(
                "no boundary for {}",
                other.type_name()
            )));
        }
    };
    Ok(result.map(Item::System).into_iter().collect())
}

/// Boundary of an untyped string holding a date, date-time or time.
fn string_boundary(s: &str, digits: Option<i64>, high: bool) -> Option<SystemValue<'static>> {
    if let Some(d) = DateTime::parse_datetime(s) {
        return date_boundary(&d, digits.unwrap_or(17), high, true).map(SystemValue::DateTime);
    }
    let t = Time::parse(s)?;
    time_boundary(&t, digits.unwrap_or(9), high).map(SystemValue::Time)
}

/// Boundary of a decimal at `digits` fraction digits (default 8, at most 28).
pub(crate) fn decimal_boundary(d: &Decimal, digits: Option<i64>, high: bool) -> Option<Decimal> {
    let digits = digits.unwrap_or(8);
    if !(0..=MAX_DECIMAL_DIGITS).contains(&digits) {
        return None;
    }
    let p = u32::try_from(digits).ok()?;
    let result = if d.is_zero() {
        let half = if high {
            Decimal::new(5, 1)?
        } else {
            Decimal::new(-5, 1)?
        };
        if high {
            half.round(p)
        } else {
            half.truncate(p)
        }
    } else if d.is_negative() {
        magnitude_boundary(&d.abs(), p, !high)?.neg()
    } else {
        magnitude_boundary(d, p, high)?
    };
    result
        .rescale_up(p.max(result.scale()))
        .map(|r| if r.scale() > p { r.truncate(p) } else { r })
}

/// Boundary of a positive value: ± half a unit of its last digit, then
/// rounded (high) or truncated (low) to `p` digits.
fn magnitude_boundary(d: &Decimal, p: u32, high: bool) -> Option<Decimal> {
    let half_ulp = Decimal::new(5, d.scale() + 1)?;
    if high {
        Some(d.checked_add(&half_ulp)?.round(p))
    } else {
        Some(d.checked_sub(&half_ulp)?.truncate(p))
    }
}

/// The date/time precision named by a digit count.
fn precision_of_digits(digits: i64, with_time: bool) -> Option<Precision> {
    Some(match digits {
        4 => Precision::Year,
        6 => Precision::Month,
        8 => Precision::Day,
        10 if with_time => Precision::Hour,
        12 if with_time => Precision::Minute,
        14 if with_time => Precision::Second,
        17 if with_time => Precision::Millisecond,
        _ => return None,
    })
}

fn date_boundary(d: &DateTime, digits: i64, high: bool, with_time: bool) -> Option<DateTime> {
    let target = precision_of_digits(digits, with_time)?;
    let mut r = *d;
    // An hour alone is read as hh:00 (FHIR has no hour-only times).
    let known = if d.precision == Precision::Hour {
        Precision::Minute
    } else {
        d.precision
    };
    if high {
        if known < Precision::Month {
            r.month = 12;
        }
        if known < Precision::Day {
            r.day = days_in_month(r.year, r.month);
        }
        if known < Precision::Hour {
            r.hour = 23;
        }
        if known < Precision::Minute {
            r.minute = 59;
        }
        if known < Precision::Second {
            r.second = 59;
        }
        if known < Precision::Millisecond {
            r.millis = 999;
        }
    }
    r.precision = target;
    if target >= Precision::Hour && r.tz_minutes.is_none() {
        r.tz_minutes = Some(if high { -12 * 60 } else { 14 * 60 });
    }
    if target < Precision::Hour {
        r.tz_minutes = None;
    }
    Some(r)
}

fn time_boundary(t: &Time, digits: i64, high: bool) -> Option<Time> {
    let target = match digits {
        2 => Precision::Hour,
        4 => Precision::Minute,
        6 => Precision::Second,
        9 => Precision::Millisecond,
        _ => return None,
    };
    let mut r = *t;
    if high {
        if t.precision < Precision::Minute {
            r.minute = 59;
        }
        if t.precision < Precision::Second {
            r.second = 59;
        }
        if t.precision < Precision::Millisecond {
            r.millis = 999;
        }
    }
    r.precision = target;
    Some(r)
}

fn precision<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let digits = match inv.single_value()? {
        None => return Ok(Vec::new()),
        Some(SystemValue::Decimal(d)) => i64::from(d.scale()),
        Some(SystemValue::Integer(_)) => 0,
        Some(SystemValue::Date(d) | SystemValue::DateTime(d)) => datetime_digits(d.precision),
        Some(SystemValue::Time(t)) => datetime_digits(t.precision) - 8,
        Some(SystemValue::String(s)) => i64::try_from(s.chars().count()).unwrap_or(0),
        Some(_) => return Ok(Vec::new()),
    };
    Ok(vec![Item::integer(digits)])
}

fn datetime_digits(p: Precision) -> i64 {
    match p {
        Precision::Year => 4,
        Precision::Month => 6,
        Precision::Day => 8,
        Precision::Hour => 10,
        Precision::Minute => 12,
        Precision::Second => 14,
        Precision::Millisecond => 17,
    }
}

fn comparable<'a>(inv: &Inv<'_, 'a>) -> Result<Vec<Item<'a>>> {
    let Some(SystemValue::Quantity(a)) = inv.single_value()? else {
        return Ok(Vec::new());
    };
    let other = inv.arg(0)?;
    let b = match other.as_slice() {
        [item] => match item.to_system(inv.model()) {
            Some(SystemValue::Quantity(q)) => q,
            _ => return Ok(Vec::new()),
        },
        _ => return Ok(Vec::new()),
    };
    Ok(vec![Item::boolean(a.comparable(&b))])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn low(s: &str, p: Option<i64>) -> String {
        decimal_boundary(&Decimal::parse(s).unwrap(), p, false)
            .unwrap()
            .to_string()
    }

    fn high(s: &str, p: Option<i64>) -> String {
        decimal_boundary(&Decimal::parse(s).unwrap(), p, true)
            .unwrap()
            .to_string()
    }

    #[test]
    fn decimal_boundaries_match_the_suite() {
        assert_eq!(low("1.587", None), "1.58650000");
        assert_eq!(low("1.587", Some(2)), "1.58");
        assert_eq!(low("-1.587", Some(2)), "-1.59");
        assert_eq!(low("-1.587", Some(0)), "-2");
        assert_eq!(low("120", Some(2)), "119.50");
        assert_eq!(low("12.500", Some(4)), "12.4995");
        assert_eq!(high("1.587", Some(2)), "1.59");
        assert_eq!(high("-1.587", Some(6)), "-1.586500");
        assert_eq!(high("1", Some(0)), "2");
        assert_eq!(high("0.0034", Some(1)), "0.0");
        assert!(decimal_boundary(&Decimal::from_i64(1), Some(39), true).is_none());
    }

    #[test]
    fn date_boundaries_fill_components() {
        let d = DateTime::parse_datetime("2014-01-01T08").unwrap();
        assert_eq!(
            date_boundary(&d, 17, true, true).unwrap().to_string(),
            "2014-01-01T08:00:59.999-12:00"
        );
        assert_eq!(
            date_boundary(&d, 17, false, true).unwrap().to_string(),
            "2014-01-01T08:00:00.000+14:00"
        );
        assert_eq!(
            date_boundary(&d, 8, false, true).unwrap().to_string(),
            "2014-01-01"
        );
        let y = DateTime::parse_date("2014").unwrap();
        assert_eq!(
            date_boundary(&y, 6, true, false).unwrap().to_string(),
            "2014-12"
        );
    }
}
