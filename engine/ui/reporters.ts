/**
 * Which reporter draws a run: `--json` for scripts, listr2 progress for a person at a terminal,
 * plain lines for logs, pipes, CI and `NO_COLOR`.
 */
import type { Reporter } from '../runner/events.js';
import { JsonReporter } from './json.js';
import { PlainReporter } from './plain.js';
import { ProgressReporter } from './progress.js';

export function chooseReporter(options: { json: boolean; out: NodeJS.WriteStream; env: NodeJS.ProcessEnv; verbose?: boolean }): Reporter {
  const { json, out, env } = options;
  if (json) return new JsonReporter(out);
  // NO_COLOR counts when set to anything non-empty (no-color.org); CI logs are not terminals to redraw.
  const noColor = env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '';
  const ci = env['CI'] !== undefined && env['CI'] !== '' && env['CI'] !== 'false' && env['CI'] !== '0';
  if (out.isTTY === true && !noColor && !ci && env['TERM'] !== 'dumb') return new ProgressReporter(out);
  return new PlainReporter(out, { verbose: options.verbose ?? false });
}
