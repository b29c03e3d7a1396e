import { createHash } from 'node:crypto';

/** Hex SHA-256 of a runbook or inventory text; resume compares these to refuse a changed source. */
export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}
