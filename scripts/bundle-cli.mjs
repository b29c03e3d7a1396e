// Build step, after tsc and the schema precompile: bundles the command line (dist/engine/cli/main.js and
// the engine it reaches) into dist/cli/, one chunk per command loaded on demand. A Node.js process loads each
// ES module file on its own; the ~200 files of the engine cost a `runbook` process about 80 ms at start,
// the bundle's few chunks a fraction of that. Libraries stay outside (node_modules); the API (`dist/engine/`)
// is left as tsc wrote it.
import { copyFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'cli');
rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'dist', 'engine', 'cli', 'main.js')],
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
// The precompiled validators are found beside the module that loads them (engine/dsl/compiled-schemas.ts).
const { GENERATED_FILE } = await import(join(root, 'dist', 'engine', 'dsl', 'compiled-schemas.js'));
copyFileSync(join(root, 'dist', 'engine', 'dsl', GENERATED_FILE), join(out, GENERATED_FILE));
console.log(`bundled the command line into ${out}`);
