//! FHIR interactions, one file each: https://hl7.org/fhir/R4/http.html
//!
//! [`execute`] is the single choke point every request and every Bundle entry goes through: it plans the
//! interaction (reads happen, writes are computed but not applied), then commits the planned writes in one
//! atomic store commit. Consent decisions and the audit trail hook in here, and nowhere else.

mod access;
mod batch;
mod capabilities;
mod conditional;
mod create;
mod delete;
mod demo;
mod facts;
mod history;
mod mhd;
mod patch;
mod permission;
mod provide;
mod read;
mod redact;
mod reindex;
mod requester;
mod resource;
mod route;
mod search;
mod trail;
mod transaction;
mod update;
mod validate_op;
pub mod validation;
mod vread;

use serde_json::Value;

use crate::error::{Error, ErrorKind, Result};
use crate::fhir::{Id, Instant, Issue, ResourceType, VersionId};
use crate::store::{Store, StoreError, WriteOp};

pub use crate::dmp::PROVIDE_PROFILES;
pub use conditional::Criteria;
pub use demo::load_demo;
pub use history::{HistoryParams, HistoryScope};
pub use patch::PatchBody;
pub use requester::{Requester, authorize, today};
pub use route::{RequestParts, interaction as route, query_pairs};
pub use search::SearchSpec;
pub use trail::run;

/// What every interaction needs: the store, the public base URL, the search parameters in force.
#[derive(Clone, Debug)]
pub struct Context {
    /// The database.
    pub store: Store,
    /// Public base URL without a trailing slash, e.g. `http://127.0.0.1:8080/fhir`.
    pub base_url: String,
    /// Search parameters (core, profiles, runtime SearchParameter resources).
    pub search: std::sync::Arc<crate::search::registry::Registry>,
    /// Validation mode and the profiles in force.
    pub validation: std::sync::Arc<validation::Validation>,
    /// What exists for the requester (the server's own work sees everything).
    pub access: std::sync::Arc<crate::consent::AccessScope>,
    /// The authenticated requester (`None`: the server's own work, e.g. loading the demo record).
    pub requester: Option<std::sync::Arc<Requester>>,
    /// Where the access trail goes (`None`: not recorded, `--no-audit`).
    pub audit: Option<crate::audit::AuditSink>,
    /// Planning the entries of a transaction: facts naming resources of the same transaction are
    /// completed once every entry is planned.
    pub in_transaction: bool,
}

/// Settings of a [`Context`] beyond the store and base URL.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--validation`.
    pub validation: validation::Mode,
    /// `--package` FHIR NPM packages (folders or `.tgz`) whose profiles apply, with their dependencies.
    pub packages: Vec<std::path::PathBuf>,
    /// `--no-audit`: requests leave no AuditEvent (to measure the trail's cost only).
    pub no_audit: bool,
    /// `--unknown-profile`: whether a declared profile the server does not know is an error.
    pub unknown_profile: validation::UnknownProfile,
}

impl Context {
    /// A context over `store` with default options (strict validation, no packages).
    pub async fn new(store: Store, base_url: &str) -> Result<Self> {
        Self::open(store, base_url, &Options::default()).await
    }

