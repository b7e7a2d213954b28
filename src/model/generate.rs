//! The table generator: reads the official R4 definitions and writes the committed tables.
//!
//! Input (`definitions_dir`): `profiles-types.json`, `profiles-resources.json[.gz]`,
//! `search-parameters.json`, `valuesets.json[.gz]` and `compartments/*.json`, as published with
//! FHIR 4.0.1. Output (`out_dir`), one JSON object per line, in the order of the definitions:
//!
//! | file | one line per |
//! |---|---|
//! | `types.jsonl` | type and backbone element ([`TypeRow`](super::rows::TypeRow)) |
//! | `elements.jsonl` | element of a type or backbone ([`ElementDef`](super::ElementDef)) |
//! | `constraints.jsonl` | distinct constraint ([`ConstraintDef`](super::ConstraintDef)) |
//! | `search-parameters.jsonl` | SearchParameter ([`SearchParamDef`](super::SearchParamDef)) |
//! | `compartments.jsonl` | compartment × resource type with parameters |
//! | `value-sets.jsonl` | value set of a required binding: its expansion or why it has none |
//!
//! plus a `README.md` with counts. The output depends only on the input: running twice gives
//! byte-identical files.

mod constraints;
mod search;
mod structures;
mod terminology;

use std::fmt::Write as _;
use std::fs;
use std::io::Read;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

/// Regenerates every table of `out_dir` (created if missing) from the R4 definitions in
/// `definitions_dir`.
///
/// # Errors
/// A message naming the file when an input is missing or malformed, or an output cannot be
/// written.
pub fn generate(definitions_dir: &Path, out_dir: &Path) -> Result<(), String> {
    let types = read_json(definitions_dir, "profiles-types.json")?;
    let resources = read_json(definitions_dir, "profiles-resources.json")?;
    let sds: Vec<&Value> = [&types, &resources]
        .into_iter()
        .flat_map(bundle_resources)
        .filter(|r| s(r, "resourceType") == Some("StructureDefinition"))
        .collect();
    let structures = structures::build(&sds)?;
    let params = read_json(definitions_dir, "search-parameters.json")?;
    let params = search::search_parameters(&params)?;
    let compartments = search::compartments(&definitions_dir.join("compartments"))?;
    let value_sets = read_json(definitions_dir, "valuesets.json")?;
    let value_sets = terminology::expand_all(&value_sets, &structures.required_value_sets);
    fs::create_dir_all(out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let counts = [
        write_lines(out_dir, "types.jsonl", &structures.types)?,
        write_lines(out_dir, "elements.jsonl", &structures.elements)?,
        write_lines(out_dir, "constraints.jsonl", &structures.constraints)?,
        write_lines(out_dir, "search-parameters.jsonl", &params)?,
        write_lines(out_dir, "compartments.jsonl", &compartments)?,
        write_lines(out_dir, "value-sets.jsonl", &value_sets)?,
    ];
    let unexpanded: Vec<String> = value_sets
        .iter()
        .filter_map(|v| {
            v.unexpanded
                .as_ref()
                .map(|why| format!("- {}: {why}", v.url))
        })
        .collect();
    write_readme(out_dir, &counts, &unexpanded)
}

/// Reads `name`, or `name.gz` gunzipped, from `dir` as JSON.
fn read_json(dir: &Path, name: &str) -> Result<Value, String> {
    let plain = dir.join(name);
    let gz = dir.join(format!("{name}.gz"));
    let text = if plain.exists() {
        fs::read_to_string(&plain).map_err(|e| format!("{}: {e}", plain.display()))?
    } else {
        let file = fs::File::open(&gz).map_err(|e| format!("{}: {e}", gz.display()))?;
        let mut text = String::new();
        flate2::read::GzDecoder::new(file)
            .read_to_string(&mut text)
            .map_err(|e| format!("{}: {e}", gz.display()))?;
        text
    };
    serde_json::from_str(&text).map_err(|e| format!("{name}: {e}"))
}

/// The `entry[].resource` of a Bundle.
pub(super) fn bundle_resources(bundle: &Value) -> impl Iterator<Item = &Value> {
    arr(bundle, "entry")
        .iter()
        .filter_map(|e| e.get("resource"))
}

/// The string property `key` of `v`.
pub(super) fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// The array property `key` of `v`, empty when absent.
pub(super) fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The strings of the array property `key` of `v`.
pub(super) fn strings(v: &Value, key: &str) -> Vec<String> {
    arr(v, key)
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// Writes one compact JSON line per row; returns the file name and row count.
fn write_lines<'n, T: Serialize>(
    dir: &Path,
    name: &'n str,
    rows: &[T],
) -> Result<(&'n str, usize), String> {
    let mut out = String::new();
    for row in rows {
        out.push_str(&serde_json::to_string(row).map_err(|e| format!("{name}: {e}"))?);
        out.push('\n');
    }
    let path = dir.join(name);
    fs::write(&path, out).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((name, rows.len()))
}

fn write_readme(dir: &Path, counts: &[(&str, usize)], unexpanded: &[String]) -> Result<(), String> {
    let mut text = String::from(
        "# R4 model tables\n\nGenerated from the FHIR R4 (4.0.1) definitions by `carnet generate-model`\n\
         (`src/model/generate.rs`); do not edit by hand. One JSON object per line.\n\n\
         | file | lines |\n|---|---|\n",
    );
    for (name, n) in counts {
        let _ = writeln!(text, "| `{name}` | {n} |");
    }
    text.push_str(
        "\nValue sets of required bindings that could not be expanded from `valuesets.json`:\n\n",
    );
    for line in unexpanded {
        text.push_str(line);
        text.push('\n');
    }
    let path = dir.join("README.md");
    fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
}
