/**
 * Django's production checks: `manage.py check --deploy` with DEBUG off and
 * a production-like environment, failing on any warning; and
 * `makemigrations --check --dry-run`, failing on a model change without its
 * migration. Each finding is located in the project's files (the setting in
 * the settings file, the model in the app's models.py) for its annotation.
 */
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { exec, maskSecret } from '@shipyard/action-kit'

export interface CheckFinding {
  id: string
  /** The object Django names (`?:` for the project as a whole). */
  object: string
  message: string
  hint?: string
  /** Relative to the project directory. */
  file?: string
  line?: number
}

export interface DeployCheckResult {
  findings: CheckFinding[]
  /** The check could not run (settings do not import, …). */
  problem?: string
  output: string
}

export interface MissingMigration {
  app: string
  /** The migration Django would write, relative to the project directory. */
  migration: string
  operations: string[]
  file?: string
  line?: number
}

export interface MigrationsCheckResult {
  missing: MissingMigration[]
  problem?: string
  output: string
}

/** The first line of `source` that assigns `name` (1-based). */
export function lineAssigning(
  source: string,
  name: string
): number | undefined {
  const pattern = new RegExp(`^\\s*${name}\\s*(:[^=]*)?=`)
  const index = source.split('\n').findIndex((l) => pattern.test(l))
  return index === -1 ? undefined : index + 1
}

/** `?: (security.W004) message` lines (and their `HINT:` lines) from Django's check output. */
export function parseCheckOutput(output: string): CheckFinding[] {
  const findings: CheckFinding[] = []
  for (const line of output.split(/\r?\n/)) {
    const match = /^(\S.*?): \(([\w.]+\.[A-Z]\d+)\) (.*)$/.exec(line)
    if (match) {
      findings.push({ object: match[1], id: match[2], message: match[3] })
      continue
    }
    const hint = /^\s+HINT: (.*)$/.exec(line)
    if (hint && findings.length > 0)
      findings[findings.length - 1].hint = hint[1]
  }
  return findings
}

/**
 * The environment `check --deploy` runs in: the user's `env`, then DEBUG off
 * and the usual switches of settings that pick a production mode, and a
 * strong random SECRET_KEY (masked), since a test key would fail the check.
 */
export function productionEnvironment(
  env: Record<string, string>
): Record<string, string> {
  const secret = randomBytes(48).toString('base64url')
  maskSecret(secret)
  return {
    ...env,
    DEBUG: 'False',
    DJANGO_DEBUG: 'False',
    DJANGO_ENV: 'production',
    DJANGO_ENVIRONMENT: 'production',
    ENVIRONMENT: 'production',
    SECRET_KEY: secret,
    DJANGO_SECRET_KEY: secret
  }
}

const lastLine = (text: string): string =>
  text.trim().split('\n').pop()?.trim() ?? ''

export async function runDeployCheck(options: {
  python: string
  projectDir: string
  env: Record<string, string>
  settingsFile?: string
}): Promise<DeployCheckResult> {
  const result = await exec(
    options.python,
    ['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'],
    {
      cwd: options.projectDir,
      env: productionEnvironment(options.env),
      silent: true
    }
  )
  const output = result.stdout + result.stderr
  const findings = parseCheckOutput(output)
  const settingsSource = options.settingsFile
    ? fs.readFileSync(options.settingsFile, 'utf8')
    : undefined
  for (const finding of findings) {
    if (!options.settingsFile || !settingsSource) continue
    finding.file = path.relative(options.projectDir, options.settingsFile)
    const setting = /\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|DEBUG)\b/.exec(
      finding.message
    )?.[1]
    finding.line =
      (setting ? lineAssigning(settingsSource, setting) : undefined) ?? 1
  }
  const problem =
    result.exitCode !== 0 && findings.length === 0
      ? `manage.py check --deploy could not run (exit code ${result.exitCode}): ${lastLine(result.stderr || result.stdout)}`
      : undefined
  return { findings, problem, output }
}

/** Missing migrations from `makemigrations --check --dry-run` output. */
export function parseMakemigrations(output: string): MissingMigration[] {
  const missing: MissingMigration[] = []
  let current: MissingMigration | undefined
  for (const line of output.split(/\r?\n/)) {
    const app = /^Migrations for '([\w.]+)':/.exec(line)
    if (app) {
      current = { app: app[1], migration: '', operations: [] }
      missing.push(current)
      continue
    }
    if (!current) continue
    const migration = /^\s+(\S+\.py)\s*$/.exec(line)
    if (migration && !current.migration) {
      current.migration = migration[1]
      continue
    }
    const operation = /^\s+[-+~]\s+(.*)$/.exec(line)
    if (operation) current.operations.push(operation[1].trim())
  }
  return missing
}

/** The model an operation like `Add field sku to product` or `Create model Tag` concerns. */
function modelOf(operation: string): string | undefined {
  return (
    / (?:to|on|from) (\w+)$/.exec(operation)?.[1] ??
    /^(?:Create|Delete|Rename) model (\w+)/i.exec(operation)?.[1] ??
    /(?:model|for) (\w+)/.exec(operation)?.[1]
  )
}

function locate(projectDir: string, missing: MissingMigration): void {
  const migrationDir = missing.migration
    ? path.dirname(path.dirname(missing.migration))
    : missing.app
  const models = path.join(projectDir, migrationDir, 'models.py')
  if (!fs.existsSync(models)) return
  missing.file = path.relative(projectDir, models)
  const source = fs.readFileSync(models, 'utf8').split('\n')
  const model = missing.operations.map(modelOf).find(Boolean)
  const index = model
    ? source.findIndex((l) =>
        new RegExp(`^class ${model}\\b`, 'i').test(l.trim())
      )
    : -1
  missing.line = index === -1 ? 1 : index + 1
}

export async function runMigrationsCheck(options: {
  python: string
  projectDir: string
  env: Record<string, string>
}): Promise<MigrationsCheckResult> {
  const result = await exec(
    options.python,
    ['manage.py', 'makemigrations', '--check', '--dry-run', '--noinput'],
    { cwd: options.projectDir, env: options.env, silent: true }
  )
  const output = result.stdout + result.stderr
  const missing = parseMakemigrations(result.stdout)
  for (const m of missing) locate(options.projectDir, m)
  const problem =
    result.exitCode !== 0 && missing.length === 0
      ? `manage.py makemigrations --check could not run (exit code ${result.exitCode}): ${lastLine(result.stderr || result.stdout)}`
      : undefined
  return { missing, problem, output }
}
