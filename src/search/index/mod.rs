//! Temporary stand-in for the index extraction (replaced by the full module): identifier tokens only.

use std::sync::OnceLock;

use serde_json::Value;

use crate::model::{SearchParamType, r4};

/// One indexed value.
#[derive(Debug, Clone, PartialEq)]
pub enum IndexValue {
    /// String.
    String { normalized: String, exact: String },
    /// Token.
    Token {
        system: String,
        code: String,
        text: String,
    },
    /// Reference.
    Reference {
        target_type: String,
        target_id: String,
        url: String,
    },
    /// Date range.
    Date { low: i64, high: i64 },
    /// Number.
    Number { value: f64, low: f64, high: f64 },
    /// Quantity.
    Quantity {
        value: f64,
        low: f64,
        high: f64,
        system: String,
        code: String,
        unit: String,
    },
    /// Uri.
    Uri { value: String },
}

/// One index row.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexRow {
    /// Parameter code.
    pub param: String,
    /// Value.
    pub value: IndexValue,
}

/// Parameter kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// string
    String,
    /// token
    Token,
    /// reference
    Reference,
    /// date
    Date,
    /// number
    Number,
    /// quantity
    Quantity,
    /// uri
    Uri,
    /// composite
    Composite,
    /// special
    Special,
}

/// What the query side needs to know of a parameter.
#[derive(Debug, Clone)]
pub struct ParamInfo {
    /// Code.
    pub code: String,
    /// Kind.
    pub kind: ParamKind,
    /// Reference targets.
    pub targets: Vec<String>,
    /// Expression.
    pub expression: String,
    /// Components.
    pub components: Vec<(String, String)>,
}

/// Extraction plans.
#[derive(Debug, Default)]
pub struct Extractor {
    params: std::collections::HashMap<(String, String), ParamInfo>,
}

impl Extractor {
    /// The R4 extractor.
    pub fn r4() -> &'static Extractor {
        static E: OnceLock<Extractor> = OnceLock::new();
        E.get_or_init(|| {
            let mut params = std::collections::HashMap::new();
            for ty in r4().resource_types() {
                for p in r4().search_params(ty) {
                    let kind = match p.kind {
                        SearchParamType::String => ParamKind::String,
                        SearchParamType::Token => ParamKind::Token,
                        SearchParamType::Reference => ParamKind::Reference,
                        SearchParamType::Date => ParamKind::Date,
                        SearchParamType::Number => ParamKind::Number,
                        SearchParamType::Quantity => ParamKind::Quantity,
                        SearchParamType::Uri => ParamKind::Uri,
                        SearchParamType::Composite => ParamKind::Composite,
                        SearchParamType::Special => ParamKind::Special,
                    };
                    let info = ParamInfo {
                        code: p.code.clone(),
                        kind,
                        targets: p.target.clone(),
                        expression: p.expression.clone().unwrap_or_default(),
                        components: Vec::new(),
                    };
                    params.insert((ty.to_owned(), p.code.clone()), info);
                }
            }
            Extractor { params }
        })
    }

    /// Index rows of a resource (stand-in: identifier tokens).
    pub fn extract(&self, resource: &Value) -> Vec<IndexRow> {
        let ids = match resource.get("identifier") {
            Some(Value::Array(a)) => a.iter().collect(),
            Some(v @ Value::Object(_)) => vec![v],
            _ => Vec::new(),
        };
        ids.into_iter()
            .filter_map(|i| {
                let code = i.get("value")?.as_str()?;
                let system = i.get("system").and_then(Value::as_str).unwrap_or("");
                Some(IndexRow {
                    param: "identifier".into(),
                    value: IndexValue::Token {
                        system: system.into(),
                        code: code.into(),
                        text: String::new(),
                    },
                })
            })
            .collect()
    }

    /// The parameter `code` of `resource_type`.
    pub fn param(&self, resource_type: &str, code: &str) -> Option<&ParamInfo> {
        self.params
            .get(&(resource_type.to_owned(), code.to_owned()))
    }
}
