/**
 * Issue #11, nothing half-done. Each case of the issue has a test here, or
 * is named here where another test already proves it:
 *
 * - a failing test means no image is pushed and nothing is deployed: the
 *   pipeline's job graph, below (and `chains test and docs → image →
 *   deploy → verify` in scripts/__tests__/workflows.test.ts);
 * - a smoke-test failure pushes nothing: `fails the step and pushes nothing
 *   when the image %s; the container is removed` in
 *   actions/docker-publish/__tests__/publish.test.ts (three ways to fail,
 *   registry tags checked empty);
 * - a registry failure mid-push leaves `latest` where it was: below (the
 *   committed bundle, podman, the real registry behind a fault proxy);
 * - a failed deploy is rolled back and its GitHub deployment marked
 *   failure: `rolls back a deploy that goes live but fails its health
 *   check, and waits for the rollback to be live` in
 *   actions/render-deploy/__tests__/deploy.test.ts (states
 *   in_progress → failure);
 * - an interrupted run (SIGTERM) removes its containers and temporary
 *   files: below, during docker-publish's smoke test and during
 *   render-deploy's wait, on the committed bundles.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { startFaultProxy, type FaultProxy } from './fault-proxy.js'

const harness =
  await import('../../actions/docker-publish/__tests__/harness.js')
const world =
  await import('../../actions/render-deploy/__tests__/fixtures/world.js')

const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..'
)

// ------------------------------------------------------- the job graph

interface GraphJob {
  needs?: string | string[]
  if?: string
}

const needsOf = (job: GraphJob | undefined): string[] =>
  job?.needs === undefined
    ? []
    : Array.isArray(job.needs)
      ? job.needs
      : [job.needs]

/** Every job `name` waits for, directly or not. */
function ancestors(jobs: Record<string, GraphJob>, name: string): Set<string> {
  const seen = new Set<string>()
  const visit = (job: string): void => {
    for (const need of needsOf(jobs[job])) {
      if (seen.has(need)) continue
      seen.add(need)
      visit(need)
    }
  }
  visit(name)
  return seen
}

/**
 * Whether `name` is skipped when `failed` fails. A job whose `if` holds no
 * status function runs only when every job it needs succeeded (GitHub adds
 * `success()`); with one, it must keep `!failure()` (true only when no
 * ancestor failed) and must not hold `always()`.
 */
export function skippedAfterFailure(
  jobs: Record<string, GraphJob>,
  name: string,
  failed: string
): boolean {
  if (!ancestors(jobs, name).has(failed)) return false
  const condition = jobs[name]?.if ?? ''
  if (/\balways\(\)/.test(condition)) return false
  if (!/\b(success|failure|cancelled)\(\)/.test(condition)) return true
  return /!\s*failure\(\)/.test(condition) || /^\s*success\(\)/.test(condition)
}

describe('a failing test pushes no image and deploys nothing', () => {
  const pipeline = parse(
    fs.readFileSync(
      path.join(root, '.github', 'workflows', 'pipeline.yml'),
      'utf8'
    )
  ) as { jobs: Record<string, GraphJob> }

  it('skips the image, deploy and verify jobs of pipeline.yml when test fails', () => {
    for (const job of ['image', 'deploy', 'verify'])
      expect([job, skippedAfterFailure(pipeline.jobs, job, 'test')]).toEqual([
        job,
        true
      ])
  })

  it('would catch a graph that lets them run (the check can fail)', () => {
    const broken = structuredClone(pipeline.jobs)
    broken['image'] = { ...broken['image'], needs: ['plan'] }
    expect(skippedAfterFailure(broken, 'image', 'test')).toBe(false)
    const always = structuredClone(pipeline.jobs)
    always['deploy'] = { ...always['deploy'], if: 'always()' }
    expect(skippedAfterFailure(always, 'deploy', 'test')).toBe(false)
    const notFailure = structuredClone(pipeline.jobs)
    notFailure['deploy'] = { ...notFailure['deploy'], if: '!cancelled()' }
    expect(skippedAfterFailure(notFailure, 'deploy', 'test')).toBe(false)
  })
})

// ------------------------------------------------ docker-publish, podman

const FIXTURE = 'actions/docker-publish/__tests__/fixtures/smoke-app'
const OTHER_SHA = 'fedcba9876543210fedcba9876543210fedcba98'

let env: Record<string, string>
let registry: Awaited<ReturnType<typeof harness.startRegistry>> | undefined
let proxy: FaultProxy | undefined

