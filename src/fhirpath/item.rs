//! Items of FHIRPath collections: borrowed FHIR JSON nodes or computed System values.
//!
//! Evaluation never converts a resource: a [`Node`] borrows the JSON value (and
//! the `_name` companion holding a primitive's `id`/`extension`) and remembers its
//! FHIR type when known. Values computed by operators and functions are owned
//! [`SystemValue`]s (<https://hl7.org/fhirpath/N1/#literals>).

use super::datetime::{DateTime, Time};
use super::decimal::Decimal;
use super::model::{ModelProvider, NullModel, is_subtype};
use super::quantity::Quantity;
use serde_json::Value;
use std::borrow::Cow;

/// JSON `null`, used for primitives that only have a `_name` companion.
pub(crate) static JSON_NULL: Value = Value::Null;

/// A FHIR JSON node found by navigation.
#[derive(Clone, Copy, Debug)]
pub struct Node<'a> {
    pub(crate) json: &'a Value,
    pub(crate) companion: Option<&'a Value>,
    pub(crate) type_name: Option<&'a str>,
}

impl<'a> Node<'a> {
    /// A node for `json` of FHIR type `type_name` (if known).
    pub fn new(json: &'a Value, type_name: Option<&'a str>) -> Node<'a> {
        Node {
            json,
            companion: None,
            type_name,
        }
    }

    /// A resource node typed by its `resourceType`.
    pub fn resource(json: &'a Value) -> Node<'a> {
        Node::new(json, json.get("resourceType").and_then(Value::as_str))
    }

    /// The JSON value (`null` for a primitive that only has extensions).
    pub fn json(&self) -> &'a Value {
        self.json
    }

    /// The `_name` companion object of a primitive (its `id` and `extension`).
    pub fn companion(&self) -> Option<&'a Value> {
        self.companion
    }

    /// The FHIR type name when known (`"date"`, `"HumanName"`, `"Patient"`, or a
    /// backbone path such as `"Patient.contact"`).
    pub fn fhir_type(&self) -> Option<&'a str> {
        self.type_name
    }

    /// True when the node holds a primitive value (not an object, not only extensions).
    pub fn has_primitive_value(&self) -> bool {
        matches!(
            self.json,
            Value::String(_) | Value::Number(_) | Value::Bool(_)
        )
    }
}

/// A value of the FHIRPath System type system.
#[derive(Clone, Debug, PartialEq)]
pub enum SystemValue<'a> {
    Boolean(bool),
    String(Cow<'a, str>),
    Integer(i64),
    Decimal(Decimal),
    Date(DateTime),
    DateTime(DateTime),
    Time(Time),
    Quantity(Quantity),
}

impl SystemValue<'_> {
    /// The System type name (`"Boolean"`, `"String"`, …).
    pub fn type_name(&self) -> &'static str {
        match self {
            SystemValue::Boolean(_) => "Boolean",
            SystemValue::String(_) => "String",
            SystemValue::Integer(_) => "Integer",
            SystemValue::Decimal(_) => "Decimal",
            SystemValue::Date(_) => "Date",
            SystemValue::DateTime(_) => "DateTime",
            SystemValue::Time(_) => "Time",
            SystemValue::Quantity(_) => "Quantity",
        }
    }

    /// An owned copy not borrowing anything.
    pub fn into_owned(self) -> SystemValue<'static> {
        match self {
            SystemValue::String(s) => SystemValue::String(Cow::Owned(s.into_owned())),
            SystemValue::Boolean(b) => SystemValue::Boolean(b),
            SystemValue::Integer(i) => SystemValue::Integer(i),
            SystemValue::Decimal(d) => SystemValue::Decimal(d),
            SystemValue::Date(d) => SystemValue::Date(d),
            SystemValue::DateTime(d) => SystemValue::DateTime(d),
            SystemValue::Time(t) => SystemValue::Time(t),
            SystemValue::Quantity(q) => SystemValue::Quantity(q),
        }
    }
}

/// One item of a collection.
#[derive(Clone, Debug)]
pub enum Item<'a> {
    /// A node of the input (or of a variable / resolved resource).
    Node(Node<'a>),
    /// A computed value.
    System(SystemValue<'a>),
    /// The result of `type()`: `namespace` is `"System"` or `"FHIR"`.
    Type {
        namespace: &'static str,
        name: Cow<'a, str>,
    },
}

impl<'a> Item<'a> {
    /// A System string item.
    pub fn string(s: impl Into<Cow<'a, str>>) -> Item<'a> {
        Item::System(SystemValue::String(s.into()))
    }

    /// A System boolean item.
    pub fn boolean(b: bool) -> Item<'a> {
        Item::System(SystemValue::Boolean(b))
    }

    /// A System integer item.
    pub fn integer(i: i64) -> Item<'a> {
        Item::System(SystemValue::Integer(i))
    }

    /// The node, when the item is one.
    pub fn node(&self) -> Option<&Node<'a>> {
        match self {
            Item::Node(n) => Some(n),
            _ => None,
        }
    }

    /// The borrowed JSON of a node item.
    pub fn json(&self) -> Option<&'a Value> {
        self.node().map(|n| n.json)
    }

    /// The item's type name: the FHIR type of a node (`None` when unknown), or
    /// the System type of a computed value.
    pub fn type_name(&self) -> Option<&str> {
        match self {
            Item::Node(n) => n.type_name,
            Item::System(v) => Some(v.type_name()),
            Item::Type { .. } => Some("TypeInfo"),
        }
    }

    /// The item as a System value: node primitives are converted according to
    /// their FHIR type (dates parsed, decimals exact) and `Quantity` nodes become
    /// quantities; `None` for other complex nodes and empty primitives.
    pub fn value(&self) -> Option<SystemValue<'a>> {
        self.to_system(&NullModel)
    }

    /// [`Item::value`] using `model` to recognise `Quantity` profiles
    /// (types deriving from `Quantity`).
    pub fn to_system(&self, model: &dyn ModelProvider) -> Option<SystemValue<'a>> {
        match self {
            Item::System(v) => Some(v.clone()),
            Item::Node(n) => node_value(n, model),
            Item::Type { .. } => None,
        }
    }

    /// The string content of a string-like item (System String or FHIR string-ish primitive).
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Item::System(SystemValue::String(s)) => Some(s),
            Item::Node(n) => n.json.as_str(),
            _ => None,
        }
    }
}

