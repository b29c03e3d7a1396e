/**
 * The local shell port, on zx. zx is imported on first use: commands that never run a local
 * command (validate, plan, list) should not pay for loading it.
 */
import type { CommandResult, ShellPort, ShellRequest } from './ports.js';
import { posixQuote } from '../expr/shell-quote.js';

type Zx = typeof import('zx');
let zx: Promise<Zx> | undefined;

function loadZx(): Promise<Zx> {
  zx ??= import('zx');
  return zx;
}

/** Splits a stream of chunks into complete lines for `onLine`. */
function lineSplitter(emit: (line: string) => void): { push(chunk: string): void; end(): void } {
  let rest = '';
  return {
    push(chunk) {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) emit(line.replace(/\r$/, ''));
    },
    end() {
      if (rest.length > 0) emit(rest);
      rest = '';
    },
  };
}

export function createZxShell(): ShellPort {
  return {
    quote: posixQuote,
    async run(request: ShellRequest): Promise<CommandResult> {
      const { $ } = await loadZx();
      const shell = $({
        cwd: request.cwd ?? process.cwd(),
        env: { ...process.env, ...request.env },
        signal: request.signal,
        nothrow: true,
        quiet: true,
        verbose: false,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      // The command is already a complete, quoted command line: pass it as the template's only piece.
      const pieces = Object.assign([request.command], { raw: [request.command] });
      const process$ = shell(pieces as unknown as TemplateStringsArray);
      if (request.onLine !== undefined) {
        const onLine = request.onLine;
        const out = lineSplitter((l) => onLine('stdout', l));
        const err = lineSplitter((l) => onLine('stderr', l));
        process$.stdout.on('data', (c: Buffer) => out.push(c.toString('utf8')));
        process$.stdout.on('end', () => out.end());
        process$.stderr.on('data', (c: Buffer) => err.push(c.toString('utf8')));
        process$.stderr.on('end', () => err.end());
      }
      const output = await process$;
      return {
        stdout: output.stdout,
        stderr: output.stderr,
        exitCode: output.exitCode ?? (output.signal === null ? 1 : 128),
        ...(output.signal === null ? {} : { signal: output.signal }),
      };
    },
  };
}
