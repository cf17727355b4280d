// Training sessions as a libp2p service: the coordinator runs sessions and serves their models; members fetch models and submit updates.
import { randomBytes } from 'node:crypto'
import { setMaxListeners } from 'node:events'
import type { ComponentLogger, Logger, PeerId, PrivateKey, Startable } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import { peerIdFromString } from '@libp2p/peer-id'
import { MAX_MODEL_CHUNK_BYTES, WIRE } from '../../protocol/messages/index.ts'
import type { Receipt, SessionModel, SignedPayload } from '../../protocol/messages/index.ts'
import type { AnnouncedRound } from '../../protocol/round/index.ts'
import {
  InvalidModelError, PARAMETER_BYTES, applyRoundOutcome, hashOfBytes, parametersFromBytes, parametersToBytes,
  resolveSessionSettings, signSessionModel, startSession, verifySessionModel
} from '../../protocol/training/index.ts'
import type { RoundOutcome, SessionRoundRecord, SessionState } from '../../protocol/training/index.ts'
import type { ModelView, OpenRoundRequest, SessionRoundView, SessionView, StartSessionRequest } from '../api.ts'
import type { FederationGossip } from '../membership/federation-gossip.ts'
import type { Membership } from '../membership/membership.ts'
import type { RecordedRoundOutcome } from '../services/coordinator.ts'
import { REQUEST_TIMEOUT_MS, SMALL_FRAME_BYTES, TRANSFER_TIMEOUT_MS } from '../services/constants.ts'
import type { StoredBytes, StoredTrainingRound, Store } from '../store/index.ts'
import { ProtocolEndpoint, deadline } from '../streams/exchange.ts'
import type { StreamLimits } from '../streams/limits.ts'
import { InvalidUpdateError, ModelPendingError, SessionClosedError, SessionNotFoundError, StaleRoundError, TrainingRoleError } from './errors.ts'

/**
 * While a trainer waits for the next model, the node asks the coordinator this often. Gossiped
 * announcements of the next round wake it sooner; polling only covers a lost announcement.
 */
const MODEL_POLL_MS = 1_000

/** A freshly announced round's model may be stored a moment after its announcement went out. */
const ANNOUNCED_MODEL_RETRIES = 5
const ANNOUNCED_MODEL_RETRY_MS = 200

export interface TrainingInit {
  federationId: string
  membership: Membership
  gossip: FederationGossip
  store: Store
  limits: StreamLimits
  /** Coordinator only: opens a fedagg round (the coordinator service's openRound). */
  openRound?: (request: OpenRoundRequest) => Promise<AnnouncedRound>
  /** Client only: encrypts and submits a vector (the client service's submit). */
  submit?: (values: readonly number[], options: { roundId: string, weight: number, signal?: AbortSignal }) => Promise<Receipt>
  now?: () => number
}

export interface TrainingComponents {
  peerId: PeerId
  privateKey: PrivateKey
  registrar: Registrar
  connectionManager: ConnectionManager
  logger: ComponentLogger
}

/** A session as the coordinator checkpoints it: the state machine's state, as JSON in node.db. */
interface SessionCheckpoint {
  state: SessionState
}

export class TrainingService implements Startable {
  readonly #components: TrainingComponents
  readonly #init: TrainingInit
  readonly #log: Logger
  readonly #endpoint: ProtocolEndpoint
  readonly #now: () => number
  readonly #events = new EventTarget()
  /** One advance at a time per session, so a round is never opened twice. */
  readonly #advancing = new Map<string, Promise<void>>()
  #stopping = new AbortController()
  #stopGossip = (): void => {}

