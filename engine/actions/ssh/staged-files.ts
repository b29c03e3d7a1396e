/**
 * Local files a remote command needs (a script, compose files, a file about to be installed), sent on the
 * command's stdin into a private directory that lives exactly as long as the command. One SSH session does it
 * all: make the directory, write the files, run the command, remove the directory on the way out — also when
 * the command is stopped (TERM) or the connection drops because the runner was killed (the shell exits once
 * the command does, and its EXIT trap removes the directory). Files uploaded beforehand by SFTP stayed on the
 * node when the runner died between the upload and the clean-up.
 *
 * Each file travels as one base64 line, read with the shell's `read`, which takes no byte past the line.
 */

export interface StagedFile {
  /** The file's name in the directory: letters, digits, `.`, `_` and `-`. */
  readonly name: string;
  readonly content: string | Buffer;
  /** Octal mode; default 0600. */
  readonly mode?: string;
}

/** `DIR` in plan lines: where the files go. */
export const STAGE_DIR = '$DIR';

const SAFE_NAME = /^[A-Za-z0-9._-]+$/;

/** The shell word of a staged file's path: `"$d"/NAME`. */
export function stagedPath(name: string): string {
  if (!SAFE_NAME.test(name) || name === '.' || name === '..') throw new Error(`staged file name ${JSON.stringify(name)} is not a plain file name`);
  return `"$d"/${name}`;
}

/**
 * The command line and its stdin: `command` runs in a POSIX shell with `$d` the directory, its own stdin
 * closed, and the shell's exit code as its own. `prefix` names the directory (`/tmp/PREFIX.XXXXXX`).
 */
export function stagedCommand(prefix: string, files: readonly StagedFile[], command: string): { command: string; stdin: string } {
  const lines = [
    `d=$(mktemp -d /tmp/${prefix}.XXXXXX) || exit 1`,
    `trap 'rm -rf "$d"' EXIT`,
    // A signal ends the shell through exit, so that the EXIT trap runs (dash skips it on a fatal signal).
    `trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 141' PIPE; trap 'exit 143' TERM`,
    ...files.map((f) => {
      const path = stagedPath(f.name);
      return `IFS= read -r line && printf '%s' "$line" | base64 -d > ${path} && chmod ${f.mode ?? '0600'} ${path} || exit 1`;
    }),
    // `exec`, not a subshell: the command's stdin is closed, so one that prompts unexpectedly fails at once.
    `exec </dev/null; ${command}`,
  ];
  const stdin = files.map((f) => `${Buffer.from(f.content).toString('base64')}\n`).join('');
  // In a subshell: the umask, the traps and an `exit` stay inside it, whatever the line is joined to.
  return { command: `(umask 077; ${lines.join('\n')}\n)`, stdin };
}
