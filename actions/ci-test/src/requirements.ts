/**
 * The project's requirements, read the way pip reads them (requirement files
 * in UTF-8, UTF-8 with a BOM or UTF-16, following `-r`/`-c` includes) or
 * translated into requirement lines (PEP 621 and Poetry `pyproject.toml`,
 * `Pipfile`). Requirement files are still handed to the installer as they
 * are: only the translated formats become a generated file.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { ConfigurationError } from '@shipyard/action-kit'

/** Text of a requirement file as pip decodes it: by its BOM, else UTF-8. */
export function decodeRequirementFile(bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return bytes.subarray(3).toString('utf8')
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    return bytes.subarray(2).toString('utf16le')
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2))
    swapped.swap16()
    return swapped.toString('utf16le')
  }
  return bytes.toString('utf8')
}

/** The encoding name shown in the log. */
export function encodingOf(bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return 'UTF-8 with BOM'
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'UTF-16 LE'
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'UTF-16 BE'
  return 'UTF-8'
}

/** A distribution name as PEP 503 normalises it. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-')
}

/** The distribution name a requirement line names, if it names one. */
export function requirementName(line: string): string | undefined {
  const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(line.trim())
  if (!match || line.trim().startsWith('-')) return undefined
  return normalizeName(match[1])
}

export interface ReadRequirements {
  /** Every requirement line, comments and options removed, includes followed. */
  lines: string[]
  /** Every file read (the ones given and those they include). */
  files: string[]
}

const INCLUDE = /^(?:-r|--requirement|-c|--constraint)(?:\s+|=)(.+)$/

/** Reads requirement files, following `-r` and `-c` includes relative to each file. */
export function readRequirementFiles(
  files: readonly string[]
): ReadRequirements {
  const lines: string[] = []
  const seen: string[] = []
  const visit = (file: string): void => {
    if (seen.includes(file)) return
    seen.push(file)
    let bytes: Buffer
    try {
      bytes = fs.readFileSync(file)
    } catch {
      throw new ConfigurationError(
        `The requirement file ${file} cannot be read (included from another requirement file?).`
      )
    }
    const text = decodeRequirementFile(bytes).replace(/\\\r?\n/g, '')
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.replace(/(^|\s)#.*$/, '').trim()
      if (!line) continue
      const include = INCLUDE.exec(line)
      if (include) {
        visit(path.resolve(path.dirname(file), include[1].trim()))
        continue
      }
      lines.push(line)
    }
  }
  for (const file of files) visit(file)
  return { lines, files: seen }
}

type Table = Record<string, unknown>

const isTable = (value: unknown): value is Table =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const strings = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : []

/** Whether a parsed pyproject.toml declares dependencies ci-test can install. */
export function pyprojectDeclaresDependencies(data: Table): boolean {
  return pyprojectRequirements(data).length > 0
}

/**
 * Requirement lines from a parsed pyproject.toml: PEP 621
 * `project.dependencies` and every `project.optional-dependencies` group,
 * PEP 735 `dependency-groups`, and Poetry's `tool.poetry.dependencies`,
 * `dev-dependencies` and every `group.*.dependencies`.
 */
export function pyprojectRequirements(data: Table): string[] {
  const lines: string[] = []
  const project = data['project']
  if (isTable(project)) {
    lines.push(...strings(project['dependencies']))
    const optional = project['optional-dependencies']
    if (isTable(optional)) {
      for (const group of Object.values(optional)) lines.push(...strings(group))
    }
  }
  const groups = data['dependency-groups']
  if (isTable(groups)) {
    for (const group of Object.values(groups)) lines.push(...strings(group))
  }
  const tool = data['tool']
  const poetry = isTable(tool) ? tool['poetry'] : undefined
  if (isTable(poetry)) {
    const tables: unknown[] = [
      poetry['dependencies'],
      poetry['dev-dependencies']
    ]
    const poetryGroups = poetry['group']
    if (isTable(poetryGroups)) {
      for (const group of Object.values(poetryGroups)) {
        if (isTable(group)) tables.push(group['dependencies'])
      }
    }
    for (const table of tables) {
      if (!isTable(table)) continue
      for (const [name, spec] of Object.entries(table)) {
        if (normalizeName(name) === 'python') continue
        const line = poetryRequirement(name, spec)
        if (line) lines.push(line)
      }
    }
  }
  return lines
}

