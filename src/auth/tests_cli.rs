//! `carnet token` argument tests.

use clap::Parser;

use super::*;

#[derive(Debug, Parser)]
#[command(name = "token")]
struct Cli {
    #[command(flatten)]
    args: TokenArgs,
}

fn parse(args: &[&str]) -> Result<TokenArgs, clap::Error> {
    let mut argv = vec!["token", "--dev-keys", "/tmp/unused"];
    argv.extend_from_slice(args);
    Cli::try_parse_from(argv).map(|cli| cli.args)
}

fn claims(args: &[&str]) -> Result<Claims, AuthError> {
    parse(args)
        .map_err(|e| AuthError::InvalidArgument(e.to_string()))?
        .claims()
}

#[test]
fn exactly_one_requester() {
    assert!(parse(&[]).is_err());
    assert!(parse(&["--admin", "--patient", "123456789012345"]).is_err());
    assert!(parse(&["--professional", "8100", "--profession", "10", "--admin"]).is_err());
    assert!(
        parse(&[
            "--system",
            "c",
            "--representative",
            "r",
            "--scope",
            "system/*.r"
        ])
        .is_err()
    );
    assert!(parse(&["--admin"]).is_ok());
    assert!(
        Cli::try_parse_from(["token", "--admin"]).is_err(),
        "--dev-keys is required"
    );
}

#[test]
fn professional_arguments() {
    assert!(
        parse(&["--professional", "8100"]).is_err(),
        "--profession required"
    );
    for only_pro in ["--profession", "--specialty", "--organization"] {
        assert!(parse(&["--admin", only_pro, "10"]).is_err(), "{only_pro}");
        assert!(parse(&["--patient", "123456789012345", only_pro, "10"]).is_err());
    }
    assert!(parse(&["--profession", "10"]).is_err());
    assert!(parse(&["--admin", "--mode", "regulation"]).is_err());
    assert!(
        parse(&[
            "--professional",
            "8100",
            "--profession",
            "10",
            "--mode",
            "panic"
        ])
        .is_err()
    );
    let c = claims(&[
        "--professional",
        "810002909371",
        "--profession",
        "10",
        "--specialty",
        "SM26",
        "--organization",
        "org-1",
        "--mode",
        "bris-de-glace",
    ])
    .expect("claims");
    assert_eq!(
        c.requester().expect("requester"),
        Requester::Professional {
            idnps: "810002909371".into(),
            profession: "10".into(),
            specialty: Some("SM26".into()),
            organization: Some("org-1".into()),
            mode: Mode::BreakGlass,
        }
    );
    assert_eq!(c.scope, "user/*.cruds");
    assert_eq!(c.exp - c.iat, 3600);
    for bad in [
        &["--professional", "81-00", "--profession", "10"][..],
        &["--professional", &"8".repeat(31), "--profession", "10"],
        &["--professional", "8100", "--profession", "1000"],
        &["--professional", "8100", "--profession", "ab"],
    ] {
        assert!(
            matches!(claims(bad), Err(AuthError::InvalidArgument(_))),
            "{bad:?}"
        );
    }
}

#[test]
fn patient_representative_system_admin() {
    let c = claims(&["--patient", "123456789012345"]).expect("bare INS");
    assert_eq!(
        c.ins.as_deref(),
        Some("urn:oid:1.2.250.1.213.1.4.10|123456789012345")
    );
    assert_eq!(c.scope, "patient/*.cruds");
    let c = claims(&["--patient", "urn:oid:1.2.250.1.213.1.4.8|1234567890123"]).expect("INS");
    assert!(matches!(c.requester(), Ok(Requester::Patient { .. })));
    assert!(claims(&["--patient", "12345"]).is_err());
    let c = claims(&["--representative", "rp-7", "--scope", "patient/Patient.r"]).expect("rep");
    assert_eq!(c.scope, "patient/Patient.r");
    assert!(
        parse(&["--system", "lab"]).is_err(),
        "--system needs --scope"
    );
    let c = claims(&[
        "--system",
        "lab",
        "--scope",
        "system/Observation.c system/Patient.r",
        "--scope",
        "system/DocumentReference.cruds",
        "--lifetime",
        "60",
    ])
    .expect("system");
    assert_eq!(
        c.requester().expect("req"),
        Requester::System {
            client_id: "lab".into()
        }
    );
    assert_eq!(c.scopes().expect("scopes").len(), 3);
    assert_eq!(c.exp - c.iat, 60);
    assert!(claims(&["--system", "lab", "--scope", " "]).is_err());
    let c = claims(&["--admin"]).expect("admin");
    assert_eq!(c.scope, "system/*.cruds");
    assert_eq!(
        c.requester().expect("req"),
        Requester::Administrator {
            operator: DEV_ADMIN_OPERATOR.into()
        }
    );
    assert!(claims(&["--admin", "--scope", "system/*.nope"]).is_err());
    assert!(parse(&["--admin", "--lifetime", "0"]).is_err());
}

#[test]
fn run_token_mints_a_verifiable_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys_dir = dir.path().join("dev");
    let keys_arg = keys_dir.to_str().expect("utf-8 path");
    let cli = Cli::try_parse_from([
        "token",
        "--dev-keys",
        keys_arg,
        "--professional",
        "810002909371",
        "--profession",
        "10",
    ])
    .expect("parse");
    let token = run_token(&cli.args).expect("token");
    let keys = DevKeys::load_or_create(&keys_dir).expect("keys");
    let claims = keys.verifier().verify(&token).expect("verify");
    assert!(matches!(
        claims.requester(),
        Ok(Requester::Professional {
            mode: Mode::Normal,
            ..
        })
    ));
}
