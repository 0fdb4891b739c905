/**
 * What the security tests share: the committed bundles run as the runner runs
 * them (a fresh node process, inputs as INPUT_* variables with hyphens kept,
 * the runner's GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE and
 * GITHUB_STEP_SUMMARY files, GITHUB_WORKSPACE and RUNNER_TEMP), and a scan
 * for secrets in every form a careless program could print them.
 */
import { randomBytes } from 'node:crypto'
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..'
)

export const ACTIONS = [
  'ci-test',
  'docker-publish',
  'render-deploy',
  'sentry-verify',
  'sphinx-docs'
] as const
export type ActionName = (typeof ACTIONS)[number]

export function bundlePath(action: ActionName): string {
  return path.join(ROOT, 'actions', action, 'dist', 'index.js')
}

export interface RunOptions {
  inputs?: Record<string, string>
  /** Added to the environment (PATH and HOME are given). */
  env?: Record<string, string>
  /** Default: a fresh empty directory. */
  workspace?: string
  timeoutMs?: number
  /** Do not run the action's post step (when its action.yml has one). */
  skipPost?: boolean
  /**
   * Shell code run before the bundle by `bash -c`, for values node cannot
   * put in an environment (bytes that are not UTF-8): `export INPUT_X=$'\xff'`.
   */
  shellPrelude?: string
}

export interface Run {
  action: ActionName
  code: number | null
  timedOut: boolean
  ms: number
  stdout: string
  stderr: string
  /** The raw GITHUB_OUTPUT, GITHUB_ENV and GITHUB_STATE files. */
  outputFile: string
  envFile: string
  stateFile: string
  summary: string
  outputs: Record<string, string>
  /** Every file left under the workspace and RUNNER_TEMP (read as latin1). */
  files: Array<{ path: string; text: string }>
  /** Files left in RUNNER_TEMP and the private TMPDIR (relative paths). */
  tempEntries: string[]
  /** The messages of `::error::` lines. */
  errors: string[]
}

/** The runner's `name<<delimiter` blocks (and plain `name=value` lines). */
export function parseFileCommands(text: string): Record<string, string> {
  const result: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    const block = /^([^<=]+)<<(.+)$/.exec(line)
    if (block?.[1] && block[2]) {
      const value: string[] = []
      for (i++; i < lines.length && lines[i] !== block[2]; i++)
        value.push(lines[i] ?? '')
      result[block[1]] = value.join('\n')
      continue
    }
    const eq = line.indexOf('=')
    if (eq > 0) result[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return result
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return []
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() || d.isSymbolicLink())
    .map((d) => path.join(d.parentPath, d.name))
}

/** Virtual environments built from package indexes: third-party files only. */
const THIRD_PARTY = /[\\/](site-packages|\.venv|venv-[^\\/]*|node_modules)[\\/]/

function readAll(dir: string): Array<{ path: string; text: string }> {
  return listFiles(dir)
    .filter((file) => {
      if (THIRD_PARTY.test(file)) return false
      try {
        return fs.statSync(file).isFile()
      } catch {
        return false
      }
    })
    .map((file) => ({ path: file, text: fs.readFileSync(file, 'latin1') }))
}

/** A fresh directory under the system's temporary directory. */
export function scratchDir(prefix: string): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)))
}

async function spawnBundle(
  action: ActionName,
  env: Record<string, string>,
  workspace: string,
  options: RunOptions
): Promise<{
  code: number | null
  stdout: string
  stderr: string
  timedOut: boolean
}> {
  const child = options.shellPrelude
    ? spawn(
        'bash',
        [
          '-c',
          `${options.shellPrelude}\nexec "$0" "$1"`,
          process.execPath,
          bundlePath(action)
        ],
        { cwd: workspace, env }
      )
    : spawn(process.execPath, [bundlePath(action)], { cwd: workspace, env })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    child.kill('SIGKILL')
  }, options.timeoutMs ?? 60_000)
  const code = await new Promise<number | null>((resolve) =>
    child.on('close', (c) => resolve(c))
  )
  clearTimeout(timer)
  return { code, stdout, stderr, timedOut }
}

export async function runBundle(
  action: ActionName,
  options: RunOptions = {}
): Promise<Run> {
  const scratch = scratchDir(`sec-${action}-`)
  const workspace = options.workspace ?? path.join(scratch, 'workspace')
  const runnerTemp = path.join(scratch, 'runner-temp')
  const tmp = path.join(scratch, 'tmp')
  const files = path.join(scratch, 'files')
  for (const dir of [workspace, runnerTemp, tmp, files])
    fs.mkdirSync(dir, { recursive: true })
  const output = path.join(files, 'output')
  const envFile = path.join(files, 'env')
  const state = path.join(files, 'state')
  const summary = path.join(files, 'summary')
  for (const file of [output, envFile, state, summary])
    fs.writeFileSync(file, '')
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? scratch,
    TMPDIR: tmp,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: output,
    GITHUB_ENV: envFile,
    GITHUB_STATE: state,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_ACTION_PATH: path.join(ROOT, 'actions', action),
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
    ...options.env
  }
  for (const [key, value] of Object.entries(options.inputs ?? {}))
    env[`INPUT_${key.replace(/ /g, '_').toUpperCase()}`] = value
  const started = Date.now()
  const main = await spawnBundle(action, env, workspace, options)
  let { stdout, stderr } = main
  let timedOut = main.timedOut
  const code = main.code
  const post = /^\s+post:\s/m.test(
    fs.readFileSync(path.join(ROOT, 'actions', action, 'action.yml'), 'utf8')
  )
  if (post && !options.skipPost) {
    // The runner's post step: the same bundle, the saved state as STATE_*.
    const postEnv = { ...env }
    for (const [name, value] of Object.entries(
      parseFileCommands(fs.readFileSync(state, 'utf8'))
    ))
      postEnv[`STATE_${name}`] = value
    const after = await spawnBundle(action, postEnv, workspace, options)
    stdout += after.stdout
    stderr += after.stderr
    timedOut ||= after.timedOut
  }
  const ms = Date.now() - started
  const outputFile = fs.readFileSync(output, 'utf8')
  const run: Run = {
    action,
    code,
    timedOut,
    ms,
    stdout,
    stderr,
    outputFile,
    envFile: fs.readFileSync(envFile, 'utf8'),
    stateFile: fs.readFileSync(state, 'utf8'),
    summary: fs.readFileSync(summary, 'utf8'),
    outputs: parseFileCommands(outputFile),
    files: [...readAll(workspace), ...readAll(runnerTemp), ...readAll(tmp)],
    tempEntries: [...listFiles(runnerTemp), ...listFiles(tmp)].map((f) =>
      path.relative(scratch, f)
    ),
    errors: stdout
      .split('\n')
      .filter((l) => l.startsWith('::error'))
      .map((l) => l.replace(/^::error[^:]*::/, ''))
  }
  fs.rmSync(scratch, { recursive: true, force: true })
  return run
}

