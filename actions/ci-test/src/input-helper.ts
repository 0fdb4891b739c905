/**
 * Reads ci-test's inputs once, strictly: defaults applied (the project found
 * by its `manage.py`), values validated, secrets masked, the result logged at
 * debug level without them. Nothing else reads an input.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as core from '@actions/core'
import {
  ConfigurationError,
  getBoolean,
  getEnum,
  getKeyValues,
  getList,
  getNumber,
  getString,
  getUrl
} from '@shipyard/action-kit'
import type { CiTestInputs, PythonRequest } from './ci-test-inputs.js'
import { INSTALLERS, Inputs, LINTERS, TEST_RUNNERS } from './constants.js'

/** How deep below the workspace `manage.py` is looked for. */
const PROJECT_SEARCH_DEPTH = 3
/** Directories never searched for a project (besides hidden ones and virtual environments). */
const NOT_SEARCHED = new Set(['node_modules', '__pycache__', 'site-packages'])

const DOTTED_MODULE = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/
const PYTHON_VERSION = /^3(\.\d+)?$/
const REQUIREMENT_FILE = /(\.txt|^pyproject\.toml|^Pipfile)$/

function invalid(
  name: string,
  value: string,
  accepted: string,
  reason?: string
): ConfigurationError {
  const why = reason ? ` (${reason})` : ''
  return new ConfigurationError(
    `Invalid value for input '${name}': ${JSON.stringify(value)}${why}. Accepted: ${accepted}.`
  )
}

function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target)
  return (
    relative === '' ||
    (relative !== '..' &&
      !relative.startsWith(`..${path.sep}`) &&
      !path.isAbsolute(relative))
  )
}

/** `GITHUB_WORKSPACE`, else the current directory. */
function workspaceRoot(): string {
  return path.resolve(process.env['GITHUB_WORKSPACE'] || process.cwd())
}

/**
 * `value` resolved against `base`: it must be relative and stay inside the
 * workspace, links followed.
 */
function workspacePath(
  name: string,
  value: string,
  workspace: string,
  accepted: string,
  base = workspace
): string {
  if (path.isAbsolute(value) || /^[A-Za-z]:[\\/]/.test(value)) {
    throw invalid(name, value, accepted, 'an absolute path')
  }
  const resolved = path.resolve(base, value)
  if (!isInside(workspace, resolved)) {
    throw invalid(name, value, accepted, 'outside the workspace')
  }
  if (
    fs.existsSync(resolved) &&
    !isInside(fs.realpathSync(workspace), fs.realpathSync(resolved))
  ) {
    throw invalid(name, value, accepted, 'a link out of the workspace')
  }
  return resolved
}

function isFile(file: string): boolean {
  return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ?? false
}

function isDirectory(dir: string): boolean {
  return fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory() ?? false
}

/** Every directory holding a `manage.py`, at most PROJECT_SEARCH_DEPTH below `root`. */
export function findDjangoProjects(root: string): string[] {
  const found: string[] = []
  const walk = (dir: string, depth: number): void => {
    let entries: fs.Dirent[]
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true })
    } catch {
      return
    }
    const has = (name: string): boolean =>
      entries.some((e) => e.isFile() && e.name === name)
    if (has('pyvenv.cfg')) return
    if (has('manage.py')) found.push(dir)
    if (depth >= PROJECT_SEARCH_DEPTH) return
    for (const entry of entries) {
      if (
        entry.isDirectory() &&
        !entry.name.startsWith('.') &&
        !NOT_SEARCHED.has(entry.name)
      ) {
        walk(path.join(dir, entry.name), depth + 1)
      }
    }
  }
  walk(root, 0)
  return found.sort()
}