    /// A context over `store`, loading the SearchParameter and conformance resources it holds.
    pub async fn open(store: Store, base_url: &str, options: &Options) -> Result<Self> {
        let runtime = reindex::runtime_parameters(&store).await?;
        let search = std::sync::Arc::new(crate::search::registry::Registry::new(&runtime)?);
        let mut conformance = Vec::new();
        for ty in validation::CONFORMANCE_TYPES {
            conformance.extend(reindex::all_of_type(&store, ty).await?);
        }
        let validation = validation::Validation::new(options.validation, &conformance);
        validation.set_unknown_profile(options.unknown_profile);
        let loaded = validation.load_packages(&options.packages)?;
        for (package, n) in loaded.packages {
            tracing::info!(%package, resources = n, "package loaded");
        }
        for package in loaded.missing {
            tracing::warn!(%package, "package dependency not found (given or in the package cache)");
        }
        let validation = std::sync::Arc::new(validation);
        let base_url = base_url.trim_end_matches('/').to_owned();
        let audit = (!options.no_audit).then(|| crate::audit::AuditSink::start(store.clone()));
        let ctx = Self {
            store,
            base_url,
            search,
            validation,
            access: std::sync::Arc::new(crate::consent::AccessScope::All),
            requester: None,
            audit,
            in_transaction: false,
        };
        let moved = crate::audit::sink::upgrade(&ctx.store)
            .await
            .map_err(Error::internal)?;
        if moved > 0 {
            tracing::info!(
                moved,
                "AuditEvents of an earlier version moved to the trail table"
            );
        }
        Ok(ctx)
    }

    /// After a commit: a changed SearchParameter, StructureDefinition, ValueSet or CodeSystem takes
    /// effect at once.
    pub async fn committed(&self, writes: &[WriteOp]) -> Result<()> {
        if writes.iter().any(|w| w.res_type == "SearchParameter") {
            let runtime = reindex::runtime_parameters(&self.store).await?;
            self.search.reload(&runtime)?;
        }
        let conformance: Vec<Value> = writes
            .iter()
            .filter(|w| validation::CONFORMANCE_TYPES.contains(&w.res_type.as_str()))
            .filter_map(|w| {
                w.content
                    .as_deref()
                    .and_then(|c| serde_json::from_slice(c).ok())
            })
            .collect();
        if !conformance.is_empty() {
            self.validation.add(&conformance);
        }
        Ok(())
    }
}

/// A FHIR interaction, parsed from HTTP or from a Bundle entry.
#[derive(Debug, Clone)]
pub enum Interaction {
    /// `GET [type]/[id]`
    Read { ty: ResourceType, id: Id },
    /// `GET [type]/[id]/_history/[vid]`
    VRead {
        ty: ResourceType,
        id: Id,
        vid: VersionId,
    },
    /// `POST [type]`, optionally conditional on `If-None-Exist`.
    Create {
        ty: ResourceType,
        body: Value,
        if_none_exist: Option<Criteria>,
    },
    /// `PUT [type]/[id]`
    Update {
        ty: ResourceType,
        id: Id,
        body: Value,
        if_match: Option<VersionId>,
    },
    /// `PUT [type]?criteria`
    ConditionalUpdate {
        ty: ResourceType,
        criteria: Criteria,
        body: Value,
        if_match: Option<VersionId>,
    },
    /// `PATCH [type]/[id]`
    Patch {
        ty: ResourceType,
        id: Id,
        patch: PatchBody,
        if_match: Option<VersionId>,
    },
    /// `PATCH [type]?criteria`
    ConditionalPatch {
        ty: ResourceType,
        criteria: Criteria,
        patch: PatchBody,
        if_match: Option<VersionId>,
    },
    /// `DELETE [type]/[id]`
    Delete { ty: ResourceType, id: Id },
    /// `DELETE [type]?criteria`
    ConditionalDelete {
        ty: ResourceType,
        criteria: Criteria,
    },
    /// `GET [base]/_history`, `GET [type]/_history`, `GET [type]/[id]/_history`
    History {
        scope: HistoryScope,
        params: HistoryParams,
    },
    /// `GET [type]?…`, `POST [type]/_search`, `GET [base]?_type=…`, `GET [Compartment]/[id]/[type]`
    Search(SearchSpec),
    /// `GET [base]/metadata`
    Capabilities,
    /// `[type]/$validate`, `[type]/[id]/$validate`.
    Validate {
        ty: ResourceType,
        id: Option<Id>,
        body: Option<Value>,
        profiles: Vec<String>,
    },
    /// `POST [base]/$reindex`, `POST [type]/$reindex`: rebuild search index rows of existing resources.
    Reindex { ty: Option<ResourceType> },
    /// `POST [base]` with a batch or transaction Bundle; `ret` applies to every entry.
    Bundle { body: Value, ret: PreferReturn },
}