describe('docker-publish (bundle, podman, registry behind a fault proxy)', () => {
  beforeAll(async () => {
    env = harness.containerEnv()
    registry = await harness.startRegistry(env)
    proxy = await startFaultProxy(`http://${registry.host}`)
  }, 120_000)

  afterAll(async () => {
    await proxy?.stop()
    if (registry) {
      harness.removeImages(env, `${proxy?.host ?? registry.host}/`)
      harness.stopRegistry(registry)
    }
  })

  const inputs = (
    repository: string,
    extra: Record<string, string> = {}
  ): Record<string, string> => ({
    image: `${proxy?.host ?? ''}/${repository}`,
    username: registry?.username ?? '',
    password: registry?.password ?? '',
    context: FIXTURE,
    'build-args': `BASE_IMAGE=${harness.BASE_IMAGE}`,
    push: 'true',
    'smoke-test': 'false',
    ...extra
  })

  /**
   * The committed bundle as the runner runs it, main step then post step,
   * without blocking this process (the fault proxy lives in it).
   */
  async function publishStep(
    stepInputs: Record<string, string>,
    sha: string
  ): Promise<{
    code: number | null
    output: string
    outputs: string
    left: string[]
  }> {
    const runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), 'half-push-'))
    const files = runnerFiles(runnerTemp)
    const bundle = path.join(
      root,
      'actions',
      'docker-publish',
      'dist',
      'index.js'
    )
    try {
      const step = startStep(bundle, {
        ...env,
        ...files.env,
        GITHUB_SHA: sha,
        ...inputEnv(stepInputs)
      })
      const code = await step.exited
      await runPostStep(bundle, { ...env, ...files.env }, files.state)
      return {
        code,
        output: step.stdout(),
        outputs: fs.readFileSync(files.env['GITHUB_OUTPUT'] ?? '', 'utf8'),
        left: leftIn(runnerTemp)
      }
    } finally {
      fs.rmSync(runnerTemp, { recursive: true, force: true })
    }
  }

  it.each([
    ['the tag after the first one (main)', 'main', ['latest', 'main']],
    ['the first tag (sha-fedcba9)', 'sha-fedcba9', ['latest', 'main']]
  ])(
    'a failed manifest PUT of %s fails the step and leaves latest where it was',
    async (_what, failing, unchanged) => {
      const repository = `shipyard/half-${failing.replace(/\W/g, '')}`
      const r = registry!
      const p = proxy!
      const seed = await publishStep(inputs(repository), harness.SHA)
      expect([seed.code, seed.output]).toEqual([0, expect.any(String)])
      const before = Object.fromEntries(
        await Promise.all(
          unchanged.map(
            async (tag) =>
              [tag, await harness.servedDigest(r, repository, tag)] as const
          )
        )
      )
      p.add({
        kind: 'error-burst',
        status: 500,
        method: 'PUT',
        path: new RegExp(`/manifests/${failing}$`),
        count: -1
      })
      try {
        const run = await publishStep(inputs(repository), OTHER_SHA)
        expect(run.code).toBe(1)
        expect(run.output).toMatch(
          new RegExp(`::error::.*Pushing .*:${failing} failed`)
        )
        expect(run.outputs).toMatch(/^pushed<<.*\nfalse\n/m)
        expect(p.log.some((l) => l.fault && l.path.endsWith(failing))).toBe(
          true
        )
        expect(run.left).toEqual([])
      } finally {
        p.clear()
      }
      for (const tag of unchanged)
        expect([tag, await harness.servedDigest(r, repository, tag)]).toEqual([
          tag,
          before[tag]
        ])
      // No PUT of latest reached the registry in the failed run.
      const latestPuts = p.log.filter(
        (l) =>
          l.method === 'PUT' && l.path === `/v2/${repository}/manifests/latest`
      )
      expect(latestPuts).toHaveLength(1) // the seed's
    },
    300_000
  )

  it('removes the smoke-test container and its temporary files when SIGTERM comes during the smoke test', async () => {
    const runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), 'half-sigterm-'))
    const files = runnerFiles(runnerTemp)
    // Only this run's container: other suites' smoke tests share the storage.
    const marker = `SHIPYARD_TEST_RUN=${path.basename(runnerTemp)}`
    const child = startStep(
      path.join(root, 'actions', 'docker-publish', 'dist', 'index.js'),
      {
        ...env,
        ...files.env,
        ...inputEnv(
          inputs('shipyard/half-sigterm', {
            'smoke-test': 'true',
            'smoke-timeout': '120s',
            'smoke-env': marker,
            'build-args': `BASE_IMAGE=${harness.BASE_IMAGE}\nMODE=silent`
          })
        )
      }
    )
    try {
      // Wait for the smoke test's container, then interrupt.
      const container = await waitFor(
        () => harness.smokeContainers(env, marker)[0],
        240_000
      )
      const interrupted = Date.now()
      child.process.kill('SIGTERM')
      const code = await child.exited
      const seconds = (Date.now() - interrupted) / 1000
      expect(code).toBe(143)
      expect(seconds).toBeLessThan(15)
      expect(child.stdout()).toMatch(/::error::Interrupted \(SIGTERM\)/)
      expect(harness.smokeContainers(env)).not.toContain(container)
      // What is left is the login, which the post step (run by the runner
      // after a cancellation too) removes.
      await runPostStep(
        path.join(root, 'actions', 'docker-publish', 'dist', 'index.js'),
        { ...env, ...files.env },
        files.state
      )
      expect(leftIn(runnerTemp)).toEqual([])
    } finally {
      child.process.kill('SIGKILL')
      fs.rmSync(runnerTemp, { recursive: true, force: true })
    }
  }, 300_000)
})

