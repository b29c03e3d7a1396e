/**
 * `max_failures`: how many failed instances a fan-out or `foreach` step tolerates, as a count (`2`) or as
 * a share of the step's instances (`25%`). A share of p% over N instances tolerates floor(N × p / 100)
 * failures — the step fails as soon as more than p% of its instances failed, as Ansible's
 * `max_fail_percentage` does: `0%` tolerates none, `100%` all.
 */

/** A share as written: a whole percentage from 0% to 100%. The runbook schema carries the same pattern (a test pins them together). */
export const FAILURE_SHARE_PATTERN = '^(100|[1-9]?[0-9])%$';

const SHARE = new RegExp(FAILURE_SHARE_PATTERN);

/** A count of failed instances, or a share of the instances in percent. */
export type FailureLimit = number | { readonly percent: number };

/** A written `max_failures` in its resolved form, or `undefined` when it is neither a count nor a share. */
export function parseFailureLimit(written: number | string): FailureLimit | undefined {
  if (typeof written === 'number') return Number.isSafeInteger(written) && written >= 0 ? written : undefined;
  return SHARE.test(written) ? { percent: Number.parseInt(written, 10) } : undefined;
}

/** How many of `instances` may fail before the step fails and starts no more of them. */
export function toleratedFailures(limit: FailureLimit, instances: number): number {
  // Integer arithmetic: N × p is exact, so 10 × 30% is 3, never 2.9999.
  return typeof limit === 'number' ? limit : Math.floor((instances * limit.percent) / 100);
}

/** What to write instead of a `max_failures` the schema refused. */
export function suggestFailureLimit(value: unknown): string {
  const either = 'write a count of failed instances (a whole number ≥ 0, e.g. 2) or a share of the instances from "0%" to "100%" (e.g. "25%")';
  if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) {
    const n = value.trim();
    return `write ${n} for at most ${n} failed instances, or "${n}%" for a share of the instances`;
  }
  const share = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value) : null;
  if (share !== null) {
    const p = Number(share[1]);
    if (p > 100) return 'a share goes up to "100%" (every instance may fail): write "100%" or less, e.g. "25%"';
    return `write a whole percentage, e.g. "${Math.floor(p)}%"`;
  }
  if (typeof value === 'number' && Number.isFinite(value) && value > 0 && !Number.isInteger(value)) {
    return `write a whole number of failed instances, e.g. ${Math.floor(value)}, or a share like "25%"`;
  }
  return either;
}
