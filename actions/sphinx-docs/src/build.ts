/**
 * sphinx-build: the chosen builder into `<docs-dir>/_build/<builder>`, the
 * doctrees (Sphinx's environment pickle) kept in `<docs-dir>/_build/doctrees`
 * so that the next build only reads what changed, `-W --keep-going` to report
 * every warning before failing, `-n` for nitpicky references, and the
 * warnings written to a file that is read back as findings. The link check is
 * a second, separate `linkcheck` build over the same doctrees.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as core from '@actions/core'
import { exec } from '@shipyard/action-kit'
import type { Builder } from './sphinx-docs-inputs.js'
import {
  locateWarnings,
  parseWarnings,
  pythonFiles,
  type SphinxWarning
} from './warnings.js'

export interface BuildRequest {
  python: string
  workspace: string
  docsDir: string
  builder: Builder
  warningsAsErrors: boolean
  nitpicky: boolean
  env: Record<string, string>
  /** Set up Django (`django.setup()`) before Sphinx starts. */
  djangoSettings?: string
  /** sphinx-apidoc argument lists, run first in the same Python process. */
  apidocRuns?: readonly (readonly string[])[]
}

export interface BuildResult {
  exitCode: number
  /** Where the builder wrote (absolute). */
  outDir: string
  doctreeDir: string
  warnings: SphinxWarning[]
  /** Pages built (HTML pages for the HTML builders, else documents read). */
  pages: number
  /** The end of sphinx-build's error output, when it failed. */
  errorTail: string
  /** What the process printed (sphinx-apidoc's `Creating file …` lines among it). */
  stdout: string
  durationMs: number
}

const HTML_BUILDERS: readonly string[] = ['html', 'dirhtml', 'singlehtml']
/** Pages Sphinx adds beside the documents. */
const GENERATED_PAGES = new Set([
  'genindex.html',
  'search.html',
  'py-modindex.html'
])

/** Marks a failure of sphinx-apidoc run before the build, in the same process. */
export const APIDOC_FAILED = 97

/** A Python string literal holding `text`. */
function pyString(text: string): string {
  return JSON.stringify(text)
}

/**
 * The Python arguments that run `sphinx.cmd.build` with `args`: after the
 * sphinx-apidoc runs given (their `main(argv)`, in the same process) and with
 * Django set up first when asked.
 */
export function sphinxCommand(
  args: readonly string[],
  djangoSettings?: string,
  apidocRuns: readonly (readonly string[])[] = []
): string[] {
  if (!djangoSettings && apidocRuns.length === 0) {
    return ['-m', 'sphinx', ...args]
  }
  const lines = ['import json, sys']
  if (apidocRuns.length > 0) {
    lines.push(
      'from sphinx.ext.apidoc import main as apidoc',
      `for argv in json.loads(${pyString(JSON.stringify(apidocRuns))}):`,
      '    code = apidoc(argv)',
      '    if code:',
      `        print("sphinx-apidoc exited with", code, file=sys.stderr)`,
      `        sys.exit(${APIDOC_FAILED})`,
      'sys.stdout.flush()'
    )
  }
  if (djangoSettings) lines.push('import django', 'django.setup()')
  lines.push(
    'from sphinx.cmd.build import main',
    'sys.exit(main(sys.argv[1:]))'
  )
  return ['-c', lines.join('\n'), ...args]
}

function countFiles(
  dir: string,
  accept: (relative: string) => boolean
): number {
  let count = 0
  const walk = (current: string): void => {
    let entries: fs.Dirent[]
    try {
      entries = fs.readdirSync(current, { withFileTypes: true })
    } catch {
      return
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (accept(path.relative(dir, full))) count++
    }
  }
  walk(dir)
  return count
}

/** The pages of an HTML site (not its assets, highlighted sources or generated indices), else the documents read. */
export function countPages(
  builder: string,
  outDir: string,
  doctreeDir: string
): number {
  if (HTML_BUILDERS.includes(builder)) {
    return countFiles(outDir, (relative) => {
      const parts = relative.split(path.sep)
      return (
        relative.endsWith('.html') &&
        !parts.some((part) => part.startsWith('_') || part.startsWith('.')) &&
        !GENERATED_PAGES.has(relative)
      )
    })
  }
  return countFiles(doctreeDir, (relative) => relative.endsWith('.doctree'))
}

/** Kept beside the doctrees: what the last build saw. */
const STATE_FILE = '.shipyard-sphinx-docs.json'

interface BuildState {
  warnings: number
  python: string
}

/** A hash of every Python file of the workspace, paths and contents. */
export function pythonFingerprint(workspace: string): string {
  const hash = createHash('sha256')
  for (const file of pythonFiles(workspace)) {
    hash.update(`${path.relative(workspace, file)}\0`)
    hash.update(fs.readFileSync(file))
    hash.update('\0')
  }
  return hash.digest('hex')
}

/**
 * Why the saved environment (doctrees) must not be reused, or `undefined`
 * when it may. Sphinx re-reads only the documents it sees changed, and does
 * not repeat their warnings: after a build with warnings, or when Python code
 * changed (autodoc follows only the module it imported, not the code that
 * module re-exports), every document is read again (`-E`).
 */
