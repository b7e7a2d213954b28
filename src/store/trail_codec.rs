//! How the trail stores an AuditEvent's JSON: every event of this server is written by one
//! serializer (`audit::event`) and repeats the same long strings (its profile, code systems,
//! the source, the keys around each value) and, four times, the same instant. Each of those
//! strings is stored as one byte below 0x20, which compact JSON text never holds raw (control
//! characters inside strings are escaped), and the instant after `lastUpdated` as one byte where
//! it comes again: an event of ~1 KB takes ~150 bytes, in the journal, the table and the WAL.
//!
//! Packed content starts with [`MARK`] (JSON text never does); anything else is stored and read
//! back as it is, so events of earlier versions (plain JSON) read unchanged.

/// First byte of packed content.
const MARK: u8 = 0x00;

/// The strings, as bytes `0x01..`: the position in this list, plus one.
const WORDS: [&str; 29] = [
    r#"{"resourceType":"AuditEvent","id":""#,
    r#"","meta":{"profile":["https://carnet.example.org/fhir/StructureDefinition/dmp-auditevent"],"versionId":"1","lastUpdated":""#,
    r#""},"type":{"system":"http://terminology.hl7.org/CodeSystem/audit-event-type","code":"rest"},"subtype":[{"system":"http://hl7.org/fhir/restful-interaction","code":""#,
    r#""}],"action":""#,
    r#"","period":{"start":""#,
    r#"","end":""#,
    r#""},"recorded":""#,
    r#"","outcome":""#,
    r#"","outcomeDesc":"HTTP "#,
    r#"","agent":[{"who":{""#,
    r#"display":""#,
    r#"identifier":{"system":""#,
    r#"","value":""#,
    r#"reference":""#,
    r#"},"requestor":true,"role":[{"text":""#,
    r#","source":{"observer":{"display":"Carnet"},"type":[{"system":"http://terminology.hl7.org/CodeSystem/security-source-type","code":"4"}]}"#,
    r#""}]}]"#,
    r#","entity":[{"what":{"reference":"Patient/"#,
    r#""},"type":{"system":"http://terminology.hl7.org/CodeSystem/audit-entity-type","code":"1"},"role":{"system":"http://terminology.hl7.org/CodeSystem/object-role","code":"1"}}"#,
    r#",{"what":{"reference":"Patient/"#,
    r#",{"what":{"reference":""#,
    r#","entity":[{"what":{"reference":""#,
    r#""}}"#,
    r#""}],"purposeOfUse":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActReason","code":""#,
    r#","purposeOfEvent":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActReason","code":"BTG"}]}]"#,
    "urn:oid:1.2.250.1.71.4.2.1",
    "urn:oid:1.2.250.1.213.1.4.",
    r#""}],"text":""#,
    "DocumentReference/",
];

/// Stands for the instant written after `lastUpdated` (the bytes of [`INSTANT`] after word 2).
const AGAIN: u8 = 0x1e;
/// Length of an instant as the serializer writes it (`2026-12-01T10:00:00.000Z`).
const INSTANT: usize = 24;
/// The word after which the instant comes.
const LAST_UPDATED: u8 = 2;

/// `json` packed (see the module documentation).
pub fn pack(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len() / 4 + 16);
    out.push(MARK);
    // The instant, once written in full.
    let mut instant: Option<(&[u8], usize)> = None;
    let mut i = 0;
    while i < json.len() {
        let rest = &json[i..];
        if let Some((t, end)) = instant
            && i >= end
            && rest.first() == t.first()
            && rest.starts_with(t)
        {
            out.push(AGAIN);
            i += t.len();
            continue;
        }
        match longest_word(rest) {
            Some(w) => {
                out.push(w);
                i += WORDS[usize::from(w - 1)].len();
                if w == LAST_UPDATED && instant.is_none() {
                    instant = json.get(i..i + INSTANT).map(|t| (t, i + INSTANT));
                }
            }
            None => {
                out.push(rest[0]);
                i += 1;
            }
        }
    }
    out
}

/// The JSON `stored` holds: unpacked if packed, else as it is.
pub fn unpack(stored: Vec<u8>) -> Vec<u8> {
    if stored.first() != Some(&MARK) {
        return stored;
    }
    let mut out: Vec<u8> = Vec::with_capacity(stored.len() * 8);
    let mut instant: Option<std::ops::Range<usize>> = None;
    for &b in &stored[1..] {
        match b {
            AGAIN => match &instant {
                Some(r) if r.end <= out.len() => out.extend_from_within(r.clone()),
                _ => out.push(b),
            },
            1..=0x1d if usize::from(b) <= WORDS.len() => {
                out.extend_from_slice(WORDS[usize::from(b - 1)].as_bytes());
                if b == LAST_UPDATED && instant.is_none() {
                    instant = Some(out.len()..out.len() + INSTANT);
                }
            }
            _ => out.push(b),
        }
    }
    out
}

