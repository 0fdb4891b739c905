/**
 * Real SDKs against the Sentry stand-in: @sentry/node (in a child process, as
 * an app runs it) and sentry-sdk from the repository's virtual environment
 * (gzip and brotli envelopes). Each event must then come back through the
 * web API, validated against the OpenAPI document, with the release,
 * environment, level and tags the SDK was given.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Json } from '../src/sentry-envelope.js'
import { SentryStandIn } from '../src/sentry.js'
import { REPO_ROOT, SentryContract } from './fixtures/sentry/contract.js'

const run = promisify(execFile)
const FIXTURES = join(
  REPO_ROOT,
  'packages',
  'stand-ins',
  '__tests__',
  'fixtures',
  'sentry'
)
const VENV_PYTHON = join(REPO_ROOT, '.venv', 'bin', 'python')
const HAS_VENV = existsSync(VENV_PYTHON)

const sentry = new SentryStandIn({ ingestionDelayMs: 200 })
let base = ''
let contract: SentryContract

beforeAll(async () => {
  base = await sentry.start()
  contract = await SentryContract.load()
})
afterAll(() => sentry.stop())

/** The child's environment: the DSN, no proxy for 127.0.0.1, no Jest flags. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const key of Object.keys(env))
    if (/^((https?|all|no)_proxy|NODE_OPTIONS)$/i.test(key)) delete env[key]
  return { ...env, SENTRY_DSN: sentry.env()['SENTRY_DSN'], ...extra }
}

/** Polls the event endpoint with backoff until ingestion has finished. */
async function waitForEvent(eventId: string): Promise<Json> {
  const started = Date.now()
  let delay = 50
  let statuses: number[] = []
  for (;;) {
    const answer = await contract.call<Json>(base, {
      path: `/api/0/projects/${sentry.org.slug}/${sentry.project.slug}/events/${eventId}/`,
      token: sentry.authToken
    })
    statuses.push(answer.status)
    if (answer.status === 200) {
      // Ingestion is asynchronous: the first look must have been a 404.
      expect(statuses[0]).toBe(404)
      return answer.body
    }
    expect(answer.status).toBe(404)
    if (Date.now() - started > 10_000)
      throw new Error(`event ${eventId} never appeared: ${statuses.join(',')}`)
    await new Promise((resolve) => setTimeout(resolve, delay))
    delay = Math.min(delay * 2, 500)
    statuses = statuses.slice(-20)
  }
}

interface RawEvent {
  eventId: string
  auth: string
  contentEncoding: string
  client: string | null
}

async function rawEvent(eventId: string): Promise<RawEvent | undefined> {
  const res = await fetch(`${base}/__control/sentry/events`)
  const events = (await res.json()) as RawEvent[]
  return events.find((e) => e.eventId === eventId)
}

function tag(event: Json, key: string): string | undefined {
  return (event['tags'] as Array<{ key: string; value: string }>).find(
    (t) => t.key === key
  )?.value
}

function exceptionOf(event: Json): Json | undefined {
  const entries = event['entries'] as Array<{ type: string; data: Json }>
  const values = entries.find((e) => e.type === 'exception')?.data['values']
  return (values as Json[] | undefined)?.at(-1)
}

function breadcrumbMessages(event: Json): unknown[] {
  const entries = event['entries'] as Array<{ type: string; data: Json }>
  const values = entries.find((e) => e.type === 'breadcrumbs')?.data['values']
  return ((values as Json[] | undefined) ?? []).map((b) => b['message'])
}

