//! Splitting core search expressions into union branches, so that a resource type only
//! evaluates the branches that can apply to it (`Patient.birthDate | Person.birthDate | …`
//! becomes `Patient.birthDate` for a Patient).

/// Words of FHIRPath operators that bind more loosely than `|`.
const LOOSE_WORDS: &[&str] = &["and", "or", "xor", "implies", "in", "contains"];

/// The top-level `|` branches of `expr`, trimmed. The whole expression (as one branch) when
/// it has no top-level `|`, or when a top-level operator binds more loosely than `|` (then
/// splitting would change its meaning), or when its brackets or quotes are unbalanced.
pub(super) fn union_branches(expr: &str) -> Vec<&str> {
    let cuts = match top_level_bars(expr) {
        Some(cuts) if !cuts.is_empty() => cuts,
        _ => return vec![expr.trim()],
    };
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for cut in cuts {
        out.push(expr[start..cut].trim());
        start = cut + 1;
    }
    out.push(expr[start..].trim());
    out
}

/// Byte offsets of the `|` outside brackets and quotes; `None` when a top-level operator
/// binds more loosely than `|` or the text is unbalanced.
fn top_level_bars(expr: &str) -> Option<Vec<usize>> {
    let mut cuts = Vec::new();
    let (mut depth, mut quote, mut escaped) = (0_i32, None, false);
    let mut word = String::new();
    for (i, c) in expr.char_indices() {
        if let Some(q) = quote {
            quote = if !escaped && c == q { None } else { quote };
            escaped = !escaped && c == '\\';
            continue;
        }
        if depth == 0 && (c.is_alphanumeric() || c == '_') {
            word.push(c);
            continue;
        }
        let loose_word = LOOSE_WORDS.contains(&word.as_str()) && c.is_whitespace();
        word.clear();
        match c {
            _ if depth == 0 && loose_word => return None,
            '=' | '<' | '>' | '~' if depth == 0 => return None,
            '\'' | '`' | '"' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            '|' if depth == 0 => cuts.push(i),
            _ => {}
        }
    }
    (depth == 0 && quote.is_none()).then_some(cuts)
}

/// The first identifier of a branch, skipping opening parentheses: `Patient` for
/// `(Patient.x as Y)`, `""` when the branch starts otherwise (`%resource`, a literal).
pub(super) fn leading_name(branch: &str) -> &str {
    let rest = branch.trim_start_matches(['(', ' ']);
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    &rest[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unions_split_at_top_level_only() {
        assert_eq!(
            union_branches("Patient.birthDate | Person.birthDate"),
            ["Patient.birthDate", "Person.birthDate"]
        );
        assert_eq!(
            union_branches("(A.value as Quantity) | A.x.where(a = 'x|y' or b | c)"),
            ["(A.value as Quantity)", "A.x.where(a = 'x|y' or b | c)"]
        );
    }

    #[test]
    fn looser_operators_prevent_splitting() {
        let e = "Patient.deceased.exists() and Patient.deceased != false";
        assert_eq!(union_branches(e), [e]);
        assert_eq!(union_branches("A.a | A.b = 1"), ["A.a | A.b = 1"]);
        assert_eq!(union_branches("A.a | (A.b"), ["A.a | (A.b"]);
    }

    #[test]
    fn leading_name_skips_parentheses() {
        assert_eq!(leading_name("(Patient.x as Y)"), "Patient");
        assert_eq!(leading_name("Resource.meta.tag"), "Resource");
        assert_eq!(leading_name("%resource.x"), "");
    }
}
