//! FHIRPath `Quantity`: a decimal value with a UCUM unit or a calendar duration
//! keyword (<https://hl7.org/fhirpath/N1/#quantity>).
//!
//! Calendar keywords `week`…`millisecond` compare equal to their UCUM units
//! (`wk`, `d`, `h`, `min`, `s`, `ms`); `year` and `month` only compare with each
//! other (UCUM `a` and `mo` are different, definite durations).

use super::decimal::Decimal;
use super::ucum::{self, Canonical};
use std::cmp::Ordering;
use std::fmt;

/// A quantity value.
#[derive(Clone, Debug, PartialEq)]
pub struct Quantity {
    /// The numeric value.
    pub value: Decimal,
    /// UCUM unit or calendar keyword (`'1'` for dimensionless).
    pub unit: String,
}

const CALENDAR_WORDS: &[&str] = &[
    "year",
    "years",
    "month",
    "months",
    "week",
    "weeks",
    "day",
    "days",
    "hour",
    "hours",
    "minute",
    "minutes",
    "second",
    "seconds",
    "millisecond",
    "milliseconds",
];

/// True for the unquoted calendar duration keywords.
pub fn is_calendar_keyword(unit: &str) -> bool {
    CALENDAR_WORDS.contains(&unit)
}

/// The comparable form of a unit: definite calendar keywords become UCUM.
fn comparable_unit(unit: &str) -> &str {
    match unit.trim_end_matches('s') {
        "week" => "wk",
        "day" => "d",
        "hour" => "h",
        "minute" => "min",
        "second" => "s",
        "millisecond" => "ms",
        "year" => "year",
        "month" => "month",
        _ => unit,
    }
}

/// Value expressed in months for `year`/`month` keywords.
fn calendar_months(q: &Quantity) -> Option<Decimal> {
    match comparable_unit(&q.unit) {
        "year" => q.value.checked_mul(&Decimal::from_i64(12)),
        "month" => Some(q.value),
        _ => None,
    }
}

impl Quantity {
    /// Builds a quantity.
    pub fn new(value: Decimal, unit: impl Into<String>) -> Quantity {
        Quantity {
            value,
            unit: unit.into(),
        }
    }

    fn canonical(&self) -> Option<Canonical> {
        ucum::canonical(comparable_unit(&self.unit))
    }

    /// Both values expressed in a common unit, if the units are comparable.
    pub fn common_values(&self, other: &Quantity) -> Option<(Decimal, Decimal)> {
        if comparable_unit(&self.unit) == comparable_unit(&other.unit) {
            return Some((self.value, other.value));
        }
        if let (Some(a), Some(b)) = (calendar_months(self), calendar_months(other)) {
            return Some((a, b));
        }
        let (ca, cb) = (self.canonical()?, other.canonical()?);
        if ca.dims != cb.dims || is_year_or_month(self) || is_year_or_month(other) {
            return None;
        }
        Some((
            self.value.checked_mul(&ca.factor)?,
            other.value.checked_mul(&cb.factor)?,
        ))
    }

    /// True when the two units can be converted into each other.
    pub fn comparable(&self, other: &Quantity) -> bool {
        self.common_values(other).is_some()
    }

    /// Ordering after unit conversion; `None` when the units are not comparable.
    pub fn compare(&self, other: &Quantity) -> Option<Ordering> {
        let (a, b) = self.common_values(other)?;
        Some(a.cmp_value(&b))
    }

    /// Equivalence: equal once rounded to the less precise of the two values.
    pub fn equivalent(&self, other: &Quantity) -> bool {
        self.common_values(other).is_some_and(|(a, b)| {
            let digits = a.scale().min(b.scale());
            a.round(digits) == b.round(digits)
        })
    }

    /// `other` converted into this quantity's unit.
    fn convert_other(&self, other: &Quantity) -> Option<Decimal> {
        if comparable_unit(&self.unit) == comparable_unit(&other.unit) {
            return Some(other.value);
        }
        let (ca, cb) = (self.canonical()?, other.canonical()?);
        if ca.dims != cb.dims {
            return None;
        }
        other.value.checked_mul(&cb.factor)?.checked_div(&ca.factor)
    }

    /// Sum (or difference) in this quantity's unit; `None` if incompatible.
    pub fn add(&self, other: &Quantity, subtract: bool) -> Option<Quantity> {
        let b = self.convert_other(other)?;
        let value = if subtract {
            self.value.checked_sub(&b)?
        } else {
            self.value.checked_add(&b)?
        };
        Some(Quantity::new(value, self.unit.clone()))
    }

    /// Product or quotient with the unit combined symbolically.
    pub fn mul_div(&self, other: &Quantity, divide: bool) -> Option<Quantity> {
        let value = if divide {
            self.value.checked_div(&other.value)?
        } else {
            self.value.checked_mul(&other.value)?
        };
        let (a, b) = (comparable_unit(&self.unit), comparable_unit(&other.unit));
        let unit = match (a, b, divide) {
            (_, "1", _) => a.to_owned(),
            ("1", _, false) => b.to_owned(),
            (_, _, true) if b.contains(['.', '/']) => format!("{a}/({b})"),
            (_, _, true) => format!("{a}/{b}"),
            (_, _, false) => format!("{a}.{b}"),
        };
        Some(Quantity::new(value, unit))
    }
}

fn is_year_or_month(q: &Quantity) -> bool {
    calendar_months(q).is_some()
}

impl fmt::Display for Quantity {
    /// `value 'unit'`, or `value keyword` for calendar keywords.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if is_calendar_keyword(&self.unit) {
            write!(f, "{} {}", self.value, self.unit)
        } else {
            write!(f, "{} '{}'", self.value, self.unit)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(v: &str, u: &str) -> Quantity {
        Quantity::new(Decimal::parse(v).unwrap(), u)
    }

    #[test]
    fn compares_across_units() {
        assert_eq!(
            q("4.0000", "g").compare(&q("4000.0", "mg")),
            Some(Ordering::Equal)
        );
        assert_eq!(
            q("7", "days").compare(&q("1", "week")),
            Some(Ordering::Equal)
        );
        assert_eq!(q("7", "days").compare(&q("1", "wk")), Some(Ordering::Equal));
        assert_eq!(
            q("1", "year").compare(&q("12", "months")),
            Some(Ordering::Equal)
        );
        assert_eq!(q("1", "mo").compare(&q("1", "month")), None);
        assert_eq!(q("1", "cm").compare(&q("1", "s")), None);
        assert!(q("4", "g").equivalent(&q("4040", "mg")));
        assert!(!q("4", "g").equivalent(&q("4600", "mg")));
    }

    #[test]
    fn multiplies_and_divides_units() {
        let area = q("2.0", "cm").mul_div(&q("2.0", "m"), false).unwrap();
        assert_eq!(area.compare(&q("0.040", "m2")), Some(Ordering::Equal));
        let ratio = q("1.0", "m").mul_div(&q("1.0", "m"), true).unwrap();
        assert_eq!(ratio.compare(&q("1", "1")), Some(Ordering::Equal));
    }

    #[test]
    fn displays_keywords_unquoted() {
        assert_eq!(q("1", "week").to_string(), "1 week");
        assert_eq!(q("1", "wk").to_string(), "1 'wk'");
    }
}
