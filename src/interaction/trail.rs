//! The access trail of one request: [`run`] executes the interaction, then records its AuditEvent
//! (denied attempts included) through the group-commit sink and answers only once it is durable.
//! An emergency access (a professional in `bris-de-glace` or `regulation` mode reaching a record
//! that would otherwise be closed to them) is flagged in the response (`X-Carnet-Emergency-Access`
//! and a warning issue) and notified to the patient and the médecin traitant (a Communication).

use super::requester::Requester;
use super::{Body, Context, HistoryScope, Interaction, Outcome, execute, execute_sealed};
use crate::audit::{AuditOutcome, Entry, emergency_notice};
use crate::consent::{AccessMode, AccessScope, Actor};
use crate::error::{Error, ErrorKind, Result};
use crate::fhir::{Id, Issue, Severity};
use crate::store::{LoggedEvent, SqlQuery};

/// Resources named in one AuditEvent at most.
const MAX_ENTITIES: usize = 50;

/// Executes `interaction` for the request's requester and records the AuditEvent.
///
/// A write (not a Bundle) carries its AuditEvent in its own commit ([`execute_sealed`]): one
/// durable transaction answers both. Anything else, and a write that fails, is traced after
/// the interaction in a commit of its own.
///
/// Fails like [`execute`]; and with `Internal` when the trail cannot be written (the response
/// must not leave without it).
pub async fn run(ctx: &Context, interaction: &Interaction) -> Result<Outcome> {
    let (Some(requester), Some(sink)) = (&ctx.requester, &ctx.audit) else {
        return execute(ctx, interaction).await;
    };
    if matches!(interaction, Interaction::Capabilities) {
        return execute(ctx, interaction).await;
    }
    let seal = Seal {
        requester,
        interaction,
    };
    let (mut result, sealed) = execute_sealed(ctx, interaction, Some(&seal)).await;
    if let Ok(o) = &mut result
        && let Err(e) = super::redact::lists(ctx, o).await
    {
        result = Err(e);
    }
    let emergency = if let Some(emergency) = sealed {
        emergency
    } else {
        let traced = trace(ctx, &seal, result.as_ref(), &[]).await?;
        let emergency = !traced.notices.is_empty();
        sink.record(traced.notices, vec![traced.event])
            .await
            .map_err(Error::internal)?;
        emergency
    };
    let mut outcome = result?;
    if let (true, Actor::Professional(p)) = (emergency, &requester.actor) {
        let mode = if p.mode == AccessMode::Regulation {
            "regulation"
        } else {
            "bris-de-glace"
        };
        outcome
            .headers
            .push(("x-carnet-emergency-access", mode.to_owned()));
        outcome.issues.push(Issue {
            severity: Severity::Warning,
            code: "informational",
            diagnostics: format!(
                "emergency access ({mode}): traced and notified to the patient and the médecin traitant"
            ),
            expression: None,
        });
    }
    Ok(outcome)
}

/// Who is traced, for what: what [`execute_sealed`] needs to put a write's AuditEvent in the
/// write's own commit.
pub struct Seal<'a> {
    /// The requester.
    pub requester: &'a Requester,
    /// The interaction traced.
    pub interaction: &'a Interaction,
}

/// An AuditEvent ready to commit, with the emergency notices it calls for.
pub struct Traced {
    /// The AuditEvent.
    pub event: LoggedEvent,
    /// Communications to the patient and the médecin traitant, one per record an emergency
    /// mode opened: none when the access relied on no emergency mode.
    pub notices: Vec<crate::store::WriteOp>,
}