/// The word `text` starts with (the longest), as its byte.
fn longest_word(text: &[u8]) -> Option<u8> {
    let first = *text.first()?;
    BY_FIRST[usize::from(first)]
        .iter()
        .take_while(|&&w| w != 0)
        .find(|&&w| {
            let word = WORDS[usize::from(w - 1)].as_bytes();
            // The second byte first: most candidates differ there, without a call to memcmp.
            text.get(1) == word.get(1) && text.starts_with(word)
        })
        .copied()
}

/// Most words starting with one byte.
const SAME_START: usize = 16;

/// Per first byte, the words starting with it (as their bytes), longest first, then zeros.
static BY_FIRST: [[u8; SAME_START]; 256] = by_first();

const fn by_first() -> [[u8; SAME_START]; 256] {
    let mut table = [[0u8; SAME_START]; 256];
    let mut first = 0;
    while first < 256 {
        // Insertion by length, longest first (a word that is a prefix of another comes after it).
        let mut n = 0;
        let mut w = 0;
        while w < WORDS.len() {
            let word = WORDS[w].as_bytes();
            if word[0] as usize == first {
                assert!(
                    n < SAME_START,
                    "more words start with one byte than SAME_START"
                );
                let mut at = n;
                while at > 0 && WORDS[table[first][at - 1] as usize - 1].len() < word.len() {
                    table[first][at] = table[first][at - 1];
                    at -= 1;
                }
                table[first][at] = w as u8 + 1;
                n += 1;
            }
            w += 1;
        }
        first += 1;
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENT: &str = r#"{"resourceType":"AuditEvent","id":"01a25035-acb8-75c7-be3a-a0086293bcae","meta":{"profile":["https://carnet.example.org/fhir/StructureDefinition/dmp-auditevent"],"versionId":"1","lastUpdated":"2026-12-07T11:13:44.632Z"},"type":{"system":"http://terminology.hl7.org/CodeSystem/audit-event-type","code":"rest"},"subtype":[{"system":"http://hl7.org/fhir/restful-interaction","code":"read"}],"action":"R","period":{"start":"2026-12-07T11:13:44.632Z","end":"2026-12-07T11:13:44.632Z"},"recorded":"2026-12-07T11:13:44.632Z","outcome":"0","outcomeDesc":"HTTP 200","agent":[{"who":{"display":"dev-admin"},"requestor":true,"role":[{"text":"administrator"}]}],"source":{"observer":{"display":"Carnet"},"type":[{"system":"http://terminology.hl7.org/CodeSystem/security-source-type","code":"4"}]},"entity":[{"what":{"reference":"Patient/ins233086955719315"},"type":{"system":"http://terminology.hl7.org/CodeSystem/audit-entity-type","code":"1"},"role":{"system":"http://terminology.hl7.org/CodeSystem/object-role","code":"1"}}]}"#;

    #[test]
    fn an_event_packs_to_a_seventh_and_back() {
        let packed = pack(EVENT.as_bytes());
        assert!(packed.len() * 6 < EVENT.len(), "{} bytes", packed.len());
        assert_eq!(String::from_utf8(unpack(packed)).unwrap(), EVENT);
    }

    #[test]
    fn plain_json_reads_as_it_is_and_any_json_round_trips() {
        assert_eq!(unpack(EVENT.as_bytes().to_vec()), EVENT.as_bytes());
        for text in [
            "",
            "{}",
            r#"{"a":"\u0001 \u001e","lastUpdated":"x"}"#,
            r#"{"resourceType":"AuditEvent","id":"x","meta":{"profile":["https://carnet.example.org/fhir/StructureDefinition/dmp-auditevent"],"versionId":"1","lastUpdated":"short"}}"#,
            r#"{"resourceType":"AuditEvent","id":"x","meta":{"profile":["https://carnet.example.org/fhir/StructureDefinition/dmp-auditevent"],"versionId":"1","lastUpdated":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}"#,
            "urn:oid:1.2.250.1.71.4.2.1urn:oid:1.2.250.1.213.1.4.DocumentReference/",
        ] {
            assert_eq!(unpack(pack(text.as_bytes())), text.as_bytes(), "{text}");
        }
    }

    #[test]
    fn the_table_finds_the_longest_word_at_every_place() {
        let naive = |text: &[u8]| {
            WORDS
                .iter()
                .enumerate()
                .filter(|(_, w)| text.starts_with(w.as_bytes()))
                .max_by_key(|(_, w)| w.len())
                .and_then(|(i, _)| u8::try_from(i + 1).ok())
        };
        let words: Vec<u8> = WORDS.iter().flat_map(|w| w.bytes()).collect();
        for text in [EVENT.as_bytes(), &words] {
            for i in 0..text.len() {
                assert_eq!(longest_word(&text[i..]), naive(&text[i..]), "at {i}");
            }
        }
    }

    #[test]
    fn words_are_bytes_below_the_instant_mark() {
        assert!(WORDS.len() < usize::from(AGAIN));
        assert_eq!(
            WORDS[usize::from(LAST_UPDATED - 1)].rsplit('"').nth(1),
            Some(":")
        );
    }
}
