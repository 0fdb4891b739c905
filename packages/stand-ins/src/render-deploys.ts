/**
 * The Render stand-in's deploys: each service runs its deploys one at a
 * time, in order, through Render's statuses. Image deploys are real: the
 * image is pulled with the registry's credentials and started on a free port
 * of the host network; the deploy goes `live` once the health-check path
 * answers 2xx/3xx, or `update_failed` when the container exits or never
 * answers (its output is kept). The previous live deploy becomes
 * `deactivated` and its container is stopped once the new one is live.
 * Git deploys are simulated (no build happens).
 */
import { createServer, type AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  Podman,
  type ContainerRuntime,
  type ContainerState,
  type RegistryAuth
} from './podman.js'
import {
  renderId,
  TERMINAL_STATUSES,
  type Commit,
  type Deploy,
  type DeployStatus,
  type DeployTrigger,
  type Service
} from './render-model.js'
import type { ServiceProxy } from './render-proxy.js'

export interface RenderTimings {
  /** created → queued. */
  createdMs: number
  /** Time spent queued before work starts. */
  queuedMs: number
  /** build_in_progress of a (simulated) git deploy. */
  buildMs: number
  /** update_in_progress of a (simulated) git deploy. */
  updateMs: number
  /** Between two health probes of a starting container. */
  healthIntervalMs: number
  /** A container that has not answered its health check by then fails. */
  healthTimeoutMs: number
  /** One health probe's timeout. */
  healthRequestTimeoutMs: number
}

export const DEFAULT_TIMINGS: RenderTimings = {
  createdMs: 300,
  queuedMs: 700,
  buildMs: 1500,
  updateMs: 1000,
  healthIntervalMs: 500,
  healthTimeoutMs: 90_000,
  healthRequestTimeoutMs: 2000
}

export type ForcedFailure = 'build_failed' | 'update_failed'

export interface ContainerInfo {
  id: string
  name: string
  serviceId: string
  deployId: string
  image: string
  port: number
  url: string
  startedAt: string
  /** starting → running (its deploy is live) → stopped; or failed. */
  state: 'starting' | 'running' | 'stopped' | 'failed'
}

export interface ServiceState {
  service: Service
  kind: 'image' | 'git'
  hookKey: string
  /** Newest first. */
  deploys: DeployRecord[]
  pending: DeployRecord[]
  busy: boolean
  live?: DeployRecord
  head: Commit
  env: Record<string, string>
  proxy: ServiceProxy
}

export interface DeployRecord {
  deploy: Deploy
  svc: ServiceState
  /** What to pull (image deploys). */
  pullRef?: string
  queueAt: number
  abort: AbortController
  container?: ContainerInfo
  wentLive: boolean
  /** Why it failed, and the container's output when there was one. */
  reason?: string
  logs?: string
}

export interface FailSpec {
  status: ForcedFailure
  serviceId?: string
}

export function now(): string {
  return new Date().toISOString()
}

function isAbort(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'AbortError'
}

/** A free TCP port on 127.0.0.1 (closed again before it is handed out). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** `registry/name:tag@digest` → `registry/name@<digest>`. */
export function withDigest(ref: string, digest: string): string {
  const name = ref.split('@')[0] ?? ref
  const slash = name.lastIndexOf('/')
  const colon = name.lastIndexOf(':')
  return `${colon > slash ? name.slice(0, colon) : name}@${digest}`
}

export interface DeployEngineOptions {
  runtime: ContainerRuntime
  registry?: RegistryAuth
  timings: RenderTimings
  /** Variables of every container, under the service's own ones. */
  containerEnv: Record<string, string>
  /** The `shipyard.render.instance` label of its containers. */
  instance: string
}

export class DeployEngine {
  readonly containers: ContainerInfo[] = []
  private readonly runtime: ContainerRuntime
  private readonly registry?: RegistryAuth
  private readonly timings: RenderTimings
  private readonly containerEnv: Record<string, string>
  private readonly instance: string
  private failQueue: FailSpec[] = []
  private readonly inflight = new Set<Promise<void>>()
  private stopping = false

  constructor(options: DeployEngineOptions) {
    this.runtime = options.runtime
    this.registry = options.registry
    this.timings = options.timings
    this.containerEnv = options.containerEnv
    this.instance = options.instance
  }

  /** The next deploy (of `serviceId`, or any) ends with `status`. */
  failNext(status: ForcedFailure, serviceId?: string): void {
    this.failQueue.push({ status, serviceId })
  }

  /** The forced failures still to come. */
  get pendingFailures(): FailSpec[] {
    return [...this.failQueue]
  }

  /** Cancels a deploy that has not finished: it never goes live. */
  cancel(rec: DeployRecord): void {
    rec.svc.pending = rec.svc.pending.filter((r) => r !== rec)
    this.finish(rec, 'canceled', 'canceled through the API')
    rec.abort.abort()
  }

