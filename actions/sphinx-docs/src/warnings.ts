/**
 * Sphinx's warnings file (`-w`), read back into findings with a place in the
 * repository: `file:line: WARNING: message [type]`, a docstring's line turned
 * into its line in the source file, and an import failure of autodoc (which
 * Sphinx reports without a place) pinned to the directive that asked for it.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { isInside } from '@shipyard/action-kit'

export interface SphinxWarning {
  level: 'WARNING' | 'ERROR' | 'CRITICAL' | 'SEVERE'
  /** The first line of the message, without the `[type]` suffix. */
  message: string
  /** The lines that followed (a traceback). */
  detail: string
  /** Sphinx's warning type, e.g. `ref.ref`, `docutils`, `autodoc.import_object`. */
  type?: string
  /** Absolute, as Sphinx gave it (or as found for an import failure). */
  file?: string
  line?: number
  /** The object whose docstring it is in (`pkg.mod.func`). */
  docstringOf?: string
}

const ENTRY =
  /^(?:(?<location>.*?): )?(?<level>WARNING|ERROR|CRITICAL|SEVERE): (?<message>.*)$/
// eslint-disable-next-line no-control-regex -- Sphinx may colour its output
const ANSI_COLOUR = /\u001b\[[0-9;]*m/g
const TYPE_SUFFIX = /\s*\[(?<type>[\w.-]+)\]\s*$/
const DOCSTRING = /^(?<file>.*):docstring of (?<object>[\w.]+):(?<line>\d+)$/
const FILE_LINE = /^(?<file>.*?):(?<line>\d+)$/

function place(
  location: string
): Pick<SphinxWarning, 'file' | 'line' | 'docstringOf'> {
  const docstring = DOCSTRING.exec(location)?.groups
  if (docstring) {
    return {
      file: docstring['file'],
      line: Number(docstring['line']),
      docstringOf: docstring['object']
    }
  }
  const fileLine = FILE_LINE.exec(location)?.groups
  if (fileLine)
    return { file: fileLine['file'], line: Number(fileLine['line']) }
  return { file: location }
}

/** Splits the warnings file into entries; lines that start no entry belong to the one before. */
export function parseWarnings(text: string): SphinxWarning[] {
  const entries: SphinxWarning[] = []
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(ANSI_COLOUR, '')
    const match = ENTRY.exec(line)?.groups
    if (match) {
      const location = match['location']
      entries.push({
        level: match['level'] as SphinxWarning['level'],
        message: match['message'] ?? '',
        detail: '',
        ...(location ? place(location) : {})
      })
      continue
    }
    const last = entries[entries.length - 1]
    if (last && line.trim()) {
      last.detail += (last.detail ? '\n' : '') + line
    }
  }
  for (const entry of entries) {
    const holder = entry.detail ? 'detail' : 'message'
    const typed = TYPE_SUFFIX.exec(entry[holder])
    if (typed) {
      entry.type = typed.groups?.['type']
      entry[holder] = entry[holder].slice(0, typed.index)
    }
  }
  return entries
}

/** The name a Python file is imported as, last part only (`views`, or the package's for `__init__.py`). */
function moduleName(file: string): string {
  const base = path.basename(file, '.py')
  return base === '__init__' ? path.basename(path.dirname(file)) : base
}

/**
 * The line in `file` of line `docLine` of the docstring of `object`, or
 * `undefined` when `file` does not define it (a module that re-exports it).
 */
