// Small number theory over bigint used by keys, proofs and ciphertext checks: bit length, gcd, modular inverse, Jacobi symbol.

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

/**
 * The Jacobi symbol (a/n) ∈ {−1, 0, 1} for an odd n > 0, by quadratic reciprocity (binary form:
 * (2/n) = −1 iff n ≡ 3, 5 (mod 8); swapping a and n flips the sign iff both are ≡ 3 (mod 4)).
 */
export function jacobi (a: bigint, n: bigint): number {
  if (n <= 0n || (n & 1n) === 0n) throw new RangeError('jacobi: expected an odd positive n')
  a %= n
  if (a < 0n) a += n
  let sign = 1
  while (a !== 0n) {
    while ((a & 1n) === 0n) {
      a >>= 1n
      const r = n & 7n
      if (r === 3n || r === 5n) sign = -sign
    }
    [a, n] = [n, a]
    if ((a & 3n) === 3n && (n & 3n) === 3n) sign = -sign
    a %= n
  }
  return n === 1n ? sign : 0
}