/// The AuditEvent of `seal`'s interaction answering `result`. `pending`: writes not yet
/// committed (the interaction's own), whose records are taken from their facts.
pub async fn trace(
    ctx: &Context,
    seal: &Seal<'_>,
    result: std::result::Result<&Outcome, &Error>,
    pending: &[crate::store::WriteOp],
) -> Result<Traced> {
    let (requester, interaction) = (seal.requester, seal.interaction);
    let mut resources = requested(interaction);
    if let Ok(o) = result {
        resources.extend(answered(o));
    }
    resources.sort();
    resources.dedup();
    resources.truncate(MAX_ENTITIES);
    let mut patients = patients_of(ctx, &resources, pending).await?;
    patients.extend(patient_params(interaction));
    patients.extend(requester.patients.iter().cloned());
    patients.sort();
    patients.dedup();
    let emergency = emergency_records(ctx, &requester.actor, &patients).await?;
    let (outcome, status) = match result {
        Ok(o) => (AuditOutcome::Success, o.status),
        Err(e) if e.kind == ErrorKind::Internal => (AuditOutcome::Failed, 500),
        Err(e) => (AuditOutcome::Denied, crate::api::status_of(e.kind)),
    };
    let at = crate::fhir::Instant::now();
    let at_text = at.to_fhir();
    let entry = Entry {
        actor: &requester.actor,
        interaction: name(interaction),
        patients: &patients,
        resources: &resources,
        outcome,
        status,
        at: &at_text,
        emergency: !emergency.is_empty(),
    };
    let audit_id = crate::fhir::Id::generate();
    let event = crate::audit::terms::logged_entry(audit_id.to_string(), &entry, at);
    let mut notices = Vec::new();
    for (pid, gps) in &emergency {
        let id = crate::fhir::Id::generate().to_string();
        let notice = emergency_notice(&id, pid, gps, &event.id, &entry);
        notices.push(super::resource::new_version(ctx, &notice, 1, "POST", at).await?);
    }
    Ok(Traced { event, notices })
}

fn name(i: &Interaction) -> &'static str {
    use Interaction as I;
    match i {
        I::Read { .. } => "read",
        I::VRead { .. } => "vread",
        I::Create { .. } => "create",
        I::Update { .. } | I::ConditionalUpdate { .. } => "update",
        I::Patch { .. } | I::ConditionalPatch { .. } => "patch",
        I::Delete { .. } | I::ConditionalDelete { .. } => "delete",
        I::History { scope, .. } => match scope {
            HistoryScope::System => "history-system",
            HistoryScope::Type(_) => "history-type",
            HistoryScope::Instance(..) => "history-instance",
        },
        I::Search(spec) if spec.types.len() == 1 => "search-type",
        I::Search(_) => "search-system",
        I::Capabilities => "capabilities",
        I::Validate { .. } | I::Reindex { .. } => "operation",
        I::Bundle { body, .. } if body["type"] == "batch" => "batch",
        I::Bundle { .. } => "transaction",
    }
}

/// `Type/id` the request names.
fn requested(i: &Interaction) -> Vec<String> {
    use Interaction as I;
    let one = |ty: &crate::fhir::ResourceType, id: &Id| vec![format!("{ty}/{id}")];
    match i {
        I::Read { ty, id } | I::VRead { ty, id, .. } | I::Update { ty, id, .. } => one(ty, id),
        I::Patch { ty, id, .. } | I::Delete { ty, id } => one(ty, id),
        I::Validate {
            ty, id: Some(id), ..
        } => one(ty, id),
        I::History {
            scope: HistoryScope::Instance(ty, id),
            ..
        } => one(ty, id),
        _ => Vec::new(),
    }
}

/// `Type/id` of what the outcome answers: its Location, or a Bundle's entries.
fn answered(o: &Outcome) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(loc) = &o.location {
        out.extend(local_ref(loc));
    }
    out.extend(o.answers.iter().cloned());
    if let Body::Json(v) = &o.body
        && v["resourceType"] == "Bundle"
    {
        for e in v["entry"].as_array().into_iter().flatten() {
            let r = &e["resource"];
            if let (Some(t), Some(id)) = (r["resourceType"].as_str(), r["id"].as_str()) {
                out.push(format!("{t}/{id}"));
            } else if let Some(loc) = e["response"]["location"].as_str() {
                out.extend(local_ref(loc));
            }
        }
    }
    out
}

