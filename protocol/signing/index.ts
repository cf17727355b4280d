// Public surface of signing: signed documents, peer ID parsing and their errors.
export * from './errors.ts'
export * from './peer-id.ts'
export * from './sign.ts'
export * from './document.ts'
