// A fedagg federation spread over network namespaces: each daemon in its own namespace, with its own address.
import type { Role } from '../../node/api.ts'
import { ProcessFederation } from '../federation/process-federation.ts'
import type { FixtureKeyBits } from '../federation/process-federation.ts'
import { NetnsNetwork } from './network.ts'

/** Each daemon has its namespace's whole port space to itself, so all listen on the same port. */
const LISTEN_PORT = 4001

export interface NetnsFederationOptions {
  clients: number
  /** @default 2048 */
  keyBits?: FixtureKeyBits
  /** FEDAGG_* settings per role, e.g. a short settle grace for the coordinator. */
  env?: Partial<Record<Role, Record<string, string>>>
}

export interface NetnsFederation {
  network: NetnsNetwork
  federation: ProcessFederation
  /** Stops the daemons, then deletes the namespaces; always both, even if the first fails. */
  stop: () => Promise<void>
}

/**
 * Builds the network (coordinator, aggregator, client-0..N-1) and starts the federation on it.
 * If the start fails, the network is torn down before the error is rethrown.
 */
export async function startNetnsFederation (options: NetnsFederationOptions): Promise<NetnsFederation> {
  const specs: Array<{ name: string, role: Role }> = [
    { name: 'coordinator', role: 'coordinator' },
    { name: 'aggregator', role: 'aggregator' },
    ...Array.from({ length: options.clients }, (_, i) => ({ name: `client-${i}`, role: 'client' as const }))
  ]
  const network = await NetnsNetwork.create(specs.map(spec => spec.name))
  let federation: ProcessFederation
  try {
    federation = await ProcessFederation.start({
      keyBits: options.keyBits ?? 2048,
      nodes: specs.map(spec => ({
        ...spec,
        listen: `/ip4/${network.address(spec.name)}/tcp/${LISTEN_PORT}`,
        exec: network.exec(spec.name),
        env: options.env?.[spec.role] ?? {}
      }))
    })
  } catch (err) {
    await network.destroy()
    throw err
  }
  const stop = async (): Promise<void> => {
    try {
      await federation.stop()
    } finally {
      await network.destroy()
    }
  }
  return { network, federation, stop }
}
