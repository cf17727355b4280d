// Public surface of the wire layer: message types, codecs, constants and identifier rules.
// Every generated message interface, as types only (the values stay behind WIRE's checks).
export type * from './generated/fedagg.js'
export * from './codec.ts'
export * from './constants.ts'
export * from './federation-event.ts'
export * from './identifiers.ts'
