// init()'s warm-up (js/loader.js's warmUpWith, the run client.js registers), in Node with the
// built package (pkg/, which `npm test` builds first): it runs the code a first call runs on a
// client that sends nothing and on a CSV held in memory, so it sends no request, writes no
// warning, leaves the pool of released buffers unused (a release there would make every later
// batch's buffer room for reuse) and leaves the calls after it as they would be without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';

test('init() warms up without a request, a warning or a release, and calls after it work', async () => {
  const requests = [];
  const warnings = [];
  const realFetch = globalThis.fetch;
  const realWarn = console.warn;
  const RealResponse = globalThis.Response;
  const made = [];
  globalThis.Response = class extends RealResponse {
    constructor(...args) {
      super(...args);
      made.push(this);
    }
  };
  globalThis.fetch = (...args) => {
    requests.push(args);
    return realFetch(...args);
  };
  console.warn = (...args) => warnings.push(args);
  try {
    const pkg = await import('../../pkg/index.js');
    await pkg.default();
    // The warm-up's parse runs in the promise jobs and tasks after init() resolves.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(made.length, 1, 'the warm-up parses one CSV held in a Response');
    assert.ok(made[0].bodyUsed, 'and reads it');
    assert.deepEqual(requests, [], 'the warm-up sends nothing');
    assert.deepEqual(warnings, [], 'the warm-up warns about nothing');
    assert.deepEqual(pkg.__internals.spares(), { bytes: 0, made: 0, reused: 0 }, 'nothing released');
    assert.equal(pkg.__internals.instances(), 1);

    const client = new pkg.PredictionsClient({ host: 'tenant.example.com', apiKey: 'k' });
    assert.equal(client.authType, 'apikey');
    const rows = [];
    for await (const batch of pkg.parseCsv(new Response('id,p,label\n7,0.25,"a, b"\n8,x,c\n'))) rows.push(...batch.toRows());
    assert.deepEqual(rows, [[7, 0.25, 'a, b'], [8, 'x', 'c']]);
    assert.deepEqual(requests, [], 'parsing a Response sends nothing either');
    assert.equal(made.length, 2);
  } finally {
    globalThis.fetch = realFetch;
    console.warn = realWarn;
    globalThis.Response = RealResponse;
  }
});
