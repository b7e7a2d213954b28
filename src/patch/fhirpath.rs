//! FHIRPath Patch: https://hl7.org/fhir/R4/fhirpatch.html — a Parameters resource whose `operation`
//! parameters add, insert, delete, replace or move elements located by FHIRPath. Applied to a copy: on
//! any failure the original is untouched.

use serde_json::{Map, Value};

use super::PatchError;
use super::locate::{Pointer, get_mut, locate};
use crate::fhirpath::{Context, compile, evaluate, r4_model};

/// One operation's parts.
struct Op<'a> {
    kind: &'a str,
    path: &'a str,
    name: Option<&'a str>,
    value: Option<(String, Value)>,
    index: Option<usize>,
    source: Option<usize>,
    destination: Option<usize>,
}

/// Apply the FHIRPath Patch `params` (a Parameters resource) to `doc`.
pub fn apply_fhirpath_patch(doc: &Value, params: &Value) -> Result<Value, PatchError> {
    if params.get("resourceType").and_then(Value::as_str) != Some("Parameters") {
        return Err(err("a FHIRPath Patch is a Parameters resource", "patch"));
    }
    let mut out = doc.clone();
    let list = params
        .get("parameter")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    for (i, p) in list.iter().enumerate() {
        let at = format!("Parameters.parameter[{i}]");
        if p.get("name").and_then(Value::as_str) != Some("operation") {
            return Err(err(
                "every parameter of a FHIRPath Patch is named 'operation'",
                &at,
            ));
        }
        let op = parse_op(p).map_err(|m| err(&m, &at))?;
        apply(&mut out, &op).map_err(|m| err(&m, &at))?;
    }
    Ok(out)
}

fn err(message: &str, at: &str) -> PatchError {
    PatchError {
        message: message.to_owned(),
        at: at.to_owned(),
    }
}

fn parse_op(p: &Value) -> Result<Op<'_>, String> {
    let parts = p
        .get("part")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let find = |n: &str| {
        parts
            .iter()
            .find(|x| x.get("name").and_then(Value::as_str) == Some(n))
    };
    let text = |n: &str| {
        find(n)
            .and_then(|x| first_value(x))
            .and_then(|(_, v)| v.as_str())
    };
    let int = |n: &str| {
        find(n)
            .and_then(|x| first_value(x))
            .and_then(|(_, v)| v.as_u64())
            .and_then(|v| usize::try_from(v).ok())
    };
    Ok(Op {
        kind: text("type").ok_or("the operation has no type")?,
        path: text("path").ok_or("the operation has no path")?,
        name: text("name"),
        value: find("value").map(value_of).transpose()?,
        index: int("index"),
        source: int("source"),
        destination: int("destination"),
    })
}

/// The `value[x]` (or `resource`) of a part, with its JSON key.
fn first_value(part: &Value) -> Option<(&str, &Value)> {
    part.as_object()?
        .iter()
        .find(|(k, _)| k.starts_with("value") || *k == "resource")
        .map(|(k, v)| (k.as_str(), v))
}

/// The value of a `value` part: a `value[x]`, or an anonymous element built from nested parts.
fn value_of(part: &Value) -> Result<(String, Value), String> {
    if let Some((k, v)) = first_value(part) {
        return Ok((k.to_owned(), v.clone()));
    }
    let parts = part
        .get("part")
        .and_then(Value::as_array)
        .ok_or("the value part has no value")?;
    let mut obj = Map::new();
    for sub in parts {
        let name = sub
            .get("name")
            .and_then(Value::as_str)
            .ok_or("a value part has no name")?;
        let (_, v) = value_of(sub)?;
        obj.insert(name.to_owned(), v);
    }
    Ok(("value".to_owned(), Value::Object(obj)))
}

/// The locations of what `path` selects, with the FHIR type of each.
fn targets(doc: &Value, path: &str) -> Result<Vec<(Pointer, Option<String>)>, String> {
    let expr = compile(path).map_err(|e| format!("invalid path '{path}': {e}"))?;
    let model = r4_model();
    let ctx = Context::new(&model);
    let items = evaluate(&expr, doc, &ctx).map_err(|e| format!("path '{path}': {e}"))?;
    items
        .iter()
        .map(|item| {
            let node = item
                .node()
                .ok_or_else(|| format!("path '{path}' selects a computed value"))?;
            let ptr = locate(doc, node.json())
                .ok_or_else(|| format!("path '{path}' selects no element"))?;
            Ok((ptr, node.fhir_type().map(str::to_owned)))
        })
        .collect()
}

