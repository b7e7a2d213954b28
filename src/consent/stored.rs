//! The facts the store keeps per resource for the search SQL (table `access_facts`), extracted at
//! write time with the same functions the pure engine uses, so the SQL and [`super::visible`] read
//! the same facts.
//!
//! Row kinds: `patient` (the resource belongs to that record), on a Patient `closed` and `gp`
//! (IDNPS of a médecin traitant), on a Consent `permit` / `block` (a party) and `oppose`, valid
//! from `low` to `high`, on a DocumentReference `author` (IDNPS), `type` (`system|code`), `label`
//! (TRE_A07 code), `date` (`low`), `patient-author` (an author is the patient) and `binary` (the
//! id of the Binary holding its content). [`record_facts`] and [`document_facts`] read them back
//! for the write decisions of [`super::decide`].

use serde_json::Value;

use super::date::Date;
use super::error::FactsError;
use super::facts::{
    ConsentKind, ConsentRule, DocStatus, DocumentFacts, Label, Party, Period, RecordFacts,
};
use super::fhir_refs::{array, identifiers, string};
use super::ids::{Idnps, Ins, OrgId, TypeCode};

/// One row of `access_facts` for the resource being written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactRow {
    /// The record (Patient logical id) the row belongs to, or empty.
    pub patient: String,
    /// The row kind (see the module doc).
    pub kind: &'static str,
    /// The value (IDNPS, party, type, label, Binary id), or empty.
    pub value: String,
    /// First valid day (YYYYMMDD), or the document date.
    pub low: i64,
    /// Last valid day (YYYYMMDD).
    pub high: i64,
}

/// The kinds a deletion removes: a deleted Consent no longer permits or blocks anything.
pub const RULE_KINDS: [&str; 3] = ["permit", "block", "oppose"];

/// A day as the integer YYYYMMDD the SQL compares.
pub fn day_number(d: Date) -> i64 {
    let (y, m, day) = d.ymd();
    i64::from(y) * 10_000 + i64::from(m) * 100 + i64::from(day)
}

/// The encoding of a party in `access_facts.value`: `pro:<IDNPS>` or `org:<system>|<value>`.
pub fn party_key(p: &Party) -> String {
    match p {
        Party::Professional(id) => format!("pro:{}", id.as_str()),
        Party::Organisation(org) => format!("org:{}|{}", org.system, org.value),
    }
}

fn row(patient: &str, kind: &'static str, value: String) -> FactRow {
    FactRow {
        patient: patient.to_owned(),
        kind,
        value,
        low: 0,
        high: 0,
    }
}

/// The rows of `resource`, whose Patient-compartment links are `patients` (logical ids; a Patient
/// links itself). `holder` is the linked Patient resource when there is one (for Consents),
/// `related` the Practitioner, PractitionerRole and Organization resources its references name.
///
/// Fails like the extraction functions: an unreadable date, or an active block whose actor cannot
/// be resolved to an IDNPS or an organisation (ignoring it would let the blocked professional in).
pub fn fact_rows(
    resource: &Value,
    patients: &[String],
    holder: Option<&Value>,
    related: &[Value],
) -> Result<Vec<FactRow>, FactsError> {
    let mut rows: Vec<FactRow> = patients
        .iter()
        .map(|p| row(p, "patient", String::new()))
        .collect();
    let first = patients.first().map_or("", String::as_str);
    match string(resource, "resourceType") {
        Some("Patient") => {
            let own = string(resource, "id").unwrap_or_default();
            let facts = RecordFacts::from_resources(resource, &[], related)?;
            if facts.closed {
                rows.push(row(own, "closed", String::new()));
            }
            for gp in facts.medecins_traitants {
                rows.push(row(own, "gp", gp.as_str().to_owned()));
            }
        }
        Some("Consent") => {
            if let Some(patient) = holder {
                rows.extend(consent_rows(resource, patient, first, related)?);
            }
        }
        Some("DocumentReference") => rows.extend(document_rows(resource, first, related)?),
        Some("Communication") if is_emergency_notice(resource) => {
            rows.push(row(first, "notice", String::new()));
        }
        _ => {}
    }
    Ok(rows)
}