function getWorkingDirectory(workspace: string): string {
  const name = Inputs.WorkingDirectory
  const accepted = 'a directory holding manage.py, relative to the workspace'
  const value = getString(name)
  if (value) {
    const dir = workspacePath(name, value, workspace, accepted)
    if (!isDirectory(dir))
      throw invalid(name, value, accepted, 'no such directory')
    if (!isFile(path.join(dir, 'manage.py'))) {
      throw invalid(name, value, accepted, 'it holds no manage.py')
    }
    return dir
  }
  const projects = findDjangoProjects(workspace)
  if (projects.length === 1) return projects[0]
  if (projects.length === 0) {
    throw new ConfigurationError(
      `Input required and not supplied: '${name}'. No manage.py was found in the workspace or up to ${PROJECT_SEARCH_DEPTH} levels below it. Accepted: ${accepted}.`
    )
  }
  const list = projects
    .map((p) => path.relative(workspace, p) || '.')
    .join(', ')
  throw new ConfigurationError(
    `Input required and not supplied: '${name}'. The workspace holds several Django projects (${list}). Accepted: one of them.`
  )
}

function getPython(workspace: string): PythonRequest {
  const name = Inputs.Python
  const accepted =
    'a Python 3 version found on PATH (`3.12` runs `python3.12`), or an interpreter path or command'
  const value = getString(name)
  if (!value) {
    const location = process.env['pythonLocation']
    if (!location) return { kind: 'interpreter', path: 'python3' }
    const file =
      process.platform === 'win32'
        ? path.join(location, 'python.exe')
        : path.join(location, 'bin', 'python')
    return { kind: 'interpreter', path: file }
  }
  if (PYTHON_VERSION.test(value)) return { kind: 'version', version: value }
  if (/^[\d.]+$/.test(value) || value.includes('\n')) {
    throw invalid(name, value, accepted)
  }
  if (!/[\\/]/.test(value)) return { kind: 'interpreter', path: value }
  const file = path.resolve(workspace, value)
  if (!isFile(file)) throw invalid(name, value, accepted, 'no such file')
  return { kind: 'interpreter', path: file }
}

function getRequirements(workspace: string, projectDir: string): string[] {
  const name = Inputs.Requirements
  const accepted =
    'files named *.txt, pyproject.toml or Pipfile, relative to working-directory and inside the workspace'
  return getList(name).map((item) => {
    const file = workspacePath(name, item, workspace, accepted, projectDir)
    if (!REQUIREMENT_FILE.test(path.basename(file))) {
      throw invalid(name, item, accepted)
    }
    if (!isFile(file)) throw invalid(name, item, accepted, 'no such file')
    return file
  })
}

/** A Sentry DSN: `https://<public key>@<host>/<project id>`. Never shown. */
function getSelfReportDsn(): URL | undefined {
  const name = Inputs.SelfReportDsn
  const dsn = getUrl(name, { secret: true, schemes: ['https', 'http'] })
  if (dsn && (!dsn.username || !/\/\d+$/.test(dsn.pathname))) {
    throw new ConfigurationError(
      `Invalid value for input '${name}': (secret value, not shown). Accepted: a Sentry DSN, https://<public key>@<host>/<project id>.`
    )
  }
  return dsn
}

export function getInputs(): CiTestInputs {
  const workspace = workspaceRoot()
  const workingDirectory = getWorkingDirectory(workspace)

  const djangoSettings =
    getString(Inputs.DjangoSettings, {
      pattern: DOTTED_MODULE,
      accepted: 'a dotted Python module path such as `mysite.settings`'
    }) || undefined

  const inputs: CiTestInputs = {
    workspace,
    workingDirectory,
    djangoSettings,
    python: getPython(workspace),
    requirements: getRequirements(workspace, workingDirectory),
    installer: getEnum(Inputs.Installer, INSTALLERS, { default: 'auto' }),
    lint: getEnum(Inputs.Lint, LINTERS, { default: 'flake8' }),
    testRunner: getEnum(Inputs.TestRunner, TEST_RUNNERS, { default: 'auto' }),
    env: getKeyValues(Inputs.Env, { secret: true }),
    coverageThreshold: getNumber(Inputs.CoverageThreshold, {
      default: 80,
      min: 0,
      max: 100
    }),
    deployCheck: getBoolean(Inputs.DeployCheck, { default: true }),
    migrationsCheck: getBoolean(Inputs.MigrationsCheck, { default: true }),
    selfReportDsn: getSelfReportDsn()
  }

  core.debug(
    `ci-test inputs: ${JSON.stringify({
      ...inputs,
      env: Object.keys(inputs.env),
      selfReportDsn: inputs.selfReportDsn ? '(set)' : undefined
    })}`
  )
  return inputs
}
