/**
 * What the end-to-end tests of docker-publish share: the container
 * environment of scripts/containers/env.sh (read once), a private
 * Distribution registry on a free port, a `podman` wrapper that records
 * every command line (what `ps` would show), and the committed bundle run
 * as the runner runs it, main step then post step.
 */
import { spawn, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..'
)
export const bundle = path.join(
  root,
  'actions',
  'docker-publish',
  'dist',
  'index.js'
)
export const BASE_IMAGE =
  process.env['SHIPYARD_BASE_IMAGE'] ??
  'localhost/shipyard/python-base:bookworm'
export const SHA = '0123456789abcdef0123456789abcdef01234567'

/** The variables of `. scripts/containers/env.sh`, minus the test runner's own. */
export function containerEnv(): Record<string, string> {
  const result = spawnSync(
    'bash',
    ['-c', '. scripts/containers/env.sh && env -0'],
    { cwd: root, encoding: 'utf8' }
  )
  if (result.status !== 0) throw new Error(`env.sh failed: ${result.stderr}`)
  const env: Record<string, string> = {}
  for (const entry of result.stdout.split('\0')) {
    const eq = entry.indexOf('=')
    if (eq <= 0) continue
    const key = entry.slice(0, eq)
    if (/^(INPUT_|GITHUB_|RUNNER_|ACTIONS_)/.test(key)) continue
    if (key === 'NODE_OPTIONS' || key.startsWith('JEST')) continue
    env[key] = entry.slice(eq + 1)
  }
  return env
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        resolve(typeof address === 'object' && address ? address.port : 0)
      )
    })
  })
}

export interface Registry {
  host: string
  username: string
  password: string
  runDir: string
  env: Record<string, string>
}

/** Starts scripts/containers/registry.sh in a private run dir on a free port. */
export async function startRegistry(
  env: Record<string, string>
): Promise<Registry> {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-registry-'))
  const registryEnv = {
    ...env,
    SHIPYARD_RUN_DIR: runDir,
    REGISTRY_PORT: String(await freePort())
  }
  const started = spawnSync(
    'bash',
    ['scripts/containers/registry.sh', 'start'],
    {
      cwd: root,
      env: registryEnv,
      encoding: 'utf8'
    }
  )
  if (started.status !== 0) {
    throw new Error(`registry.sh start failed: ${started.stderr}`)
  }
  const settings: Record<string, string> = {}
  for (const line of fs
    .readFileSync(path.join(runDir, 'registry.env'), 'utf8')
    .split('\n')) {
    const eq = line.indexOf('=')
    if (eq > 0) settings[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return {
    host: settings['REGISTRY'] ?? '',
    username: settings['REGISTRY_USERNAME'] ?? '',
    password: settings['REGISTRY_PASSWORD'] ?? '',
    runDir,
    env: registryEnv
  }
}

export function stopRegistry(registry: Registry): void {
  spawnSync('bash', ['scripts/containers/registry.sh', 'stop'], {
    cwd: root,
    env: registry.env
  })
  fs.rmSync(registry.runDir, { recursive: true, force: true })
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json'
].join(', ')

/** A GET on the registry's API with basic auth. */
export async function registryGet(
  registry: Registry,
  apiPath: string
): Promise<Response> {
  return fetch(`http://${registry.host}${apiPath}`, {
    headers: {
      accept: MANIFEST_TYPES,
      authorization: `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`
    }
  })
}

/** The tags the registry holds for `name` (none when the repository does not exist). */
export async function registryTags(
  registry: Registry,
  name: string
): Promise<string[]> {
  const response = await registryGet(registry, `/v2/${name}/tags/list`)
  if (response.status === 404) return []
  const body = (await response.json()) as { tags?: string[] | null }
  return (body.tags ?? []).sort()
}

/** The `Docker-Content-Digest` the registry serves for `name:reference`. */
export async function servedDigest(
  registry: Registry,
  name: string,
  reference: string
): Promise<string> {
  const response = await registryGet(
    registry,
    `/v2/${name}/manifests/${reference}`
  )
  if (response.status !== 200) {
    throw new Error(`GET manifest ${name}:${reference} → ${response.status}`)
  }
  return response.headers.get('docker-content-digest') ?? ''
}

/**
 * A directory with a `podman` that appends its command line (tab-separated)
 * to `log`, then runs the real podman: the tests read it as `ps` would.
 */
export function podmanRecorder(env: Record<string, string>): {
  bin: string
  log: string
} {
  const real = spawnSync('bash', ['-c', 'command -v podman'], {
    env,
    encoding: 'utf8'
  }).stdout.trim()
  if (!real) throw new Error('podman is not installed')
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-bin-'))
  const log = path.join(bin, 'argv.log')
  fs.writeFileSync(log, '')
  fs.writeFileSync(
    path.join(bin, 'podman'),
    [
      '#!/bin/bash',
      // One write per call, so calls made side by side never interleave.
      'line=podman',
      `for a in "$@"; do line+=$'\\t'"$a"; done`,
      `printf '%s\\n' "$line" >> '${log}'`,
      `exec '${real}' "$@"`,
      ''
    ].join('\n'),
    { mode: 0o755 }
  )
  return { bin, log }
}

export interface RunContextSpec {
  ref: string
  eventName?: string
  sha?: string
  defaultBranch?: string
  /** GITHUB_WORKSPACE (default: the repository). */
  workspace?: string
}

export interface BundleRun {
  /** The main step's exit status. */
  status: number | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  /** What the main step saved for the post step (`GITHUB_STATE`). */
  state: Record<string, string>
  /** Every podman command line of the main step, as arguments. */
  calls: string[][]
  /** The post step (`post-if: always()`): its output and podman command lines. */
  post: { stdout: string; stderr: string; calls: string[][] }
  /** Everything a person or another step could read, main and post. */
  everything: string
}

/** What a test may look at after the main step, and after the post step. */
export interface StepHooks {
  afterMain?: (step: {
    runnerTemp: string
    state: Record<string, string>
    stdout: string
  }) => void
  afterPost?: (step: { runnerTemp: string }) => void
}

/** Reads a runner file of `name<<delimiter` blocks (`GITHUB_OUTPUT`, `GITHUB_STATE`). */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '')
    if (!match) continue
    const [, name = '', delimiter] = match
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== delimiter; i++)
      value.push(lines[i] ?? '')
    outputs[name] = value.join('\n')
  }
  return outputs
}

