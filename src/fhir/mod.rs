//! Vocabulary shared by every module: parsed identifiers, instants, and builders for the resources the server
//! itself produces (OperationOutcome, Bundle). Resources themselves stay raw JSON.

mod bundle;
mod ids;
mod instant;
mod outcome;

pub use bundle::{BundleBuilder, BundleEntry};
pub use ids::{Id, ResourceType, VersionId};
pub use instant::Instant;
pub use outcome::{Issue, Severity, operation_outcome};
