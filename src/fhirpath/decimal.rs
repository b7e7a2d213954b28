//! Exact decimal numbers for FHIRPath `Decimal` (and FHIR `decimal`).
//!
//! A [`Decimal`] is a signed 128-bit mantissa with a count of fraction digits
//! (its *scale*), so `1.10` keeps its two digits of precision as FHIR requires
//! (<https://hl7.org/fhir/R4/datatypes.html#decimal>). Arithmetic is checked:
//! an operation that would overflow returns `None` instead of panicking.

use std::cmp::Ordering;
use std::fmt;

/// Largest scale (digits after the point) a [`Decimal`] carries.
pub const MAX_SCALE: u32 = 38;

/// Fraction digits kept by [`Decimal::checked_div`] for inexact quotients.
const DIVISION_SCALE: u32 = 20;

/// An exact decimal: `mantissa × 10^-scale`.
#[derive(Clone, Copy)]
pub struct Decimal {
    mantissa: i128,
    scale: u32,
}

/// `10^n` when it fits in an `i128`.
fn pow10(n: u32) -> Option<i128> {
    10i128.checked_pow(n)
}

impl Decimal {
    /// Zero with no fraction digits.
    pub const ZERO: Decimal = Decimal {
        mantissa: 0,
        scale: 0,
    };

    /// Builds `mantissa × 10^-scale`; `None` when `scale` exceeds 38.
    pub fn new(mantissa: i128, scale: u32) -> Option<Decimal> {
        (scale <= MAX_SCALE).then_some(Decimal { mantissa, scale })
    }

    /// The decimal equal to an integer, with scale 0.
    pub fn from_i64(value: i64) -> Decimal {
        Decimal {
            mantissa: i128::from(value),
            scale: 0,
        }
    }

