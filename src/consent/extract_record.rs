//! `RecordFacts` from FHIR JSON: the Patient, the holder's Consents, and the resources their
//! references point at (Practitioner, PractitionerRole, Organization).

use serde_json::Value;

use super::date::Date;
use super::error::FactsError;
use super::facts::{ConsentKind, ConsentRule, Party, Period, RecordFacts};
use super::fhir_refs::{Resolver, array, identifiers, string};
use super::ids::Ins;

/// v3-ActReason, for the emergency purposes.
const ACT_REASON: &str = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

impl RecordFacts {
    /// Extracts the record facts.
    ///
    /// - holder: `Patient.identifier` with an INS system, except `use = old`;
    /// - closed: `Patient.active = false`;
    /// - médecin traitant: each `Patient.generalPractitioner` resolving to an IDNPS (logical
    ///   identifier, contained, or among `related`);
    /// - Consents: see [`consent_rules`].
    ///
    /// Fails with [`FactsError::WrongResource`] if `patient` is not a Patient or a Consent is not a
    /// Consent, [`FactsError::InvalidDate`] for an unreadable period, and
    /// [`FactsError::UnresolvedBlock`] if an active block names an actor that cannot be resolved
    /// (ignoring it would let the blocked professional in).
    pub fn from_resources(
        patient: &Value,
        consents: &[Value],
        related: &[Value],
    ) -> Result<Self, FactsError> {
        if string(patient, "resourceType") != Some("Patient") {
            return Err(FactsError::WrongResource {
                expected: "Patient",
            });
        }
        let ins: Vec<Ins> = identifiers(patient)
            .into_iter()
            .filter(|(_, _, usage)| *usage != Some("old"))
            .filter_map(|(system, value, _)| Ins::parse(system, value).ok())
            .collect();
        let resolver = Resolver {
            contained: array(patient, "contained"),
            resources: related,
        };
        let medecins_traitants = array(patient, "generalPractitioner")
            .iter()
            .filter_map(|r| resolver.idnps(r))
            .collect();
        let mut rules = Vec::new();
        for consent in consents {
            rules.extend(consent_rules(consent, patient, &ins, related)?);
        }
        Ok(Self {
            patient: ins,
            closed: patient.get("active").and_then(Value::as_bool) == Some(false),
            medecins_traitants,
            consents: rules,
        })
    }
}

/// The rules one Consent contributes: none unless `status = active` and `Consent.patient` is the
/// holder (`Patient/<id>` or an INS identifier). Each provision (nested ones inherit the type and
/// period they lack) gives: `deny` + purpose ETREAT/BTG → emergency opposition (its actors are not
/// blocks); `deny` with actors → block; `permit` with actors → authorisation (a permit limited to
/// emergency purposes adds nothing to rule 5 and is ignored). Provisions without actors otherwise
/// carry no rule.
pub fn consent_rules(
    consent: &Value,
    patient: &Value,
    ins: &[Ins],
    related: &[Value],
) -> Result<Vec<ConsentRule>, FactsError> {
    if string(consent, "resourceType") != Some("Consent") {
        return Err(FactsError::WrongResource {
            expected: "Consent",
        });
    }
    if string(consent, "status") != Some("active") || !names_holder(consent, patient, ins) {
        return Ok(Vec::new());
    }
    let resolver = Resolver {
        contained: array(consent, "contained"),
        resources: related,
    };
    let mut out = Vec::new();
    if let Some(provision) = consent.get("provision") {
        collect(provision, None, Period::default(), &resolver, &mut out)?;
    }
    Ok(out)
}

fn names_holder(consent: &Value, patient: &Value, ins: &[Ins]) -> bool {
    let Some(subject) = consent.get("patient") else {
        return false;
    };
    let by_id = match (string(subject, "reference"), string(patient, "id")) {
        (Some(r), Some(id)) => r
            .split("/_history/")
            .next()
            .is_some_and(|p| p.ends_with(&format!("Patient/{id}"))),
        _ => false,
    };
    let by_ins = subject.get("identifier").is_some_and(|i| {
        match (string(i, "system"), string(i, "value")) {
            (Some(s), Some(v)) => Ins::parse(s, v).is_ok_and(|x| ins.contains(&x)),
            _ => false,
        }
    });
    by_id || by_ins
}

/// Walks a provision and its nested provisions.
fn collect(
    p: &Value,
    inherited: Option<&str>,
    period: Period,
    resolver: &Resolver<'_>,
    out: &mut Vec<ConsentRule>,
) -> Result<(), FactsError> {
    let kind = string(p, "type").or(inherited);
    let period = match p.get("period") {
        Some(v) => read_period(v)?,
        None => period,
    };
    let emergency = array(p, "purpose").iter().any(|c| {
        string(c, "system") == Some(ACT_REASON)
            && matches!(string(c, "code"), Some("ETREAT" | "BTG"))
    });
    let actors: Vec<&Value> = array(p, "actor")
        .iter()
        .filter_map(|a| a.get("reference"))
        .collect();
    match (kind, emergency) {
        (Some("deny"), true) => {
            out.push(rule(ConsentKind::EmergencyOpposition, Vec::new(), period))
        }
        (Some("deny"), false) if !actors.is_empty() => {
            out.push(rule(
                ConsentKind::Block,
                parties(&actors, resolver, true)?,
                period,
            ));
        }
        (Some("permit"), false) if !actors.is_empty() => {
            out.push(rule(
                ConsentKind::Authorisation,
                parties(&actors, resolver, false)?,
                period,
            ));
        }
        _ => {}
    }
    for nested in array(p, "provision") {
        collect(nested, kind, period, resolver, out)?;
    }
    Ok(())
}

fn rule(kind: ConsentKind, parties: Vec<Party>, period: Period) -> ConsentRule {
    ConsentRule {
        kind,
        parties,
        period,
    }
}

/// The parties behind actor references; for a block, an unresolvable actor is an error.
fn parties(
    actors: &[&Value],
    resolver: &Resolver<'_>,
    strict: bool,
) -> Result<Vec<Party>, FactsError> {
    let mut out = Vec::new();
    for reference in actors {
        let before = out.len();
        if let Some(id) = resolver.idnps(reference) {
            out.push(Party::Professional(id));
        }
        out.extend(
            resolver
                .organisation(reference)
                .into_iter()
                .map(Party::Organisation),
        );
        if strict && out.len() == before {
            return Err(FactsError::UnresolvedBlock(reference.to_string()));
        }
    }
    Ok(out)
}

fn read_period(v: &Value) -> Result<Period, FactsError> {
    let day = |key: &str, latest: bool| {
        string(v, key)
            .map(|t| Date::parse_fhir(t, latest))
            .transpose()
    };
    Ok(Period {
        start: day("start", false)?,
        end: day("end", true)?,
    })
}