export function docstringLine(
  file: string,
  object: string,
  docLine: number
): number | undefined {
  let source: string[]
  try {
    source = fs.readFileSync(file, 'utf8').split(/\r?\n/)
  } catch {
    return undefined
  }
  const name = object.split('.').pop() ?? object
  const definition = new RegExp(
    `^\\s*(?:async\\s+)?(?:def|class)\\s+${name}\\b`
  )
  let start = source.findIndex((line) => definition.test(line))
  if (start < 0) {
    // The module's own docstring, when the object is the module.
    if (name !== moduleName(file)) return undefined
    start = 0
  }
  for (let i = start; i < Math.min(source.length, start + 60); i++) {
    const line = source[i] ?? ''
    if (/^\s*[rRuU]?("""|''')/.test(line)) return i + docLine
    if (i > start && /^\s*(?:async\s+)?(?:def|class)\s/.test(line)) break
  }
  return undefined
}

const SKIPPED_DIRS = new Set([
  'node_modules',
  'site-packages',
  '__pycache__',
  '_build'
])

/** Every Python file of the workspace (hidden directories, builds and installed packages aside). */
export function pythonFiles(workspace: string): string[] {
  const files: string[] = []
  const walk = (dir: string, depth: number): void => {
    if (depth > 8) return
    let entries: fs.Dirent[]
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true })
    } catch {
      return
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) {
        if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name)) continue
        walk(full, depth + 1)
      } else if (entry.name.endsWith('.py')) files.push(full)
    }
  }
  walk(workspace, 0)
  return files.sort()
}

/**
 * Where the docstring of `object` really is when Sphinx names a module that
 * only re-exports it: the workspace's files whose path ends like the
 * object's module (`catalog/views.py`), tried from the longest module path.
 */
function findDefinition(
  object: string,
  docLine: number,
  files: () => string[]
): { file: string; line: number } | undefined {
  const parts = object.split('.')
  for (let k = parts.length; k >= 1; k--) {
    const module = parts.slice(0, k).join('/')
    const endings = [`/${module}.py`, `/${module}/__init__.py`]
    for (const file of files()) {
      const posixFile = file.split(path.sep).join('/')
      if (!endings.some((ending) => posixFile.endsWith(ending))) continue
      const line = docstringLine(file, object, docLine)
      if (line !== undefined) return { file, line }
    }
  }
  return undefined
}

const AUTO_DIRECTIVE = /^\s*\.\. auto\w+::\s*(?<target>\S+)\s*$/

/** The first `.. auto…:: name` directive in the docs' sources, as a place. */
function findDirective(
  docsDir: string,
  target: string
): { file: string; line: number } | undefined {
  const stack = [docsDir]
  while (stack.length > 0) {
    const dir = stack.pop() as string
    let entries: fs.Dirent[]
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true })
    } catch {
      continue
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('_') && !entry.name.startsWith('.'))
          stack.push(full)
        continue
      }
      if (!/\.(rst|txt|md)$/.test(entry.name)) continue
      const lines = fs.readFileSync(full, 'utf8').split(/\r?\n/)
      const index = lines.findIndex(
        (line) => AUTO_DIRECTIVE.exec(line)?.groups?.['target'] === target
      )
      if (index >= 0) return { file: full, line: index + 1 }
    }
  }
  return undefined
}

const IMPORT_FAILURE =
  /autodoc: failed to import (?:\w+ )?'(?<name>[^']+)'(?: from module '(?<module>[^']+)')?/

/** The exception an import failure ended with (`ModuleNotFoundError: …`). */
export function importFailure(
  warning: SphinxWarning
): { target: string; exception: string } | undefined {
  const match = IMPORT_FAILURE.exec(warning.message)?.groups
  const name = match?.['name']
  if (!name) return undefined
  const module = match['module']
  const target = module ? `${module}.${name}` : name
  const lines = warning.detail.split('\n').filter((l) => /^\w/.test(l))
  const exception =
    lines.reverse().find((l) => /^[\w.]+(Error|Exception|Exit)\b/.test(l)) ??
    lines[0] ??
    ''
  return { target, exception }
}

/**
 * Gives each warning its best place: a docstring's line in its file, an import
 * failure at its directive. Files stay absolute; `relativeTo` makes them
 * workspace-relative for annotations.
 */
export function locateWarnings(
  warnings: SphinxWarning[],
  docsDir: string,
  workspace: string
): SphinxWarning[] {
  let files: string[] | undefined
  const workspaceFiles = (): string[] => (files ??= pythonFiles(workspace))
  return warnings.map((warning) => {
    if (warning.file && warning.docstringOf && warning.line) {
      const { docstringOf, line: docLine } = warning
      const line = docstringLine(warning.file, docstringOf, docLine)
      if (line !== undefined) return { ...warning, line }
      const found = findDefinition(docstringOf, docLine, workspaceFiles)
      return found ? { ...warning, ...found } : { ...warning, line: undefined }
    }
    const failure = importFailure(warning)
    if (!warning.file && failure) {
      const found = findDirective(docsDir, failure.target)
      if (found) return { ...warning, ...found }
    }
    return warning
  })
}

/** `file` relative to the workspace, or `undefined` when it is outside it (site-packages). */
export function workspaceRelative(
  workspace: string,
  file: string | undefined
): string | undefined {
  if (!file || !path.isAbsolute(file)) return file
  if (!isInside(workspace, file)) return undefined
  return path.relative(workspace, file).split(path.sep).join('/')
}

/** One line for an annotation or a table: the message, and an import failure's exception. */
export function describeWarning(warning: SphinxWarning): string {
  const failure = importFailure(warning)
  if (failure) {
    return `autodoc could not import '${failure.target}': ${failure.exception}`
  }
  return warning.message
}
