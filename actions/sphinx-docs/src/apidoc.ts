/**
 * sphinx-apidoc over the chosen sources. Exclusion patterns are made absolute
 * against the workspace (sphinx-apidoc resolves them against the current
 * directory, where they would match nothing). Without a source directory, the
 * project's top-level Python packages are documented. When neither the
 * sources nor the options changed since the last run and its files are all
 * there, the run is skipped: its output would be the same.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as core from '@actions/core'
import { isFile } from '@shipyard/action-kit'

export interface ApidocRequest {
  workspace: string
  docsDir: string
  /** `undefined`: the project's top-level packages. */
  sourceDir?: string
  output: string
  exclude: readonly string[]
  options: readonly string[]
  /** Part of what decides whether the last run's output can be kept. */
  sphinxVersion: string
}

export interface ApidocResult {
  /** What was documented (absolute directories). */
  sources: string[]
  /** Every module documented (`.. automodule::` targets), sorted. */
  modules: string[]
  /** The `.rst` files sphinx-apidoc wrote. */
  files: string[]
  /** The sources and options had not changed: the last run's files were kept. */
  reused: boolean
}

interface ApidocState {
  key: string
  files: string[]
  modules: string[]
}

/** Where the last run is recorded: beside Sphinx's own build state. */
function stateFile(docsDir: string): string {
  return path.join(docsDir, '_build', '.shipyard-sphinx-docs-apidoc.json')
}

/** A hash of everything sphinx-apidoc's output depends on. */
function apidocKey(request: ApidocRequest, sources: readonly string[]): string {
  const hash = createHash('sha256')
  hash.update(
    JSON.stringify([
      request.sphinxVersion,
      request.output,
      request.exclude,
      request.options,
      sources
    ])
  )
  for (const source of sources) {
    for (const entry of fs.readdirSync(source, {
      recursive: true,
      withFileTypes: true
    })) {
      if (!entry.isFile() || entry.parentPath.includes('__pycache__')) continue
      const file = path.join(entry.parentPath, entry.name)
      hash.update(`${path.relative(source, file)}\0`)
      hash.update(fs.readFileSync(file))
      hash.update('\0')
    }
  }
  return hash.digest('hex')
}

function lastRun(file: string): ApidocState | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as ApidocState
  } catch {
    return undefined
  }
}

const SKIPPED_DIRS = new Set(['node_modules', 'site-packages', 'build', 'dist'])

/** The workspace's top-level directories holding an `__init__.py`, the docs aside. */
export function projectPackages(workspace: string, docsDir: string): string[] {
  return fs
    .readdirSync(workspace, { withFileTypes: true })
    .filter(
      (entry) =>
        entry.isDirectory() &&
        !entry.name.startsWith('.') &&
        !entry.name.startsWith('_') &&
        !SKIPPED_DIRS.has(entry.name)
    )
    .map((entry) => path.join(workspace, entry.name))
    .filter(
      (dir) =>
        dir !== docsDir &&
        !docsDir.startsWith(dir + path.sep) &&
        isFile(path.join(dir, '__init__.py'))
    )
    .sort()
}

/** Each pattern made absolute against `base`, as sphinx-apidoc needs it. */
export function absolutePatterns(
  base: string,
  patterns: readonly string[]
): string[] {
  return patterns.map((pattern) => path.join(base, pattern))
}

function automodules(files: readonly string[]): string[] {
  const modules = new Set<string>()
  for (const file of files) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const match = /^\s*\.\. automodule::\s*(\S+)/.exec(line)
      if (match?.[1]) modules.add(match[1])
    }
  }
  return [...modules].sort()
}

/** The files sphinx-apidoc says it wrote (`Creating file …`), resolved against `cwd`. */
export function createdFiles(stdout: string, cwd: string): string[] {
  const files: string[] = []
  for (const line of stdout.split(/\r?\n/)) {
    const match = /^Creating file (.+)\.$/.exec(line.trim())
    if (match?.[1]) files.push(path.resolve(cwd, match[1]))
  }
  return files
}

/** sphinx-apidoc's arguments for one source. */
function apidocArgs(request: ApidocRequest, source: string): string[] {
  return [
    '--force',
    '-o',
    request.output,
    ...request.options,
    source,
    ...absolutePatterns(request.workspace, request.exclude)
  ]
}

/**
 * What sphinx-apidoc has to do: nothing (`result`, kept from the last run, or
 * no sources), or the argument lists to run (each as `sphinx.ext.apidoc`'s
 * `main(argv)`: the build runs them in its own Python process, sparing an
 * interpreter start) and `finish`, which reads what they wrote.
 */
export type ApidocPlan =
  | { result: ApidocResult }
  | {
      runs: string[][]
      finish: (stdout: string) => ApidocResult
    }

export function planApidoc(request: ApidocRequest): ApidocPlan {
  const sources = request.sourceDir
    ? [request.sourceDir]
    : projectPackages(request.workspace, request.docsDir)
  if (sources.length === 0) {
    core.info(
      'No source-dir and no Python package at the top of the project: sphinx-apidoc has nothing to document.'
    )
    return { result: { sources, modules: [], files: [], reused: false } }
  }
  const where = `${sources.map((s) => path.relative(request.workspace, s) || '.').join(', ')} into ${path.relative(request.workspace, request.output)}`
  const key = apidocKey(request, sources)
  const state = stateFile(request.docsDir)
  const last = lastRun(state)
  if (last?.key === key && last.files.every((f) => isFile(f))) {
    core.info(
      `sphinx-apidoc: nothing changed in ${where} since the last run; its ${last.files.length} file(s) are kept.`
    )
    return {
      result: {
        sources,
        modules: last.modules,
        files: last.files,
        reused: true
      }
    }
  }
  // The pages of the last run go: those still wanted are written again, and
  // a module that is gone (or now excluded) leaves no page behind for Sphinx
  // to build or warn about.
  for (const file of last?.files ?? []) fs.rmSync(file, { force: true })
  fs.mkdirSync(request.output, { recursive: true })
  core.info(`sphinx-apidoc: documenting ${where}`)

  const finish = (stdout: string): ApidocResult => {
    const written = new Set(createdFiles(stdout, request.workspace))
    // With --quiet sphinx-apidoc names nothing: count what the directory holds.
    if (written.size === 0) {
      for (const name of fs.readdirSync(request.output))
        if (name.endsWith('.rst')) written.add(path.join(request.output, name))
    }
    // Without a source directory each package is run on its own, and each
    // run writes its own modules.rst (the table of contents): write it whole.
    if (!request.sourceDir && sources.length > 1) {
      written.add(
        writeModulesToc(
          request.output,
          sources.map((s) => path.basename(s))
        )
      )
    }
    const files = [...written].filter((file) => isFile(file)).sort()
    const modules = automodules(files)
    core.info(
      `sphinx-apidoc documented ${modules.length} module(s) from ${where}`
    )
    fs.mkdirSync(path.dirname(state), { recursive: true })
    const record: ApidocState = { key, files, modules }
    fs.writeFileSync(state, JSON.stringify(record))
    return { sources, modules, files, reused: false }
  }
  return { runs: sources.map((source) => apidocArgs(request, source)), finish }
}

function writeModulesToc(output: string, packages: readonly string[]): string {
  const title = 'API'
  const body = [
    title,
    '='.repeat(title.length),
    '',
    '.. toctree::',
    '   :maxdepth: 4',
    '',
    ...packages.map((name) => `   ${name}`),
    ''
  ]
  const file = path.join(output, 'modules.rst')
  fs.writeFileSync(file, body.join('\n'))
  return file
}
