/**
 * The pure parts: the poll schedule, the rate-limit headers, the image name
 * rule, the registry's challenge, the health URL.
 */
import { describe, expect, it } from '@jest/globals'
import { healthBound, healthUrl } from '../src/health.js'
import {
  autoDeployOn,
  imageName,
  parseChallenge,
  registryBase
} from '../src/preflight.js'
import { readRateLimit } from '../src/render-client.js'
import { deploys } from '../src/trigger.js'
import { expectedDuration, nextDelay, pollIntervals } from '../src/waiter.js'

/** The read times of a deploy that takes `durationMs`, following nextDelay. */
function schedule(
  durationMs: number,
  timeoutMs: number,
  expectedMs: number | undefined
): number[] {
  const intervals = pollIntervals(timeoutMs)
  const reads: number[] = []
  let t = 0
  while (t < durationMs && t < timeoutMs) {
    t += nextDelay(t, reads.length, intervals, expectedMs)
    reads.push(t)
  }
  return reads
}

describe('the poll schedule', () => {
  it('derives its intervals from the timeout', () => {
    expect(pollIntervals(15 * 60_000)).toEqual({ minMs: 2000, maxMs: 15_000 })
    expect(pollIntervals(10_000)).toEqual({ minMs: 200, maxMs: 1000 })
    expect(pollIntervals(5 * 60_000)).toEqual({ minMs: 1000, maxMs: 5000 })
  })

  it.each([10_000, 60_000, 5 * 60_000])(
    'reads a %i ms deploy at most 12 times a minute and sees it live within 0.2 s when it ends as expected',
    (duration) => {
      const reads = schedule(duration, 15 * 60_000, duration)
      const perMinute = reads.length / Math.max(duration / 60_000, 1 / 6)
      expect(perMinute).toBeLessThanOrEqual(12)
      expect(reads.at(-1)! - duration).toBeLessThanOrEqual(200)
      expect(reads.at(-1)! - duration).toBeGreaterThanOrEqual(0)
    }
  )

  it('reads a long deploy early once, to catch a quick failure', () => {
    const reads = schedule(5 * 60_000, 15 * 60_000, 5 * 60_000)
    expect(reads[0]).toBeLessThanOrEqual(4000)
  })

  it('without history, starts quick and slows down, within 12 reads a minute over a long wait', () => {
    const reads = schedule(5 * 60_000, 15 * 60_000, undefined)
    expect(reads[0]).toBe(2000)
    expect(reads.length / 5).toBeLessThanOrEqual(12)
  })

  it('reads quickly again once a deploy is overdue', () => {
    const intervals = pollIntervals(15 * 60_000)
    expect(nextDelay(60_500, 6, intervals, 60_000)).toBe(1000)
    expect(nextDelay(120_000, 9, intervals, 60_000)).toBe(15_000)
  })

  it('expects the median duration of the last deploys that went live', () => {
    const at = (s: number) =>
      new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString()
    expect(
      expectedDuration([
        { id: 'a', status: 'live', createdAt: at(0), finishedAt: at(10) },
        {
          id: 'b',
          status: 'build_failed',
          createdAt: at(0),
          finishedAt: at(1)
        },
        {
          id: 'c',
          status: 'deactivated',
          createdAt: at(0),
          finishedAt: at(30)
        },
        { id: 'd', status: 'deactivated', createdAt: at(0), finishedAt: at(12) }
      ])
    ).toBe(12_000)
    expect(expectedDuration([{ id: 'x', status: 'queued' }])).toBeUndefined()
  })
})

describe('Ratelimit-* headers', () => {
  it('reads seconds from now, and epoch seconds', () => {
    const now = 1_800_000_000_000
    expect(
      readRateLimit(
        new Headers({
          'Ratelimit-Limit': '400',
          'Ratelimit-Remaining': '12',
          'Ratelimit-Reset': '30'
        }),
        now
      )
    ).toEqual({ limit: 400, remaining: 12, resetMs: 30_000, at: now })
    expect(
      readRateLimit(
        new Headers({ 'Ratelimit-Reset': String(now / 1000 + 5) }),
        now
      )?.resetMs
    ).toBe(5000)
    expect(readRateLimit(new Headers(), now)).toBeUndefined()
  })
})

