//! Helpers for the extraction tests.

use super::{Extractor, IndexValue};
use serde_json::Value;

/// The values of parameter `param` extracted from `resource` by the R4 extractor.
pub fn rows_of(resource: &Value, param: &str) -> Vec<IndexValue> {
    let rows = Extractor::r4().extract(resource);
    rows.into_iter()
        .filter(|r| r.param == param)
        .map(|r| r.value)
        .collect()
}

/// A token value.
pub fn token(system: &str, code: &str, text: &str) -> IndexValue {
    IndexValue::Token {
        system: system.into(),
        code: code.into(),
        text: text.into(),
    }
}
