// `fedagg members add|remove|list`: the coordinator's operator admits and removes organizations by peer ID.
import type { Argv, CommandModule } from 'yargs'
import type { Role, RosterView } from '../../api.ts'
import { ControlClient } from '../../control/client.ts'
import { formatRoster } from '../format.ts'
import type { GlobalArgs } from '../global-options.ts'
import { printResult } from '../io.ts'

export const ROLES: readonly Role[] = ['coordinator', 'aggregator', 'client']

export interface AddMemberArgs { dataDir: string, peerId: string, roles: Role[], name?: string }

export async function addMember (args: AddMemberArgs): Promise<RosterView> {
  return (await ControlClient.fromDataDir(args.dataDir)).addMember(args.peerId, args.roles, args.name)
}

export async function removeMember (args: { dataDir: string, peerId: string }): Promise<RosterView> {
  return (await ControlClient.fromDataDir(args.dataDir)).removeMember(args.peerId)
}

export async function listMembers (args: { dataDir: string }): Promise<RosterView> {
  return (await ControlClient.fromDataDir(args.dataDir)).roster()
}

interface PeerArgs extends GlobalArgs { peerId: string }
interface AddArgs extends PeerArgs { role: Role[], name?: string }

const add: CommandModule<GlobalArgs, AddArgs> = {
  command: 'add <peerId>',
  describe: 'Admit an organization by its peer ID (publishes roster version v+1)',
  builder: (yargs: Argv<GlobalArgs>) => yargs
    .positional('peerId', { type: 'string', demandOption: true, describe: 'The peer ID printed by its `fedagg init`' })
    .option('role', { type: 'string', array: true, choices: ROLES, default: ['client'], describe: 'Roles of the member (repeatable)' })
    .option('name', { type: 'string', describe: 'Display name of the organization' }) as unknown as Argv<AddArgs>,
  handler: async (argv) => {
    const roster = await addMember({ dataDir: argv.dataDir, peerId: argv.peerId, roles: argv.role, name: argv.name })
    printResult(argv.io, argv.json, roster, formatRoster)
  }
}

const remove: CommandModule<GlobalArgs, PeerArgs> = {
  command: 'remove <peerId>',
  describe: 'Remove a member (publishes a new roster version; nodes drop it)',
  builder: (yargs: Argv<GlobalArgs>) => yargs
    .positional('peerId', { type: 'string', demandOption: true }) as unknown as Argv<PeerArgs>,
  handler: async (argv) => {
    printResult(argv.io, argv.json, await removeMember(argv), formatRoster)
  }
}

const list: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'list',
  describe: 'Show the current signed roster',
  handler: async (argv) => {
    printResult(argv.io, argv.json, await listMembers(argv), formatRoster)
  }
}

export const membersCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'members',
  describe: 'Admit, remove and list federation members (against the running daemon)',
  builder: (yargs: Argv<GlobalArgs>) => yargs
    .command(add)
    .command(remove)
    .command(list)
    .demandCommand(1, 'expected a subcommand: add, remove or list'),
  handler: () => {}
}
