//! A small UCUM subset: enough to compare and convert common units
//! (<https://ucum.org/ucum>). A unit expression becomes a factor to base units
//! and a dimension vector; units outside the subset are simply not convertible
//! (`None`), which callers treat as "not comparable" rather than an error.

use super::decimal::Decimal;

/// Exponents of the base dimensions: length, mass, time, amount, temperature,
/// current, luminous intensity.
pub type Dimensions = [i8; 7];

/// A unit reduced to base units: `value_in_base = value × factor`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Canonical {
    /// Multiplier to base units (m, g, s, mol, K, A, cd).
    pub factor: Decimal,
    /// Dimension exponents.
    pub dims: Dimensions,
}

const L: Dimensions = [1, 0, 0, 0, 0, 0, 0];
const M: Dimensions = [0, 1, 0, 0, 0, 0, 0];
const T: Dimensions = [0, 0, 1, 0, 0, 0, 0];
const N: Dimensions = [0, 0, 0, 1, 0, 0, 0];
const K: Dimensions = [0, 0, 0, 0, 1, 0, 0];
const A: Dimensions = [0, 0, 0, 0, 0, 1, 0];
const CD: Dimensions = [0, 0, 0, 0, 0, 0, 1];
const ONE: Dimensions = [0; 7];
const VOLUME: Dimensions = [3, 0, 0, 0, 0, 0, 0];
const FORCE: Dimensions = [1, 1, -2, 0, 0, 0, 0];
const PRESSURE: Dimensions = [-1, 1, -2, 0, 0, 0, 0];
const ENERGY: Dimensions = [2, 1, -2, 0, 0, 0, 0];
const POWER: Dimensions = [2, 1, -3, 0, 0, 0, 0];

/// Atom symbol, factor text, dimensions, prefixable.
const ATOMS: &[(&str, &str, Dimensions, bool)] = &[
    ("m", "1", L, true),
    ("g", "1", M, true),
    ("s", "1", T, true),
    ("mol", "1", N, true),
    ("K", "1", K, true),
    ("A", "1", A, true),
    ("cd", "1", CD, true),
    ("L", "0.001", VOLUME, true),
    ("l", "0.001", VOLUME, true),
    ("N", "1000", FORCE, true),
    ("Pa", "1000", PRESSURE, true),
    ("J", "1000", ENERGY, true),
    ("W", "1000", POWER, true),
    ("cal", "4184", ENERGY, true),
    ("min", "60", T, false),
    ("h", "3600", T, false),
    ("d", "86400", T, false),
    ("wk", "604800", T, false),
    ("mo", "2629800", T, false),
    ("a", "31557600", T, false),
    ("[in_i]", "0.0254", L, false),
    ("[ft_i]", "0.3048", L, false),
    ("[yd_i]", "0.9144", L, false),
    ("[mi_i]", "1609.344", L, false),
    ("[lb_av]", "453.59237", M, false),
    ("[oz_av]", "28.349523125", M, false),
    ("mm[Hg]", "133322", PRESSURE, false),
    ("%", "0.01", ONE, false),
    ("1", "1", ONE, false),
];

const PREFIXES: &[(&str, i32)] = &[
    ("da", 1),
    ("Y", 24),
    ("Z", 21),
    ("E", 18),
    ("P", 15),
    ("T", 12),
    ("G", 9),
    ("M", 6),
    ("k", 3),
    ("h", 2),
    ("d", -1),
    ("c", -2),
    ("m", -3),
    ("u", -6),
    ("n", -9),
    ("p", -12),
    ("f", -15),
];

/// `10^exp` as a decimal.
fn power_of_ten(exp: i32) -> Option<Decimal> {
    if exp >= 0 {
        Decimal::new(10i128.checked_pow(exp.unsigned_abs())?, 0)
    } else {
        Decimal::new(1, exp.unsigned_abs())
    }
}

impl Canonical {
    const UNIT: Canonical = Canonical {
        factor: Decimal::ZERO,
        dims: ONE,
    };

    fn one() -> Canonical {
        Canonical {
            factor: Decimal::from_i64(1),
            ..Canonical::UNIT
        }
    }

    fn combine(&self, other: &Canonical, divide: bool) -> Option<Canonical> {
        let factor = if divide {
            self.factor.checked_div(&other.factor)?
        } else {
            self.factor.checked_mul(&other.factor)?
        };
        let mut dims = self.dims;
        for (d, o) in dims.iter_mut().zip(other.dims) {
            *d = if divide {
                d.checked_sub(o)?
            } else {
                d.checked_add(o)?
            };
        }
        Some(Canonical { factor, dims })
    }

    fn pow(&self, exp: i8) -> Option<Canonical> {
        let mut result = Canonical::one();
        for _ in 0..exp.unsigned_abs() {
            result = result.combine(self, exp < 0)?;
        }
        Some(result)
    }
}

