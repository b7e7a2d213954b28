//! Who asks, resolved against the store: the bearer token's requester becomes a consent
//! [`Actor`] and the [`AccessScope`] every read path applies; SMART scopes are checked per
//! interaction ([`authorize`]).

use serde_json::Value;

use super::{Context, Interaction};
use crate::auth::{self, Op, SmartScope};
use crate::consent::{
    AccessMode, AccessScope, Actor, Date, Idnps, Ins, OrgId, ProfessionCode, Professional, Scope,
};
use crate::error::{Error, ErrorKind, Result};
use crate::store::SqlQuery;

/// idNatSt, the default system of a bare organisation identifier in a token.
const ORG_DEFAULT_SYSTEM: &str = "urn:oid:1.2.250.1.71.4.2.2";

/// The authenticated requester of a request.
#[derive(Debug, Clone)]
pub struct Requester {
    /// As the consent engine sees them.
    pub actor: Actor,
    /// Granted SMART scopes (`None`: not scope-limited, the server's own work).
    pub scopes: Option<Vec<SmartScope>>,
    /// The Patient ids of the holder's record (holder and representative), else empty.
    pub patients: Vec<String>,
}

impl Context {
    /// This context for the token's requester: resolves the holder's Patient ids (by INS) or the
    /// representative's patient (by RelatedPerson), and sets the access scope of today.
    ///
    /// Fails with `Unauthorized` when the token's identity is not usable (a malformed IDNPS or
    /// profession, an unknown RelatedPerson).
    pub async fn for_token(&self, who: &auth::Requester, scopes: Vec<SmartScope>) -> Result<Self> {
        let (actor, patients) = self.actor_of(who, &scopes).await?;
        let requester = Requester {
            actor,
            scopes: Some(scopes),
            patients,
        };
        Ok(self.with_requester(requester))
    }

    /// This context for `requester`, with the access scope of today.
    pub fn with_requester(&self, requester: Requester) -> Self {
        let scope = AccessScope::of(&requester.actor, requester.patients.clone(), today());
        let mut ctx = self.with_access(scope);
        ctx.requester = Some(std::sync::Arc::new(requester));
        ctx
    }

    async fn actor_of(
        &self,
        who: &auth::Requester,
        scopes: &[SmartScope],
    ) -> Result<(Actor, Vec<String>)> {
        let bad = |what: &str| {
            Error::new(
                ErrorKind::Unauthorized,
                format!("the token's {what} is not valid"),
            )
        };
        Ok(match who {
            auth::Requester::Professional {
                idnps,
                profession,
                specialty,
                organization,
                mode,
            } => {
                let pro = Professional {
                    idnps: Idnps::parse(idnps).map_err(|_| bad("idnps"))?,
                    profession: ProfessionCode::parse(profession).map_err(|_| bad("profession"))?,
                    specialty: specialty.clone(),
                    organisation: organization.as_deref().map(org_id),
                    mode: match mode {
                        auth::Mode::Normal => AccessMode::Normal,
                        auth::Mode::BreakGlass => AccessMode::BreakGlass,
                        auth::Mode::Regulation => AccessMode::Regulation,
                    },
                };
                (Actor::Professional(pro), Vec::new())
            }
            auth::Requester::Patient {
                ins_system,
                ins_value,
            } => {
                let ins = Ins::parse(ins_system, ins_value).map_err(|_| bad("ins"))?;
                let patients = self.patients_with_ins(ins_system, ins_value).await?;
                (Actor::Patient(ins), patients)
            }
            auth::Requester::Representative { related_person } => {
                self.representative(related_person).await?
            }
            auth::Requester::System { client_id } => (
                Actor::System {
                    client_id: client_id.clone(),
                    scopes: system_scopes(scopes),
                },
                Vec::new(),
            ),
            auth::Requester::Administrator { operator } => (
                Actor::Administrator {
                    operator: operator.clone(),
                },
                Vec::new(),
            ),
        })
    }

    /// The live Patients carrying the identifier `system|value`.
    async fn patients_with_ins(&self, system: &str, value: &str) -> Result<Vec<String>> {
        let mut q = SqlQuery::default();
        let (s, v) = (q.text(system), q.text(value));
        q.sql = format!(
            "SELECT DISTINCT t.res_type, t.res_id FROM idx_token t JOIN resources r \
             ON r.res_type = t.res_type AND r.res_id = t.res_id AND r.deleted = 0 \
             WHERE t.res_type = 'Patient' AND t.param = 'identifier' AND t.system = {s} AND t.code = {v}"
        );
        Ok(self
            .store
            .pairs(&q)
            .await?
            .into_iter()
            .map(|(_, id)| id)
            .collect())
    }

