/**
 * The Render stand-in with real podman: the example app's image is built from
 * the root Dockerfile (reused when an image of the same build context exists),
 * pushed to the local registry with its credentials, deployed through the
 * API and the deploy hook, reached through the service URL; a second tag
 * deactivates the first; a deploy whose environment keeps the app from
 * starting ends `update_failed` with the app's own error in its logs.
 *
 * Needs podman (installed by scripts/containers/install.sh when missing); it
 * is skipped, loudly, only when podman cannot be installed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  Podman,
  podmanAvailable,
  readRegistryEnv,
  registryDigest,
  type RegistryAuth
} from '../src/podman.js'
import { RenderStandIn, type Deploy, type Service } from '../src/render.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const BASE_IMAGE =
  process.env['SHIPYARD_BASE_IMAGE'] ??
  'localhost/shipyard/python-base:bookworm'

function sh(command: string, args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      command,
      args,
      { cwd: ROOT, maxBuffer: 32 * 1024 * 1024, timeout: 20 * 60_000 },
      (error, stdout, stderr) => {
        if (error)
          reject(
            new Error(
              `${command} ${args.join(' ')} failed:\n${stderr}${stdout}`
            )
          )
        else resolvePromise(stdout)
      }
    )
  })
}

let available = podmanAvailable()
if (!available) {
  spawnSync('bash', ['scripts/containers/install.sh'], {
    cwd: ROOT,
    stdio: 'ignore'
  })
  available = podmanAvailable()
}
if (!available)
  process.stderr.write(
    '\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n' +
      '!!! SKIPPED: the Render stand-in podman test: podman is not installed\n' +
      '!!! and scripts/containers/install.sh could not install it.\n' +
      '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n'
  )

/** A hash of what the root Dockerfile's build context holds (see .dockerignore). */
function contextHash(baseImageId: string): string {
  const hash = createHash('sha256')
  const skip =
    /(^|\/)(__pycache__|\.pytest_cache|staticfiles|\.reports|htmlcov|\.venv|node_modules)(\/|$)|\.pyc$|(^|\/)(db\.sqlite3|\.coverage)$|(^|\/)\.env(\.(?!example$)[^/]*)?$/
  const files = [
    'Dockerfile',
    '.dockerignore',
    'scripts/containers/entrypoint.sh',
    'scripts/containers/healthcheck.py',
    ...readdirSync(join(ROOT, 'example'), {
      recursive: true,
      withFileTypes: true
    })
      .filter((d) => d.isFile())
      .map((d) => relative(ROOT, join(d.parentPath, d.name)))
  ]
    .filter((f) => !skip.test(f))
    .sort()
  for (const file of files) {
    hash.update(`${file}\0`)
    hash.update(readFileSync(join(ROOT, file)))
    hash.update('\0')
  }
  hash.update(baseImageId)
  return hash.digest('hex').slice(0, 12)
}

/** pip's setting from PIP_* or `pip3 config list` (as scripts/demo.sh does). */
function pipSetting(key: string): string | undefined {
  const fromEnv = process.env[`PIP_${key.toUpperCase().replace(/-/g, '_')}`]
  if (fromEnv) return fromEnv
  const listed = spawnSync('pip3', ['config', 'list'], { encoding: 'utf8' })
  const match = new RegExp(`^[^.]*\\.${key}='(.*)'$`, 'm').exec(
    listed.stdout ?? ''
  )
  return match?.[1]
}

const timings: Record<string, number> = {}
async function timed<T>(name: string, work: () => Promise<T>): Promise<T> {
  const start = Date.now()
  try {
    return await work()
  } finally {
    timings[name] = Math.round((Date.now() - start) / 100) / 10
  }
}

