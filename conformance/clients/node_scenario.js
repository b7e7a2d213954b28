#!/usr/bin/env node
// Real-client scenario against a live FHIR R4 server with the Node library fhir-kit-client.
//
//   node node_scenario.js BASE_URL        (CARNET_TOKEN, if set, is sent as `Authorization: Bearer …`)
//
// fhir-kit-client is an ES module installed outside the repository: run.sh sets CARNET_CLIENTS_NODE_MODULES to
// the node_modules folder of its cache; without it the usual resolution applies.
//
// Same scenario as python_scenario.py: create, read, update (versionId 1 → 2), search by identifier and family,
// page 7 Patients with _count=3 following `next` (≥3 pages, no duplicate, the full set), a transaction with a
// urn:uuid reference, delete. Every response is checked at the HTTP level too (status, Content-Type, Location,
// ETag). Prints one summary line; exit 1 on failure with the step and the last HTTP exchange.
'use strict';

const crypto = require('node:crypto');
const path = require('node:path');
const fs = require('node:fs');
const { pathToFileURL } = require('node:url');

const INS_TEST_OID = 'urn:oid:1.2.250.1.213.1.4.10';
const RUN_SYSTEM = 'urn:carnet:conformance:clients';
const FHIR_JSON = 'application/fhir+json';

class ScenarioFailure extends Error {}

let step = 'setup';
let checks = 0;
let requests = 0;
let lastExchange = null;

function check(what, cond, detail = '') {
  checks += 1;
  if (!cond) throw new ScenarioFailure(detail ? `${what}: ${detail}` : what);
}
function equal(what, got, want) {
  const g = JSON.stringify(got);
  const w = JSON.stringify(want);
  check(what, g === w, `got ${g}, want ${w}`);
}
function sameSet(what, got, want) {
  equal(what, [...got].sort(), [...want].sort());
}

