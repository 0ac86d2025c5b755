// `npm run bench`: writes the benchmark inputs (git-ignored bench-data/, skipped when present)
// and prints the decoder's native throughput next to the `csv` crate's on the same data.
//   BENCH_MB (default 64): size of each generated file; BENCH_RUNS (default 7).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'bench-data');
const mb = process.env.BENCH_MB ?? '64';
const runs = process.env.BENCH_RUNS ?? '7';

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!existsSync(join(dir, 'shap.csv')) || !existsSync(join(dir, 'quoted.csv'))) {
  run(process.execPath, [join(root, 'scripts', 'gen-bench-data.mjs'), dir, mb]);
}
run('cargo', ['run', '--release', '--example', 'decode_bench', '--', dir, runs]);
