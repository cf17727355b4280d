// Domain-separated Ed25519 signatures over fedagg documents, verified with the key embedded in the signer's peer ID.
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { InvalidDomainError, InvalidSignatureError, UnexpectedDomainError, UnexpectedSignerError, UnsupportedKeyTypeError } from './errors.ts'
import { parsePeerId, peerIdString } from './peer-id.ts'
import type { SignedPayload, WireCodec } from '../messages/index.ts'
import type { PeerId, PrivateKey } from '@libp2p/interface'

/** Ed25519 signatures are always 64 bytes (RFC 8032). */
export const ED25519_SIGNATURE_BYTES = 64

/** Domains are short ASCII tags such as 'fedagg/receipt/1' (see DOMAINS in protocol/messages). */
export const DOMAIN_PATTERN = /^[a-z0-9][a-z0-9/._-]{0,63}$/

const SIGNATURE_PREFIX = new TextEncoder().encode('fedagg:')

/**
 * The exact bytes a signature covers:
 *
 *   'fedagg:' || uint32be(len(domain)) || domain (UTF-8) || payload
 *
 * - The 'fedagg:' prefix keeps these signatures apart from everything else the same libp2p key
 *   signs (gossipsub's 'libp2p-pubsub:', Noise's 'noise-libp2p-static-key:', peer records).
 * - The length prefix makes (domain, payload) -> bytes injective for every possible domain, so
 *   no domain/payload pair can be re-split into another. A NUL terminator would do the same only
 *   as long as every domain forever excludes NUL; the length needs no such rule.
 */
export function signingBytes (domain: string, payload: Uint8Array): Uint8Array {
  const domainBytes = new TextEncoder().encode(domain)
  const out = new Uint8Array(SIGNATURE_PREFIX.length + 4 + domainBytes.length + payload.length)
  out.set(SIGNATURE_PREFIX, 0)
  new DataView(out.buffer).setUint32(SIGNATURE_PREFIX.length, domainBytes.length)
  out.set(domainBytes, SIGNATURE_PREFIX.length + 4)
  out.set(payload, SIGNATURE_PREFIX.length + 4 + domainBytes.length)
  return out
}

function assertDomain (domain: string): void {
  if (!DOMAIN_PATTERN.test(domain)) {
    throw new InvalidDomainError(`signature domain: expected ${DOMAIN_PATTERN.source}, got ${JSON.stringify(domain.slice(0, 80))}`)
  }
}

/** Signs `payload` under `domain` with an Ed25519 libp2p identity key. */
export async function signPayload (privateKey: PrivateKey, domain: string, payload: Uint8Array): Promise<SignedPayload> {
  assertDomain(domain)
  if (privateKey.type !== 'Ed25519') {
    throw new UnsupportedKeyTypeError(`signing key: expected Ed25519, got ${privateKey.type}`)
  }
  const signature = await privateKey.sign(signingBytes(domain, payload))
  return {
    domain,
    payload: Uint8Array.from(payload),
    signer: peerIdFromPrivateKey(privateKey).toString(),
    signature: Uint8Array.from(signature)
  }
}

/**
 * Checks a signed document and returns its payload bytes. Order: domain, signer identity (cheap,
 * and a wrong signer is the more useful error), then the signature itself with the public key
 * taken from the signer's peer ID.
 * Throws UnexpectedDomainError, InvalidPeerIdError (unparseable signer), UnexpectedSignerError,
 * InvalidSignatureError.
 */
export async function verifySignedPayload (signed: SignedPayload, expectedDomain: string, expectedSigner?: PeerId | string): Promise<Uint8Array> {
  if (signed.domain !== expectedDomain) {
    throw new UnexpectedDomainError(`signed document: expected domain ${JSON.stringify(expectedDomain)}, got ${JSON.stringify(signed.domain.slice(0, 80))}`)
  }
  const signer = parsePeerId(signed.signer, 'signer')
  if (expectedSigner !== undefined) {
    const expected = peerIdString(expectedSigner, 'expected signer')
    if (expected !== signed.signer) {
      throw new UnexpectedSignerError(`${expectedDomain}: expected a signature by ${expected}, got one by ${signed.signer}`)
    }
  }
  if (signed.signature.length !== ED25519_SIGNATURE_BYTES) {
    throw new InvalidSignatureError(`${expectedDomain}: expected a ${ED25519_SIGNATURE_BYTES}-byte Ed25519 signature by ${signed.signer}, got ${signed.signature.length} bytes`)
  }
  let valid: boolean
  try {
    valid = await signer.publicKey.verify(signingBytes(signed.domain, signed.payload), signed.signature)
  } catch (err) {
    throw new InvalidSignatureError(`${expectedDomain}: signature by ${signed.signer} could not be checked`, { cause: err })
  }
  if (!valid) {
    throw new InvalidSignatureError(`${expectedDomain}: expected a valid signature by ${signed.signer}, got one that does not verify`)
  }
  return signed.payload
}

/** Encodes `value` with its wire codec and signs the bytes: the usual way to produce a document. */
export async function signMessage<T> (privateKey: PrivateKey, domain: string, codec: WireCodec<T>, value: T): Promise<SignedPayload> {
  return signPayload(privateKey, domain, codec.encode(value))
}

/**
 * Verifies a signed document and decodes its payload with `codec` (MalformedMessageError if the
 * signed bytes are not a valid message). Semantic checks of the content are the caller's.
 */
export async function openSignedMessage<T> (signed: SignedPayload, domain: string, codec: WireCodec<T>, expectedSigner?: PeerId | string): Promise<T> {
  return codec.decode(await verifySignedPayload(signed, domain, expectedSigner))
}
