//! Extraction over the official R4 examples (skipped when `/work/shared` is absent) and a
//! microbenchmark (`cargo test --release -- --nocapture bench`; prints, asserts nothing).

use std::path::Path;
use std::time::Instant;

use serde_json::Value;

use super::tests_util::token;
use super::{Extractor, IndexRow, IndexValue};
use crate::search::values::date_range;

const EXAMPLES: &str = "/work/shared/fhir/r4/examples";

/// Every example file as `(file name, resource)`; `None` when the folder is absent.
fn examples() -> Option<Vec<(String, Value)>> {
    let dir = std::fs::read_dir(Path::new(EXAMPLES)).ok()?;
    let mut out: Vec<(String, Value)> = dir
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, serde_json::from_str(&text).unwrap())
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Some(out)
}

fn example(name: &str) -> Option<Value> {
    let text = std::fs::read_to_string(Path::new(EXAMPLES).join(name)).ok()?;
    Some(serde_json::from_str(&text).unwrap())
}

fn values<'a>(rows: &'a [IndexRow], param: &str) -> Vec<&'a IndexValue> {
    rows.iter()
        .filter(|r| r.param == param)
        .map(|r| &r.value)
        .collect()
}

/// The resources of a Bundle's entries.
fn entries(bundle: &Value) -> impl Iterator<Item = &Value> {
    let entries = bundle
        .get("entry")
        .and_then(Value::as_array)
        .map(Vec::as_slice);
    entries
        .unwrap_or(&[])
        .iter()
        .filter_map(|e| e.get("resource"))
}

#[test]
fn every_example_and_bundle_entry_extracts() {
    let Some(all) = examples() else {
        eprintln!("skipped: {EXAMPLES} not found");
        return;
    };
    let extractor = Extractor::r4();
    let (mut resources, mut rows) = (0_usize, 0_usize);
    for (_, resource) in &all {
        for r in std::iter::once(resource).chain(entries(resource)) {
            resources += 1;
            rows += extractor.extract(r).len();
        }
    }
    assert!(resources > all.len());
    println!(
        "{} files, {resources} resources (with Bundle entries), {:.1} rows per resource, {} skipped evaluations",
        all.len(),
        rows as f64 / resources as f64,
        extractor.skipped_evaluations()
    );
}

#[test]
fn patient_example_has_the_known_rows() {
    let Some(p) = example("Patient-example.json") else {
        return;
    };
    let rows = Extractor::r4().extract(&p);
    let family = values(&rows, "family");
    assert!(
        family.iter().any(
            |v| matches!(v, IndexValue::String { normalized, .. } if normalized == "chalmers")
        )
    );
    let (low, high) = date_range("1974-12-25").unwrap();
    assert_eq!(
        values(&rows, "birthdate"),
        [&IndexValue::Date { low, high }]
    );
    let id = token("urn:oid:1.2.36.146.595.217.0.1", "12345", "");
    assert!(
        values(&rows, "identifier")
            .iter()
            .any(|v| matches!(v, IndexValue::Token { system, code, .. }
        if (system.as_str(), code.as_str()) == ("urn:oid:1.2.36.146.595.217.0.1", "12345"))),
        "{id:?}"
    );
    assert_eq!(values(&rows, "gender"), [&token("", "male", "")]);
    assert!(values(&rows, "name").len() >= 5);
    assert!(
        values(&rows, "address-city")
            .iter()
            .any(|v| matches!(v, IndexValue::String { exact, .. } if exact == "PleasantVille"))
    );
}

#[test]
fn lipid_observations_have_value_quantities() {
    let Some(bundle) = example("Bundle-lipids.json") else {
        return;
    };
    let obs = entries(&bundle).find(|r| r["id"] == "cholesterol").unwrap();
    let rows = Extractor::r4().extract(obs);
    let [
        IndexValue::Quantity {
            value,
            low,
            high,
            system,
            code,
            ..
        },
    ] = values(&rows, "value-quantity")[..]
    else {
        panic!("{rows:?}");
    };
    assert_eq!(
        (*value, system.as_str(), code.as_str()),
        (6.3, "http://unitsofmeasure.org", "mmol/L")
    );
    assert!(*low < 6.3 && *high > 6.3);
    assert!(!values(&rows, "subject").is_empty());
}

#[test]
fn document_reference_example_has_its_subject_and_type() {
    let Some(doc) = example("DocumentReference-example.json") else {
        return;
    };
    let rows = Extractor::r4().extract(&doc);
    let subject = IndexValue::Reference {
        target_type: "Patient".into(),
        target_id: "xcda".into(),
        url: String::new(),
    };
    assert_eq!(values(&rows, "subject"), [&subject]);
    assert!(values(&rows, "patient").contains(&&subject));
    assert!(values(&rows, "type").contains(&&token(
        "http://loinc.org",
        "34108-1",
        "outpatient note"
    )));
    assert_eq!(values(&rows, "date").len(), 1);
}

#[test]
fn bench_extract_patient_and_document_reference() {
    for name in ["Patient-example.json", "DocumentReference-example.json"] {
        let Some(resource) = example(name) else {
            return;
        };
        let extractor = Extractor::r4();
        let rows = extractor.extract(&resource).len();
        let n = if cfg!(debug_assertions) { 50 } else { 5_000 };
        let start = Instant::now();
        for _ in 0..n {
            std::hint::black_box(extractor.extract(std::hint::black_box(&resource)));
        }
        let per = start.elapsed().as_secs_f64() * 1e6 / f64::from(n);
        println!("bench extract {name}: {rows} rows, {per:.1} µs per call");
    }
}
