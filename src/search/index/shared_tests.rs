//! Parameters stored as another: `phonetic` is searched on the rows of `name`.

use serde_json::json;

use super::Extractor;

fn patient() -> serde_json::Value {
    json!({"resourceType": "Patient", "name": [{"family": "Martin", "given": ["Camille"]}]})
}

#[test]
fn phonetic_is_stored_as_name_and_gets_no_rows_of_its_own() {
    let ext = Extractor::r4();
    let types = |t: &[&str]| t.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>();
    let people = types(&["Patient", "Practitioner", "RelatedPerson", "Person"]);
    for code in ["phonetic", "name", "family", "given"] {
        let expected = if code == "phonetic" { "name" } else { code };
        assert_eq!(ext.stored_code(&people, code), Ok(expected));
    }
    // Organization's phonetic is not its name (which has the aliases too).
    let orgs = types(&["Organization"]);
    assert_eq!(ext.stored_code(&orgs, "phonetic"), Ok("phonetic"));
    let mixed = types(&["Patient", "Organization"]);
    assert!(ext.stored_code(&mixed, "phonetic").is_err());
    // Types without the parameter do not count.
    assert_eq!(
        ext.stored_code(&types(&["Patient", "Observation"]), "phonetic"),
        Ok("name")
    );
    let rows = ext.extract(&patient());
    assert!(rows.iter().all(|r| r.param != "phonetic"), "{rows:?}");
    assert_eq!(rows.iter().filter(|r| r.param == "name").count(), 2);
    let practitioner = json!({"resourceType": "Practitioner", "name": [{"family": "Durand"}]});
    assert!(
        ext.extract(&practitioner)
            .iter()
            .all(|r| r.param != "phonetic")
    );
}

#[test]
fn a_custom_phonetic_parameter_has_rows_of_its_own() {
    let custom = json!({
        "resourceType": "SearchParameter", "code": "phonetic", "base": ["Patient"],
        "type": "string", "expression": "Patient.name.family"
    });
    let ext = Extractor::r4().with_custom(&[custom]).unwrap();
    let patient_type = ["Patient".to_owned()];
    assert_eq!(ext.stored_code(&patient_type, "phonetic"), Ok("phonetic"));
    let rows = ext.extract(&patient());
    assert_eq!(rows.iter().filter(|r| r.param == "phonetic").count(), 1);
    // Practitioner's is still its name.
    let practitioner = ["Practitioner".to_owned()];
    assert_eq!(ext.stored_code(&practitioner, "phonetic"), Ok("name"));
}
