// Packing: encoded slots many per Paillier plaintext, and the checked unpack/decode of a decrypted aggregate.
//
// Layout. Every plaintext starts with its tag slot at bits [0, tagSlotBits)
// (protocol/encoding/tags.ts). Slot i (values 0..length−1, then the count slot,
// then the optional weight slot) lives in plaintext ⌊i / S⌋ at bits
// [T + j·slotBits, T + (j+1)·slotBits), j = i mod S, where
//   slotBits = valueBits + ⌈log₂(maxParticipants)⌉ + 1 guard bit
//   T        = tagSlotBits = TAG_BITS + ⌈log₂(maxParticipants)⌉ + 1 guard bit
//   S        = ⌊(k − 2 − T) / slotBits⌋ slots per plaintext.
// A client's value slot holds w·v < 2^valueBits, so P <= maxParticipants of them
// sum to < P·2^valueBits <= 2^(valueBits + ⌈log₂ P⌉): the sum never carries into
// the guard bit, let alone the next slot; the same holds for P tags < 2^TAG_BITS.
// Every plaintext is < 2^(k−2) < n (n has k bits, so n >= 2^(k−1)), and so is the
// sum of P of them, so adding under encryption (mod n) never wraps and plaintext
// addition is slot-wise addition.
import { bitLength } from '../paillier/index.ts'
import { TAG_BITS } from './constants.ts'
import { CorruptAggregateError, InvalidVectorSpecError, InvalidWeightError, TagCheckError, ValueOutOfRangeError, VectorLengthError } from './errors.ts'
import { decodeFixedSum, encodeFixedValue, fixedMaxValue, fixedOffset } from './fixed.ts'
import { intMaxValue, toBoundedInteger } from './int.ts'
import { validateVectorSpec } from './spec.ts'
import type { ValueEncoding, VectorSpec } from './spec.ts'

export interface PackingPlan {
  /** Bit length k of the Paillier modulus n. */
  readonly keyBits: number
  /** Number of value slots (the spec's length). */
  readonly length: number
  readonly maxParticipants: number
  /** Largest encoded value a client may send, before weighting: 2^bits − 1 (int) or 2·⌈C·2^f⌉ (fixed). */
  readonly maxValue: bigint
  /** Largest weight, 2^weightBits − 1; undefined when unweighted. */
  readonly maxWeight: bigint | undefined
  /** Bits of the largest single contribution to a value slot: bitLength(maxValue × maxWeight). */
  readonly valueBits: number
  /** Carry headroom for maxParticipants summands: ⌈log₂(maxParticipants)⌉. */
  readonly headroomBits: number
  /** valueBits + headroomBits + 1 guard bit. */
  readonly slotBits: number
  /** TAG_BITS + headroomBits + 1 guard bit: the tag slot at the bottom of every plaintext. */
  readonly tagSlotBits: number
  /** ⌊(k − 2 − tagSlotBits) / slotBits⌋: value, count and weight slots per plaintext, besides its tag slot. */
  readonly slotsPerCiphertext: number
  /** Index of the count slot (each client contributes 1): right after the values. */
  readonly countSlot: number
  /** Index of the weight slot (each client contributes its weight) when weighted. */
  readonly weightSlot: number | undefined
  /** length + 1 count slot (+ 1 weight slot when weighted). */
  readonly totalSlots: number
  /** ⌈totalSlots / slotsPerCiphertext⌉: plaintexts, hence ciphertexts, per submission. */
  readonly ciphertexts: number
  /** Fixed width of one ciphertext: n² has 2k bits, so ⌈2k / 8⌉ bytes. */
  readonly ciphertextBytes: number
  /** ciphertexts × ciphertextBytes. */
  readonly bytesOnWire: number
  /** bytesOnWire / length. */
  readonly bytesPerValue: number
}

/**
 * Derives the packing of `spec` under a k-bit modulus. Throws
 * InvalidVectorSpecError for an invalid spec, or when one slot does not fit
 * in the k − 2 usable bits of a plaintext.
 */
