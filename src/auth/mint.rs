//! Minting development tokens, and the `carnet token` command.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, Header, encode};

use super::checks::{check_idnps, check_profession};
use super::claims::{Claims, INS_TEST_SYSTEM, Mode, RequesterKind};
use super::error::AuthError;
use super::keys::{DEV_AUDIENCE, DEV_ISSUER, DevKeys};

/// `sub` of tokens minted with `carnet token --admin`.
pub const DEV_ADMIN_OPERATOR: &str = "dev-admin";

impl DevKeys {
    /// Signs `claims` with the development key (ES256, `kid` in the header). The claims are
    /// signed as given: callers wanting a valid token set `iss`/`aud` to `carnet-dev`/`carnet`.
    pub fn mint(&self, claims: &Claims) -> Result<String, AuthError> {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        encode(&header, claims, &self.encoding).map_err(|e| AuthError::Signing(e.to_string()))
    }
}

impl Claims {
    /// Claims of a development token for `kind` (issuer `carnet-dev`, audience `carnet`),
    /// issued now and valid for `lifetime` seconds; Carnet-specific claims are left empty.
    pub fn dev(kind: RequesterKind, sub: &str, scope: &str, lifetime: u64) -> Claims {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        Claims {
            iss: DEV_ISSUER.to_owned(),
            sub: sub.to_owned(),
            aud: vec![DEV_AUDIENCE.to_owned()],
            exp: now.saturating_add(lifetime),
            iat: now,
            nbf: None,
            scope: scope.to_owned(),
            requester_kind: kind,
            idnps: None,
            profession: None,
            specialty: None,
            organization: None,
            access_mode: None,
            ins: None,
            related_person: None,
            client_id: None,
        }
    }
}

/// The requester options other than `--professional`.
const OTHER_REQUESTERS: [&str; 4] = ["patient", "representative", "system", "admin"];

/// Mint a development token signed by the keys in --dev-keys (`carnet token`).
#[derive(Debug, Clone, clap::Args)]
#[command(group(
    clap::ArgGroup::new("requester")
        .required(true)
        .multiple(false)
        .args(["professional", "patient", "representative", "system", "admin"])
))]
pub struct TokenArgs {
    /// Directory of the development keys (created on first use).
    #[arg(long, value_name = "DIR")]
    pub dev_keys: PathBuf,
    /// A health professional, by IDNPS.
    #[arg(long, value_name = "IDNPS", requires = "profession")]
    pub professional: Option<String>,
    /// TRE_G15 profession code of the professional.
    #[arg(long, value_name = "G15CODE", requires = "professional", conflicts_with_all = OTHER_REQUESTERS)]
    pub profession: Option<String>,
    /// TRE_R38 specialty code of the professional.
    #[arg(long, value_name = "R38CODE", requires = "professional", conflicts_with_all = OTHER_REQUESTERS)]
    pub specialty: Option<String>,
    /// Organization the professional acts for.
    #[arg(long, value_name = "ID", requires = "professional", conflicts_with_all = OTHER_REQUESTERS)]
    pub organization: Option<String>,
    /// Access mode of the professional (default normal).
    #[arg(long, value_name = "MODE", requires = "professional", conflicts_with_all = OTHER_REQUESTERS,
          value_parser = ["normal", "bris-de-glace", "regulation"])]
    pub mode: Option<String>,
    /// The patient, by INS (`system|value`, or a bare 15-digit test INS).
    #[arg(long, value_name = "INS")]
    pub patient: Option<String>,
    /// A representative, by RelatedPerson logical id.
    #[arg(long, value_name = "RELATEDPERSON_ID")]
    pub representative: Option<String>,
    /// A backend service, by client id (requires --scope).
    #[arg(long, value_name = "CLIENT_ID", requires = "scope")]
    pub system: Option<String>,
    /// A Carnet operator.
    #[arg(long)]
    pub admin: bool,
    /// SMART scope (repeatable; each may hold several space-separated scopes).
    #[arg(long = "scope", value_name = "S")]
    pub scope: Vec<String>,
    /// Token lifetime in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 3600,
          value_parser = clap::value_parser!(u64).range(1..=31_622_400))]
    pub lifetime: u64,
}

