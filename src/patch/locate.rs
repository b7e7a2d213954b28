//! Finding where in a document a borrowed JSON node lives, and editing there.

use serde_json::Value;

/// A location: object keys and array indexes from the root.
pub type Pointer = Vec<String>;

/// The location of `target` (by identity) inside `doc`.
pub fn locate(doc: &Value, target: &Value) -> Option<Pointer> {
    if std::ptr::eq(doc, target) {
        return Some(Vec::new());
    }
    let children: Box<dyn Iterator<Item = (String, &Value)>> = match doc {
        Value::Object(m) => Box::new(m.iter().map(|(k, v)| (k.clone(), v))),
        Value::Array(a) => Box::new(a.iter().enumerate().map(|(i, v)| (i.to_string(), v))),
        _ => return None,
    };
    for (key, child) in children {
        if let Some(mut rest) = locate(child, target) {
            rest.insert(0, key);
            return Some(rest);
        }
    }
    None
}

/// The node at `ptr`, mutably.
pub fn get_mut<'a>(doc: &'a mut Value, ptr: &[String]) -> Option<&'a mut Value> {
    ptr.iter().try_fold(doc, |cur, key| match cur {
        Value::Object(m) => m.get_mut(key),
        Value::Array(a) => a.get_mut(key.parse::<usize>().ok()?),
        _ => None,
    })
}

/// Remove the node at `ptr`, with its primitive companion (`_name`); containers left empty are removed
/// too, since FHIR has no empty elements.
pub fn remove(doc: &mut Value, ptr: &[String]) -> Result<(), String> {
    let (last, parent) = ptr.split_last().ok_or("cannot delete the whole resource")?;
    match get_mut(doc, parent).ok_or("the element vanished")? {
        Value::Object(m) => {
            m.shift_remove(last);
            m.shift_remove(&format!("_{last}"));
        }
        Value::Array(a) => {
            let i: usize = last.parse().map_err(|_| "bad index")?;
            if i < a.len() {
                a.remove(i);
            }
        }
        _ => return Err("the element's parent is not a container".into()),
    }
    prune(doc, parent);
    Ok(())
}

/// Remove the container at `ptr` and its ancestors while they are empty (never the root).
fn prune(doc: &mut Value, ptr: &[String]) {
    let empty = match get_mut(doc, ptr) {
        Some(Value::Object(m)) => m.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        _ => false,
    };
    if empty && !ptr.is_empty() {
        let _ = remove(doc, ptr);
    }
}
