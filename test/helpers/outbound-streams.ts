// Counts the streams of one protocol a node tries to open, by wrapping its connection manager's openStream.
import type { RunningNode } from '../../node/running-node.ts'

interface OpenStream {
  openStream: (peer: unknown, protocols: string | string[], ...rest: unknown[]) => Promise<unknown>
}

/**
 * Each attempt opens one stream whether or not the dial succeeds, so this counts attempts (client
 * submissions, coordinator pulls) even while the peer is down. Call restore() when done.
 */
export function countOutboundStreams (node: RunningNode, protocol: string): { readonly count: number, restore: () => void } {
  const connectionManager = (node.libp2p as unknown as { components: { connectionManager: OpenStream } }).components.connectionManager
  const original = connectionManager.openStream
  let count = 0
  connectionManager.openStream = async (peer, protocols, ...rest) => {
    if ([protocols].flat().includes(protocol)) count++
    return original.call(connectionManager, peer, protocols, ...rest)
  }
  return {
    get count () { return count },
    restore: () => { connectionManager.openStream = original }
  }
}
