//! Patch formats, pure: JSON Patch (RFC 6902). FHIRPath Patch joins once the FHIRPath engine lands.

mod json;
mod pointer;

pub use json::apply_json_patch;

/// Why a patch could not be applied; `at` names the operation, e.g. `operation[2]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchError {
    /// Human text.
    pub message: String,
    /// The failing operation.
    pub at: String,
}
