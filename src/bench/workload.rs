//! What the bench sends: the workload list and the FHIR resources it generates.
//!
//! A workload is one small pure function from a [`Gen`] (random source plus the ids of the
//! loaded population) to one [`Request`]. Adding a workload (e.g. a search once the server has
//! it) is one function and one line in [`WORKLOADS`].

use reqwest::Method;
use serde_json::{Value, json};

use super::rng::Rng;

/// The INS (NIR) identifier system, `urn:oid:1.2.250.1.213.1.4.10`.
pub const INS_SYSTEM: &str = "urn:oid:1.2.250.1.213.1.4.10";

/// Patients per transaction Bundle, for population loading and the `transaction` workload.
pub const BUNDLE_SIZE: usize = 100;

/// LOINC document types of the generated DocumentReferences (DMP families).
pub const DOC_TYPES: [&str; 5] = ["11490-0", "11502-2", "18748-4", "11369-6", "34133-9"];

/// One HTTP request to send, relative to the FHIR base.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// HTTP method.
    pub method: Method,
    /// Path below the FHIR base without a leading slash (`""` is the base itself).
    pub path: String,
    /// JSON body (sent as `application/fhir+json`), if any.
    pub body: Option<String>,
    /// How many resources the request carries or fetches (100 for a transaction of 100).
    pub resources: u32,
    /// Sent with the professional's token (the médecin traitant of every loaded Patient) instead
    /// of the administrator's: the consent engine's predicates are evaluated in full.
    pub professional: bool,
}

/// IDNPS of the médecin traitant the bench gives every Patient.
pub const BENCH_GP_IDNPS: &str = "810000000099";

impl Request {
    fn get(path: String) -> Self {
        Self {
            method: Method::GET,
            path,
            body: None,
            resources: 1,
            professional: false,
        }
    }

    fn with_body(method: Method, path: String, body: &Value, resources: u32) -> Self {
        Self {
            method,
            path,
            body: Some(body.to_string()),
            resources,
            professional: false,
        }
    }
}

/// Per-task generator state: a seeded random source and the loaded Patient ids.
#[derive(Debug)]
pub struct Gen<'a> {
    rng: Rng,
    ids: &'a [String],
}

impl<'a> Gen<'a> {
    /// A generator over `ids` (the population; may be empty, then reads target `missing`).
    pub fn new(ids: &'a [String], seed: u64) -> Self {
        Self {
            rng: Rng::new(seed),
            ids,
        }
    }

