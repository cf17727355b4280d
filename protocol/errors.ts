// Root of fedagg's typed errors: every failure a caller may handle has its own subclass.

/**
 * Base class for every error fedagg throws on purpose. Callers match by class
 * (instanceof); each class is defined once. Subclasses set a static `name`,
 * copied to `this.name`: the name is what crosses a wire (the control API's
 * error body, SubmitResponse.errorName), where the receiver maps it back to
 * the class through an explicit table, and what the CLI and tests print.
 */
export class FedaggError extends Error {
  static override name = 'FedaggError'

  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = new.target.name
  }
}
