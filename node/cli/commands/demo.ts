// `fedagg demo spam`: federated spam filtering on the SpamAssassin corpus, each node its own process, with a centralized baseline and a plot.
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { SingleBar } from 'cli-progress'
import type { Argv, CommandModule } from 'yargs'
import { LOCAL_DEFAULT_KEY_BITS } from '../../local/launcher.ts'
import { renderAccuracyPlot } from '../../local/accuracy-plot.ts'
import { SPAM_DEMO_DEFAULTS, runSpamDemo } from '../../local/spam-demo.ts'
import type { SpamDemoResult, SpamDemoRound } from '../../local/spam-demo.ts'
import type { SplitKind } from '../../training/spam/split.ts'
import { UsageError } from '../errors.ts'
import type { GlobalArgs } from '../global-options.ts'
import { untilInterrupted } from '../interrupt.ts'

/** Exactly what `fedagg demo spam --json` prints. */
export interface SpamDemoJson {
  rounds: Array<Pick<SpamDemoRound, 'round' | 'accuracy' | 'f1' | 'seconds' | 'phases' | 'bytes' | 'clipped'>>
  centralized: { accuracy: number, f1: number }
  plot: string
}

export function spamDemoJson (result: SpamDemoResult, plot: string): SpamDemoJson {
  return {
    rounds: result.rounds.map(({ round, accuracy, f1, seconds, phases, bytes, clipped }) => ({ round, accuracy, f1, seconds, phases, bytes, clipped })),
    centralized: { accuracy: result.centralized.accuracy, f1: result.centralized.f1 },
    plot
  }
}

export function formatSpamRound (record: SpamDemoRound, rounds: number): string {
  const { train, encrypt, transfer, aggregate, decrypt } = record.phases
  return `round ${record.round}/${rounds}: accuracy ${percent(record.accuracy)}, F1 ${record.f1.toFixed(4)} | ` +
    `train ${s(train)}, encrypt ${s(encrypt)}, transfer ${s(transfer)}, aggregate ${s(aggregate)}, decrypt ${s(decrypt)} ` +
    `(round ${s(record.seconds)} without training) | ${(record.bytes / 1e6).toFixed(2)} MB sent, ${record.clipped} values clipped`
}

interface SpamArgs extends GlobalArgs {
  rounds: number
  epochs: number
  learningRate: number
  seed: number
  clients: number
  split: SplitKind
  skew?: number
  clip: number
  fractionBits: number
  keyBits: number
  sample?: number
  pythonTrainers: number
  python: string
  plot?: string
}

