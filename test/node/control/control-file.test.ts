// Tests control.json: written owner-only, read back, refused when readable by others or malformed.
import assert from 'node:assert/strict'
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  controlFilePath, createControlToken, readControlFile, removeControlFile, writeControlFile
} from '../../../node/control/control-file.ts'

describe('node/control/control-file', () => {
  let dataDir: string
  beforeEach(async () => { dataDir = await mkdtemp(join(tmpdir(), 'fedagg-control-')) })
  afterEach(async () => { await rm(dataDir, { recursive: true, force: true }) })

  it('writes { url, token } with mode 0600 and reads it back', async () => {
    const endpoint = { url: 'http://127.0.0.1:4321', token: createControlToken() }
    await writeControlFile(dataDir, endpoint)
    assert.equal((await stat(controlFilePath(dataDir))).mode & 0o777, 0o600)
    assert.deepEqual(await readControlFile(dataDir), endpoint)
    await removeControlFile(dataDir)
    await assert.rejects(readControlFile(dataDir), { name: 'DaemonNotRunningError' })
    await removeControlFile(dataDir)
  })

  it('creates 256-bit base64url tokens that differ', () => {
    const a = createControlToken()
    assert.match(a, /^[A-Za-z0-9_-]{43}$/)
    assert.notEqual(a, createControlToken())
  })

  it('refuses a control.json readable by group or others', async () => {
    await writeControlFile(dataDir, { url: 'http://127.0.0.1:1', token: 't' })
    await chmod(controlFilePath(dataDir), 0o644)
    await assert.rejects(readControlFile(dataDir), { name: 'InsecureKeyFileError' })
  })

  it('refuses malformed contents without quoting them', async () => {
    for (const contents of ['{"url":"http://127.0.0.1:1","token":"secret-tok', '{"url":"ftp://x","token":"secret-tok"}', '"secret-tok"']) {
      await writeFile(controlFilePath(dataDir), contents, { mode: 0o600 })
      await assert.rejects(readControlFile(dataDir), (err: Error) => {
        assert.equal(err.name, 'InvalidControlFileError')
        assert.doesNotMatch(err.message, /secret-tok/)
        return true
      })
    }
  })
})
