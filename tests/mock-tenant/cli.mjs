#!/usr/bin/env node
// Runs the mock Qlik tenant from the command line. `--help` lists the flags.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { faultHelp } from './faults.mjs';
import { startMockTenant, startStaticServer, SAMPLE_DATASETS } from './server.mjs';

const HELP = `Usage: node tests/mock-tenant/cli.mjs [flags]

  --port <n>                 port of the tenant (default 8787; 0 = random)
  --host <addr>              address to listen on (default 127.0.0.1)
  --static <dir>=<prefix>    serve <dir> under URL <prefix> (repeatable; prefix defaults to /),
                             e.g. --static www=/ --static pkg=/pkg/
  --anonymous                API calls need no session or API key
  --api-key <token>          a valid "Authorization: Bearer" token (repeatable)
  --web-integration <id>=<origin>[,<origin>...]
                             a web integration ID and its allowed origins (repeatable)
  --strict-cors              no CORS headers for refused origins (like a real tenant)
  --rate-limit <spec>        tier1=<n>,tier2=<n>,windowMs=<ms>, or "off" (default 1000,100,60000)
  --mashup-port <n>          also serve the --static mounts on this port as a second origin
  --log                      print one line per request
  --help                     this text

${faultHelp()}`;

function fail(message) {
  console.error(`cli: ${message}\n\n${HELP}`);
  process.exit(2);
}

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      static: { type: 'string', multiple: true, default: [] },
      anonymous: { type: 'boolean', default: false },
      'api-key': { type: 'string', multiple: true, default: [] },
      'web-integration': { type: 'string', multiple: true, default: [] },
      'strict-cors': { type: 'boolean', default: false },
      'rate-limit': { type: 'string' },
      'mashup-port': { type: 'string' },
      log: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  }));
} catch (e) {
  fail(e.message);
}
if (args.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

function port(value, name) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) fail(`${name} must be a port number, got "${value}"`);
  return n;
}

const mounts = {};
for (const spec of args.static) {
  const eq = spec.lastIndexOf('=');
  const dir = eq < 0 ? spec : spec.slice(0, eq);
  const prefix = eq < 0 ? '/' : spec.slice(eq + 1) || '/';
  mounts[prefix] = path.resolve(dir);
}

const webIntegrations = {};
for (const spec of args['web-integration']) {
  const eq = spec.indexOf('=');
  if (eq <= 0) fail(`--web-integration needs <id>=<origin>[,<origin>...], got "${spec}"`);
  webIntegrations[spec.slice(0, eq)] = spec.slice(eq + 1).split(',').map((s) => s.trim()).filter(Boolean);
}

let rateLimits;
if (args['rate-limit'] === 'off') {
  rateLimits = false;
} else if (args['rate-limit']) {
  rateLimits = {};
  for (const part of args['rate-limit'].split(',')) {
    const [k, v] = part.split('=');
    if (!['tier1', 'tier2', 'windowMs'].includes(k) || !Number.isFinite(Number(v))) fail(`bad --rate-limit part "${part}"`);
    rateLimits[k] = Number(v);
  }
}

const tenant = await startMockTenant({
  port: port(args.port, '--port'),
  host: args.host,
  static: mounts,
  allowAnonymous: args.anonymous,
  apiKeys: args['api-key'],
  webIntegrations,
  strictCors: args['strict-cors'],
  rateLimits,
  onRequest: args.log
    ? (r) => console.log(`${new Date(r.time).toISOString()} ${r.method} ${r.path}${Object.keys(r.query).length ? `?${new URLSearchParams(r.query)}` : ''} -> ${r.status}${r.fault ? ` (${r.fault})` : r.aborted ? ' (client aborted)' : ''} ${r.bytesWritten} B${r.origin ? ` origin=${r.origin}` : ''}`)
    : undefined,
}).catch((e) => fail(`cannot start the tenant: ${e.message}`));

console.log(`Mock Qlik tenant on ${tenant.url}`);
for (const [prefix, dir] of Object.entries(mounts)) console.log(`  static ${prefix} -> ${dir}`);
console.log(`  auth: ${args.anonymous ? 'anonymous allowed' : 'session cookie or API key required'} (login: ${tenant.url}/login?returnto=/)`);
console.log(`  sample prediction IDs: ${SAMPLE_DATASETS.map((d) => d.id).join(', ')}, rows-<N>, bytes-<N>`);

let mashup = null;
if (args['mashup-port'] !== undefined) {
  mashup = await startStaticServer({ port: port(args['mashup-port'], '--mashup-port'), host: args.host, static: mounts })
    .catch((e) => fail(`cannot start the mashup server: ${e.message}`));
  console.log(`Mashup (static) origin on ${mashup.url}`);
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, async () => {
    await Promise.all([tenant.close(), mashup?.close()]);
    process.exit(0);
  });
}
