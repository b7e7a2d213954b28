use super::*;

fn one(text: &str) -> SmartScope {
    match SmartScope::parse(text) {
        Ok(Some(scope)) => scope,
        other => panic!("{text}: {other:?}"),
    }
}

fn perms(s: &SmartScope) -> [bool; 5] {
    [s.create, s.read, s.update, s.delete, s.search]
}

#[test]
fn v1_scopes() {
    let s = one("user/Observation.read");
    assert_eq!(s.context, Context::User);
    assert_eq!(s.resource.as_deref(), Some("Observation"));
    assert_eq!(perms(&s), [false, true, false, false, true]);
    let s = one("patient/*.write");
    assert_eq!((s.context, s.resource.clone()), (Context::Patient, None));
    assert_eq!(perms(&s), [true, false, true, true, false]);
    let s = one("system/*.*");
    assert_eq!(s.context, Context::System);
    assert_eq!(perms(&s), [true; 5]);
}

#[test]
fn v2_scopes() {
    assert_eq!(perms(&one("user/*.cruds")), [true; 5]);
    assert_eq!(
        perms(&one("patient/DocumentReference.rs")),
        [false, true, false, false, true]
    );
    let s = one("system/DocumentReference.c");
    assert_eq!(perms(&s), [true, false, false, false, false]);
    assert_eq!(s.query, None);
    assert_eq!(
        perms(&one("user/Patient.ud")),
        [false, false, true, true, false]
    );
}

#[test]
fn v2_query_suffix_is_kept() {
    let s = one(
        "patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory",
    );
    assert_eq!(s.resource.as_deref(), Some("Observation"));
    assert_eq!(
        s.query.as_deref(),
        Some("category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory")
    );
    assert!(s.read && s.search && !s.create);
    // Fail closed: permits() cannot apply the filter.
    assert!(!permits(&[s], "Observation", Op::Read));
}

#[test]
fn non_resource_scopes_ignored() {
    let parsed = parse_scopes("openid fhirUser launch launch/patient offline_access online_access")
        .unwrap_or_default();
    assert!(parsed.is_empty());
    let parsed = parse_scopes("  openid   user/Patient.r\tlaunch/patient ").unwrap_or_default();
    assert_eq!(parsed.len(), 1);
    assert!(parse_scopes("").is_ok_and(|v| v.is_empty()));
}

#[test]
fn malformed_scopes_rejected() {
    for bad in [
        "user/Observation",
        "user/Observation.",
        "user/Observation.rc",
        "user/Observation.rr",
        "user/Observation.x",
        "user/Observation.READ",
        "user/observation.read",
        "user/.read",
        "user/Obs-ervation.read",
        "patient/*.rs?",
        "system/*.**",
    ] {
        assert!(
            matches!(SmartScope::parse(bad), Err(AuthError::InvalidScope(_))),
            "{bad}"
        );
    }
    assert!(parse_scopes("openid user/Patient.zz").is_err());
}

#[test]
fn permits_matches_type_and_op() {
    let scopes = parse_scopes("user/Observation.read patient/Patient.c system/DocumentReference.u")
        .unwrap_or_default();
    assert!(permits(&scopes, "Observation", Op::Read));
    assert!(permits(&scopes, "Observation", Op::Search));
    assert!(!permits(&scopes, "Observation", Op::Create));
    assert!(permits(&scopes, "Patient", Op::Create));
    assert!(!permits(&scopes, "Patient", Op::Read));
    assert!(permits(&scopes, "DocumentReference", Op::Update));
    assert!(!permits(&scopes, "DocumentReference", Op::Delete));
    assert!(!permits(&scopes, "Encounter", Op::Read));
    let all = parse_scopes("user/*.cruds").unwrap_or_default();
    for op in [Op::Create, Op::Read, Op::Update, Op::Delete, Op::Search] {
        assert!(permits(&all, "Encounter", op));
    }
    let write = parse_scopes("patient/*.write").unwrap_or_default();
    assert!(permits(&write, "Consent", Op::Delete) && !permits(&write, "Consent", Op::Read));
    assert!(!permits(&[], "Patient", Op::Read));
}
