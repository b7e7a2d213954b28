//! Test support: the DMP profiles over synthesized (or official) R4 core definitions, a
//! FHIRPath invariant evaluator, and "validate as the write path would" (`dmp_report`).

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::{Arc, OnceLock, RwLock};

use carnet::dmp::{dmp_report, load_profiles};
use carnet::fhirpath::{Context, Expr, R4Model, compile, evaluate, r4_model};
use carnet::validate::{InvariantEvaluator, ProfileSet, Report};
use serde_json::Value;

const R4: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fhir/r4");

/// FHIRPath invariants (as `FhirPathInvariants` in interaction/validation.rs, with the R4 model).
pub struct Invariants {
    model: R4Model,
    cache: RwLock<HashMap<String, Option<Arc<Expr>>>>,
}

impl InvariantEvaluator for Invariants {
    fn holds(&self, expression: &str, focus: &Value, resource: &Value) -> Option<bool> {
        let cached = self.cache.read().ok()?.get(expression).cloned();
        let expr = match cached {
            Some(e) => e?,
            None => {
                let e = compile(expression).ok().map(Arc::new);
                self.cache
                    .write()
                    .ok()?
                    .insert(expression.to_owned(), e.clone());
                e?
            }
        };
        let ctx = Context::new(&self.model)
            .with_resource(resource)
            .with_root_resource(resource);
        evaluate(&expr, focus, &ctx).ok()?.as_boolean()
    }
}

pub fn invariants() -> &'static Invariants {
    static I: OnceLock<Invariants> = OnceLock::new();
    I.get_or_init(|| Invariants {
        model: r4_model(),
        cache: RwLock::default(),
    })
}

/// `true` when the official R4 definitions and FR Core are there (../shared).
pub fn shared_available() -> bool {
    Path::new(R4).join("profiles-types.json").exists()
}

/// The official R4 core StructureDefinitions (`profiles-types.json`, `profiles-resources.json`).
pub fn official_bundles() -> &'static [Value; 2] {
    static B: OnceLock<[Value; 2]> = OnceLock::new();
    B.get_or_init(|| {
        let types: Value = serde_json::from_str(
            &std::fs::read_to_string(format!("{R4}/profiles-types.json")).unwrap(),
        )
        .unwrap();
        let mut text = String::new();
        flate2::read::GzDecoder::new(
            std::fs::File::open(format!("{R4}/profiles-resources.json.gz")).unwrap(),
        )
        .read_to_string(&mut text)
        .unwrap();
        [types, serde_json::from_str(&text).unwrap()]
    })
}

/// The official R4 core types and resources, then the DMP profiles (which then add no
/// synthesized definition).
pub fn official_set() -> &'static ProfileSet {
    static SET: OnceLock<ProfileSet> = OnceLock::new();
    SET.get_or_init(|| {
        let mut set = ProfileSet::new();
        for bundle in official_bundles() {
            set.add_bundle(bundle);
        }
        load_profiles(&mut set);
        set
    })
}

/// The DMP profiles alone: core definitions synthesized from the model, as the server runs.
pub fn set() -> &'static ProfileSet {
    static SET: OnceLock<ProfileSet> = OnceLock::new();
    SET.get_or_init(|| {
        let mut set = ProfileSet::new();
        load_profiles(&mut set);
        set
    })
}

/// [`set`] where a declared profile it does not hold is only a warning
/// (`--unknown-profile warning`): for examples that claim profiles of other packages.
pub fn set_unknown_warned() -> &'static ProfileSet {
    static SET: OnceLock<ProfileSet> = OnceLock::new();
    SET.get_or_init(|| {
        let mut set = ProfileSet::new();
        load_profiles(&mut set);
        set.unknown_profile_warns = true;
        set
    })
}

/// What the write path runs ([`dmp_report`]) over `set`, with FHIRPath invariants.
pub fn report_with(resource: &Value, set: &ProfileSet) -> Report {
    dmp_report(resource, set, Some(invariants()))
}

/// Base R4 + declared profiles + the DMP profile of the resource type + the DMP identifier
/// rules, over the synthesized core definitions.
pub fn validate_dmp(resource: &Value) -> Report {
    report_with(resource, set())
}

pub fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn json_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

pub fn errors(report: &Report) -> Vec<String> {
    report.errors().map(ToString::to_string).collect()
}
