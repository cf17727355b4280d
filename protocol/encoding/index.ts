// Public surface of the encoding layer: vector specs, value encodings, packing, and their errors.
export * from './constants.ts'
export * from './errors.ts'
export * from './spec.ts'
export { intMaxValue } from './int.ts'
export { fixedOffset, fixedMaxValue } from './fixed.ts'
export * from './packing.ts'
export * from './tags.ts'
