/**
 * The project's Python environment: a virtual environment built with the
 * chosen interpreter, its requirements installed by pip or uv (chosen by
 * `createInstaller`), and kept in a local cache directory keyed on the
 * interpreter and the requirements, so that a second run with the same
 * requirements reuses it instead of installing anything.
 *
 * The cache is a plain directory (`cache-dir`; default the runner's tool
 * cache, else RUNNER_TEMP): on a self-hosted runner or in one job it persists
 * by itself. When the runner offers the GitHub cache service (hosted runners
 * do), an environment missing there is restored from it, and a new build is
 * saved to it (github-cache.ts). An environment is built or restored in a
 * temporary directory, made to work at its final path (relocate.ts) and
 * renamed into place only once complete, so a crash or a concurrent run never
 * leaves a half-built one for the next run.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as core from '@actions/core'
import { ConfigurationError, exec, which } from '@shipyard/action-kit'
import type { PythonRequest } from '@shipyard/action-kit'
import type { Installer } from './ci-test-inputs.js'
import {
  cacheService,
  githubCacheKey,
  restoreFromGitHub,
  saveToGitHub
} from './github-cache.js'
import { INSPECT_PY, PIP_VERSION_PY } from './python-scripts.js'
import { relocateEnvironment } from './relocate.js'

type CacheModule = NonNullable<Awaited<ReturnType<typeof cacheService>>>

export interface BasePython {
  /** The command or path that runs it. */
  command: string
  version: string
  implementation: string
  machine: string
  executable?: string
  /** TOML files parsed by it, by path. */
  toml: Record<string, { data?: Record<string, unknown>; error?: string }>
}

export interface PythonEnvironment {
  /** The environment's directory. */
  dir: string
  /** Its interpreter. */
  python: string
  /** The base interpreter's version (`3.12.4`). */
  version: string
  /** Whether it came from a cache (local or GitHub's). */
  cached: boolean
  /** Where it came from: the local cache directory, the GitHub cache, or a new build. */
  origin: 'local' | 'github' | 'built'
  key: string
}

/** The command a `python` input stands for. */
export async function resolveInterpreter(
  request: PythonRequest
): Promise<string> {
  const command =
    request.kind === 'version' ? `python${request.version}` : request.path
  if (path.isAbsolute(command)) return command
  const found = await which(command)
  if (!found) {
    throw new ConfigurationError(
      `Python ${request.kind === 'version' ? request.version : `'${command}'`} was not found on PATH. Set up Python first (actions/setup-python) or give 'python' an interpreter path.`
    )
  }
  return found
}

/**
 * Runs the base interpreter once, without its site-packages: its version,
 * and the TOML files parsed (pyproject.toml, Pipfile), since Node has no
 * TOML parser of its own here.
 */
export async function inspectPython(
  command: string,
  workDir: string,
  tomlFiles: readonly string[]
): Promise<BasePython> {
  const script = path.join(workDir, 'shipyard_inspect.py')
  fs.writeFileSync(script, INSPECT_PY)
  const result = await exec(command, ['-S', script, ...tomlFiles], {
    silent: true
  })
  if (result.exitCode !== 0) {
    throw new ConfigurationError(
      `The Python interpreter ${command} does not run (exit code ${result.exitCode}): ${result.stderr.trim().split('\n').pop() ?? ''}`
    )
  }
  const parsed = JSON.parse(result.stdout) as Omit<BasePython, 'command'>
  return { command, ...parsed }
}

/** Where environments are kept: `cache-dir`, else the tool cache, else RUNNER_TEMP. */
export function defaultCacheDir(): string {
  const root =
    process.env['RUNNER_TOOL_CACHE'] ||
    process.env['RUNNER_TEMP'] ||
    os.tmpdir()
  return path.join(root, 'shipyard-ci-test')
}

/** Installs requirements into an environment; chosen by `createInstaller`. */
export interface RequirementInstaller {
  readonly name: 'pip' | 'uv'
  createVenv(base: string, dir: string): Promise<void>
  install(
    venvPython: string,
    requirementFiles: readonly string[]
  ): Promise<void>
}

