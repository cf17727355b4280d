// The federation's gossip topic: a validator that Rejects anything not signed by the right roster role, and typed dispatch.
import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { GossipSub, Message, SubscriptionChangeData } from '@libp2p/gossipsub'
import { FedaggError } from '../../protocol/errors.ts'
import type { Logger, PeerId } from '@libp2p/interface'
import { DOMAINS, decodeFederationEvent, encodeFederationEvent, federationTopic } from '../../protocol/messages/index.ts'
import type { FederationEventKind, Role, SignedPayload } from '../../protocol/messages/index.ts'
import { verifySignedPayload } from '../../protocol/signing/index.ts'

/** A publish was still waiting for a subscriber when the node stopped. */
export class GossipStoppedError extends FedaggError {
  static override name = 'GossipStoppedError'
}

/** Long enough to cover a restart and reconnection; rounds settle within their deadline plus grace. */
const STICKY_WINDOW_MS = 10 * 60_000
/** Bounds the memory of sticky messages; a federation settles a few rounds at a time. */
const MAX_STICKY_MESSAGES = 64

/** What the validator needs to know about the roster. */
export interface RoleDirectory {
  hasRole (peerId: string, role: Role): boolean
}

/** Which roster role may author each kind of event. */
const AUTHOR_ROLE: Record<FederationEventKind, Role> = {
  announcement: 'coordinator',
  result: 'coordinator',
  roster: 'coordinator',
  transcript: 'aggregator'
}

export type FederationEventHandler = (signed: SignedPayload) => void

export interface FederationGossipOptions {
  /** Late-bound: the role services need this object before the libp2p host (and its pubsub) exists. */
  pubsub: () => GossipSub
  federationId: string
  roles: RoleDirectory
  log: Logger
  /** Called for every rejected message with its event kind ('malformed' if undecodable); feeds metrics. */
  onReject?: (kind: string) => void
}

/**
 * Validation happens in the topic validator, before a message is delivered
 * or forwarded: returning Reject also penalises the sender's gossip score,
 * whereas a throw would only mean Ignore.
 */
export class FederationGossip {
  readonly topic: string
  readonly #pubsub: () => GossipSub
  readonly #roles: RoleDirectory
  readonly #log: Logger
  readonly #onReject: (kind: string) => void
  readonly #handlers = new Map<FederationEventKind, FederationEventHandler[]>()
  readonly #onMessage = (event: CustomEvent<Message>): void => { this.#dispatch(event.detail) }
  readonly #onSubscriptionChange = (event: CustomEvent<SubscriptionChangeData>): void => { this.#republishTo(event.detail) }
  /** Encoded events this node published, republished whenever a peer subscribes, until they expire. */
  readonly #sticky: Array<{ data: Uint8Array, untilMs: number }> = []
  #stopping = new AbortController()

  constructor (options: FederationGossipOptions) {
    this.topic = federationTopic(options.federationId)
    this.#pubsub = options.pubsub
    this.#roles = options.roles
    this.#log = options.log
    this.#onReject = options.onReject ?? (() => {})
  }

