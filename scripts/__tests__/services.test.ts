import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import { createServer } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

// `make services-up` / `services-down` for real: the registry and every
// stand-in, in their own state directory and on a free registry port so a
// developer's running services are left alone.
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const state = fs.mkdtempSync(path.join(os.tmpdir(), 'services-'))
const envFile = path.join(state, 'services.env')
let env: Record<string, string> = {}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

let registryPort = 0
function services(command: 'up' | 'down') {
  return spawnSync('bash', ['scripts/services.sh', command], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      ...process.env,
      SHIPYARD_RUN_DIR: state,
      SERVICES_ENV_FILE: envFile,
      REGISTRY_PORT: String(registryPort)
    }
  })
}

/** The env file as the shell would read it (values may be single-quoted). */
function readEnv(file: string): Record<string, string> {
  const result: Record<string, string> = {}
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line)
    if (!match) continue
    const value = match[2] ?? ''
    result[match[1]] = value.startsWith("'")
      ? value.slice(1, -1).replace(/'\\''/g, "'")
      : value
  }
  return result
}

beforeAll(async () => {
  registryPort = await freePort()
  const up = services('up')
  if (up.status !== 0)
    throw new Error(`services up failed:\n${up.stdout}\n${up.stderr}`)
  env = readEnv(envFile)
}, 150_000)

afterAll(() => {
  services('down')
  fs.rmSync(state, { recursive: true, force: true })
})

describe('services-up', () => {
  it('writes every URL and credential, readable by the owner only', () => {
    for (const key of [
      'RENDER_API_URL',
      'RENDER_API_KEY',
      'RENDER_SERVICE_ID',
      'RENDER_DEPLOY_HOOK_URL',
      'SENTRY_URL',
      'SENTRY_AUTH_TOKEN',
      'SENTRY_ORG',
      'SENTRY_PROJECT',
      'SENTRY_DSN',
      'RTD_API_URL',
      'RTD_TOKEN',
      'RTD_PROJECT',
      'GITHUB_API_URL',
      'GITHUB_TOKEN',
      'DOCKERHUB_API_URL',
      'REGISTRY',
      'REGISTRY_USERNAME',
      'REGISTRY_PASSWORD'
    ]) {
      expect({ key, value: env[key] }).toEqual({
        key,
        value: expect.stringMatching(/.+/)
      })
    }
    expect(fs.statSync(envFile).mode & 0o777).toBe(0o600)
    expect(env['REGISTRY']).toBe(`127.0.0.1:${registryPort}`)
  })

  it('serves each service with the credentials it wrote', async () => {
    const render = await fetch(
      `${env['RENDER_API_URL']}/services/${env['RENDER_SERVICE_ID']}`,
      {
        headers: { authorization: `Bearer ${env['RENDER_API_KEY']}` }
      }
    )
    expect(render.status).toBe(200)
    expect(((await render.json()) as { id: string }).id).toBe(
      env['RENDER_SERVICE_ID']
    )

    const sentry = await fetch(
      `${env['SENTRY_URL']}/api/0/projects/${env['SENTRY_ORG']}/${env['SENTRY_PROJECT']}/keys/`,
      { headers: { authorization: `Bearer ${env['SENTRY_AUTH_TOKEN']}` } }
    )
    expect(sentry.status).toBe(200)
    const keys = (await sentry.json()) as Array<{ public: string }>
    expect(env['SENTRY_DSN']).toContain(`${keys[0]?.public}@`)

    const rtd = await fetch(
      `${env['RTD_API_URL']}projects/${env['RTD_PROJECT']}/builds/`,
      {
        headers: { authorization: `Token ${env['RTD_TOKEN']}` }
      }
    )
    expect(rtd.status).toBe(200)

    const github = await fetch(
      `${env['GITHUB_API_URL']}/repos/${env['GITHUB_REPOSITORY']}/deployments`,
      {
        headers: { authorization: `Bearer ${env['GITHUB_TOKEN']}` }
      }
    )
    expect(github.status).toBe(200)

    const hub = await fetch(`${env['DOCKERHUB_API_URL']}/v2/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        identifier: env['DOCKERHUB_USERNAME'],
        secret: env['DOCKERHUB_TOKEN']
      })
    })
    expect(hub.status).toBe(200)

    const basic = Buffer.from(
      `${env['REGISTRY_USERNAME']}:${env['REGISTRY_PASSWORD']}`
    ).toString('base64')
    expect((await fetch(`http://${env['REGISTRY']}/v2/`)).status).toBe(401)
    expect(
      (
        await fetch(`http://${env['REGISTRY']}/v2/`, {
          headers: { authorization: `Basic ${basic}` }
        })
      ).status
    ).toBe(200)
  })

  it('is idempotent', () => {
    const again = services('up')
    expect(again.status).toBe(0)
    expect(again.stdout).toContain('already up')
  })

  it('services-down stops everything it started', async () => {
    const urls = [
      env['RENDER_API_URL'],
      env['SENTRY_URL'],
      env['RTD_API_URL'],
      `http://${env['REGISTRY']}/v2/`
    ]
    const down = services('down')
    expect(down.status).toBe(0)
    expect(fs.existsSync(envFile)).toBe(false)
    for (const url of urls) {
      await expect(fetch(url)).rejects.toThrow()
    }
  })
})
