// `fedagg init`: creates a node's data directory: identity, config file, and for a coordinator its Paillier key.
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Argv, CommandModule } from 'yargs'
import { KEY_BITS, loadConfig, writeConfigFile } from '../../../config/index.ts'
import type { FedaggConfigFile } from '../../../config/index.ts'
import type { Role } from '../../api.ts'
import { loadOrCreateIdentity } from '../../identity.ts'
import { hasPaillierKeyFile, paillierKeyPath, writePaillierKeyFile } from '../../keys/paillier-key-file.ts'
import { AlreadyInitializedError } from '../errors.ts'
import { fileExists } from '../../files/secret-file.ts'
import type { GlobalArgs } from '../global-options.ts'
import { printResult } from '../io.ts'
import { keygenProgress } from '../keygen-progress.ts'
import type { KeygenProgress } from '../keygen-progress.ts'
import type { KeyGenerationProgress } from '../../crypto/keygen.ts'
import { DEFAULT_KEY_BITS } from '../../../protocol/paillier/index.ts'
import { ROLES } from './members.ts'

/** The config file init writes, and start reads when --config is not given. */
export const CONFIG_FILE = 'config.json'

export interface InitArgs {
  dataDir: string
  roles: Role[]
  federation?: string
  /** Paillier modulus size; only used for a coordinator. */
  keyBits?: number
  listen?: string[]
  name?: string
  /** Where to write the config. @default <dataDir>/config.json */
  configFile?: string
}

export interface InitResult {
  peerId: string
  dataDir: string
  config: string
  roles: Role[]
  /** Path of the Paillier key, for a coordinator. */
  paillierKey?: string
  /** True when an existing paillier.key was kept rather than generated. */
  paillierKeyReused?: boolean
}

export interface InitHooks {
  /** Called when Paillier key generation begins (not when an existing key is kept). */
  onKeygenStart?: (keyBits: number) => void
  onKeygenProgress?: (event: KeyGenerationProgress) => void
  /** Called when key generation ends, successfully or not. */
  onKeygenEnd?: () => void
  signal?: AbortSignal
}

/**
 * Creates the data directory (0700), the identity, the Paillier key for a
 * coordinator, and last the config file: a config file means init finished,
 * so a run interrupted during key generation can simply be repeated (an
 * identity or key already there is kept). The genesis roster is not written
 * here: a coordinator's node creates it on first start from its config.
 */
export async function initNode (args: InitArgs, hooks: InitHooks = {}): Promise<InitResult> {
  const configFile = args.configFile ?? join(args.dataDir, CONFIG_FILE)
  if (await fileExists(configFile)) {
    throw new AlreadyInitializedError(`expected no config at ${configFile}, found one: ${args.dataDir} is already initialized`)
  }
  const content: FedaggConfigFile = {
    dataDir: args.dataDir,
    roles: args.roles,
    ...(args.federation === undefined ? {} : { federationId: args.federation }),
    ...(args.keyBits === undefined ? {} : { keyBits: args.keyBits as FedaggConfigFile['keyBits'] }),
    ...(args.listen === undefined ? {} : { listen: args.listen }),
    ...(args.name === undefined ? {} : { displayName: args.name })
  }
  // Validate before doing anything slow: a bad --federation must not cost a key generation.
  await loadConfig({ env: {}, flags: content as Record<string, unknown> })

  await mkdir(args.dataDir, { recursive: true, mode: 0o700 })
  const peerId = peerIdFromPrivateKey(await loadOrCreateIdentity(args.dataDir)).toString()
  const result: InitResult = { peerId, dataDir: args.dataDir, config: configFile, roles: args.roles }

  if (args.roles.includes('coordinator')) {
    result.paillierKey = paillierKeyPath(args.dataDir)
    result.paillierKeyReused = await hasPaillierKeyFile(args.dataDir)
    if (!result.paillierKeyReused) {
      // Loaded only here: nodes that are not coordinators never load the key generator and its worker pool.
      const { generateKeyPair } = await import('../../crypto/keygen.ts')
      const keyBits = args.keyBits ?? DEFAULT_KEY_BITS
      hooks.onKeygenStart?.(keyBits)
      let privateKey
      try {
        privateKey = await generateKeyPair(keyBits, { onProgress: hooks.onKeygenProgress, signal: hooks.signal })
      } finally {
        hooks.onKeygenEnd?.()
      }
      await writePaillierKeyFile(args.dataDir, privateKey)
    }
  }

  await writeConfigFile(configFile, content)
  return result
}

interface InitCommandArgs extends GlobalArgs {
  role: Role[]
  federation?: string
  keyBits: number
  listen?: string[]
  name?: string
}

export const initCommand: CommandModule<GlobalArgs, InitCommandArgs> = {
  command: 'init',
  describe: 'Create the data directory: identity, config and (coordinator) Paillier key; prints the peer ID',
  builder: (yargs: Argv<GlobalArgs>) => yargs
    .option('role', { type: 'string', array: true, choices: ROLES, default: ['client'], describe: 'Roles of this node (repeatable)' })
    .option('federation', { type: 'string', describe: 'Federation ID' })
    .option('key-bits', { type: 'number', default: 3072, choices: KEY_BITS, describe: 'Paillier modulus size (coordinator); 3072 = 128-bit security' })
    .option('listen', { type: 'string', array: true, describe: 'Listen multiaddrs, e.g. /ip4/0.0.0.0/tcp/4001' })
    .option('name', { type: 'string', describe: 'Display name of this organization' }) as unknown as Argv<InitCommandArgs>,
  handler: async (argv) => {
    const { io } = argv
    let progress: KeygenProgress | undefined
    const result = await initNode({
      dataDir: argv.dataDir,
      roles: argv.role,
      federation: argv.federation,
      keyBits: argv.keyBits,
      listen: argv.listen,
      name: argv.name,
      configFile: argv.config
    }, {
      onKeygenStart: keyBits => {
        if (argv.json) return
        if (io.stderrIsTTY) progress = keygenProgress({ stream: io.stderr, keyBits })
        else io.stderr.write(`generating a ${keyBits}-bit Paillier key...\n`)
      },
      onKeygenProgress: event => { progress?.onProgress(event) },
      onKeygenEnd: () => { progress?.stop() }
    })
    printResult(io, argv.json, result, r => [
      r.peerId,
      `initialized ${r.dataDir} as ${r.roles.join('+')} (config ${r.config})`,
      ...(r.paillierKey === undefined ? [] : [`Paillier key ${r.paillierKey}${r.paillierKeyReused === true ? ' (kept the existing one)' : ''}`]),
      r.roles.includes('coordinator')
        ? 'start it with: fedagg start'
        : 'send the peer ID above to the coordinator\'s operator, then: fedagg start --join <coordinator multiaddr>'
    ].join('\n'))
  }
}
