/**
 * The smoke test: run the built image on this machine and wait until it
 * answers, before anything is pushed. The container gets the smoke
 * environment by name only (`-e NAME`, values in the engine's own
 * environment, so `ps` never shows them) and a free port; it is always
 * removed, and on failure its exit code and last log lines are shown.
 */
import { randomBytes } from 'node:crypto'
import * as net from 'node:net'
import * as core from '@actions/core'
import { formatDuration, onInterrupt, scrub } from '@shipyard/action-kit'
import type { SmokeTest } from './docker-publish-inputs.js'
import type { ContainerEngine, Exec } from './engine.js'
import type { ImageFacts } from './build.js'

const DEFAULT_PORT = 8000
const LOG_LINES = 40
const POLL_MS = 250
const STATE_EVERY_MS = 1000

export interface SmokeResult {
  /** Seconds from the container's start to the first good answer. */
  seconds: number
  url: string
  status: number
}

/** The image to run; its facts are awaited only when the settings need them. */
export interface SmokeImage {
  id: string
  facts: Promise<Pick<ImageFacts, 'ports' | 'healthcheck'>>
}

export class SmokeTestError extends Error {
  override name = 'SmokeTestError'
}

/** A TCP port on 127.0.0.1 that is free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** The path an HTTP HEALTHCHECK calls (`curl -f http://localhost:8000/health` → `/health`). */
export function healthcheckPath(test: string[]): string | undefined {
  const text = test.slice(1).join(' ')
  const match = /https?:\/\/[^\s/'"]+(\/[^\s'"]*)?/.exec(text)
  if (!match) return undefined
  return match[1] || '/'
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms))

async function probe(
  url: string
): Promise<{ status?: number; error?: string }> {
  try {
    const response = await fetch(url, {
      redirect: 'manual',
      signal: AbortSignal.timeout(3000)
    })
    await response.arrayBuffer()
    return { status: response.status }
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause
    return { error: cause?.code ?? (error as Error).message }
  }
}

interface ContainerState {
  status: string
  exitCode?: number
}

async function state(
  engine: ContainerEngine,
  run: Exec,
  name: string
): Promise<ContainerState> {
  const result = await run(
    engine.command,
    [
      'container',
      'inspect',
      '--format',
      '{{.State.Status}} {{.State.ExitCode}}',
      name
    ],
    { silent: true }
  )
  if (result.exitCode !== 0) return { status: 'gone' }
  const [status = 'unknown', code] = result.stdout.trim().split(' ')
  return { status, exitCode: code === undefined ? undefined : Number(code) }
}

async function lastLogs(
  engine: ContainerEngine,
  run: Exec,
  name: string
): Promise<string> {
  // The whole log, cut here: podman 4.3's `logs --tail` with the k8s-file
  // driver drops the first line of a short log.
  const result = await run(engine.command, ['logs', name], { silent: true })
  const text = `${result.stdout}${result.stderr}`
    .trimEnd()
    .split('\n')
    .slice(-LOG_LINES)
    .join('\n')
  return scrub(text) || '(the container wrote nothing)'
}

export async function smokeTest(
  engine: ContainerEngine,
  run: Exec,
  image: SmokeImage,
  settings: SmokeTest
): Promise<SmokeResult> {
  const env = { ...settings.env }
  // The image's own port and HEALTHCHECK, only when the settings leave
  // them open (else the container starts while they are still being read).
  const facts =
    !settings.path || (!engine.hostNetwork && settings.port === undefined)
      ? await image.facts
      : { ports: [], healthcheck: [] }
  const hostPort =
    settings.port !== undefined && engine.hostNetwork
      ? settings.port
      : await freePort()
  const containerPort = engine.hostNetwork
    ? hostPort
    : (settings.port ?? facts.ports[0] ?? DEFAULT_PORT)
  // On the host network the app must listen on the free port: PORT is the
  // usual convention (Render, Heroku, the example image); an explicit PORT
  // in smoke-env wins.
  if (engine.hostNetwork && env['PORT'] === undefined)
    env['PORT'] = String(hostPort)
  const port = engine.hostNetwork ? Number(env['PORT']) || hostPort : hostPort

  const fromHealthcheck = healthcheckPath(facts.healthcheck)
  let paths = settings.path
    ? [settings.path]
    : fromHealthcheck
      ? [fromHealthcheck]
      : ['/health', '/']

  const name = `shipyard-smoke-${randomBytes(6).toString('hex')}`
  const args = [
    'run',
    '--detach',
    '--name',
    name,
    ...engine.runFlags(hostPort, containerPort)
  ]
  for (const key of Object.keys(env)) args.push('--env', key)
  if (settings.envFile) args.push('--env-file', settings.envFile)
  args.push(image.id)

  const started = Date.now()
  // A cancelled job removes the container too.
  const forget = onInterrupt(() =>
    run(engine.command, ['rm', '--force', name], { silent: true })
  )
  try {
    const start = await run(engine.command, args, { env, silent: true })
    if (start.exitCode !== 0) {
      throw new SmokeTestError(
        `The smoke test could not start the image: ${scrub(start.stderr.trim())}. Nothing was pushed.`
      )
    }
    const deadline = started + settings.timeoutMs
    // The first look at the container's state waits a second too: an app
    // that answers within it costs no engine call at all.
    let checked = Date.now()
    let last = 'no answer yet'
    for (;;) {
      const url = `http://127.0.0.1:${port}${paths[0]}`
      const answer = await probe(url)
      if (answer.status !== undefined) {
        if (answer.status >= 200 && answer.status < 400) {
          const seconds = (Date.now() - started) / 1000
          core.info(
            `The image answered GET ${paths[0]} with ${answer.status} after ${seconds.toFixed(1)} s.`
          )
          return { seconds, url, status: answer.status }
        }
        if (answer.status === 404 && paths.length > 1) {
          core.info(`GET ${paths[0]} answered 404; trying ${paths[1]}.`)
          paths = paths.slice(1)
          continue
        }
        last = `GET ${paths[0]} answered ${answer.status}`
      } else {
        last = `GET ${paths[0]}: ${answer.error}`
      }
      // Asking the engine costs a process start, which competes with the
      // app's own start on a small runner: once a second is enough to
      // notice a container that stopped (and always at the deadline).
      const now = Date.now()
      if (now - checked >= STATE_EVERY_MS || now >= deadline) {
        checked = now
        const current = await state(engine, run, name)
        if (current.status !== 'running') {
          const logs = await lastLogs(engine, run, name)
          throw new SmokeTestError(
            `The smoke test failed: the container stopped (${current.status}, exit code ${current.exitCode ?? 'unknown'}) before answering; nothing was pushed. Its last log lines:\n${logs}`
          )
        }
      }
      if (Date.now() >= deadline) {
        const logs = await lastLogs(engine, run, name)
        throw new SmokeTestError(
          `The smoke test failed: no 2xx or 3xx answer on port ${port} within ${formatDuration(settings.timeoutMs)} (${last}); nothing was pushed. The container's last log lines:\n${logs}`
        )
      }
      await sleep(POLL_MS)
    }
  } finally {
    const removed = await run(
      engine.command,
      [
        'rm',
        '--force',
        ...(engine.kind === 'podman' ? ['--time', '2'] : []),
        name
      ],
      {
        silent: true
      }
    )
    forget()
    if (removed.exitCode !== 0 && !/no such container/i.test(removed.stderr)) {
      core.warning(
        `Could not remove the smoke-test container ${name}: ${scrub(removed.stderr.trim())}`
      )
    }
  }
}
