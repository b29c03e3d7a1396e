import { writeFileSync } from 'node:fs';
import { loadRunbook, plan, systemPorts } from './dist/engine/index.js';
const lines = ['name: generated', 'inputs:', '  n: { type: integer, default: 1 }', 'steps:'];
for (let i = 0; i < 10000; i += 1) { lines.push(`  - id: s${i}`); if (i > 0) lines.push(`    needs: [s${i - 1}]`); lines.push('    action: shell'); lines.push(`    with: { command: "echo \${{ inputs.n }} step ${i}" }`); }
writeFileSync('/tmp/p10k.yaml', lines.join('\n') + '\n');
for (let r = 0; r < 4; r++) {
const t0 = performance.now();
const rb = loadRunbook('/tmp/p10k.yaml').value;
const t1 = performance.now();
await plan({ runbook: rb, inputs: { n: 1 }, ports: systemPorts(process.stdin, process.stderr) });
const t2 = performance.now();
console.log((t1-t0).toFixed(0), (t2-t1).toFixed(0));
}
