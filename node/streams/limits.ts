// Per-protocol stream limits every fedagg service applies, resolved once from the node's config.
import type { ProtocolName } from '../../protocol/messages/index.ts'

export interface ProtocolStreamLimits {
  /** Concurrent inbound streams of this protocol per connection. */
  maxInboundStreams: number
  /** Concurrent outbound streams of this protocol per connection. */
  maxOutboundStreams: number
}

export interface StreamLimits {
  protocols: Record<ProtocolName, ProtocolStreamLimits>
  /** Deadline of each single read: a peer silent this long is stalled, and its stream is reset. */
  readTimeoutMs: number
  /** Largest whole submission (all ciphertext bytes) an aggregator accepts. */
  maxSubmissionBytes: number
}

export interface StreamLimitsConfig {
  streamTimeoutMs: number
  maxSubmissionBytes: number
  maxInboundStreams: Record<ProtocolName, number>
  maxOutboundStreams: Record<ProtocolName, number>
}

export function streamLimits (config: StreamLimitsConfig): StreamLimits {
  const names = Object.keys(config.maxInboundStreams) as ProtocolName[]
  return {
    protocols: Object.fromEntries(names.map(name => [name, {
      maxInboundStreams: config.maxInboundStreams[name],
      maxOutboundStreams: config.maxOutboundStreams[name]
    }])) as Record<ProtocolName, ProtocolStreamLimits>,
    readTimeoutMs: config.streamTimeoutMs,
    maxSubmissionBytes: config.maxSubmissionBytes
  }
}
