/**
 * The GitHub Actions cache stand-in, driven by the real client: @actions/cache
 * (cache service v2: Twirp JSON, uploads through @azure/storage-blob) saves
 * and restores directories through it, and its answers are those the client
 * acts on (hits, misses, prefix matches, conflicts, refused tokens, retried
 * server errors). The blob URLs are also driven by the Azure SDK's block
 * upload, which @actions/cache uses for archives over 128 MiB.
 */
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  jest
} from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { mockCore } from '@shipyard/action-kit/testing'
import { ActionsCacheStandIn } from '../src/actions-cache.js'

const core = mockCore()
// The client also asks whether step debugging is on.
core['isDebug'] = jest.fn(() => false)
jest.unstable_mockModule('@actions/core', () => core)
const cache = await import('@actions/cache')
const { BlockBlobClient } = await import('@azure/storage-blob')

const SERVICE = '/twirp/github.actions.results.api.v1.CacheService'
const standIn = new ActionsCacheStandIn()
let root: string
let workspace: string
const savedEnv = { ...process.env }

beforeAll(async () => {
  await standIn.start()
})
afterAll(async () => {
  await standIn.stop()
})

beforeEach(() => {
  core.reset()
  standIn.requests.length = 0
  standIn.clearFaults()
  standIn.clearEntries()
  root = fs.realpathSync(
    fs.mkdtempSync(path.join(os.tmpdir(), 'actions-cache-'))
  )
  workspace = path.join(root, 'workspace')
  fs.mkdirSync(workspace)
  fs.mkdirSync(path.join(root, 'temp'))
  Object.assign(process.env, standIn.env(), {
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: path.join(root, 'temp'),
    GITHUB_SERVER_URL: 'https://github.com'
  })
  delete process.env['ACTIONS_CACHE_MODE']
})
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true })
  for (const name of Object.keys(process.env)) {
    if (!(name in savedEnv)) delete process.env[name]
  }
  Object.assign(process.env, savedEnv)
})

/** A directory of files (one binary) under the workspace. */
function makeTree(name: string): Record<string, Buffer> {
  const files: Record<string, Buffer> = {
    'a.txt': Buffer.from(`${name}: hello\n`),
    'sub/b.bin': Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251)),
    'sub/deeper/c.py': Buffer.from('print("c")\n')
  }
  for (const [file, content] of Object.entries(files)) {
    const full = path.join(workspace, name, file)
    fs.mkdirSync(path.dirname(full), { recursive: true })
    fs.writeFileSync(full, content)
  }
  return files
}

/** Absolute paths, as a workflow's cached paths usually are. */
const at = (...names: string[]): string[] =>
  names.map((name) => path.join(workspace, name))

const twirpCalls = () =>
  standIn.requests
    .filter((r) => r.path.startsWith(SERVICE))
    .map((r) => `${r.path.slice(SERVICE.length + 1)} ${r.status}`)