async function run(
  what: string,
  command: string,
  args: readonly string[]
): Promise<void> {
  const result = await exec(command, args)
  if (result.exitCode !== 0) {
    // The project's requirements or the runner's Python: the user's to fix.
    const last = result.stderr.trim().split('\n').pop()?.trim()
    throw new ConfigurationError(
      `${what} failed (exit code ${result.exitCode})${last ? `: ${last}` : ''}. The environment could not be built, so nothing was checked.`
    )
  }
}

const requirementArgs = (files: readonly string[]): string[] =>
  files.flatMap((file) => ['-r', file])

/** Whether a pip version can install into another interpreter (`--python`, pip 22.3+). */
export function pipHasPythonOption(
  version: string | null | undefined
): boolean {
  const [major, minor] = (version ?? '').split('.').map(Number)
  return major > 22 || (major === 22 && minor >= 3)
}

class PipInstaller implements RequirementInstaller {
  readonly name = 'pip'
  /**
   * With a base pip that has `--python` (22.3+), the environment is created
   * without its own pip (which `ensurepip` takes seconds to install) and the
   * base pip installs into it.
   */
  constructor(private readonly basePip: string | undefined) {}
  async createVenv(base: string, dir: string): Promise<void> {
    const args = ['-m', 'venv', dir]
    if (this.basePip) args.push('--without-pip')
    await run('Creating the virtual environment', base, args)
  }
  async install(python: string, files: readonly string[]): Promise<void> {
    if (files.length === 0) return
    // pip reads requirement files in every encoding it supports (a BOM
    // selects UTF-8 or UTF-16), so they are passed as they are.
    const [command, target] = this.basePip
      ? [this.basePip, ['--python', python]]
      : [python, []]
    await run('pip install', command, [
      '-m',
      'pip',
      ...target,
      'install',
      '--disable-pip-version-check',
      '--no-input',
      '--progress-bar',
      'off',
      ...requirementArgs(files)
    ])
  }
}

class UvInstaller implements RequirementInstaller {
  readonly name = 'uv'
  constructor(private readonly uv: string) {}
  async createVenv(base: string, dir: string): Promise<void> {
    await run('uv venv', this.uv, ['venv', '--python', base, dir])
  }
  async install(python: string, files: readonly string[]): Promise<void> {
    if (files.length === 0) return
    await run('uv pip install', this.uv, [
      'pip',
      'install',
      '--python',
      python,
      ...requirementArgs(files)
    ])
  }
}

/** The base interpreter's pip version, or null when it has none (or does not say). */
async function basePipVersion(base: BasePython): Promise<string | null> {
  const result = await exec(base.command, ['-c', PIP_VERSION_PY], {
    silent: true
  })
  const version = result.stdout.trim()
  return result.exitCode === 0 && /^\d+(\.\d+)*/.test(version) ? version : null
}

/** pip or uv, as `installer` asks (`auto`: uv when it is on PATH). */
export async function createInstaller(
  choice: Installer,
  base: BasePython
): Promise<RequirementInstaller> {
  const pip = async () =>
    new PipInstaller(
      pipHasPythonOption(await basePipVersion(base))
        ? (base.executable ?? base.command)
        : undefined
    )
  if (choice === 'pip') return pip()
  const uv = await which('uv')
  if (uv) return new UvInstaller(uv)
  if (choice === 'uv') {
    throw new ConfigurationError(
      "installer is 'uv' but uv is not on PATH. Install it first (e.g. astral-sh/setup-uv or `pip install uv`), or use 'auto' or 'pip'."
    )
  }
  return pip()
}

export const venvPython = (dir: string): string =>
  process.platform === 'win32'
    ? path.join(dir, 'Scripts', 'python.exe')
    : path.join(dir, 'bin', 'python')

const COMPLETE = '.shipyard-complete'

/** A complete environment at `dir` (relocated there if it was made elsewhere) whose interpreter exists. */
function usable(dir: string): boolean {
  if (!fs.existsSync(path.join(dir, COMPLETE))) return false
  relocateEnvironment(dir, dir)
  // existsSync follows bin/python's link to the base interpreter.
  return fs.existsSync(venvPython(dir))
}