interface StepResult {
  status: number | null
  stdout: string
  stderr: string
}

/** One step: the bundle in a fresh node, blocking (nothing else in this process runs meanwhile). */
function stepSync(env: Record<string, string>, timeout: number): StepResult {
  const result = spawnSync(process.execPath, [bundle], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** One step, letting this process serve meanwhile (a stand-in in the test's own process). */
function step(
  env: Record<string, string>,
  timeout: number
): Promise<StepResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    const timer = setTimeout(() => child.kill('SIGTERM'), timeout)
    child.once('error', reject)
    child.once('close', (status) => {
      clearTimeout(timer)
      resolve({ status, stdout, stderr })
    })
  })
}

interface RunPlan {
  dir: string
  files: { output: string; summary: string; event: string; state: string }
  runEnv: Record<string, string>
}

function plan(
  env: Record<string, string>,
  recorder: { bin: string; log: string },
  inputs: Record<string, string>,
  context: RunContextSpec
): RunPlan {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-run-'))
  const files = {
    output: path.join(dir, 'output'),
    summary: path.join(dir, 'summary'),
    event: path.join(dir, 'event.json'),
    state: path.join(dir, 'state')
  }
  fs.writeFileSync(files.output, '')
  fs.writeFileSync(files.summary, '')
  fs.writeFileSync(files.state, '')
  fs.writeFileSync(
    files.event,
    JSON.stringify({
      repository: {
        name: 'shipyard',
        description: 'Example Django app, shipped by shipyard',
        html_url: 'https://github.com/acme/shipyard',
        license: { spdx_id: 'MIT' },
        ...(context.defaultBranch === undefined
          ? {}
          : { default_branch: context.defaultBranch })
      }
    })
  )
  fs.writeFileSync(recorder.log, '')
  const runEnv: Record<string, string> = {
    ...env,
    PATH: `${recorder.bin}:${env['PATH'] ?? ''}`,
    GITHUB_WORKSPACE: context.workspace ?? root,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_STATE: files.state,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_EVENT_NAME: context.eventName ?? 'push',
    GITHUB_REF: context.ref,
    GITHUB_SHA: context.sha ?? SHA,
    GITHUB_REPOSITORY: 'acme/shipyard',
    GITHUB_SERVER_URL: 'https://github.com',
    RUNNER_TEMP: dir
  }
  for (const [key, value] of Object.entries(inputs))
    runEnv[`INPUT_${key.toUpperCase()}`] = value
  return { dir, files, runEnv }
}