/// `Prefer: return=…` (https://hl7.org/fhir/R4/http.html#ops).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PreferReturn {
    /// No body.
    Minimal,
    /// The resource (the default).
    #[default]
    Representation,
    /// An OperationOutcome.
    OperationOutcome,
}

/// The body of an [`Outcome`].
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// No body.
    Empty,
    /// Stored JSON bytes, served as they are when no conversion is asked for.
    Stored(Vec<u8>),
    /// A JSON value built by the server.
    Json(Value),
}

/// The result of an interaction, before HTTP encoding.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// HTTP status.
    pub status: u16,
    /// The resource (or Bundle, or OperationOutcome) answered.
    pub body: Body,
    /// `Location` (absolute URL with `_history/n`).
    pub location: Option<String>,
    /// The version answered, for `ETag`.
    pub version: Option<VersionId>,
    /// For `Last-Modified`.
    pub last_modified: Option<Instant>,
    /// Informational issues, answered as the body with `Prefer: return=OperationOutcome`.
    pub issues: Vec<Issue>,
    /// Whether `body` is a resource the client wrote (subject to `Prefer: return`).
    pub is_write: bool,
    /// Extra response headers (e.g. the emergency-access flag).
    pub headers: Vec<(&'static str, String)>,
    /// `Type/id` of the resources a Bundle answered as stored bytes holds (for the trail, which
    /// does not parse the body).
    pub answers: Vec<String>,
}

impl Outcome {
    /// An outcome with `status` and `body`, nothing else.
    pub fn new(status: u16, body: Body) -> Self {
        Self {
            status,
            body,
            location: None,
            version: None,
            last_modified: None,
            issues: Vec::new(),
            is_write: false,
            headers: Vec::new(),
            answers: Vec::new(),
        }
    }
}

/// Writes to commit and the outcome to answer once they are durable.
#[derive(Debug)]
pub struct Planned {
    /// The writes, applied atomically.
    pub writes: Vec<WriteOp>,
    /// What to answer after the commit.
    pub outcome: Outcome,
}

impl Planned {
    /// A plan without writes.
    pub fn read_only(outcome: Outcome) -> Self {
        Self {
            writes: Vec::new(),
            outcome,
        }
    }
}

/// How often a write that lost a race is planned again before answering 409.
pub const MAX_ATTEMPTS: usize = 50;

/// A short, growing pause before planning again after a lost race.
pub async fn backoff(attempt: usize) {
    let ms = u64::try_from(attempt.min(20)).unwrap_or(20);
    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
}

/// Run one interaction to its outcome: plan, commit the writes atomically, answer.
///
/// A write that loses a race with a concurrent writer is planned again (unless the client pinned a version
/// with `If-Match`, in which case it answers 412). Errors are categorised [`Error`]s.
pub async fn execute(ctx: &Context, interaction: &Interaction) -> Result<Outcome> {
    execute_sealed(ctx, interaction, None).await.0
}

