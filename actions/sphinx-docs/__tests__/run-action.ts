/**
 * Runs the committed bundle as the runner does: a fresh node process, inputs
 * as INPUT_* variables (hyphens kept), GITHUB_OUTPUT and GITHUB_STEP_SUMMARY
 * files, GITHUB_WORKSPACE and RUNNER_TEMP. Asynchronous, so that a stand-in
 * in the test's own process can answer the action.
 */
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..'
)
export const BUNDLE = path.join(
  ROOT,
  'actions',
  'sphinx-docs',
  'dist',
  'index.js'
)
/** The repository's Python environment (scripts/python-env.sh): Sphinx and Django. */
export const VENV_PYTHON = path.join(ROOT, '.venv', 'bin', 'python')

export interface ActionRun {
  status: number | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  /** The files left in RUNNER_TEMP, virtual environments aside. */
  tempFiles: string
  /** `::error file=…,line=…::message` and its kin. */
  annotations: {
    kind: string
    props: Record<string, string>
    message: string
  }[]
}

/** Reads the `name<<delimiter` blocks of a GITHUB_OUTPUT file. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '')
    if (!match?.[1] || !match[2]) continue
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== match[2]; i++)
      value.push(lines[i] ?? '')
    outputs[match[1]] = value.join('\n')
  }
  return outputs
}

function parseAnnotations(stdout: string): ActionRun['annotations'] {
  const found: ActionRun['annotations'] = []
  for (const line of stdout.split('\n')) {
    const match = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line)
    if (!match) continue
    const props: Record<string, string> = {}
    for (const pair of (match[2] ?? '').split(',').filter(Boolean)) {
      const [key, ...rest] = pair.split('=')
      if (key) props[key] = rest.join('=')
    }
    found.push({ kind: match[1] ?? '', props, message: match[3] ?? '' })
  }
  return found
}

export interface RunOptions {
  workspace: string
  inputs?: Record<string, string>
  /** Added to the environment. */
  env?: Record<string, string>
  /** Default: a fresh directory beside the workspace. */
  runnerTemp?: string
  timeoutMs?: number
}

export async function runAction(options: RunOptions): Promise<ActionRun> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sphinx-docs-runner-'))
  const output = path.join(scratch, 'output')
  const summary = path.join(scratch, 'summary')
  fs.writeFileSync(output, '')
  fs.writeFileSync(summary, '')
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? scratch,
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
    RUNNER_TEMP: options.runnerTemp ?? path.join(scratch, 'temp'),
    ...options.env
  }
  for (const [key, value] of Object.entries(options.inputs ?? {}))
    env[`INPUT_${key.toUpperCase()}`] = value
  const child = spawn(process.execPath, [BUNDLE], {
    cwd: options.workspace,
    env
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const timer = setTimeout(() => child.kill(), options.timeoutMs ?? 120_000)
  const status = await new Promise<number | null>((resolve) =>
    child.on('close', (code) => resolve(code))
  )
  clearTimeout(timer)
  const runnerTemp = env['RUNNER_TEMP'] ?? scratch
  const run: ActionRun = {
    tempFiles: allFileContents(runnerTemp, (file) => /venv-/.test(file)),
    status,
    stdout,
    stderr,
    outputs: parseOutputs(fs.readFileSync(output, 'utf8')),
    summary: fs.readFileSync(summary, 'utf8'),
    annotations: parseAnnotations(stdout)
  }
  fs.rmSync(scratch, { recursive: true, force: true })
  return run
}

/**
 * A copy of the repository's documentation: docs/, sphinx_src/, example/,
 * package.json (conf.py reads it) and every actions/<name>/action.yml (the
 * docs' reference pages are generated from them).
 */
export function copyRepoDocs(): string {
  const workspace = fs.realpathSync(
    fs.mkdtempSync(path.join(os.tmpdir(), 'sphinx-docs-repo-'))
  )
  const skip = new Set([
    '_build',
    'api',
    '__pycache__',
    '.reports',
    'staticfiles',
    'db.sqlite3',
    '.pytest_cache'
  ])
  for (const name of ['docs', 'sphinx_src', 'example']) {
    fs.cpSync(path.join(ROOT, name), path.join(workspace, name), {
      recursive: true,
      filter: (source) => !skip.has(path.basename(source))
    })
  }
  fs.copyFileSync(
    path.join(ROOT, 'package.json'),
    path.join(workspace, 'package.json')
  )
  for (const action of fs.readdirSync(path.join(ROOT, 'actions'))) {
    const meta = path.join(ROOT, 'actions', action, 'action.yml')
    if (!fs.existsSync(meta)) continue
    fs.mkdirSync(path.join(workspace, 'actions', action), { recursive: true })
    fs.copyFileSync(meta, path.join(workspace, 'actions', action, 'action.yml'))
  }
  return workspace
}

/** A small project: a package with docstrings, and (unless `docs: false`) a minimal docs/ with conf.py. */
export function smallProject(options: { docs?: boolean } = {}): string {
  const workspace = fs.realpathSync(
    fs.mkdtempSync(path.join(os.tmpdir(), 'sphinx-docs-small-'))
  )
  const write = (relative: string, text: string): void => {
    const file = path.join(workspace, relative)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, text)
  }
  write(
    'mylib/__init__.py',
    '"""A small library."""\n\n\ndef greet(name):\n    """Return a greeting for ``name``."""\n    return f"Hello, {name}"\n'
  )
  write(
    'mylib/shapes.py',
    '"""Shapes."""\n\n\nclass Square:\n    """A square of side ``side``."""\n\n    def __init__(self, side):\n        self.side = side\n\n    def area(self):\n        """The area."""\n        return self.side**2\n'
  )
  write('mylib/tests.py', 'import nothing_that_exists  # never documented\n')
  if (options.docs !== false) {
    write(
      'docs/conf.py',
      "project = 'mylib'\nextensions = ['sphinx.ext.autodoc']\nexclude_patterns = ['_build']\n"
    )
    write(
      'docs/index.rst',
      'mylib\n=====\n\nThe small library.\n\n.. toctree::\n\n   api/modules\n'
    )
  }
  return workspace
}

/** Every file under `dir`, as text (binary files too: a secret is a string either way). */
export function allFileContents(
  dir: string,
  skip: (file: string) => boolean = () => false
): string {
  if (!fs.existsSync(dir)) return ''
  const parts: string[] = []
  for (const entry of fs.readdirSync(dir, {
    recursive: true,
    withFileTypes: true
  })) {
    if (!entry.isFile()) continue
    const file = path.join(entry.parentPath, entry.name)
    if (skip(file)) continue
    parts.push(fs.readFileSync(file, 'latin1'))
  }
  return parts.join('\n')
}
