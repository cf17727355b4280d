// Federation and round identifiers: the character sets and lengths every peer accepts.
import { FedaggError } from '../errors.ts'

export class InvalidFederationIdError extends FedaggError {
  static override name = 'InvalidFederationIdError'
}

export class InvalidRoundIdError extends FedaggError {
  static override name = 'InvalidRoundIdError'
}

/**
 * Federation ids name a gossipsub topic and appear in logs and file names, so: lowercase letters,
 * digits, '.', '_', '-', starting with a letter or digit, at most 64 characters.
 */
export const FEDERATION_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/

/**
 * Round ids are chosen by the coordinator (e.g. 'r-1700000000000' or a UUID) and become SQLite
 * keys: letters, digits, '.', '_', ':', '-', starting with a letter or digit, at most 128 characters.
 */
export const ROUND_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/

export function assertFederationId (value: string): void {
  if (!FEDERATION_ID_PATTERN.test(value)) {
    throw new InvalidFederationIdError(`federation id: expected ${FEDERATION_ID_PATTERN.source}, got ${JSON.stringify(value.slice(0, 80))}`)
  }
}

export function assertRoundId (value: string): void {
  if (!ROUND_ID_PATTERN.test(value)) {
    throw new InvalidRoundIdError(`round id: expected ${ROUND_ID_PATTERN.source}, got ${JSON.stringify(value.slice(0, 160))}`)
  }
}
