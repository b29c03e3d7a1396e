/**
 * Lines of a successful run's terminal output that read like an error. An expected condition (a record
 * not written yet, a network already gone) must not print as one: an operator reading the run would
 * look for a fault that is not there.
 */
const ERROR_WORDS = /\b(error|errors|fail|failed|failure|fatal|not found|no such file|cannot|denied|refused|warning)\b/i;

export function errorLookingLines(output: string): string[] {
  // The closing summary counts failures: "0 failed" says there were none.
  return output.split('\n').filter((line) => ERROR_WORDS.test(line.replace(/\b0 failed\b/g, '')));
}
