// init()'s warm-up (js/loader.js's warmUpWith, the run client.js registers), in Node with the
// built package (pkg/, which `npm test` builds first): it runs the code a first call runs on a
// client that sends nothing (a stream opened on an aborted signal) and on a CSV held in
// memory, so it sends no request, writes no
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
    // The streams the warm-up opens, with the signal each was given.
    const opened = [];
    const stream = pkg.PredictionsClient.prototype.stream;
    pkg.PredictionsClient.prototype.stream = function (id, dataset, options) {
      const s = stream.call(this, id, dataset, options);
      const seen = { signal: options?.signal, reads: [] };
      opened.push(seen);
      // What each read of the warm-up's loop gives (the stream itself left unlocked).
      const iterate = s[Symbol.asyncIterator].bind(s);
      s[Symbol.asyncIterator] = () => {
        const it = iterate();
        const next = it.next.bind(it);
        it.next = () => {
          const read = next();
          seen.reads.push(read.then(({ done }) => (done ? 'done' : 'batch'), (e) => e));
          return read;
        };
        return it;
      };
      return s;
    };
    try {
      await pkg.default();
    } finally {
      pkg.PredictionsClient.prototype.stream = stream;
    }
    // The warm-up's parse runs in the promise jobs and tasks after init() resolves.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(opened.length, 1, 'the warm-up opens one stream of a client');
    assert.ok(opened[0].signal?.aborted, 'on an aborted signal');
    const reads = await Promise.all(opened[0].reads);
    assert.equal(reads.length, 1, 'read once');
    assert.equal(reads[0]?.name, 'AbortError', 'which ends it with the abort, before any request');
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
