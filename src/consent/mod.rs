//! The DMP access decision, pure: who may do what on one patient's record.
//!
//! Specification: `docs/access-rules.md` (facts and sources: `docs/fr-dmp-research.md` §3-§4).
//! Entry points: [`decide()`] (one request; the server puts every write to it), [`visible`] (one
//! document), [`document_filter`] (the visible documents of one record as data). All three agree
//! (property-tested). For reads across many records, [`AccessScope`] and the per-resource facts of
//! `stored.rs` (table `access_facts`) carry the same rules into the search SQL (`search/access.rs`),
//! checked over HTTP against an independent model (`tests/http/consent/properties.rs`).
//!
//! # Order of the rules
//! For a professional, the record-level rules of `record_rules.rs` (`RECORD_RULES`, the one place
//! the order is written); the Patient resource escapes them (readable by any professional):
//! 1. closed DMP → deny;
//! 2. médecin traitant → allow (before 3, so a block naming them has no effect);
//! 3. blocked → deny, whatever the mode;
//! 4. active authorisation → allow;
//! 5. `bris-de-glace` / `regulation` → allow, flagged (`Permit::emergency`), unless opposed → deny;
//! 6. otherwise → deny.
//!
//! Then, within the record (`document_rules.rs`), a document is visible to its authors, to the
//! médecin traitant, or when the matrix allows the profession for its type and it is not
//! `MASQUE_PS` (emergency modes too). The holder sees all but `INVISIBLE_PATIENT` documents dated
//! less than one calendar month ago; a representative also loses `INVISIBLE_REPRESENTANTS_LEGAUX`
//! ones. Writes: masking by the patient, the author, the médecin traitant; deletion by the author;
//! Consents by the patient and representatives, or a new permit naming the professional
//! themself; AuditEvents never changed. Consents are read by the patient, representatives,
//! médecin traitant and administrators; AuditEvents by the first two and administrators. An
//! action on a document the requester cannot see is denied by the visibility rule
//! ([`Rule::hides`]: answer 404).
//!
//! # FHIR representation
//! - closed DMP: `Patient.active = false`;
//! - médecin traitant: `Patient.generalPractitioner` → Practitioner / PractitionerRole, matched by
//!   IDNPS (`urn:oid:1.2.250.1.71.4.2.1`);
//! - authorisation / block / emergency opposition: `Consent` with `status = active`,
//!   `patient` = the holder, `provision.period` honoured, `provision.type` permit / deny,
//!   `provision.actor.reference` a Practitioner(Role) (IDNPS) or an Organization (its care team:
//!   professionals whose token names that organisation), `provision.purpose` v3-ActReason
//!   `ETREAT` / `BTG` on a deny for the opposition;
//! - document facts: `DocumentReference.type` (J66), `author` (IDNPS), `securityLabel` (TRE_A07
//!   codes, either spelling), `date` (deposit date, start of the INVISIBLE_PATIENT month).
//!
//! # Errors
//! Only fact extraction fails ([`FactsError`]: 422 for client input, 500 for the compiled-in
//! matrix). A decision never fails.

mod action;
mod actor;
mod date;
mod decide;
mod decision;
mod document_rules;
mod error;
mod extract_document;
mod extract_record;
mod facts;
mod fhir_refs;
mod filter;
mod holder;
mod ids;
mod matrix;
mod others;
mod professional;
mod record_rules;
mod scope;
mod stored;

#[cfg(test)]
mod extract_tests;
#[cfg(test)]
mod personas;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod scenarios_documents;
#[cfg(test)]
mod scenarios_record;
#[cfg(test)]
mod scenarios_writes;

pub use action::{Action, ConsentChange, ConsentDraft, ResourceKind, Target};
pub use actor::{AccessMode, Actor, Professional, Scope};
pub use date::Date;
pub use decide::{decide, decide_with, visible};
pub use decision::{Basis, Decision, Permit, Rule};
pub use error::FactsError;
pub use extract_record::consent_rules;
pub use facts::{
    ConsentKind, ConsentRule, DocStatus, DocumentFacts, Label, Party, Period, RecordFacts,
};
pub use filter::{Atom, Clause, DocumentFilter, document_filter, document_filter_with};
pub use ids::{IDNPS_SYSTEM, Idnps, Ins, InsSystem, OrgId, ProfessionCode, TypeCode};
pub use matrix::{Matrix, Row};
pub use scope::{AccessScope, TypeRule};
pub use stored::{
    EMERGENCY_NOTICE, FactRow, RULE_KINDS, binary_id, day_number, document_facts, fact_rows,
    party_key, record_facts,
};