interface AfterMain {
  outputText: string
  summary: string
  argv: string
  stateText: string
  state: Record<string, string>
  postEnv: Record<string, string>
  failures: unknown[]
}

/** Reads what the main step left, runs the hook, and prepares the post step. */
function afterMain(
  { dir, files, runEnv }: RunPlan,
  recorder: { log: string },
  result: StepResult,
  hooks: StepHooks
): AfterMain {
  const outputText = fs.readFileSync(files.output, 'utf8')
  const summary = fs.readFileSync(files.summary, 'utf8')
  const argv = fs.readFileSync(recorder.log, 'utf8')
  const stateText = fs.readFileSync(files.state, 'utf8')
  const state = parseOutputs(stateText)
  // A hook's failed expectation is thrown once everything is cleaned up.
  const failures: unknown[] = []
  try {
    hooks.afterMain?.({ runnerTemp: dir, state, stdout: result.stdout })
  } catch (error) {
    failures.push(error)
  }
  // The post step: the runner gives it the saved state and a fresh
  // GITHUB_STATE; its output goes to the log like the main step's.
  fs.writeFileSync(recorder.log, '')
  const postEnv: Record<string, string> = {
    ...runEnv,
    GITHUB_STATE: path.join(dir, 'post-state')
  }
  for (const [name, value] of Object.entries(state))
    postEnv[`STATE_${name}`] = value
  return { outputText, summary, argv, stateText, state, postEnv, failures }
}

function finish(
  { dir, files }: RunPlan,
  recorder: { log: string },
  result: StepResult,
  main: AfterMain,
  post: StepResult,
  hooks: StepHooks
): BundleRun {
  const postArgv = fs.readFileSync(recorder.log, 'utf8')
  fs.rmSync(main.postEnv['GITHUB_STATE'] ?? '', { force: true })
  try {
    hooks.afterPost?.({ runnerTemp: dir })
  } catch (error) {
    main.failures.push(error)
  }
  // Only the runner's own files may be left in RUNNER_TEMP.
  const runnerFiles = Object.values(files).map((file) => path.basename(file))
  const left = fs.readdirSync(dir).filter((name) => !runnerFiles.includes(name))
  const finalOutput = fs.readFileSync(files.output, 'utf8')
  fs.rmSync(dir, { recursive: true, force: true })
  if (main.failures.length > 0) throw main.failures[0]
  if (post.status !== 0) {
    throw new Error(
      `the post step exited ${post.status}: ${post.stdout}${post.stderr}`
    )
  }
  if (finalOutput !== main.outputText)
    throw new Error('the post step changed the outputs')
  if (left.length > 0)
    throw new Error(`left in RUNNER_TEMP: ${left.join(', ')}`)
  const calls = (text: string): string[][] =>
    text
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\t').slice(1))
  // The runner's mask commands are the one place a secret may appear.
  const unmasked = (text: string): string =>
    text
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n')
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    outputs: parseOutputs(main.outputText),
    summary: main.summary,
    state: main.state,
    calls: calls(main.argv),
    post: { stdout: post.stdout, stderr: post.stderr, calls: calls(postArgv) },
    everything: [
      unmasked(result.stdout),
      result.stderr,
      main.outputText,
      main.summary,
      main.argv,
      main.stateText,
      unmasked(post.stdout),
      post.stderr,
      postArgv
    ].join('\n')
  }
}

/**
 * Runs the committed bundle as the runner does: a fresh node, INPUT_*
 * variables, the runner's files; then, as `post-if: always()` asks, the same
 * bundle again as the post step, with the main step's saved state as
 * `STATE_*` variables. `hooks` look at RUNNER_TEMP after each step.
 */
