//! Loading the population: Patients posted in transaction Bundles of 100, their server ids
//! collected from the transaction-response for the workloads that read or update them.

use std::time::Instant;

use reqwest::Client;
use serde::Serialize;
use serde_json::Value;
use tokio::task::JoinSet;

use super::runner::send;
use super::workload::{BUNDLE_SIZE, Gen, Request};

/// Bundles posted concurrently while loading.
const LOADERS: usize = 4;

/// The loaded population.
#[derive(Debug, Clone, Serialize)]
pub struct Population {
    /// Patients loaded.
    pub patients: usize,
    /// Wall time of the load.
    pub seconds: f64,
    /// `patients / seconds`.
    pub patients_per_s: f64,
    /// Server ids of the Patients (not serialized).
    #[serde(skip)]
    pub ids: Vec<String>,
}

/// Loads `n` Patients with random INS identifiers, fails on the first failed Bundle.
pub async fn load(
    client: &Client,
    base: &str,
    n: usize,
    docs: usize,
    seed: u64,
) -> Result<Population, String> {
    let started = Instant::now();
    let sizes = bundle_sizes(n);
    let mut tasks = JoinSet::new();
    for w in 0..LOADERS {
        let mine: Vec<usize> = sizes.iter().copied().skip(w).step_by(LOADERS).collect();
        let (client, base) = (client.clone(), base.to_string());
        let seed = seed.wrapping_add(1_000_000 + w as u64);
        tasks.spawn(async move { load_bundles(&client, &base, &mine, docs, seed).await });
    }
    let mut ids = Vec::with_capacity(n);
    while let Some(joined) = tasks.join_next().await {
        ids.extend(joined.map_err(|e| format!("loader failed: {e}"))??);
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok(Population {
        patients: ids.len(),
        seconds,
        patients_per_s: ids.len() as f64 / seconds,
        ids,
    })
}

async fn load_bundles(
    client: &Client,
    base: &str,
    sizes: &[usize],
    docs: usize,
    seed: u64,
) -> Result<Vec<String>, String> {
    let mut generator = Gen::new(&[], seed);
    let mut ids = Vec::new();
    for &size in sizes {
        let bundle = generator.population_transaction(size, docs);
        let req = Request {
            method: reqwest::Method::POST,
            path: String::new(),
            body: Some(bundle.to_string()),
            resources: (size * (1 + docs)) as u32,
            professional: false,
        };
        let response = send(client, base, &req)
            .await
            .map_err(|e| format!("loading: {e}"))?;
        let body: Value = response
            .json()
            .await
            .map_err(|e| format!("loading: bad response: {e}"))?;
        ids.extend(created_ids(&body, size * (1 + docs))?);
    }
    Ok(ids)
}

/// `[100, 100, …, rest]` summing to `n`.
pub fn bundle_sizes(n: usize) -> Vec<usize> {
    let mut sizes = vec![BUNDLE_SIZE; n / BUNDLE_SIZE];
    if !n.is_multiple_of(BUNDLE_SIZE) {
        sizes.push(n % BUNDLE_SIZE);
    }
    sizes
}

/// The Patient ids of a transaction-response: every entry must be `201` with a
/// `location` of the form `[…/]Patient/<id>/_history/<v>`, and there must be `expected`.
pub fn created_ids(response: &Value, expected: usize) -> Result<Vec<String>, String> {
    let entries = response["entry"].as_array().map_or(&[][..], Vec::as_slice);
    if entries.len() != expected {
        return Err(format!(
            "transaction-response has {} entries, expected {expected}",
            entries.len()
        ));
    }
    entries
        .iter()
        .filter(|e| {
            e["response"]["location"]
                .as_str()
                .is_none_or(|l| !l.contains("DocumentReference/"))
        })
        .map(|e| {
            let r = &e["response"];
            let status = r["status"].as_str().unwrap_or("");
            let location = r["location"].as_str().unwrap_or("");
            let mut parts = location.split('/').skip_while(|p| *p != "Patient").skip(1);
            match (status.starts_with("201"), parts.next()) {
                (true, Some(id)) if !id.is_empty() => Ok(id.to_string()),
                _ => Err(format!("unexpected entry response: {r}")),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sizes_cover_population() {
        assert_eq!(bundle_sizes(250), [100, 100, 50]);
        assert_eq!(bundle_sizes(200), [100, 100]);
        assert!(bundle_sizes(0).is_empty());
    }

    #[test]
    fn ids_from_relative_and_absolute_locations() {
        let body = json!({"entry": [
            {"response": {"status": "201 Created", "location": "Patient/a1/_history/1"}},
            {"response": {"status": "201", "location": "http://h/fhir/Patient/b2/_history/1"}},
        ]});
        assert_eq!(created_ids(&body, 2).unwrap(), ["a1", "b2"]);
        assert!(created_ids(&body, 3).is_err());
        let bad = json!({"entry": [{"response": {"status": "200 OK", "location": "Patient/a"}}]});
        assert!(created_ids(&bad, 1).is_err());
    }
}