  /** A new deploy of `svc`, queued behind the ones before it. */
  create(
    svc: ServiceState,
    trigger: DeployTrigger,
    options: {
      imageRef?: string
      commit?: Commit
      pullRef?: string
      sha?: string
    },
    queued = false
  ): DeployRecord {
    const created = now()
    const deploy: Deploy = {
      id: renderId('dep'),
      commit: svc.kind === 'git' ? (options.commit ?? { ...svc.head }) : null,
      status: queued ? 'queued' : 'created',
      trigger,
      createdAt: created,
      updatedAt: created
    }
    if (svc.kind === 'image') {
      const ref = options.imageRef ?? svc.service.imagePath ?? ''
      const digest = ref.includes('@')
        ? ref.slice(ref.indexOf('@') + 1)
        : undefined
      deploy.image = {
        ref,
        ...((options.sha ?? digest) ? { sha: options.sha ?? digest } : {})
      }
      // Deploying another tag or digest changes the service's image.
      if (trigger !== 'rollback') svc.service.imagePath = ref
    }
    const rec: DeployRecord = {
      deploy,
      svc,
      pullRef: options.pullRef ?? deploy.image?.ref,
      queueAt: Date.now() + (queued ? 0 : this.timings.createdMs),
      abort: new AbortController(),
      wentLive: false
    }
    svc.deploys.unshift(rec)
    svc.pending.push(rec)
    if (!queued) {
      // A deploy waiting behind another one is queued meanwhile.
      void sleep(this.timings.createdMs, undefined, {
        signal: rec.abort.signal
      }).then(
        () => {
          if (rec.deploy.status === 'created') this.setStatus(rec, 'queued')
        },
        () => undefined
      )
    }
    this.pump(svc)
    return rec
  }

  private setStatus(rec: DeployRecord, status: DeployStatus): void {
    if (TERMINAL_STATUSES.has(rec.deploy.status) && status !== 'deactivated')
      return
    rec.deploy.status = status
    rec.deploy.updatedAt = now()
  }

  /** Ends a deploy (once): failure reasons and logs are kept for the control endpoint. */
  finish(
    rec: DeployRecord,
    status: DeployStatus,
    reason?: string,
    logs?: string
  ): void {
    if (TERMINAL_STATUSES.has(rec.deploy.status)) return
    this.setStatus(rec, status)
    rec.deploy.finishedAt = rec.deploy.updatedAt
    if (reason) rec.reason = reason
    if (logs !== undefined) rec.logs = logs
  }

  private pump(svc: ServiceState): void {
    if (svc.busy || this.stopping) return
    const rec = svc.pending.shift()
    if (!rec) return
    svc.busy = true
    const run = this.execute(rec)
      .catch((error: unknown) => {
        if (!isAbort(error))
          this.finish(
            rec,
            'update_failed',
            `stand-in failure: ${String(error)}`
          )
      })
      .finally(() => {
        this.inflight.delete(run)
        svc.busy = false
        this.pump(svc)
      })
    this.inflight.add(run)
  }

  private takeFailure(svc: ServiceState): ForcedFailure | undefined {
    const index = this.failQueue.findIndex(
      (f) => !f.serviceId || f.serviceId === svc.service.id
    )
    if (index < 0) return undefined
    return this.failQueue.splice(index, 1)[0]?.status
  }

  private async execute(rec: DeployRecord): Promise<void> {
    const signal = rec.abort.signal
    if (signal.aborted || TERMINAL_STATUSES.has(rec.deploy.status)) return
    if (rec.deploy.status === 'created') {
      await sleep(Math.max(0, rec.queueAt - Date.now()), undefined, { signal })
      this.setStatus(rec, 'queued')
    }
    await sleep(this.timings.queuedMs, undefined, { signal })
    rec.deploy.startedAt = now()
    const failure = this.takeFailure(rec.svc)
    if (rec.svc.kind === 'git') {
      this.setStatus(rec, 'build_in_progress')
      await sleep(this.timings.buildMs, undefined, { signal })
      if (failure === 'build_failed')
        return this.finish(rec, 'build_failed', 'the build failed (forced)')
      this.setStatus(rec, 'update_in_progress')
      await sleep(this.timings.updateMs, undefined, { signal })
      if (failure === 'update_failed')
        return this.finish(rec, 'update_failed', 'the update failed (forced)')
      return this.goLive(rec)
    }
    if (failure === 'build_failed')
      return this.finish(rec, 'build_failed', 'the build failed (forced)')
    this.setStatus(rec, 'update_in_progress')
    await this.deployImage(rec, failure)
  }

