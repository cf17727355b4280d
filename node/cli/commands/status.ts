// `fedagg status`: the running daemon's peer ID, federation, roles, peers and rounds.
import type { Argv, CommandModule } from 'yargs'
import type { NodeStatus } from '../../api.ts'
import { ControlClient } from '../../control/client.ts'
import { formatStatus } from '../format.ts'
import type { GlobalArgs } from '../global-options.ts'
import { printResult } from '../io.ts'

export async function nodeStatus (args: { dataDir: string }): Promise<NodeStatus> {
  return (await ControlClient.fromDataDir(args.dataDir)).status()
}

export const statusCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'status',
  describe: 'Show the running node\'s status',
  builder: (yargs: Argv<GlobalArgs>) => yargs,
  handler: async (argv) => {
    printResult(argv.io, argv.json, await nodeStatus(argv), formatStatus)
  }
}