const spam: CommandModule<GlobalArgs, SpamArgs> = {
  command: 'spam',
  describe: 'Train a spam filter (logistic regression, 2^16 hashed features) across organizations with encrypted FedAvg, beside a centralized baseline',
  builder: (yargs: Argv<GlobalArgs>) => yargs
    .option('rounds', { type: 'number', default: SPAM_DEMO_DEFAULTS.rounds, describe: 'Federated rounds R' })
    .option('epochs', { type: 'number', default: SPAM_DEMO_DEFAULTS.epochs, describe: 'Local epochs E per round (the baseline trains R × E)' })
    .option('learning-rate', { type: 'number', default: SPAM_DEMO_DEFAULTS.learningRate, describe: 'SGD step size' })
    .option('seed', { type: 'number', default: SPAM_DEMO_DEFAULTS.seed, describe: 'Training seed (the split is fixed)' })
    .option('clients', { type: 'number', default: SPAM_DEMO_DEFAULTS.clients, describe: 'Organizations, each with its own shard' })
    .option('split', { type: 'string', choices: ['iid', 'label-skew'], default: 'iid', describe: 'How the training emails are dealt to organizations' })
    .option('skew', { type: 'number', describe: 'For label-skew: 0 = IID … 1 = as extreme as both classes per organization allow' })
    .option('clip', { type: 'number', default: SPAM_DEMO_DEFAULTS.clip, describe: 'Clip bound for update values' })
    .option('fraction-bits', { type: 'number', default: SPAM_DEMO_DEFAULTS.fractionBits, describe: 'Fixed-point fraction bits f of update values' })
    .option('key-bits', { type: 'number', default: LOCAL_DEFAULT_KEY_BITS, choices: [2048, 3072, 4096], describe: 'Paillier modulus size' })
    .option('sample', { type: 'number', describe: 'Use only this many emails of each class (quick runs)' })
    .option('python-trainers', { type: 'number', default: 0, describe: 'The last N organizations train with clients/python/examples/spam_trainer.py' })
    .option('python', { type: 'string', default: 'python3', describe: 'Python interpreter (with numpy) for --python-trainers' })
    .option('plot', { type: 'string', describe: 'Where to write the SVG accuracy plot', defaultDescription: 'a file in the temporary directory' })
    .check(argv => {
      if (argv.split === 'label-skew' && argv.skew === undefined) throw new UsageError('--split label-skew needs --skew <0..1>')
      if (argv.split !== 'label-skew' && argv.skew !== undefined) throw new UsageError('--skew applies to --split label-skew only')
      return true
    }) as unknown as Argv<SpamArgs>,
  handler: async (argv) => {
    const { io } = argv
    const plot = resolve(argv.plot ?? join(tmpdir(), `fedagg-spam-accuracy-${argv.split}${argv.skew === undefined ? '' : `-${argv.skew}`}-${Date.now()}.svg`))
    const bar = io.stderrIsTTY && !argv.json
      ? new SingleBar({ format: 'round {round} [{bar}] {value}/{total} {step}', stream: io.stderr as NodeJS.WritableStream, hideCursor: true, clearOnComplete: true })
      : undefined
    const result = await untilInterrupted(io, 'demo spam', async signal => {
      try {
        return await runSpamDemo({
          rounds: argv.rounds,
          epochs: argv.epochs,
          learningRate: argv.learningRate,
          seed: argv.seed,
          clients: argv.clients,
          split: argv.split,
          ...(argv.skew === undefined ? {} : { skew: argv.skew }),
          clip: argv.clip,
          fractionBits: argv.fractionBits,
          keyBits: argv.keyBits,
          ...(argv.sample === undefined ? {} : { sample: argv.sample }),
          pythonTrainers: argv.pythonTrainers,
          python: argv.python,
          signal,
          ...(argv.json
            ? {}
            : {
                onPhase: phase => { io.stderr.write(`fedagg demo spam: ${phase}...\n`) },
                onRoundProgress: (round, done, total, step) => {
                  if (done === 0) bar?.start(total, 0, { round, step })
                  else bar?.update(done, { round, step })
                },
                onRound: record => {
                  bar?.stop()
                  io.stdout.write(formatSpamRound(record, argv.rounds) + '\n')
                }
              })
        })
      } finally {
        bar?.stop()
      }
    })
    await writeFile(plot, renderAccuracyPlot(`Spam filter test accuracy (${argv.split}${argv.skew === undefined ? '' : `, skew ${argv.skew}`}, ${argv.clients} organizations)`, [
      { label: 'federated (encrypted FedAvg)', values: result.rounds.map(r => r.accuracy), color: '#1f77b4' },
      { label: `centralized (${argv.epochs} epoch${argv.epochs === 1 ? '' : 's'} per round)`, values: result.centralized.accuracyPerRound, color: '#d62728' }
    ]))
    if (argv.json) {
      io.stdout.write(JSON.stringify(spamDemoJson(result, plot)) + '\n')
      return
    }
    const last = result.rounds.at(-1)
    io.stdout.write([
      `centralized: accuracy ${percent(result.centralized.accuracy)}, F1 ${result.centralized.f1.toFixed(4)}` +
        (last === undefined ? '' : ` (federated ${percent(last.accuracy)}, ${((last.accuracy - result.centralized.accuracy) * 100).toFixed(2)} points)`),
      `data: ${result.shards.map(shard => `${shard.emails} (${shard.spam} spam)`).join(', ')} per organization; ${result.testEmails} test emails; loaded in ${s(result.dataSeconds)}`,
      `plot: ${plot}`
    ].join('\n') + '\n')
  }
}

export const demoCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'demo',
  describe: 'Run a demonstration on real data',
  builder: (yargs: Argv<GlobalArgs>) => yargs.command(spam).demandCommand(1, 'expected a demo: spam'),
  handler: () => {}
}

function percent (value: number): string {
  return `${(value * 100).toFixed(2)} %`
}

function s (seconds: number): string {
  return `${seconds.toFixed(2)} s`
}
