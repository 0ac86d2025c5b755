// The JS reference (npm run docs): TypeDoc over the built package's declarations, with every
// exported member documented, else a warning that fails the run (scripts/docs.mjs). Expects the
// package built, as npm test does first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('the reference is generated with no warning (every member documented)', () => {
  const out = mkdtempSync(join(tmpdir(), 'api-docs-'));
  try {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'docs.mjs'), out], { cwd: root, encoding: 'utf8' });
    const output = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.status, 0, output);
    assert.doesNotMatch(output, /warning/i);
    for (const page of ['classes/PredictionsClient.html', 'classes/RecordBatch.html', 'functions/parseCsv.html', 'interfaces/ClientConfig.html']) {
      assert.ok(existsSync(join(out, page)), `${page} is generated`);
    }
    const client = readFileSync(join(out, 'classes', 'PredictionsClient.html'), 'utf8');
    assert.match(client, /deprecated/i, 'the endpoint methods are marked deprecated');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
