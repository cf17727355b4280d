// Public surface of the roster: pure edits and queries, signing and update rules, and their errors.
export * from './errors.ts'
export * from './roster.ts'
export * from './signed.ts'
