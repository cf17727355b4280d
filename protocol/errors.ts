// Root of fedagg's typed errors: every failure a caller may handle has its own subclass.

/**
 * Base class for every error fedagg throws on purpose. Subclasses set a
 * static `name` and `this.name` so callers (and tests) can match on `err.name`
 * without importing the class.
 */
export class FedaggError extends Error {
  static override name = 'FedaggError'

  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = new.target.name
  }
}
