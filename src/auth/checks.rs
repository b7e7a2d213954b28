//! Syntax checks of Carnet claim values, shared by [`super::claims`] and `carnet token`.

/// IDNPS: non-empty, ASCII alphanumeric, at most 30 characters.
pub(super) fn check_idnps(idnps: &str) -> Result<(), &'static str> {
    let ok =
        !idnps.is_empty() && idnps.len() <= 30 && idnps.bytes().all(|b| b.is_ascii_alphanumeric());
    ok.then_some(())
        .ok_or("idnps must be 1-30 ASCII letters or digits")
}

/// TRE_G15 profession code: 1 to 3 ASCII digits.
pub(super) fn check_profession(code: &str) -> Result<(), &'static str> {
    let ok = (1..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit());
    ok.then_some(())
        .ok_or("profession must be a TRE_G15 code of 1-3 digits")
}

/// TRE_R38 specialty code (e.g. `SM26`): 1 to 10 ASCII letters or digits.
pub(super) fn check_specialty(code: &str) -> Result<(), &'static str> {
    let ok = (1..=10).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric());
    ok.then_some(())
        .ok_or("specialty must be a TRE_R38 code (1-10 letters or digits)")
}

/// INS: system `urn:oid:` followed by a dotted OID, value 1-20 ASCII letters or digits.
pub(super) fn check_ins(system: &str, value: &str) -> Result<(), &'static str> {
    let oid = system.strip_prefix("urn:oid:").unwrap_or_default();
    let oid_ok = !oid.is_empty()
        && oid
            .split('.')
            .all(|arc| !arc.is_empty() && arc.bytes().all(|b| b.is_ascii_digit()));
    if !oid_ok {
        return Err("ins system must be an urn:oid: URI");
    }
    let ok = (1..=20).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_alphanumeric());
    ok.then_some(())
        .ok_or("ins value must be 1-20 ASCII letters or digits")
}

/// FHIR logical id: 1-64 of `A-Z a-z 0-9 - .`.
pub(super) fn check_fhir_id(id: &str) -> Result<(), &'static str> {
    let ok = (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    ok.then_some(())
        .ok_or("related_person must be a FHIR logical id")
}

/// Non-empty printable text of at most 256 characters.
pub(super) fn check_text(text: &str) -> Result<(), ()> {
    let ok = !text.trim().is_empty() && text.len() <= 256 && !text.chars().any(char::is_control);
    ok.then_some(()).ok_or(())
}
