// Public surface of round announcements.
export * from './announcement.ts'
export * from './errors.ts'
export * from './wire-values.ts'
