/**
 * render-deploy against the Render stand-in with real podman: a small web
 * image (fixtures/podman-app, on the project's local Python base image) is
 * pushed with credentials to the local registry; the stand-in pulls it and
 * runs it as Render would, and reports live only once it answers. One
 * deploy end to end: trigger, wait, health check through the service URL.
 *
 * Needs podman, the base image and the registry (scripts/containers/); it is
 * skipped, loudly, when podman is not installed.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { execFile } from 'node:child_process'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { mockCore } from '@shipyard/action-kit/testing'
import { RenderStandIn } from '@shipyard/stand-ins'
// The stand-ins' podman helpers are not exported by the package yet.
import {
  Podman,
  podmanAvailable,
  readRegistryEnv,
  type RegistryAuth
} from '../../../packages/stand-ins/src/podman.js'

const core = mockCore()
jest.unstable_mockModule('@actions/core', () => core)
const { run } = await import('@shipyard/action-kit')
const { main } = await import('../src/main.js')

const HERE = dirname(fileURLToPath(import.meta.url))
const ROOT = resolve(HERE, '..', '..', '..')
const BASE_IMAGE =
  process.env['SHIPYARD_BASE_IMAGE'] ??
  'localhost/shipyard/python-base:bookworm'

function sh(script: string, args: string[] = []): Promise<void> {
  return new Promise((done, fail) => {
    execFile(
      'bash',
      [join(ROOT, script), ...args],
      { cwd: ROOT, timeout: 15 * 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        error
          ? fail(new Error(`${script} failed:\n${stderr}${stdout}`))
          : done()
    )
  })
}

const available = podmanAvailable()
if (!available)
  process.stderr.write(
    '\n!!! SKIPPED: render-deploy with real podman: podman is not installed.\n\n'
  )

;(available ? describe : describe.skip)(
  'render-deploy with real podman',
  () => {
    const podman = new Podman()
    let registry: RegistryAuth
    let render: RenderStandIn | undefined
    let image = ''
    let startedRegistry = false

    beforeAll(async () => {
      await sh('scripts/containers/base-image.sh')
      // Left as found: stopped after the test when it was not running.
      startedRegistry = await sh('scripts/containers/registry.sh', [
        'status'
      ]).then(
        () => false,
        () => true
      )
      await sh('scripts/containers/registry.sh', ['start'])
      const auth = readRegistryEnv()
      if (!auth) throw new Error('registry.sh start wrote no registry.env')
      registry = auth
      image = `${registry.host}/shipyard/render-deploy-e2e`
      await podman.build({
        context: join(HERE, 'fixtures', 'podman-app'),
        file: join(HERE, 'fixtures', 'podman-app', 'Containerfile'),
        tag: `${image}:v1`,
        buildArgs: { BASE_IMAGE }
      })
      await podman.tag(`${image}:v1`, `${image}:v2`)
      await podman.push(`${image}:v1`, registry)
      await podman.push(`${image}:v2`, registry)
    }, 20 * 60_000)

    afterAll(async () => {
      await render?.stop()
      if (startedRegistry) {
        await sh('scripts/containers/registry.sh', ['stop']).catch(
          () => undefined
        )
      }
    })

    it('deploys the pushed image, waits for live and checks its health', async () => {
      render = new RenderStandIn({
        registry,
        imagePath: `${image}:latest`,
        timings: {
          createdMs: 100,
          queuedMs: 100,
          healthIntervalMs: 250,
          healthTimeoutMs: 60_000
        }
      })
      await render.start()
      const env = render.env()
      core.setInputs({
        'service-id': env['RENDER_SERVICE_ID'] ?? '',
        'api-key': env['RENDER_API_KEY'] ?? '',
        'render-api-url': env['RENDER_API_URL'] ?? '',
        'image-url': `${image}:v2`,
        'github-deployment': 'false',
        timeout: '2m'
      })
      await run(main)
      expect(core.setFailed).not.toHaveBeenCalled()
      const outputs = Object.fromEntries(
        core.setOutput.mock.calls.map(([k, v]) => [String(k), String(v)])
      )
      const [deploy] = render.deploys(env['RENDER_SERVICE_ID'] ?? '')
      expect(deploy?.status).toBe('live')
      expect(deploy?.image?.sha).toMatch(/^sha256:[0-9a-f]{64}$/)
      expect(outputs).toMatchObject({ 'deploy-id': deploy?.id, status: 'live' })
      expect(core.log.join('\n')).toMatch(/\/health answered 200/)
      const running = render.containers().filter((c) => c.state === 'running')
      expect(running.map((c) => c.deployId)).toEqual([deploy?.id])
      const answer = (await (
        await fetch(`${env['RENDER_SERVICE_URL']}/health`)
      ).json()) as { status: string }
      expect(answer.status).toBe('ok')
      expect(core.log.join('\n')).not.toContain(env['RENDER_API_KEY'])
    }, 180_000)
  }
)
