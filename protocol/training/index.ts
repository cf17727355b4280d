// Public surface of training sessions: settings, model bytes and hashes, and the session state machine.
export * from './errors.ts'
export * from './settings.ts'
export * from './model.ts'
export * from './session.ts'
export * from './documents.ts'
