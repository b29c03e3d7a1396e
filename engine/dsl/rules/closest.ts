/**
 * "Did you mean …?" for names: the candidates nearest to a misspelt name. Only called once a name is known
 * to be wrong, so its cost never touches valid runbooks.
 */

/** Candidates within a small edit distance of `name`, nearest first (at most `limit`). */
export function closest(name: string, candidates: Iterable<string>, limit = 1): string[] {
  const scored: Array<{ candidate: string; distance: number }> = [];
  const lower = name.toLowerCase();
  for (const candidate of candidates) {
    const budget = Math.max(1, Math.floor(Math.max(name.length, candidate.length) / 3));
    const distance = editDistance(lower, candidate.toLowerCase(), budget);
    const other = candidate.toLowerCase();
    // `identity_file` for `identity`, `lab` for `label`: one name extends the other.
    const prefix = (other.startsWith(lower) && lower.length >= 3) || (lower.startsWith(other) && other.length >= 4);
    if (distance <= budget || prefix) scored.push({ candidate, distance: prefix ? Math.min(distance, budget) : distance });
  }
  scored.sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate));
  return scored.slice(0, limit).map((s) => s.candidate);
}

/** `did you mean "x"?`, or undefined when nothing is close. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const [best] = closest(name, candidates);
  return best === undefined ? undefined : `did you mean "${best}"?`;
}

/**
 * Optimal string alignment distance (Damerau–Levenshtein without repeated edits), giving up early once every
 * cell of a row exceeds `budget`.
 */
export function editDistance(a: string, b: string, budget = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > budget) return budget + 1;
  let prevPrev: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, (prevPrev[j - 2] ?? 0) + 1);
      }
      row.push(d);
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > budget) return budget + 1;
    prevPrev = prev;
    prev = row;
  }
  return prev[b.length] ?? 0;
}
