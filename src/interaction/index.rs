//! Index rows extracted at write time. For now: `identifier` tokens, enough for conditional interactions;
//! the search engine generalises this to every SearchParameter.

use serde_json::Value;

use crate::store::TokenRow;

/// The token rows of a resource: one per `identifier` with a value.
pub fn tokens(resource: &Value) -> Vec<TokenRow> {
    let ids = match resource.get("identifier") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => Vec::new(),
    };
    ids.into_iter()
        .filter_map(|i| {
            let code = i.get("value")?.as_str()?;
            let system = i.get("system").and_then(Value::as_str).unwrap_or("");
            Some(TokenRow {
                param: "identifier".into(),
                system: system.into(),
                code: code.into(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn identifiers_become_tokens() {
        let r =
            json!({"identifier": [{"system": "s", "value": "v"}, {"value": "w"}, {"system": "x"}]});
        let t = tokens(&r);
        assert_eq!(t.len(), 2);
        assert_eq!((t[0].system.as_str(), t[0].code.as_str()), ("s", "v"));
        assert_eq!((t[1].system.as_str(), t[1].code.as_str()), ("", "w"));
    }
}
