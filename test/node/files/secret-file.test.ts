// Tests secret files: created exclusively and never over an existing name, read only as our own regular 0600 file.
import assert from 'node:assert/strict'
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readSecretFile, writeSecretFile } from '../../../node/files/secret-file.ts'

/** A uid other than ours: nobody (65534) when we are root, else root. */
const FOREIGN_UID = process.getuid?.() === 0 ? 65534 : 0

describe('node/files/secret-file', () => {
  let dir: string

  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'fedagg-secret-')) })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  it('writes 0600, leaves no temporary file, and reads back', async () => {
    const path = join(dir, 'a.key')
    await writeSecretFile(path, 'secret')
    assert.equal((await stat(path)).mode & 0o777, 0o600)
    assert.deepEqual(await readdir(dir), ['a.key'])
    assert.equal((await readSecretFile(path)).toString(), 'secret')
  })

  it('never overwrites an existing file, nor writes through a planted symlink, dangling or not', async () => {
    const path = join(dir, 'a.key')
    await writeFile(path, 'first', { mode: 0o600 })
    await assert.rejects(writeSecretFile(path, 'second'), { name: 'KeyFileExistsError' })
    assert.equal(await readFile(path, 'utf8'), 'first')

    const target = join(dir, 'elsewhere')
    const planted = join(dir, 'b.key')
    await symlink(target, planted)
    await assert.rejects(writeSecretFile(planted, 'secret'), { name: 'KeyFileExistsError' })
    await assert.rejects(stat(target), { code: 'ENOENT' })
    assert.deepEqual((await readdir(dir)).sort(), ['a.key', 'b.key'], 'no temporary file left behind')
  })

  it('replaces atomically only when asked (the control file)', async () => {
    const path = join(dir, 'control.json')
    await writeSecretFile(path, 'one', { replace: true })
    await writeSecretFile(path, 'two', { replace: true })
    assert.equal((await readSecretFile(path)).toString(), 'two')
  })

  it('refuses a symlinked key file, even to a well-formed 0600 file of ours', async () => {
    const real = join(dir, 'real.key')
    await writeSecretFile(real, 'secret')
    const path = join(dir, 'a.key')
    await symlink(real, path)
    await assert.rejects(readSecretFile(path), { name: 'KeyFileSymlinkError' })
  })

  it('refuses a key file owned by another user', async function () {
    if (process.getuid?.() !== 0) this.skip() // only root can give a file away
    const path = join(dir, 'a.key')
    await writeSecretFile(path, 'secret')
    await chown(path, FOREIGN_UID, FOREIGN_UID)
    await assert.rejects(readSecretFile(path), { name: 'KeyFileOwnerError' })
  })

  it('refuses a group- or world-accessible file, and a directory', async () => {
    const path = join(dir, 'a.key')
    await writeSecretFile(path, 'secret')
    for (const mode of [0o640, 0o604, 0o660, 0o602]) {
      await chmod(path, mode)
      await assert.rejects(readSecretFile(path), { name: 'InsecureKeyFileError' }, mode.toString(8))
    }
    const directory = join(dir, 'd.key')
    await mkdir(directory, { mode: 0o700 })
    await assert.rejects(readSecretFile(directory), { name: 'KeyFileOwnerError' })
  })

  it('reports a missing file by name', async () => {
    await assert.rejects(readSecretFile(join(dir, 'none.key')), { name: 'KeyFileMissingError' })
  })
})