// ----------------------------------------------------------- render-deploy

describe('render-deploy (bundle) interrupted while it waits', () => {
  it('exits 143 promptly and leaves nothing in RUNNER_TEMP', async () => {
    const w = await world.startWorld(
      { timings: { ...world.TIMINGS, healthTimeoutMs: 60_000 } },
      [['v1'], ['v2', 'hang']]
    )
    const runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), 'half-render-'))
    const files = runnerFiles(runnerTemp)
    try {
      await w.seed('v1')
      const child = startStep(
        path.join(root, 'actions', 'render-deploy', 'dist', 'index.js'),
        {
          PATH: process.env['PATH'] ?? '',
          ...w.githubEnv,
          ...files.env,
          ...inputEnv(
            w.inputs({
              'image-url': `${world.IMAGE}:v2`,
              timeout: '5m'
            })
          )
        }
      )
      try {
        await waitFor(
          () =>
            w.render.requests.some(
              (r) => r.method === 'GET' && /\/deploys\/dep-/.test(r.path)
            ) || undefined,
          60_000
        ).catch((error: Error) => {
          throw new Error(`${error.message}; the step said: ${child.stdout()}`)
        })
        const interrupted = Date.now()
        child.process.kill('SIGTERM')
        const code = await child.exited
        expect(code).toBe(143)
        expect((Date.now() - interrupted) / 1000).toBeLessThan(15)
        expect(child.stdout()).toMatch(/::error::Interrupted \(SIGTERM\)/)
        expect(leftIn(runnerTemp)).toEqual([])
      } finally {
        child.process.kill('SIGKILL')
      }
    } finally {
      await w.stop()
      fs.rmSync(runnerTemp, { recursive: true, force: true })
    }
  }, 120_000)
})

// ----------------------------------------------------------------- helpers

const RUNNER_FILES = ['output', 'summary', 'state', 'event.json']

function runnerFiles(dir: string): {
  env: Record<string, string>
  state: string
} {
  for (const name of RUNNER_FILES) fs.writeFileSync(path.join(dir, name), '')
  fs.writeFileSync(
    path.join(dir, 'event.json'),
    JSON.stringify({ repository: { name: 'shipyard', default_branch: 'main' } })
  )
  return {
    state: path.join(dir, 'state'),
    env: {
      RUNNER_TEMP: dir,
      GITHUB_WORKSPACE: root,
      GITHUB_OUTPUT: path.join(dir, 'output'),
      GITHUB_STEP_SUMMARY: path.join(dir, 'summary'),
      GITHUB_STATE: path.join(dir, 'state'),
      GITHUB_EVENT_PATH: path.join(dir, 'event.json'),
      GITHUB_EVENT_NAME: 'push',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_SHA: harness.SHA,
      GITHUB_REPOSITORY: 'acme/shipyard',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '4242'
    }
  }
}

const leftIn = (dir: string): string[] =>
  fs.readdirSync(dir).filter((name) => !RUNNER_FILES.includes(name))

function inputEnv(inputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(inputs).map(([key, value]) => [
      `INPUT_${key.toUpperCase()}`,
      value
    ])
  )
}

function startStep(
  bundle: string,
  stepEnv: Record<string, string>
): {
  process: ChildProcess
  exited: Promise<number | null>
  stdout: () => string
} {
  const child = spawn(process.execPath, [bundle], {
    cwd: root,
    env: stepEnv,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()))
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => resolve(code))
  )
  return { process: child, exited, stdout: () => out }
}

/** The post step, as the runner runs it: the main step's state as STATE_*. */
async function runPostStep(
  bundle: string,
  stepEnv: Record<string, string>,
  stateFile: string
): Promise<void> {
  const state: Record<string, string> = {}
  const lines = fs.readFileSync(stateFile, 'utf8').split('\n')
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '')
    if (!match) continue
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== match[2]; i++)
      value.push(lines[i] ?? '')
    state[`STATE_${match[1]}`] = value.join('\n')
  }
  const post = startStep(bundle, {
    ...stepEnv,
    ...state,
    GITHUB_STATE: `${stateFile}.post`
  })
  const code = await post.exited
  fs.rmSync(`${stateFile}.post`, { force: true })
  if (code !== 0) throw new Error(`post step exited ${code}: ${post.stdout()}`)
}

async function waitFor<T>(
  probe: () => T | undefined,
  timeoutMs: number
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline)
      throw new Error(`not seen within ${timeoutMs / 1000} s`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