  constructor (components: TrainingComponents, init: TrainingInit) {
    this.#components = components
    this.#init = init
    this.#log = components.logger.forComponent('fedagg:training')
    this.#endpoint = new ProtocolEndpoint(components, init.limits, this.#log)
    this.#now = init.now ?? Date.now
    setMaxListeners(Infinity, this.#events)
  }

  get #isCoordinator (): boolean { return this.#init.openRound !== undefined }

  async start (): Promise<void> {
    this.#stopping = new AbortController()
    setMaxListeners(Infinity, this.#stopping.signal)
    if (this.#isCoordinator) {
      await this.#endpoint.handle('model', { timeoutMs: TRANSFER_TIMEOUT_MS, maxDataLength: SMALL_FRAME_BYTES }, async ({ framed, remotePeer, signal }) => {
        this.#init.membership.requireMember(remotePeer, 'fetch a session model')
        const request = await framed.read(WIRE.ModelRequest, { signal })
        const stored = request.roundId !== ''
          ? this.#init.store.training.roundById(request.roundId)
          : this.#init.store.training.latest(request.sessionId === '' ? undefined : request.sessionId)
        if (stored === undefined) {
          await framed.write(WIRE.ModelResponseHeader, { found: false, chunkCount: 0 }, { signal })
          return
        }
        const model = WIRE.SignedPayload.decode(stored.signedModel)
        if (Buffer.from(request.knownHash).toString('hex') === stored.modelHash) {
          await framed.write(WIRE.ModelResponseHeader, { found: true, model, chunkCount: 0 }, { signal })
          return
        }
        const bytes = this.#parameterBytes(stored.modelHash)
        const chunkCount = Math.ceil(bytes.length / MAX_MODEL_CHUNK_BYTES)
        await framed.write(WIRE.ModelResponseHeader, { found: true, model, chunkCount }, { signal })
        for (let index = 0; index < chunkCount; index++) {
          const parameters = bytes.subarray(index * MAX_MODEL_CHUNK_BYTES, (index + 1) * MAX_MODEL_CHUNK_BYTES)
          await framed.write(WIRE.ModelChunk, { index, parameters }, { signal })
        }
      })
    } else if (this.#init.submit !== undefined) {
      // A new round's announcement is the cue that its model exists: clients fetch it right away.
      this.#stopGossip = this.#init.gossip.on('announcement', signed => { this.#onAnnouncement(signed) })
    }
  }