impl TokenArgs {
    /// Parses `carnet token` arguments given without the program name (a persona file, a test).
    /// Fails with [`AuthError::InvalidArgument`] carrying clap's message.
    pub fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Self, AuthError> {
        use clap::Parser;
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            args: TokenArgs,
        }
        let argv = std::iter::once("carnet-token".to_owned()).chain(args);
        Cli::try_parse_from(argv)
            .map(|c| c.args)
            .map_err(|e| AuthError::InvalidArgument(e.to_string()))
    }

    /// The claims these arguments describe (validated as a verifier would).
    pub fn claims(&self) -> Result<Claims, AuthError> {
        let arg = |msg: String| AuthError::InvalidArgument(msg);
        let scope = |default: &str| {
            let given = self.scope.join(" ");
            if given.trim().is_empty() {
                default.to_owned()
            } else {
                given
            }
        };
        let professional_only = self.profession.is_some()
            || self.specialty.is_some()
            || self.organization.is_some()
            || self.mode.is_some();
        if professional_only && self.professional.is_none() {
            return Err(arg(
                "--profession, --specialty, --organization and --mode need --professional".into(),
            ));
        }
        let mut claims = if let Some(idnps) = &self.professional {
            check_idnps(idnps).map_err(|m| arg(format!("--professional: {m}")))?;
            let profession = self.profession.as_deref().unwrap_or_default();
            check_profession(profession).map_err(|m| arg(format!("--profession: {m}")))?;
            let mut c = Claims::dev(
                RequesterKind::Professional,
                idnps,
                &scope("user/*.cruds"),
                self.lifetime,
            );
            c.idnps = Some(idnps.clone());
            c.profession = Some(profession.to_owned());
            c.specialty = self.specialty.clone();
            c.organization = self.organization.clone();
            c.access_mode = Some(
                self.mode
                    .as_deref()
                    .and_then(Mode::parse)
                    .unwrap_or_default(),
            );
            c
        } else if let Some(ins) = &self.patient {
            let ins = match ins.split_once('|') {
                Some(_) => ins.clone(),
                None if ins.len() == 15 && ins.bytes().all(|b| b.is_ascii_digit()) => {
                    format!("{INS_TEST_SYSTEM}|{ins}")
                }
                None => {
                    return Err(arg(
                        "--patient: expected system|value or a 15-digit INS".into()
                    ));
                }
            };
            let value = ins.rsplit('|').next().unwrap_or_default();
            let mut c = Claims::dev(
                RequesterKind::Patient,
                value,
                &scope("patient/*.cruds"),
                self.lifetime,
            );
            c.ins = Some(ins);
            c
        } else if let Some(id) = &self.representative {
            let mut c = Claims::dev(
                RequesterKind::Representative,
                id,
                &scope("patient/*.cruds"),
                self.lifetime,
            );
            c.related_person = Some(id.clone());
            c
        } else if let Some(client_id) = &self.system {
            let mut c = Claims::dev(RequesterKind::System, client_id, &scope(""), self.lifetime);
            c.client_id = Some(client_id.clone());
            c
        } else if self.admin {
            Claims::dev(
                RequesterKind::Admin,
                DEV_ADMIN_OPERATOR,
                &scope("system/*.cruds"),
                self.lifetime,
            )
        } else {
            return Err(arg(
                "one of --professional, --patient, --representative, --system, --admin is required"
                    .into(),
            ));
        };
        if claims.requester_kind == RequesterKind::System && claims.scope.trim().is_empty() {
            return Err(arg("--system requires at least one --scope".into()));
        }
        claims.requester().map_err(|e| arg(e.to_string()))?;
        claims.scopes().map_err(|e| arg(e.to_string()))?;
        claims.scope = claims
            .scope
            .split_ascii_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        Ok(claims)
    }
}

/// Runs `carnet token`: loads or creates the dev keys and returns the signed token (the caller
/// prints it alone on stdout).
pub fn run_token(args: &TokenArgs) -> Result<String, AuthError> {
    let claims = args.claims()?;
    DevKeys::load_or_create(&args.dev_keys)?.mint(&claims)
}