export function staleEnvironment(
  doctreeDir: string,
  fingerprint: string
): string | undefined {
  const file = path.join(doctreeDir, STATE_FILE)
  if (!fs.existsSync(path.join(doctreeDir, 'environment.pickle')))
    return undefined
  let state: BuildState
  try {
    state = JSON.parse(fs.readFileSync(file, 'utf8')) as BuildState
  } catch {
    return 'no record of the previous build'
  }
  if (state.warnings > 0) {
    return `the previous build had ${state.warnings} warning(s), which Sphinx would not repeat`
  }
  if (state.python !== fingerprint) return 'the Python sources changed'
  return undefined
}

function tail(text: string, lines = 15): string {
  return text.trim().split('\n').slice(-lines).join('\n')
}

export async function runBuild(request: BuildRequest): Promise<BuildResult> {
  const buildRoot = path.join(request.docsDir, '_build')
  const outDir = path.join(buildRoot, request.builder)
  const doctreeDir = path.join(buildRoot, 'doctrees')
  const temp = process.env['RUNNER_TEMP'] || os.tmpdir()
  fs.mkdirSync(temp, { recursive: true })
  const scratch = fs.mkdtempSync(path.join(temp, 'sphinx-warnings-'))
  const warningsFile = path.join(scratch, 'warnings.txt')
  const args = ['-b', request.builder, '-d', doctreeDir, '-w', warningsFile]
  if (request.warningsAsErrors) args.push('-W', '--keep-going')
  if (request.nitpicky) args.push('-n')
  const fingerprint = pythonFingerprint(request.workspace)
  const stale = staleEnvironment(doctreeDir, fingerprint)
  if (stale) {
    core.info(`Reading every document again (-E): ${stale}.`)
    args.push('-E')
  }
  args.push(request.docsDir, outDir)

  const started = Date.now()
  try {
    const result = await exec(
      request.python,
      sphinxCommand(args, request.djangoSettings, request.apidocRuns),
      { cwd: request.workspace, env: request.env }
    )
    if (result.exitCode === APIDOC_FAILED) {
      throw new Error(
        `sphinx-apidoc failed: ${tail(result.stderr, 5).split('\n').join(' ')}`
      )
    }
    const text = fs.existsSync(warningsFile)
      ? fs.readFileSync(warningsFile, 'utf8')
      : ''
    if (fs.existsSync(doctreeDir)) {
      const state: BuildState = {
        warnings: parseWarnings(text).length || (result.exitCode === 0 ? 0 : 1),
        python: fingerprint
      }
      fs.writeFileSync(path.join(doctreeDir, STATE_FILE), JSON.stringify(state))
    }
    const warnings = locateWarnings(
      parseWarnings(text),
      request.docsDir,
      request.workspace
    )
    return {
      exitCode: result.exitCode,
      outDir,
      doctreeDir,
      warnings,
      pages: countPages(request.builder, outDir, doctreeDir),
      errorTail: result.exitCode === 0 ? '' : tail(result.stderr),
      stdout: result.stdout,
      durationMs: Date.now() - started
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true })
  }
}

export interface BrokenLink {
  /** Absolute. */
  file: string
  line?: number
  uri: string
  status: string
  info: string
}

export interface LinkcheckResult {
  exitCode: number
  broken: BrokenLink[]
  checked: number
}

/** Reads linkcheck's `output.json` (one JSON object a line). */
export function parseLinkcheck(text: string, docsDir: string): LinkcheckResult {
  const broken: BrokenLink[] = []
  let checked = 0
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    let entry: Record<string, unknown>
    try {
      entry = JSON.parse(line) as Record<string, unknown>
    } catch {
      continue
    }
    checked++
    const text = (key: string): string => {
      const value = entry[key]
      return typeof value === 'string' || typeof value === 'number'
        ? String(value)
        : ''
    }
    const status = text('status')
    if (status !== 'broken' && status !== 'timeout') continue
    const lineno = Number(entry['lineno'])
    broken.push({
      file: path.resolve(docsDir, text('filename')),
      line: Number.isInteger(lineno) && lineno > 0 ? lineno : undefined,
      uri: text('uri'),
      status,
      info: text('info')
    })
  }
  return { exitCode: 0, broken, checked }
}

export async function runLinkcheck(
  request: BuildRequest
): Promise<LinkcheckResult> {
  const buildRoot = path.join(request.docsDir, '_build')
  const outDir = path.join(buildRoot, 'linkcheck')
  const args = [
    '-b',
    'linkcheck',
    '-d',
    path.join(buildRoot, 'doctrees'),
    request.docsDir,
    outDir
  ]
  const result = await exec(
    request.python,
    sphinxCommand(args, request.djangoSettings),
    { cwd: request.workspace, env: request.env }
  )
  const file = path.join(outDir, 'output.json')
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ''
  return { ...parseLinkcheck(text, request.docsDir), exitCode: result.exitCode }
}
