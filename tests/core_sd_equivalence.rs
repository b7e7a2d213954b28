//! The synthesized R4 core StructureDefinitions against the official ones: same snapshot
//! content where profile validation reads it, and identical reports for every fixture and
//! FR Core 2.2.0 example, with the DMP profiles and with the FR Core package. Skipped when
//! ../shared (the official definitions) is absent.

#[allow(dead_code)] // each test binary uses part of the support
mod support;

use std::path::{Path, PathBuf};
use std::time::Instant;

use carnet::dmp::load_profiles;
use carnet::model::r4;
use carnet::validate::{
    ProfileSet, ValidationIssue, add_core_definitions, core_structure_definition, validate_declared,
};
use serde_json::{Value, json};
use support::{json_files, official_bundles, official_set, read, report_with, set};

const FR_CORE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/fhir/fr/fr-core/2.2.0"
);
const FHIRPATH: &str = "http://hl7.org/fhirpath/";

/// Every fixture, then every FR Core example.
fn resources() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join("dmp");
    let mut files = json_files(&root.join("valid"));
    files.extend(json_files(&root.join("invalid")));
    files.extend(json_files(&Path::new(FR_CORE).join("example")));
    files
}

/// What the profile engine reads of an element, official FHIRPath type codes of non-value
/// elements (`Element.id`: the tables give the FHIR type instead) left out.
fn projection(e: &Value) -> Value {
    let types: Vec<Value> = e["type"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            let code = t["code"].as_str().unwrap_or_default();
            let path = e["path"].as_str().unwrap_or_default();
            let code = if code.starts_with(FHIRPATH) && !path.ends_with(".value") {
                "(fhirpath)"
            } else {
                code
            };
            json!([code, t.get("profile"), t.get("targetProfile")])
        })
        .collect();
    let constraints: Vec<Value> = e["constraint"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| json!([c["key"], c["severity"], c["human"], c["expression"]]))
        .collect();
    let binding = e
        .get("binding")
        .map(|b| json!([b["strength"], b.get("valueSet")]));
    let slicing = e
        .get("slicing")
        .map(|s| json!([s["discriminator"], s["rules"]]));
    json!({"id": e["id"], "path": e["path"], "min": e["min"], "max": e["max"], "type": types,
        "contentReference": e.get("contentReference"), "binding": binding,
        "constraint": constraints, "slicing": slicing,
        "isModifier": e.get("isModifier").and_then(Value::as_bool).unwrap_or(false),
        "isSummary": e.get("isSummary").and_then(Value::as_bool).unwrap_or(false)})
}

/// The synthesized element, its `id` and `Extension.url` types (FHIRPath String in R4, the FHIR
/// type in the tables) mapped as [`projection`] maps the official ones.
fn synthesized_projection(e: &Value) -> Value {
    let mut p = projection(e);
    let path = e["path"].as_str().unwrap_or_default();
    if (path.ends_with(".id") || path == "Extension.url")
        && let Some(types) = p["type"].as_array_mut()
    {
        for t in types {
            t[0] = json!("(fhirpath)");
        }
    }
    p
}

/// Root-element differences the tables cannot carry, none read by profile validation: the
/// extensible unit bindings of Age, Distance and Duration (value sets the set cannot expand
/// anyway), the 1..1 root of the logical MetadataResource (never validated against).
const KNOWN: [&str; 4] = ["Age", "Distance", "Duration", "MetadataResource"];

