/**
 * The Python an action builds its environment with, as its `python` input
 * gives it: a version found on PATH, an interpreter command or path, or by
 * default the interpreter actions/setup-python set up.
 */
import * as path from 'node:path'
import { getString, invalidInput } from './inputs.js'
import { isFile, workspaceRoot } from './paths.js'

/** Which Python builds an environment. */
export type PythonRequest =
  /** A version such as `3.12`, found on PATH as `python3.12`. */
  | { kind: 'version'; version: string }
  /** An interpreter path, or a command looked up on PATH (`python3`). */
  | { kind: 'interpreter'; path: string }

const PYTHON_VERSION = /^3(\.\d+)?$/

const PYTHON_ACCEPTED =
  'a Python 3 version found on PATH (`3.12` runs `python3.12`), or an interpreter path or command'

/** The interpreter of actions/setup-python (`$pythonLocation`), else `python3` on PATH. */
function defaultPython(): PythonRequest {
  const location = process.env['pythonLocation']
  if (!location) return { kind: 'interpreter', path: 'python3' }
  const file =
    process.platform === 'win32'
      ? path.join(location, 'python.exe')
      : path.join(location, 'bin', 'python')
  return { kind: 'interpreter', path: file }
}

/**
 * Reads the input `name`: `3` or `3.x` is a version, a bare name a command,
 * anything with a slash an existing file (relative ones to the workspace).
 */
export function getPython(
  name: string,
  options: { workspace?: string } = {}
): PythonRequest {
  const value = getString(name)
  if (!value) return defaultPython()
  if (PYTHON_VERSION.test(value)) return { kind: 'version', version: value }
  if (/^[\d.]+$/.test(value) || value.includes('\n')) {
    throw invalidInput(name, value, PYTHON_ACCEPTED)
  }
  if (!/[\\/]/.test(value)) return { kind: 'interpreter', path: value }
  const file = path.resolve(options.workspace ?? workspaceRoot(), value)
  if (!isFile(file)) {
    throw invalidInput(name, value, PYTHON_ACCEPTED, { reason: 'no such file' })
  }
  return { kind: 'interpreter', path: file }
}