fn consent_rows(
    consent: &Value,
    patient: &Value,
    pid: &str,
    related: &[Value],
) -> Result<Vec<FactRow>, FactsError> {
    let ins: Vec<Ins> = identifiers(patient)
        .into_iter()
        .filter(|(_, _, usage)| *usage != Some("old"))
        .filter_map(|(system, value, _)| Ins::parse(system, value).ok())
        .collect();
    let mut rows = Vec::new();
    for rule in super::consent_rules(consent, patient, &ins, related)? {
        let (low, high) = period_days(rule.period);
        let kind = match rule.kind {
            ConsentKind::Authorisation => "permit",
            ConsentKind::Block => "block",
            ConsentKind::EmergencyOpposition => "oppose",
        };
        let values: Vec<String> = if rule.kind == ConsentKind::EmergencyOpposition {
            vec![String::new()]
        } else {
            rule.parties.iter().map(party_key).collect()
        };
        rows.extend(values.into_iter().map(|value| FactRow {
            patient: pid.to_owned(),
            kind,
            value,
            low,
            high,
        }));
    }
    Ok(rows)
}

fn period_days(p: Period) -> (i64, i64) {
    (
        p.start.map_or(0, day_number),
        p.end.map_or(99_999_999, day_number),
    )
}

fn document_rows(doc: &Value, pid: &str, related: &[Value]) -> Result<Vec<FactRow>, FactsError> {
    let facts = DocumentFacts::from_document_reference_with(doc, related)?;
    let mut rows: Vec<FactRow> = facts
        .authors
        .iter()
        .map(|a| row(pid, "author", a.as_str().to_owned()))
        .collect();
    if facts.patient_authored {
        rows.push(row(pid, "patient-author", String::new()));
    }
    if facts.status == DocStatus::EnteredInError {
        rows.push(row(pid, "entered-in-error", String::new()));
    }
    if let Some(t) = &facts.type_code {
        rows.push(row(pid, "type", format!("{}|{}", t.system, t.code)));
    }
    rows.extend(
        facts
            .labels
            .iter()
            .map(|l| row(pid, "label", l.code().to_owned())),
    );
    if let Some(d) = facts.date {
        rows.push(FactRow {
            low: day_number(d),
            ..row(pid, "date", String::new())
        });
    }
    for content in array(doc, "content") {
        if let Some(id) = content
            .get("attachment")
            .and_then(|a| string(a, "url"))
            .and_then(binary_id)
        {
            rows.push(row(pid, "binary", id.to_owned()));
        }
    }
    Ok(rows)
}

/// The category text of the Communications that notify an emergency access.
pub const EMERGENCY_NOTICE: &str = "dmp-emergency-access";

/// An emergency-access notice: like the trail, for the patient, the representatives and the
/// médecin traitant only.
fn is_emergency_notice(resource: &Value) -> bool {
    array(resource, "category")
        .iter()
        .any(|c| string(c, "text") == Some(EMERGENCY_NOTICE))
}

/// The Binary id of an attachment URL `[base/]Binary/<id>`, if it is one.
pub fn binary_id(url: &str) -> Option<&str> {
    let mut parts = url.trim_end_matches('/').rsplit('/');
    let id = parts.next()?;
    (parts.next()? == "Binary" && !id.is_empty()).then_some(id)
}

/// The record facts of one Patient from its stored rows (`kind`, `value`, `low`, `high`) and the
/// holder's INS; rows of unknown kinds or with unreadable values are skipped.
pub fn record_facts(patient: Vec<Ins>, rows: &[(String, String, i64, i64)]) -> RecordFacts {
    let mut facts = RecordFacts {
        patient,
        ..RecordFacts::default()
    };
    for (kind, value, low, high) in rows {
        let period = Period {
            start: (*low > 0).then(|| date_of(*low)).flatten(),
            end: (*high < 99_999_999).then(|| date_of(*high)).flatten(),
        };
        let kind = match kind.as_str() {
            "closed" => {
                facts.closed = true;
                continue;
            }
            "gp" => {
                if let Ok(id) = Idnps::parse(value) {
                    facts.medecins_traitants.insert(id);
                }
                continue;
            }
            "permit" => ConsentKind::Authorisation,
            "block" => ConsentKind::Block,
            "oppose" => ConsentKind::EmergencyOpposition,
            _ => continue,
        };
        let parties = party_of(value).into_iter().collect();
        facts.consents.push(ConsentRule {
            kind,
            parties,
            period,
        });
    }
    facts
}