fn single(doc: &Value, path: &str) -> Result<(Pointer, Option<String>), String> {
    let mut t = targets(doc, path)?;
    match t.len() {
        1 => Ok(t.remove(0)),
        0 => Err(format!("path '{path}' selects nothing")),
        n => Err(format!("path '{path}' selects {n} elements, not one")),
    }
}

fn apply(doc: &mut Value, op: &Op<'_>) -> Result<(), String> {
    match op.kind {
        "replace" => {
            let (ptr, _) = single(doc, op.path)?;
            let (_, v) = op.value.clone().ok_or("replace needs a value")?;
            *get_mut(doc, &ptr).ok_or("target vanished")? = v;
            Ok(())
        }
        "delete" => {
            let t = targets(doc, op.path)?;
            match t.as_slice() {
                [] => Ok(()),
                [(ptr, _)] => super::locate::remove(doc, ptr),
                _ => Err(format!("path '{}' selects several elements", op.path)),
            }
        }
        "add" => add(doc, op),
        "insert" => insert(doc, op),
        "move" => move_item(doc, op),
        other => Err(format!("unknown operation type '{other}'")),
    }
}

fn add(doc: &mut Value, op: &Op<'_>) -> Result<(), String> {
    let (ptr, ty) = single(doc, op.path)?;
    let name = op.name.ok_or("add needs a name")?;
    let (key, v) = op.value.clone().ok_or("add needs a value")?;
    let (json_name, repeats) = property(ty.as_deref(), name, &key);
    let target = get_mut(doc, &ptr)
        .and_then(Value::as_object_mut)
        .ok_or("add needs an element to add to")?;
    if repeats {
        match target
            .entry(json_name)
            .or_insert_with(|| Value::Array(Vec::new()))
        {
            Value::Array(a) => a.push(v),
            _ => return Err(format!("'{name}' is not a list")),
        }
    } else {
        target.insert(json_name, v);
    }
    Ok(())
}

/// The JSON name of element `name` of `ty` for a value given as `value_key`, and whether it repeats.
fn property(ty: Option<&str>, name: &str, value_key: &str) -> (String, bool) {
    let model = crate::model::r4();
    let Some(ty) = ty else {
        return (name.to_owned(), false);
    };
    if let Some(e) = model.element(ty, name) {
        return (name.to_owned(), e.is_array());
    }
    let choice = model
        .type_def(ty)
        .and_then(|t| t.element_by_name(name))
        .is_some_and(|d| d.is_choice());
    match value_key.strip_prefix("value") {
        Some(suffix) if choice && !suffix.is_empty() => (format!("{name}{suffix}"), false),
        _ => (name.to_owned(), false),
    }
}

fn list_of(doc: &Value, path: &str) -> Result<Pointer, String> {
    let t = targets(doc, path)?;
    let (first, _) = t
        .first()
        .ok_or_else(|| format!("path '{path}' selects no list"))?;
    let (last, parent) = first.split_last().ok_or("a list item has no parent")?;
    if last.parse::<usize>().is_err() {
        return Err(format!("path '{path}' does not select a list"));
    }
    Ok(parent.to_vec())
}

fn insert(doc: &mut Value, op: &Op<'_>) -> Result<(), String> {
    let (_, v) = op.value.clone().ok_or("insert needs a value")?;
    let index = op.index.ok_or("insert needs an index")?;
    let list = list_of(doc, op.path)?;
    let arr = get_mut(doc, &list)
        .and_then(Value::as_array_mut)
        .ok_or("insert needs a list")?;
    if index > arr.len() {
        return Err(format!(
            "index {index} is past the end of the list ({})",
            arr.len()
        ));
    }
    arr.insert(index, v);
    Ok(())
}

fn move_item(doc: &mut Value, op: &Op<'_>) -> Result<(), String> {
    let (from, to) = (
        op.source.ok_or("move needs a source")?,
        op.destination.ok_or("move needs a destination")?,
    );
    let list = list_of(doc, op.path)?;
    let arr = get_mut(doc, &list)
        .and_then(Value::as_array_mut)
        .ok_or("move needs a list")?;
    if from >= arr.len() || to >= arr.len() {
        return Err("move index out of range".into());
    }
    let v = arr.remove(from);
    arr.insert(to, v);
    Ok(())
}