/// [`execute`], and with `seal` a write (not a Bundle) commits its AuditEvent (and any
/// emergency notice) in its own transaction: then the second value says whether the access
/// relied on an emergency mode; `None` when no AuditEvent was committed (no seal, nothing
/// written, or the write failed), which the caller then records.
pub async fn execute_sealed(
    ctx: &Context,
    interaction: &Interaction,
    seal: Option<&trail::Seal<'_>>,
) -> (Result<Outcome>, Option<bool>) {
    if let Interaction::Bundle { body, ret } = interaction {
        return (Box::pin(batch::execute_bundle(ctx, body, *ret)).await, None);
    }
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut planned = match plan(ctx, interaction).await {
            Ok(p) => p,
            Err(e) => return (Err(e), None),
        };
        if planned.writes.is_empty() {
            return (Ok(planned.outcome), None);
        }
        let mut writes = std::mem::take(&mut planned.writes);
        let checked = async {
            mhd::check(ctx, &mut writes).await?;
            permission::check(ctx, &writes).await?;
            match seal {
                Some(seal) => trail::trace(ctx, seal, Ok(&planned.outcome), &writes)
                    .await
                    .map(Some),
                None => Ok(None),
            }
        };
        let traced = match checked.await {
            Ok(t) => t,
            Err(e) => return (Err(e), None),
        };
        let (events, emergency) = match traced {
            Some(t) => {
                let emergency = !t.notices.is_empty();
                writes.extend(t.notices);
                (vec![t.event], Some(emergency))
            }
            None => (Vec::new(), None),
        };
        match ctx.store.commit_with_events(writes, events).await {
            Ok(writes) => {
                return (
                    ctx.committed(&writes).await.map(|()| planned.outcome),
                    emergency,
                );
            }
            Err(StoreError::Conflict { .. }) if pins_version(interaction) => {
                let e = Error::new(
                    ErrorKind::PreconditionFailed,
                    "the resource was changed since the version given in If-Match",
                );
                return (Err(e), None);
            }
            Err(StoreError::Conflict { .. }) if attempt < MAX_ATTEMPTS => backoff(attempt).await,
            Err(e) => return (Err(e.into()), None),
        }
    }
}

/// Plan one (non-Bundle) interaction: perform its reads, compute its writes.
pub async fn plan(ctx: &Context, interaction: &Interaction) -> Result<Planned> {
    use Interaction as I;
    authorize(ctx, interaction)?;
    match interaction {
        I::Read { ty, id } => read::plan(ctx, ty, id).await,
        I::VRead { ty, id, vid } => vread::plan(ctx, ty, id, *vid).await,
        I::Create {
            ty,
            body,
            if_none_exist,
        } => create::plan(ctx, ty, body, if_none_exist.as_ref(), None).await,
        I::Update {
            ty,
            id,
            body,
            if_match,
        } => update::plan(ctx, ty, id, body, *if_match).await,
        I::ConditionalUpdate {
            ty,
            criteria,
            body,
            if_match,
        } => update::plan_conditional(ctx, ty, criteria, body, *if_match).await,
        I::Patch {
            ty,
            id,
            patch,
            if_match,
        } => patch::plan(ctx, ty, id, patch, *if_match).await,
        I::ConditionalPatch {
            ty,
            criteria,
            patch,
            if_match,
        } => patch::plan_conditional(ctx, ty, criteria, patch, *if_match).await,
        I::Delete { ty, id } => delete::plan(ctx, ty, id).await,
        I::ConditionalDelete { ty, criteria } => delete::plan_conditional(ctx, ty, criteria).await,
        I::History { scope, params } => history::plan(ctx, scope, params).await,
        I::Search(spec) => search::plan(ctx, spec).await,
        I::Capabilities => Ok(Planned::read_only(capabilities::outcome(ctx))),
        I::Validate {
            ty,
            id,
            body,
            profiles,
        } => validate_op::run(ctx, ty, id.as_ref(), body.as_ref(), profiles)
            .await
            .map(Planned::read_only),
        I::Reindex { ty } => reindex::run(ctx, ty.as_ref()).await.map(Planned::read_only),
        I::Bundle { .. } => Err(Error::invalid(
            "a Bundle cannot be nested in a Bundle entry",
        )),
    }
}

fn pins_version(interaction: &Interaction) -> bool {
    use Interaction as I;
    matches!(
        interaction,
        I::Update {
            if_match: Some(_),
            ..
        } | I::ConditionalUpdate {
            if_match: Some(_),
            ..
        } | I::Patch {
            if_match: Some(_),
            ..
        } | I::ConditionalPatch {
            if_match: Some(_),
            ..
        }
    )
}
