// Signed document kinds: one domain, one wire codec, one validator, and optionally the field naming who must sign.
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { UnexpectedSignerError } from './errors.ts'
import { openSignedMessage, signMessage } from './sign.ts'
import type { SignedPayload, WireCodec } from '../messages/index.ts'
import type { PeerId, PrivateKey } from '@libp2p/interface'

export interface SignedDocumentKindInit<T> {
  domain: string
  codec: WireCodec<T>
  /** Throws a typed error if the decoded content breaks a rule; runs before signing and after verifying. */
  validate: (value: T) => void
  /**
   * The peer the document itself names as its author (a roster's coordinator, a receipt's
   * aggregator). When set, signing with another key and verifying a signature by another peer
   * both fail with UnexpectedSignerError, so nobody can vouch for a document in someone else's name.
   */
  signerOf?: (value: T) => string
}

export interface SignedDocumentKind<T> {
  readonly domain: string
  sign: (privateKey: PrivateKey, value: T) => Promise<SignedPayload>
  /**
   * Verifies domain and signature (by `expectedSigner` when given), decodes, validates and, with
   * `signerOf`, checks the signer is the author the document names. Returns the content.
   */
  verify: (signed: SignedPayload, expectedSigner?: PeerId | string) => Promise<T>
}

export function defineSignedDocument<T> (init: SignedDocumentKindInit<T>): SignedDocumentKind<T> {
  const { domain, codec, validate, signerOf } = init
  return {
    domain,
    async sign (privateKey, value) {
      validate(value)
      const author = signerOf?.(value)
      const signer = peerIdFromPrivateKey(privateKey).toString()
      if (author !== undefined && author !== signer) {
        throw new UnexpectedSignerError(`${domain}: expected to be signed by its author ${author}, got the key of ${signer}`)
      }
      return signMessage(privateKey, domain, codec, value)
    },
    async verify (signed, expectedSigner) {
      const value = await openSignedMessage(signed, domain, codec, expectedSigner)
      validate(value)
      const author = signerOf?.(value)
      if (author !== undefined && author !== signed.signer) {
        throw new UnexpectedSignerError(`${domain}: expected a signature by its author ${author}, got one by ${signed.signer}`)
      }
      return value
    }
  }
}
