#!/usr/bin/env node
// Runs the mock Qlik tenant from the command line. `--help` lists the flags.
import path from 'node:path';
import { parseArgs } from 'node:util';
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

Faults on demand: query parameters of an API request, or written inside its refId value
(refId=mock503%3D2%26mockKey%3Da), which is all a client can set:
  mockDelay=<ms>             wait before answering
  mock429=<n>, mock503=<n>   answer the first n requests (per prediction, file and mockKey)
                             with 429 / 503; mockRetryAfter=<s> sets retry-after
  mock502=<n>, mock504=<n>   a gateway's HTML error page for the first n requests (per route,
                             prediction and mockKey), before authentication
  mockRedirect=<3xx>         with mockRedirectTo=<origin>: redirect to the same path and query
                             (without these two flags) on that origin, before authentication
  mockDrop=<n>               close the connection of the first n requests without an HTTP answer
                             (after a few bytes that are not HTTP, so that a browser does not
                             resend the request itself)
  mockStatus=<4xx|5xx>       answer with that status (mockHtml=1: an HTML proxy page, 502 alone)
  mockGzip=1, mockChunked=1  gzip the body / send it without Content-Length
  mockReset=<bytes>          reset the connection (TCP RST) after that many body bytes
  mockEarlyEnd=<bytes>       close the connection after that many bytes of a longer body
  mockDrip=<ms>              send the body a few bytes at a time, this far apart
  mockStall=<ms>             stop sending for this long after mockStallAfter bytes (default 1024)
  mockBom=1, mockBadUtf8=1   a UTF-8 BOM / invalid UTF-8 in data row 1
  mockMalformed=<kinds>      fields (an extra field on data row 2), quote (a last record with an
                             unterminated quoted field), short (a last record with too few
                             fields and no line break); several as fields,quote
  mockWide=<columns>         instead of the file: a header of that many empty names, then
                             mockWideRows (default 1) rows of that many cells "1"
  mockPad=<bytes>            pad the JSON of a mockStatus error or of the jobs answer to that size

Routes without a refId (jobs, csrf-token) get fault flags armed beforehand:
  POST /__mock/arm?route=<route>&count=<n>&<mock flags>   the next n requests of that route
`;

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
