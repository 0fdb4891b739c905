/**
 * Reads ci-test's inputs once, strictly: defaults applied (the project found
 * by its `manage.py`), values validated, secrets masked, the result logged at
 * debug level without them. Nothing else reads an input.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as core from '@actions/core'
import {
  getBoolean,
  getEnum,
  getKeyValues,
  getList,
  getNumber,
  getPython,
  getString,
  invalidInput,
  isFile,
  missingInput,
  resolveWorkspacePath,
  workspaceRoot
} from '@shipyard/action-kit'
import type { CiTestInputs } from './ci-test-inputs.js'
import { INSTALLERS, Inputs, LINTERS, TEST_RUNNERS } from './constants.js'

/** How deep below the workspace `manage.py` is looked for. */
const PROJECT_SEARCH_DEPTH = 3
/** Directories never searched for a project (besides hidden ones and virtual environments). */
const NOT_SEARCHED = new Set(['node_modules', '__pycache__', 'site-packages'])

const DOTTED_MODULE = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/
const REQUIREMENT_FILE = /(\.txt|^pyproject\.toml|^Pipfile)$/

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
    const dir = resolveWorkspacePath(name, value, {
      workspace,
      accepted,
      mustBe: 'directory'
    })
    if (!isFile(path.join(dir, 'manage.py'))) {
      throw invalidInput(name, value, accepted, {
        reason: 'it holds no manage.py'
      })
    }
    return dir
  }
  const projects = findDjangoProjects(workspace)
  if (projects.length === 1) return projects[0]
  if (projects.length === 0) {
    throw missingInput(
      name,
      accepted,
      `no manage.py was found in the workspace or up to ${PROJECT_SEARCH_DEPTH} levels below it`
    )
  }
  const list = projects
    .map((p) => path.relative(workspace, p) || '.')
    .join(', ')
  throw missingInput(
    name,
    'one of them',
    `the workspace holds several Django projects (${list})`
  )
}

function getRequirements(workspace: string, projectDir: string): string[] {
  const name = Inputs.Requirements
  const accepted =
    'files named *.txt, pyproject.toml or Pipfile, relative to working-directory and inside the workspace'
  return getList(name).map((item) => {
    const file = resolveWorkspacePath(name, item, {
      workspace,
      base: projectDir,
      accepted
    })
    if (!REQUIREMENT_FILE.test(path.basename(file))) {
      throw invalidInput(name, item, accepted)
    }
    if (!isFile(file)) {
      throw invalidInput(name, item, accepted, { reason: 'no such file' })
    }
    return file
  })
}

function getCacheDir(workspace: string): string | undefined {
  const value = getString(Inputs.CacheDir)
  if (!value) return undefined
  if (value.includes('\n')) {
    throw invalidInput(Inputs.CacheDir, value, 'one directory path')
  }
  return path.resolve(workspace, value)
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
    python: getPython(Inputs.Python, { workspace }),
    requirements: getRequirements(workspace, workingDirectory),
    installer: getEnum(Inputs.Installer, INSTALLERS, { default: 'auto' }),
    cacheDir: getCacheDir(workspace),
    lint: getEnum(Inputs.Lint, LINTERS, { default: 'flake8' }),
    testRunner: getEnum(Inputs.TestRunner, TEST_RUNNERS, { default: 'auto' }),
    env: getKeyValues(Inputs.Env, { secret: true }),
    coverageThreshold: getNumber(Inputs.CoverageThreshold, {
      default: 80,
      min: 0,
      max: 100
    }),
    deployCheck: getBoolean(Inputs.DeployCheck, { default: true }),
    migrationsCheck: getBoolean(Inputs.MigrationsCheck, { default: true })
  }

  core.debug(
    `ci-test inputs: ${JSON.stringify({
      ...inputs,
      env: Object.keys(inputs.env)
    })}`
  )
  return inputs
}
