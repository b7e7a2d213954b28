//! Finding and reading TestScripts and their fixtures (JSON or XML files).

use crate::xml::xml_to_json;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The `.json` and `.xml` files at `paths` (files as given, folders walked recursively, sorted).
///
/// # Errors
/// A path that does not exist or a folder that cannot be listed.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut files)?;
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            return Err(format!("{}: no such file or folder", path.display()));
        }
    }
    Ok(files)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            walk(&path, files)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("json" | "xml")
        ) {
            files.push(path);
        }
    }
    Ok(())
}

/// Reads a FHIR resource file (XML when it starts with `<`, JSON otherwise).
///
/// # Errors
/// Unreadable files and content that is not a FHIR resource.
pub fn read_resource(path: &Path) -> Result<Value, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('<') {
        xml_to_json(text.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))
    } else {
        serde_json::from_str(text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// Whether a file holds a TestScript: its JSON `resourceType` (read from the start of the
/// file when it is there, else by parsing it) or its XML root element.
pub fn is_test_script(path: &Path) -> bool {
    use std::io::Read;
    let mut head = Vec::with_capacity(4096);
    let read = std::fs::File::open(path).and_then(|f| f.take(4096).read_to_end(&mut head));
    if read.is_err() {
        return false;
    }
    let head = String::from_utf8_lossy(&head);
    let text = head.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('<') {
        return xml_root(text) == Some("TestScript");
    }
    match json_resource_type(text) {
        Some(t) => t == "TestScript",
        None => read_resource(path).is_ok_and(|v| v["resourceType"] == "TestScript"),
    }
}

/// The first element name of an XML text, after its declaration and comments.
fn xml_root(text: &str) -> Option<&str> {
    let mut rest = text;
    loop {
        let at = rest.find('<')?;
        rest = &rest[at + 1..];
        if rest.starts_with('?') || rest.starts_with('!') {
            continue;
        }
        let end = rest.find(|c: char| c.is_whitespace() || c == '>' || c == '/')?;
        return Some(&rest[..end]);
    }
}

/// The `resourceType` of a JSON text, when it comes (at the top level) before anything nested.
fn json_resource_type(text: &str) -> Option<&str> {
    let at = text.find("\"resourceType\"")?;
    let before = &text[..at];
    if before.matches('{').count() != 1 || before.contains('[') {
        return None;
    }
    let rest = text[at + "\"resourceType\"".len()..].trim_start();
    let rest = rest.strip_prefix(':')?.trim_start().strip_prefix('"')?;
    Some(&rest[..rest.find('"')?])
}

/// The fixture resource a `reference` of a script in `dir` points to: `#id` for a
/// contained resource, a file path relative to the script, or `Type/id` found as
/// `Type-id.json|xml` (or lower-case) in the script's folder or its parents.
///
/// # Errors
/// When nothing matches or the file cannot be read.
pub fn resolve_fixture(dir: &Path, script: &Value, reference: &str) -> Result<Value, String> {
    if let Some(id) = reference.strip_prefix('#') {
        return contained(script, id).ok_or_else(|| format!("no contained resource #{id}"));
    }
    if reference.starts_with("http://") || reference.starts_with("https://") {
        return Err(format!("remote fixture {reference} is not supported"));
    }
    let direct = dir.join(reference.trim_start_matches('/'));
    if direct.is_file() {
        return read_resource(&direct);
    }
    let flat = reference.trim_start_matches('/').replace('/', "-");
    let mut folder = Some(dir);
    while let Some(here) = folder {
        for name in candidates(&flat) {
            let path = here.join(&name);
            if path.is_file() {
                return read_resource(&path);
            }
        }
        folder = here.parent();
    }
    Err(format!("fixture {reference} not found next to the script"))
}

fn candidates(flat: &str) -> Vec<String> {
    let lower = flat.to_lowercase();
    let mut names = Vec::new();
    for base in [flat, lower.as_str()] {
        for ext in ["", ".json", ".xml"] {
            names.push(format!("{base}{ext}"));
        }
    }
    names
}

fn contained(script: &Value, id: &str) -> Option<Value> {
    script
        .get("contained")?
        .as_array()?
        .iter()
        .find(|r| r.get("id").and_then(Value::as_str) == Some(id))
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_contained_files_and_type_id_names() {
        let dir = tempfile::tempdir().unwrap();
        let patient = json!({"resourceType": "Patient", "id": "example"});
        std::fs::write(dir.path().join("Patient-example.json"), patient.to_string()).unwrap();
        std::fs::write(dir.path().join("p.json"), patient.to_string()).unwrap();
        let script = json!({"contained": [{"resourceType": "Patient", "id": "c1"}]});
        let d = dir.path();
        assert_eq!(resolve_fixture(d, &script, "#c1").unwrap()["id"], "c1");
        assert_eq!(resolve_fixture(d, &script, "p.json").unwrap(), patient);
        assert_eq!(
            resolve_fixture(d, &script, "Patient/example").unwrap(),
            patient
        );
        assert!(resolve_fixture(d, &script, "Patient/missing").is_err());
        assert!(resolve_fixture(d, &script, "#none").is_err());
    }

    #[test]
    fn only_test_scripts_are_test_scripts() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            p
        };
        let param = r#"{"resourceType": "SearchParameter", "base": ["TestScript"]}"#;
        assert!(!is_test_script(&write("sp.json", param)));
        let late = r#"{"id": "x", "meta": {"tag": []}, "resourceType": "TestScript"}"#;
        assert!(is_test_script(&write("late.json", late)));
        assert!(is_test_script(&write(
            "ts.json",
            r#"{"resourceType":"TestScript"}"#
        )));
        let xml =
            "<?xml version=\"1.0\"?><!-- TestScript --><TestScript xmlns=\"http://hl7.org/fhir\"/>";
        assert!(is_test_script(&write("ts.xml", xml)));
        let report = "<TestReport xmlns=\"http://hl7.org/fhir\"><testScript/></TestReport>";
        assert!(!is_test_script(&write("tr.xml", report)));
    }
}
