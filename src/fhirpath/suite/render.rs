//! Compares evaluation results with the suite's expected outputs.

use super::xml::ExpectedOutput;
use crate::fhirpath::decimal::Decimal;
use crate::fhirpath::item::{Item, SystemValue};
use crate::fhirpath::model::ModelProvider;
use serde_json::Value;

/// The suite's text form of an item: dates get `@` (`@T` for times),
/// quantities `value 'unit'`, everything else its plain string form.
pub fn render(item: &Item<'_>, model: &dyn ModelProvider) -> String {
    if let Item::Node(node) = item {
        let temporal = match node.type_name {
            Some("date" | "dateTime" | "instant") => "@",
            Some("time") => "@T",
            _ => "",
        };
        match node.json {
            Value::String(s) => return format!("{temporal}{s}"),
            Value::Number(n) => return n.as_str().to_owned(),
            Value::Bool(b) => return b.to_string(),
            _ => {}
        }
    }
    match item.to_system(model) {
        Some(SystemValue::String(s)) => s.into_owned(),
        Some(SystemValue::Boolean(b)) => b.to_string(),
        Some(SystemValue::Integer(i)) => i.to_string(),
        Some(SystemValue::Decimal(d)) => d.to_string(),
        Some(SystemValue::Date(d) | SystemValue::DateTime(d)) => format!("@{d}"),
        Some(SystemValue::Time(t)) => format!("@T{t}"),
        Some(SystemValue::Quantity(q)) => q.to_string(),
        None => match item {
            Item::Type { namespace, name } => format!("{namespace}.{name}"),
            _ => item.json().map(Value::to_string).unwrap_or_default(),
        },
    }
}

/// Whether `item` matches one expected output.
pub fn matches(item: &Item<'_>, expected: &ExpectedOutput, model: &dyn ModelProvider) -> bool {
    let actual = render(item, model);
    if actual == expected.text {
        return true;
    }
    let numeric = matches!(expected.kind.as_deref(), Some("decimal" | "integer") | None);
    match (
        numeric,
        Decimal::parse(&actual),
        Decimal::parse(expected.text.trim()),
    ) {
        (true, Some(a), Some(b)) => a == b && (expected.kind.is_some() || a.scale() == b.scale()),
        _ => false,
    }
}

/// Whether the result collection equals the expected outputs.
pub fn collection_matches(
    items: &[Item<'_>],
    expected: &[ExpectedOutput],
    unordered: bool,
    model: &dyn ModelProvider,
) -> bool {
    if items.len() != expected.len() {
        return false;
    }
    if !unordered {
        return items
            .iter()
            .zip(expected)
            .all(|(i, e)| matches(i, e, model));
    }
    let mut used = vec![false; expected.len()];
    items.iter().all(|item| {
        let hit = expected
            .iter()
            .enumerate()
            .find(|(k, e)| !used[*k] && matches(item, e, model));
        hit.map(|(k, _)| used[k] = true).is_some()
    })
}
