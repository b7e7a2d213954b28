//! The NIR (numéro d'inscription au répertoire, the matricule INS) format and key
//! (research notes §2, "NIR / INS format"): `FHIRPath` cannot compute the mod-97 key.
//!
//! Layout of the 15 characters: sex (1), year (2), month (2), département (2: digits, `2A`,
//! `2B`), commune (3), order (3), key (2). Overseas départements (97x/98x with a 2-digit
//! commune) need no special case: the 5 characters together are digits.

use thiserror::Error;

/// Why a value is not a NIR.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NirError {
    /// Not 15 characters.
    #[error("a NIR has 15 characters, found {0}")]
    Length(usize),
    /// A character other than a digit (or `2A`/`2B` in the département).
    #[error("a NIR has digits only, except 2A or 2B for the département")]
    NotDigits,
    /// First digit not 1, 2 (definitive) or 7, 8 (provisional).
    #[error("sex digit {0} is not 1, 2, 7 or 8")]
    Sex(char),
    /// Month not 01–12, 20–30 or 50.
    #[error("month {0} is not 01-12, 20-30 or 50")]
    Month(String),
    /// Key not `97 - (first 13 digits mod 97)`.
    #[error("key {found} does not match the number (expected {expected:02})")]
    Key {
        /// The last two characters.
        found: String,
        /// The key computed from the first 13 digits.
        expected: u64,
    },
}

/// Checks a NIR: 15 characters, sex 1/2/7/8, month 01–12, 20–30 or 50 (incomplete civil
/// status), key = 97 − (13-digit number mod 97) with Corsica `2A` → 19 and `2B` → 18 for
/// the computation. Returns the first rule broken.
pub fn check_nir(value: &str) -> Result<(), NirError> {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() != 15 {
        return Err(NirError::Length(chars.len()));
    }
    if !value.is_ascii() {
        return Err(NirError::NotDigits);
    }
    let body: String = match &value[5..7] {
        "2A" | "2a" => format!("{}19{}", &value[..5], &value[7..13]),
        "2B" | "2b" => format!("{}18{}", &value[..5], &value[7..13]),
        _ => value[..13].to_owned(),
    };
    if !body
        .bytes()
        .chain(value[13..].bytes())
        .all(|b| b.is_ascii_digit())
    {
        return Err(NirError::NotDigits);
    }
    if !matches!(chars[0], '1' | '2' | '7' | '8') {
        return Err(NirError::Sex(chars[0]));
    }
    let month: u32 = value[3..5].parse().unwrap_or(0);
    if !matches!(month, 1..=12 | 20..=30 | 50) {
        return Err(NirError::Month(value[3..5].to_owned()));
    }
    let number: u64 = body.parse().map_err(|_| NirError::NotDigits)?;
    let expected = 97 - number % 97;
    if value[13..].parse::<u64>().ok() != Some(expected) {
        return Err(NirError::Key {
            found: value[13..].to_owned(),
            expected,
        });
    }
    Ok(())
}

/// The key of a 13-character NIR body (Corsica substituted); `None` when it is not a body.
pub fn nir_key(body: &str) -> Option<u64> {
    let body = match body.get(5..7)? {
        "2A" | "2a" => format!("{}19{}", &body[..5], body.get(7..)?),
        "2B" | "2b" => format!("{}18{}", &body[..5], body.get(7..)?),
        _ => body.to_owned(),
    };
    (body.len() == 13 && body.bytes().all(|b| b.is_ascii_digit()))
        .then(|| 97 - body.parse::<u64>().unwrap_or(0) % 97)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_numbers_including_corsica() {
        // 1 85 05 78 006 084, key 97 - (1850578006084 mod 97) = 91
        assert_eq!(nir_key("1850578006084"), Some(91));
        assert_eq!(check_nir("185057800608491"), Ok(()));
        for body in [
            "2690299341732",
            "185052A123456",
            "185052B123456",
            "7912012345678",
            "1855097123456",
        ] {
            let key = nir_key(body).unwrap();
            assert_eq!(check_nir(&format!("{body}{key:02}")), Ok(()), "{body}");
        }
    }

    #[test]
    fn corsica_uses_19_and_18_for_the_key() {
        assert_eq!(nir_key("185052A123456"), nir_key("1850519123456"));
        assert_eq!(nir_key("185052B123456"), nir_key("1850518123456"));
        assert_ne!(nir_key("185052A123456"), nir_key("185052B123456"));
    }

    #[test]
    fn rejects_each_broken_rule() {
        assert_eq!(check_nir("18505780060849"), Err(NirError::Length(14)));
        assert_eq!(check_nir("18505780060849A"), Err(NirError::NotDigits));
        assert_eq!(check_nir("185052C12345601"), Err(NirError::NotDigits));
        let body = "3850578006084";
        let key = nir_key(body).unwrap();
        assert_eq!(
            check_nir(&format!("{body}{key:02}")),
            Err(NirError::Sex('3'))
        );
        let body = "1851378006084";
        let key = nir_key(body).unwrap();
        assert_eq!(
            check_nir(&format!("{body}{key:02}")),
            Err(NirError::Month("13".into()))
        );
        assert_eq!(
            check_nir("185057800608490"),
            Err(NirError::Key {
                found: "90".into(),
                expected: 91
            })
        );
    }

    #[test]
    fn never_panics_on_multibyte_text() {
        assert!(check_nir("éééééééééééééé").is_err());
        assert!(check_nir("12345é789012345").is_err());
        assert_eq!(nir_key("é"), None);
    }
}
