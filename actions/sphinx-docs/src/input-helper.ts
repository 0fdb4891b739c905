/**
 * Reads sphinx-docs' inputs once, strictly: the docs directory found by its
 * `conf.py`, paths kept inside the workspace, the Read the Docs settings
 * checked together, the token masked at once, the result logged at debug
 * level without secrets. Nothing else reads an input.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as core from '@actions/core'
import {
  getBoolean,
  getDuration,
  getEnum,
  getList,
  getPython,
  getSecret,
  getString,
  getUrl,
  invalidInput,
  isDirectory,
  isFile,
  isInside,
  missingInput,
  resolveWorkspacePath,
  workspaceRoot
} from '@shipyard/action-kit'
import {
  BUILDERS,
  DEFAULT_APIDOC_EXCLUDE,
  DEFAULT_SOURCE_DIR,
  DOCS_DIR_CANDIDATES,
  Inputs,
  LINKCHECK_MODES
} from './constants.js'
import type {
  LinkcheckMode,
  ReadTheDocs,
  SphinxDocsInputs
} from './sphinx-docs-inputs.js'

const DOTTED_MODULE = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/
const APIDOC_OPTION = /^--?[A-Za-z][\w-]*(=\S+)?$/
/** Options the action sets itself, from other inputs. */
const APIDOC_RESERVED = ['-o', '--output-dir']
const RTD_SLUG = /^[a-z0-9][a-z0-9_.-]*$/
const LINKCHECK: Record<(typeof LINKCHECK_MODES)[number], LinkcheckMode> = {
  false: 'off',
  true: 'report',
  strict: 'fail'
}

function getDocsDir(workspace: string, bootstrap: boolean): string {
  const name = Inputs.DocsDir
  const accepted =
    'a directory holding conf.py, relative to the workspace (any directory with bootstrap: true)'
  const value = getString(name)
  if (value) {
    const dir = resolveWorkspacePath(name, value, { workspace, accepted })
    if (fs.existsSync(dir) && !isDirectory(dir)) {
      throw invalidInput(name, value, accepted, { reason: 'not a directory' })
    }
    if (!bootstrap && !isFile(path.join(dir, 'conf.py'))) {
      throw invalidInput(name, value, accepted, { reason: 'no conf.py there' })
    }
    return dir
  }
  for (const candidate of DOCS_DIR_CANDIDATES) {
    const dir = path.join(workspace, candidate)
    if (isFile(path.join(dir, 'conf.py'))) return dir
  }
  if (bootstrap) return path.join(workspace, DOCS_DIR_CANDIDATES[0] ?? 'docs')
  throw missingInput(
    name,
    `${accepted}, or bootstrap: true to generate one in docs`,
    `no conf.py in ${DOCS_DIR_CANDIDATES.join(', ')}`
  )
}

function getSourceDir(workspace: string): string | undefined {
  const value = getString(Inputs.SourceDir)
  if (!value) {
    const dir = path.join(workspace, DEFAULT_SOURCE_DIR)
    return isDirectory(dir) ? dir : undefined
  }
  return resolveWorkspacePath(Inputs.SourceDir, value, {
    workspace,
    mustBe: 'directory'
  })
}

function getApidocOutput(workspace: string, docsDir: string): string {
  const name = Inputs.ApidocOutput
  const accepted =
    'a directory inside docs-dir (Sphinx reads only its source directory), relative to the workspace'
  const value = getString(name)
  if (!value) return path.join(docsDir, 'api')
  const dir = resolveWorkspacePath(name, value, { workspace, accepted })
  if (!isInside(docsDir, dir) || dir === docsDir) {
    throw invalidInput(name, value, accepted, {
      reason: `docs-dir is ${JSON.stringify(path.relative(workspace, docsDir))}`
    })
  }
  return dir
}

function getApidocExclude(): string[] {
  const name = Inputs.ApidocExclude
  const patterns = getList(name, { default: DEFAULT_APIDOC_EXCLUDE })
  for (const pattern of patterns) {
    if (pattern.startsWith('/') || pattern.split(/[\\/]/).includes('..')) {
      throw invalidInput(
        name,
        pattern,
        'fnmatch patterns relative to the project, without `..` (e.g. `*/migrations/*`)'
      )
    }
  }
  return patterns
}

