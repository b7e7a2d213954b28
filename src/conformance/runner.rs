//! Executing one TestScript: fixtures, setup, tests and teardown with the standard skip
//! rules (<https://hl7.org/fhir/R4/testscript.html>): a failing setup skips every test,
//! a failing assert ends its test, teardown always runs.

use super::exchange::{Exchange, header, send};
use super::load::{read_resource, resolve_fixture};
use super::operation::{build, type_code};
use super::outcome::{ActionResult, Kind, ScriptOutcome, Section, Status};
use super::state::{State, flag, text};
use super::validate::validate_profile;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

/// Runs the TestScript at `path` against `base`; never fails: problems are reported in
/// the outcome (`error` for a script that cannot be loaded).
pub async fn run_script(
    client: &reqwest::Client,
    base: &str,
    preset: &HashMap<String, String>,
    path: &Path,
) -> ScriptOutcome {
    let mut outcome = ScriptOutcome::new(path);
    let script = match read_resource(path) {
        Ok(s) => s,
        Err(e) => return outcome.failed(e),
    };
    outcome.describe(&script);
    let mut runner = Runner {
        client,
        state: State::default(),
    };
    runner.state.base = base.trim_end_matches('/').to_owned();
    runner.state.preset = preset.clone();
    if let Err(e) = runner.load(path, &script) {
        return outcome.failed(e);
    }
    runner.execute(&script, &mut outcome).await;
    outcome
}

struct Runner<'c> {
    client: &'c reqwest::Client,
    state: State,
}

