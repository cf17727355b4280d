// Paillier key objects (DJN short-exponent form, g = n + 1): construction with validation, and JSON.
import { createHash, checkPrimeSync } from 'node:crypto'
import { bitLength, gcd, modInverse } from './arith.ts'
import { bigintToMinimalBytes } from './bytes.ts'
import { derivedPublicComponent } from './derived-hs.ts'
import {
  DerivedHsMismatchError, InvalidKeyBitsError, InvalidPrivateKeyError, InvalidPublicKeyError, KeyFormatError, KeyTooLongError, KeyTooShortError,
  UnsupportedKeyVersionError
} from './errors.ts'

/** Default modulus length: ~128-bit security (NIST SP 800-57 equates 3072-bit factoring with AES-128). */
export const DEFAULT_KEY_BITS = 3072
/** Shortest modulus accepted: ~112-bit security; shorter moduli are refused, never merely warned about. */
export const MIN_KEY_BITS = 2048
/**
 * Longest modulus accepted. Public keys arrive from peers, and a client builds a table whose size
 * and build time grow with n, so the length is bounded; 4096 bits (~150-bit security) is beyond
 * any current recommendation for this use.
 */
export const MAX_KEY_BITS = 4096

/** Version written into, and required from, serialized keys. */
export const KEY_FORMAT_VERSION = 1

export interface PaillierPublicKey {
  readonly n: bigint
  readonly nSquared: bigint
  /** Bit length of n (k). */
  readonly bits: number
  /** h_s = h^n mod n² with h = −x² mod n, x derived from n (derived-hs.ts): the base of every encryption's randomizer h_s^r. */
  readonly hs: bigint
  /** Hex SHA-256 of n as minimal big-endian bytes. */
  readonly fingerprint: string
}

export interface PaillierPrivateKey {
  readonly publicKey: PaillierPublicKey
  readonly p: bigint
  readonly q: bigint
  readonly pSquared: bigint
  readonly qSquared: bigint
  /** h_p = L_p(g^(p−1) mod p²)⁻¹ mod p, which for g = n + 1 is (−q)⁻¹ mod p. */
  readonly hp: bigint
  /** h_q = (−p)⁻¹ mod q, symmetrically. */
  readonly hq: bigint
  /** q⁻¹ mod p, for Garner's CRT recombination. */
  readonly qInverseModP: bigint
}

export interface PublicKeyJSON {
  version: 1
  /** Lowercase hex without 0x or leading zeros, as are all numbers below. */
  n: string
  hs: string
}

export interface PrivateKeyJSON {
  version: 1
  n: string
  hs: string
  p: string
  q: string
}

/** Hex SHA-256 of n's minimal big-endian bytes: the name under which a key is announced. */
export function keyFingerprint (n: bigint): string {
  return createHash('sha256').update(bigintToMinimalBytes(n)).digest('hex')
}

/**
 * Validates (n, h_s) and returns the public key: n odd with MIN_KEY_BITS <= bits <= MAX_KEY_BITS,
 * 1 < h_s < n² − 1, gcd(h_s, n) = 1, and gcd(h_s − 1, n) = gcd(h_s + 1, n) = 1, which refuses every
 * h_s of order 1 or 2 (a key using one would make every randomizer h_s^r one of at most two known
 * values, and ciphertexts readable by anyone); then h_s must equal the one derived from n
 * (DerivedHsMismatchError otherwise), which refuses every chosen h_s, of small order or not. The
 * cheap checks come first so malformed input costs no modexp; the derivation is cached per n.
 */
