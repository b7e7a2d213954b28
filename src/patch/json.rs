//! JSON Patch (RFC 6902): add, remove, replace, move, copy, test. Applied to a copy: on any failure the
//! original is untouched.

use serde_json::Value;

use super::PatchError;
use super::pointer::{self, get, get_mut, index};

/// Apply `patch` (an array of operations) to `doc`, returning the patched document.
pub fn apply_json_patch(doc: &Value, patch: &Value) -> Result<Value, PatchError> {
    let ops = patch.as_array().ok_or_else(|| PatchError {
        message: "a JSON Patch document is an array of operations".into(),
        at: "patch".into(),
    })?;
    let mut out = doc.clone();
    for (i, op) in ops.iter().enumerate() {
        apply_op(&mut out, op).map_err(|message| PatchError {
            message,
            at: format!("operation[{i}]"),
        })?;
    }
    Ok(out)
}

fn str_field<'a>(op: &'a Value, name: &str) -> Result<&'a str, String> {
    op.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("missing or non-string '{name}'"))
}

fn path_of(op: &Value, name: &str) -> Result<Vec<String>, String> {
    let raw = str_field(op, name)?;
    pointer::tokens(raw).ok_or_else(|| format!("'{raw}' is not a JSON Pointer"))
}

fn value_of(op: &Value) -> Result<Value, String> {
    op.get("value")
        .cloned()
        .ok_or_else(|| "missing 'value'".to_owned())
}

fn apply_op(doc: &mut Value, op: &Value) -> Result<(), String> {
    let path = path_of(op, "path")?;
    match str_field(op, "op")? {
        "add" => add(doc, &path, value_of(op)?),
        "remove" => remove(doc, &path).map(|_| ()),
        "replace" => {
            let v = value_of(op)?;
            let target = get_mut(doc, &path).ok_or("the path does not exist")?;
            *target = v;
            Ok(())
        }
        "move" => {
            let from = path_of(op, "from")?;
            if path.len() > from.len() && path[..from.len()] == from[..] {
                return Err("cannot move a value into itself".into());
            }
            let v = remove(doc, &from)?;
            add(doc, &path, v)
        }
        "copy" => {
            let from = path_of(op, "from")?;
            let v = get(doc, &from).cloned().ok_or("'from' does not exist")?;
            add(doc, &path, v)
        }
        "test" => {
            let want = value_of(op)?;
            match get(doc, &path) {
                Some(v) if numbers_equal(v, &want) => Ok(()),
                _ => Err("test failed".into()),
            }
        }
        other => Err(format!("unknown op '{other}'")),
    }
}

/// Value equality where numbers compare by value (1 == 1.0), as RFC 6902 says.
fn numbers_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| numbers_equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| numbers_equal(v, w)))
        }
        _ => a == b,
    }
}

fn split(path: &[String]) -> Result<(&[String], &str), String> {
    path.split_last()
        .map(|(last, parent)| (parent, last.as_str()))
        .ok_or_else(|| "the operation needs a non-root path".to_owned())
}

fn add(doc: &mut Value, path: &[String], value: Value) -> Result<(), String> {
    if path.is_empty() {
        *doc = value;
        return Ok(());
    }
    let (parent, last) = split(path)?;
    match get_mut(doc, parent).ok_or("the parent of the path does not exist")? {
        Value::Object(m) => {
            m.insert(last.to_owned(), value);
            Ok(())
        }
        Value::Array(a) => {
            let i = if last == "-" {
                a.len()
            } else {
                index(last).ok_or("bad array index")?
            };
            if i > a.len() {
                return Err("array index out of bounds".into());
            }
            a.insert(i, value);
            Ok(())
        }
        _ => Err("the parent of the path is not a container".into()),
    }
}

fn remove(doc: &mut Value, path: &[String]) -> Result<Value, String> {
    let (parent, last) = split(path)?;
    match get_mut(doc, parent).ok_or("the path does not exist")? {
        Value::Object(m) => m
            .shift_remove(last)
            .ok_or_else(|| "the path does not exist".into()),
        Value::Array(a) => {
            let i = index(last)
                .filter(|i| *i < a.len())
                .ok_or("array index out of bounds")?;
            Ok(a.remove(i))
        }
        _ => Err("the path does not exist".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn applies_the_rfc_examples() {
        let doc = json!({"a": [1, 2], "b": {"c": 1}});
        let patch = json!([
            {"op": "add", "path": "/a/1", "value": 9},
            {"op": "remove", "path": "/b/c"},
            {"op": "copy", "from": "/a/0", "path": "/d"},
            {"op": "move", "from": "/d", "path": "/e"},
            {"op": "replace", "path": "/a/-".replace('-', "2"), "value": 3},
            {"op": "test", "path": "/e", "value": 1.0}
        ]);
        let out = apply_json_patch(&doc, &patch).unwrap();
        assert_eq!(out, json!({"a": [1, 9, 3], "b": {}, "e": 1}));
    }

    #[test]
    fn failure_names_the_operation_and_leaves_the_document() {
        let doc = json!({"a": 1});
        let err = apply_json_patch(
            &doc,
            &json!([{"op": "add", "path": "/x", "value": 1},
            {"op": "remove", "path": "/nope"}]),
        )
        .unwrap_err();
        assert_eq!(err.at, "operation[1]");
        assert_eq!(doc, json!({"a": 1}));
    }
}
