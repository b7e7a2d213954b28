//! String normal form for string search (<https://hl7.org/fhir/R4/search.html#string>):
//! searches are case- and accent-insensitive.

/// Accented Latin letters (already lowercased) and what they fold to.
const FOLDS: &[(&str, &str)] = &[
    ("àáâãäåāăąǎ", "a"),
    ("æ", "ae"),
    ("çćĉċč", "c"),
    ("ďđð", "d"),
    ("èéêëēĕėęě", "e"),
    ("ĝğġģ", "g"),
    ("ĥħ", "h"),
    ("ìíîïĩīĭįıǐ", "i"),
    ("ĳ", "ij"),
    ("ĵ", "j"),
    ("ķ", "k"),
    ("ĺļľŀł", "l"),
    ("ñńņňŉ", "n"),
    ("òóôõöøōŏőơǒ", "o"),
    ("œ", "oe"),
    ("ŕŗř", "r"),
    ("śŝşšșſ", "s"),
    ("ß", "ss"),
    ("ţťŧț", "t"),
    ("þ", "th"),
    ("ùúûüũūŭůűųưǔ", "u"),
    ("ŵ", "w"),
    ("ýÿŷ", "y"),
    ("źżž", "z"),
];

/// Case- and accent-insensitive normal form for string search: accents of Latin letters are
/// stripped (é→e, ç→c, œ→oe, ß→ss, combining marks U+0300–U+036F dropped), letters are
/// lowercased, runs of whitespace become one space and the ends are trimmed; punctuation and
/// other characters are kept. Total: never fails.
pub fn normalize_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if is_combining_mark(c) {
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            c.to_lowercase().for_each(|l| push_folded(&mut out, l));
        }
    }
    out
}

/// Pushes `c` (lowercase) with its accent removed.
fn push_folded(out: &mut String, c: char) {
    match FOLDS.iter().find(|(from, _)| from.contains(c)) {
        Some((_, to)) => out.push_str(to),
        None if !is_combining_mark(c) => out.push(c),
        None => {}
    }
}

/// Combining diacritical marks (the decomposed form of accents).
fn is_combining_mark(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_and_case_are_folded() {
        assert_eq!(normalize_string("Élodie"), "elodie");
        assert_eq!(normalize_string("François"), "francois");
        assert_eq!(normalize_string("Œuvre"), "oeuvre");
        assert_eq!(normalize_string("Straße"), "strasse");
        assert_eq!(normalize_string("ÇÀÜ"), "cau");
        assert_eq!(normalize_string("Łódź"), "lodz");
    }

    #[test]
    fn decomposed_accents_are_dropped() {
        assert_eq!(normalize_string("e\u{0301}te\u{0301}"), "ete");
    }

    #[test]
    fn whitespace_is_collapsed_and_punctuation_kept() {
        assert_eq!(
            normalize_string("  Jean-Luc \t  O'Neil \n"),
            "jean-luc o'neil"
        );
        assert_eq!(normalize_string(""), "");
        assert_eq!(normalize_string("   "), "");
    }

    #[test]
    fn other_scripts_are_lowercased_only() {
        assert_eq!(normalize_string("ΑΒΓ 東京"), "αβγ 東京");
    }
}
