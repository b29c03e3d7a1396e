/**
 * What a bug in runbook shows: one line with the failure, the run and the file holding the trace;
 * the trace itself only in that file, secrets masked.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { noteRun, reportInternal, TRACE_FILE } from '../../../engine/internal-error.js';

describe('internal errors', () => {
  it('print one line naming the failure and the run, and write the trace into the run directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-'));
    noteRun('20261204T040000Z-abcdef', dir);
    const bug = new TypeError("Cannot read properties of undefined (reading 'token-s3cr3t')");
    const line = reportInternal(bug, (t) => t.replaceAll('s3cr3t', '***'));
    expect(line).toBe(
      `internal error in run 20261204T040000Z-abcdef: TypeError: Cannot read properties of undefined (reading 'token-***'); the full trace is in ${join(dir, TRACE_FILE)}`,
    );
    expect(line).not.toContain('\n');
    const trace = readFileSync(join(dir, TRACE_FILE), 'utf8');
    expect(trace).toContain('at ');
    expect(trace).toContain('internal-error.test.ts');
    expect(trace).not.toContain('s3cr3t');
    expect(statSync(join(dir, TRACE_FILE)).mode & 0o777).toBe(0o600);
  });

  it('outside a run the trace goes to the temporary directory', () => {
    const line = reportInternal(new Error('boom'), (t) => t, null);
    expect(line).toMatch(/^internal error: Error: boom; the full trace is in .*runbook-internal-error-\d+\.log$/);
  });
});
