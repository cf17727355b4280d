// Exact decimal renderings of doubles, for RoundResult.sum: no exponent notation, no rounding.

/**
 * Every finite double is N / 2^k for integers N and 0 <= k <= 1074, and
 * N / 2^k = N·5^k / 10^k, so its decimal expansion terminates after k digits.
 * Scaling by powers of two is exact in binary floating point, so the loop
 * finds k without error. Fixed-point sums (quantized to 2^-f) need k <= f.
 */
export function exactDecimal (value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`exactDecimal: expected a finite number, got ${value}`)
  let k = 0
  let scaled = value
  while (!Number.isInteger(scaled)) {
    scaled *= 2
    k++
  }
  const negative = scaled < 0
  const digits = (BigInt(Math.abs(scaled)) * 5n ** BigInt(k)).toString().padStart(k + 1, '0')
  const whole = digits.slice(0, digits.length - k)
  const fraction = digits.slice(digits.length - k).replace(/0+$/, '')
  const body = fraction === '' ? whole : `${whole}.${fraction}`
  return negative && body !== '0' ? `-${body}` : body
}
