/**
 * `plan --diff` rendering: the unified diff of a file change (pure), its masking, and how the plan prints
 * it, coloured only when asked.
 */
import { describe, expect, it } from 'vitest';
import type { FileChange } from '../../../engine/actions/define.js';
import { maskFileDiff, renderFileDiff } from '../../../engine/runner/dry-run-diff.js';
import { SecretMasker } from '../../../engine/secrets.js';
import { colourWanted, formatFileDiff } from '../../../engine/ui/file-diff.js';

const root = (content: string, mode = '0644'): FileChange['after'] => ({ content, mode, owner: 'root' });

describe('renderFileDiff', () => {
  it('a changed file: git-style headers, hunks with three lines of context', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\n';
    const after = 'a\nb\nc\nd\nE\nf\ng\n';
    const diff = renderFileDiff({ path: '/etc/app.conf', before: root(before), after: root(after) });
    expect(diff).toEqual({
      path: '/etc/app.conf',
      change: 'changed',
      attributes: [],
      lines: ['--- a/etc/app.conf', '+++ b/etc/app.conf', '@@ -2,6 +2,6 @@', ' b', ' c', ' d', '-e', '+E', ' f', ' g'],
    });
  });

  it('a missing file diffs against /dev/null and names its mode and owner', () => {
    const diff = renderFileDiff({ path: '/etc/new.conf', after: root('x=1\ny=2\n', '0600') });
    expect(diff.change).toBe('created');
    expect(diff.attributes).toEqual(['new file mode 0600, owner root']);
    expect(diff.lines).toEqual(['--- /dev/null', '+++ b/etc/new.conf', '@@ -0,0 +1,2 @@', '+x=1', '+y=2']);
  });

  it('the same content and attributes: no change, no lines', () => {
    const same = root('k=v\n');
    expect(renderFileDiff({ path: '/x', before: same, after: same })).toEqual({ path: '/x', change: 'unchanged', attributes: [], lines: [] });
  });

  it('a mode or owner change alone is a change with no diff lines', () => {
    const diff = renderFileDiff({ path: '/x', before: { content: 'k\n', mode: '0600', owner: 'app' }, after: root('k\n') });
    expect(diff).toEqual({ path: '/x', change: 'changed', attributes: ['mode 0600 → 0644', 'owner app → root'], lines: [] });
  });

  it('a missing final newline is marked as diff marks it', () => {
    const diff = renderFileDiff({ path: '/x', before: root('a'), after: root('a\n') });
    expect(diff.lines).toEqual(['--- a/x', '+++ b/x', '@@ -1,1 +1,1 @@', '-a', '\\ No newline at end of file', '+a']);
  });

  it('caps a long diff and says how many lines were left out', () => {
    const after = Array.from({ length: 1000 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const diff = renderFileDiff({ path: '/big', after: root(after) }, 50);
    expect(diff.lines).toHaveLength(50);
    expect(diff.omitted).toBe('953 more diff lines not shown');
  });

  it('a secret masked on both sides of the diff', () => {
    const masker = new SecretMasker();
    masker.add('s3cr3t-canary');
    const diff = maskFileDiff(
      renderFileDiff({ path: '/etc/auth', before: root('token=s3cr3t-canary v1\nkeep\n'), after: root('token=s3cr3t-canary v2\nkeep\n') }),
      masker,
    );
    expect(diff.lines).toEqual(['--- a/etc/auth', '+++ b/etc/auth', '@@ -1,2 +1,2 @@', '-token=*** v1', '+token=*** v2', ' keep']);
    expect(JSON.stringify(diff)).not.toContain('s3cr3t-canary');
  });

  it('the value a secret replaces is hidden too: a removed line keeps only what it shares with its masked line', () => {
    const masker = new SecretMasker();
    masker.add('abcd-new-token');
    const before = 'user=ops\ntoken=abcd-old-token # rotated\nlast=1';
    const after = 'user=ops\ntoken=abcd-new-token # rotated\nlast=2';
    const diff = maskFileDiff(renderFileDiff({ path: '/etc/auth', before: root(before), after: root(after) }), masker);
    expect(diff.lines).toEqual([
      '--- a/etc/auth',
      '+++ b/etc/auth',
      '@@ -1,3 +1,3 @@',
      ' user=ops',
      '-token=*** # rotated',
      '-last=1',
      '\\ No newline at end of file',
      '+token=*** # rotated',
      '+last=2',
      '\\ No newline at end of file',
    ]);
    // The shared prefix is taken from the masked line, so no character of the new secret shows either.
    expect(JSON.stringify(diff)).not.toMatch(/abcd|old-token/);
  });

  it('lines without a secret are left as they are', () => {
    const masker = new SecretMasker();
    masker.add('unused-secret');
    const diff = renderFileDiff({ path: '/x', before: root('a=1\n'), after: root('a=2\n') });
    expect(maskFileDiff(diff, masker)).toEqual(diff);
  });
});

describe('formatFileDiff', () => {
  const diff = renderFileDiff({ path: '/etc/app.conf', before: root('a\n', '0600'), after: root('b\n') });

  it('plain: the path, attribute lines, then the diff, indented', () => {
    expect(formatFileDiff(diff, '  ', false)).toEqual([
      '  /etc/app.conf: would change',
      '    mode 0600 → 0644',
      '    --- a/etc/app.conf',
      '    +++ b/etc/app.conf',
      '    @@ -1,1 +1,1 @@',
      '    -a',
      '    +b',
    ]);
  });

  it('coloured: added lines green, removed lines red, the text unchanged', () => {
    const lines = formatFileDiff(diff, '', true);
    expect(lines.find((l) => l.includes('+b'))).toBe('  \u001b[32m+b\u001b[0m');
    expect(lines.find((l) => l.includes('-a'))).toBe('  \u001b[31m-a\u001b[0m');
    expect(lines.map((l) => l.replace(/\u001b\[\d+m/g, ''))).toEqual(formatFileDiff(diff, '', false));
  });

  it('no change says so', () => {
    const same = root('k\n');
    expect(formatFileDiff(renderFileDiff({ path: '/x', before: same, after: same }), '', false)).toEqual(['/x: no change']);
  });

  it('colour only on a terminal without NO_COLOR or TERM=dumb', () => {
    expect(colourWanted({ isTTY: true }, {})).toBe(true);
    expect(colourWanted({ isTTY: false }, {})).toBe(false);
    expect(colourWanted({}, {})).toBe(false);
    expect(colourWanted({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colourWanted({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });
});
