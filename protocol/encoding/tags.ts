// Ciphertext tags: t_j = PRF(tagKey, round, j), a linear MAC on each packed plaintext that only the coordinator can check.
//
// Each client packs t_j into the tag slot of its ciphertext j. Homomorphic addition sums the tag
// slots along with the values, so the decrypted tag slot of aggregate ciphertext j is Σ t_j over
// exactly the ciphertexts j that were folded in. The coordinator, holding every client's tag key
// (the aggregator holds none), recomputes that sum over the transcript's contributors: a dropped,
// duplicated, replayed or scaled contribution changes the sum by an amount the aggregator cannot
// predict.
import { createHmac } from 'node:crypto'
import { TAG_BITS, TAG_KEY_BYTES } from './constants.ts'
import { InvalidVectorSpecError } from './errors.ts'

/** Domain separation for the tag PRF: a tag key is never used for anything else. */
const TAG_DOMAIN = 'fedagg/tag/v1'

/**
 * t_j = first TAG_BITS bits of HMAC-SHA-256(tagKey, "fedagg/tag/v1" 0 federationId 0 roundId 0 j),
 * j as 4 big-endian bytes, for j = 0 .. count − 1.
 */
export function deriveTags (tagKey: Uint8Array, federationId: string, roundId: string, count: number): bigint[] {
  if (tagKey.length !== TAG_KEY_BYTES) throw new InvalidVectorSpecError(`tagKey: expected ${TAG_KEY_BYTES} bytes, got ${tagKey.length}`)
  if (!Number.isSafeInteger(count) || count < 0 || count > 0xffffffff) throw new InvalidVectorSpecError(`tag count: expected an integer in [0, 2^32), got ${count}`)
  const prefix = Buffer.from(`${TAG_DOMAIN}\0${federationId}\0${roundId}\0`, 'utf8')
  const index = Buffer.alloc(4)
  const tags = new Array<bigint>(count)
  for (let j = 0; j < count; j++) {
    index.writeUInt32BE(j)
    const mac = createHmac('sha256', tagKey).update(prefix).update(index).digest()
    tags[j] = BigInt('0x' + mac.subarray(0, TAG_BITS / 8).toString('hex'))
  }
  return tags
}

/** Σ over clients of their t_j, per ciphertext j: what the aggregate's tag slots must hold. */
export function expectedTagSums (tagKeys: readonly Uint8Array[], federationId: string, roundId: string, count: number): bigint[] {
  const sums = new Array<bigint>(count).fill(0n)
  for (const key of tagKeys) {
    deriveTags(key, federationId, roundId, count).forEach((tag, j) => { sums[j] = sums[j]! + tag })
  }
  return sums
}