function randInt(n) {
  return crypto.randomInt(n);
}
function pad(n, w) {
  return String(n).padStart(w, '0');
}
function makeNir() {
  const depts = [];
  for (let d = 1; d < 96; d += 1) if (d !== 20) depts.push(d);
  const first13 =
    String(1 + randInt(2)) + pad(randInt(100), 2) + pad(1 + randInt(12), 2) + pad(depts[randInt(depts.length)], 2) +
    pad(1 + randInt(990), 3) + pad(1 + randInt(999), 3);
  const key = 97 - Number(BigInt(first13) % 97n);
  return first13 + pad(key, 2);
}
function letters(hex) {
  return [...hex].map((c) => 'abcdefghijklmnop'[parseInt(c, 16)]).join('');
}
function patientBody(nir, marker, family, given = 'Éloïse', gender = 'female', birthDate = '1985-04-12') {
  return {
    resourceType: 'Patient',
    // An official INS may only be conveyed for a qualified identity (DMP rule): identity status VALI.
    extension: [
      {
        url: 'https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability',
        extension: [
          {
            url: 'identityStatus',
            valueCoding: { system: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0445', code: 'VALI' },
          },
          { url: 'validationDate', valueDate: '2025-03-02' },
          {
            url: 'validationMode',
            valueCoding: {
              system: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-mode-validation-identity',
              code: 'CN',
            },
          },
        ],
      },
    ],
    identifier: [
      {
        use: 'official',
        type: { coding: [{ system: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203', code: 'INS-NIR-TEST' }] },
        system: INS_TEST_OID,
        value: nir,
      },
      { system: RUN_SYSTEM, value: marker },
    ],
    name: [{ use: 'official', family, given: [given] }],
    gender,
    birthDate,
  };
}
function parseLocation(loc, type) {
  const parts = (loc || '').replace(/\/+$/, '').split('/');
  const i = parts.lastIndexOf(type);
  return i >= 0 && i + 1 < parts.length ? parts[i + 1] : null;
}

async function loadClient() {
  const nm = process.env.CARNET_CLIENTS_NODE_MODULES;
  if (nm) {
    const dir = path.join(nm, 'fhir-kit-client');
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const entry = (pkg.exports && pkg.exports['.'] && pkg.exports['.'].import) || pkg.main;
    return { mod: await import(pathToFileURL(path.join(dir, entry)).href), version: pkg.version };
  }
  return { mod: await import('fhir-kit-client'), version: '?' };
}

async function main() {
  if (process.argv.length !== 3) {
    console.error('usage: node_scenario.js BASE_URL');
    process.exit(2);
  }
  const base = process.argv[2].replace(/\/+$/, '');
  const token = process.env.CARNET_TOKEN || '';
  const { mod, version } = await loadClient();
  const { Client } = mod;
  const label = `node fhir-kit-client ${version}`;

  // Every request goes through global fetch: record it and check the response's Content-Type.
  const protocolErrors = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (req, init) => {
    const request = req instanceof Request ? req : new Request(req, init);
    const reqBody = request.body ? await request.clone().text() : '';
    const res = await realFetch(request, { signal: AbortSignal.timeout(30000) });
    const text = await res.clone().text();
    requests += 1;
    const reqHeaders = Object.fromEntries([...request.headers].filter(([k]) => k !== 'authorization'));
    lastExchange = {
      method: request.method,
      url: request.url,
      requestHeaders: reqHeaders,
      requestBody: reqBody.slice(0, 300),
      status: res.status,
      headers: Object.fromEntries(res.headers),
      body: text.slice(0, 800),
    };
    const ctype = res.headers.get('content-type') || '';
    if (text && !ctype.toLowerCase().startsWith(FHIR_JSON)) {
      protocolErrors.push(
        `${request.method} ${request.url} → ${res.status} with Content-Type ${JSON.stringify(ctype)} (Accept was ` +
          `${JSON.stringify(request.headers.get('accept'))}; a FHIR JSON body must be ${FHIR_JSON})`,
      );
    }
    return res;
  };
  const at = (name) => {
    if (protocolErrors.length) throw new ScenarioFailure(`HTTP-level defect: ${protocolErrors.splice(0).join('; ')}`);
    step = name;
  };
  const resp = (result) => Client.httpFor(result).response;

  const client = new Client({ baseUrl: base, ...(token ? { bearerToken: token } : {}) });
  const marker = crypto.randomUUID().replace(/-/g, '');
  const tag = letters(marker.slice(0, 10));
  const nir = makeNir();
  const family = `Martinval${tag}`;
  const family2 = `Beaulieuval${tag}`;
  const pageFamily = `Pageval${tag}`;
  const txFamily = `Transval${tag}`;

  try {
    at('metadata');
    const cs = await client.capabilityStatement();
    equal('CapabilityStatement.fhirVersion', cs.fhirVersion, '4.0.1');

    at('create');
    const created = await client.create({ resourceType: 'Patient', body: patientBody(nir, marker, family) });
    equal('create status', resp(created).status, 201);
    const pid = created.id;
    check('created id', Boolean(pid), 'no id in the response body');
    equal('created meta.versionId', created.meta && created.meta.versionId, '1');
    equal('Location names the new Patient', parseLocation(resp(created).headers.get('location'), 'Patient'), pid);
    equal('ETag on create', resp(created).headers.get('etag'), 'W/"1"');

    at('read');
    const p = await client.read({ resourceType: 'Patient', id: pid });
    equal('read family', p.name[0].family, family);
    equal('read given (non-ASCII round trip)', p.name[0].given, ['Éloïse']);
    equal('read versionId', p.meta.versionId, '1');
    equal('read INS value', p.identifier.filter((i) => i.system === INS_TEST_OID).map((i) => i.value), [nir]);
    const v1 = await client.vread({ resourceType: 'Patient', id: pid, version: '1' });
    equal('vread 1', v1.meta.versionId, '1');

    at('update (name change)');
    p.name[0].family = family2;
    const updated = await client.update({
      resourceType: 'Patient',
      id: pid,
      body: p,
      options: { headers: { 'If-Match': 'W/"1"' } },
    });
    equal('update status', resp(updated).status, 200);
    equal('update response versionId', updated.meta && updated.meta.versionId, '2');
    equal('ETag on update', resp(updated).headers.get('etag'), 'W/"2"');
    const p2 = await client.read({ resourceType: 'Patient', id: pid });
    equal('versionId after update', p2.meta.versionId, '2');
    equal('family after update', p2.name[0].family, family2);
    let stale = null;
    try {
      await client.update({ resourceType: 'Patient', id: pid, body: p2, options: { headers: { 'If-Match': 'W/"1"' } } });
    } catch (e) {
      stale = e.response && e.response.status;
    }
    equal('stale If-Match', stale, 412);

    at('search by identifier');
    let b = await client.search({ resourceType: 'Patient', searchParams: { identifier: `${INS_TEST_OID}|${nir}` } });
    equal('search Bundle.type', b.type, 'searchset');
    equal('search by INS identifier', (b.entry || []).map((e) => e.resource.id), [pid]);
    b = await client.search({ resourceType: 'Patient', searchParams: { identifier: `${RUN_SYSTEM}|${marker}` } });
    equal('search by plain identifier', (b.entry || []).map((e) => e.resource.id), [pid]);

    at('search by family name');
    b = await client.search({ resourceType: 'Patient', searchParams: { family: family2 } });
    equal('search by new family', (b.entry || []).map((e) => e.resource.id), [pid]);
    b = await client.search({ resourceType: 'Patient', searchParams: { family: family2 }, options: { postSearch: true } });
    equal('POST _search by new family', (b.entry || []).map((e) => e.resource.id), [pid]);
    b = await client.search({ resourceType: 'Patient', searchParams: { family }, options: { postSearch: true } });
    equal('POST _search by old family (no longer current)', (b.entry || []).map((e) => e.resource.id), []);

    at('paging (_count=3 over 7 Patients)');
    const pageIds = [];
    for (let i = 0; i < 7; i += 1) {
      const r = await client.create({
        resourceType: 'Patient',
        body: patientBody(makeNir(), `${marker}-page${i}`, pageFamily, `Page${i}`),
      });
      pageIds.push(r.id);
    }
    equal('7 distinct paging Patients', new Set(pageIds).size, 7);
    const seen = [];
    let pages = 0;
    let page = await client.search({ resourceType: 'Patient', searchParams: { family: pageFamily, _count: 3 } });
    while (page) {
      pages += 1;
      check('bounded paging', pages <= 10, 'more than 10 pages for 7 resources: the next links loop');
      equal('page Bundle.type', page.type, 'searchset');
      check('page size ≤ 3', (page.entry || []).length <= 3, `${(page.entry || []).length} entries`);
      if (page.total !== undefined) equal('Bundle.total', page.total, 7);
      for (const e of page.entry || []) if (!e.search || e.search.mode === 'match') seen.push(e.resource.id);
      page = await client.nextPage({ bundle: page });
    }
    check('≥3 pages', pages >= 3, `${pages} page(s)`);
    check('no duplicate across pages', seen.length === new Set(seen).size, `ids seen: ${seen}`);
    sameSet('full set seen', seen, pageIds);

    at('transaction (Patient + Observation, urn:uuid reference)');
    const pUrl = `urn:uuid:${crypto.randomUUID()}`;
    const oUrl = `urn:uuid:${crypto.randomUUID()}`;
    const tx = await client.transaction({
      body: {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            fullUrl: pUrl,
            resource: patientBody(makeNir(), `${marker}-tx`, txFamily, 'Dominique', 'male'),
            request: { method: 'POST', url: 'Patient' },
          },
          {
            fullUrl: oUrl,
            resource: {
              resourceType: 'Observation',
              status: 'final',
              code: { coding: [{ system: 'http://loinc.org', code: '29463-7', display: 'Body weight' }] },
              subject: { reference: pUrl },
              valueQuantity: { value: 72.5, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
            },
            request: { method: 'POST', url: 'Observation' },
          },
        ],
      },
    });
    equal('transaction status', resp(tx).status, 200);
    equal('response Bundle.type', tx.type, 'transaction-response');
    equal('response entries', (tx.entry || []).length, 2);
    const statuses = tx.entry.map((e) => e.response.status);
    check('both entries 201', statuses.every((s) => s.startsWith('201')), JSON.stringify(statuses));
    const txPid = parseLocation(tx.entry[0].response.location, 'Patient');
    const txOid = parseLocation(tx.entry[1].response.location, 'Observation');
    check('Patient location', Boolean(txPid), tx.entry[0].response.location);
    check('Observation location', Boolean(txOid), tx.entry[1].response.location);
    const obs = await client.read({ resourceType: 'Observation', id: txOid });
    equal('Observation.subject rewritten', obs.subject.reference, `Patient/${txPid}`);
    const subject = await client.resolve({ reference: obs.subject.reference });
    equal('subject resolves', subject.name[0].family, txFamily);
    b = await client.search({ resourceType: 'Observation', compartment: { resourceType: 'Patient', id: txPid } });
    equal('Observation in the Patient compartment', (b.entry || []).map((e) => e.resource.id), [txOid]);

    at('delete');
    await client.delete({ resourceType: 'Observation', id: txOid });
    for (const id of [pid, txPid, ...pageIds]) await client.delete({ resourceType: 'Patient', id });
    for (const [resourceType, id] of [['Patient', pid], ['Observation', txOid]]) {
      let status = null;
      try {
        await client.read({ resourceType, id });
      } catch (e) {
        status = e.response && e.response.status;
      }
      check(`read of deleted ${resourceType}/${id}`, status === 404 || status === 410, `status ${status}`);
    }
    b = await client.search({ resourceType: 'Patient', searchParams: { family: pageFamily } });
    equal('search after delete', (b.entry || []).length, 0);
    at('done');
  } catch (e) {
    const detail = e instanceof ScenarioFailure ? e.message : `${e.name}: ${e.message}`;
    console.log(`${label}: FAIL at step '${step}': ${detail}`);
    console.error(`  last exchange: ${JSON.stringify(lastExchange, null, 2)}`);
    if (!(e instanceof ScenarioFailure)) console.error(e.stack);
    process.exit(1);
  }
  console.log(`${label}: OK (${checks} checks, ${requests} requests)`);
}

main().catch((e) => {
  console.log(`node fhir-kit-client: FAIL at step '${step}': ${e && e.stack}`);
  process.exit(1);
});
