//! One element of a profile snapshot, read from its `ElementDefinition` JSON
//! (<https://hl7.org/fhir/R4/elementdefinition.html>) keeping only what validation uses.

use serde_json::{Map, Value};

/// The canonical without its `|version`.
pub(super) fn unversioned(url: &str) -> &str {
    url.split('|').next().unwrap_or(url)
}

/// One `ElementDefinition.type`.
#[derive(Debug, Clone, Default)]
pub(super) struct TypeRef {
    pub code: String,
    /// `type.profile`, without versions.
    pub profiles: Vec<String>,
    /// `type.targetProfile`, without versions.
    pub target_profiles: Vec<String>,
}

/// `ElementDefinition.slicing`.
#[derive(Debug, Clone, Default)]
pub(super) struct Slicing {
    /// `(type, path)` pairs: `value`/`pattern`/`exists`/`type`/`profile`.
    pub discriminators: Vec<(String, String)>,
    /// `closed`: items matching no slice are errors.
    pub closed: bool,
    /// `openAtEnd`: items matching no slice come after every sliced item.
    pub open_at_end: bool,
    /// `ordered`: sliced items come in the order the slices are defined.
    pub ordered: bool,
}

/// An `ElementDefinition.constraint`.
#[derive(Debug, Clone)]
pub(super) struct Constraint {
    pub key: String,
    pub error: bool,
    pub human: String,
    pub expression: String,
}

/// An `ElementDefinition.binding` with a value set.
#[derive(Debug, Clone)]
pub(super) struct NodeBinding {
    pub required: bool,
    pub value_set: String,
}

/// A snapshot element, linked to its children and slices by index in [`super::compile::Profile`].
#[derive(Debug, Clone, Default)]
pub(super) struct Node {
    pub id: String,
    pub path: String,
    /// Last path segment without `[x]`.
    pub name: String,
    pub is_choice: bool,
    pub slice_name: Option<String>,
    pub min: u32,
    /// `None` for `*`.
    pub max: Option<u32>,
    pub types: Vec<TypeRef>,
    pub fixed: Option<Value>,
    /// `maxLength` of a string value.
    pub max_length: Option<usize>,
    pub pattern: Option<Value>,
    pub binding: Option<NodeBinding>,
    pub slicing: Option<Slicing>,
    pub constraints: Vec<Constraint>,
    pub children: Vec<usize>,
    pub slices: Vec<usize>,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    let items = v
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    items
        .iter()
        .filter_map(Value::as_str)
        .map(|s| unversioned(s).to_owned())
        .collect()
}

fn str_of(obj: &Map<String, Value>, key: &str) -> Option<String> {
    obj.get(key).and_then(Value::as_str).map(str::to_owned)
}

impl Node {
    /// Reads an ElementDefinition; `None` when it has no path.
    pub fn parse(e: &Value) -> Option<Node> {
        let obj = e.as_object()?;
        let path = str_of(obj, "path")?;
        let last = path.rsplit('.').next().unwrap_or(&path);
        let is_choice = last.ends_with("[x]");
        let name = last.trim_end_matches("[x]").to_owned();
        let max = match obj.get("max").and_then(Value::as_str) {
            Some("*") | None => None,
            Some(n) => n.parse().ok(),
        };
        let prefixed = |prefix: &str| {
            obj.iter()
                .find(|(k, _)| k.starts_with(prefix) && k.len() > prefix.len())
                .map(|(_, v)| v.clone())
        };
        Some(Node {
            id: str_of(obj, "id").unwrap_or_else(|| path.clone()),
            name,
            is_choice,
            slice_name: str_of(obj, "sliceName"),
            min: obj
                .get("min")
                .and_then(Value::as_u64)
                .map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX)),
            max,
            types: types(obj.get("type")),
            fixed: prefixed("fixed"),
            max_length: obj
                .get("maxLength")
                .and_then(Value::as_u64)
                .and_then(|n| usize::try_from(n).ok()),
            pattern: prefixed("pattern"),
            binding: binding(obj.get("binding")),
            slicing: slicing(obj.get("slicing")),
            constraints: constraints(obj.get("constraint")),
            path,
            children: Vec::new(),
            slices: Vec::new(),
        })
    }

    /// The type profiles of all types.
    pub fn type_profiles(&self) -> impl Iterator<Item = &str> {
        self.types
            .iter()
            .flat_map(|t| t.profiles.iter().map(String::as_str))
    }
}

fn types(v: Option<&Value>) -> Vec<TypeRef> {
    let items = v
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    items
        .iter()
        .filter_map(|t| {
            Some(TypeRef {
                code: t.get("code")?.as_str()?.to_owned(),
                profiles: strings(t.get("profile")),
                target_profiles: strings(t.get("targetProfile")),
            })
        })
        .collect()
}

fn binding(v: Option<&Value>) -> Option<NodeBinding> {
    let strength = v?.get("strength")?.as_str()?;
    let value_set = unversioned(v?.get("valueSet")?.as_str()?).to_owned();
    match strength {
        "required" => Some(NodeBinding {
            required: true,
            value_set,
        }),
        "extensible" => Some(NodeBinding {
            required: false,
            value_set,
        }),
        _ => None,
    }
}

fn slicing(v: Option<&Value>) -> Option<Slicing> {
    let v = v?;
    let items = v.get("discriminator").and_then(Value::as_array);
    let discriminators = items
        .into_iter()
        .flatten()
        .filter_map(|d| {
            Some((
                d.get("type")?.as_str()?.to_owned(),
                d.get("path")?.as_str()?.to_owned(),
            ))
        })
        .collect();
    Some(Slicing {
        discriminators,
        closed: v.get("rules").and_then(Value::as_str) == Some("closed"),
        open_at_end: v.get("rules").and_then(Value::as_str) == Some("openAtEnd"),
        ordered: v.get("ordered").and_then(Value::as_bool) == Some(true),
    })
}

fn constraints(v: Option<&Value>) -> Vec<Constraint> {
    let items = v
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    items
        .iter()
        .filter_map(|c| {
            Some(Constraint {
                key: c.get("key")?.as_str()?.to_owned(),
                error: c.get("severity").and_then(Value::as_str) != Some("warning"),
                human: c
                    .get("human")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                expression: c.get("expression")?.as_str()?.to_owned(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn element_definitions_are_read() {
        let e = json!({"id": "Patient.identifier:INS", "path": "Patient.identifier",
            "sliceName": "INS", "min": 0, "max": "1",
            "type": [{"code": "Identifier", "profile": ["http://x/p|1.0"]}],
            "patternIdentifier": {"system": "urn:oid:1.2"},
            "binding": {"strength": "required", "valueSet": "http://vs|2"},
            "slicing": {"discriminator": [{"type": "value", "path": "system"}], "rules": "closed"},
            "constraint": [{"key": "k-1", "severity": "warning", "human": "h", "expression": "x"}]});
        let n = Node::parse(&e).unwrap();
        assert_eq!(
            (n.name.as_str(), n.slice_name.as_deref(), n.max),
            ("identifier", Some("INS"), Some(1))
        );
        assert_eq!(n.types[0].profiles, ["http://x/p"]);
        assert_eq!(n.pattern, Some(json!({"system": "urn:oid:1.2"})));
        assert!(n.binding.as_ref().unwrap().required && n.slicing.unwrap().closed);
        assert!(!n.constraints[0].error);
        let choice = Node::parse(&json!({"path": "Observation.value[x]", "max": "*"})).unwrap();
        assert!(choice.is_choice && choice.name == "value" && choice.max.is_none());
    }
}
