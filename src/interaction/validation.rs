//! Validation on the write path and for `$validate`: base R4 always (its errors always block), then the
//! profiles a resource declares, the project's DMP profile of its type even when none is declared, and the
//! DMP identifier rules (NIR keys, IDNPS), by the configured mode (`strict`: their errors block; `warn`: they are
//! answered as warnings; `off`: not checked). Profiles come from `--package` folders and from
//! StructureDefinition, ValueSet and CodeSystem resources written through the API (in force at once).

use foldhash::HashMap;
use std::sync::{Arc, RwLock};

use serde_json::Value;

use crate::error::{Error, ErrorKind, Result};
use crate::fhir::{Issue, Severity};
use crate::fhirpath::{Context as PathContext, Expr, NullModel, compile, evaluate};
use crate::validate::{
    InvariantEvaluator, ProfileSet, Report, Severity as VSeverity, validate_base,
};

/// How profile errors are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Mode {
    /// Profile errors block the write (422).
    #[default]
    Strict,
    /// Profile errors are answered as warnings.
    Warn,
    /// Profiles are not checked (base R4 still is).
    Off,
}

/// What a declared profile the server does not know is (`--unknown-profile`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum UnknownProfile {
    /// An error, like any other profile error (blocks the write in `strict` mode).
    #[default]
    Error,
    /// A warning: the profile is not checked, the write goes on.
    Warning,
}

/// The validation settings and the profiles in force.
#[derive(Debug, Default)]
pub struct Validation {
    /// Mode for profile errors.
    pub mode: Mode,
    profiles: RwLock<ProfileSet>,
}

/// The resource types that feed the profile set.
pub const CONFORMANCE_TYPES: &[&str] = &["StructureDefinition", "ValueSet", "CodeSystem"];

impl Validation {
    /// Settings with `mode` and the conformance resources `resources`.
    pub fn new(mode: Mode, resources: &[Value]) -> Self {
        let mut set = ProfileSet::new();
        crate::dmp::load_profiles(&mut set);
        for r in resources {
            set.add(r.clone());
        }
        Self {
            mode,
            profiles: RwLock::new(set),
        }
    }

    /// Sets whether an unknown declared profile is an error or a warning.
    pub fn set_unknown_profile(&self, unknown: UnknownProfile) {
        let mut set = match self.profiles.write() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        set.unknown_profile_warns = unknown == UnknownProfile::Warning;
    }

    /// Loads FHIR NPM packages (folders or `.tgz`) with their dependencies (see
    /// [`ProfileSet::load_packages`]); returns what was loaded.
    ///
    /// # Errors
    /// `Invalid` when a package given cannot be read.
    pub fn load_packages(
        &self,
        paths: &[std::path::PathBuf],
    ) -> Result<crate::validate::package::Loaded> {
        let mut set = match self.profiles.write() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let cache = crate::validate::package::default_cache();
        set.load_packages(paths, cache.as_deref())
            .map_err(|e| Error::invalid(format!("cannot load package {e}")))
    }

    /// Add conformance resources (a new StructureDefinition is used by the next write).
    pub fn add(&self, resources: &[Value]) {
        let mut set = match self.profiles.write() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        for r in resources {
            set.add(r.clone());
        }
    }

    /// The report of `resource`: base R4, plus its declared profiles unless the mode is `Off`.
    pub fn report(&self, resource: &Value) -> Report {
        if self.mode == Mode::Off {
            return validate_base(resource, Some(invariants()));
        }
        let set = match self.profiles.read() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        crate::dmp::dmp_report(resource, &set, Some(invariants()))
    }

    /// The report of `resource` against base R4, its declared profiles and `extra` profiles (`$validate`).
    ///
    /// With `extra` profiles, the DMP profile of the type applies only when named (see
    /// [`crate::dmp::requested_report`]), whatever the mode.
    pub fn report_with(&self, resource: &Value, extra: &[String]) -> Report {
        if extra.is_empty() {
            return self.report(resource);
        }
        let set = match self.profiles.read() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        crate::dmp::requested_report(resource, extra, &set, Some(invariants()))
    }

    /// Check a resource about to be written: `Unprocessable` listing every issue when it has errors that
    /// block in this mode; otherwise the warnings to pass on.
    pub fn check(&self, resource: &Value) -> Result<Vec<Issue>> {
        let report = self.report(resource);
        if report.has_errors() && (self.mode == Mode::Strict || report.base_errors) {
            let n = report.errors().count();
            return Err(Error::with_outcome(
                ErrorKind::Unprocessable,
                format!("the resource has {n} validation error(s)"),
                report.to_operation_outcome(),
            ));
        }
        Ok(report.issues.iter().map(to_issue).collect())
    }
}

fn to_issue(i: &crate::validate::ValidationIssue) -> Issue {
    let severity = match i.severity {
        VSeverity::Fatal | VSeverity::Error => Severity::Warning,
        VSeverity::Warning => Severity::Warning,
        VSeverity::Information => Severity::Information,
    };
    Issue {
        severity,
        code: i.code,
        diagnostics: i.message.clone(),
        expression: (!i.location.is_empty()).then(|| i.location.clone()),
    }
}

/// Invariants evaluated by the FHIRPath engine, each expression compiled once.
#[derive(Debug, Default)]
pub struct FhirPathInvariants {
    cache: RwLock<HashMap<String, Option<Arc<Expr>>>>,
}

/// The process-wide invariant evaluator.
pub fn invariants() -> &'static FhirPathInvariants {
    static EVALUATOR: std::sync::OnceLock<FhirPathInvariants> = std::sync::OnceLock::new();
    EVALUATOR.get_or_init(FhirPathInvariants::default)
}

impl FhirPathInvariants {
    fn compiled(&self, expression: &str) -> Option<Arc<Expr>> {
        if let Ok(cache) = self.cache.read()
            && let Some(hit) = cache.get(expression)
        {
            return hit.clone();
        }
        let expr = compile(expression).ok().map(Arc::new);
        if let Ok(mut cache) = self.cache.write() {
            cache.insert(expression.to_owned(), expr.clone());
        }
        expr
    }
}

impl InvariantEvaluator for FhirPathInvariants {
    fn holds(&self, expression: &str, focus: &Value, resource: &Value) -> Option<bool> {
        let expr = self.compiled(expression)?;
        let ctx = PathContext::new(&NullModel)
            .with_resource(resource)
            .with_root_resource(resource);
        evaluate(&expr, focus, &ctx).ok()?.as_boolean()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patient(birth_date: &str) -> Value {
        // A Patient with DMP profile errors (an INS without its type) and, unless the birth
        // date is one, no base R4 error.
        json!({"resourceType": "Patient",
               "identifier": [{"system": "urn:oid:1.2.250.1.213.1.4.10", "value": "262037512345651"}],
               "birthDate": birth_date})
    }

    #[test]
    fn warn_mode_passes_profile_errors_on_and_blocks_base_errors() {
        let warn = Validation::new(Mode::Warn, &[]);
        let report = warn.report(&patient("1962-03-04"));
        assert!(report.has_errors() && !report.base_errors, "{report}");
        assert!(warn.check(&patient("1962-03-04")).is_ok());
        let bad = warn.report(&patient("1962-13-45"));
        assert!(bad.base_errors, "{bad}");
        assert!(warn.check(&patient("1962-13-45")).is_err());
        assert!(
            Validation::new(Mode::Off, &[])
                .check(&patient("1962-13-45"))
                .is_err()
        );
        assert!(
            Validation::new(Mode::Strict, &[])
                .check(&patient("1962-03-04"))
                .is_err()
        );
    }
}