  /**
   * Call once the host has started: gossipsub refuses subscriptions before that. Role services
   * start inside the host's start, before this, and may already be publishing (a stored result, a
   * transcript on resume); those waits hold #stopping, so it is replaced only after a stop.
   */
  start (): void {
    if (this.#stopping.signal.aborted) this.#stopping = new AbortController()
    const pubsub = this.#pubsub()
    pubsub.topicValidators.set(this.topic, async (peer, message) => this.validate(peer, message))
    pubsub.addEventListener('message', this.#onMessage)
    pubsub.addEventListener('subscription-change', this.#onSubscriptionChange)
    pubsub.subscribe(this.topic)
  }

  stop (): void {
    this.#stopping.abort(new GossipStoppedError('the federation gossip stopped'))
    const pubsub = this.#pubsub()
    pubsub.unsubscribe(this.topic)
    pubsub.removeEventListener('message', this.#onMessage)
    pubsub.removeEventListener('subscription-change', this.#onSubscriptionChange)
    pubsub.topicValidators.delete(this.topic)
    this.#sticky.length = 0
  }

  /** Delivers every validated event of this kind to the handler; returns the function that stops that. */
  on (kind: FederationEventKind, handler: FederationEventHandler): () => void {
    this.#handlers.set(kind, [...(this.#handlers.get(kind) ?? []), handler])
    return () => { this.#handlers.set(kind, (this.#handlers.get(kind) ?? []).filter(registered => registered !== handler)) }
  }

  /**
   * Publishes and resolves once at least one peer has been sent the message.
   * Right after a (re)start no peer may have subscribed yet, and gossipsub
   * would drop the message without a word; then this waits for the next peer
   * to subscribe to the topic and publishes again. Rejects once stopped.
   */
  async publish (kind: FederationEventKind, signed: SignedPayload): Promise<void> {
    const data = encodeFederationEvent(kind, signed)
    this.#remember(data)
    for (;;) {
      const { recipients } = await this.#pubsub().publish(this.topic, data)
      if (recipients.length > 0) return
      this.#log('no peer subscribed to %s yet; %s waits for one', this.topic, kind)
      await this.#nextSubscriber()
    }
  }

  /**
   * Gossip does not replay: a member that was away when a roster update,
   * announcement, transcript or result went out (joining, or a restart on
   * either side) would otherwise never see it, and a round could not settle.
   * So each is published again to the topic whenever a peer subscribes, for
   * STICKY_WINDOW_MS. Receivers handle repeats idempotently (a roster version
   * already held, an announcement already tracked, a round already settled).
   */
  #remember (data: Uint8Array): void {
    const now = Date.now()
    this.#sticky.push({ data, untilMs: now + STICKY_WINDOW_MS })
    while (this.#sticky.length > MAX_STICKY_MESSAGES) this.#sticky.shift()
  }

  #republishTo (change: SubscriptionChangeData): void {
    if (!change.subscriptions.some(({ topic, subscribe }) => subscribe && topic === this.topic)) return
    const now = Date.now()
    while (this.#sticky.length > 0 && this.#sticky[0]!.untilMs < now) this.#sticky.shift()
    for (const { data } of this.#sticky) {
      this.#pubsub().publish(this.topic, data).catch(err => { this.#log('republishing to %p failed - %e', change.peerId, err) })
    }
  }

  async #nextSubscriber (): Promise<void> {
    const pubsub = this.#pubsub()
    const stopped = this.#stopping.signal
    await new Promise<void>((resolve, reject) => {
      const onChange = (event: CustomEvent<SubscriptionChangeData>): void => {
        if (event.detail.subscriptions.some(({ topic, subscribe }) => subscribe && topic === this.topic)) done()
      }
      const done = (): void => {
        pubsub.removeEventListener('subscription-change', onChange)
        stopped.removeEventListener('abort', done)
        if (stopped.aborted) reject(stopped.reason)
        else resolve()
      }
      if (stopped.aborted) { reject(stopped.reason); return }
      pubsub.addEventListener('subscription-change', onChange)
      stopped.addEventListener('abort', done)
    })
  }

  async validate (_propagator: PeerId, message: Message): Promise<TopicValidatorResult> {
    const rejection = await this.#rejection(message)
    if (rejection === undefined) return TopicValidatorResult.Accept
    this.#log('rejected %s gossip: %s', rejection.kind, rejection.reason)
    this.#onReject(rejection.kind)
    return TopicValidatorResult.Reject
  }

  async #rejection (message: Message): Promise<{ kind: string, reason: string } | undefined> {
    if (message.type !== 'signed') return { kind: 'malformed', reason: 'unsigned message' }
    let kind: FederationEventKind
    let signed: SignedPayload
    try {
      ({ kind, signed } = decodeFederationEvent(message.data))
    } catch (err) {
      return { kind: 'malformed', reason: (err as Error).message }
    }
    const reason = await this.#authorProblem(kind, signed, message.from.toString())
    return reason === undefined ? undefined : { kind, reason }
  }

  async #authorProblem (kind: FederationEventKind, signed: SignedPayload, author: string): Promise<string | undefined> {
    // The gossip author (StrictSign-verified by gossipsub) must be the document's signer:
    // nobody relays another member's document under their own name.
    if (signed.signer !== author) return `${kind} signed by ${signed.signer} but published by ${author}`
    if (!this.#roles.hasRole(author, AUTHOR_ROLE[kind])) return `${kind} from ${author}, which is not a roster ${AUTHOR_ROLE[kind]}`
    try {
      await verifySignedPayload(signed, DOMAINS[kind], author)
    } catch (err) {
      return (err as Error).message
    }
    return undefined
  }

  #dispatch (message: Message): void {
    if (message.topic !== this.topic) return
    // Only messages that passed validate() are delivered, so decoding cannot fail here.
    const { kind, signed } = decodeFederationEvent(message.data)
    for (const handler of this.#handlers.get(kind) ?? []) {
      try {
        handler(signed)
      } catch (err) {
        this.#log.error('%s handler failed - %e', kind, err)
      }
    }
  }
}