    /// A representative: the RelatedPerson must exist and point at a Patient with an INS.
    async fn representative(&self, related_person: &str) -> Result<(Actor, Vec<String>)> {
        let unknown = || {
            Error::new(
                ErrorKind::Unauthorized,
                "the token's representative is not a known RelatedPerson of a patient",
            )
        };
        let rp = self
            .store
            .current("RelatedPerson", related_person)
            .await?
            .filter(|v| !v.deleted)
            .ok_or_else(unknown)?;
        let rp: Value = super::resource::parse_stored(&rp)?;
        let pid = rp["patient"]["reference"]
            .as_str()
            .and_then(|r| r.rsplit_once("Patient/").map(|(_, id)| id.to_owned()))
            .ok_or_else(unknown)?;
        let patient = self
            .store
            .current("Patient", &pid)
            .await?
            .filter(|v| !v.deleted)
            .ok_or_else(unknown)?;
        let patient: Value = super::resource::parse_stored(&patient)?;
        let ins = patient["identifier"]
            .as_array()
            .into_iter()
            .flatten()
            .find_map(|i| Ins::parse(i["system"].as_str()?, i["value"].as_str()?).ok())
            .ok_or_else(unknown)?;
        Ok((
            Actor::LegalRepresentative {
                related_person: related_person.to_owned(),
                patient: ins,
            },
            vec![pid],
        ))
    }
}

fn org_id(text: &str) -> OrgId {
    match text.split_once('|') {
        Some((system, value)) => OrgId {
            system: system.to_owned(),
            value: value.to_owned(),
        },
        None => OrgId {
            system: ORG_DEFAULT_SYSTEM.to_owned(),
            value: text.to_owned(),
        },
    }
}

/// The consent engine's view of a system client's scopes.
fn system_scopes(scopes: &[SmartScope]) -> Vec<Scope> {
    scopes
        .iter()
        .map(|s| Scope {
            resource: s.resource.clone(),
            read: s.read || s.search,
            write: s.create || s.update,
        })
        .collect()
}

/// Today's date (UTC).
pub fn today() -> Date {
    Date::from(time::OffsetDateTime::now_utc().date())
}

/// Checks the requester's SMART scopes allow `interaction`: `Forbidden` (403) otherwise.
pub fn authorize(ctx: &Context, interaction: &Interaction) -> Result<()> {
    let Some(requester) = &ctx.requester else {
        return Ok(());
    };
    let Some(scopes) = &requester.scopes else {
        return Ok(());
    };
    if matches!(requester.actor, Actor::Administrator { .. }) {
        return Ok(());
    }
    use Interaction as I;
    let needs: Vec<(String, Op)> = match interaction {
        I::Read { ty, .. } | I::VRead { ty, .. } => vec![(ty.to_string(), Op::Read)],
        I::Create { ty, .. } => vec![(ty.to_string(), Op::Create)],
        I::Update { ty, .. } | I::ConditionalUpdate { ty, .. } => {
            vec![(ty.to_string(), Op::Update)]
        }
        I::Patch { ty, .. } | I::ConditionalPatch { ty, .. } => vec![(ty.to_string(), Op::Update)],
        I::Delete { ty, .. } | I::ConditionalDelete { ty, .. } => {
            vec![(ty.to_string(), Op::Delete)]
        }
        I::History { scope, .. } => match scope {
            super::HistoryScope::System => vec![("*".to_owned(), Op::Search)],
            super::HistoryScope::Type(t) | super::HistoryScope::Instance(t, _) => {
                vec![(t.to_string(), Op::Read)]
            }
        },
        I::Search(spec) if spec.types.is_empty() => vec![("*".to_owned(), Op::Search)],
        I::Search(spec) => spec.types.iter().map(|t| (t.clone(), Op::Search)).collect(),
        I::Validate { ty, .. } => vec![(ty.to_string(), Op::Read)],
        I::Reindex { .. } => {
            return Err(Error::new(
                ErrorKind::Forbidden,
                "$reindex is for administrators",
            ));
        }
        I::Capabilities | I::Bundle { .. } => Vec::new(),
    };
    for (ty, op) in needs {
        let granted = if ty == "*" {
            scopes
                .iter()
                .any(|s| s.resource.is_none() && s.allows(op) && s.query.is_none())
        } else {
            auth::permits(scopes, &ty, op)
        };
        if !granted {
            return Err(Error::new(
                ErrorKind::Forbidden,
                format!("the token's scopes do not grant {op:?} on {ty}"),
            ));
        }
    }
    Ok(())
}
