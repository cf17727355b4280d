// Public surface of the homomorphic fold.
export * from './errors.ts'
export * from './fold.ts'
