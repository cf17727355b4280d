// The int:<bits> encoding: integers in [0, 2^bits) are their own slot values, so sums are exact.

/** Largest value of `int:<bits>`: 2^bits − 1. */
export function intMaxValue (bits: number): bigint {
  return (1n << BigInt(bits)) - 1n
}

/**
 * Returns `value` as a bigint if it is an integer in [min, 2^bits), otherwise a
 * sentence saying what was expected and what was got (callers wrap it in their
 * own typed error). A number must be a safe integer: above 2^53 a JS number may
 * already have lost the caller's digits, so such values must come as bigint.
 */
export function toBoundedInteger (value: unknown, bits: number, min: bigint = 0n): bigint | string {
  const expected = `expected an integer in [${min}, 2^${bits})`
  let integer: bigint
  if (typeof value === 'bigint') {
    integer = value
  } else if (typeof value === 'number') {
    if (!Number.isInteger(value)) return `${expected}, got ${value}`
    if (!Number.isSafeInteger(value)) return `${expected} (pass bigint above 2^53), got the unsafe number ${value}`
    integer = BigInt(value)
  } else {
    return `${expected}, got ${typeof value}`
  }
  if (integer < min || integer >= 1n << BigInt(bits)) return `${expected}, got ${integer}`
  return integer
}
