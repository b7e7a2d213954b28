//! Conversions between System values (<https://hl7.org/fhirpath/N1/#conversion>).
//! Each returns `None` when the value does not convert.

use crate::fhirpath::datetime::{DateTime, Precision, Time};
use crate::fhirpath::decimal::Decimal;
use crate::fhirpath::item::SystemValue;
use crate::fhirpath::quantity::{Quantity, is_calendar_keyword};

/// `toBoolean()`.
pub(crate) fn to_boolean(v: &SystemValue<'_>) -> Option<bool> {
    match v {
        SystemValue::Boolean(b) => Some(*b),
        SystemValue::Integer(0) => Some(false),
        SystemValue::Integer(1) => Some(true),
        SystemValue::Decimal(d) if d.is_zero() => Some(false),
        SystemValue::Decimal(d) if *d == Decimal::from_i64(1) => Some(true),
        SystemValue::String(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "t" | "yes" | "y" | "1" | "1.0" => Some(true),
            "false" | "f" | "no" | "n" | "0" | "0.0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn is_integer_text(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `toInteger()`.
pub(crate) fn to_integer(v: &SystemValue<'_>) -> Option<i64> {
    match v {
        SystemValue::Integer(i) => Some(*i),
        SystemValue::Boolean(b) => Some(i64::from(*b)),
        SystemValue::String(s) if is_integer_text(s) => s.parse().ok(),
        _ => None,
    }
}

/// `toDecimal()`.
pub(crate) fn to_decimal(v: &SystemValue<'_>) -> Option<Decimal> {
    match v {
        SystemValue::Integer(i) => Some(Decimal::from_i64(*i)),
        SystemValue::Decimal(d) => Some(*d),
        SystemValue::Boolean(b) => Decimal::new(i128::from(*b) * 10, 1),
        SystemValue::String(s) if !s.contains(['e', 'E']) => Decimal::parse(s),
        _ => None,
    }
}

/// `toString()`: every primitive has a string form.
pub(crate) fn to_string(v: &SystemValue<'_>) -> Option<String> {
    Some(match v {
        SystemValue::Boolean(b) => b.to_string(),
        SystemValue::String(s) => s.to_string(),
        SystemValue::Integer(i) => i.to_string(),
        SystemValue::Decimal(d) => d.to_string(),
        SystemValue::Date(d) | SystemValue::DateTime(d) => d.to_string(),
        SystemValue::Time(t) => t.to_string(),
        SystemValue::Quantity(q) => q.to_string(),
    })
}

/// A date-time cut down to at most day precision, without zone.
fn date_part(d: &DateTime) -> DateTime {
    DateTime {
        precision: d.precision.min(Precision::Day),
        hour: 0,
        minute: 0,
        second: 0,
        millis: 0,
        tz_minutes: None,
        ..*d
    }
}

/// `toDate()`.
pub(crate) fn to_date(v: &SystemValue<'_>) -> Option<DateTime> {
    match v {
        SystemValue::Date(d) | SystemValue::DateTime(d) => Some(date_part(d)),
        SystemValue::String(s) => {
            DateTime::parse_date(s).or_else(|| DateTime::parse_datetime(s).map(|d| date_part(&d)))
        }
        _ => None,
    }
}

/// `toDateTime()`.
pub(crate) fn to_datetime(v: &SystemValue<'_>) -> Option<DateTime> {
    match v {
        SystemValue::Date(d) | SystemValue::DateTime(d) => Some(*d),
        SystemValue::String(s) => DateTime::parse_datetime(s),
        _ => None,
    }
}

/// `toTime()`.
pub(crate) fn to_time(v: &SystemValue<'_>) -> Option<Time> {
    match v {
        SystemValue::Time(t) => Some(*t),
        SystemValue::String(s) => Time::parse(s.strip_prefix('T').unwrap_or(s)),
        _ => None,
    }
}

/// `toQuantity()` without a target unit.
pub(crate) fn to_quantity(v: &SystemValue<'_>) -> Option<Quantity> {
    match v {
        SystemValue::Integer(i) => Some(Quantity::new(Decimal::from_i64(*i), "1")),
        SystemValue::Decimal(d) => Some(Quantity::new(*d, "1")),
        SystemValue::Boolean(b) => Some(Quantity::new(Decimal::new(i128::from(*b) * 10, 1)?, "1")),
        SystemValue::Quantity(q) => Some(q.clone()),
        SystemValue::String(s) => parse_quantity(s),
        _ => None,
    }
}

/// Parses `number [unit]` where unit is `'ucum'` or a calendar keyword.
pub(crate) fn parse_quantity(s: &str) -> Option<Quantity> {
    let s = s.trim();
    let split = s
        .find(|c: char| c.is_whitespace() || c == '\'')
        .unwrap_or(s.len());
    let (number, rest) = s.split_at(split);
    let value = Decimal::parse(number).filter(|_| !number.contains(['e', 'E']))?;
    let rest = rest.trim();
    let unit = if rest.is_empty() {
        "1"
    } else if let Some(quoted) = rest.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        if quoted.is_empty() || quoted.contains('\'') {
            return None;
        }
        quoted
    } else if is_calendar_keyword(rest) {
        rest
    } else {
        return None;
    };
    Some(Quantity::new(value, unit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn s(text: &str) -> SystemValue<'_> {
        SystemValue::String(Cow::Borrowed(text))
    }

    #[test]
    fn string_conversions() {
        assert_eq!(to_integer(&s("-1")), Some(-1));
        assert_eq!(to_integer(&s("1.0")), None);
        assert_eq!(to_boolean(&s("False")), Some(false));
        assert!(to_decimal(&s("1.a")).is_none());
        assert_eq!(parse_quantity("1 'wk'").unwrap().unit, "wk");
        assert_eq!(parse_quantity("1 day").unwrap().unit, "day");
        assert!(parse_quantity("1 wk").is_none());
        assert!(parse_quantity("1.a").is_none());
        assert_eq!(parse_quantity("1.0").unwrap().unit, "1");
    }
}
