// Tests paillier.key: written 0600 and exclusively, read back equal, refused when exposed, symlinked, foreign, malformed or replaced.
import assert from 'node:assert/strict'
import { chmod, chown, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  hasPaillierKeyFile, paillierKeyPath, readPaillierKeyFile, writePaillierKeyFile
} from '../../../node/keys/paillier-key-file.ts'
import { privateKeyFromJSON } from '../../../protocol/paillier/index.ts'
import type { PaillierPrivateKey } from '../../../protocol/paillier/index.ts'

describe('node/keys/paillier-key-file', () => {
  let privateKey: PaillierPrivateKey
  let dataDir: string

  before(async () => {
    // The pre-generated 2048-bit test key: nothing here depends on fresh key material.
    privateKey = privateKeyFromJSON(JSON.parse(await readFile(new URL('../../fixtures/paillier-2048.json', import.meta.url), 'utf8')))
  })

  beforeEach(async () => { dataDir = await mkdtemp(join(tmpdir(), 'fedagg-pkey-')) })
  afterEach(async () => { await rm(dataDir, { recursive: true, force: true }) })

  it('writes mode 0600 JSON, leaves no temporary file, and reads back the same key', async () => {
    assert.equal(await hasPaillierKeyFile(dataDir), false)
    const path = await writePaillierKeyFile(dataDir, privateKey)
    assert.equal(path, paillierKeyPath(dataDir))
    assert.equal((await stat(path)).mode & 0o777, 0o600)
    assert.deepEqual(await readdir(dataDir), ['paillier.key'])
    assert.equal(JSON.parse(await readFile(path, 'utf8')).n, privateKey.publicKey.n.toString(16))
    const loaded = await readPaillierKeyFile(dataDir)
    assert.equal(loaded.publicKey.n, privateKey.publicKey.n)
    assert.equal(loaded.p, privateKey.p)
    assert.equal(loaded.q, privateKey.q)
    assert.equal(await hasPaillierKeyFile(dataDir), true)
  })

  it('refuses a group- or world-readable key file', async () => {
    await writePaillierKeyFile(dataDir, privateKey)
    for (const mode of [0o640, 0o604, 0o660]) {
      await chmod(paillierKeyPath(dataDir), mode)
      await assert.rejects(readPaillierKeyFile(dataDir), { name: 'InsecureKeyFileError' }, mode.toString(8))
    }
  })

  it('refuses a symlinked key file, even one pointing at a valid key of ours', async () => {
    const real = await mkdtemp(join(tmpdir(), 'fedagg-pkey-real-'))
    try {
      await writePaillierKeyFile(real, privateKey)
      await symlink(paillierKeyPath(real), paillierKeyPath(dataDir))
      await assert.rejects(readPaillierKeyFile(dataDir), { name: 'KeyFileSymlinkError' })
    } finally {
      await rm(real, { recursive: true, force: true })
    }
  })

  it('refuses a key file owned by another user', async function () {
    if (process.getuid?.() !== 0) this.skip() // only root can give a file away; the suite runs as root
    await writePaillierKeyFile(dataDir, privateKey)
    await chown(paillierKeyPath(dataDir), 65534, 65534)
    await assert.rejects(readPaillierKeyFile(dataDir), { name: 'KeyFileOwnerError' })
  })

  it('reports a missing key file by name', async () => {
    await assert.rejects(readPaillierKeyFile(dataDir), { name: 'KeyFileMissingError' })
  })

  it('refuses to replace an existing key, or a planted file or symlink under its name, and leaves it as it was', async () => {
    await writePaillierKeyFile(dataDir, privateKey)
    const before = await readFile(paillierKeyPath(dataDir), 'utf8')
    await assert.rejects(writePaillierKeyFile(dataDir, privateKey), { name: 'PaillierKeyExistsError' })
    assert.equal(await readFile(paillierKeyPath(dataDir), 'utf8'), before)
    assert.deepEqual(await readdir(dataDir), ['paillier.key'])

    const other = await mkdtemp(join(tmpdir(), 'fedagg-pkey-planted-'))
    try {
      const target = join(other, 'captured')
      await symlink(target, paillierKeyPath(other))
      await assert.rejects(writePaillierKeyFile(other, privateKey), { name: 'PaillierKeyExistsError' })
      await assert.rejects(stat(target), { code: 'ENOENT' }, 'the key was not written through the link')
    } finally {
      await rm(other, { recursive: true, force: true })
    }
  })

  it('refuses malformed contents without quoting them', async () => {
    const json = { version: 1, n: privateKey.publicKey.n.toString(16), hs: privateKey.publicKey.hs.toString(16), p: privateKey.p.toString(16), q: privateKey.q.toString(16) }
    const secret = privateKey.p.toString(16)
    const broken = [
      JSON.stringify(json).slice(0, 300),
      JSON.stringify({ ...json, q: privateKey.p.toString(16) }),
      JSON.stringify({ ...json, version: 9 })
    ]
    for (const text of broken) {
      await writeFile(paillierKeyPath(dataDir), text, { mode: 0o600 })
      await assert.rejects(readPaillierKeyFile(dataDir), (err: Error) => {
        assert.equal(err.name, 'InvalidPaillierKeyFileError')
        assert.ok(!err.message.includes(secret.slice(0, 16)), 'message must not quote key material')
        assert.ok(!err.message.includes(json.n.slice(0, 16)))
        return true
      })
    }
  })
})
