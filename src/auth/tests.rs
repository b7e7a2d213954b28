//! Token tests: mint → verify round trips, rejections, RS256 via JWKS, key persistence.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use super::test_rsa_key::{RSA_E, RSA_N, RSA_PKCS1_DER_B64};
use super::*;

pub(super) fn keys() -> (tempfile::TempDir, DevKeys) {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = DevKeys::load_or_create(&dir.path().join("keys")).expect("dev keys");
    (dir, keys)
}

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

pub(super) fn base_claims(kind: RequesterKind, sub: &str) -> Claims {
    Claims::dev(kind, sub, "user/*.cruds", 600)
}

/// Signs arbitrary JSON claims with the dev key.
fn sign_value(keys: &DevKeys, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(keys.kid().to_owned());
    encode(&header, claims, &keys.encoding).expect("sign")
}

pub(super) fn valid_value() -> Value {
    json!({"iss": DEV_ISSUER, "sub": "s", "aud": DEV_AUDIENCE, "exp": now() + 600, "iat": now(),
           "requester_kind": "admin", "scope": "system/*.cruds"})
}

#[test]
fn round_trip_each_requester_kind() {
    let (_dir, keys) = keys();
    let verifier = keys.verifier();
    let mut pro = base_claims(RequesterKind::Professional, "810002909371");
    pro.idnps = Some("810002909371".into());
    pro.profession = Some("10".into());
    pro.specialty = Some("SM26".into());
    pro.organization = Some("org-1".into());
    pro.access_mode = Some(Mode::BreakGlass);
    let mut patient = base_claims(RequesterKind::Patient, "p");
    patient.ins = Some(format!("{INS_TEST_SYSTEM}|123456789012345"));
    let mut rep = base_claims(RequesterKind::Representative, "rp-1");
    rep.related_person = Some("rp-1".into());
    let mut system = base_claims(RequesterKind::System, "lab-client");
    system.client_id = Some("lab-client".into());
    let admin = base_claims(RequesterKind::Admin, "alice");
    let expected = [
        Requester::Professional {
            idnps: "810002909371".into(),
            profession: "10".into(),
            specialty: Some("SM26".into()),
            organization: Some("org-1".into()),
            mode: Mode::BreakGlass,
        },
        Requester::Patient {
            ins_system: INS_TEST_SYSTEM.into(),
            ins_value: "123456789012345".into(),
        },
        Requester::Representative {
            related_person: "rp-1".into(),
        },
        Requester::System {
            client_id: "lab-client".into(),
        },
        Requester::Administrator {
            operator: "alice".into(),
        },
    ];
    for (claims, expected) in [pro, patient, rep, system, admin].into_iter().zip(expected) {
        let token = keys.mint(&claims).expect("mint");
        let decoded = verifier.verify(&token).expect("verify");
        assert_eq!(decoded, claims);
        assert_eq!(decoded.requester().expect("requester"), expected);
        assert_eq!(decoded.scopes().expect("scopes").len(), 1);
    }
}

#[test]
fn expiry_and_not_before() {
    let (_dir, keys) = keys();
    let verifier = keys.verifier();
    let mut claims = base_claims(RequesterKind::Admin, "alice");
    claims.exp = now() - 120;
    let token = keys.mint(&claims).expect("mint");
    assert!(matches!(verifier.verify(&token), Err(AuthError::Expired)));
    claims.exp = now() - 30; // within the 60 s leeway
    assert!(verifier.verify(&keys.mint(&claims).expect("mint")).is_ok());
    claims.exp = now() + 600;
    claims.nbf = Some(now() + 300);
    let err = verifier.verify(&keys.mint(&claims).expect("mint"));
    assert!(matches!(err, Err(AuthError::NotYetValid)));
    claims.nbf = Some(now() + 30);
    assert!(verifier.verify(&keys.mint(&claims).expect("mint")).is_ok());
    let mut no_exp = valid_value();
    no_exp.as_object_mut().map(|o| o.remove("exp"));
    let err = verifier
        .verify(&sign_value(&keys, &no_exp))
        .expect_err("no exp");
    assert_eq!(err.http_status(), 401);
}