function getApidocOptions(): string[] {
  const name = Inputs.ApidocOptions
  return getList(name).map((option) => {
    const flag = option.split('=')[0] ?? option
    if (!APIDOC_OPTION.test(option)) {
      throw invalidInput(
        name,
        option,
        'sphinx-apidoc options, each `--flag` or `--flag=value` (e.g. `--separate`, `--maxdepth=2`)'
      )
    }
    if (APIDOC_RESERVED.includes(flag)) {
      throw invalidInput(
        name,
        option,
        'options other than the output directory, which apidoc-output sets'
      )
    }
    return option
  })
}

function getRequirements(workspace: string): string[] {
  const name = Inputs.Requirements
  const accepted = 'existing files, relative to the workspace'
  return getList(name).map((item) =>
    resolveWorkspacePath(name, item, { workspace, accepted, mustBe: 'file' })
  )
}

/** The Read the Docs settings, or `undefined` when rtd-project is empty. */
function getReadTheDocs(): ReadTheDocs | undefined {
  const slug = 'slug: lowercase letters, digits, `-`, `_` and `.`'
  const project = getString(Inputs.RtdProject, {
    pattern: RTD_SLUG,
    accepted: `a Read the Docs project ${slug}`
  })
  const token = getSecret(Inputs.RtdToken, { required: false })
  const version = getString(Inputs.RtdVersion, {
    default: 'latest',
    pattern: RTD_SLUG,
    accepted: `a Read the Docs version ${slug}, e.g. \`latest\`, \`stable\`, \`v1.2\``
  })
  const apiUrl = getUrl(Inputs.RtdApiUrl, {
    default: 'https://app.readthedocs.org/api/v3/',
    httpLoopback: true
  })
  const wait = getBoolean(Inputs.RtdWait, { default: true })
  const timeoutMs = getDuration(Inputs.RtdTimeout, {
    default: '20m',
    min: '10s',
    max: '3h'
  })
  if (!project) {
    if (token) {
      core.warning(
        `Input '${Inputs.RtdToken}' is set but '${Inputs.RtdProject}' is empty: Read the Docs will not be called.`
      )
    }
    return undefined
  }
  if (!token) {
    throw missingInput(
      Inputs.RtdToken,
      'a Read the Docs API token (Account settings → API tokens)',
      'rtd-project is set'
    )
  }
  return { project, token, version, apiUrl, wait, timeoutMs }
}

export function getInputs(): SphinxDocsInputs {
  const workspace = workspaceRoot()
  const bootstrap = getBoolean(Inputs.Bootstrap, { default: false })
  const docsDir = getDocsDir(workspace, bootstrap)

  const inputs: SphinxDocsInputs = {
    workspace,
    docsDir,
    bootstrap,
    sourceDir: getSourceDir(workspace),
    apidocOutput: getApidocOutput(workspace, docsDir),
    apidocExclude: getApidocExclude(),
    apidocOptions: getApidocOptions(),
    builder: getEnum(Inputs.Builder, BUILDERS, { default: 'html' }),
    warningsAsErrors: getBoolean(Inputs.WarningsAsErrors, { default: true }),
    nitpicky: getBoolean(Inputs.Nitpicky, { default: false }),
    linkcheck:
      LINKCHECK[
        getEnum(Inputs.Linkcheck, LINKCHECK_MODES, { default: 'false' })
      ],
    requirements: getRequirements(workspace),
    djangoSettings:
      getString(Inputs.DjangoSettings, {
        pattern: DOTTED_MODULE,
        accepted: 'a dotted Python module path such as `mysite.settings`'
      }) || undefined,
    python: getPython(Inputs.Python, { workspace }),
    readTheDocs: getReadTheDocs()
  }

  const rtd = inputs.readTheDocs
  core.debug(
    `sphinx-docs inputs: ${JSON.stringify({
      ...inputs,
      readTheDocs: rtd && { ...rtd, token: '(set)' }
    })}`
  )
  return inputs
}
