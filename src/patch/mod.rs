//! Patch formats, pure: JSON Patch (RFC 6902) and FHIRPath Patch (https://hl7.org/fhir/R4/fhirpatch.html).

mod fhirpath;
mod json;
mod locate;
mod pointer;

pub use fhirpath::apply_fhirpath_patch;
pub use json::apply_json_patch;

/// Why a patch could not be applied; `at` names the operation, e.g. `operation[2]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchError {
    /// Human text.
    pub message: String,
    /// The failing operation.
    pub at: String,
}
