/**
 * Diagnostics as the terminal shows them: `file:line:col: error CODE: …` with the source line and a caret.
 * Apart from load.ts so that a command that fails early does not load the runbook loader to say so.
 */
import { readFileSync } from 'node:fs';
import type { Diagnostic } from '../dsl/diagnostics.js';
import { formatDiagnostic } from '../ui/diagnostics.js';
import { say, type CliIo } from './io.js';

export function printDiagnostics(io: CliIo, diagnostics: readonly Diagnostic[]): void {
  const sources = new Map<string, string | undefined>();
  for (const d of diagnostics) {
    if (!sources.has(d.source.file)) {
      let text: string | undefined;
      try {
        text = readFileSync(d.source.file, 'utf8');
      } catch {
        text = undefined;
      }
      sources.set(d.source.file, text);
    }
    say(io, formatDiagnostic(d, sources.get(d.source.file)));
  }
}