export function publicKeyFromParts (n: bigint, hs: bigint): PaillierPublicKey {
  if (typeof n !== 'bigint' || typeof hs !== 'bigint') throw new InvalidPublicKeyError('expected n and h_s as bigints')
  if (n <= 0n || (n & 1n) === 0n) throw new InvalidPublicKeyError('expected an odd positive modulus n, got an even or non-positive one')
  const bits = bitLength(n)
  assertKeyBits(bits)
  const nSquared = n * n
  if (hs <= 1n || hs >= nSquared - 1n) throw new InvalidPublicKeyError('expected 1 < h_s < n² − 1, got h_s outside that range')
  if (gcd(n, hs % n) !== 1n) throw new InvalidPublicKeyError('expected gcd(h_s, n) = 1, got a common factor')
  // Order <= 2 means h_s² ≡ 1 (mod n²), so h_s² ≡ 1 (mod p²). Z*_{p²} is cyclic, so its only square
  // roots of 1 are ±1: h_s ≡ ±1 (mod p²), hence p divides h_s − 1 or h_s + 1, and likewise q. Both
  // gcds being 1 therefore excludes all four such elements (1, n² − 1, and the two mixed-sign CRT
  // combinations the range check above misses). When gcd(n, (p − 1)(q − 1)) = 1, x ↦ x^n permutes
  // Z*_p, so an honest h_s = (−x²)^n is ≡ ±1 (mod p) only if x ≡ ±1 (mod p): negligible.
  if (gcd(n, (hs - 1n) % n) !== 1n || gcd(n, (hs + 1n) % n) !== 1n) {
    throw new InvalidPublicKeyError('expected gcd(h_s − 1, n) = gcd(h_s + 1, n) = 1, got h_s ≡ ±1 modulo a factor of n (order <= 2 or worse)')
  }
  if (hs !== derivedPublicComponent(n)) {
    throw new DerivedHsMismatchError('expected h_s derived from n ("fedagg/hs/v1"), got a different h_s')
  }
  return Object.freeze({ n, nSquared, bits, hs, fingerprint: keyFingerprint(n) })
}

/** Throws InvalidKeyBitsError for a non-integer, KeyTooShortError / KeyTooLongError unless MIN_KEY_BITS <= bits <= MAX_KEY_BITS. */
export function assertKeyBits (bits: number): void {
  // Number.isSafeInteger, not comparisons alone: NaN fails both `<` and `>`, and would pass.
  if (!Number.isSafeInteger(bits)) throw new InvalidKeyBitsError(`expected an integer bit length, got ${String(bits)}`)
  if (bits < MIN_KEY_BITS) throw new KeyTooShortError(`expected a modulus of at least ${MIN_KEY_BITS} bits, got ${bits} bits`)
  if (bits > MAX_KEY_BITS) throw new KeyTooLongError(`expected a modulus of at most ${MAX_KEY_BITS} bits, got ${bits} bits`)
}

/**
 * Validates the primes and h_s and returns the private key with its CRT precomputation.
 * Beyond the public checks on n = p·q and h_s (h_s derived from n, hence an n-th residue mod n², as
 * decryption needs): p ≠ q, both prime, of equal length (±1 bit), p ≡ q ≡ 3 (mod 4) and
 * gcd(p − 1, q − 1) = 2 (the DJN key conditions).
 */
export function privateKeyFromPrimes (p: bigint, q: bigint, hs: bigint): PaillierPrivateKey {
  if (typeof p !== 'bigint' || typeof q !== 'bigint') throw new InvalidPrivateKeyError('expected p and q as bigints')
  if (p <= 2n || q <= 2n) throw new InvalidPrivateKeyError('expected primes p, q > 2')
  if (p === q) throw new InvalidPrivateKeyError('expected distinct primes, got p = q')
  // Cheap public checks first, so a short or malformed key fails before any primality test.
  const publicKey = publicKeyFromParts(p * q, hs)
  if (Math.abs(bitLength(p) - bitLength(q)) > 1) throw new InvalidPrivateKeyError(`expected p and q of equal length, got ${bitLength(p)} and ${bitLength(q)} bits`)
  if ((p & 3n) !== 3n || (q & 3n) !== 3n) throw new InvalidPrivateKeyError('expected p ≡ q ≡ 3 (mod 4)')
  if (gcd(p - 1n, q - 1n) !== 2n) throw new InvalidPrivateKeyError('expected gcd(p − 1, q − 1) = 2')
  if (!checkPrimeSync(p) || !checkPrimeSync(q)) throw new InvalidPrivateKeyError('expected p and q prime, got a composite')
  return Object.freeze({
    publicKey,
    p,
    q,
    pSquared: p * p,
    qSquared: q * q,
    hp: modInverse(p - q % p, p),
    hq: modInverse(q - p % q, q),
    qInverseModP: modInverse(q, p)
  })
}

