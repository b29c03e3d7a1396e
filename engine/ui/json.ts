/**
 * `--json`: one JSON object per line on stdout and nothing else, so scripts can follow a run.
 * Events are already masked by the runner.
 */
import type { Reporter, RunEvent } from '../runner/events.js';

export class JsonReporter implements Reporter {
  private readonly out: NodeJS.WritableStream;
  private readonly now: () => Date;

  constructor(out: NodeJS.WritableStream, options: { now?: () => Date } = {}) {
    this.out = out;
    this.now = options.now ?? (() => new Date());
  }

  onEvent(event: RunEvent): void {
    this.out.write(`${JSON.stringify({ ts: this.now().toISOString(), ...event })}\n`);
  }

  /** Resolves once everything written so far has been handed to the operating system. */
  flush(): Promise<void> {
    return new Promise((resolve) => this.out.write('', () => resolve()));
  }

  close(): Promise<void> {
    return this.flush();
  }
}