/// Reduces a UCUM unit expression; `None` when it uses anything outside the subset.
pub fn canonical(unit: &str) -> Option<Canonical> {
    let mut parser = Parser {
        chars: unit.as_bytes(),
        pos: 0,
        depth: 0,
    };
    let result = parser.expression()?;
    (parser.pos == parser.chars.len()).then_some(result)
}

struct Parser<'u> {
    chars: &'u [u8],
    pos: usize,
    depth: u8,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.chars.get(self.pos).copied()
    }

    /// `term (('.' | '/') term)*`, with an optional leading `/`.
    fn expression(&mut self) -> Option<Canonical> {
        let mut acc = if self.peek() == Some(b'/') {
            Canonical::one()
        } else {
            self.term()?
        };
        while let Some(op @ (b'.' | b'/')) = self.peek() {
            self.pos += 1;
            let rhs = self.term()?;
            acc = acc.combine(&rhs, op == b'/')?;
        }
        Some(acc)
    }

    fn term(&mut self) -> Option<Canonical> {
        if self.peek() == Some(b'(') {
            self.depth = self.depth.checked_add(1).filter(|d| *d < 16)?;
            self.pos += 1;
            let inner = self.expression()?;
            if self.peek() != Some(b')') {
                return None;
            }
            self.pos += 1;
            self.depth -= 1;
            return Some(inner);
        }
        let start = self.pos;
        while let Some(c) = self.peek() {
            if matches!(c, b'.' | b'/' | b'(' | b')') {
                break;
            }
            self.pos += 1;
        }
        let text = std::str::from_utf8(self.chars.get(start..self.pos)?).ok()?;
        simple_term(text)
    }
}

/// A term without operators: annotation, number, `10*n`, or symbol + exponent.
fn simple_term(text: &str) -> Option<Canonical> {
    let text = strip_annotation(text)?;
    if text.is_empty() {
        return Some(Canonical::one());
    }
    if let Some(exp) = text
        .strip_prefix("10*")
        .or_else(|| text.strip_prefix("10^"))
    {
        let factor = power_of_ten(exp.parse().ok()?)?;
        return Some(Canonical {
            factor,
            ..Canonical::UNIT
        });
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        let factor = Decimal::parse(text)?;
        return Some(Canonical {
            factor,
            ..Canonical::UNIT
        });
    }
    let split = text
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '-' || *c == '+'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let (symbol, exponent) = text.split_at(split);
    let atom = symbol_unit(symbol)?;
    if exponent.is_empty() {
        Some(atom)
    } else {
        atom.pow(exponent.parse().ok()?)
    }
}

/// Removes a trailing `{annotation}`; `None` when braces are unbalanced.
fn strip_annotation(text: &str) -> Option<&str> {
    match text.find('{') {
        Some(open) if text.ends_with('}') => Some(&text[..open]),
        Some(_) => None,
        None if text.contains('}') => None,
        None => Some(text),
    }
}

/// An atom, optionally with a metric prefix.
fn symbol_unit(symbol: &str) -> Option<Canonical> {
    if let Some(unit) = atom(symbol, false) {
        return Some(unit);
    }
    PREFIXES.iter().find_map(|(prefix, exp)| {
        let rest = symbol.strip_prefix(prefix)?;
        let unit = atom(rest, true)?;
        let factor = unit.factor.checked_mul(&power_of_ten(*exp)?)?;
        Some(Canonical { factor, ..unit })
    })
}

fn atom(symbol: &str, needs_prefixable: bool) -> Option<Canonical> {
    ATOMS
        .iter()
        .find(|(s, _, _, prefixable)| *s == symbol && (*prefixable || !needs_prefixable))
        .and_then(|(_, factor, dims, _)| {
            Some(Canonical {
                factor: Decimal::parse(factor)?,
                dims: *dims,
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn factor(u: &str) -> String {
        canonical(u).unwrap().factor.normalize().to_string()
    }

    #[test]
    fn reduces_common_units() {
        assert_eq!(factor("mg"), "0.001");
        assert_eq!(factor("kg"), "1000");
        assert_eq!(factor("cm"), "0.01");
        assert_eq!(factor("cm2"), "0.0001");
        assert_eq!(factor("g/m"), "1");
        assert_eq!(factor("[lb_av]"), "453.59237");
        assert_eq!(factor("mg/dL"), "10");
        assert_eq!(factor("min"), "60");
        assert_eq!(factor("10*3/uL"), "1000000000000");
        assert_eq!(factor("{beats}/min").len(), "0.01666666666666666667".len());
        assert_eq!(canonical("cm.m").unwrap().dims, [2, 0, 0, 0, 0, 0, 0]);
        assert_eq!(canonical("m/m").unwrap().dims, ONE);
    }

    #[test]
    fn unknown_or_malformed_units_are_none() {
        for u in ["furlong", "(m", "m)", "{x", "m{", "[iU]", "", "m^^"] {
            assert!(canonical(u).is_none() || u.is_empty(), "{u}");
        }
        assert!(canonical(&"(".repeat(100)).is_none());
    }
}