#[test]
fn synthesized_snapshots_match_the_official_ones() {
    if !support::shared_available() {
        eprintln!("skipped: ../shared is absent");
        return;
    }
    let mut compared = 0;
    let mut differences = Vec::new();
    for bundle in official_bundles() {
        for sd in bundle["entry"].as_array().into_iter().flatten() {
            let sd = &sd["resource"];
            if sd["resourceType"] != "StructureDefinition" {
                continue;
            }
            let name = sd["id"].as_str().unwrap_or_default();
            let Some(ours) = core_structure_definition(r4(), name) else {
                differences.push(format!("{name}: not synthesized"));
                continue;
            };
            for key in [
                "url",
                "name",
                "type",
                "kind",
                "abstract",
                "derivation",
                "baseDefinition",
            ] {
                if sd.get(key) != ours.get(key) {
                    differences.push(format!(
                        "{name}.{key}: {:?} / {:?}",
                        sd.get(key),
                        ours.get(key)
                    ));
                }
            }
            let official: Vec<Value> = elements(sd).iter().map(projection).collect();
            let synthesized: Vec<Value> =
                elements(&ours).iter().map(synthesized_projection).collect();
            if official.len() != synthesized.len() {
                differences.push(format!(
                    "{name}: {} / {} elements",
                    official.len(),
                    synthesized.len()
                ));
            }
            for (a, b) in official.iter().zip(&synthesized) {
                let known = KNOWN.contains(&name) && a["id"] == name;
                if a != b && !known {
                    differences.push(format!("{name}:\n  official {a}\n  ours     {b}"));
                }
            }
            compared += 1;
        }
    }
    println!(
        "{compared} definitions compared, {} differences",
        differences.len()
    );
    assert_eq!(compared, 212);
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

fn elements(sd: &Value) -> Vec<Value> {
    sd.pointer("/snapshot/element")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

#[test]
fn dmp_reports_are_identical_with_synthesized_definitions() {
    if !support::shared_available() {
        eprintln!("skipped: ../shared is absent");
        return;
    }
    let mut differences = Vec::new();
    let mut issues = 0;
    let files = resources();
    for file in &files {
        let resource = read(file);
        let official = report_with(&resource, official_set());
        let synthesized = report_with(&resource, set());
        issues += official.issues.len();
        if official != synthesized {
            differences.push(format!(
                "{}:\n official:\n{official} synthesized:\n{synthesized}",
                file.display()
            ));
        }
    }
    println!(
        "{} resources, {issues} issues, {} differ",
        files.len(),
        differences.len()
    );
    assert!(files.len() > 80, "{}", files.len());
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

/// FR Core 2.2.0 over official, then synthesized, core definitions.
fn fr_core_set(official: bool) -> ProfileSet {
    let mut set = ProfileSet::new();
    if official {
        for bundle in official_bundles() {
            set.add_bundle(bundle);
        }
    } else {
        add_core_definitions(&mut set, r4());
    }
    set.load_package_dir(Path::new(FR_CORE)).unwrap();
    set
}

fn error_count(issues: &[ValidationIssue]) -> usize {
    issues
        .iter()
        .filter(|i| i.severity <= carnet::validate::Severity::Error)
        .count()
}

#[test]
fn fr_core_examples_against_fr_core_give_the_same_errors() {
    if !support::shared_available() {
        eprintln!("skipped: ../shared is absent");
        return;
    }
    let (official, synthesized) = (fr_core_set(true), fr_core_set(false));
    let inv = Some(support::invariants() as &dyn carnet::validate::InvariantEvaluator);
    let (mut total_official, mut total_synthesized, mut differences) = (0, 0, Vec::new());
    let (mut checked, mut issues) = (0, 0);
    for file in json_files(&Path::new(FR_CORE).join("example")) {
        let resource = read(&file);
        let declared = resource.pointer("/meta/profile").and_then(Value::as_array);
        checked += declared
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|u| official.has_structure(u))
            .count();
        let a = validate_declared(&resource, &official, inv);
        let b = validate_declared(&resource, &synthesized, inv);
        total_official += error_count(&a.issues);
        total_synthesized += error_count(&b.issues);
        issues += a.issues.len();
        if a != b {
            differences.push(format!(
                "{}:\n official:\n{a} synthesized:\n{b}",
                file.display()
            ));
        }
    }
    println!(
        "FR Core examples: {checked} declared FR Core profiles checked, {issues} issues; \
         {total_official} errors (official), {total_synthesized} (synthesized)"
    );
    assert!(checked > 20, "{checked}");
    assert_eq!(total_official, total_synthesized);
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[test]
fn loading_the_synthesized_definitions_is_fast() {
    let start = Instant::now();
    let model = r4();
    let tables = start.elapsed();
    let start = Instant::now();
    let mut dmp = ProfileSet::new();
    load_profiles(&mut dmp);
    let needed = start.elapsed();
    let core_needed = model
        .type_defs()
        .filter(|t| {
            dmp.has_structure(&format!(
                "http://hl7.org/fhir/StructureDefinition/{}",
                t.name
            ))
        })
        .count();
    let start = Instant::now();
    let mut set = ProfileSet::new();
    let added = add_core_definitions(&mut set, model);
    let all = start.elapsed();
    println!(
        "model tables {tables:?}; load_profiles ({core_needed} needed core definitions + DMP) {needed:?}; \
         all {added} core definitions {all:?}"
    );
    assert!(added > 200);
}