export function planPacking (spec: VectorSpec, keyBits: number): PackingPlan {
  validateVectorSpec(spec)
  if (!Number.isInteger(keyBits) || keyBits < 3) {
    throw new InvalidVectorSpecError(`keyBits: expected an integer >= 3, got ${keyBits}`)
  }
  const maxValue = encodingMaxValue(spec.encoding)
  const maxWeight = spec.weightBits === undefined ? undefined : (1n << BigInt(spec.weightBits)) - 1n
  const valueBits = bitLength(maxValue * (maxWeight ?? 1n))
  const headroomBits = bitLength(BigInt(spec.maxParticipants - 1)) // = ⌈log₂ P⌉ for P >= 1, exactly
  const slotBits = valueBits + headroomBits + 1
  const tagSlotBits = TAG_BITS + headroomBits + 1
  const slotsPerCiphertext = Math.floor((keyBits - 2 - tagSlotBits) / slotBits)
  if (slotsPerCiphertext < 1) {
    throw new InvalidVectorSpecError(`packing: expected a ${slotBits}-bit slot (${valueBits} value + ${headroomBits} headroom + 1 guard) to fit in the ${keyBits - 2 - tagSlotBits} plaintext bits of a ${keyBits}-bit key left beside a ${tagSlotBits}-bit tag slot`)
  }
  const weighted = maxWeight !== undefined
  const totalSlots = spec.length + (weighted ? 2 : 1)
  const ciphertexts = Math.ceil(totalSlots / slotsPerCiphertext)
  const ciphertextBytes = Math.ceil(2 * keyBits / 8)
  const bytesOnWire = ciphertexts * ciphertextBytes
  return {
    keyBits,
    length: spec.length,
    maxParticipants: spec.maxParticipants,
    maxValue,
    maxWeight,
    valueBits,
    headroomBits,
    slotBits,
    tagSlotBits,
    slotsPerCiphertext,
    countSlot: spec.length,
    weightSlot: weighted ? spec.length + 1 : undefined,
    totalSlots,
    ciphertexts,
    ciphertextBytes,
    bytesOnWire,
    bytesPerValue: bytesOnWire / spec.length
  }
}

/**
 * Encodes one client's vector and packs it, with its count slot (= 1) and,
 * for a weighted spec, its weight slot (= w, each value slot holding w·v),
 * into `plan.ciphertexts` plaintexts, each < 2^(k−2) < n. Tag slots are left
 * 0 here; withTags fills them.
 * Throws VectorLengthError, ValueOutOfRangeError / NonFiniteValueError (naming
 * the index) or InvalidWeightError before packing anything.
 */
export function encodeAndPack (spec: VectorSpec, plan: PackingPlan, values: readonly number[] | readonly bigint[], weight?: number | bigint): bigint[] {
  assertPlanMatchesSpec(spec, plan)
  if (values.length !== spec.length) {
    throw new VectorLengthError(`expected ${spec.length} values, got ${values.length}`)
  }
  const w = checkedWeight(spec, weight)
  const encodeValue = valueEncoder(spec.encoding)
  const slots = new Array<bigint>(plan.totalSlots)
  for (let i = 0; i < values.length; i++) slots[i] = encodeValue(values[i], i) * w
  slots[plan.countSlot] = 1n
  if (plan.weightSlot !== undefined) slots[plan.weightSlot] = w
  return packSlots(plan, slots)
}

/**
 * Adds tag t_j into the (empty) tag slot of plaintext j. Each t_j < 2^TAG_BITS
 * fits below the slot's headroom and guard bit.
 */
export function withTags (plan: PackingPlan, plaintexts: readonly bigint[], tags: readonly bigint[]): bigint[] {
  if (plaintexts.length !== plan.ciphertexts || tags.length !== plan.ciphertexts) {
    throw new VectorLengthError(`expected ${plan.ciphertexts} plaintexts and tags, got ${plaintexts.length} and ${tags.length}`)
  }
  const tagLimit = 1n << BigInt(TAG_BITS)
  return plaintexts.map((plaintext, j) => {
    const tag = tags[j]!
    if (tag < 0n || tag >= tagLimit) throw new InvalidVectorSpecError(`tag ${j}: expected an integer in [0, 2^${TAG_BITS})`)
    if ((plaintext & ((1n << BigInt(plan.tagSlotBits)) - 1n)) !== 0n) throw new InvalidVectorSpecError(`plaintext ${j}: expected an empty tag slot`)
    return plaintext + tag
  })
}

/**
 * The decrypted aggregate's tag slot j must equal expected[j] = Σ t_j over
 * exactly the transcript's contributors (expectedTagSums). Equality also
 * covers the slot's guard bit: P honest tags never reach it. Throws
 * TagCheckError naming the ciphertext, never a value.
 */
