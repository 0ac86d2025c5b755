// `npm run bench`: the browser benchmark (bench/run.mjs): installs what is missing (Chromium
// too), builds the package, generates the data once (git-ignored bench-data/), runs, and writes
// the reports into bench-results/. Options are passed on: `npm run bench -- --size 20 --runs 3`
// (`npm run bench -- --help` lists them).
//
// `npm run bench -- --native`: the native decoder benchmark (examples/decode_bench.rs) on
// bench-data/shap.csv and bench-data/quoted.csv, written once;
//   BENCH_MB (default 64): size of each generated file; BENCH_RUNS (default 7).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

function run(cmd, cmdArgs) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (args.includes('--help') || args.includes('-h')) {
  console.log('npm run bench -- --native   the native decoder benchmark (BENCH_MB, BENCH_RUNS)\n');
  run(process.execPath, [join(root, 'bench', 'run.mjs'), '--help']);
} else if (args.includes('--native')) {
  const dir = join(root, 'bench-data');
  run('bash', [join(root, 'scripts', 'setup.sh')]);
  if (!['shap.csv', 'quoted.csv', 'predictions.csv'].every((f) => existsSync(join(dir, f)))) {
    run(process.execPath, [join(root, 'scripts', 'gen-bench-data.mjs'), dir, process.env.BENCH_MB ?? '64']);
  }
  run('cargo', ['run', '--release', '--example', 'decode_bench', '--', dir, process.env.BENCH_RUNS ?? '7']);
} else {
  run('bash', [join(root, 'scripts', 'setup.sh'), '--browser']);
  run(process.execPath, [join(root, 'scripts', 'build.mjs')]);
  run(process.execPath, [join(root, 'bench', 'run.mjs'), ...args]);
}