describe('@sentry/node', () => {
  async function sendFromNode(
    checkId: string,
    extra: Record<string, string> = {}
  ): Promise<string> {
    const { stdout } = await run(
      process.execPath,
      [join(FIXTURES, 'node-client.mjs')],
      {
        cwd: REPO_ROOT,
        timeout: 30_000,
        env: childEnv({
          SENTRY_RELEASE: 'example@node-1.0.0',
          SENTRY_ENVIRONMENT: 'node-check',
          CHECK_ID: checkId,
          ...extra
        })
      }
    )
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as {
      eventId: string
      flushed: boolean
    }
    expect(result.flushed).toBe(true)
    return result.eventId
  }

  it('delivers an exception that the web API returns with its release, environment and tags', async () => {
    const eventId = await sendFromNode('node-small')
    expect(eventId).toMatch(/^[0-9a-f]{32}$/)
    const event = await waitForEvent(eventId)
    expect(event).toMatchObject({
      eventID: eventId,
      platform: 'node',
      type: 'error',
      title: 'TypeError: node stand-in check',
      release: { version: 'example@node-1.0.0' },
      sdk: { name: 'sentry.javascript.node' }
    })
    expect(tag(event, 'environment')).toBe('node-check')
    expect(tag(event, 'release')).toBe('example@node-1.0.0')
    expect(tag(event, 'level')).toBe('error')
    expect(tag(event, 'shipyard.check')).toBe('node-small')
    expect(exceptionOf(event)).toMatchObject({
      type: 'TypeError',
      value: 'node stand-in check'
    })
    expect(breadcrumbMessages(event)).toContain('about to fail')
    // @sentry/node authenticates with the query string and sends small
    // bodies uncompressed.
    expect(await rawEvent(eventId)).toMatchObject({
      auth: 'query',
      contentEncoding: 'identity',
      client: expect.stringMatching(/^sentry\.javascript\.node\//) as unknown
    })
    const issues = await contract.call<Json[]>(base, {
      path: `/api/0/organizations/${sentry.org.slug}/issues/`,
      query: { query: 'shipyard.check:node-small' },
      token: sentry.authToken
    })
    expect(issues.body.map((i) => i['matchingEventId'])).toEqual([eventId])
  })

  it('gzips a body over 32 KiB, which the stand-in decodes', async () => {
    const eventId = await sendFromNode('node-big', {
      SENTRY_TEST_PADDING: String(40 * 1024)
    })
    const event = await waitForEvent(eventId)
    expect(tag(event, 'shipyard.check')).toBe('node-big')
    expect(String((event['context'] as Json)['padding'])).toHaveLength(
      40 * 1024
    )
    expect((await rawEvent(eventId))?.contentEncoding).toBe('gzip')
  })
})

const pythonSuite = HAS_VENV ? describe : describe.skip
if (!HAS_VENV)
  process.stderr.write(
    'sentry-clients: SKIPPING the sentry-sdk (Python) tests: .venv/bin/python is absent; create it with `bash scripts/python-env.sh`\n'
  )

pythonSuite(
  HAS_VENV
    ? 'sentry-sdk (Python, .venv)'
    : 'sentry-sdk (Python) — skipped: .venv/bin/python is absent (bash scripts/python-env.sh)',
  () => {
    beforeAll(async () => {
      try {
        await run(VENV_PYTHON, ['-c', 'import sentry_sdk, brotli'], {
          timeout: 30_000
        })
      } catch (error) {
        throw new Error(
          `.venv/bin/python cannot import sentry_sdk and brotli (example/requirements.txt); run \`bash scripts/python-env.sh\`: ${String(error)}`
        )
      }
    })

    async function sendFromPython(
      mode: 'gzip' | 'br' | 'default',
      checkId: string
    ): Promise<{ eventId: string; compression: string }> {
      const { stdout } = await run(
        VENV_PYTHON,
        [join(FIXTURES, 'send_event.py'), mode],
        {
          cwd: REPO_ROOT,
          timeout: 30_000,
          env: childEnv({
            SENTRY_RELEASE: 'example@py-1.0.0',
            SENTRY_ENVIRONMENT: 'python-check',
            CHECK_ID: checkId
          })
        }
      )
      return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as {
        eventId: string
        compression: string
      }
    }

    it.each(['gzip', 'br'] as const)(
      'delivers a %s envelope that the web API returns intact',
      async (mode) => {
        const checkId = `py-${mode}`
        const { eventId, compression } = await sendFromPython(mode, checkId)
        expect(compression).toBe(mode)
        const event = await waitForEvent(eventId)
        expect(event).toMatchObject({
          eventID: eventId,
          platform: 'python',
          type: 'error',
          title: 'ZeroDivisionError: division by zero',
          release: { version: 'example@py-1.0.0' },
          // The Django integration turns itself on (Django is in the venv).
          sdk: { name: expect.stringMatching(/^sentry\.python/) as unknown },
          user: null
        })
        expect(tag(event, 'environment')).toBe('python-check')
        expect(tag(event, 'level')).toBe('error')
        expect(tag(event, 'shipyard.check')).toBe(checkId)
        expect(exceptionOf(event)).toMatchObject({
          type: 'ZeroDivisionError',
          value: 'division by zero'
        })
        expect(breadcrumbMessages(event)).toContain('about to fail')
        // sentry-python authenticates with X-Sentry-Auth; the body came in
        // the encoding the transport chose.
        expect(await rawEvent(eventId)).toMatchObject({
          auth: 'header',
          contentEncoding: mode,
          client: expect.stringMatching(/^sentry\.python\/2\./) as unknown
        })
        const envelopes = (await (
          await fetch(`${base}/__control/sentry/envelopes`)
        ).json()) as Array<{ eventId: string | null; contentEncoding: string }>
        expect(
          envelopes.find((e) => e.eventId === eventId)?.contentEncoding
        ).toBe(mode)
      }
    )

    it('uses brotli by default when the brotli package is installed', async () => {
      const { eventId, compression } = await sendFromPython(
        'default',
        'py-default'
      )
      expect(compression).toBe('br')
      await waitForEvent(eventId)
      expect((await rawEvent(eventId))?.contentEncoding).toBe('br')
    })
  }
)
