//! The TestScript assert operators (<https://hl7.org/fhir/R4/valueset-assert-operator-codes.html>)
//! applied to the values an assert extracted.

use std::cmp::Ordering;

/// An assert operator; `equals` when the script names none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    Equals,
    NotEquals,
    In,
    NotIn,
    GreaterThan,
    LessThan,
    Empty,
    NotEmpty,
    Contains,
    NotContains,
    Eval,
}

impl Operator {
    /// Parses an operator code (R4 and STU3 spell them alike); `None` when unknown.
    pub fn parse(code: &str) -> Option<Operator> {
        Some(match code {
            "equals" => Operator::Equals,
            "notEquals" => Operator::NotEquals,
            "in" => Operator::In,
            "notIn" => Operator::NotIn,
            "greaterThan" => Operator::GreaterThan,
            "lessThan" => Operator::LessThan,
            "empty" => Operator::Empty,
            "notEmpty" => Operator::NotEmpty,
            "contains" => Operator::Contains,
            "notContains" => Operator::NotContains,
            "eval" => Operator::Eval,
            _ => return None,
        })
    }

    /// The operator's code.
    pub fn code(self) -> &'static str {
        match self {
            Operator::Equals => "equals",
            Operator::NotEquals => "notEquals",
            Operator::In => "in",
            Operator::NotIn => "notIn",
            Operator::GreaterThan => "greaterThan",
            Operator::LessThan => "lessThan",
            Operator::Empty => "empty",
            Operator::NotEmpty => "notEmpty",
            Operator::Contains => "contains",
            Operator::NotContains => "notContains",
            Operator::Eval => "eval",
        }
    }
}

/// Whether `actual` (the extracted values, possibly none) satisfies `op` against `expected`.
///
/// A single value compares directly; for `equals`/`notEquals` several values match by their
/// comma-joined text or by their first value (XPath's string value of a node set, which
/// older scripts rely on); each must satisfy `in`/`notIn`/`greaterThan`/`lessThan`.
/// Numbers compare numerically, other text lexically (ISO dates order correctly). `eval`
/// passes when the values are exactly `true`.
pub fn apply(op: Operator, actual: &[String], expected: &str) -> bool {
    match op {
        Operator::Equals => equals(actual, expected),
        Operator::NotEquals => !equals(actual, expected),
        Operator::In => !actual.is_empty() && actual.iter().all(|a| in_list(a, expected)),
        Operator::NotIn => actual.iter().all(|a| !in_list(a, expected)),
        Operator::GreaterThan => ordered(actual, expected, Ordering::Greater),
        Operator::LessThan => ordered(actual, expected, Ordering::Less),
        Operator::Empty => actual.is_empty(),
        Operator::NotEmpty => !actual.is_empty(),
        Operator::Contains => actual.iter().any(|a| a.contains(expected)),
        Operator::NotContains => actual.iter().all(|a| !a.contains(expected)),
        Operator::Eval => actual.len() == 1 && actual[0] == "true",
    }
}

fn equals(actual: &[String], expected: &str) -> bool {
    let joined = actual.join(",");
    let first = actual.first().map_or("", String::as_str);
    !actual.is_empty()
        && [joined.as_str(), first]
            .iter()
            .any(|a| *a == expected || same_number(a, expected))
}

fn in_list(value: &str, list: &str) -> bool {
    list.split(',').any(|item| item.trim() == value)
}

fn same_number(a: &str, b: &str) -> bool {
    matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(x), Ok(y)) if x == y)
}

fn ordered(actual: &[String], expected: &str, wanted: Ordering) -> bool {
    !actual.is_empty() && actual.iter().all(|a| compare(a, expected) == Some(wanted))
}

fn compare(a: &str, b: &str) -> Option<Ordering> {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.partial_cmp(&y),
        _ => Some(a.cmp(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn equals_compares_text_and_numbers() {
        assert!(apply(Operator::Equals, &vals(&["200"]), "200"));
        assert!(apply(Operator::Equals, &vals(&["1.0"]), "1"));
        assert!(!apply(Operator::Equals, &[], ""));
        assert!(apply(Operator::NotEquals, &vals(&["a"]), "b"));
        assert!(apply(Operator::Equals, &vals(&["a", "b"]), "a,b"));
        assert!(apply(Operator::Equals, &vals(&["a", "b"]), "a"));
        assert!(!apply(Operator::Equals, &vals(&["a", "b"]), "b"));
    }

    #[test]
    fn in_and_not_in_use_comma_lists() {
        assert!(apply(Operator::In, &vals(&["201"]), "200, 201"));
        assert!(!apply(Operator::In, &vals(&["204"]), "200,201"));
        assert!(apply(Operator::NotIn, &vals(&["204"]), "200,201"));
    }

    #[test]
    fn ordering_is_numeric_then_lexical() {
        assert!(apply(Operator::GreaterThan, &vals(&["10"]), "9"));
        assert!(apply(Operator::LessThan, &vals(&["2020-01-01"]), "2021"));
        assert!(!apply(Operator::GreaterThan, &[], "0"));
    }

    #[test]
    fn emptiness_containment_and_eval() {
        assert!(apply(Operator::Empty, &[], ""));
        assert!(apply(Operator::NotEmpty, &vals(&["x"]), ""));
        assert!(apply(
            Operator::Contains,
            &vals(&["application/fhir+json"]),
            "json"
        ));
        assert!(apply(Operator::NotContains, &vals(&["text/html"]), "json"));
        assert!(apply(Operator::Eval, &vals(&["true"]), ""));
        assert!(!apply(Operator::Eval, &vals(&["false"]), ""));
    }

    #[test]
    fn parses_every_code() {
        for code in [
            "equals",
            "notEquals",
            "in",
            "notIn",
            "greaterThan",
            "lessThan",
            "empty",
            "notEmpty",
            "contains",
            "notContains",
            "eval",
        ] {
            assert_eq!(Operator::parse(code).map(Operator::code), Some(code));
        }
        assert_eq!(Operator::parse("bogus"), None);
    }
}
