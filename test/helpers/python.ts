// Finds a Python 3 with numpy for tests that run the Python client: `python3` on PATH, else Debian's /usr/bin/python3.
import { spawnSync } from 'node:child_process'

const CANDIDATES = ['python3', '/usr/bin/python3']

/** The first interpreter that imports numpy, or undefined (tests then skip, saying why). */
export function pythonWithNumpy (): string | undefined {
  return CANDIDATES.find(python => spawnSync(python, ['-c', 'import numpy'], { stdio: 'ignore', timeout: 30_000 }).status === 0)
}

export const NO_PYTHON_MESSAGE = 'no python3 with numpy (run `npm run setup:test`, which installs python3-numpy)'