    /// A uniformly chosen loaded Patient id.
    pub fn random_id(&mut self) -> &'a str {
        let i = self.rng.below(self.ids.len() as u64) as usize;
        self.ids.get(i).map_or("missing", String::as_str)
    }

    /// A random NIR-shaped INS value (see [`ins_value`]).
    pub fn random_ins(&mut self) -> String {
        ins_value(self.rng.below(INS_SPACE))
    }

    /// A Patient with a random INS, name, gender and birth date; `id` set when given.
    pub fn patient(&mut self, id: Option<&str>) -> Value {
        const FAMILY: [&str; 6] = ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "PETIT"];
        const GIVEN: [&str; 6] = ["Camille", "Louise", "Jules", "Emma", "Louis", "Alice"];
        let ins = self.random_ins();
        let male = ins.starts_with('1');
        let family = FAMILY[self.rng.below(FAMILY.len() as u64) as usize];
        let given = GIVEN[self.rng.below(GIVEN.len() as u64) as usize];
        let day = 1 + self.rng.below(28);
        let mut p = json!({
            "resourceType": "Patient",
            "identifier": [{"use": "official", "system": INS_SYSTEM, "value": ins}],
            "active": true,
            "name": [{"use": "official", "family": family, "given": [given]}],
            "generalPractitioner": [{"identifier": {"system": "urn:oid:1.2.250.1.71.4.2.1", "value": BENCH_GP_IDNPS}}],
            "gender": if male { "male" } else { "female" },
            "birthDate": format!("19{}-{}-{day:02}", &ins[1..3], &ins[3..5]),
        });
        if let Some(id) = id {
            p["id"] = json!(id);
        }
        p
    }

    /// The INS of a loaded Patient (population ids are `ins<INS>`), or a random one.
    pub fn loaded_ins(&mut self) -> String {
        let id = self.random_id();
        id.strip_prefix("ins")
            .map_or_else(|| self.random_ins(), str::to_owned)
    }

    /// A population Bundle: `n` Patients created with `PUT Patient/ins<INS>`, each with `docs`
    /// DocumentReferences (type among [`DOC_TYPES`], dated within 2020–2026, status current).
    pub fn population_transaction(&mut self, n: usize, docs: usize) -> Value {
        let mut entries = Vec::with_capacity(n * (1 + docs));
        for _ in 0..n {
            let mut p = self.patient(None);
            let id = format!("ins{}", p["identifier"][0]["value"].as_str().unwrap_or("0"));
            p["id"] = json!(id);
            entries.push(json!({"resource": p, "request": {"method": "PUT", "url": format!("Patient/{id}")}}));
            for _ in 0..docs {
                entries.push(json!({"resource": self.document(&id), "request": {"method": "POST", "url": "DocumentReference"}}));
            }
        }
        json!({"resourceType": "Bundle", "type": "transaction", "entry": entries})
    }

    /// A random `urn:uuid:` (a transaction entry's fullUrl).
    pub fn urn_uuid(&mut self) -> String {
        let uuid = uuid::Builder::from_random_bytes(self.rng.bytes16()).into_uuid();
        format!("urn:uuid:{uuid}")
    }

    /// A DocumentReference of Patient `id`.
    pub fn document(&mut self, id: &str) -> Value {
        let code = DOC_TYPES[self.rng.below(DOC_TYPES.len() as u64) as usize];
        let (month, day) = (1 + self.rng.below(12), 1 + self.rng.below(28));
        json!({
            "resourceType": "DocumentReference",
            "status": "current",
            "type": {"coding": [{"system": "http://loinc.org", "code": code}]},
            "subject": {"reference": format!("Patient/{id}")},
            "date": format!("202{}-{month:02}-{day:02}T10:00:00+01:00", self.rng.below(7)),
            "content": [{"attachment": {"contentType": "application/pdf", "url": "Binary/none"}}],
        })
    }

    /// A transaction Bundle of `n` new Patients (POST entries with `urn:uuid:` fullUrls).
    pub fn patient_transaction(&mut self, n: usize) -> Value {
        let entries: Vec<Value> = (0..n)
            .map(|_| {
                json!({
                    "fullUrl": self.urn_uuid(),
                    "resource": self.patient(None),
                    "request": {"method": "POST", "url": "Patient"},
                })
            })
            .collect();
        json!({"resourceType": "Bundle", "type": "transaction", "entry": entries})
    }
}

/// A named workload: `make` builds the next request of one closed-loop task.
#[derive(Debug)]
pub struct Workload {
    /// Name used by `--workloads` and in reports.
    pub name: &'static str,
    /// One line saying what it measures.
    pub about: &'static str,
    /// Builds the next request.
    pub make: fn(&mut Gen<'_>) -> Request,
}

/// Every workload, in the default run order: read-only ones first, on the pristine population.
pub const WORKLOADS: &[Workload] = &[
    Workload {
        name: "read",
        about: "GET Patient/<id>",
        make: read,
    },
    Workload {
        name: "vread",
        about: "GET Patient/<id>/_history/1",
        make: vread,
    },
    Workload {
        name: "history-instance",
        about: "GET Patient/<id>/_history",
        make: history,
    },
    Workload {
        name: "search-ins",
        about: "GET Patient?identifier=<INS system>|<INS> (one match)",
        make: search_ins,
    },
    Workload {
        name: "search-docs",
        about: "GET DocumentReference?patient=<id>&status=current&type=…&_sort=-date",
        make: search_docs,
    },
    Workload {
        name: "search-docs-pro",
        about: "search-docs with a professional's token (médecin traitant; consent predicates on)",
        make: search_docs_pro,
    },
    Workload {
        name: "search-docs-chained",
        about: "GET DocumentReference?patient.identifier=<INS system>|<INS>",
        make: search_docs_chained,
    },
    Workload {
        name: "search-include",
        about: "GET DocumentReference?patient=<id>&_include=DocumentReference:subject",
        make: search_include,
    },
    Workload {
        name: "search-family-birthdate",
        about: "GET Patient?family=<name>&birthdate=<year>",
        make: search_family_birthdate,
    },
    Workload {
        name: "search-trail",
        about: "GET AuditEvent?patient=<id>&_count=20 (the record's latest accesses, with the total)",
        make: search_trail,
    },
    Workload {
        name: "create",
        about: "POST Patient (new INS)",
        make: create,
    },
    Workload {
        name: "update",
        about: "PUT Patient/<id> (no If-Match)",
        make: update,
    },
    Workload {
        name: "transaction",
        about: "POST transaction Bundle of 100 new Patients",
        make: transaction,
    },
    Workload {
        name: "provide-1mb",
        about: "ITI-65: POST a SubmissionSet, a DocumentReference and its 1 MB PDF Binary",
        make: provide,
    },
];

/// The workload called `name`, if any.
pub fn find(name: &str) -> Option<&'static Workload> {
    WORKLOADS.iter().find(|w| w.name == name)
}

