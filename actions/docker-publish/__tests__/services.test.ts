/**
 * The HTTP sides of docker-publish: the Docker Hub description against the
 * DockerHubStandIn, and reading a digest from a registry that fails, asks
 * for a bearer token, or answers no digest.
 */
import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  it,
  jest
} from '@jest/globals'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as os from 'node:os'
import * as path from 'node:path'
import { mockCore } from '@shipyard/action-kit/testing'
import { DockerHubStandIn } from '@shipyard/stand-ins'

const core = mockCore()
jest.unstable_mockModule('@actions/core', () => core)

const { ConfigurationError } = await import('@shipyard/action-kit')
const { readDescription, truncateBytes, updateDescription, hubRepository } =
  await import('../src/dockerhub.js')
const { registryDigest } = await import('../src/registry.js')

const DIGEST = `sha256:${'ab'.repeat(32)}`

describe('Docker Hub description', () => {
  const hub = new DockerHubStandIn({
    username: 'alice',
    token: 'dckr_pat_alice-S3cret',
    repositories: [{ namespace: 'alice', name: 'app' }]
  })
  let dir: string

  beforeAll(async () => {
    await hub.start()
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-hub-'))
  })
  afterAll(async () => {
    await hub.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  })
  afterEach(() => core.reset())

  it('gets a token, then PATCHes the full and short description', async () => {
    const readme = path.join(dir, 'README.md')
    fs.writeFileSync(readme, '# app\n\nShips itself. ✓\n')
    const description = readDescription(readme, dir, 'A small app')
    await updateDescription(
      new URL(hub.url),
      'alice/app',
      { username: 'alice', password: hub.token },
      description
    )
    expect(hub.repository('alice', 'app')).toMatchObject({
      full_description: '# app\n\nShips itself. ✓\n',
      description: 'A small app'
    })
    const calls = hub.requests.map((r) => `${r.method} ${r.path} ${r.status}`)
    expect(calls).toEqual([
      'POST /v2/auth/token 200',
      'PATCH /v2/repositories/alice/app/ 200'
    ])
    const patch = hub.requests[1]
    expect(patch?.headers['authorization']).toMatch(/^Bearer \*\*\*/)
    // The access token was masked as soon as it arrived.
    expect(core.setSecret).toHaveBeenCalled()
    expect(JSON.stringify(hub.requests)).not.toContain(hub.token)
  })

  it('refuses a description over 25,000 bytes before anything runs, and cuts the short one to 100 bytes', () => {
    const big = path.join(dir, 'BIG.md')
    fs.writeFileSync(big, 'é'.repeat(12_501))
    expect(() => readDescription(big, dir, undefined)).toThrow(
      ConfigurationError
    )
    expect(() => readDescription(big, dir, undefined)).toThrow(
      `Invalid value for input 'dockerhub-description': "BIG.md" is 25002 bytes. Accepted: a file of at most 25000 bytes (Docker Hub's limit).`
    )
    const readme = path.join(dir, 'OK.md')
    fs.writeFileSync(readme, 'x')
    const { short } = readDescription(readme, dir, 'ü'.repeat(80))
    expect(Buffer.byteLength(short ?? '')).toBeLessThanOrEqual(100)
    expect(short).toMatch(/^ü+\.\.\.$/)
    expect(core.notice).toHaveBeenCalled()
    expect(truncateBytes('aé', 2)).toBe('a')
    expect(hubRepository('app')).toEqual({ namespace: 'library', name: 'app' })
  })

  it('fails clearly on a token without the rights, showing no secret', async () => {
    const error = await updateDescription(
      new URL(hub.url),
      'alice/app',
      { username: 'alice', password: 'dckr_pat_wrong-S3cret' },
      { full: 'x' }
    ).catch((e: unknown) => e as Error)
    expect(error).toBeInstanceOf(Error)
    expect(error?.message).toContain('401')
    expect(error?.message).toContain('incorrect username or password')
    expect(error?.message).not.toContain('dckr_pat_wrong-S3cret')
  })
})

describe('registryDigest', () => {
  let server: http.Server
  let host: string
  let handler: (req: http.IncomingMessage, res: http.ServerResponse) => void
  const seen: string[] = []

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`)
      handler(req, res)
    })
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve())
    )
    const address = server.address()
    host = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))
  afterEach(() => {
    seen.length = 0
  })

  it('retries a 5xx a bounded number of times, then reads the digest', async () => {
    let calls = 0
    handler = (_req, res) => {
      calls++
      if (calls <= 2) res.writeHead(503).end()
      else res.writeHead(200, { 'docker-content-digest': DIGEST }).end()
    }
    await expect(registryDigest(host, 'team/app', 'latest')).resolves.toBe(
      DIGEST
    )
    expect(seen).toHaveLength(3)
    expect(seen[0]).toMatch(/^HEAD \/v2\/team\/app\/manifests\/latest/)
  })

  it('gives up after its attempts with a clear error', async () => {
    handler = (_req, res) => res.writeHead(502).end()
    await expect(registryDigest(host, 'team/app', 'latest')).rejects.toThrow(
      /502/
    )
    expect(seen).toHaveLength(4)
  }, 20_000)

  it('follows a bearer challenge to the token service with the credentials', async () => {
    handler = (req, res) => {
      if (req.url?.startsWith('/token')) {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ token: 'registry-Token-123' }))
      } else if (req.headers.authorization === 'Bearer registry-Token-123') {
        res.writeHead(200, { 'docker-content-digest': DIGEST }).end()
      } else {
        res
          .writeHead(401, {
            'www-authenticate': `Bearer realm="http://${host}/token",service="reg",scope="repository:team/app:pull"`
          })
          .end()
      }
    }
    await expect(
      registryDigest(host, 'team/app', 'v1', {
        username: 'u',
        password: 'p-S3cret'
      })
    ).resolves.toBe(DIGEST)
    expect(seen[1]).toBe(
      `GET /token?service=reg&scope=repository%3Ateam%2Fapp%3Apull Basic ${Buffer.from('u:p-S3cret').toString('base64')}`
    )
    expect(core.setSecret).toHaveBeenCalledWith('registry-Token-123')
  })

  it('refuses an answer without a digest', async () => {
    handler = (_req, res) => res.writeHead(200).end()
    await expect(registryDigest(host, 'team/app', 'v1')).rejects.toThrow(
      'gave no manifest digest for team/app:v1'
    )
  })
})
