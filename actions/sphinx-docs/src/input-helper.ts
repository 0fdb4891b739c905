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
  ConfigurationError,
  getBoolean,
  getDuration,
  getEnum,
  getList,
  getSecret,
  getString,
  getUrl
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
  PythonRequest,
  ReadTheDocs,
  SphinxDocsInputs
} from './sphinx-docs-inputs.js'

const DOTTED_MODULE = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/
const PYTHON_VERSION = /^3(\.\d+)?$/
const APIDOC_OPTION = /^--?[A-Za-z][\w-]*(=\S+)?$/
/** Options the action sets itself, from other inputs. */
const APIDOC_RESERVED = ['-o', '--output-dir']
const RTD_SLUG = /^[a-z0-9][a-z0-9_.-]*$/
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])
const LINKCHECK: Record<(typeof LINKCHECK_MODES)[number], LinkcheckMode> = {
  false: 'off',
  true: 'report',
  strict: 'fail'
}

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

function missing(
  name: string,
  reason: string,
  accepted: string
): ConfigurationError {
  return new ConfigurationError(
    `Input required and not supplied: '${name}' (${reason}). Accepted: ${accepted}.`
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

/** `value` resolved in the workspace: it must be relative and stay inside it, links followed. */
function workspacePath(
  name: string,
  value: string,
  workspace: string,
  accepted: string
): string {
  if (path.isAbsolute(value) || /^[A-Za-z]:[\\/]/.test(value)) {
    throw invalid(name, value, accepted, 'an absolute path')
  }
  const resolved = path.resolve(workspace, value)
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

function getDocsDir(workspace: string, bootstrap: boolean): string {
  const name = Inputs.DocsDir
  const accepted =
    'a directory holding conf.py, relative to the workspace (any directory with bootstrap: true)'
  const value = getString(name)
  if (value) {
    const dir = workspacePath(name, value, workspace, accepted)
    if (fs.existsSync(dir) && !isDirectory(dir)) {
      throw invalid(name, value, accepted, 'not a directory')
    }
    if (!bootstrap && !isFile(path.join(dir, 'conf.py'))) {
      throw invalid(name, value, accepted, 'no conf.py there')
    }
    return dir
  }
  for (const candidate of DOCS_DIR_CANDIDATES) {
    const dir = path.join(workspace, candidate)
    if (isFile(path.join(dir, 'conf.py'))) return dir
  }
  if (bootstrap) return path.join(workspace, DOCS_DIR_CANDIDATES[0] ?? 'docs')
  throw missing(
    name,
    `no conf.py in ${DOCS_DIR_CANDIDATES.join(', ')}`,
    `${accepted}, or bootstrap: true to generate one in docs`
  )
}

function getSourceDir(workspace: string): string | undefined {
  const name = Inputs.SourceDir
  const accepted = 'an existing directory, relative to the workspace'
  const value = getString(name)
  if (!value) {
    const dir = path.join(workspace, DEFAULT_SOURCE_DIR)
    return isDirectory(dir) ? dir : undefined
  }
  const dir = workspacePath(name, value, workspace, accepted)
  if (!isDirectory(dir))
    throw invalid(name, value, accepted, 'no such directory')
  return dir
}

function getApidocOutput(workspace: string, docsDir: string): string {
  const name = Inputs.ApidocOutput
  const accepted =
    'a directory inside docs-dir (Sphinx reads only its source directory), relative to the workspace'
  const value = getString(name)
  if (!value) return path.join(docsDir, 'api')
  const dir = workspacePath(name, value, workspace, accepted)
  if (!isInside(docsDir, dir) || dir === docsDir) {
    throw invalid(
      name,
      value,
      accepted,
      `docs-dir is ${JSON.stringify(path.relative(workspace, docsDir))}`
    )
  }
  return dir
}

function getApidocExclude(): string[] {
  const name = Inputs.ApidocExclude
  const patterns = getList(name, { default: DEFAULT_APIDOC_EXCLUDE })
  for (const pattern of patterns) {
    if (pattern.startsWith('/') || pattern.split(/[\\/]/).includes('..')) {
      throw invalid(
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
      throw invalid(
        name,
        option,
        'sphinx-apidoc options, each `--flag` or `--flag=value` (e.g. `--separate`, `--maxdepth=2`)'
      )
    }
    if (APIDOC_RESERVED.includes(flag)) {
      throw invalid(
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
  return getList(name).map((item) => {
    const file = workspacePath(name, item, workspace, accepted)
    if (!isFile(file)) throw invalid(name, item, accepted, 'no such file')
    return file
  })
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

function getRtdApiUrl(): URL {
  const name = Inputs.RtdApiUrl
  const url = getUrl(name, {
    default: 'https://app.readthedocs.org/api/v3/',
    schemes: ['https', 'http']
  })
  if (!url) throw missing(name, 'no default', 'an absolute URL')
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) {
    throw invalid(
      name,
      getString(name),
      'an `https://` URL (`http://` only on 127.0.0.1, localhost or [::1])'
    )
  }
  return url
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
  const apiUrl = getRtdApiUrl()
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
    throw missing(
      Inputs.RtdToken,
      'rtd-project is set',
      'a Read the Docs API token (Account settings → API tokens)'
    )
  }
  return { project, token, version, apiUrl, wait, timeoutMs }
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
    python: getPython(workspace),
    readTheDocs: getReadTheDocs(),
    selfReportDsn: getSelfReportDsn()
  }

  const rtd = inputs.readTheDocs
  core.debug(
    `sphinx-docs inputs: ${JSON.stringify({
      ...inputs,
      readTheDocs: rtd && { ...rtd, token: '(set)' },
      selfReportDsn: inputs.selfReportDsn ? '(set)' : undefined
    })}`
  )
  return inputs
}