fn read(g: &mut Gen<'_>) -> Request {
    Request::get(format!("Patient/{}", g.random_id()))
}

fn vread(g: &mut Gen<'_>) -> Request {
    Request::get(format!("Patient/{}/_history/1", g.random_id()))
}

fn history(g: &mut Gen<'_>) -> Request {
    Request::get(format!("Patient/{}/_history", g.random_id()))
}

fn search_ins(g: &mut Gen<'_>) -> Request {
    Request::get(format!(
        "Patient?identifier={INS_SYSTEM}%7C{}",
        g.loaded_ins()
    ))
}

fn search_docs(g: &mut Gen<'_>) -> Request {
    let code = DOC_TYPES[g.rng.below(DOC_TYPES.len() as u64) as usize];
    let id = g.random_id();
    Request::get(format!(
        "DocumentReference?patient={id}&status=current&type=http://loinc.org%7C{code}&_sort=-date"
    ))
}

fn search_docs_pro(g: &mut Gen<'_>) -> Request {
    Request {
        professional: true,
        ..search_docs(g)
    }
}

fn search_trail(g: &mut Gen<'_>) -> Request {
    Request::get(format!("AuditEvent?patient={}&_count=20", g.random_id()))
}

fn search_docs_chained(g: &mut Gen<'_>) -> Request {
    Request::get(format!(
        "DocumentReference?patient.identifier={INS_SYSTEM}%7C{}",
        g.loaded_ins()
    ))
}

fn search_include(g: &mut Gen<'_>) -> Request {
    let id = g.random_id();
    Request::get(format!(
        "DocumentReference?patient={id}&_include=DocumentReference:subject"
    ))
}

fn search_family_birthdate(g: &mut Gen<'_>) -> Request {
    const FAMILY: [&str; 6] = ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "PETIT"];
    let family = FAMILY[g.rng.below(FAMILY.len() as u64) as usize];
    Request::get(format!(
        "Patient?family={family}&birthdate=19{:02}",
        30 + g.rng.below(70)
    ))
}

fn create(g: &mut Gen<'_>) -> Request {
    Request::with_body(Method::POST, "Patient".into(), &g.patient(None), 1)
}

fn update(g: &mut Gen<'_>) -> Request {
    let id = g.random_id();
    Request::with_body(
        Method::PUT,
        format!("Patient/{id}"),
        &g.patient(Some(id)),
        1,
    )
}

fn transaction(g: &mut Gen<'_>) -> Request {
    let bundle = g.patient_transaction(BUNDLE_SIZE);
    Request::with_body(Method::POST, String::new(), &bundle, BUNDLE_SIZE as u32)
}

/// Size of the PDF the `provide-1mb` workload submits.
pub const PROVIDE_BYTES: usize = 1024 * 1024;

