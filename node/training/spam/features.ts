// Hashed token features of an email: binary presence of 2^16 hashed ASCII tokens, L2-normalized (Python mirrors this exactly).
//
// The definition, which clients/python/examples/spam_features.py implements identically:
//  1. Lowercase ASCII only: 'A'–'Z' become 'a'–'z'. No Unicode case mapping,
//     so the result does not depend on either language's Unicode tables.
//  2. Tokens are maximal runs of ASCII [a-z0-9]; every other character,
//     including every non-ASCII one, separates tokens.
//  3. Tokens of 2 to 40 characters are kept; shorter and longer ones are dropped.
//  4. A token's bin is FNV-1a 32-bit over its bytes (ASCII, so its UTF-8)
//     modulo 2^16: h = 2166136261; for each byte h = ((h ^ byte) · 16777619) mod 2^32.
//  5. The vector is binary: 1 in each bin some token hashed to, 0 elsewhere,
//     then divided by its L2 norm, √k for k set bins. Every non-zero is the
//     same double 1/√k, and √ is correctly rounded in IEEE 754, so both
//     languages produce bit-identical vectors (log-count values would not:
//     `log` may differ in the last bit between libms).

export const FEATURE_BITS = 16
/** 2^16 weights; the model adds one bias. */
export const FEATURE_DIMENSIONS = 2 ** FEATURE_BITS
export const MIN_TOKEN_LENGTH = 2
export const MAX_TOKEN_LENGTH = 40

const FNV_OFFSET_BASIS = 2166136261
const FNV_PRIME = 16777619

/** A binary, L2-normalized sparse vector: `value` (= 1/√k) at each of the k ascending `indices`. */
export interface SparseFeatures {
  indices: Uint32Array
  value: number
}

/** FNV-1a 32-bit over the UTF-8 bytes of `text`. */
export function fnv1a32 (text: string): number {
  let hash = FNV_OFFSET_BASIS
  for (const byte of Buffer.from(text, 'utf8')) hash = Math.imul(hash ^ byte, FNV_PRIME) >>> 0
  return hash >>> 0
}

/** Bins already set in the email being featurized; cleared after each (a Set was twice as slow). */
const seen = new Uint8Array(FEATURE_DIMENSIONS)

/**
 * The feature vector of `text` (rules 1–5 above). It hashes each run of
 * token characters while scanning, without building the token strings, and
 * keeps the bin if the run had 2 to 40 characters. An email without a kept
 * token has k = 0 and value 0.
 */
export function featurize (text: string): SparseFeatures {
  const bins: number[] = []
  let length = 0
  // Kept as a signed 32-bit integer (the same bits): V8 then never boxes it as a double.
  let hash = FNV_OFFSET_BASIS | 0
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0
    const lower = c >= 65 && c <= 90 ? c + 32 : c
    if ((lower >= 97 && lower <= 122) || (lower >= 48 && lower <= 57)) {
      hash = Math.imul(hash ^ lower, FNV_PRIME)
      length++
    } else {
      // h mod 2^16 is h's low 16 bits, whatever the sign of its int32 view.
      if (length >= MIN_TOKEN_LENGTH && length <= MAX_TOKEN_LENGTH) {
        const bin = hash & (FEATURE_DIMENSIONS - 1)
        if (seen[bin] === 0) {
          seen[bin] = 1
          bins.push(bin)
        }
      }
      length = 0
      hash = FNV_OFFSET_BASIS | 0
    }
  }
  for (const bin of bins) seen[bin] = 0
  const indices = Uint32Array.from(bins).sort()
  return { indices, value: indices.length === 0 ? 0 : 1 / Math.sqrt(indices.length) }
}