#[test]
fn issuer_and_audience() {
    let (_dir, keys) = keys();
    let verifier = keys.verifier();
    let mut claims = base_claims(RequesterKind::Admin, "alice");
    claims.aud = vec!["other".into()];
    assert!(matches!(
        verifier.verify(&keys.mint(&claims).expect("mint")),
        Err(AuthError::WrongAudience)
    ));
    claims.aud = vec!["other".into(), DEV_AUDIENCE.into()];
    assert!(verifier.verify(&keys.mint(&claims).expect("mint")).is_ok());
    claims.iss = "someone-else".into();
    assert!(matches!(
        verifier.verify(&keys.mint(&claims).expect("mint")),
        Err(AuthError::WrongIssuer)
    ));
    let mut no_aud = valid_value();
    no_aud.as_object_mut().map(|o| o.remove("aud"));
    assert!(verifier.verify(&sign_value(&keys, &no_aud)).is_err());
}

#[test]
fn tampering_is_detected() {
    let (_dir, keys) = keys();
    let verifier = keys.verifier();
    let token = keys
        .mint(&base_claims(RequesterKind::Admin, "alice"))
        .expect("mint");
    let (rest, sig) = token.rsplit_once('.').expect("three parts");
    let mut sig_bytes = URL_SAFE_NO_PAD.decode(sig).expect("b64");
    sig_bytes[10] ^= 1;
    let bad = format!("{rest}.{}", URL_SAFE_NO_PAD.encode(&sig_bytes));
    assert!(matches!(
        verifier.verify(&bad),
        Err(AuthError::BadSignature)
    ));
    let (header, _) = rest.split_once('.').expect("parts");
    let mut forged = valid_value();
    forged["sub"] = json!("mallory");
    let payload = URL_SAFE_NO_PAD.encode(forged.to_string());
    let bad = format!("{header}.{payload}.{sig}");
    assert!(matches!(
        verifier.verify(&bad),
        Err(AuthError::BadSignature)
    ));
    for garbage in ["", "abc", "a.b", "a.b.c", "....", "%%%.e30.x"] {
        let err = verifier.verify(garbage).expect_err(garbage);
        assert_eq!(err.http_status(), 401, "{garbage}");
    }
    // Messages never echo the token.
    assert!(!AuthError::BadSignature.to_string().contains(&token));
}

#[test]
fn none_and_hmac_are_rejected() {
    let (_dir, keys) = keys();
    let verifier = keys.verifier();
    let payload = URL_SAFE_NO_PAD.encode(valid_value().to_string());
    let none_header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"none","kid":"{}"}}"#, keys.kid()));
    for token in [
        format!("{none_header}.{payload}."),
        format!("{none_header}.{payload}.c2ln"),
    ] {
        assert!(matches!(
            verifier.verify(&token),
            Err(AuthError::Algorithm(_))
        ));
    }
    // HS256 keyed with the public JWKS (algorithm confusion).
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(keys.kid().to_owned());
    let secret = EncodingKey::from_secret(keys.jwks_json().as_bytes());
    let hs = encode(&header, &valid_value(), &secret).expect("hs256");
    assert!(matches!(verifier.verify(&hs), Err(AuthError::Algorithm(_))));
    let no_alg = URL_SAFE_NO_PAD.encode(r#"{"typ":"JWT"}"#);
    assert!(matches!(
        verifier.verify(&format!("{no_alg}.{payload}.c2ln")),
        Err(AuthError::Algorithm(_))
    ));
}

