import { describe, expect, it } from 'vitest';
import { JsonReporter } from '../../../engine/ui/json.js';
import { PlainReporter } from '../../../engine/ui/plain.js';
import { ProgressReporter } from '../../../engine/ui/progress.js';
import { chooseReporter } from '../../../engine/ui/reporters.js';
import { capture } from './capture.js';

describe('chooseReporter', () => {
  it('picks json, progress on a plain TTY, else plain lines', () => {
    const tty = capture(true).stream;
    const pipe = capture(false).stream;
    expect(chooseReporter({ json: true, out: tty, env: {} })).toBeInstanceOf(JsonReporter);
    expect(chooseReporter({ json: false, out: tty, env: {} })).toBeInstanceOf(ProgressReporter);
    expect(chooseReporter({ json: false, out: tty, env: { NO_COLOR: '1' } })).toBeInstanceOf(PlainReporter);
    expect(chooseReporter({ json: false, out: tty, env: { CI: 'true' } })).toBeInstanceOf(PlainReporter);
    expect(chooseReporter({ json: false, out: pipe, env: {} })).toBeInstanceOf(PlainReporter);
  });
});