describe('images and registries', () => {
  it('compares registry and repository as Render does', () => {
    expect(imageName('acme/app:1')).toEqual({
      registry: 'docker.io',
      repository: 'acme/app'
    })
    expect(imageName('index.docker.io/library/python@sha256:ab')).toEqual({
      registry: 'docker.io',
      repository: 'library/python'
    })
    expect(imageName('python')).toEqual(imageName('docker.io/library/python:3'))
    expect(imageName('localhost:5000/a/b:1').registry).toBe('localhost:5000')
  })

  it('knows where registries answer', () => {
    expect(registryBase('docker.io')).toBe('https://registry-1.docker.io')
    expect(registryBase('ghcr.io')).toBe('https://ghcr.io')
    expect(registryBase('127.0.0.1:5000')).toBe('http://127.0.0.1:5000')
  })

  it('parses a Bearer challenge', () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:acme/app:pull"'
      )
    ).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.docker.io/token',
        service: 'registry.docker.io',
        scope: 'repository:acme/app:pull'
      }
    })
    expect(parseChallenge('Basic realm="Registry"')?.scheme).toBe('basic')
  })

  it('tells whether a listed deploy is of the image or commit asked for', () => {
    const image = {
      kind: 'image' as const,
      image: {
        ref: 'acme/app:2',
        registry: 'docker.io',
        repository: 'acme/app',
        tag: '2',
        digest: undefined
      }
    }
    expect(
      deploys(
        { id: 'd', status: 'queued', image: { ref: 'acme/app:2' } },
        image
      )
    ).toBe(true)
    expect(
      deploys(
        { id: 'd', status: 'queued', image: { ref: 'acme/app:1' } },
        image
      )
    ).toBe(false)
    expect(
      deploys(
        { id: 'd', status: 'queued', image: { ref: 'docker.io/acme/app:2' } },
        image
      )
    ).toBe(true)
    expect(
      deploys(
        { id: 'd', status: 'queued', image: { ref: 'docker.io/acme/app:22' } },
        image
      )
    ).toBe(false)
    const commit = { kind: 'commit' as const, commitId: 'abcdef1' }
    expect(
      deploys(
        { id: 'd', status: 'queued', commit: { id: 'abcdef1234' } },
        commit
      )
    ).toBe(true)
    expect(
      deploys({ id: 'd', status: 'queued', commit: { id: '1234567' } }, commit)
    ).toBe(false)
    expect(deploys({ id: 'd', status: 'queued', commit: null }, commit)).toBe(
      true
    )
  })
})

describe('service settings', () => {
  it('reads auto-deploy from the newer field, else the older one', () => {
    expect(
      autoDeployOn({ id: 's', autoDeploy: 'no', autoDeployTrigger: 'commit' })
    ).toBe(true)
    expect(
      autoDeployOn({ id: 's', autoDeploy: 'yes', autoDeployTrigger: 'off' })
    ).toBe(false)
    expect(autoDeployOn({ id: 's', autoDeploy: 'yes' })).toBe(true)
    expect(autoDeployOn({ id: 's', autoDeploy: 'no' })).toBe(false)
  })
})

describe('the health check', () => {
  it('joins the service URL and the path, and bounds its time by the timeout', () => {
    expect(healthUrl('https://app.onrender.com', '/health')).toBe(
      'https://app.onrender.com/health'
    )
    expect(healthUrl('http://127.0.0.1:4000/', '/up?full=1')).toBe(
      'http://127.0.0.1:4000/up?full=1'
    )
    expect(healthBound(10_000)).toBe(2000)
    expect(healthBound(15 * 60_000)).toBe(120_000)
  })
})
