// Generates the JS reference from the package's declarations (pkg/index.d.ts and the glue's,
// which hold the TypeScript declared beside the Rust code) with TypeDoc, into api-docs/
// (git-ignored), or into the folder given as the first argument. Every exported member must be
// documented: TypeDoc's warnings (an undocumented member, a broken link) fail the run.
//
// TypeDoc needs TypeScript 6 or older and the project's own checks run on TypeScript 7, so it
// lives in a project of its own, scripts/docs/, installed here (exact versions, its own lock)
// when missing. Expects the package built (node scripts/build.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tool = join(root, 'scripts', 'docs');
const out = resolve(process.argv[2] ?? join(root, 'api-docs'));

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit', env: process.env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!existsSync(join(root, 'pkg', 'index.d.ts'))) {
  console.error('docs: build the package first (node scripts/build.mjs)');
  process.exit(1);
}
if (!existsSync(join(tool, 'node_modules', 'typedoc', 'package.json'))) {
  run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], tool);
}
run(process.execPath, [join(tool, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--options', join(tool, 'typedoc.json'), '--out', out], tool);
console.log(`docs: the JS reference is in ${out}`);
