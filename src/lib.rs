//! Carnet: an HL7 FHIR R4 (4.0.1) server for the French Dossier Médical Partagé.
//!
//! Module map (boundaries kept as strictly as crates: only `api` uses axum, only `store` uses sqlx):

/// HTTP edge: request → interaction, outcome → response, the error → status table.
pub mod api;
/// The access trail: AuditEvents built purely, written durably with group commit.
pub mod audit;
/// Bearer tokens: JWKS verification, claims, SMART scopes, development keys (`carnet token`).
pub mod auth;
/// `carnet bench`: the HTTP benchmark harness (starts a server, loads a population, measures workloads).
pub mod bench;
/// Offline subcommands (`carnet validate`).
pub mod commands;
/// Command-line flags and environment, read in one place.
pub mod config;
/// `carnet conformance run`: the TestScript runner.
pub mod conformance;
/// The DMP access decision (access-rules.md), pure: `decide` for writes, `AccessScope` and the stored facts
/// for the visibility condition every read path carries (`search::access`).
pub mod consent;
/// The DMP rules beyond StructureDefinitions (NIR keys, IDNPS) and the project's profiles, compiled in.
pub mod dmp;
/// The crate error: categorised values without HTTP.
pub mod error;
/// Shared vocabulary: ids, instants, OperationOutcome and Bundle builders.
pub mod fhir;
/// FHIRPath engine over raw JSON, pure; typed by the R4 model.
pub mod fhirpath;
/// One file per FHIR interaction; `execute` is the single choke point.
pub mod interaction;
/// R4 definitions needed at run time, generated from the official definitions.
pub mod model;
/// Patch formats (JSON Patch), pure.
pub mod patch;
/// Search: index extraction at write time, query parsing, SQL compilation.
pub mod search;
/// Versioned storage on SQLite or PostgreSQL.
pub mod store;
/// TLS for outgoing HTTP (rustls with ring), installed once.
pub mod tls;
/// Validation against base R4 and profiles, pure: a report, never an error for "invalid".
pub mod validate;
/// FHIR XML ⇄ JSON, pure, driven by the model.
pub mod xml;

pub use api::{ApiConfig, AuthMode, app};
