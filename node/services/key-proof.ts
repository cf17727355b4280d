// Key proofs as a libp2p service: the coordinator serves its key's Paillier–Blum modulus proof; clients verify it once per key before encrypting under it.
import type { ComponentLogger, Logger, Startable } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import { peerIdFromString } from '@libp2p/peer-id'
import { FedaggError } from '../../protocol/errors.ts'
import { WIRE } from '../../protocol/messages/index.ts'
import type { BlumModulusProof as WireBlumModulusProof } from '../../protocol/messages/index.ts'
import { blumProofFromWire, blumProofToWire, proveBlumModulus, verifyBlumModulusProof } from '../../protocol/paillier/index.ts'
import type { PaillierPrivateKey, PaillierPublicKey } from '../../protocol/paillier/index.ts'
import type { Membership } from '../membership/membership.ts'
import { ProtocolEndpoint, deadline } from '../streams/exchange.ts'
import type { StreamLimits } from '../streams/limits.ts'
import { REQUEST_TIMEOUT_MS, SMALL_FRAME_BYTES } from './constants.ts'

/**
 * A key whose modulus is not proven to be a Paillier–Blum modulus: the proof could not be fetched,
 * or it does not verify (`cause` says which). Nothing is encrypted under such a key.
 */
export class UnprovenKeyError extends FedaggError {
  static override name = 'UnprovenKeyError'
}

export interface KeyProofServiceInit {
  federationId: string
  membership: Membership
  /** The coordinator's key, whose proof this node serves; absent on other nodes. */
  paillierKey?: PaillierPrivateKey
  limits: StreamLimits
}

export interface KeyProofServiceComponents {
  registrar: Registrar
  connectionManager: ConnectionManager
  logger: ComponentLogger
}

export interface KeyProofs extends Startable {
  /**
   * Resolves once `publicKey`'s modulus is proven, fetching the proof from the roster's coordinator
   * and verifying it the first time a key is seen; throws UnprovenKeyError otherwise, or the
   * signal's reason once it aborts (the verification goes on for other callers).
   */
  ensureProven: (publicKey: PaillierPublicKey, signal?: AbortSignal) => Promise<void>
}

/**
 * (federation, n) pairs whose proof verified in this process. Verification is a pure function of
 * (federation, n, proof), so a proof checked once holds for every node in the process: several
 * in-process nodes (tests, the library) pay ~1 s per key at 2048 bits once instead of once each.
 */
const provenInProcess = new Set<string>()

/**
 * Verified fingerprints are remembered in memory, not in node.db: a restarted client fetches and
 * verifies again (once per key; measured in docs/crypto.md), so trust in a key
 * rests on the proof itself rather than on a flag in a database file. The proof needs no
 * signature: it is a proof about n, bound to the federation id, that verifies or not whoever relays
 * it; it is asked of the roster's coordinator only because the coordinator holds the key.
 */
class KeyProofService implements KeyProofs {
  readonly #init: KeyProofServiceInit
  readonly #log: Logger
  readonly #endpoint: ProtocolEndpoint
  /** Fingerprint -> the verification under way or done; a failed one is dropped, so it is tried again. */
  readonly #proven = new Map<string, Promise<void>>()
  /**
   * The served proof, made once at start (off any request's deadline: ~1 s at 2048 bits, ~5 s at
   * 3072 on a loaded machine) and kept for the life of the process. It is a deterministic function
   * of (federation, n), so it is recomputed after a restart rather than stored.
   */
  #proof: Promise<WireBlumModulusProof> | undefined

  constructor (components: KeyProofServiceComponents, init: KeyProofServiceInit) {
    this.#init = init
    this.#log = components.logger.forComponent('fedagg:key-proof')
    this.#endpoint = new ProtocolEndpoint(components, init.limits, this.#log)
  }

