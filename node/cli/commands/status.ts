// `fedagg status`: the running daemon's peer ID, federation link, roles, peers and rounds; --wait until it is connected.
import type { Argv, CommandModule } from 'yargs'
import type { NodeStatus } from '../../api.ts'
import { ControlClient } from '../../control/client.ts'
import { DaemonNotRunningError } from '../../control/errors.ts'
import { NotConnectedError } from '../../services/errors.ts'
import { formatStatus } from '../format.ts'
import type { GlobalArgs } from '../global-options.ts'
import { printResult } from '../io.ts'
import { numberOption } from '../number-option.ts'

/** How often `status --wait` asks again: a join takes a second or two on a LAN. */
const WAIT_POLL_MS = 250

export async function nodeStatus (args: { dataDir: string }): Promise<NodeStatus> {
  return (await ControlClient.fromDataDir(args.dataDir)).status()
}

/**
 * The status once the daemon is up and connected to its federation, polling
 * for up to `waitSeconds`. A daemon still starting (no control.json yet)
 * counts as not connected; the last status is thrown with the reason.
 */
export async function waitForConnected (args: { dataDir: string, waitSeconds: number }): Promise<NodeStatus> {
  const giveUpAt = Date.now() + args.waitSeconds * 1000
  for (;;) {
    let why: string
    try {
      const status = await nodeStatus(args)
      if (status.federation.connected) return status
      why = `${status.federation.state}: ${status.federation.detail}`
    } catch (err) {
      if (!(err instanceof DaemonNotRunningError)) throw err
      why = err.message
    }
    if (Date.now() >= giveUpAt) throw new NotConnectedError(`not connected to the federation after ${args.waitSeconds} s (${why})`)
    await new Promise(resolve => setTimeout(resolve, WAIT_POLL_MS))
  }
}

interface StatusArgs extends GlobalArgs { wait?: number }

export const statusCommand: CommandModule<GlobalArgs, StatusArgs> = {
  command: 'status',
  describe: 'Show the running node\'s status: whether it is connected to its federation (and why not), peers, rounds',
  builder: (yargs: Argv<GlobalArgs>) => yargs
    .option('wait', { type: 'string', coerce: numberOption('wait', 'a number of seconds'), describe: 'Wait up to this many seconds for the daemon to run and be connected; exit 1 if it is not' }) as unknown as Argv<StatusArgs>,
  handler: async (argv) => {
    const status = argv.wait === undefined ? await nodeStatus(argv) : await waitForConnected({ dataDir: argv.dataDir, waitSeconds: argv.wait })
    printResult(argv.io, argv.json, status, formatStatus)
  }
}