/// The `provide-1mb` content, made once: base64 and SHA-1 (base64) of a 1 MB PDF-shaped file.
fn provide_content() -> &'static (String, String) {
    use base64::Engine;
    use sha1::Digest;
    static CONTENT: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
    CONTENT.get_or_init(|| {
        let mut pdf = b"%PDF-1.4\n% compte rendu fictif de 1 Mo\n".to_vec();
        let mut rng = Rng::new(65);
        while pdf.len() < PROVIDE_BYTES - 6 {
            pdf.extend_from_slice(&rng.bytes16());
        }
        pdf.truncate(PROVIDE_BYTES - 6);
        pdf.extend_from_slice(b"%%EOF\n");
        let b64 = base64::engine::general_purpose::STANDARD;
        (b64.encode(&pdf), b64.encode(sha1::Sha1::digest(&pdf)))
    })
}

fn provide(g: &mut Gen<'_>) -> Request {
    let (data, hash) = provide_content();
    let id = g.random_id().to_owned();
    let (set, doc, bin) = (g.urn_uuid(), g.urn_uuid(), g.urn_uuid());
    let mut document = g.document(&id);
    document["content"][0]["attachment"] =
        json!({"contentType": "application/pdf", "url": bin, "size": PROVIDE_BYTES, "hash": hash});
    let bundle = json!({"resourceType": "Bundle", "type": "transaction",
        "meta": {"profile": [crate::interaction::PROVIDE_PROFILES[0]]},
        "entry": [
            {"fullUrl": set, "request": {"method": "POST", "url": "List"}, "resource": {
                "resourceType": "List", "status": "current", "mode": "working",
                "code": {"coding": [{"system": "https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDlistTypes",
                    "code": "submissionset"}]},
                "subject": {"reference": format!("Patient/{id}")},
                "entry": [{"item": {"reference": doc}}]}},
            {"fullUrl": doc, "request": {"method": "POST", "url": "DocumentReference"},
             "resource": document},
            {"fullUrl": bin, "request": {"method": "POST", "url": "Binary"}, "resource": {
                "resourceType": "Binary", "contentType": "application/pdf",
                "securityContext": {"reference": doc}, "data": data}}]});
    Request::with_body(Method::POST, String::new(), &bundle, 3)
}

/// Number of distinct values [`ins_value`] maps to (then it wraps around).
pub const INS_SPACE: u64 = 2 * 100 * 12 * 94 * 990 * 999;