fn local_ref(url: &str) -> Option<String> {
    let path = url.split("/_history/").next().unwrap_or(url);
    let mut parts = path.rsplit('/');
    let id = parts.next()?;
    let ty = parts.next()?;
    ty.chars()
        .next()
        .is_some_and(|c| c.is_ascii_uppercase())
        .then(|| format!("{ty}/{id}"))
}

/// Patients named by a search's `patient` / `subject` parameters.
fn patient_params(i: &Interaction) -> Vec<String> {
    let Interaction::Search(spec) = i else {
        return Vec::new();
    };
    spec.pairs
        .iter()
        .filter(|(k, _)| {
            matches!(
                k.as_str(),
                "patient" | "subject" | "patient:Patient" | "subject:Patient"
            )
        })
        .flat_map(|(_, v)| v.split(','))
        .map(|v| v.rsplit('/').next().unwrap_or(v).to_owned())
        .filter(|v| Id::parse(v).is_ok())
        .chain(
            spec.compartment
                .iter()
                .filter(|(t, _)| t == "Patient")
                .map(|(_, id)| id.clone()),
        )
        .collect()
}

/// The records the resources belong to (a Patient is its own record): from the facts of the
/// `pending` writes for the resources they write, else from the stored facts.
async fn patients_of(
    ctx: &Context,
    resources: &[String],
    pending: &[crate::store::WriteOp],
) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    let mut others: Vec<&String> = Vec::new();
    for r in resources {
        if let Some(id) = r.strip_prefix("Patient/") {
            out.push(id.to_owned());
            continue;
        }
        let written = pending
            .iter()
            .find(|w| r.split_once('/') == Some((w.res_type.as_str(), w.id.as_str())));
        match written {
            Some(w) => out.extend(
                w.access
                    .iter()
                    .flatten()
                    .filter(|f| f.kind == "patient")
                    .map(|f| f.patient.clone()),
            ),
            None => others.push(r),
        }
    }
    if others.is_empty() {
        return Ok(out);
    }
    let mut q = SqlQuery::default();
    let mut ors = Vec::new();
    for r in others {
        if let Some((t, id)) = r.split_once('/') {
            let (a, b) = (q.text(t), q.text(id));
            ors.push(format!("(res_type = {a} AND res_id = {b})"));
        }
    }
    q.sql = format!(
        "SELECT kind, patient_id, low, high FROM access_facts WHERE kind = 'patient' AND ({})",
        ors.join(" OR ")
    );
    out.extend(ctx.store.fact_rows(&q).await?.into_iter().map(|r| r.1));
    Ok(out)
}

/// For a professional in an emergency mode: the records among `patients` that only the mode
/// opened, with their médecins traitants (IDNPS).
async fn emergency_records(
    ctx: &Context,
    actor: &Actor,
    patients: &[String],
) -> Result<Vec<(String, Vec<String>)>> {
    let Actor::Professional(p) = actor else {
        return Ok(Vec::new());
    };
    if p.mode == AccessMode::Normal {
        return Ok(Vec::new());
    }
    let normal = ctx.access.without_emergency();
    let mut out = Vec::new();
    for pid in patients {
        let opened = record_check(ctx, &ctx.access, pid).await?;
        if opened && !record_check(ctx, &normal, pid).await? {
            let record = super::permission::record_of(ctx, pid).await?;
            let gps = record
                .medecins_traitants
                .iter()
                .map(|g| g.as_str().to_owned())
                .collect();
            out.push((pid.clone(), gps));
        }
    }
    Ok(out)
}

async fn record_check(ctx: &Context, scope: &AccessScope, pid: &str) -> Result<bool> {
    let mut c = crate::search::compile::Compiler::with_access(&ctx.base_url, scope.clone());
    let p = c.q.text(pid);
    let cond = crate::search::access::record_open(&mut c, scope, &p);
    c.q.sql = format!("SELECT CAST(CASE WHEN {cond} THEN 1 ELSE 0 END AS BIGINT)");
    Ok(ctx.store.count(&c.q).await? == 1)
}