  async start (): Promise<void> {
    const key = this.#init.paillierKey
    if (key === undefined) return
    // setImmediate: start() returns first, so the node finishes starting before the proof's CPU work.
    // A key that is no Paillier–Blum modulus cannot be proven: every request then fails, and no
    // client encrypts under it.
    this.#proof = new Promise((resolve, reject) => {
      setImmediate(() => {
        try {
          resolve(blumProofToWire(proveBlumModulus(this.#init.federationId, key.p, key.q)))
        } catch (err) {
          reject(err as Error)
        }
      })
    })
    this.#proof.catch((err: Error) => { this.#log.error('cannot prove this key a Paillier–Blum modulus - %e', err) })
    await this.#endpoint.handle('keyproof', { timeoutMs: REQUEST_TIMEOUT_MS, maxDataLength: SMALL_FRAME_BYTES }, async ({ framed, remotePeer, signal }) => {
      this.#init.membership.requireMember(remotePeer, 'fetch the key proof')
      const { keyFingerprint } = await framed.read(WIRE.KeyProofRequest, { signal })
      const proof = await this.#servedProof(keyFingerprint)
      await framed.write(WIRE.KeyProofResponse, proof === undefined ? { found: false } : { found: true, proof }, { signal })
    })
  }

  async stop (): Promise<void> {
    if (this.#init.paillierKey !== undefined) await this.#endpoint.unhandle('keyproof')
  }

  async #servedProof (fingerprint: string): Promise<WireBlumModulusProof | undefined> {
    if (this.#init.paillierKey?.publicKey.fingerprint !== fingerprint) return undefined
    return this.#proof
  }

  async ensureProven (publicKey: PaillierPublicKey, signal?: AbortSignal): Promise<void> {
    const { fingerprint } = publicKey
    // This node's own key: it drew the primes itself.
    if (this.#init.paillierKey?.publicKey.fingerprint === fingerprint) return
    if (provenInProcess.has(this.#provenKey(publicKey))) return
    let proven = this.#proven.get(fingerprint)
    if (proven === undefined) {
      // Bounded by its own deadline only: it is shared by every caller, and one caller giving up
      // (its signal) must not fail the others waiting on it.
      proven = this.#fetchAndVerify(publicKey)
      this.#proven.set(fingerprint, proven)
      proven.catch(() => { this.#proven.delete(fingerprint) })
    }
    if (signal === undefined) return proven
    await waitUnlessAborted(proven, signal)
  }

  #provenKey (publicKey: PaillierPublicKey): string {
    return `${this.#init.federationId}\n${publicKey.n.toString(16)}`
  }

  async #fetchAndVerify (publicKey: PaillierPublicKey): Promise<void> {
    const coordinator = this.#init.membership.coordinator()
    if (coordinator === undefined) throw new UnprovenKeyError(`key ${publicKey.fingerprint}: no coordinator to ask for its modulus proof`)
    const request = deadline(REQUEST_TIMEOUT_MS)
    try {
      const response = await this.#endpoint.request(peerIdFromString(coordinator), 'keyproof',
        { signal: request, maxDataLength: WIRE.KeyProofResponse.maxDataLength }, async framed => {
          await framed.write(WIRE.KeyProofRequest, { keyFingerprint: publicKey.fingerprint }, { signal: request })
          return framed.read(WIRE.KeyProofResponse, { signal: request })
        })
      if (!response.found) throw new UnprovenKeyError(`key ${publicKey.fingerprint}: the coordinator has no modulus proof for it`)
      verifyBlumModulusProof(this.#init.federationId, publicKey.n, blumProofFromWire(response.proof))
      provenInProcess.add(this.#provenKey(publicKey))
    } catch (err) {
      if (err instanceof UnprovenKeyError) throw err
      throw new UnprovenKeyError(`key ${publicKey.fingerprint}: no valid Paillier–Blum modulus proof (${(err as Error).name}: ${(err as Error).message})`, { cause: err })
    }
    this.#log('key %s: Paillier–Blum modulus proof verified', publicKey.fingerprint)
  }
}

/** Settles as `work` does, or rejects with the signal's reason as soon as it aborts (leaving `work` running). */
async function waitUnlessAborted (work: Promise<void>, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted()
  let onAbort: (() => void) | undefined
  try {
    await Promise.race([work, new Promise<never>((_resolve, reject) => {
      onAbort = () => { reject(signal.reason) }
      signal.addEventListener('abort', onAbort, { once: true })
    })])
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort)
  }
}

export function keyProofService (init: KeyProofServiceInit): (components: KeyProofServiceComponents) => KeyProofs {
  return components => new KeyProofService(components, init)
}