export function checkTagSlots (plan: PackingPlan, plaintexts: readonly bigint[], expected: readonly bigint[]): void {
  if (plaintexts.length !== plan.ciphertexts || expected.length !== plan.ciphertexts) {
    throw new VectorLengthError(`expected ${plan.ciphertexts} plaintexts and tag sums, got ${plaintexts.length} and ${expected.length}`)
  }
  const mask = (1n << BigInt(plan.tagSlotBits)) - 1n
  plaintexts.forEach((plaintext, j) => {
    if ((plaintext & mask) !== expected[j]) throw new TagCheckError(j)
  })
}

/**
 * Splits decrypted aggregate plaintexts into slot sums and checks them:
 * plaintexts are non-negative with no bits above their last slot; every
 * slot's guard bit is 0; count <= maxParticipants; weight sum in
 * [count, count × maxWeight]; each value slot <= maxValue × weight sum
 * (count when unweighted), since client i adds at most w_i × maxValue.
 * Throws CorruptAggregateError naming the slot and the check that failed, and
 * only public parameters: never a decrypted value, since the coordinator
 * publishes the message as the round's reason.
 */
export function unpackAggregate (plan: PackingPlan, plaintexts: readonly bigint[]): bigint[] {
  if (plaintexts.length !== plan.ciphertexts) {
    throw new VectorLengthError(`expected ${plan.ciphertexts} plaintexts, got ${plaintexts.length}`)
  }
  const slotBits = BigInt(plan.slotBits)
  const mask = (1n << slotBits) - 1n
  const guardBit = 1n << (slotBits - 1n)
  const slots = new Array<bigint>(plan.totalSlots)
  for (let c = 0; c < plan.ciphertexts; c++) {
    const first = c * plan.slotsPerCiphertext
    const end = Math.min(first + plan.slotsPerCiphertext, plan.totalSlots)
    const plaintext = plaintexts[c]
    if (typeof plaintext !== 'bigint' || plaintext < 0n) {
      throw new CorruptAggregateError(first, 'plaintext-range', `expected plaintext ${c} to be a bigint >= 0`)
    }
    // The tag slot below the data slots is checkTagSlots' to judge.
    let rest = plaintext >> BigInt(plan.tagSlotBits)
    if (rest >> (BigInt(end - first) * slotBits) !== 0n) {
      throw new CorruptAggregateError(end - 1, 'plaintext-range', `expected plaintext ${c} to have no bits from bit ${plan.tagSlotBits + (end - first) * plan.slotBits} up`)
    }
    for (let i = first; i < end; i++) {
      const slot = rest & mask
      if ((slot & guardBit) !== 0n) {
        throw new CorruptAggregateError(i, 'guard-bit', `expected the guard bit (bit ${plan.slotBits - 1}) to be 0`)
      }
      slots[i] = slot
      rest >>= slotBits
    }
  }
  checkSlotRanges(plan, slots)
  return slots
}

/** Result of decodeAggregate; `sum` is exact bigint for int, a double for fixed. */
export type DecodedAggregate =
  | { kind: 'int', count: number, sum: bigint[], mean?: number[], weightSum?: bigint }
  | { kind: 'fixed', count: number, sum: number[], mean?: number[], weightSum?: bigint }

/**
 * Turns checked slot sums (from unpackAggregate) into results.
 * - int: `sum` stays bigint. Always bigint, never "number when safe": a 32-bit
 *   sum over 2^21+ clients, or any 62-bit sum, passes 2^53, and one type lets
 *   callers handle every round the same way without losing digits.
 * - fixed: sum = (slot − Q × W) / 2^f, W = weight sum (count when unweighted).
 * - weighted: `sum` is Σ w·x and `weightSum` is Σ w.
 * `mean` = sum / W (the weighted mean when weighted), present when count > 0.
 */
export function decodeAggregate (spec: VectorSpec, plan: PackingPlan, slots: readonly bigint[]): DecodedAggregate {
  assertPlanMatchesSpec(spec, plan)
  if (slots.length !== plan.totalSlots) {
    throw new VectorLengthError(`expected ${plan.totalSlots} slots, got ${slots.length}`)
  }
  const countSlot = slotAt(slots, plan.countSlot)
  const count = Number(countSlot)
  const weightSum = plan.weightSlot === undefined ? undefined : slotAt(slots, plan.weightSlot)
  const divisor = weightSum ?? countSlot
  const valueSlots = slots.slice(0, plan.length)
  const extra = weightSum === undefined ? {} : { weightSum }
  const meanOf = (sum: readonly number[]): { mean?: number[] } =>
    divisor === 0n ? {} : { mean: sum.map(s => s / Number(divisor)) }
  const encoding = spec.encoding
  if (encoding.kind === 'int') {
    return { kind: 'int', count, sum: valueSlots, ...meanOf(valueSlots.map(Number)), ...extra }
  }
  const offset = fixedOffset(encoding)
  const sum = valueSlots.map(slot => decodeFixedSum(slot, divisor, offset, encoding))
  return { kind: 'fixed', count, sum, ...meanOf(sum), ...extra }
}

