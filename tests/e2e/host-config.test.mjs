// Host configs of the official Qlik client (`@qlik/api`, the exact version of package.json), in
// Node, against the built package: for each config, the official client's own auth runtime
// decides the authentication type (`determineAuthType`), the fields it warns about and the
// headers of a GET (`getRestCallAuthParams`); the package must decide the same, send the same
// headers to a local server, and refuse with a TypeError naming the field the types it cannot
// serve.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { root } from './harness.mjs';

const { default: init, PredictionsClient } = await import(pathToFileURL(join(root, 'pkg', 'index.js')).href);

// The auth runtime the official client loads in Node (its public `auth` entry imports it lazily
// and does not export `determineAuthType`).
const chunks = join(root, 'node_modules', '@qlik', 'api', 'chunks');
const runtimeFiles = readdirSync(chunks).filter((f) => /^auth-[\w-]+\.js$/.test(f));
assert.equal(runtimeFiles.length, 1, `one auth runtime chunk in @qlik/api: ${runtimeFiles}`);
const qlikAuth = await import(pathToFileURL(join(chunks, runtimeFiles[0])).href);

const CSV = 'id,value\n1,2.5\n2,3.5\n';
let server;
let host;
const received = [];

before(async () => {
  await init();
  server = http.createServer((req, res) => {
    if (req.url.startsWith('/prefix/api/v1/automl-predictions/')) {
      received.push(req.headers);
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.end(CSV);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `http://127.0.0.1:${server.address().port}/prefix/`;
});
after(() => server?.close());

/** What console.warn is called with while `f` runs (console.error is silenced). */
async function warnings(f) {
  const seen = [];
  const { warn, error } = console;
  console.warn = (...args) => seen.push(args.map(String).join(' '));
  console.error = () => {};
  try {
    return { value: await f(), warnings: seen };
  } finally {
    Object.assign(console, { warn, error });
  }
}

/** The official client's decisions for `hostConfig`: auth type, fields warned about, GET headers. */
async function official(hostConfig) {
  const authType = (await qlikAuth.determineAuthType(hostConfig)).toLowerCase();
  const { value, warnings: seen } = await warnings(async () => {
    try {
      return await qlikAuth.getRestCallAuthParams({ hostConfig, method: 'GET' });
    } catch (e) {
      return e;
    }
  });
  const listed = seen.map((w) => /unknown properties in host config; (.*)$/.exec(w)?.[1]).find(Boolean);
  const unknown = listed ? [...listed.matchAll(/'([^']*)'/g)].map((m) => m[1]) : [];
  return { authType, unknown, params: value };
}

/** The package's decisions for `hostConfig`, and the headers of one request it sends. */
async function ours(hostConfig) {
  const { value: client, warnings: seen } = await warnings(() => new PredictionsClient(hostConfig));
  assert.ok(seen.length <= 1, `one warning at most: ${seen}`);
  const listed = seen.length ? seen[0].slice(seen[0].indexOf('": ') + 3).split(', ') : [];
  const unknown = listed.map((item) => /^`([^`]*)`/.exec(item)?.[1]);
  const before = received.length;
  const table = await client.table('p1', 'predictions', { limit: 10 });
  assert.deepEqual(table.rows, [[1, 2.5], [2, 3.5]]);
  assert.equal(received.length, before + 1);
  return { client, authType: client.authType, unknown, warning: seen[0], headers: received[before] };
}

globalThis.qlikTestAccessToken = async () => 'token-from-a-global-function';
const token = async () => 'token-from-a-function';

test('the authentication type, the fields warned about and the headers are those of @qlik/api', async () => {
  const cases = [
    { host, apiKey: 'key-1' },
    { host, authType: 'ApiKey', apiKey: 'key-2' },
    { host, authType: 'APIKEY', apiKey: 'key-3', webIntegrationId: 'not-for-api-keys' },
    { host, webIntegrationId: 'web-int-1' },
    { host, authType: 'Cookie', webIntegrationId: 'web-int-2', crossSiteCookies: false },
    { host, webintegrationId: 'misspelt' },
    { host, apiKey: 'key-4', clientId: 'client-1', webIntegrationId: 'w' },
    { host, getAccessToken: token },
    { host, authType: 'noauth' },
    { host, authType: 'None' },
    { host, authType: '', apiKey: 'key-5' },
  ];
  for (const hostConfig of cases) {
    const theirs = await official(hostConfig);
    const mine = await ours(hostConfig);
    const what = JSON.stringify(hostConfig);
    assert.equal(mine.authType, theirs.authType, `authType of ${what}`);
    assert.deepEqual(mine.unknown, theirs.unknown, `fields warned about for ${what}: ${mine.warning}`);
    for (const name of ['authorization', 'qlik-web-integration-id']) {
      const expected = Object.entries(theirs.params.headers).find(([k]) => k.toLowerCase() === name)?.[1];
      assert.equal(mine.headers[name], expected, `${name} of ${what}`);
    }
  }
  const misspelt = await ours({ host, webintegrationId: 'misspelt' });
  assert.match(misspelt.warning, /unknown field in the host config, not used with authType "cookie": `webintegrationId` \(did you mean `webIntegrationId`\?\)/);
});

test('clientId makes it OAuth2 with getAccessToken: a function, or the name of a global function', async () => {
  for (const getAccessToken of [token, 'qlikTestAccessToken']) {
    const hostConfig = { host, clientId: 'client-1', getAccessToken, scope: 'user_default', accessTokenStorage: 'session' };
    const theirs = await official(hostConfig);
    const mine = await ours(hostConfig);
    assert.equal(theirs.authType, 'oauth2');
    assert.equal(mine.authType, 'oauth2');
    assert.deepEqual(mine.unknown, theirs.unknown);
    const expected = typeof getAccessToken === 'string' ? 'token-from-a-global-function' : 'token-from-a-function';
    assert.equal(mine.headers.authorization, `Bearer ${expected}`);
  }
  const missing = new PredictionsClient({ host, authType: 'OAuth2', getAccessToken: 'noSuchGlobalFunction' });
  await assert.rejects(missing.table('p1', 'predictions'), (e) => {
    assert.equal(e.name, 'TypeError');
    assert.equal(e.field, 'getAccessToken');
    assert.match(e.message, /no function named "noSuchGlobalFunction" on globalThis/);
    return true;
  });
  assert.throws(() => new PredictionsClient({ host, clientId: 'client-1' }), { name: 'TypeError', field: 'getAccessToken' });
  assert.throws(() => new PredictionsClient({ host, authType: 'oauth2', getAccessToken: 42 }), { field: 'getAccessToken' });
});

test('the authentication types this client cannot serve are refused, naming the field that chose them', async () => {
  const cases = [
    [{ host, accessCode: 'code', clientId: 'client-1' }, 'anonymous', 'accessCode'],
    [{ host, reference: 'registered-config' }, 'reference', 'reference'],
    [{ host, pfx: new Uint8Array([1, 2, 3]), passphrase: 'p' }, 'pfx', 'pfx'],
    [{ host, authType: 'WindowsCookie', loginUri: 'https://x/login' }, 'windowscookie', 'authType'],
    [{ host, authType: 'anonymous', accessCode: 'a', clientId: 'c' }, 'anonymous', 'authType'],
  ];
  for (const [hostConfig, type, field] of cases) {
    assert.equal((await qlikAuth.determineAuthType(hostConfig)).toLowerCase(), type);
    assert.throws(() => new PredictionsClient(hostConfig), (e) => {
      assert.equal(e.name, 'TypeError');
      assert.equal(e.field, field, e.message);
      assert.match(e.message, new RegExp(`authType "${type}"[^]*is not supported by this client`));
      return true;
    });
  }
  const theirs = await official({ host, authType: 'NoSuchType' });
  assert.ok(theirs.params instanceof Error);
  assert.equal(theirs.params.name, 'InvalidAuthTypeError');
  assert.throws(() => new PredictionsClient({ host, authType: 'NoSuchType' }),
    { name: 'TypeError', field: 'authType', message: /"NoSuchType" is not an authentication type/ });
});

test('host keeps the path prefix, as @qlik/api does', () => {
  const client = new PredictionsClient({ host: 'proxy.example.com/qlik//', authType: 'none' });
  assert.equal(client.host, 'https://proxy.example.com/qlik');
  assert.equal(new PredictionsClient({ host, apiKey: 'k' }).host, host.replace(/\/$/, ''));
});