  private async deployImage(
    rec: DeployRecord,
    failure: ForcedFailure | undefined
  ): Promise<void> {
    const signal = rec.abort.signal
    const svc = rec.svc
    const ref = rec.pullRef ?? ''
    let image: { id: string; digest: string }
    try {
      image = await this.runtime.pull(ref, this.registry)
    } catch (error) {
      return this.finish(
        rec,
        'build_failed',
        `failed to pull image ${ref}`,
        (error as Error).message
      )
    }
    if (rec.deploy.image) rec.deploy.image.sha = image.digest
    if (signal.aborted) return
    const port = await freePort()
    const name = `shipyard-render-${rec.deploy.id}`
    const externalUrl = svc.service.serviceDetails.url
    let id: string
    try {
      id = await this.runtime.run({
        image: image.id || ref,
        name,
        labels: {
          'shipyard.stand-in': 'render',
          'shipyard.render.instance': this.instance,
          'shipyard.render.service': svc.service.id,
          'shipyard.render.deploy': rec.deploy.id
        },
        env: {
          ...this.containerEnv,
          ...svc.env,
          PORT: String(port),
          RENDER: 'true',
          RENDER_SERVICE_ID: svc.service.id,
          RENDER_SERVICE_NAME: svc.service.name,
          RENDER_SERVICE_TYPE: 'web',
          RENDER_INSTANCE_ID: `${svc.service.id}-${rec.deploy.id.slice(4, 9)}`,
          RENDER_EXTERNAL_URL: externalUrl,
          RENDER_EXTERNAL_HOSTNAME: externalUrl
            ? new URL(externalUrl).hostname
            : ''
        }
      })
    } catch (error) {
      return this.finish(
        rec,
        'update_failed',
        'the container could not be started',
        (error as Error).message
      )
    }
    const container: ContainerInfo = {
      id,
      name,
      serviceId: svc.service.id,
      deployId: rec.deploy.id,
      image: ref,
      port,
      url: `http://127.0.0.1:${port}`,
      startedAt: now(),
      state: 'starting'
    }
    rec.container = container
    this.containers.push(container)
    if (signal.aborted) return this.removeContainer(container, 'stopped')

    if (failure === 'update_failed')
      return this.failContainer(rec, 'the update failed (forced)')
    const path = svc.service.serviceDetails.healthCheckPath || '/'
    const deadline = Date.now() + this.timings.healthTimeoutMs
    for (;;) {
      if (signal.aborted) return this.removeContainer(container, 'stopped')
      const state: ContainerState = await this.runtime.state(id)
      if (!state.running)
        return this.failContainer(
          rec,
          `the container exited (${state.status}${state.exitCode === undefined ? '' : `, code ${state.exitCode}`}) before ${path} answered`
        )
      if (await this.probe(container.url + path)) {
        if (signal.aborted) return this.removeContainer(container, 'stopped')
        return this.goLive(rec)
      }
      if (Date.now() >= deadline)
        return this.failContainer(
          rec,
          `${path} did not answer 2xx/3xx within ${this.timings.healthTimeoutMs} ms`
        )
      await sleep(this.timings.healthIntervalMs, undefined, { signal }).catch(
        () => undefined
      )
    }
  }

  private async probe(url: string): Promise<boolean> {
    try {
      const res = await fetch(url, {
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timings.healthRequestTimeoutMs)
      })
      await res.arrayBuffer().catch(() => undefined)
      return res.status >= 200 && res.status < 400
    } catch {
      return false
    }
  }

  private async failContainer(
    rec: DeployRecord,
    reason: string
  ): Promise<void> {
    const container = rec.container
    const logs = container ? await this.runtime.logs(container.id) : undefined
    this.finish(rec, 'update_failed', reason, logs)
    if (container) await this.removeContainer(container, 'failed')
  }

  private async removeContainer(
    container: ContainerInfo,
    state: 'stopped' | 'failed'
  ): Promise<void> {
    container.state = state
    await this.runtime.remove(container.id)
  }

  private goLive(rec: DeployRecord): void {
    const svc = rec.svc
    const previous = svc.live
    // A deploy canceled meanwhile never takes the traffic.
    if (TERMINAL_STATUSES.has(rec.deploy.status)) return
    this.finish(rec, 'live')
    rec.wentLive = true
    svc.live = rec
    if (rec.container) rec.container.state = 'running'
    if (previous && previous !== rec) {
      this.setStatus(previous, 'deactivated')
      const old = previous.container
      if (old) {
        // Traffic already goes to the new container: stop the old one.
        const stop = this.removeContainer(old, 'stopped').catch(() => undefined)
        this.inflight.add(stop)
        void stop.finally(() => this.inflight.delete(stop))
      }
    }
  }

  /** Stops every deploy and removes every container it started. */
  async shutdown(services: ServiceState[]): Promise<void> {
    this.stopping = true
    for (const svc of services) {
      for (const rec of svc.deploys) rec.abort.abort()
      svc.pending = []
    }
    await Promise.race([
      Promise.allSettled([...this.inflight]),
      sleep(30_000, undefined, { ref: false })
    ])
    await Promise.allSettled(
      this.containers
        .filter((c) => c.state === 'starting' || c.state === 'running')
        .map((c) => this.removeContainer(c, 'stopped'))
    )
    if (this.runtime instanceof Podman) {
      const ids = await this.runtime
        .containersWithLabel(`shipyard.render.instance=${this.instance}`)
        .catch(() => [] as string[])
      await Promise.allSettled(ids.map((id) => this.runtime.remove(id)))
    }
  }
}
