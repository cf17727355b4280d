// Guards the layering rule: protocol/ starts no threads, and protocol/paillier is reached only through its index.ts.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const PAILLIER = join(ROOT, 'protocol', 'paillier')

function sourceFiles (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name.startsWith('.') ? [] : sourceFiles(path)
    return path.endsWith('.ts') ? [path] : []
  })
}

// Static and dynamic import specifiers of a file.
function importsOf (file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map(match => match[1]!)
}

describe('protocol layering', () => {
  it('protocol/ imports no thread, process or worker-pool module', () => {
    const forbidden = /^(node:)?(worker_threads|child_process|cluster)$|^piscina$/
    const offenders = sourceFiles(join(ROOT, 'protocol')).flatMap(file =>
      importsOf(file).filter(spec => forbidden.test(spec)).map(spec => `${relative(ROOT, file)} imports ${spec}`))
    assert.deepEqual(offenders, [])
  })

  it('code outside protocol/paillier imports it only through protocol/paillier/index.ts', () => {
    const outside = ['node', 'protocol', 'scripts', 'test'].flatMap(dir => sourceFiles(join(ROOT, dir)))
      // The engine's own unit tests read its modules directly, as every protocol folder's tests do.
      .filter(file => !file.startsWith(PAILLIER + '/') && !file.startsWith(join(ROOT, 'test', 'protocol', 'paillier') + '/'))
    const offenders = outside.flatMap(file => importsOf(file)
      .filter(spec => spec.startsWith('.'))
      .map(spec => resolve(dirname(file), spec))
      .filter(target => target.startsWith(PAILLIER + '/') && target !== join(PAILLIER, 'index.ts'))
      .map(target => `${relative(ROOT, file)} imports ${relative(ROOT, target)}`))
    assert.deepEqual(offenders, [])
  })
})
