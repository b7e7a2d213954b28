//! Search parameters and compartment definitions.

use std::fs;
use std::path::Path;

use serde_json::Value;

use super::{arr, bundle_resources, read_json, s, strings};
use crate::model::rows::CompartmentRow;
use crate::model::search::{SearchComponent, SearchParamDef};

/// Every SearchParameter of the bundle, in bundle order.
pub(super) fn search_parameters(bundle: &Value) -> Result<Vec<SearchParamDef>, String> {
    bundle_resources(bundle)
        .filter(|r| s(r, "resourceType") == Some("SearchParameter"))
        .map(search_parameter)
        .collect()
}

fn search_parameter(r: &Value) -> Result<SearchParamDef, String> {
    let url = s(r, "url").ok_or("SearchParameter without url")?;
    let component = arr(r, "component")
        .iter()
        .map(|c| {
            Ok(SearchComponent {
                definition: s(c, "definition")
                    .ok_or_else(|| format!("{url}: component without definition"))?
                    .to_owned(),
                expression: s(c, "expression").unwrap_or_default().to_owned(),
            })
        })
        .collect::<Result<_, String>>()?;
    Ok(SearchParamDef {
        code: s(r, "code")
            .ok_or_else(|| format!("{url}: no code"))?
            .to_owned(),
        url: url.to_owned(),
        base: strings(r, "base"),
        kind: serde_json::from_value(r.get("type").cloned().unwrap_or_default())
            .map_err(|e| format!("{url}: type: {e}"))?,
        expression: s(r, "expression").map(str::to_owned),
        target: strings(r, "target"),
        modifier: strings(r, "modifier"),
        comparator: strings(r, "comparator"),
        multiple_or: r.get("multipleOr").and_then(Value::as_bool),
        multiple_and: r.get("multipleAnd").and_then(Value::as_bool),
        component,
    })
}

/// Rows of the CompartmentDefinitions in `dir` (sorted by file name), skipping the spec's
/// `example` one and resource types without parameters (those are not in the compartment).
pub(super) fn compartments(dir: &Path) -> Result<Vec<CompartmentRow>, String> {
    let mut files: Vec<String> = fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().and_then(|e| e.file_name().into_string().ok()))
        .filter(|n| n.ends_with(".json"))
        .collect();
    files.sort();
    let mut rows = Vec::new();
    for file in files {
        let def = read_json(dir, &file)?;
        if s(&def, "url").is_some_and(|u| u.ends_with("/example")) {
            continue;
        }
        let compartment = s(&def, "code").ok_or_else(|| format!("{file}: no code"))?;
        for r in arr(&def, "resource") {
            let params = strings(r, "param");
            if let (Some(resource), false) = (s(r, "code"), params.is_empty()) {
                rows.push(CompartmentRow {
                    compartment: compartment.to_owned(),
                    resource: resource.to_owned(),
                    params,
                });
            }
        }
    }
    Ok(rows)
}
