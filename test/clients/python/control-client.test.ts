// The Python control client against a real control server: typed errors by the daemon's names, control.json handling.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createControlToken, writeControlFile } from '../../../node/control/control-file.ts'
import { startControlServer } from '../../../node/control/server.ts'
import type { ControlServer } from '../../../node/control/server.ts'
import { FakeFederationNode, randomPeerId } from '../../node/control/fake-federation-node.ts'
import { NO_PYTHON_MESSAGE, pythonWithNumpy } from '../../helpers/python.ts'

const CLIENT_DIR = fileURLToPath(new URL('../../../clients/python', import.meta.url))

/**
 * Runs `code` with fedagg_client importable and the data dir as DATA_DIR; returns its stdout as JSON.
 * Asynchronously: the control server it talks to runs on this process's event loop.
 */
async function runPython (python: string, dataDir: string, code: string): Promise<unknown> {
  const script = `import json, os, sys\nsys.path.insert(0, ${JSON.stringify(CLIENT_DIR)})\nDATA_DIR = ${JSON.stringify(dataDir)}\n${code}`
  const { stdout } = await promisify(execFile)(python, ['-c', script], { encoding: 'utf8', timeout: 60_000 })
  return JSON.parse(stdout)
}

describe('clients/python fedagg_client', function () {
  this.timeout(60_000)
  let python: string | undefined
  let dataDir = ''
  let server: ControlServer | undefined

  before(async function () {
    python = pythonWithNumpy()
    if (python === undefined) {
      console.warn(`skipping: ${NO_PYTHON_MESSAGE}`)
      this.skip()
    }
    dataDir = await mkdtemp(join(tmpdir(), 'fedagg-python-'))
  })

  after(async () => {
    await server?.close()
    if (dataDir !== '') await rm(dataDir, { recursive: true, force: true })
  })

  it('raises DaemonNotRunningError without control.json, then maps answers to typed errors', async () => {
    const missing = await runPython(python!, dataDir, `
from fedagg_client import ControlClient, DaemonNotRunningError
try:
    ControlClient(data_dir=DATA_DIR)
    print(json.dumps("no error"))
except DaemonNotRunningError as err:
    print(json.dumps(type(err).__name__))
`)
    assert.equal(missing, 'DaemonNotRunningError')

    const token = createControlToken()
    // A node without training sessions: every training route answers TrainingUnavailableError.
    server = await startControlServer({ node: new FakeFederationNode({ peerId: await randomPeerId(), roles: ['client'] }), token })
    await writeControlFile(dataDir, { url: server.url, token })
    const answers = await runPython(python!, dataDir, `
import numpy as np
from fedagg_client import ControlClient, ControlApiError, UnauthorizedError, decode_parameters, encode_parameters
out = {}
client = ControlClient(data_dir=DATA_DIR)
out["status"] = client.status()["peerId"] != ""
try:
    client.current_model()
except ControlApiError as err:
    out["model"] = [type(err).__name__, err.name, err.status]
try:
    ControlClient(url=client.url, token="wrong").status()
except UnauthorizedError as err:
    out["token"] = [type(err).__name__, err.status]
try:
    client.submit_update("s-1", 0, np.zeros(3), weight=0)
except ValueError as err:
    out["weight"] = str(err)
values = np.array([1.5, -2.25, 1e-300])
out["roundTrip"] = bool(np.array_equal(decode_parameters(encode_parameters(values)), values))
print(json.dumps(out))
`) as Record<string, unknown>
    assert.equal(answers.status, true)
    assert.deepEqual(answers.model, ['ControlApiError', 'TrainingUnavailableError', 503])
    assert.deepEqual(answers.token, ['UnauthorizedError', 401])
    assert.match(String(answers.weight), /weight: expected an integer >= 1/)
    assert.equal(answers.roundTrip, true)
  })
})