/// Converts a node to a System value (see [`Item::to_system`]).
fn node_value<'a>(node: &Node<'a>, model: &dyn ModelProvider) -> Option<SystemValue<'a>> {
    let ty = node.type_name;
    match node.json {
        Value::Bool(b) => Some(SystemValue::Boolean(*b)),
        Value::Number(n) => number_value(n.as_str(), ty),
        Value::String(s) => Some(string_value(s, ty)),
        Value::Object(map) if ty.is_some_and(|t| is_subtype(model, t, "Quantity")) => {
            let value = map.get("value")?;
            let value = Decimal::parse(&value.to_string())?;
            let unit = quantity_unit(map);
            Some(SystemValue::Quantity(Quantity::new(value, unit)))
        }
        _ => None,
    }
}

/// Number text as Integer or Decimal, by FHIR type or, untyped, by its form.
fn number_value<'a>(text: &str, ty: Option<&str>) -> Option<SystemValue<'a>> {
    let integral = match ty {
        Some("decimal") => false,
        Some("integer" | "positiveInt" | "unsignedInt") => true,
        _ => !text.contains(['.', 'e', 'E']),
    };
    if integral && let Ok(i) = text.parse::<i64>() {
        return Some(SystemValue::Integer(i));
    }
    Decimal::parse(text).map(SystemValue::Decimal)
}

/// String JSON as a date/time when typed so, otherwise a String.
fn string_value<'a>(s: &'a str, ty: Option<&str>) -> SystemValue<'a> {
    let parsed = match ty {
        Some("date") => DateTime::parse_date(s).map(SystemValue::Date),
        Some("dateTime" | "instant") => DateTime::parse_datetime(s).map(SystemValue::DateTime),
        Some("time") => Time::parse(s).map(SystemValue::Time),
        _ => None,
    };
    parsed.unwrap_or(SystemValue::String(Cow::Borrowed(s)))
}

/// The unit of a FHIR Quantity: the UCUM code when coded in UCUM, else `unit`.
fn quantity_unit(map: &serde_json::Map<String, Value>) -> String {
    let text = |k: &str| map.get(k).and_then(Value::as_str);
    let ucum = text("system").is_none_or(|s| s == "http://unitsofmeasure.org");
    match (text("code"), text("unit")) {
        (Some(code), _) if ucum => code.to_owned(),
        (_, Some(unit)) => unit.to_owned(),
        (Some(code), None) => code.to_owned(),
        (None, None) => "1".to_owned(),
    }
}

/// The result of an evaluation: an ordered collection of items.
#[derive(Clone, Debug, Default)]
pub struct Collection<'a> {
    items: Vec<Item<'a>>,
}

impl<'a> Collection<'a> {
    /// Wraps items.
    pub fn new(items: Vec<Item<'a>>) -> Collection<'a> {
        Collection { items }
    }

    /// The items in order.
    pub fn items(&self) -> &[Item<'a>] {
        &self.items
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when there are no items.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Iterates over the items.
    pub fn iter(&self) -> std::slice::Iter<'_, Item<'a>> {
        self.items.iter()
    }

    /// The items, by value.
    pub fn into_vec(self) -> Vec<Item<'a>> {
        self.items
    }

    /// `Some(b)` when the collection is exactly one Boolean (System or FHIR).
    pub fn as_boolean(&self) -> Option<bool> {
        match self.items.as_slice() {
            [item] => match item.value()? {
                SystemValue::Boolean(b) => Some(b),
                _ => None,
            },
            _ => None,
        }
    }
}

impl<'a> IntoIterator for Collection<'a> {
    type Item = Item<'a>;
    type IntoIter = std::vec::IntoIter<Item<'a>>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn typed_nodes_convert_to_system_values() {
        let v = json!({"d": "1974-12-25", "n": 185, "x": 1.50});
        let date = Item::Node(Node::new(&v["d"], Some("date")));
        assert!(matches!(date.value(), Some(SystemValue::Date(_))));
        let dec = Item::Node(Node::new(&v["n"], Some("decimal")));
        assert!(matches!(dec.value(), Some(SystemValue::Decimal(_))));
        let untyped = Item::Node(Node::new(&v["x"], None));
        assert_eq!(
            untyped.value(),
            Some(SystemValue::Decimal(Decimal::parse("1.50").unwrap()))
        );
        let s = Item::Node(Node::new(&v["d"], None));
        assert_eq!(s.as_str(), Some("1974-12-25"));
    }

    #[test]
    fn quantity_nodes_use_ucum_codes() {
        let v = json!({"value": 185, "unit": "lbs", "system": "http://unitsofmeasure.org", "code": "[lb_av]"});
        let q = Item::Node(Node::new(&v, Some("Quantity"))).value();
        assert_eq!(
            q,
            Some(SystemValue::Quantity(Quantity::new(
                Decimal::from_i64(185),
                "[lb_av]"
            )))
        );
        let age = json!({"value": 41, "code": "a"});
        assert!(matches!(
            Item::Node(Node::new(&age, Some("Age"))).value(),
            Some(SystemValue::Quantity(_))
        ));
    }
}