/// The NIR-shaped 15-digit INS for `n` (`n % INS_SPACE` values are distinct): sex 1|2, year,
/// month 01–12, département 01–95 except 20, commune 001–990, order 001–999, then the key
/// `97 - (first 13 digits mod 97)`. Made-up test values, not real people.
pub fn ins_value(n: u64) -> String {
    let mut n = n % INS_SPACE;
    let mut take = |m: u64| {
        let d = n % m;
        n /= m;
        d
    };
    let order = take(999) + 1;
    let commune = take(990) + 1;
    let dept = take(94) + 1;
    let dept = if dept >= 20 { dept + 1 } else { dept };
    let month = take(12) + 1;
    let year = take(100);
    let sex = take(2) + 1;
    let body = format!("{sex}{year:02}{month:02}{dept:02}{commune:03}{order:03}");
    let key = 97 - body.parse::<u64>().map_or(0, |v| v % 97);
    format!("{body}{key:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_ok(ins: &str) -> bool {
        let body: u64 = ins[..13].parse().unwrap();
        let key: u64 = ins[13..].parse().unwrap();
        key == 97 - body % 97
    }

    #[test]
    fn ins_values_are_15_digit_nirs_with_valid_keys() {
        let mut g = Gen::new(&[], 3);
        for n in [0, 1, INS_SPACE - 1, INS_SPACE, u64::MAX] {
            let v = ins_value(n);
            assert_eq!(v.len(), 15, "{v}");
            assert!(key_ok(&v), "{v}");
        }
        for _ in 0..1000 {
            let v = g.random_ins();
            assert!(v.bytes().all(|b| b.is_ascii_digit()) && v.len() == 15 && key_ok(&v));
            let month: u32 = v[3..5].parse().unwrap();
            assert!((1..=12).contains(&month) && &v[5..7] != "20" && &v[5..7] != "00");
        }
        assert_ne!(ins_value(0), ins_value(1));
        assert_eq!(ins_value(5), ins_value(5 + INS_SPACE));
    }

    #[test]
    fn reads_target_loaded_ids() {
        let ids = vec!["a".to_string(), "b".to_string()];
        let mut g = Gen::new(&ids, 1);
        for name in ["read", "vread", "history-instance"] {
            let r = (find(name).unwrap().make)(&mut g);
            assert_eq!(r.method, Method::GET);
            assert!(
                r.path == "Patient/a"
                    || r.path.starts_with("Patient/a/")
                    || r.path == "Patient/b"
                    || r.path.starts_with("Patient/b/"),
                "{}",
                r.path
            );
            assert!(r.body.is_none());
        }
        assert_eq!(Gen::new(&[], 1).random_id(), "missing");
    }

    #[test]
    fn a_provide_bundle_carries_a_1_mb_pdf_with_its_size_and_hash() {
        use base64::Engine;
        use sha1::Digest;
        let ids = vec!["p1".to_string()];
        let r = (find("provide-1mb").unwrap().make)(&mut Gen::new(&ids, 3));
        let b: Value = serde_json::from_str(r.body.as_deref().unwrap()).unwrap();
        let data = b["entry"][2]["resource"]["data"].as_str().unwrap();
        let pdf = base64::engine::general_purpose::STANDARD
            .decode(data)
            .unwrap();
        assert_eq!(pdf.len(), PROVIDE_BYTES);
        let att = &b["entry"][1]["resource"]["content"][0]["attachment"];
        assert_eq!(att["size"], PROVIDE_BYTES);
        let hash = base64::engine::general_purpose::STANDARD.encode(sha1::Sha1::digest(&pdf));
        assert_eq!(att["hash"], hash);
        assert_eq!(att["url"], b["entry"][2]["fullUrl"]);
        assert_eq!(
            b["entry"][0]["resource"]["entry"][0]["item"]["reference"],
            b["entry"][1]["fullUrl"]
        );
    }

    #[test]
    fn writes_carry_valid_patients() {
        let ids = vec!["p1".to_string()];
        let mut g = Gen::new(&ids, 2);
        let u = (find("update").unwrap().make)(&mut g);
        assert_eq!(
            (u.method.clone(), u.path.as_str()),
            (Method::PUT, "Patient/p1")
        );
        let body: Value = serde_json::from_str(u.body.as_deref().unwrap()).unwrap();
        assert_eq!(body["id"], "p1");
        assert_eq!(body["identifier"][0]["system"], INS_SYSTEM);
        let c = (find("create").unwrap().make)(&mut g);
        let body: Value = serde_json::from_str(c.body.as_deref().unwrap()).unwrap();
        assert!(body.get("id").is_none());
        assert_eq!(body["birthDate"].as_str().unwrap().len(), 10);
    }

    #[test]
    fn transaction_has_100_distinct_posts() {
        let mut g = Gen::new(&[], 9);
        let t = (find("transaction").unwrap().make)(&mut g);
        assert_eq!(
            (t.method.clone(), t.path.as_str(), t.resources),
            (Method::POST, "", 100)
        );
        let b: Value = serde_json::from_str(t.body.as_deref().unwrap()).unwrap();
        let entries = b["entry"].as_array().unwrap();
        assert_eq!(entries.len(), BUNDLE_SIZE);
        let urls: std::collections::HashSet<_> = entries
            .iter()
            .map(|e| e["fullUrl"].as_str().unwrap())
            .collect();
        assert_eq!(urls.len(), BUNDLE_SIZE);
        assert!(entries.iter().all(|e| e["request"]["method"] == "POST"));
    }

    #[test]
    fn workload_names_are_unique() {
        let names: std::collections::HashSet<_> = WORKLOADS.iter().map(|w| w.name).collect();
        assert_eq!(names.len(), WORKLOADS.len());
        assert!(find("nope").is_none());
    }
}
