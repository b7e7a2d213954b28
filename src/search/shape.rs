//! `_summary` and `_elements`: https://hl7.org/fhir/R4/search.html#summary — subsets of a resource, tagged
//! `SUBSETTED` as the spec asks.

use serde_json::{Map, Value, json};

use super::query::Summary;

const ALWAYS: &[&str] = &["resourceType", "id", "meta"];

/// Whether `summary` and `elements` leave a resource whole (no `_summary` or `_elements`
/// subset: [`apply`] would answer it unchanged).
pub fn is_whole(summary: Summary, elements: &[String]) -> bool {
    !matches!(summary, Summary::True | Summary::Text | Summary::Data) && elements.is_empty()
}

/// The resource as `_summary`/`_elements` ask (`None` summary and no elements: unchanged).
pub fn apply(resource: Value, summary: Summary, elements: &[String]) -> Value {
    let Value::Object(map) = resource else {
        return resource;
    };
    let ty = map
        .get("resourceType")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let keep: Box<dyn Fn(&str) -> bool> = match (summary, elements.is_empty()) {
        (Summary::True, _) => Box::new(|k| is_summary(&ty, k)),
        (Summary::Text, _) => Box::new(|k| k == "text" || is_mandatory(&ty, k)),
        (Summary::Data, _) => Box::new(|k| k != "text"),
        (_, false) => Box::new(|k| elements.iter().any(|e| e == k) || is_mandatory(&ty, k)),
        _ => return Value::Object(map),
    };
    let mut out = Map::new();
    for (k, v) in map {
        let base = k.strip_prefix('_').unwrap_or(&k);
        if ALWAYS.contains(&base) || keep(base) {
            out.insert(k, v);
        }
    }
    tag_subsetted(&mut out);
    Value::Object(out)
}

fn is_summary(ty: &str, json_name: &str) -> bool {
    crate::model::r4()
        .element(ty, json_name)
        .is_some_and(|e| e.def().is_summary)
}

fn is_mandatory(ty: &str, json_name: &str) -> bool {
    crate::model::r4()
        .element(ty, json_name)
        .is_some_and(|e| e.def().min > 0)
}

fn tag_subsetted(resource: &mut Map<String, Value>) {
    let meta = resource.entry("meta").or_insert_with(|| json!({}));
    if let Value::Object(m) = meta {
        let tags = m.entry("tag").or_insert_with(|| json!([]));
        if let Value::Array(list) = tags {
            list.push(json!({
                "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
                "code": "SUBSETTED",
                "display": "Resource encoded in summary mode"
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_keep_listed_mandatory_and_tag() {
        let p = json!({"resourceType": "Patient", "id": "1", "gender": "male", "birthDate": "2000", "name": []});
        let out = apply(p, Summary::False, &["gender".into()]);
        assert_eq!(out["gender"], "male");
        assert!(out.get("birthDate").is_none());
        assert_eq!(out["meta"]["tag"][0]["code"], "SUBSETTED");
    }

    #[test]
    fn summary_keeps_summary_elements() {
        let p = json!({"resourceType": "Patient", "id": "1", "gender": "male", "photo": [{}], "text": {"div": "x"}});
        let out = apply(p.clone(), Summary::True, &[]);
        assert!(out.get("gender").is_some());
        assert!(out.get("photo").is_none());
        let data = apply(p, Summary::Data, &[]);
        assert!(data.get("text").is_none() && data.get("photo").is_some());
    }
}
