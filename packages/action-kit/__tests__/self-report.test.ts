import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'
import { mockCore } from '../testing/core-mock.js'

const core = mockCore()
jest.unstable_mockModule('@actions/core', () => core)
const { reportCrash } = await import('../src/self-report.js')
const { maskSecret } = await import('../src/mask.js')

// A bare envelope receiver on 127.0.0.1: the real @sentry/node sends to it.
const envelopes: string[] = []
const server = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    const body = Buffer.concat(chunks)
    const gzip = req.headers['content-encoding'] === 'gzip'
    envelopes.push((gzip ? gunzipSync(body) : body).toString('utf8'))
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
  })
})
let dsn = ''

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  dsn = `http://publickey0001@127.0.0.1:${(server.address() as AddressInfo).port}/7`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe('reportCrash', () => {
  it('sends the crash with the run context and without secrets', async () => {
    process.env['GITHUB_REPOSITORY'] = 'alice/app'
    process.env['GITHUB_RUN_ID'] = '4242'
    maskSecret('sentinel-token-for-report')
    await reportCrash(
      new Error('exploded near sentinel-token-for-report'),
      dsn,
      'render-deploy'
    )
    const all = envelopes.join('\n')
    expect(all).toContain('exploded near ***')
    expect(all).not.toContain('sentinel-token-for-report')
    expect(all).toContain('"repository":"alice/app"')
    expect(all).toContain('"run_id":"4242"')
    expect(all).toContain('"shipyard.action":"render-deploy"')
    expect(core.warning).not.toHaveBeenCalled()
  })
})
