// Small number theory over bigint used by keys and ciphertext checks: bit length, gcd, modular inverse.

/** Number of bits of a non-negative integer (0 for 0n). */
export function bitLength (value: bigint): number {
  if (value < 0n) throw new RangeError(`expected a non-negative integer, got ${value}`)
  if (value === 0n) return 0
  const hex = value.toString(16)
  // 4 bits per hex digit, minus the leading zero bits of the first digit.
  return hex.length * 4 - (Math.clz32(Number.parseInt(hex[0] ?? '0', 16)) - 28)
}

/** gcd(a, b) for non-negative a, b by Euclid's algorithm. */
export function gcd (a: bigint, b: bigint): bigint {
  while (b !== 0n) {
    const r = a % b
    a = b
    b = r
  }
  return a
}

/** a⁻¹ mod m for gcd(a, m) = 1, by the extended Euclidean algorithm. */
export function modInverse (a: bigint, m: bigint): bigint {
  // Invariant: oldR ≡ oldS·a (mod m) and r ≡ s·a (mod m).
  let [oldR, r] = [((a % m) + m) % m, m]
  let [oldS, s] = [1n, 0n]
  while (r !== 0n) {
    const quotient = oldR / r;
    [oldR, r] = [r, oldR - quotient * r];
    [oldS, s] = [s, oldS - quotient * s]
  }
  if (oldR !== 1n) throw new RangeError('modInverse: argument is not invertible modulo m')
  return ((oldS % m) + m) % m
}