/** Moves a finished environment into place (or drops it when another run put one there first). */
function moveIntoPlace(from: string, dir: string): void {
  relocateEnvironment(from, dir)
  try {
    fs.renameSync(from, dir)
  } catch {
    // Another run put the same environment in place first: use that one.
    if (!fs.existsSync(path.join(dir, COMPLETE)))
      throw new Error(
        `Could not move the new environment into the cache at ${dir}.`
      )
    fs.rmSync(from, { recursive: true, force: true })
  }
}

/**
 * The environment from the GitHub cache, restored into a temporary directory
 * beside its place, checked, relocated and moved into place; false when the
 * service has none (or failed: a warning).
 */
async function restoreRemote(
  cache: CacheModule,
  cacheDir: string,
  key: string,
  remoteKey: string
): Promise<boolean> {
  const venvs = path.join(cacheDir, 'venvs')
  fs.mkdirSync(venvs, { recursive: true })
  const staging = fs.mkdtempSync(path.join(venvs, '.restore-'))
  try {
    if (!(await restoreFromGitHub(cache, staging, key, remoteKey))) return false
    const restored = path.join(staging, key)
    if (!fs.existsSync(path.join(restored, COMPLETE))) {
      core.warning(
        `The GitHub cache entry ${remoteKey} is not a complete environment; building it again.`
      )
      return false
    }
    const dir = path.join(venvs, key)
    relocateEnvironment(restored, dir)
    // Restoring is rare, so the interpreter is run once, not just found.
    const runs =
      fs.existsSync(venvPython(restored)) &&
      (await exec(venvPython(restored), ['-c', 'import sys'], { silent: true }))
        .exitCode === 0
    if (!runs) {
      core.warning(
        `The environment restored from the GitHub cache (key ${remoteKey}) does not run here (its base Python is elsewhere?); building it again.`
      )
      return false
    }
    moveIntoPlace(restored, dir)
    return true
  } finally {
    fs.rmSync(staging, { recursive: true, force: true })
  }
}

/**
 * The environment for `key`: from the local cache when a complete one is
 * there, else from the GitHub cache when the runner offers it, else built
 * (venv + install), put in the local cache and saved to the GitHub cache.
 */
export async function prepareEnvironment(options: {
  base: BasePython
  key: string
  cacheDir: string
  installer: () => Promise<RequirementInstaller>
  requirementFiles: readonly string[]
}): Promise<PythonEnvironment> {
  const { base, key, cacheDir } = options
  const dir = path.join(cacheDir, 'venvs', key)
  const python = venvPython(dir)
  const found = (origin: PythonEnvironment['origin']): PythonEnvironment => ({
    dir,
    python,
    version: base.version,
    cached: origin !== 'built',
    origin,
    key
  })
  if (usable(dir)) {
    core.info(`Reusing the cached environment ${dir} (key ${key}).`)
    return found('local')
  }
  if (fs.existsSync(dir)) {
    core.warning(
      `The cached environment ${dir} does not run any more; building it again.`
    )
    fs.rmSync(dir, { recursive: true, force: true })
  }
  const cache = await cacheService()
  const remoteKey = githubCacheKey(key)
  if (cache && (await restoreRemote(cache, cacheDir, key, remoteKey))) {
    core.info(
      `Restored the environment from the GitHub cache (key ${remoteKey}) to ${dir}.`
    )
    return found('github')
  }
  const installer = await options.installer()
  fs.mkdirSync(path.join(cacheDir, 'venvs'), { recursive: true })
  const building = fs.mkdtempSync(path.join(cacheDir, 'venvs', `.${key}-`))
  try {
    core.info(
      `Building the environment with Python ${base.version} and ${installer.name} (key ${key}).`
    )
    await installer.createVenv(base.executable ?? base.command, building)
    await installer.install(venvPython(building), options.requirementFiles)
    fs.writeFileSync(path.join(building, COMPLETE), `${key}\n`)
    moveIntoPlace(building, dir)
  } catch (error) {
    fs.rmSync(building, { recursive: true, force: true })
    throw error
  }
  if (cache) await saveToGitHub(cache, dir, remoteKey)
  return found('built')
}