/**
 * Every form a secret may leak in: as it is, URL-encoded, base64 (standard
 * and URL-safe, also without padding) and, for values of 16 characters or
 * more, its halves as they would show when a line is wrapped in the middle.
 */
export function secretForms(secret: string): Array<[string, string]> {
  const forms: Array<[string, string]> = [['plain', secret]]
  const encoded = encodeURIComponent(secret)
  if (encoded !== secret) forms.push(['url-encoded', encoded])
  const b64 = Buffer.from(secret).toString('base64')
  forms.push(['base64', b64])
  forms.push(['base64 (unpadded)', b64.replace(/=+$/, '')])
  forms.push(['base64url', Buffer.from(secret).toString('base64url')])
  return forms
}

export interface Finding {
  scenario: string
  secret: string
  form: string
  where: string
}

/**
 * Looks for each secret in each place, in every form of `secretForms`, and
 * split across two lines (the first half ending one line, the second
 * starting the next, with any line prefix between).
 */
export function scan(
  scenario: string,
  secrets: Record<string, string>,
  places: Record<string, string>
): Finding[] {
  const findings: Finding[] = []
  for (const [name, secret] of Object.entries(secrets)) {
    for (const [where, text] of Object.entries(places)) {
      for (const [form, value] of secretForms(secret)) {
        if (value.length >= 4 && text.includes(value)) {
          findings.push({ scenario, secret: name, form, where })
        }
      }
      if (secret.length >= 16) {
        const lines = text.split(/\r?\n/)
        const cut = Math.floor(secret.length / 2)
        const head = secret.slice(0, cut)
        const tail = secret.slice(cut)
        for (let i = 0; i + 1 < lines.length; i++) {
          if (
            (lines[i] ?? '').endsWith(head) &&
            (lines[i + 1] ?? '').includes(tail)
          ) {
            findings.push({ scenario, secret: name, form: 'split', where })
            break
          }
        }
      }
    }
  }
  return findings
}

/** The runner's escaping of a command's value, undone. */
function unescapeCommand(value: string): string {
  return value.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}

/**
 * The log as the runner shows it: from each `::add-mask::` on, its value is
 * `***` in every later line (a value printed before it was masked shows).
 * What programs the action runs print (a test that prints a secret it was
 * given) reaches the log only this way.
 */
export function runnerView(stdout: string, stderr: string): string[] {
  const masks: string[] = []
  const shown: string[] = []
  const mask = (line: string): string => {
    let text = line
    for (const m of [...masks].sort((a, b) => b.length - a.length))
      text = text.split(m).join('***')
    return text
  }
  for (const line of stdout.split('\n')) {
    if (line.startsWith('::add-mask::')) {
      const value = unescapeCommand(line.slice('::add-mask::'.length))
      if (value) masks.push(value)
      continue
    }
    shown.push(mask(line))
  }
  return [shown.join('\n'), stderr.split('\n').map(mask).join('\n')]
}

/**
 * The places of a run a scan looks at: the log as the runner shows it, the
 * action's own workflow commands unmasked (its annotations, debug lines and
 * groups must hold no secret even before the runner masks them), the
 * runner's files and every file left behind.
 */
export function placesOf(run: Run): Record<string, string> {
  const [log, errors] = runnerView(run.stdout, run.stderr)
  const places: Record<string, string> = {
    'stdout (as the runner shows it)': log,
    'stderr (as the runner shows it)': errors,
    "the action's workflow commands (unmasked)": run.stdout
      .split('\n')
      .filter((l) => l.startsWith('::') && !l.startsWith('::add-mask::'))
      .join('\n'),
    GITHUB_OUTPUT: run.outputFile,
    GITHUB_ENV: run.envFile,
    GITHUB_STATE: run.stateFile,
    'job summary': run.summary
  }
  for (const file of run.files) places[`file ${file.path}`] = file.text
  return places
}

/** Random hex of `bytes` bytes: secrets no output could hold by chance. */
export const hex = (bytes: number): string => randomBytes(bytes).toString('hex')

/** One distinct random value per service credential the actions take. */
export function serviceSecrets() {
  return {
    renderApiKey: `rnd_${hex(16)}`,
    githubToken: `ghs_${hex(18)}`,
    sentryToken: `sntryu_${hex(32)}`,
    dsnPublicKey: hex(16),
    selfReportKey: hex(16),
    rtdToken: hex(20),
    dockerhubToken: `dckr_pat_${hex(14)}`
  }
}