  /** Resumes every session from its checkpoint: a missing next round (or final model) is published now. */
  afterStart (): void {
    if (!this.#isCoordinator) return
    for (const session of this.#init.store.training.sessions()) this.#advance(session.sessionId)
  }

  async stop (): Promise<void> {
    this.#stopGossip()
    this.#stopping.abort()
    await Promise.allSettled(this.#advancing.values())
    if (this.#isCoordinator) await this.#endpoint.unhandle('model')
  }

  // Coordinator

  async startSession (request: StartSessionRequest): Promise<SessionView> {
    if (!this.#isCoordinator) throw new TrainingRoleError('only the coordinator starts training sessions')
    const { initialModel, parameterCount, ...settingsInput } = request
    const settings = resolveSessionSettings(settingsInput)
    if (initialModel !== undefined && parameterCount !== undefined && initialModel.length !== parameterCount) {
      throw new InvalidModelError(`initialModel: expected ${parameterCount} parameters (parameterCount), got ${initialModel.length}`)
    }
    if (initialModel === undefined && (parameterCount === undefined || !Number.isInteger(parameterCount) || parameterCount < 1)) {
      throw new InvalidModelError(`parameterCount: expected a positive integer when no initialModel is given, got ${String(parameterCount)}`)
    }
    const model = initialModel ?? new Float64Array(parameterCount as number)
    const sessionId = `s-${this.#now()}-${randomBytes(4).toString('hex')}`
    const state = startSession(sessionId, settings, model)
    this.#init.store.training.createSession(sessionId, serialize({ state }), state.modelHash, parametersToBytes(model))
    this.#advance(sessionId)
    await this.#advancing.get(sessionId)
    return this.#sessionView(sessionId) as SessionView
  }

  /**
   * Runs inside the transaction that records a round's result (CoordinatorInit.recordOutcome):
   * applies the outcome to the session's model and checkpoints the new state and model together
   * with it. A restarted coordinator therefore never decrypts a session round twice and never
   * loses a decrypted one. Rounds that belong to no session are left alone.
   */
  recordOutcome (outcome: RecordedRoundOutcome): void {
    const published = this.#init.store.training.roundById(outcome.roundId)
    if (published === undefined) return
    const stored = this.#init.store.training.session(published.sessionId)
    if (stored === undefined) return
    const { state } = deserialize(stored.state)
    const model = parametersFromBytes(this.#parameterBytes(state.modelHash))
    const step = applyRoundOutcome(state, model, published.round, roundOutcome(outcome))
    this.#init.store.training.checkpoint(state.sessionId, serialize({ state: step.state }), step.state.modelHash,
      parametersToBytes(step.model), { round: published.round, outcome: JSON.stringify(step.record) })
    // After the commit: the next round opens (or the final model is published) outside the transaction.
    setImmediate(() => { this.#advance(state.sessionId) })
  }

  /** Publishes the session's next round, or its final model, unless already published; one at a time per session. */
  #advance (sessionId: string): void {
    if (this.#stopping.signal.aborted) return
    const previous = this.#advancing.get(sessionId) ?? Promise.resolve()
    const next = previous
      .then(async () => this.#publishNext(sessionId))
      .catch(err => { if (!this.#stopping.signal.aborted) this.#log.error('session %s: publishing the next model failed - %e', sessionId, err) })
    this.#advancing.set(sessionId, next)
    void next.finally(() => { if (this.#advancing.get(sessionId) === next) this.#advancing.delete(sessionId) })
  }

  async #publishNext (sessionId: string): Promise<void> {
    const { training } = this.#init.store
    const stored = training.session(sessionId)
    if (stored === undefined || this.#stopping.signal.aborted) return
    const { state } = deserialize(stored.state)
    if (training.round(sessionId, state.round) !== undefined) return
    const { settings } = state
    let roundId: string | undefined
    if (state.status === 'running') {
      const round = await (this.#init.openRound as NonNullable<TrainingInit['openRound']>)({
        length: state.parameterCount,
        encoding: `fixed:${settings.fractionBits}`,
        clip: settings.clip,
        weightBits: settings.weightBits,
        minParticipants: settings.minParticipants,
        deadlineSeconds: settings.roundDeadlineSeconds
      })
      roundId = round.announcement.roundId
    }
    const signed = await signSessionModel(this.#components.privateKey, {
      federationId: this.#init.federationId,
      sessionId,
      round: state.round,
      roundId: roundId ?? '',
      modelHash: Buffer.from(state.modelHash, 'hex'),
      parameterCount: state.parameterCount,
      rounds: settings.rounds,
      epochs: settings.epochs,
      clip: settings.clip,
      status: state.status,
      issuedAtMs: this.#now()
    })
    training.saveRound({
      sessionId,
      round: state.round,
      ...(roundId === undefined ? {} : { roundId }),
      modelHash: state.modelHash,
      signedModel: WIRE.SignedPayload.encode(signed)
    }, this.#parameterBytes(state.modelHash))
    this.#events.dispatchEvent(new Event('model'))
  }

  // Every member

  async sessions (): Promise<SessionView[]> {
    const { training } = this.#init.store
    const ids = this.#isCoordinator
      ? training.sessions().map(session => session.sessionId)
      : [...new Set([training.latest()?.sessionId].filter((id): id is string => id !== undefined))]
    return ids.map(id => this.#sessionView(id)).filter((view): view is SessionView => view !== undefined)
  }

  async session (sessionId: string): Promise<SessionView | undefined> {
    return this.#sessionView(sessionId)
  }

  /** The newest model this node holds for the session, fetching it from the coordinator when it holds none. */
  async currentModel (sessionId?: string): Promise<ModelView> {
    let latest = this.#init.store.training.latest(sessionId)
    if (latest === undefined && !this.#isCoordinator) {
      await this.#fetch({ sessionId: sessionId ?? '', roundId: '' }, deadline(REQUEST_TIMEOUT_MS))
      latest = this.#init.store.training.latest(sessionId)
    }
    if (latest === undefined) {
      throw new SessionNotFoundError(sessionId === undefined ? 'no training session is known to this node' : `no session ${sessionId} is known to this node`)
    }
    return this.#modelView(latest)
  }

  /** Resolves with the first model of a round after `afterRound` (or the final model); rejects when `signal` aborts. */
  async waitForModel (sessionId: string | undefined, afterRound: number, signal: AbortSignal): Promise<ModelView> {
    const ready = (): StoredTrainingRound | undefined => {
      const latest = this.#init.store.training.latest(sessionId)
      if (latest === undefined) return undefined
      return latest.round > afterRound || latest.roundId === undefined ? latest : undefined
    }
    const waiting = AbortSignal.any([signal, this.#stopping.signal])
    for (;;) {
      const found = ready()
      if (found !== undefined) return this.#modelView(found)
      if (waiting.aborted) {
        throw new ModelPendingError(`no model after round ${afterRound}${sessionId === undefined ? '' : ` of session ${sessionId}`} yet`)
      }
      if (!this.#isCoordinator) {
        const known = this.#init.store.training.latest(sessionId)
        await this.#fetch({ sessionId: sessionId ?? '', roundId: '', ...(known === undefined ? {} : { knownHash: known.modelHash }) },
          AbortSignal.any([waiting, deadline(REQUEST_TIMEOUT_MS)])).catch(err => { this.#log('polling the coordinator for a model failed - %e', err) })
        if (ready() !== undefined) continue
      }
      await this.#nextModelEvent(waiting, this.#isCoordinator ? undefined : MODEL_POLL_MS)
    }
  }

  /**
   * Submits a trainer's update for `round` of the session: the node clips every value to the
   * session's bound, encodes it as fixed-point with the weight, encrypts it and streams it to the
   * round's aggregator. Only the current round of a running session takes updates.
   */
  async submitUpdate (sessionId: string, round: number, update: Float64Array, weight: number, signal?: AbortSignal): Promise<Receipt> {
    const submit = this.#init.submit
    if (submit === undefined) throw new TrainingRoleError('only a client node submits updates')
    const latest = this.#init.store.training.latest(sessionId)
    if (latest === undefined) throw new SessionNotFoundError(`no session ${sessionId} is known to this node`)
    const model = WIRE.SessionModel.decode(WIRE.SignedPayload.decode(latest.signedModel).payload)
    if (model.status !== 'running') throw new SessionClosedError(`session ${sessionId} has ended (${model.status}): it takes no more updates`)
    if (latest.round !== round || latest.roundId === undefined) {
      throw new StaleRoundError(`session ${sessionId}: expected an update for the current round ${latest.round}, got round ${round}`)
    }
    if (update.length !== model.parameterCount) {
      throw new InvalidUpdateError(`update: expected ${model.parameterCount} values, got ${update.length}`)
    }
    return submit(Array.from(update), { roundId: latest.roundId, weight, ...(signal === undefined ? {} : { signal }) })
  }

  // Member side of /fedagg/model/1.0.0

  #onAnnouncement (signed: SignedPayload): void {
    let roundId: string
    try {
      const announcement = WIRE.RoundAnnouncement.decode(signed.payload)
      // Session rounds are weighted fixed-point rounds; any other round has no model to fetch.
      if (announcement.spec === undefined || announcement.spec.weightBits === 0 || !announcement.spec.encoding.startsWith('fixed:')) return
      roundId = announcement.roundId
    } catch {
      return
    }
    void (async () => {
      for (let attempt = 0; attempt < ANNOUNCED_MODEL_RETRIES && !this.#stopping.signal.aborted; attempt++) {
        const found = await this.#fetch({ sessionId: '', roundId }, AbortSignal.any([this.#stopping.signal, deadline(REQUEST_TIMEOUT_MS)]))
          .catch(err => { this.#log('fetching the model of round %s failed - %e', roundId, err); return true })
        // Not found: a plain round, or a session round whose model is not stored yet; ask again shortly.
        if (found) return
        await new Promise(resolve => setTimeout(resolve, ANNOUNCED_MODEL_RETRY_MS))
      }
    })()
  }

  /**
   * Asks the coordinator for a model, verifies its signature and that the parameters match the
   * signed hash and count, and stores both. Resolves false when the coordinator has no such model.
   */
  async #fetch (request: { sessionId: string, roundId: string, knownHash?: string }, signal: AbortSignal): Promise<boolean> {
    const coordinator = this.#init.membership.coordinator()
    if (coordinator === undefined) return false
    const known = request.knownHash
    const answer = await this.#endpoint.request(peerIdFromString(coordinator), 'model',
      { signal, maxDataLength: WIRE.ModelResponseHeader.maxDataLength }, async framed => {
        await framed.write(WIRE.ModelRequest, {
          sessionId: request.sessionId,
          roundId: request.roundId,
          knownHash: known === undefined ? new Uint8Array(0) : Buffer.from(known, 'hex')
        }, { signal })
        const header = await framed.read(WIRE.ModelResponseHeader, { signal })
        if (!header.found || header.model === undefined) return undefined
        const model = await verifySessionModel(header.model, coordinator)
        const expectedBytes = model.parameterCount * PARAMETER_BYTES
        if (header.chunkCount > Math.ceil(expectedBytes / MAX_MODEL_CHUNK_BYTES)) {
          throw new InvalidModelError(`model of session ${model.sessionId}: expected at most ${Math.ceil(expectedBytes / MAX_MODEL_CHUNK_BYTES)} chunks, got ${header.chunkCount}`)
        }
        const bytes = new Uint8Array(header.chunkCount === 0 ? 0 : expectedBytes)
        let offset = 0
        for (let index = 0; index < header.chunkCount; index++) {
          const chunk = await framed.read(WIRE.ModelChunk, { signal, maxDataLength: WIRE.ModelChunk.maxDataLength })
          if (chunk.index !== index || offset + chunk.parameters.length > bytes.length) {
            throw new InvalidModelError(`model of session ${model.sessionId}: chunk ${chunk.index} out of order or past ${expectedBytes} bytes`)
          }
          bytes.set(chunk.parameters, offset)
          offset += chunk.parameters.length
        }
        return { signed: header.model, model, bytes: header.chunkCount === 0 ? undefined : bytes, received: offset }
      })
    if (answer === undefined) return false
    const { signed, model } = answer
    const hash = Buffer.from(model.modelHash).toString('hex')
    const bytes = answer.bytes ?? this.#init.store.training.model(hash)
    if (bytes === undefined || (answer.bytes !== undefined && answer.received !== bytes.length) || hashOfBytes(bytes) !== hash) {
      throw new InvalidModelError(`model of session ${model.sessionId} round ${model.round}: the parameters do not match the signed hash`)
    }
    this.#remember(signed, model, bytes)
    return true
  }

  #remember (signed: SignedPayload, model: SessionModel, bytes: Uint8Array): void {
    this.#init.store.training.saveRound({
      sessionId: model.sessionId,
      round: model.round,
      ...(model.roundId === '' ? {} : { roundId: model.roundId }),
      modelHash: Buffer.from(model.modelHash).toString('hex'),
      signedModel: WIRE.SignedPayload.encode(signed)
    }, bytes)
    this.#events.dispatchEvent(new Event('model'))
  }

  // Views

  async #nextModelEvent (signal: AbortSignal, timeoutMs: number | undefined): Promise<void> {
    await new Promise<void>(resolve => {
      const done = (): void => {
        clearTimeout(timer)
        this.#events.removeEventListener('model', done)
        signal.removeEventListener('abort', done)
        resolve()
      }
      const timer = timeoutMs === undefined ? undefined : setTimeout(done, timeoutMs)
      this.#events.addEventListener('model', done)
      signal.addEventListener('abort', done)
    })
  }

  #parameterBytes (hash: string): StoredBytes {
    const bytes = this.#init.store.training.model(hash)
    if (bytes === undefined) throw new InvalidModelError(`model ${hash}: expected it in the store, got none`)
    return bytes
  }

  #modelView (stored: StoredTrainingRound): ModelView {
    const model = WIRE.SessionModel.decode(WIRE.SignedPayload.decode(stored.signedModel).payload)
    const parameters = parametersFromBytes(this.#parameterBytes(stored.modelHash))
    return {
      sessionId: model.sessionId,
      round: model.round,
      ...(model.roundId === '' ? {} : { roundId: model.roundId }),
      modelHash: stored.modelHash,
      parameterCount: model.parameterCount,
      rounds: model.rounds,
      epochs: model.epochs,
      clip: model.clip,
      status: model.status as ModelView['status'],
      final: model.status !== 'running',
      parameters
    }
  }

  #sessionView (sessionId: string): SessionView | undefined {
    const { training } = this.#init.store
    const rounds = training.rounds(sessionId)
    const stored = training.session(sessionId)
    const history = rounds.map(roundView)
    if (stored !== undefined) {
      const { state } = deserialize(stored.state)
      return {
        sessionId,
        status: state.status,
        round: state.round,
        rounds: state.settings.rounds,
        parameterCount: state.parameterCount,
        modelHash: state.modelHash,
        epochs: state.settings.epochs,
        clip: state.settings.clip,
        settings: state.settings,
        history
      }
    }
    const latest = rounds.at(-1)
    if (latest === undefined) return undefined
    const model = WIRE.SessionModel.decode(WIRE.SignedPayload.decode(latest.signedModel).payload)
    return {
      sessionId,
      status: model.status as SessionView['status'],
      round: model.round,
      rounds: model.rounds,
      parameterCount: model.parameterCount,
      modelHash: latest.modelHash,
      epochs: model.epochs,
      clip: model.clip,
      history
    }
  }
}

function roundView (stored: StoredTrainingRound): SessionRoundView {
  const base = { round: stored.round, ...(stored.roundId === undefined ? {} : { roundId: stored.roundId }), modelHash: stored.modelHash }
  if (stored.roundId === undefined) return { ...base, status: 'final' }
  if (stored.outcome === undefined) return { ...base, status: 'open' }
  const record = JSON.parse(stored.outcome) as SessionRoundRecord
  return {
    ...base,
    status: record.status,
    contributors: record.contributors,
    ...(record.weightSum === undefined ? {} : { weightSum: record.weightSum }),
    ...(record.updateNorm === undefined ? {} : { updateNorm: record.updateNorm }),
    ...(record.reason === undefined ? {} : { reason: record.reason })
  }
}

function roundOutcome (outcome: RecordedRoundOutcome): RoundOutcome {
  if (outcome.status === 'decrypted' && outcome.mean !== undefined && outcome.weightSum !== undefined) {
    return { status: 'decrypted', contributors: outcome.contributors, weightedMean: outcome.mean, weightSum: Number(outcome.weightSum) }
  }
  const reason = outcome.status === 'decrypted' ? 'the round was not a weighted fixed-point round' : outcome.reason
  return { status: outcome.status === 'corrupt' ? 'corrupt' : 'failed', contributors: outcome.contributors, reason }
}

function serialize (checkpoint: SessionCheckpoint): string {
  return JSON.stringify(checkpoint)
}

function deserialize (text: string): SessionCheckpoint {
  return JSON.parse(text) as SessionCheckpoint
}

export function trainingService (init: TrainingInit): (components: TrainingComponents) => TrainingService {
  return components => new TrainingService(components, init)
}