    /// Parses `[+-]digits[.digits][(e|E)[+-]digits]`; `None` for anything else
    /// or for values that do not fit.
    pub fn parse(text: &str) -> Option<Decimal> {
        let (mantissa_text, exponent) = match text.find(['e', 'E']) {
            Some(pos) => (&text[..pos], text[pos + 1..].parse::<i32>().ok()?),
            None => (text, 0),
        };
        let (negative, body) = match mantissa_text.as_bytes().first()? {
            b'-' => (true, &mantissa_text[1..]),
            b'+' => (false, &mantissa_text[1..]),
            _ => (false, mantissa_text),
        };
        let (int_part, frac_part) = body.split_once('.').unwrap_or((body, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int_part.is_empty() || !all_digits(int_part) || !all_digits(frac_part) {
            return None;
        }
        if body.contains('.') && frac_part.is_empty() {
            return None;
        }
        let mut mantissa: i128 = 0;
        for b in int_part.bytes().chain(frac_part.bytes()) {
            mantissa = mantissa
                .checked_mul(10)?
                .checked_add(i128::from(b - b'0'))?;
        }
        if negative {
            mantissa = -mantissa;
        }
        let scale = i64::try_from(frac_part.len()).ok()? - i64::from(exponent);
        Self::from_signed_scale(mantissa, scale)
    }

    /// Normalises a possibly negative scale into a non-negative one.
    fn from_signed_scale(mantissa: i128, scale: i64) -> Option<Decimal> {
        if scale >= 0 {
            return Decimal::new(mantissa, u32::try_from(scale).ok()?);
        }
        let factor = pow10(u32::try_from(-scale).ok()?)?;
        Decimal::new(mantissa.checked_mul(factor)?, 0)
    }

    /// Digits after the decimal point (the precision of the value).
    pub fn scale(&self) -> u32 {
        self.scale
    }

    /// The raw mantissa.
    pub fn mantissa(&self) -> i128 {
        self.mantissa
    }

    /// True when the value is zero.
    pub fn is_zero(&self) -> bool {
        self.mantissa == 0
    }

    /// True when the value is below zero.
    pub fn is_negative(&self) -> bool {
        self.mantissa < 0
    }

    /// The same value with `scale` fraction digits; `None` when that would
    /// lose digits or overflow.
    pub fn rescale_up(&self, scale: u32) -> Option<Decimal> {
        let extra = scale.checked_sub(self.scale)?;
        let mantissa = self.mantissa.checked_mul(pow10(extra)?)?;
        Decimal::new(mantissa, scale)
    }

    /// Aligns two decimals on the larger scale.
    fn align(a: &Decimal, b: &Decimal) -> Option<(i128, i128, u32)> {
        let scale = a.scale.max(b.scale);
        Some((
            a.rescale_up(scale)?.mantissa,
            b.rescale_up(scale)?.mantissa,
            scale,
        ))
    }

    /// Numeric comparison (trailing zeros do not matter).
    pub fn cmp_value(&self, other: &Decimal) -> Ordering {
        match Decimal::align(self, other) {
            Some((a, b, _)) => a.cmp(&b),
            None => self
                .to_f64()
                .partial_cmp(&other.to_f64())
                .unwrap_or(Ordering::Equal),
        }
    }

    /// Checked addition.
    pub fn checked_add(&self, other: &Decimal) -> Option<Decimal> {
        let (a, b, scale) = Decimal::align(self, other)?;
        Decimal::new(a.checked_add(b)?, scale)
    }

    /// Checked subtraction.
    pub fn checked_sub(&self, other: &Decimal) -> Option<Decimal> {
        self.checked_add(&other.neg())
    }

    /// Checked multiplication; the scale is the sum of the scales, reduced by
    /// rounding when it would exceed 28 digits.
    pub fn checked_mul(&self, other: &Decimal) -> Option<Decimal> {
        let mantissa = self.mantissa.checked_mul(other.mantissa)?;
        let product = Decimal::new(mantissa, self.scale + other.scale)?;
        Some(if product.scale > 28 {
            product.round(28)
        } else {
            product
        })
    }

    /// Division to 20 fraction digits (rounded half away from zero,
    /// trailing zeros stripped); `None` for division by zero or overflow.
    pub fn checked_div(&self, other: &Decimal) -> Option<Decimal> {
        if other.is_zero() {
            return None;
        }
        (0..=DIVISION_SCALE)
            .rev()
            .find_map(|scale| self.div_at_scale(other, scale))
            .map(|d| d.normalize())
    }

    /// Quotient with exactly `scale` fraction digits, if it fits.
    fn div_at_scale(&self, other: &Decimal, scale: u32) -> Option<Decimal> {
        // value = (a / 10^sa) / (b / 10^sb); scaled by 10^(scale+1) for rounding.
        let shift = i64::from(other.scale) + i64::from(scale) + 1 - i64::from(self.scale);
        let (num, den) = if shift >= 0 {
            let f = pow10(u32::try_from(shift).ok()?)?;
            (self.mantissa.checked_mul(f)?, other.mantissa)
        } else {
            let f = pow10(u32::try_from(-shift).ok()?)?;
            (self.mantissa, other.mantissa.checked_mul(f)?)
        };
        let q = num.checked_div(den)?;
        let rounded = q.saturating_add(q.signum() * 5) / 10;
        Decimal::new(rounded, scale)
    }

    /// Truncated division (`div`): an integral decimal; `None` for zero divisor.
    pub fn checked_div_trunc(&self, other: &Decimal) -> Option<Decimal> {
        let (a, b, _) = Decimal::align(self, other)?;
        Decimal::new(a.checked_div(b)?, 0)
    }

    /// Remainder of truncated division (`mod`); `None` for zero divisor.
    pub fn checked_rem(&self, other: &Decimal) -> Option<Decimal> {
        let (a, b, scale) = Decimal::align(self, other)?;
        Decimal::new(a.checked_rem(b)?, scale)
    }

    /// Negation.
    pub fn neg(&self) -> Decimal {
        Decimal {
            mantissa: self.mantissa.saturating_neg(),
            scale: self.scale,
        }
    }

    /// Absolute value.
    pub fn abs(&self) -> Decimal {
        Decimal {
            mantissa: self.mantissa.saturating_abs(),
            scale: self.scale,
        }
    }

    /// Removes trailing fraction zeros (`2.500` → `2.5`, `4.0` → `4`).
    pub fn normalize(&self) -> Decimal {
        let mut d = *self;
        while d.scale > 0 && d.mantissa % 10 == 0 {
            d.mantissa /= 10;
            d.scale -= 1;
        }
        d
    }

    /// Rounds half away from zero to `digits` fraction digits (never adds digits).
    pub fn round(&self, digits: u32) -> Decimal {
        self.reduce(digits, |q, r, unit| {
            if r.unsigned_abs() * 2 >= unit.unsigned_abs() {
                q + r.signum()
            } else {
                q
            }
        })
    }

    /// Drops fraction digits beyond `digits` (towards zero).
    pub fn truncate(&self, digits: u32) -> Decimal {
        self.reduce(digits, |q, _, _| q)
    }

    /// Largest integral value not above this one.
    pub fn floor(&self) -> Decimal {
        self.reduce(0, |q, r, _| if r < 0 { q - 1 } else { q })
    }

    /// Smallest integral value not below this one.
    pub fn ceiling(&self) -> Decimal {
        self.reduce(0, |q, r, _| if r > 0 { q + 1 } else { q })
    }

    /// Shared helper: reduce the scale to `digits` choosing the new mantissa
    /// from quotient, remainder and the removed unit.
    fn reduce(&self, digits: u32, pick: impl Fn(i128, i128, i128) -> i128) -> Decimal {
        if digits >= self.scale {
            return *self;
        }
        let Some(unit) = pow10(self.scale - digits) else {
            return Decimal::ZERO;
        };
        let q = self.mantissa / unit;
        let r = self.mantissa % unit;
        Decimal {
            mantissa: pick(q, r, unit),
            scale: digits,
        }
    }

    /// The integral part as an `i64`, if the value is integral and fits.
    pub fn to_i64_exact(&self) -> Option<i64> {
        let n = self.normalize();
        (n.scale == 0).then(|| i64::try_from(n.mantissa).ok())?
    }

    /// Nearest `f64`.
    pub fn to_f64(&self) -> f64 {
        self.to_string().parse().unwrap_or(f64::NAN)
    }

    /// Converts a finite `f64` through its shortest round-trip text.
    pub fn from_f64(value: f64) -> Option<Decimal> {
        if !value.is_finite() {
            return None;
        }
        Decimal::parse(&format!("{value}")).map(|d| d.round(16).normalize())
    }
}

impl PartialEq for Decimal {
    fn eq(&self, other: &Self) -> bool {
        self.cmp_value(other) == Ordering::Equal
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Decimal({self})")
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.mantissa.unsigned_abs().to_string();
        let scale = self.scale as usize;
        let sign = if self.mantissa < 0 { "-" } else { "" };
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int_part, frac_part) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{int_part}.{frac_part}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap()
    }

    #[test]
    fn parse_keeps_precision_and_displays_it() {
        assert_eq!(d("1.10").to_string(), "1.10");
        assert_eq!(d("-0.0034").to_string(), "-0.0034");
        assert_eq!(d("1e3").to_string(), "1000");
        assert_eq!(d("1.5E-2").to_string(), "0.015");
        assert_eq!(
            d("1234567890987654321.0").to_string(),
            "1234567890987654321.0"
        );
    }

    #[test]
    fn parse_rejects_garbage() {
        for s in ["", "-", "1.", ".5", "1.a", "abc", "1e", "1..2", "++1"] {
            assert!(Decimal::parse(s).is_none(), "{s}");
        }
        assert!(Decimal::parse(&"9".repeat(60)).is_none());
    }

    #[test]
    fn arithmetic_is_exact() {
        assert_eq!(d("1.2").checked_mul(&d("1.8")).unwrap().to_string(), "2.16");
        assert_eq!(d("1.8").checked_sub(&d("1.2")).unwrap(), d("0.6"));
        assert_eq!(d("1").checked_div(&d("2")).unwrap().to_string(), "0.5");
        assert_eq!(d("4.0").checked_div(&d("2.0")).unwrap().to_string(), "2");
        assert!(d("1").checked_div(&Decimal::ZERO).is_none());
        assert_eq!(d("2.2").checked_div_trunc(&d("1.8")).unwrap(), d("1"));
        assert_eq!(d("2.2").checked_rem(&d("1.8")).unwrap(), d("0.4"));
    }

    #[test]
    fn rounding_family() {
        assert_eq!(d("3.14159").round(3).to_string(), "3.142");
        assert_eq!(d("-2.5").round(0).to_string(), "-3");
        assert_eq!(d("-2.1").floor().to_string(), "-3");
        assert_eq!(d("-1.1").ceiling().to_string(), "-1");
        assert_eq!(d("-1.56").truncate(0).to_string(), "-1");
        assert_eq!(d("0.6666666").round(2), d("0.67"));
    }

    #[test]
    fn overflow_is_none_not_panic() {
        let big = Decimal::new(i128::MAX, 0).unwrap();
        assert!(big.checked_add(&big).is_none());
        assert!(big.checked_mul(&big).is_none());
        assert!(
            d("1")
                .checked_div(&d("0.0000000000000000000000000000000001"))
                .is_some()
        );
    }
}