impl Runner<'_> {
    fn load(&mut self, path: &Path, script: &Value) -> Result<(), String> {
        let dir = path.parent().unwrap_or(Path::new("."));
        for fixture in array(script, "fixture") {
            let id = text(fixture, "id").ok_or("a fixture has no id")?.to_owned();
            let reference = fixture.get("resource").and_then(|r| text(r, "reference"));
            let reference = reference.ok_or(format!("fixture {id} has no resource.reference"))?;
            let resource = resolve_fixture(dir, script, reference)
                .map_err(|e| format!("fixture {id}: {e}"))?;
            let create = flag(fixture, "autocreate").unwrap_or(false);
            let delete = flag(fixture, "autodelete").unwrap_or(false);
            self.state.fixtures.insert(id.clone(), resource);
            self.state.fixture_flags.push((id, create, delete));
        }
        self.state.variables = array(script, "variable").cloned().collect();
        for profile in array(script, "profile") {
            if let (Some(id), Some(url)) = (text(profile, "id"), text(profile, "reference")) {
                self.state.profiles.insert(id.to_owned(), url.to_owned());
            }
        }
        Ok(())
    }

    async fn execute(&mut self, script: &Value, outcome: &mut ScriptOutcome) {
        let mut ok = self.autocreate(&mut outcome.setup).await;
        if ok {
            let setup = section_actions(script, "setup");
            ok = self.actions(&setup, &mut outcome.setup, true).await;
        }
        for test in array(script, "test") {
            let mut section = Section::of(test);
            let actions: Vec<&Value> = array(test, "action").collect();
            if ok {
                self.actions(&actions, &mut section.actions, true).await;
            } else {
                section.actions = actions
                    .iter()
                    .map(|a| ActionResult::skipped(a, "setup failed"))
                    .collect();
            }
            outcome.tests.push(section);
        }
        let teardown = section_actions(script, "teardown");
        self.actions(&teardown, &mut outcome.teardown, false).await;
        self.autodelete(&mut outcome.teardown).await;
    }

    /// Runs `actions` in order; with `stop`, the first failure skips the rest. Returns
    /// whether none failed.
    async fn actions(
        &mut self,
        actions: &[&Value],
        out: &mut Vec<ActionResult>,
        stop: bool,
    ) -> bool {
        let mut ok = true;
        for action in actions {
            if !ok && stop {
                out.push(ActionResult::skipped(action, "an earlier action failed"));
                continue;
            }
            let result = self.action(action).await;
            ok &= !result.status.is_failure();
            out.push(result);
        }
        ok
    }

    async fn action(&mut self, action: &Value) -> ActionResult {
        if let Some(op) = action.get("operation") {
            return self.operation(op).await;
        }
        let Some(a) = action.get("assert") else {
            return ActionResult::new(
                Kind::Operation,
                Status::Error,
                "action has no operation or assert",
                None,
            );
        };
        let description = text(a, "description")
            .or(text(a, "label"))
            .map(str::to_owned);
        let verdict = match text(a, "validateProfileId") {
            Some(_) => validate_profile(self.client, &self.state, a).await,
            None => super::assert::evaluate(&self.state, a),
        };
        let (status, message) = match verdict {
            Ok(m) => (Status::Pass, m),
            Err(m) if flag(a, "warningOnly") == Some(true) => (Status::Warning, m),
            Err(m) => (Status::Fail, m),
        };
        ActionResult::new(Kind::Assert, status, &message, description)
    }

    async fn operation(&mut self, op: &Value) -> ActionResult {
        let description = text(op, "description")
            .or(text(op, "label"))
            .map(str::to_owned);
        let exchange = match build(&self.state, op, &self.state.base) {
            Ok(request) => send(self.client, request).await,
            Err(e) => Err(e),
        };
        match exchange {
            Ok(ex) => {
                let message = format!(
                    "{} {} -> {}",
                    ex.request.method, ex.request.url, ex.response.status
                );
                self.remember_created(op, &ex);
                self.state
                    .record(ex, &[text(op, "responseId"), text(op, "requestId")]);
                ActionResult::new(Kind::Operation, Status::Pass, &message, description)
            }
            Err(e) => ActionResult::new(Kind::Operation, Status::Error, &e, description),
        }
    }

    /// After a successful create/update of a fixture, its server copy becomes the fixture
    /// that `targetId` and asserts see.
    fn remember_created(&mut self, op: &Value, ex: &Exchange) {
        let Some(id) = text(op, "sourceId") else {
            return;
        };
        let code = type_code(op);
        if !(200..300).contains(&ex.response.status)
            || !matches!(code.as_str(), "create" | "update" | "updateCreate")
        {
            return;
        }
        if !self.state.fixtures.contains_key(id) {
            return;
        }
        let copy = ex.response.resource.clone().or_else(|| located(ex));
        if let Some(copy) = copy {
            self.state.created.insert(id.to_owned(), copy);
        }
    }

    async fn autocreate(&mut self, out: &mut Vec<ActionResult>) -> bool {
        let flags = self.state.fixture_flags.clone();
        for (id, _, _) in flags.iter().filter(|(_, create, _)| *create) {
            let has_id = self
                .state
                .fixtures
                .get(id)
                .is_some_and(|f| f.get("id").is_some());
            let code = if has_id { "updateCreate" } else { "create" };
            let op = serde_json::json!({"type": {"code": code}, "sourceId": id, "description": format!("autocreate {id}")});
            let mut result = self.operation(&op).await;
            let status = self.state.last.as_ref().map_or(0, |ex| ex.response.status);
            if result.status == Status::Pass && !(200..300).contains(&status) {
                result.status = Status::Fail;
            }
            let failed = result.status.is_failure();
            out.push(result);
            if failed {
                return false;
            }
        }
        true
    }

    async fn autodelete(&mut self, out: &mut Vec<ActionResult>) {
        let flags = self.state.fixture_flags.clone();
        for (id, _, _) in flags.iter().filter(|(_, _, delete)| *delete) {
            if !self.state.created.contains_key(id) && !self.state.fixtures.contains_key(id) {
                continue;
            }
            let op = serde_json::json!({"type": {"code": "delete"}, "targetId": id, "description": format!("autodelete {id}")});
            out.push(self.operation(&op).await);
        }
    }
}

/// The request resource with the id and version from a `Location` header.
fn located(ex: &Exchange) -> Option<Value> {
    let location = header(&ex.response.headers, "location")?;
    let mut resource = ex.request.resource.clone()?;
    let parts: Vec<&str> = location.split('/').collect();
    let at = parts.iter().position(|p| *p == "_history");
    let (id, vid) = match at {
        Some(i) if i >= 1 => (parts[i - 1], parts.get(i + 1).copied()),
        _ => (*parts.last()?, None),
    };
    let obj = resource.as_object_mut()?;
    obj.insert("id".into(), Value::String(id.to_owned()));
    if let Some(vid) = vid {
        obj.insert("meta".into(), serde_json::json!({"versionId": vid}));
    }
    Some(resource)
}

fn section_actions<'a>(script: &'a Value, key: &str) -> Vec<&'a Value> {
    script
        .get(key)
        .map(|s| array(s, "action").collect())
        .unwrap_or_default()
}

fn array<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    v.get(key).and_then(Value::as_array).into_iter().flatten()
}
