// "Did you mean" for unknown config keys, environment variables and flags: the closest known name, if close enough.

/**
 * Names are compared case-insensitively without '_' and '-', so
 * max_connections and maxConnections match exactly; otherwise the nearest
 * by Levenshtein distance wins if it is within a quarter of the name
 * (at least 2 edits), which catches typos but not unrelated names.
 */
export function suggest (unknown: string, known: readonly string[]): string | undefined {
  const target = normalize(unknown)
  let best: string | undefined
  let bestDistance = Math.max(2, Math.floor(target.length / 4)) + 1
  for (const candidate of known) {
    const normalized = normalize(candidate)
    // The distance is at least the length difference; skipping those keeps a 100,000-character
    // unknown name from costing |name| x |candidate| steps per candidate.
    if (Math.abs(target.length - normalized.length) >= bestDistance) continue
    const distance = levenshtein(target, normalized)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

function normalize (name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '')
}

/** Edit distance with one rolling row: O(|a|·|b|) time, O(|b|) memory. */
function levenshtein (a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const next = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (row[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1)
      next.push(Math.min(substitution, (row[j] as number) + 1, (next[j - 1] as number) + 1))
    }
    row = next
  }
  return row[b.length] as number
}
