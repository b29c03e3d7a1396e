/**
 * `npm run bench`: prints the engine's figures (and the lab's, when it can run here) as a table.
 */
import { rmSync } from 'node:fs';
import { benchPlan, benchResume, benchSteps, benchWorkDir } from './engine.js';

function print(figures: Record<string, number>): void {
  for (const [name, value] of Object.entries(figures)) {
    console.log(`${name.padEnd(44)} ${Number.isInteger(value) ? value : value.toFixed(2)}`);
  }
}

const dir = benchWorkDir();
try {
  print(await benchPlan(dir));
  print(await benchSteps(dir));
  print(await benchResume(dir));
  print({ peak_rss_mib: process.resourceUsage().maxRSS / 1024 });
  if (process.argv.includes('--lab') || process.env['RUNBOOK_BENCH_LAB'] === '1') {
    const { benchLab } = await import('./lab.js');
    print(await benchLab());
    const { benchSsh } = await import('./ssh.js');
    print(await benchSsh());
    const { benchProcedures } = await import('./procedures.js');
    print(await benchProcedures());
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
