//! The search parameters in force: the R4 core ones, the project's profile ones (`profiles/search-parameters`,
//! compiled in), and SearchParameter resources created through the API, which take effect for new writes as
//! soon as they are committed (`$reindex` rebuilds the index of existing resources).

use std::sync::{Arc, RwLock};

use serde_json::Value;

use super::index::Extractor;
use crate::error::{Error, ErrorKind, Result};

/// The project's SearchParameters (`profiles/search-parameters/*.json`).
pub const PROFILE_PARAMETERS: &[&str] = &[
    include_str!("../../profiles/search-parameters/PDSm-isArchived.json"),
    include_str!("../../profiles/search-parameters/PDSm-DocumentReference-period-start.json"),
    include_str!("../../profiles/search-parameters/PDSm-DocumentReference-period-end.json"),
    include_str!("../../profiles/search-parameters/PDSm-List-authorOrg.json"),
    include_str!("../../profiles/search-parameters/MHD-DocumentReference-Creation.json"),
    include_str!("../../profiles/search-parameters/MHD-List-DesignationType.json"),
    include_str!("../../profiles/search-parameters/MHD-List-SourceId.json"),
    include_str!("../../profiles/search-parameters/PDSm-DocumentReference-relatesTo.json"),
    include_str!("../../profiles/search-parameters/TDE-AuditEvent-period-start.json"),
];

/// The current extractor, swapped whole when the set of custom parameters changes.
#[derive(Debug)]
pub struct Registry {
    current: RwLock<Arc<Extractor>>,
}

fn profile_parameters() -> Result<Vec<Value>> {
    PROFILE_PARAMETERS
        .iter()
        .map(|text| {
            serde_json::from_str(text)
                .map_err(|e| Error::internal(format!("profile SearchParameter: {e}")))
        })
        .collect()
}

impl Registry {
    /// R4 core plus the profile parameters plus `runtime` (SearchParameter resources from the database).
    pub fn new(runtime: &[Value]) -> Result<Self> {
        Ok(Self {
            current: RwLock::new(Arc::new(build(runtime)?)),
        })
    }

    /// The extractor in force (cheap: an `Arc` clone).
    pub fn get(&self) -> Arc<Extractor> {
        match self.current.read() {
            Ok(g) => Arc::clone(&g),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Replace the runtime parameters with `runtime`.
    pub fn reload(&self, runtime: &[Value]) -> Result<()> {
        let next = Arc::new(build(runtime)?);
        match self.current.write() {
            Ok(mut g) => *g = next,
            Err(poisoned) => *poisoned.into_inner() = next,
        }
        Ok(())
    }

    /// Check that a SearchParameter resource would compile: `Unprocessable` with the reason otherwise.
    pub fn check(param: &Value) -> Result<()> {
        Extractor::r4()
            .with_custom(std::slice::from_ref(param))
            .map(|_| ())
            .map_err(|e| {
                Error::new(
                    ErrorKind::Unprocessable,
                    format!("SearchParameter cannot be used: {e}"),
                )
            })
    }
}

fn build(runtime: &[Value]) -> Result<Extractor> {
    let mut all = profile_parameters()?;
    all.extend(
        runtime
            .iter()
            .filter(|p| p.get("status").and_then(Value::as_str) != Some("retired"))
            .cloned(),
    );
    Extractor::r4()
        .with_custom(&all)
        .map_err(|e| Error::internal(format!("search parameters: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_profile_file_is_compiled_in() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/profiles/search-parameters");
        let files = std::fs::read_dir(dir).unwrap().count();
        assert_eq!(files, PROFILE_PARAMETERS.len());
    }

    #[test]
    fn profile_parameters_are_active() {
        let r = Registry::new(&[]).unwrap();
        let e = r.get();
        assert!(e.param("DocumentReference", "isArchived").is_some());
        assert!(e.param("List", "authorOrg").is_some());
        assert!(e.param("AuditEvent", "period-start").is_some());
    }

    #[test]
    fn a_runtime_parameter_applies_after_reload() {
        let r = Registry::new(&[]).unwrap();
        let sp = serde_json::json!({"resourceType": "SearchParameter", "code": "nickname", "base": ["Patient"],
            "type": "string", "expression": "Patient.name.where(use='nickname').given", "status": "active"});
        Registry::check(&sp).unwrap();
        r.reload(&[sp]).unwrap();
        assert!(r.get().param("Patient", "nickname").is_some());
        let bad = serde_json::json!({"resourceType": "SearchParameter", "code": "x", "base": ["Patient"],
            "type": "string", "expression": "Patient.name.((("});
        assert!(Registry::check(&bad).is_err());
    }
}
