//! The habilitation matrix (profession TRE_G15 × document type JDV_J66 → allowed), loaded from
//! `profiles/habilitations.json` (access-rules.md, "Habilitation matrix"; arrêté du 26 octobre 2023).
//!
//! File shape: `documentTypes` (the known types), and `professions`, each with either
//! `allTypes: true`, or a `default` (`allow` | `deny`, with `defaultBasis` `source` |
//! `project-decision`) and `exceptions` (cells that differ from the default, each with its basis).
//! The loader checks every exception names a known type and every profession appears once.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use serde::Deserialize;

use super::error::FactsError;
use super::ids::{ProfessionCode, TypeCode};

/// What a profession may read, by document type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    /// Every document type, including types unknown to the matrix and untyped documents.
    AllTypes,
    /// Exactly these types.
    Only(BTreeSet<TypeCode>),
}

/// The compiled matrix. Professions without a row are allowed nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Matrix {
    rows: BTreeMap<ProfessionCode, Row>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileType {
    system: String,
    code: String,
}

#[derive(Deserialize)]
struct FileException {
    #[serde(rename = "type")]
    type_code: String,
    allowed: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileProfession {
    code: String,
    #[serde(default)]
    all_types: bool,
    default: Option<String>,
    #[serde(default)]
    exceptions: Vec<FileException>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct File {
    document_types: Vec<FileType>,
    professions: Vec<FileProfession>,
}

static DMP: LazyLock<Matrix> = LazyLock::new(|| {
    // Fail closed: a broken compiled-in file (caught by a unit test) would allow nothing.
    Matrix::from_json(include_str!("../../profiles/habilitations.json")).unwrap_or_default()
});

fn invalid(msg: String) -> FactsError {
    FactsError::InvalidMatrix(msg)
}

impl Matrix {
    /// The DMP matrix compiled into the binary from `profiles/habilitations.json`.
    pub fn dmp() -> &'static Matrix {
        &DMP
    }

    /// Parses a matrix file. Fails with [`FactsError::InvalidMatrix`] on malformed JSON, a
    /// duplicate profession or type, an exception naming an unknown type, or a profession with
    /// neither `allTypes` nor a valid `default`.
    pub fn from_json(text: &str) -> Result<Self, FactsError> {
        let file: File = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let mut types: BTreeMap<String, TypeCode> = BTreeMap::new();
        for t in &file.document_types {
            let tc = TypeCode::new(&t.system, &t.code);
            if types.insert(t.code.clone(), tc).is_some() {
                return Err(invalid(format!("duplicate document type {}", t.code)));
            }
        }
        let mut rows = BTreeMap::new();
        for p in &file.professions {
            let code = ProfessionCode::parse(&p.code)?;
            let row = compile_row(p, &types)?;
            if rows.insert(code, row).is_some() {
                return Err(invalid(format!("duplicate profession {}", p.code)));
            }
        }
        Ok(Self { rows })
    }

    /// The row of `profession`, or `None` if the matrix grants it nothing.
    pub fn row(&self, profession: &ProfessionCode) -> Option<&Row> {
        self.rows.get(profession)
    }

    /// True if `profession` may read documents of `type_code` (an untyped document only for
    /// [`Row::AllTypes`]).
    pub fn allows(&self, profession: &ProfessionCode, type_code: Option<&TypeCode>) -> bool {
        match (self.row(profession), type_code) {
            (Some(Row::AllTypes), _) => true,
            (Some(Row::Only(set)), Some(t)) => set.contains(t),
            _ => false,
        }
    }
}

/// Compiles one profession's row against the known types.
fn compile_row(p: &FileProfession, types: &BTreeMap<String, TypeCode>) -> Result<Row, FactsError> {
    if p.all_types {
        return Ok(Row::AllTypes);
    }
    let default = match p.default.as_deref() {
        Some("allow") => true,
        Some("deny") => false,
        other => return Err(invalid(format!("profession {}: default {other:?}", p.code))),
    };
    let mut cells: BTreeMap<&str, bool> = types.keys().map(|k| (k.as_str(), default)).collect();
    for e in &p.exceptions {
        let cell = cells.get_mut(e.type_code.as_str()).ok_or_else(|| {
            invalid(format!(
                "profession {}: unknown type {}",
                p.code, e.type_code
            ))
        })?;
        *cell = e.allowed;
    }
    let allowed = cells
        .into_iter()
        .filter(|&(_, ok)| ok)
        .filter_map(|(code, _)| types.get(code).cloned())
        .collect();
    Ok(Row::Only(allowed))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOINC: &str = "http://loinc.org";

    fn prof(code: &str) -> ProfessionCode {
        ProfessionCode::parse(code).unwrap()
    }

    #[test]
    fn compiled_in_matrix_parses() {
        let text = include_str!("../../profiles/habilitations.json");
        let m = Matrix::from_json(text).unwrap();
        assert_eq!(m.row(&prof("10")), Some(&Row::AllTypes));
        assert_eq!(Matrix::dmp(), &m);
    }

    #[test]
    fn sourced_cells_for_nurses_and_dentists() {
        let m = Matrix::dmp();
        let t = |c: &str| TypeCode::new(LOINC, c);
        assert!(!m.allows(&prof("60"), Some(&t("68599-0"))));
        assert!(!m.allows(&prof("60"), Some(&t("89601-9"))));
        assert!(m.allows(&prof("60"), Some(&t("11488-4"))));
        assert!(!m.allows(&prof("40"), Some(&t("80788-3"))));
        assert!(m.allows(&prof("40"), Some(&t("89601-9"))));
        assert!(m.allows(&prof("10"), None));
        assert!(!m.allows(&prof("60"), None));
        assert!(!m.allows(&prof("99"), Some(&t("11488-4"))));
    }

    #[test]
    fn loader_rejects_unknown_exception_type_and_duplicates() {
        let bad = r#"{"documentTypes":[{"system":"s","code":"a"}],
            "professions":[{"code":"60","default":"allow","exceptions":[{"type":"zz","allowed":false}]}]}"#;
        assert!(Matrix::from_json(bad).is_err());
        let dup = r#"{"documentTypes":[{"system":"s","code":"a"}],
            "professions":[{"code":"60","default":"deny"},{"code":"60","allTypes":true}]}"#;
        assert!(Matrix::from_json(dup).is_err());
        let social = r#"{"documentTypes":[{"system":"s","code":"a"},{"system":"s","code":"b"}],
            "professions":[{"code":"99","default":"deny","exceptions":[{"type":"b","allowed":true}]}]}"#;
        let m = Matrix::from_json(social).unwrap();
        assert!(m.allows(&prof("99"), Some(&TypeCode::new("s", "b"))));
        assert!(!m.allows(&prof("99"), Some(&TypeCode::new("s", "a"))));
    }
}