/**
 * A Poetry version constraint as PEP 440: `^1.2.3` → `>=1.2.3,<2.0.0`,
 * `~1.2` → `>=1.2,<1.3`, `1.2.*` and operators as they are, a bare version →
 * `==`, `*` → anything.
 */
export function poetryConstraint(constraint: string): string {
  const parts = constraint
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
  const out: string[] = []
  for (const part of parts) {
    if (part === '*' || part === '') continue
    const caret = /^\^\s*(\d+(?:\.\d+)*)$/.exec(part)
    const tilde = /^~(?!=)\s*(\d+(?:\.\d+)*)$/.exec(part)
    if (caret) {
      const nums = caret[1].split('.').map(Number)
      const first = nums.findIndex((n) => n !== 0)
      const index = first === -1 ? nums.length - 1 : first
      const upper = nums.slice(0, index + 1)
      upper[index] += 1
      out.push(`>=${caret[1]}`, `<${upper.join('.')}`)
    } else if (tilde) {
      const nums = tilde[1].split('.').map(Number)
      const upper = nums.length === 1 ? [nums[0] + 1] : [nums[0], nums[1] + 1]
      out.push(`>=${tilde[1]}`, `<${upper.join('.')}`)
    } else if (/^\d/.test(part)) {
      out.push(`==${part}`)
    } else {
      out.push(part.replace(/\s+/g, ''))
    }
  }
  return out.join(',')
}

function poetryRequirement(name: string, spec: unknown): string | undefined {
  if (typeof spec === 'string') return `${name}${poetryConstraint(spec)}`
  if (Array.isArray(spec)) return poetryRequirement(name, spec[0])
  if (!isTable(spec)) return undefined
  if (spec['optional'] === true) return undefined
  if (typeof spec['path'] === 'string' || typeof spec['git'] === 'string') {
    return undefined
  }
  const extras = strings(spec['extras'])
  const version =
    typeof spec['version'] === 'string' ? poetryConstraint(spec['version']) : ''
  return `${name}${extras.length ? `[${extras.join(',')}]` : ''}${version}`
}

/**
 * Requirement lines from a parsed Pipfile: `[packages]` and `[dev-packages]`,
 * `"*"` for any version, a version string, or a table with `version` and
 * `extras`.
 */
export function pipfileRequirements(data: Table): string[] {
  const lines: string[] = []
  for (const section of ['packages', 'dev-packages']) {
    const table = data[section]
    if (!isTable(table)) continue
    for (const [name, spec] of Object.entries(table)) {
      if (typeof spec === 'string') {
        lines.push(spec === '*' ? name : `${name}${spec}`)
      } else if (isTable(spec)) {
        if (typeof spec['path'] === 'string' || typeof spec['git'] === 'string')
          continue
        const extras = strings(spec['extras'])
        const version =
          typeof spec['version'] === 'string' && spec['version'] !== '*'
            ? spec['version']
            : ''
        lines.push(
          `${name}${extras.length ? `[${extras.join(',')}]` : ''}${version}`
        )
      }
    }
  }
  return lines
}

/**
 * The cache key of an environment: the interpreter and what is installed in
 * it (requirement lines in order, as decoded, so that the same requirements
 * in UTF-8 and UTF-16 share an environment).
 */
export function environmentKey(
  python: { version: string; implementation: string; machine: string },
  requirementLines: readonly string[]
): string {
  const hash = createHash('sha256')
  hash.update(
    JSON.stringify({
      v: 1,
      python: [python.version, python.implementation, python.machine],
      requirements: requirementLines
    })
  )
  return `py${python.version}-${hash.digest('hex').slice(0, 20)}`
}
