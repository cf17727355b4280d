// `fedagg id`: the node's peer ID, from its identity key, plus its listen addresses when the daemon runs.
import type { Argv, CommandModule } from 'yargs'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ControlClient } from '../../control/client.ts'
import { DaemonNotRunningError } from '../../control/errors.ts'
import { KeyFileMissingError } from '../../files/secret-file.ts'
import { loadIdentity } from '../../identity.ts'
import { NotInitializedError } from '../errors.ts'
import type { GlobalArgs } from '../global-options.ts'
import { printResult } from '../io.ts'

export interface IdView {
  peerId: string
  /** Present only while the daemon runs. */
  multiaddrs?: string[]
}

export async function showId (args: { dataDir: string }): Promise<IdView> {
  let identity
  try {
    identity = await loadIdentity(args.dataDir)
  } catch (err) {
    if (err instanceof KeyFileMissingError) throw new NotInitializedError(`no identity in ${args.dataDir}: run \`fedagg init --data-dir ${args.dataDir}\` first`)
    throw err
  }
  const peerId = peerIdFromPrivateKey(identity).toString()
  try {
    const status = await (await ControlClient.fromDataDir(args.dataDir, { requestTimeoutMs: 5_000 })).status()
    return { peerId, multiaddrs: status.multiaddrs }
  } catch (err) {
    if (err instanceof DaemonNotRunningError) return { peerId }
    throw err
  }
}

export const idCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'id',
  describe: 'Print this node\'s peer ID (and its addresses when the daemon runs)',
  builder: (yargs: Argv<GlobalArgs>) => yargs,
  handler: async (argv) => {
    printResult(argv.io, argv.json, await showId(argv), view => [view.peerId, ...(view.multiaddrs ?? [])].join('\n'))
  }
}