;(available ? describe : describe.skip)('RenderStandIn with podman', () => {
  const podman = new Podman()
  let registry: RegistryAuth
  let render: RenderStandIn | undefined
  const tags: Record<string, string> = {}
  const digests: Record<string, string> = {}
  let startedRegistry = false

  beforeAll(async () => {
    await timed('tools', () => sh('bash', ['scripts/containers/install.sh']))
    await timed('base image', () =>
      sh('bash', ['scripts/containers/base-image.sh'])
    )
    // Left as found: stopped again after the test when it was not running.
    startedRegistry = await sh('bash', [
      'scripts/containers/registry.sh',
      'status'
    ]).then(
      () => false,
      () => true
    )
    await timed('registry', () =>
      sh('bash', ['scripts/containers/registry.sh', 'start'])
    )
    const auth = readRegistryEnv()
    if (!auth) throw new Error('registry.sh start wrote no registry.env')
    registry = auth
    const baseId = await podman.exec([
      'image',
      'inspect',
      '--format',
      '{{.Id}}',
      BASE_IMAGE
    ])
    const local = `localhost/shipyard/example:ctx-${contextHash(baseId.trim())}`
    const built = !(await podman.imageExists(local))
    if (built) {
      const buildArgs: Record<string, string> = { BASE_IMAGE }
      const indexUrl = pipSetting('index-url')
      const trustedHost = pipSetting('trusted-host')
      const cert = pipSetting('cert')
      if (indexUrl) buildArgs['PIP_INDEX_URL'] = indexUrl
      if (trustedHost) buildArgs['PIP_TRUSTED_HOST'] = trustedHost
      await timed('build', () =>
        podman.build({
          context: ROOT,
          file: join(ROOT, 'Dockerfile'),
          tag: local,
          buildArgs,
          secrets: cert ? { pip_cert: cert } : {}
        })
      )
    }
    // Push, unless the registry already serves this very image under the tag.
    const known = await podman.exec([
      'image',
      'inspect',
      '--format',
      '{{json .RepoDigests}}',
      local
    ])
    await timed('push', async () => {
      for (const name of ['render-it-1', 'render-it-2']) {
        const tag = `${registry.host}/shipyard/example:${name}`
        tags[name] = tag
        await podman.tag(local, tag)
        const served = await registryDigest(tag, registry).catch(
          () => undefined
        )
        digests[name] =
          served && known.includes(`@${served}`)
            ? served
            : await podman.push(tag, registry)
      }
    })
    if (built) {
      // Earlier builds of this test (other contexts) are not needed again.
      const names = await podman.exec([
        'images',
        '--format',
        '{{.Repository}}:{{.Tag}}',
        'localhost/shipyard/example'
      ])
      for (const old of names.split('\n'))
        if (/:ctx-[0-9a-f]{12}$/.test(old) && old !== local)
          await podman.exec(['rmi', old]).catch(() => undefined)
    }
  }, 30 * 60_000)

  afterAll(async () => {
    await render?.stop()
    if (startedRegistry) {
      await sh('bash', ['scripts/containers/registry.sh', 'stop']).catch(
        () => undefined
      )
    }
    process.stderr.write(
      `render-podman timings (s): ${JSON.stringify(timings)}\n`
    )
  })

  it(
    'deploys the example image, switches tags, and fails a broken deploy',
    async () => {
      render = new RenderStandIn({
        registry,
        imagePath: `${registry.host}/shipyard/example:latest`,
        timings: {
          createdMs: 100,
          queuedMs: 100,
          healthIntervalMs: 250,
          healthTimeoutMs: 90_000
        }
      })
      const stand = render
      await stand.start()
      const env = stand.env()
      const srv = env['RENDER_SERVICE_ID'] ?? ''
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${env['RENDER_API_URL'] ?? ''}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${env['RENDER_API_KEY'] ?? ''}`,
            'content-type': 'application/json'
          },
          body: body === undefined ? undefined : JSON.stringify(body)
        })
        const text = await res.text()
        return {
          status: res.status,
          body: text ? (JSON.parse(text) as unknown) : undefined
        }
      }
      const waitFor = async (id: string): Promise<Deploy> => {
        const deadline = Date.now() + 150_000
        for (;;) {
          const d = (await call('GET', `/services/${srv}/deploys/${id}`))
            .body as Deploy
          if (
            ['live', 'update_failed', 'build_failed', 'canceled'].includes(
              d.status
            )
          )
            return d
          if (Date.now() > deadline) throw new Error(`${id} still ${d.status}`)
          await new Promise((r) => setTimeout(r, 250))
        }
      }
      const explain = (d: Deploy) =>
        `${d.status}: ${JSON.stringify(stand.deployLogs(d.id))}`

      // What the render-deploy action does first: turn Render's auto-deploy off.
      const patched = await call('PATCH', `/services/${srv}`, {
        autoDeployTrigger: 'off'
      })
      expect(patched.body).toMatchObject({ autoDeploy: 'no' })

      // 1. Deploy the first tag through the API.
      const created = await call('POST', `/services/${srv}/deploys`, {
        imageUrl: tags['render-it-1']
      })
      expect(created.status).toBe(201)
      const first = await timed('deploy 1', () =>
        waitFor((created.body as Deploy).id)
      )
      expect(first.status === 'live' ? first.status : explain(first)).toBe(
        'live'
      )
      expect(first.image).toEqual({
        ref: tags['render-it-1'],
        sha: digests['render-it-1']
      })
      const service = (await call('GET', `/services/${srv}`)).body as Service
      const url = service.serviceDetails.url
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const health = await fetch(`${url}/health`)
      expect(health.status).toBe(200)
      expect(await health.json()).toMatchObject({
        status: 'ok',
        environment: 'production'
      })
      const [c1] = stand.containers()
      expect(c1).toBeDefined()
      expect((await podman.state(c1?.id ?? '')).running).toBe(true)
      // The app sees Render's forwarded HTTPS: no redirect on other pages.
      expect((await fetch(url, { redirect: 'manual' })).status).toBe(200)

      // 2. The second tag through the deploy hook: the first is deactivated.
      const hook = await fetch(
        `${env['RENDER_DEPLOY_HOOK_URL'] ?? ''}&imgURL=${encodeURIComponent(tags['render-it-2'] ?? '')}`,
        { method: 'POST' }
      )
      expect(hook.status).toBe(200)
      const hookId = ((await hook.json()) as { deploy: { id: string } }).deploy
        .id
      const second = await timed('deploy 2', () => waitFor(hookId))
      expect(second.status === 'live' ? second.status : explain(second)).toBe(
        'live'
      )
      expect(
        (
          (await call('GET', `/services/${srv}/deploys/${first.id}`))
            .body as Deploy
        ).status
      ).toBe('deactivated')
      for (
        let i = 0;
        i < 40 && (await podman.state(c1?.id ?? '')).status !== 'missing';
        i++
      )
        await new Promise((r) => setTimeout(r, 250))
      expect((await podman.state(c1?.id ?? '')).status).toBe('missing')
      expect((await fetch(`${url}/health`)).status).toBe(200)

      // 3. A deploy whose environment keeps the app from starting.
      await fetch(`${stand.url}/__control/render/env`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ env: { SECRET_KEY: '' } })
      })
      const broken = await call('POST', `/services/${srv}/deploys`, {
        imageUrl: tags['render-it-1']
      })
      expect(broken.status).toBe(201)
      const failed = await timed('broken deploy', () =>
        waitFor((broken.body as Deploy).id)
      )
      expect(failed.status).toBe('update_failed')
      const logs = stand.deployLogs(failed.id)
      expect(logs?.reason).toMatch(/exited/)
      expect(logs?.logs).toContain('SECRET_KEY is not set')
      // The second deploy stays live and keeps answering.
      expect(
        (
          (await call('GET', `/services/${srv}/deploys/${second.id}`))
            .body as Deploy
        ).status
      ).toBe('live')
      expect((await fetch(`${url}/health`)).status).toBe(200)

      // 4. Stopping the stand-in removes every container it started.
      await stand.stop()
      render = undefined
      expect(
        await podman.containersWithLabel(
          `shipyard.render.instance=${stand.instance}`
        )
      ).toEqual([])
    },
    5 * 60_000
  )
})