fn rsa_jwks(keys: &DevKeys) -> Vec<u8> {
    let mut jwks: Value = serde_json::from_str(keys.jwks_json()).expect("jwks");
    let rsa = json!({"kty": "RSA", "n": RSA_N, "e": RSA_E, "kid": "rsa-1", "use": "sig"});
    jwks["keys"].as_array_mut().expect("keys").push(rsa);
    jwks["keys"]
        .as_array_mut()
        .expect("keys")
        .push(json!({"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"}));
    jwks.to_string().into_bytes()
}

#[test]
fn rs256_with_rsa_jwks() {
    let (_dir, keys) = keys();
    let verifier =
        Verifier::from_jwks(&rsa_jwks(&keys), DEV_ISSUER, DEV_AUDIENCE).expect("verifier");
    let der = STANDARD.decode(RSA_PKCS1_DER_B64).expect("der");
    let rsa_key = EncodingKey::from_rsa_der(&der);
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("rsa-1".into());
    let token = encode(&header, &valid_value(), &rsa_key).expect("rs256");
    let claims = verifier.verify(&token).expect("rs256 verifies");
    assert_eq!(claims.requester_kind, RequesterKind::Admin);
    // The EC key still works in the same set.
    assert!(
        verifier
            .verify(
                &keys
                    .mint(&base_claims(RequesterKind::Admin, "a"))
                    .expect("mint")
            )
            .is_ok()
    );
    // RS256 token naming the EC key: alg does not match the JWK.
    header.kid = Some(keys.kid().to_owned());
    let mismatched = encode(&header, &valid_value(), &rsa_key).expect("rs256");
    assert!(matches!(
        verifier.verify(&mismatched),
        Err(AuthError::Algorithm(_))
    ));
    // The oct key was skipped: an HS256 token naming it has no key.
    let mut hs = Header::new(Algorithm::HS256);
    hs.kid = Some("hmac".into());
    let token = encode(&hs, &valid_value(), &EncodingKey::from_secret(b"secret")).expect("hs");
    assert!(matches!(
        verifier.verify(&token),
        Err(AuthError::Algorithm(_))
    ));
    // Several keys and no kid: ambiguous.
    let token = encode(&Header::new(Algorithm::RS256), &valid_value(), &rsa_key).expect("rs256");
    assert!(matches!(
        verifier.verify(&token),
        Err(AuthError::UnknownKid)
    ));
}

#[test]
fn invalid_carnet_claims() {
    let (_dir, keys) = keys();
    let verifier = keys.verifier();
    let cases = [
        json!({"requester_kind": "professional", "profession": "10"}),
        json!({"requester_kind": "professional", "idnps": "81000", "profession": "1000"}),
        json!({"requester_kind": "professional", "idnps": "8-1", "profession": "10"}),
        json!({"requester_kind": "patient", "ins": "123456789012345"}),
        json!({"requester_kind": "patient", "ins": "http://x|123", }),
        json!({"requester_kind": "patient", "ins": "urn:oid:1.2|1", "idnps": "8"}),
        json!({"requester_kind": "representative", "related_person": "a b"}),
        json!({"requester_kind": "system", "client_id": "other"}),
        json!({"requester_kind": "admin", "client_id": "s"}),
    ];
    for case in cases {
        let mut value = valid_value();
        for (k, v) in case.as_object().expect("object") {
            value[k] = v.clone();
        }
        let claims = verifier
            .verify(&sign_value(&keys, &value))
            .expect("signature ok");
        let err = claims.requester().expect_err(&case.to_string());
        assert!(matches!(err, AuthError::InvalidClaims(_)), "{case}");
    }
    let mut unknown_kind = valid_value();
    unknown_kind["requester_kind"] = json!("robot");
    assert!(matches!(
        verifier.verify(&sign_value(&keys, &unknown_kind)),
        Err(AuthError::InvalidClaims(_))
    ));
    let mut bad_mode = valid_value();
    bad_mode["access_mode"] = json!("panic");
    assert!(verifier.verify(&sign_value(&keys, &bad_mode)).is_err());
}