/// The document facts of a DocumentReference from its rows (`kind`, `value`, `low`).
pub fn document_facts<'a>(
    rows: impl IntoIterator<Item = (&'a str, &'a str, i64)>,
) -> DocumentFacts {
    let mut facts = DocumentFacts::default();
    for (kind, value, low) in rows {
        match kind {
            "author" => {
                if let Ok(id) = Idnps::parse(value) {
                    facts.authors.insert(id);
                }
            }
            "patient-author" => facts.patient_authored = true,
            "entered-in-error" => facts.status = DocStatus::EnteredInError,
            "type" => {
                if let Some((system, code)) = value.rsplit_once('|') {
                    facts.type_code = Some(TypeCode::new(system, code));
                }
            }
            "label" => facts.labels.extend(Label::from_code(value)),
            "date" => facts.date = date_of(low),
            _ => {}
        }
    }
    facts
}

fn date_of(n: i64) -> Option<Date> {
    let (y, m, d) = (n / 10_000, (n / 100) % 100, n % 100);
    Date::new(
        i32::try_from(y).ok()?,
        u8::try_from(m).ok()?,
        u8::try_from(d).ok()?,
    )
    .ok()
}

fn party_of(key: &str) -> Option<Party> {
    if let Some(id) = key.strip_prefix("pro:") {
        return Idnps::parse(id).ok().map(Party::Professional);
    }
    let (system, value) = key.strip_prefix("org:")?.split_once('|')?;
    Some(Party::Organisation(OrgId {
        system: system.to_owned(),
        value: value.to_owned(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn document_rows_carry_the_facts() {
        let doc = json!({"resourceType": "DocumentReference", "id": "d",
            "type": {"coding": [{"system": "http://loinc.org", "code": "11488-4"}]},
            "author": [{"identifier": {"system": "urn:oid:1.2.250.1.71.4.2.1", "value": "810002909371"}}],
            "securityLabel": [{"coding": [{"code": "MASQUE_PS"}]}],
            "date": "2026-03-04T10:00:00+01:00",
            "content": [{"attachment": {"url": "http://h/fhir/Binary/b1"}}]});
        let rows = fact_rows(&doc, &["p1".into()], None, &[]).unwrap();
        let kinds: Vec<(&str, &str)> = rows.iter().map(|r| (r.kind, r.value.as_str())).collect();
        assert_eq!(
            kinds,
            [
                ("patient", ""),
                ("author", "810002909371"),
                ("type", "http://loinc.org|11488-4"),
                ("label", "MASQUE_PS"),
                ("date", ""),
                ("binary", "b1")
            ]
        );
        assert_eq!(rows[4].low, 20260304);
    }

    #[test]
    fn patient_rows_closed_and_gp() {
        let p = json!({"resourceType": "Patient", "id": "p1", "active": false,
            "generalPractitioner": [{"identifier": {"system": "urn:oid:1.2.250.1.71.4.2.1", "value": "810000000001"}}]});
        let rows = fact_rows(&p, &["p1".into()], None, &[]).unwrap();
        assert!(rows.iter().any(|r| r.kind == "closed" && r.patient == "p1"));
        assert!(
            rows.iter()
                .any(|r| r.kind == "gp" && r.value == "810000000001")
        );
    }

    #[test]
    fn binary_urls() {
        assert_eq!(binary_id("Binary/x"), Some("x"));
        assert_eq!(binary_id("http://a/fhir/Binary/x"), Some("x"));
        assert_eq!(binary_id("urn:uuid:1"), None);
        assert_eq!(binary_id("Patient/x"), None);
    }
}