describe('the Actions cache stand-in under @actions/cache', () => {
  it('offers the v2 service through the variables the client reads', () => {
    expect(cache.isFeatureAvailable()).toBe(true)
    delete process.env['ACTIONS_RESULTS_URL']
    expect(cache.isFeatureAvailable()).toBe(false)
  })

  it('saves a directory and restores it, byte for byte', async () => {
    const files = makeTree('venv')
    const id = await cache.saveCache(at('venv'), 'venv-linux-abc')
    expect(id).toBeGreaterThan(0)
    const entries = standIn.list()
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({
      id,
      key: 'venv-linux-abc',
      finalized: true
    })
    expect(entries[0].version).toMatch(/^[0-9a-f]{64}$/)
    expect(entries[0].sizeBytes).toBe(standIn.archive('venv-linux-abc')?.length)

    // What the client sent: reserve, one Put Blob, finalize.
    const put = standIn.received(/^\/devstoreaccount1\//, 'PUT')
    expect(put).toHaveLength(1)
    expect(put[0].headers['x-ms-blob-type']).toBe('BlockBlob')
    expect(put[0].body).toBe(`<${entries[0].sizeBytes} bytes>`)
    expect(twirpCalls()).toEqual([
      'CreateCacheEntry 200',
      'FinalizeCacheEntryUpload 200'
    ])
    const create = standIn.received(/CreateCacheEntry$/)[0]
    expect(create.headers['authorization']).toBe('Bearer ***')
    expect(create.body).toMatchObject({ key: 'venv-linux-abc' })
    const finalize = standIn.received(/FinalizeCacheEntryUpload$/)[0]
    expect(finalize.body).toMatchObject({
      key: 'venv-linux-abc',
      size_bytes: String(entries[0].sizeBytes)
    })

    fs.rmSync(path.join(workspace, 'venv'), { recursive: true })
    standIn.requests.length = 0
    const hit = await cache.restoreCache(at('venv'), 'venv-linux-abc')
    expect(hit).toBe('venv-linux-abc')
    for (const [file, content] of Object.entries(files)) {
      expect(fs.readFileSync(path.join(workspace, 'venv', file))).toEqual(
        content
      )
    }
    expect(twirpCalls()).toEqual(['GetCacheEntryDownloadURL 200'])
    const get = standIn.received(/^\/devstoreaccount1\//, 'GET')
    expect(get).toHaveLength(1)
    expect(get[0].status).toBe(200)
    // The signature of the signed URL is a secret: never in the log.
    expect(get[0].query['sig']).toBe('***')
    expect(core.warning).not.toHaveBeenCalled()
  })

  it('answers a miss with ok: false, and matches versions and prefixes', async () => {
    expect(await cache.restoreCache(at('venv'), 'nothing-here')).toBeUndefined()
    const miss = standIn.received(/GetCacheEntryDownloadURL$/)
    expect(miss.map((r) => r.status)).toEqual([200])

    makeTree('venv')
    expect(await cache.saveCache(at('venv'), 'deps-1')).toBeGreaterThan(0)
    fs.writeFileSync(path.join(workspace, 'venv', 'a.txt'), 'second\n')
    expect(await cache.saveCache(at('venv'), 'deps-2')).toBeGreaterThan(0)
    fs.rmSync(path.join(workspace, 'venv'), { recursive: true })

    // The primary key as a prefix, the newest entry first.
    expect(await cache.restoreCache(at('venv'), 'deps-')).toBe('deps-2')
    expect(fs.readFileSync(path.join(workspace, 'venv', 'a.txt'), 'utf8')).toBe(
      'second\n'
    )
    // An exact key wins over newer prefix matches; restore keys come after.
    expect(await cache.restoreCache(at('venv'), 'deps-1')).toBe('deps-1')
    expect(
      await cache.restoreCache(at('venv'), 'other', ['nope-', 'deps'])
    ).toBe('deps-2')
    // Other paths are another version: no match.
    expect(await cache.restoreCache(at('elsewhere'), 'deps-1')).toBeUndefined()
  })

  it('refuses a second entry with the same key and version (409)', async () => {
    makeTree('venv')
    expect(await cache.saveCache(at('venv'), 'same')).toBeGreaterThan(0)
    expect(await cache.saveCache(at('venv'), 'same')).toBe(-1)
    expect(standIn.list()).toHaveLength(1)
    expect(twirpCalls()).toEqual([
      'CreateCacheEntry 200',
      'FinalizeCacheEntryUpload 200',
      'CreateCacheEntry 409'
    ])
    expect(core.log.join('\n')).toMatch(
      /info: Failed to save: Unable to reserve cache with key same/
    )
  })

  it('refuses a wrong runtime token (401): the client warns and goes on', async () => {
    process.env['ACTIONS_RUNTIME_TOKEN'] = 'not-the-token'
    expect(await cache.restoreCache(at('venv'), 'any')).toBeUndefined()
    expect(twirpCalls()).toEqual(['GetCacheEntryDownloadURL 401'])
    expect(core.warning).toHaveBeenCalledWith(
      expect.stringMatching(/Failed to restore: .*\(401\)/)
    )
  })

  it('answers server errors as Twirp errors, which the client retries', async () => {
    makeTree('venv')
    await cache.saveCache(at('venv'), 'flaky')
    standIn.requests.length = 0
    standIn.addFault({
      kind: 'error-burst',
      status: 500,
      path: 'GetCacheEntryDownloadURL$',
      count: 1
    })
    fs.rmSync(path.join(workspace, 'venv'), { recursive: true })
    expect(await cache.restoreCache(at('venv'), 'flaky')).toBe('flaky')
    expect(twirpCalls()).toEqual([
      'GetCacheEntryDownloadURL 500',
      'GetCacheEntryDownloadURL 200'
    ])
    expect(core.log.join('\n')).toMatch(/Attempt 1 of 5 failed .*\(500\)/)
  }, 20_000)

  it('checks the signature, permission and expiry of blob URLs', async () => {
    makeTree('venv')
    await cache.saveCache(at('venv'), 'signed')
    const twirp = async (method: string, body: unknown) => {
      const res = await fetch(`${standIn.url}${SERVICE}/${method}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${standIn.token}`,
          'content-type': 'application/json'
        },
        body: JSON.stringify(body)
      })
      return { status: res.status, body: (await res.json()) as never }
    }
    const version = standIn.list()[0].version
    const found = await twirp('GetCacheEntryDownloadURL', {
      key: 'signed',
      version
    })
    expect(found.body).toMatchObject({ ok: true, matched_key: 'signed' })
    const url = new URL(
      (found.body as { signed_download_url: string }).signed_download_url
    )
    expect((await fetch(url)).status).toBe(200)
    const tampered = new URL(url)
    tampered.searchParams.set(
      'sig',
      'AAAA' + url.searchParams.get('sig')!.slice(4)
    )
    const denied = await fetch(tampered)
    expect(denied.status).toBe(403)
    expect(denied.headers.get('x-ms-error-code')).toBe('AuthenticationFailed')
    expect(await denied.text()).toContain('<Code>AuthenticationFailed</Code>')
    // A read URL cannot write.
    const write = await fetch(url, {
      method: 'PUT',
      headers: { 'x-ms-blob-type': 'BlockBlob' },
      body: 'x'
    })
    expect(write.status).toBe(403)
    // A range, as the Azure SDK asks for it.
    const part = await fetch(url, { headers: { 'x-ms-range': 'bytes=0-9' } })
    expect(part.status).toBe(206)
    expect((await part.arrayBuffer()).byteLength).toBe(10)

    // Twirp errors: bad arguments and unknown finalizations.
    const bad = await twirp('CreateCacheEntry', { key: 'a,b', version })
    expect(bad).toEqual({
      status: 400,
      body: { code: 'invalid_argument', msg: 'key cannot contain commas' }
    })
    const unknown = await twirp('FinalizeCacheEntryUpload', {
      key: 'never-created',
      version,
      size_bytes: '1'
    })
    expect(unknown.status).toBe(404)
    expect(unknown.body).toMatchObject({ code: 'not_found' })
  })

  it('takes block uploads (Put Block, Put Block List) from the Azure SDK', async () => {
    const created = await fetch(`${standIn.url}${SERVICE}/CreateCacheEntry`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${standIn.token}`,
        'content-type': 'application/json'
      },
      body: JSON.stringify({ key: 'blocks', version: 'v1' })
    })
    const { signed_upload_url: uploadUrl } = (await created.json()) as {
      signed_upload_url: string
    }
    const client = new BlockBlobClient(uploadUrl)
    const ids = ['YmxvY2stMQ==', 'YmxvY2stMg==']
    await client.stageBlock(ids[0], Buffer.from('first,'), 6)
    await client.stageBlock(ids[1], Buffer.from('second'), 6)
    await client.commitBlockList(ids)
    expect(
      standIn
        .received(/^\/devstoreaccount1\//, 'PUT')
        .map((r) => [r.query['comp'], r.status])
    ).toEqual([
      ['block', 201],
      ['block', 201],
      ['blocklist', 201]
    ])
    const finalized = await fetch(
      `${standIn.url}${SERVICE}/FinalizeCacheEntryUpload`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${standIn.token}`,
          'content-type': 'application/json'
        },
        body: JSON.stringify({ key: 'blocks', version: 'v1', size_bytes: '12' })
      }
    )
    expect(await finalized.json()).toMatchObject({ ok: true })
    expect(standIn.archive('blocks')?.toString()).toBe('first,second')
  })
})
