/**
 * flake8 with the project's own configuration. flake8 reads `setup.cfg`,
 * `tox.ini` and `.flake8` itself; a `[tool.flake8]` table in pyproject.toml,
 * which flake8 ignores, is translated into an INI file passed with
 * `--config` (relative paths in it made absolute, since flake8 resolves them
 * against the configuration file's directory).
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { exec } from '@shipyard/action-kit'

export interface LintFinding {
  /** Relative to the project directory, as flake8 prints it. */
  file: string
  line: number
  column: number
  code: string
  message: string
}

export interface LintResult {
  /** Where the configuration came from, for the log and the summary. */
  config: string
  findings: LintFinding[]
  /** flake8 itself failed (not findings): its exit code and last words. */
  crashed?: string
  output: string
}

/** Options whose values are paths (resolved by flake8 relative to the config file). */
const PATH_OPTIONS = new Set([
  'exclude',
  'extend-exclude',
  'filename',
  'per-file-ignores',
  'extend-per-file-ignores'
])

function iniValue(value: unknown): string {
  if (Array.isArray(value)) return value.map(iniValue).join(',\n    ')
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'string' || typeof value === 'number')
    return String(value)
  return JSON.stringify(value)
}

/** Makes the path-like items of a comma/newline list absolute under `dir`. */
function absolutePaths(key: string, value: string, dir: string): string {
  if (!PATH_OPTIONS.has(key)) return value
  return value
    .split(/(,|\n)/)
    .map((item) => {
      const trimmed = item.trim()
      if (!trimmed || trimmed === ',' || !trimmed.includes('/')) return item
      let absolute = trimmed
      if (key.endsWith('per-file-ignores')) {
        const [pattern, ...codes] = trimmed.split(':')
        if (pattern.includes('/') && !path.isAbsolute(pattern)) {
          absolute = `${path.join(dir, pattern)}:${codes.join(':')}`
        }
      } else if (!path.isAbsolute(trimmed)) {
        absolute = path.join(dir, trimmed)
      }
      return item.replace(trimmed, absolute)
    })
    .join('')
}

/** An INI `[flake8]` section equivalent to a pyproject `[tool.flake8]` table. */
export function flake8IniFromToml(
  table: Record<string, unknown>,
  projectDir: string
): string {
  const lines = ['[flake8]']
  for (const [rawKey, rawValue] of Object.entries(table)) {
    const key = rawKey.replace(/_/g, '-')
    const value = absolutePaths(key, iniValue(rawValue), projectDir)
    lines.push(`${key} = ${value}`)
  }
  return lines.join('\n') + '\n'
}

/** Which of flake8's own files configures it, if any, and its text. */
function readNativeFlake8Config(
  dir: string
): { name: string; text: string } | undefined {
  for (const name of ['setup.cfg', 'tox.ini', '.flake8']) {
    try {
      const text = fs.readFileSync(path.join(dir, name), 'utf8')
      if (/^\[flake8(:local-plugins)?\]/m.test(text)) return { name, text }
    } catch {
      // not there
    }
  }
  return undefined
}

/** Which of flake8's own files configures it, if any. */
export function nativeFlake8Config(dir: string): string | undefined {
  return readNativeFlake8Config(dir)?.name
}

/** Whether an INI text's `[flake8]` section sets `jobs` (option names are case-insensitive, as configparser reads them). */
export function iniSetsJobs(text: string): boolean {
  const section = /^\[flake8\][^\S\n]*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(text)
  return (
    section !== null && /^[^\S\n]*jobs[^\S\n]*[=:]/im.test(section[1] ?? '')
  )
}

/**
 * flake8's `--jobs` when the project leaves it to us: every core but one,
 * since lint runs beside the tests (flake8's own default, every core, takes
 * CPU from the test process on a two-core runner).
 */
export function lintJobs(cores: number): number {
  return Math.max(1, cores - 1)
}

const FINDING = /^(.+?):(\d+):(\d+): ([A-Z]+\d+) (.*)$/

export function parseFlake8Output(output: string): LintFinding[] {
  const findings: LintFinding[] = []
  for (const line of output.split(/\r?\n/)) {
    const match = FINDING.exec(line)
    if (!match) continue
    findings.push({
      file: path.normalize(match[1]),
      line: Number(match[2]),
      column: Number(match[3]),
      code: match[4],
      message: match[5]
    })
  }
  return findings
}

export async function runFlake8(options: {
  python: string
  projectDir: string
  workDir: string
  pyprojectFlake8?: Record<string, unknown>
  /** Directories never linted (the environment, when it is inside the project). */
  exclude?: readonly string[]
  /** The machine's cores (default: what Node sees), for `--jobs`. */
  cores?: number
}): Promise<LintResult> {
  const args = ['-m', 'flake8']
  for (const dir of options.exclude ?? []) args.push('--extend-exclude', dir)
  const nativeFile = readNativeFlake8Config(options.projectDir)
  const native = nativeFile?.name
  let config = native ?? 'flake8 defaults'
  const jobsSet = nativeFile
    ? iniSetsJobs(nativeFile.text)
    : Object.keys(options.pyprojectFlake8 ?? {}).includes('jobs')
  if (!jobsSet)
    args.push(
      '--jobs',
      String(lintJobs(options.cores ?? os.availableParallelism()))
    )
  if (!native && options.pyprojectFlake8) {
    const file = path.join(options.workDir, 'flake8-from-pyproject.ini')
    fs.writeFileSync(
      file,
      flake8IniFromToml(options.pyprojectFlake8, options.projectDir)
    )
    args.push('--config', file)
    config = 'pyproject.toml [tool.flake8]'
  }
  args.push('--format', '%(path)s:%(row)d:%(col)d: %(code)s %(text)s', '.')
  const result = await exec(options.python, args, {
    cwd: options.projectDir,
    silent: true
  })
  const output = result.stdout + result.stderr
  const findings = parseFlake8Output(result.stdout)
  const crashed =
    result.exitCode !== 0 && findings.length === 0
      ? `flake8 exited with code ${result.exitCode}: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`
      : undefined
  return { config, findings, crashed, output }
}