export function runBundle(
  env: Record<string, string>,
  recorder: { bin: string; log: string },
  inputs: Record<string, string>,
  context: RunContextSpec,
  hooks: StepHooks = {}
): BundleRun {
  const run = plan(env, recorder, inputs, context)
  const result = stepSync(run.runEnv, 240_000)
  const main = afterMain(run, recorder, result, hooks)
  const post = stepSync(main.postEnv, 60_000)
  return finish(run, recorder, result, main, post, hooks)
}

/** `runBundle`, with this process free to serve a stand-in meanwhile. */
export async function runBundleAsync(
  env: Record<string, string>,
  recorder: { bin: string; log: string },
  inputs: Record<string, string>,
  context: RunContextSpec,
  hooks: StepHooks = {}
): Promise<BundleRun> {
  const run = plan(env, recorder, inputs, context)
  const result = await step(run.runEnv, 240_000)
  const main = afterMain(run, recorder, result, hooks)
  const post = await step(main.postEnv, 60_000)
  return finish(run, recorder, result, main, post, hooks)
}

/** Names of smoke-test containers still present. */
/**
 * The smoke-test containers the engine has; with `marker` (`KEY=value`),
 * only those whose environment holds it. Other suites' runs share this
 * storage and may have a container of their own at the same moment, of the
 * same image even: a test that looks for its run's container gives the run
 * a unique variable through `smoke-env` and passes it here.
 */
export function smokeContainers(
  env: Record<string, string>,
  marker?: string
): string[] {
  const result = spawnSync(
    'podman',
    ['ps', '--all', '--format', '{{.Names}}'],
    { env, encoding: 'utf8' }
  )
  const names = result.stdout
    .split('\n')
    .filter((name) => name.startsWith('shipyard-smoke-'))
  if (marker === undefined) return names
  return names.filter((name) => {
    const inspected = spawnSync(
      'podman',
      [
        'inspect',
        '--format',
        '{{range .Config.Env}}{{println .}}{{end}}',
        name
      ],
      { env, encoding: 'utf8' }
    )
    // A container removed between the two calls is not this run's.
    return (
      inspected.status === 0 && inspected.stdout.split('\n').includes(marker)
    )
  })
}

/** The name a run gave its smoke-test container (`run --name …`). */
export function smokeContainerOf(calls: string[][]): string | undefined {
  const args = calls.find((call) => call[0] === 'run') ?? []
  const at = args.indexOf('--name')
  return at < 0 ? undefined : args[at + 1]
}

/** This host's pip settings, passed to the build as build-image.sh does. */
export function pipBuildInputs(): {
  buildArgs: string[]
  secretFiles: string[]
} {
  const config = spawnSync('pip3', ['config', 'list'], { encoding: 'utf8' })
  const setting = (key: string): string => {
    const variable = `PIP_${key.toUpperCase().replace(/-/g, '_')}`
    if (process.env[variable]) return process.env[variable] ?? ''
    const match = new RegExp(`^[^.]*\\.${key}='(.*)'$`, 'm').exec(
      config.stdout ?? ''
    )
    return match?.[1] ?? ''
  }
  const buildArgs: string[] = []
  const secretFiles: string[] = []
  const index = setting('index-url')
  const trusted = setting('trusted-host')
  const cert = setting('cert')
  if (index) buildArgs.push(`PIP_INDEX_URL=${index}`)
  if (trusted) buildArgs.push(`PIP_TRUSTED_HOST=${trusted}`)
  if (cert && fs.existsSync(cert)) secretFiles.push(`pip_cert=${cert}`)
  return { buildArgs, secretFiles }
}

/** Removes local images of `repository` on `registry` (tests leave no images behind). */
export function removeImages(
  env: Record<string, string>,
  prefix: string
): void {
  const list = spawnSync(
    'podman',
    ['images', '--format', '{{.Repository}}:{{.Tag}}'],
    { env, encoding: 'utf8' }
  )
  const refs = list.stdout.split('\n').filter((ref) => ref.startsWith(prefix))
  if (refs.length > 0) spawnSync('podman', ['rmi', '--force', ...refs], { env })
}
