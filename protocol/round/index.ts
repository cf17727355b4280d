// Public surface of the round protocol: the status vocabulary, announcements, signed round documents, stream shapes and both state machines.
export * from './errors.ts'
export * from './status.ts'
export * from './announcement.ts'
export * from './documents.ts'
export * from './chunks.ts'
export * from './aggregator-round.ts'
export * from './coordinator-round.ts'
export * from './decimal.ts'