export function publicKeyToJSON (publicKey: PaillierPublicKey): PublicKeyJSON {
  return { version: KEY_FORMAT_VERSION, n: publicKey.n.toString(16), hs: publicKey.hs.toString(16) }
}

export function privateKeyToJSON (privateKey: PaillierPrivateKey): PrivateKeyJSON {
  return {
    ...publicKeyToJSON(privateKey.publicKey),
    p: privateKey.p.toString(16),
    q: privateKey.q.toString(16)
  }
}

/** Reads a public key written by publicKeyToJSON; any other shape is a typed error. */
export function publicKeyFromJSON (json: unknown): PaillierPublicKey {
  const fields = readVersionedObject(json, ['n', 'hs'])
  return publicKeyFromParts(readHex(fields, 'n', MAX_KEY_BITS), readHex(fields, 'hs', 2 * MAX_KEY_BITS))
}

/** Reads a private key written by privateKeyToJSON; checks p·q = n, then everything privateKeyFromPrimes checks. */
export function privateKeyFromJSON (json: unknown): PaillierPrivateKey {
  const fields = readVersionedObject(json, ['n', 'hs', 'p', 'q'])
  const n = readHex(fields, 'n', MAX_KEY_BITS)
  const hs = readHex(fields, 'hs', 2 * MAX_KEY_BITS)
  const p = readHex(fields, 'p', MAX_KEY_BITS)
  const q = readHex(fields, 'q', MAX_KEY_BITS)
  if (p * q !== n) throw new InvalidPrivateKeyError('expected p·q = n, got a product that differs from n')
  return privateKeyFromPrimes(p, q, hs)
}

// Checks that json is an object with exactly `version` plus `names`, and a version this code reads.
function readVersionedObject (json: unknown, names: readonly string[]): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new KeyFormatError(`expected a key object, got ${json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json}`)
  const fields = json as Record<string, unknown>
  const version = fields.version
  if (typeof version !== 'number') throw new KeyFormatError(`expected a numeric "version", got ${typeof version}`)
  if (version !== KEY_FORMAT_VERSION) throw new UnsupportedKeyVersionError(`expected key format version ${KEY_FORMAT_VERSION}, got ${version}`)
  const allowed = new Set(['version', ...names])
  const unknown = Object.keys(fields).filter(name => !allowed.has(name))
  if (unknown.length > 0) throw new KeyFormatError(`unexpected key field(s): ${unknown.join(', ')}`)
  return fields
}

// Reads a canonical hex field (lowercase, no 0x, no leading zeros) of at most maxBits bits.
function readHex (fields: Record<string, unknown>, name: string, maxBits: number): bigint {
  const value = fields[name]
  if (typeof value !== 'string') throw new KeyFormatError(`expected "${name}" as a hex string, got ${typeof value}`)
  if (!/^[1-9a-f][0-9a-f]*$/.test(value)) throw new KeyFormatError(`expected "${name}" as lowercase hex without 0x or leading zeros`)
  // Length check before BigInt(): a peer's megabyte-long string must not cost a megabyte parse.
  if (value.length > Math.ceil(maxBits / 4)) {
    if (name === 'n') throw new KeyTooLongError(`expected a modulus of at most ${MAX_KEY_BITS} bits, got ${value.length * 4} bits of hex`)
    throw new KeyFormatError(`expected "${name}" of at most ${maxBits} bits, got ${value.length} hex digits`)
  }
  return BigInt('0x' + value)
}
