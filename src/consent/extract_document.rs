//! `DocumentFacts` from a DocumentReference.

use serde_json::Value;

use super::date::Date;
use super::error::FactsError;
use super::facts::{DocStatus, DocumentFacts, Label};
use super::fhir_refs::{Resolver, array, codings, string};
use super::ids::TypeCode;

/// Code systems of JDV_J66-TypeCode-DMP.
const TYPE_SYSTEMS: [&str; 3] = [
    "http://loinc.org",
    "https://mos.esante.gouv.fr/NOS/TRE_A05-TypeDocComplementaire/FHIR/TRE-A05-TypeDocComplementaire",
    "https://mos.esante.gouv.fr/NOS/TRE_A12-NomenclatureASTM/FHIR/TRE-A12-NomenclatureASTM",
];

/// The misspelt TRE_A07 canonical used by the PDSm example, normalised on read.
const LABEL_SYSTEM_MISSPELT: &str = "https://mos.esante.gouv.fr/NOS/TRE_A07-StatusVisibiliteDocument/FHIR/TRE-A07-StatusVisibiliteDocument";
const LABEL_SYSTEM_OID: &str = "urn:oid:1.2.250.1.213.1.1.4.13";

impl DocumentFacts {
    /// [`DocumentFacts::from_document_reference_with`] with no resources besides `contained`.
    pub fn from_document_reference(doc: &Value) -> Result<Self, FactsError> {
        Self::from_document_reference_with(doc, &[])
    }

    /// Extracts document facts; `related` holds the Practitioner / PractitionerRole resources its
    /// `author` references point at.
    ///
    /// - type: the first `type.coding` from a JDV_J66 system (LOINC, TRE_A05, TRE_A12), else the
    ///   first coding with a system;
    /// - authors: each `author` resolving to an IDNPS; an author of type Patient sets
    ///   `patient_authored`;
    /// - labels: `securityLabel` codings from TRE_A07 (canonical, misspelt `Status` canonical, or
    ///   OID) or without system; other codes (N/R/V) are ignored;
    /// - date: `date`, a partial value read as its last day (the lift then comes no earlier);
    /// - status: `current` unless `superseded` or `entered-in-error`.
    ///
    /// Fails with [`FactsError::WrongResource`] if `doc` is not a DocumentReference, and
    /// [`FactsError::InvalidDate`] for an unreadable `date`.
    pub fn from_document_reference_with(
        doc: &Value,
        related: &[Value],
    ) -> Result<Self, FactsError> {
        if string(doc, "resourceType") != Some("DocumentReference") {
            return Err(FactsError::WrongResource {
                expected: "DocumentReference",
            });
        }
        let resolver = Resolver {
            contained: array(doc, "contained"),
            resources: related,
        };
        let authors = array(doc, "author");
        Ok(Self {
            type_code: doc.get("type").and_then(type_code),
            authors: authors.iter().filter_map(|a| resolver.idnps(a)).collect(),
            patient_authored: authors.iter().any(|a| is_patient(a, &resolver)),
            labels: array(doc, "securityLabel")
                .iter()
                .flat_map(labels)
                .collect(),
            date: string(doc, "date")
                .map(|d| Date::parse_fhir(d, true))
                .transpose()?,
            status: match string(doc, "status") {
                Some("superseded") => DocStatus::Superseded,
                Some("entered-in-error") => DocStatus::EnteredInError,
                _ => DocStatus::Current,
            },
        })
    }
}

fn type_code(concept: &Value) -> Option<TypeCode> {
    let all = codings(concept);
    let preferred = all
        .iter()
        .find(|(s, _)| s.is_some_and(|s| TYPE_SYSTEMS.contains(&s)));
    let (system, code) = preferred.or_else(|| all.iter().find(|(s, _)| s.is_some()))?;
    Some(TypeCode::new((*system)?, code))
}

fn labels(concept: &Value) -> Vec<Label> {
    codings(concept)
        .into_iter()
        .filter(|(system, _)| {
            system.is_none_or(|s| {
                [Label::SYSTEM, LABEL_SYSTEM_MISSPELT, LABEL_SYSTEM_OID].contains(&s)
            })
        })
        .filter_map(|(_, code)| Label::from_code(code))
        .collect()
}

fn is_patient(author: &Value, resolver: &Resolver<'_>) -> bool {
    string(author, "type") == Some("Patient")
        || string(author, "reference")
            .is_some_and(|r| r.starts_with("Patient/") || r.contains("/Patient/"))
        || resolver
            .resolve(author)
            .is_some_and(|r| string(r, "resourceType") == Some("Patient"))
}
