//! Implicit number ranges (<https://hl7.org/fhir/R4/search.html#number>): `100` stands for
//! any value in `[99.5, 100.5)`, `100.00` for `[99.995, 100.005)`.

/// The implicit range of a decimal text by its precision, as `(low, value, high)`: half a
/// unit of the last written digit either side (`100` → `(99.5, 100, 100.5)`, `1.50` →
/// `(1.495, 1.5, 1.505)`). Exponent forms count the mantissa's digits (`1.5e2` → ±5,
/// `1e2` → ±50). Leading `+`/`-` allowed. `None` when the text is not a number (empty,
/// `1.`, `.5`, `1e`, infinite).
pub fn number_range(text: &str) -> Option<(f64, f64, f64)> {
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, parse_exponent(e)?),
        None => (text, 0),
    };
    let unsigned = mantissa.strip_prefix(['+', '-']).unwrap_or(mantissa);
    let decimals = match unsigned.split_once('.') {
        Some((int, frac)) if all_digits(int) && all_digits(frac) => frac.len(),
        Some(_) => return None,
        None if all_digits(unsigned) => 0,
        None => return None,
    };
    let value: f64 = text.parse().ok()?;
    if !value.is_finite() {
        return None;
    }
    let places = exponent - i32::try_from(decimals).ok()?;
    let half = 0.5 * 10_f64.powi(places);
    Some((value - half, value, value + half))
}

fn parse_exponent(e: &str) -> Option<i32> {
    let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
    if !all_digits(digits) || digits.len() > 4 {
        return None;
    }
    e.parse().ok()
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: (f64, f64, f64), b: (f64, f64, f64)) -> bool {
        (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9 && (a.2 - b.2).abs() < 1e-9
    }

    #[test]
    fn integers_span_half_a_unit() {
        assert!(close(number_range("100").unwrap(), (99.5, 100.0, 100.5)));
        assert!(close(number_range("-3").unwrap(), (-3.5, -3.0, -2.5)));
    }

    #[test]
    fn decimals_span_half_their_last_digit() {
        assert!(close(number_range("1.50").unwrap(), (1.495, 1.5, 1.505)));
        assert!(close(
            number_range("100.00").unwrap(),
            (99.995, 100.0, 100.005)
        ));
    }

    #[test]
    fn exponents_scale_the_precision() {
        assert!(close(number_range("1.5e2").unwrap(), (145.0, 150.0, 155.0)));
        assert!(close(number_range("1e2").unwrap(), (50.0, 100.0, 150.0)));
        assert!(close(number_range("25E-1").unwrap(), (2.45, 2.5, 2.55)));
    }

    #[test]
    fn non_numbers_are_rejected() {
        for bad in [
            "", "abc", "1.", ".5", "1e", "1.2.3", "--1", "1e99999", "NaN", "inf",
        ] {
            assert_eq!(number_range(bad), None, "{bad}");
        }
    }
}
