/**
 * What the input tests of every action share: a fresh workspace directory
 * per test (GITHUB_WORKSPACE points at it; the environment is restored and
 * the directory removed afterwards), and the ConfigurationError a call must
 * throw.
 */
import { afterEach, beforeEach, expect } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { ConfigurationError } from '../src/errors.js'

export interface TempWorkspace {
  /** The current test's workspace (real path, symlinks resolved). */
  readonly dir: string
  /** A path inside the workspace. */
  at(relative: string): string
  /** Writes a file (its directories made), returning its path. */
  write(relative: string, content?: string): string
}

/**
 * Registers the `beforeEach`/`afterEach` pair; `prepare` runs after the
 * workspace exists (in the same `beforeEach`), for each file's own setup.
 */
export function useTempWorkspace(
  prefix: string,
  prepare?: (workspace: TempWorkspace) => void
): TempWorkspace {
  let dir: string | undefined
  const savedEnv = { ...process.env }
  const workspace: TempWorkspace = {
    get dir(): string {
      if (dir === undefined) throw new Error('no workspace outside a test')
      return dir
    },
    at: (relative) => path.join(workspace.dir, relative),
    write(relative, content = '') {
      const file = workspace.at(relative)
      fs.mkdirSync(path.dirname(file), { recursive: true })
      fs.writeFileSync(file, content)
      return file
    }
  }
  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)))
    process.env['GITHUB_WORKSPACE'] = dir
    prepare?.(workspace)
  })
  afterEach(() => {
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true })
    dir = undefined
    process.env = { ...savedEnv }
  })
  return workspace
}

/** The ConfigurationError `call` throws; fails the test when it throws none or another error. */
export function configurationError(call: () => unknown): ConfigurationError {
  try {
    call()
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError)
    return error as ConfigurationError
  }
  throw new Error('expected a ConfigurationError, but nothing was thrown')
}
