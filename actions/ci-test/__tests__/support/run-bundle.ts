/**
 * Runs ci-test's committed bundle as the runner does: a fresh node process,
 * inputs as INPUT_* variables (hyphens kept), GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files, GITHUB_WORKSPACE and RUNNER_TEMP. Every run
 * shares one environment cache (ci-test's own `cache-dir`), so that the
 * environments are built once and later runs take the warm path.
 */
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  '..'
)
export const bundle = path.join(
  repoRoot,
  'actions',
  'ci-test',
  'dist',
  'index.js'
)
/** Shared by every test run (and kept between runs: `.tmp/` is ignored). */
export const sharedCache = path.join(repoRoot, '.tmp', 'ci-test-cache')

export interface BundleRun {
  status: number | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  workspace: string
  runnerTemp: string
  /** Every `::error …::` line of stdout. */
  errors: string[]
}

/** A new, empty workspace directory. */
export function makeWorkspace(prefix = 'ci-test-ws-'): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)))
}

/** Copies example/ into `workspace/example`, without its local state. */
export function copyExample(workspace: string): string {
  const target = path.join(workspace, 'example')
  fs.cpSync(path.join(repoRoot, 'example'), target, {
    recursive: true,
    filter: (source) =>
      !/(^|[\\/])(\.reports|\.pytest_cache|__pycache__|db\.sqlite3|staticfiles|\.env)$/.test(
        source
      )
  })
  return target
}

export function writeFiles(
  dir: string,
  files: Record<string, string | Buffer>
): void {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, content)
  }
}

/** Replaces `from` (which must be there) by `to` in a file. */
export function edit(file: string, from: string, to: string): void {
  const text = fs.readFileSync(file, 'utf8')
  if (!text.includes(from)) throw new Error(`${file} has no ${from}`)
  fs.writeFileSync(file, text.replace(from, to))
}

/** A workflow command line with its escapes undone (`%3A` → `:`, …). */
export function decodeCommand(line: string): string {
  return line
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%25/g, '%')
}

export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const pattern = /^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm
  for (const match of text.matchAll(pattern)) outputs[match[1]] = match[3]
  return outputs
}

export async function runBundle(
  workspace: string,
  inputs: Record<string, string> = {},
  options: { cacheDir?: string; env?: Record<string, string> } = {}
): Promise<BundleRun> {
  const runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-test-runner-'))
  const output = path.join(runnerTemp, 'github-output')
  const summary = path.join(runnerTemp, 'step-summary')
  fs.writeFileSync(output, '')
  fs.writeFileSync(summary, '')
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? runnerTemp,
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
    RUNNER_TEMP: runnerTemp,
    ...options.env
  }
  // How this machine reaches the package index (certificates, proxies), as
  // a runner's environment would carry it.
  for (const [name, value] of Object.entries(process.env)) {
    if (
      value &&
      !(name in env) &&
      /^(PIP_|UV_|SSL_CERT_|REQUESTS_CA_BUNDLE$|CURL_CA_BUNDLE$|(HTTPS?|NO)_PROXY$)/i.test(
        name
      )
    ) {
      env[name] = value
    }
  }
  env['INPUT_CACHE-DIR'] = options.cacheDir ?? sharedCache
  for (const [key, value] of Object.entries(inputs)) {
    env[`INPUT_${key.toUpperCase()}`] = value
  }
  const child = spawn(process.execPath, [bundle], { cwd: workspace, env })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const status = await new Promise<number | null>((resolve) =>
    child.on('close', (code) => resolve(code))
  )
  return {
    status,
    stdout,
    stderr,
    outputs: parseOutputs(fs.readFileSync(output, 'utf8')),
    summary: fs.readFileSync(summary, 'utf8'),
    workspace,
    runnerTemp,
    errors: stdout
      .split('\n')
      .filter((line) => line.startsWith('::error'))
      .map(decodeCommand)
  }
}

/** Every file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
}

export function cleanUp(run: BundleRun): void {
  fs.rmSync(run.runnerTemp, { recursive: true, force: true })
  fs.rmSync(run.workspace, { recursive: true, force: true })
}