function checkSlotRanges (plan: PackingPlan, slots: readonly bigint[]): void {
  const count = slotAt(slots, plan.countSlot)
  if (count > BigInt(plan.maxParticipants)) {
    throw new CorruptAggregateError(plan.countSlot, 'count-range', `expected count <= maxParticipants ${plan.maxParticipants}`)
  }
  let weightSum = count
  if (plan.weightSlot !== undefined && plan.maxWeight !== undefined) {
    weightSum = slotAt(slots, plan.weightSlot)
    if (weightSum < count || weightSum > count * plan.maxWeight) {
      throw new CorruptAggregateError(plan.weightSlot, 'weight-range', `expected the weight sum in [count, count × ${plan.maxWeight}]`)
    }
  }
  const valueLimit = plan.maxValue * weightSum
  for (let i = 0; i < plan.length; i++) {
    const value = slotAt(slots, i)
    if (value > valueLimit) {
      throw new CorruptAggregateError(i, 'value-range', `expected the value sum <= ${plan.maxValue} × ${plan.weightSlot === undefined ? 'count' : 'weight sum'}`)
    }
  }
}

/** Packs slot values (each < 2^slotBits) into plaintexts, slot j of a plaintext at bit tagSlotBits + j·slotBits. */
function packSlots (plan: PackingPlan, slots: readonly bigint[]): bigint[] {
  const slotBits = BigInt(plan.slotBits)
  const plaintexts = new Array<bigint>(plan.ciphertexts)
  for (let c = 0; c < plan.ciphertexts; c++) {
    const first = c * plan.slotsPerCiphertext
    let plaintext = 0n
    // Highest slot first, so each shift moves the already packed slots up by one slot.
    for (let i = Math.min(first + plan.slotsPerCiphertext, plan.totalSlots) - 1; i >= first; i--) {
      plaintext = (plaintext << slotBits) | slotAt(slots, i)
    }
    plaintexts[c] = plaintext << BigInt(plan.tagSlotBits)
  }
  return plaintexts
}

function encodingMaxValue (encoding: ValueEncoding): bigint {
  return encoding.kind === 'int' ? intMaxValue(encoding.bits) : fixedMaxValue(encoding)
}

/** One function per encoding, with the per-encoding constants computed once rather than per value. */
function valueEncoder (encoding: ValueEncoding): (value: unknown, index: number) => bigint {
  if (encoding.kind === 'fixed') {
    const offset = fixedOffset(encoding)
    return (value, index) => encodeFixedValue(value, encoding, offset, index)
  }
  return (value, index) => {
    const encoded = toBoundedInteger(value, encoding.bits)
    if (typeof encoded === 'string') throw new ValueOutOfRangeError(index, encoded)
    return encoded
  }
}

/** The weight as a bigint multiplier: w in [1, 2^weightBits) when weighted, 1 otherwise. */
function checkedWeight (spec: VectorSpec, weight: number | bigint | undefined): bigint {
  if (spec.weightBits === undefined) {
    if (weight !== undefined) throw new InvalidWeightError(`weight: expected none for an unweighted spec, got ${weight}`)
    return 1n
  }
  const checked = toBoundedInteger(weight, spec.weightBits, 1n)
  if (typeof checked === 'string') throw new InvalidWeightError(`weight: ${checked}`)
  return checked
}

/** Guards against a plan derived from another spec (or key size): re-deriving it is a few integer operations. */
function assertPlanMatchesSpec (spec: VectorSpec, plan: PackingPlan): void {
  const expected = planPacking(spec, plan.keyBits)
  for (const field of ['length', 'slotBits', 'tagSlotBits', 'slotsPerCiphertext', 'totalSlots', 'maxValue', 'maxWeight', 'maxParticipants'] as const) {
    if (expected[field] !== plan[field]) {
      throw new InvalidVectorSpecError(`plan.${field}: expected ${String(expected[field])} for this spec, got ${String(plan[field])}`)
    }
  }
}

function slotAt (slots: readonly bigint[], index: number): bigint {
  const slot = slots[index]
  if (slot === undefined) throw new VectorLengthError(`expected a slot at index ${index}, got none`)
  return slot
}
