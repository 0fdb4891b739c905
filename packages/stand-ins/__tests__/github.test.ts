import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it
} from '@jest/globals'
import { getOctokit } from '@actions/github'
import { Ajv, type ValidateFunction } from 'ajv'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { COMMENT_MAX_CHARS, GitHubStandIn } from '../src/github.js'

// ---------------------------------------------------------------- schemas
// Written from GitHub's REST reference (the `deployment`,
// `deployment-status`, `issue-comment`, `simple-user`, `basic-error` and
// `validation-error` schemas).

const ajv = new Ajv({ allErrors: true, strict: false })
const iso = {
  type: 'string',
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$'
}
const url = { type: 'string', pattern: '^https?://' }
const sha = { type: 'string', pattern: '^[0-9a-f]{40}$' }

const userSchema = {
  type: 'object',
  required: [
    'login',
    'id',
    'node_id',
    'avatar_url',
    'url',
    'html_url',
    'type',
    'site_admin'
  ],
  properties: {
    login: { type: 'string' },
    id: { type: 'integer' },
    node_id: { type: 'string' },
    avatar_url: url,
    url,
    html_url: url,
    type: { type: 'string' },
    site_admin: { type: 'boolean' }
  }
}

const deploymentSchema = {
  type: 'object',
  required: [
    'url',
    'id',
    'node_id',
    'sha',
    'ref',
    'task',
    'payload',
    'environment',
    'description',
    'creator',
    'created_at',
    'updated_at',
    'statuses_url',
    'repository_url'
  ],
  properties: {
    url,
    id: { type: 'integer' },
    node_id: { type: 'string' },
    sha,
    ref: { type: 'string' },
    task: { type: 'string' },
    payload: { type: ['object', 'string'] },
    original_environment: { type: 'string' },
    environment: { type: 'string' },
    description: { type: ['string', 'null'] },
    creator: { anyOf: [userSchema, { type: 'null' }] },
    created_at: iso,
    updated_at: iso,
    statuses_url: url,
    repository_url: url,
    transient_environment: { type: 'boolean' },
    production_environment: { type: 'boolean' },
    performed_via_github_app: { type: ['object', 'null'] }
  }
}

const statusSchema = {
  type: 'object',
  required: [
    'url',
    'id',
    'node_id',
    'state',
    'creator',
    'description',
    'target_url',
    'created_at',
    'updated_at',
    'deployment_url',
    'repository_url'
  ],
  properties: {
    url,
    id: { type: 'integer' },
    node_id: { type: 'string' },
    state: {
      enum: [
        'error',
        'failure',
        'inactive',
        'pending',
        'success',
        'queued',
        'in_progress'
      ]
    },
    creator: { anyOf: [userSchema, { type: 'null' }] },
    description: { type: 'string' },
    environment: { type: 'string' },
    target_url: { type: 'string' },
    created_at: iso,
    updated_at: iso,
    deployment_url: url,
    repository_url: url,
    environment_url: { type: 'string' },
    log_url: { type: 'string' }
  }
}

const commentSchema = {
  type: 'object',
  required: [
    'id',
    'node_id',
    'url',
    'html_url',
    'user',
    'created_at',
    'updated_at',
    'issue_url'
  ],
  properties: {
    id: { type: 'integer' },
    node_id: { type: 'string' },
    url,
    body: { type: 'string' },
    html_url: url,
    user: { anyOf: [userSchema, { type: 'null' }] },
    created_at: iso,
    updated_at: iso,
    issue_url: url,
    author_association: {
      enum: [
        'COLLABORATOR',
        'CONTRIBUTOR',
        'FIRST_TIMER',
        'FIRST_TIME_CONTRIBUTOR',
        'MANNEQUIN',
        'MEMBER',
        'NONE',
        'OWNER'
      ]
    },
    reactions: {
      type: 'object',
      required: [
        'url',
        'total_count',
        '+1',
        '-1',
        'laugh',
        'confused',
        'heart',
        'hooray',
        'eyes',
        'rocket'
      ]
    }
  }
}

const basicErrorSchema = {
  type: 'object',
  required: ['message', 'documentation_url', 'status'],
  additionalProperties: false,
  properties: {
    message: { type: 'string' },
    documentation_url: url,
    status: { type: 'string', pattern: '^\\d{3}$' }
  }
}

const validationErrorSchema = {
  type: 'object',
  required: ['message', 'documentation_url', 'errors'],
  properties: {
    message: { const: 'Validation Failed' },
    documentation_url: url,
    errors: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['code'],
        properties: {
          resource: { type: 'string' },
          field: { type: 'string' },
          message: { type: 'string' },
          code: { type: 'string' }
        }
      }
    }
  }
}

const validators = {
  deployment: ajv.compile(deploymentSchema),
  deployments: ajv.compile({ type: 'array', items: deploymentSchema }),
  status: ajv.compile(statusSchema),
  statuses: ajv.compile({ type: 'array', items: statusSchema }),
  comment: ajv.compile(commentSchema),
  comments: ajv.compile({ type: 'array', items: commentSchema }),
  error: ajv.compile(basicErrorSchema),
  validation: ajv.compile(validationErrorSchema)
}

function expectShape(validate: ValidateFunction, data: unknown): void {
  if (!validate(data)) throw new Error(ajv.errorsText(validate.errors))
}

// ----------------------------------------------------------------- set-up

const gh = new GitHubStandIn({
  tokens: [{ token: 'read-only-token', login: 'reader', readOnly: true }],
  repositories: [
    {
      owner: 'shipyard',
      name: 'example',
      branches: { main: 'a'.repeat(40), feature: 'b'.repeat(40) }
    },
    { owner: 'shipyard', name: 'private-app', private: true }
  ]
})
let base = ''
let token = ''
beforeAll(async () => {
  base = await gh.start()
  token = gh.token
})
afterAll(() => gh.stop())
beforeEach(() => {
  gh.clearFaults()
  gh.requests.length = 0
})

type Json = Record<string, unknown>
const call = (
  method: string,
  path: string,
  body?: unknown,
  auth: string | null = token
) =>
  fetch(`${base}${path}`, {
    method,
    headers: {
      accept: 'application/vnd.github+json',
      ...(auth ? { authorization: `Bearer ${auth}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' })
    },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
const repo = '/repos/shipyard/example'
async function deploy(body: Json = {}): Promise<Json> {
  const res = await call('POST', `${repo}/deployments`, {
    ref: 'main',
    auto_merge: false,
    required_contexts: [],
    ...body
  })
  expect(res.status).toBe(201)
  return (await res.json()) as Json
}
/** Parses `Link: <url>; rel="next", …` into {next: url, …}. */
function links(header: string | null): Record<string, string> {
  const out: Record<string, string> = {}
  for (const part of (header ?? '').split(',')) {
    const match = /<([^>]+)>;\s*rel="(\w+)"/.exec(part)
    if (match?.[1] && match[2]) out[match[2]] = match[1]
  }
  return out
}

// ------------------------------------------------------------------ tests

describe('GitHub stand-in: deployments', () => {
  it('writes its URL, token and repository for .services.env', () => {
    expect(gh.env()).toEqual({
      GITHUB_API_URL: base,
      GITHUB_TOKEN: token,
      GITHUB_REPOSITORY: 'shipyard/example'
    })
    expect(token).toMatch(/^ghs_[\w-]{36}$/)
  })

  it('creates a deployment: 201 with GitHub’s fields and a Location', async () => {
    const res = await call('POST', `${repo}/deployments`, {
      ref: 'main',
      environment: 'production',
      auto_merge: false,
      required_contexts: [],
      payload: { image: 'docker.io/shipyard/example@sha256:abc' },
      description: 'Deploy the example app'
    })
    expect(res.status).toBe(201)
    const body = (await res.json()) as Json
    expectShape(validators.deployment, body)
    expect(body).toMatchObject({
      sha: 'a'.repeat(40),
      ref: 'main',
      task: 'deploy',
      environment: 'production',
      original_environment: 'production',
      production_environment: true,
      transient_environment: false,
      payload: { image: 'docker.io/shipyard/example@sha256:abc' },
      description: 'Deploy the example app',
      creator: { login: 'github-actions[bot]', type: 'Bot' }
    })
    expect(res.headers.get('location')).toBe(body['url'])
    expect(body['url']).toBe(`${base}${repo}/deployments/${String(body['id'])}`)
    expect(body['statuses_url']).toBe(`${body['url'] as string}/statuses`)
  })

  it('lists deployments newest first, filtered, with Link pagination', async () => {
    const created = [] as number[]
    for (let i = 0; i < 5; i++)
      created.push(
        (await deploy({ environment: 'pagination', ref: 'feature' }))[
          'id'
        ] as number
      )
    const first = await call(
      'GET',
      `${repo}/deployments?environment=pagination&per_page=2`
    )
    expect(first.status).toBe(200)
    const page1 = (await first.json()) as Json[]
    expectShape(validators.deployments, page1)
    expect(page1.map((d) => d['id'])).toEqual([created[4], created[3]])
    const rels = links(first.headers.get('link'))
    expect(Object.keys(rels).sort()).toEqual(['last', 'next'])
    expect(new URL(rels['next'] ?? '').searchParams.get('page')).toBe('2')
    expect(new URL(rels['last'] ?? '').searchParams.get('page')).toBe('3')
    expect(new URL(rels['next'] ?? '').searchParams.get('environment')).toBe(
      'pagination'
    )
    const last = await call(
      'GET',
      new URL(rels['last'] ?? '').pathname + new URL(rels['last'] ?? '').search
    )
    const page3 = (await last.json()) as Json[]
    expect(page3.map((d) => d['id'])).toEqual([created[0]])
    expect(Object.keys(links(last.headers.get('link'))).sort()).toEqual([
      'first',
      'prev'
    ])
    const bySha = (await (
      await call(
        'GET',
        `${repo}/deployments?sha=${'b'.repeat(40)}&per_page=100`
      )
    ).json()) as Json[]
    expect(bySha.length).toBeGreaterThanOrEqual(5)
    expect(bySha.every((d) => d['ref'] === 'feature')).toBe(true)
    const none = await call('GET', `${repo}/deployments?environment=nowhere`)
    expect(await none.json()).toEqual([])
    expect(none.headers.get('link')).toBeNull()
  })

  it('refuses an unknown ref (422) and failing required contexts (409)', async () => {
    const unknown = await call('POST', `${repo}/deployments`, {
      ref: 'no-such-branch'
    })
    expect(unknown.status).toBe(422)
    const body = await unknown.json()
    expectShape(validators.error, body)
    expect(body).toMatchObject({ message: 'No ref found for: no-such-branch' })
    const missing = await call('POST', `${repo}/deployments`, {
      environment: 'x'
    })
    expect(missing.status).toBe(422)
    expect(((await missing.json()) as Json)['message']).toBe(
      'Invalid request.\n\n"ref" wasn\'t supplied.'
    )

    const sha = gh.setBranch('shipyard/example', 'checked')
    gh.setCommitStatus('shipyard/example', sha, 'ci/test', 'failure')
    const conflict = await call('POST', `${repo}/deployments`, {
      ref: 'checked'
    })
    expect(conflict.status).toBe(409)
    expect(await conflict.json()).toMatchObject({
      message: 'Conflict: Commit status checks failed for checked.',
      errors: [
        {
          contexts: [{ context: 'ci/test', state: 'failure' }],
          field: 'required_contexts'
        }
      ]
    })
    // An empty list skips the check, as SERVICES.md recommends.
    expect(
      (
        await call('POST', `${repo}/deployments`, {
          ref: 'checked',
          required_contexts: []
        })
      ).status
    ).toBe(201)
    gh.setCommitStatus('shipyard/example', sha, 'ci/test', 'success')
    expect(
      (await call('POST', `${repo}/deployments`, { ref: 'checked' })).status
    ).toBe(201)
  })

  it('creates statuses (log_url sets target_url), lists them newest first', async () => {
    const deployment = await deploy({ environment: 'staging-a' })
    const statusesUrl = `${repo}/deployments/${String(deployment['id'])}/statuses`
    const progress = await call('POST', statusesUrl, {
      state: 'in_progress',
      log_url: 'https://ci.example/run/1'
    })
    expect(progress.status).toBe(201)
    const first = (await progress.json()) as Json
    expectShape(validators.status, first)
    expect(first).toMatchObject({
      state: 'in_progress',
      target_url: 'https://ci.example/run/1',
      log_url: 'https://ci.example/run/1',
      environment: 'staging-a',
      description: '',
      environment_url: '',
      deployment_url: `${base}${repo}/deployments/${String(deployment['id'])}`
    })
    expect(progress.headers.get('location')).toBe(first['url'])
    const success = await call('POST', statusesUrl, {
      state: 'success',
      environment_url: 'https://example.onrender.com',
      description: 'Live'
    })
    expect(success.status).toBe(201)
    const list = await call('GET', statusesUrl)
    const statuses = (await list.json()) as Json[]
    expectShape(validators.statuses, statuses)
    expect(statuses.map((s) => s['state'])).toEqual(['success', 'in_progress'])
    const one = await call('GET', `${statusesUrl}/${String(first['id'])}`)
    expect(one.status).toBe(200)
    expectShape(validators.status, await one.json())
  })

  it('refuses a bad state with GitHub’s validation error (422)', async () => {
    const deployment = await deploy()
    const statusesUrl = `${repo}/deployments/${String(deployment['id'])}/statuses`
    const bad = await call('POST', statusesUrl, { state: 'done' })
    expect(bad.status).toBe(422)
    const body = await bad.json()
    expectShape(validators.validation, body)
    expect(body).toMatchObject({
      errors: [
        { resource: 'DeploymentStatus', field: 'state', code: 'invalid' }
      ]
    })
    const missing = await call('POST', statusesUrl, { description: 'x' })
    expect(missing.status).toBe(422)
    const long = await call('POST', statusesUrl, {
      state: 'success',
      description: 'x'.repeat(141)
    })
    expect(long.status).toBe(422)
    expectShape(validators.validation, await long.json())
    const wrongType = await call('POST', statusesUrl, {
      state: 'success',
      auto_inactive: 'yes'
    })
    expect(wrongType.status).toBe(422)
    expect(((await wrongType.json()) as Json)['message']).toContain(
      "For 'properties/auto_inactive'"
    )
    expect(
      (
        await call('POST', `${repo}/deployments/999/statuses`, {
          state: 'success'
        })
      ).status
    ).toBe(404)
  })

  it('marks prior non-production deployments inactive after a success (auto_inactive)', async () => {
    const older = await deploy({ environment: 'review' })
    const olderStatuses = `${repo}/deployments/${String(older['id'])}/statuses`
    await call('POST', olderStatuses, { state: 'success' })
    const newer = await deploy({ environment: 'review' })
    await call('POST', `${repo}/deployments/${String(newer['id'])}/statuses`, {
      state: 'success'
    })
    const states = (
      (await (await call('GET', olderStatuses)).json()) as Json[]
    ).map((s) => s['state'])
    expect(states).toEqual(['inactive', 'success'])
    // Production deployments are left alone, as documented.
    const prod = await deploy({ environment: 'production' })
    const prodStatuses = `${repo}/deployments/${String(prod['id'])}/statuses`
    await call('POST', prodStatuses, { state: 'success' })
    const next = await deploy({ environment: 'production' })
    await call('POST', `${repo}/deployments/${String(next['id'])}/statuses`, {
      state: 'success'
    })
    const prodStates = (
      (await (await call('GET', prodStatuses)).json()) as Json[]
    ).map((s) => s['state'])
    expect(prodStates).toEqual(['success'])
  })
})

describe('GitHub stand-in: issue comments', () => {
  it('creates, lists (oldest first), gets and updates a sticky comment', async () => {
    const created = await call('POST', `${repo}/issues/1/comments`, {
      body: 'Deploy: pending'
    })
    expect(created.status).toBe(201)
    const comment = (await created.json()) as Json
    expectShape(validators.comment, comment)
    expect(comment).toMatchObject({
      body: 'Deploy: pending',
      issue_url: `${base}${repo}/issues/1`,
      author_association: 'NONE',
      user: { login: 'github-actions[bot]' }
    })
    expect(comment['html_url']).toMatch(
      /\/shipyard\/example\/pull\/1#issuecomment-\d+$/
    )
    await call('POST', `${repo}/issues/1/comments`, { body: 'second' })
    const list = (await (
      await call('GET', `${repo}/issues/1/comments`)
    ).json()) as Json[]
    expectShape(validators.comments, list)
    expect(list.map((c) => c['body']).slice(0, 2)).toEqual([
      'Deploy: pending',
      'second'
    ])

    const commentUrl = `${repo}/issues/comments/${String(comment['id'])}`
    const updated = await call('PATCH', commentUrl, { body: 'Deploy: live ✅' })
    expect(updated.status).toBe(200)
    const after = (await updated.json()) as Json
    expectShape(validators.comment, after)
    expect(after).toMatchObject({ id: comment['id'], body: 'Deploy: live ✅' })
    expect(
      ((await (await call('GET', commentUrl)).json()) as Json)['body']
    ).toBe('Deploy: live ✅')
    expect((await call('DELETE', commentUrl)).status).toBe(204)
    expect((await call('GET', commentUrl)).status).toBe(404)
  })

  it('pages a pull request’s comments with Link headers (per_page at most 100); a read-only token reads but cannot edit', async () => {
    gh.addIssue('shipyard/example', 31)
    const path = `${repo}/issues/31/comments`
    const ids: unknown[] = []
    for (const body of ['one', 'two', 'three'])
      ids.push(
        ((await (await call('POST', path, { body })).json()) as Json)['id']
      )
    const first = await call('GET', `${path}?per_page=2`)
    expect(((await first.json()) as Json[]).map((c) => c['id'])).toEqual(
      ids.slice(0, 2)
    )
    const rels = links(first.headers.get('link'))
    expect(Object.keys(rels).sort()).toEqual(['last', 'next'])
    const next = new URL(rels['next'] ?? '')
    expect(next.searchParams.get('page')).toBe('2')
    const second = await call('GET', next.pathname + next.search)
    expect(((await second.json()) as Json[]).map((c) => c['id'])).toEqual(
      ids.slice(2)
    )
    expect(Object.keys(links(second.headers.get('link'))).sort()).toEqual([
      'first',
      'prev'
    ])
    const all = await call('GET', `${path}?per_page=500`)
    expect((await all.json()) as Json[]).toHaveLength(3)
    expect(all.headers.get('link')).toBeNull()

    const commentUrl = `${repo}/issues/comments/${String(ids[0])}`
    expect((await call('GET', path, undefined, 'read-only-token')).status).toBe(
      200
    )
    for (const method of ['PATCH', 'DELETE']) {
      const res = await call(
        method,
        commentUrl,
        method === 'PATCH' ? { body: 'x' } : undefined,
        'read-only-token'
      )
      expect([method, res.status]).toEqual([method, 403])
      expect(((await res.json()) as Json)['message']).toBe(
        'Resource not accessible by integration'
      )
    }
    expect(
      ((await (await call('GET', commentUrl)).json()) as Json)['body']
    ).toBe('one')
  })

  it('answers 404 {"message":"Not Found"} for unknown repositories, issues and comments', async () => {
    for (const [method, path] of [
      ['POST', '/repos/shipyard/nope/issues/1/comments'],
      ['POST', `${repo}/issues/404/comments`],
      ['PATCH', `${repo}/issues/comments/1`],
      ['GET', '/repos/nobody/nothing/deployments']
    ] as const) {
      const res = await call(
        method,
        path,
        method === 'GET' ? undefined : { body: 'x' }
      )
      expect(res.status).toBe(404)
      const body = await res.json()
      expectShape(validators.error, body)
      expect(body).toMatchObject({ message: 'Not Found', status: '404' })
    }
  })

  it('validates the body: missing, too long', async () => {
    const missing = await call('POST', `${repo}/issues/1/comments`, {})
    expect(missing.status).toBe(422)
    expect(((await missing.json()) as Json)['message']).toBe(
      'Invalid request.\n\n"body" wasn\'t supplied.'
    )
    const long = await call('POST', `${repo}/issues/1/comments`, {
      body: 'x'.repeat(COMMENT_MAX_CHARS + 1)
    })
    expect(long.status).toBe(422)
    expectShape(validators.validation, await long.json())
    expect(
      (
        await call('POST', `${repo}/issues/1/comments`, {
          body: 'x'.repeat(COMMENT_MAX_CHARS)
        })
      ).status
    ).toBe(201)
  })
})

describe('GitHub stand-in: auth, rate limits, faults', () => {
  it('answers 401 Bad credentials to an unknown token', async () => {
    const res = await call('GET', `${repo}/deployments`, undefined, 'ghs_wrong')
    expect(res.status).toBe(401)
    const body = await res.json()
    expectShape(validators.error, body)
    expect(body).toEqual({
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/rest',
      status: '401'
    })
    const scheme = await fetch(`${base}${repo}/deployments`, {
      headers: { authorization: `token ${token}` }
    })
    expect(scheme.status).toBe(200)
  })

  it('lets anonymous callers read public repositories only, at 60/hour', async () => {
    const read = await call('GET', `${repo}/deployments`, undefined, null)
    expect(read.status).toBe(200)
    expect(read.headers.get('x-ratelimit-limit')).toBe('60')
    const write = await call(
      'POST',
      `${repo}/deployments`,
      { ref: 'main' },
      null
    )
    expect(write.status).toBe(401)
    expect(((await write.json()) as Json)['message']).toBe(
      'Requires authentication'
    )
    expect(
      (
        await call(
          'GET',
          '/repos/shipyard/private-app/deployments',
          undefined,
          null
        )
      ).status
    ).toBe(404)
    expect(
      (await call('GET', '/repos/shipyard/private-app/deployments')).status
    ).toBe(200)
  })

  it('answers 403 to a token without write access', async () => {
    const res = await call(
      'POST',
      `${repo}/issues/1/comments`,
      { body: 'x' },
      'read-only-token'
    )
    expect(res.status).toBe(403)
    expectShape(validators.error, await res.json())
    expect(res.headers.get('x-accepted-github-permissions')).toContain(
      'issues=write'
    )
  })

  it('sends x-ratelimit-* and x-github-request-id; 403 with remaining 0 over the limit', async () => {
    const limited = new GitHubStandIn({ rateLimit: 2 })
    const url = await limited.start()
    try {
      const get = () =>
        fetch(`${url}/repos/shipyard/example/deployments`, {
          headers: { authorization: `token ${limited.token}` }
        })
      const first = await get()
      expect(first.status).toBe(200)
      expect({
        limit: first.headers.get('x-ratelimit-limit'),
        remaining: first.headers.get('x-ratelimit-remaining'),
        used: first.headers.get('x-ratelimit-used'),
        resource: first.headers.get('x-ratelimit-resource')
      }).toEqual({ limit: '2', remaining: '1', used: '1', resource: 'core' })
      const reset = Number(first.headers.get('x-ratelimit-reset'))
      expect(reset).toBeGreaterThan(Date.now() / 1000 + 3500)
      expect(first.headers.get('x-github-request-id')).toMatch(
        /^[0-9A-F]{4}:[0-9A-F]{4}:[0-9A-F]{6}:[0-9A-F]{6}:[0-9A-F]{8}$/
      )
      const second = await get()
      expect(second.headers.get('x-github-request-id')).not.toBe(
        first.headers.get('x-github-request-id')
      )
      const over = await get()
      expect(over.status).toBe(403)
      expect(over.headers.get('x-ratelimit-remaining')).toBe('0')
      const body = (await over.json()) as Json
      expectShape(validators.error, body)
      expect(body['message']).toMatch(
        /^API rate limit exceeded for user ID \d+\.$/
      )
      const rate = (await (
        await fetch(`${url}/rate_limit`, {
          headers: { authorization: `token ${limited.token}` }
        })
      ).json()) as Json
      expect(rate['rate']).toMatchObject({ limit: 2, remaining: 0, used: 2 })
    } finally {
      await limited.stop()
    }
  })

  it('switches faults on per route through the framework', async () => {
    gh.addFault({
      kind: 'rate-limit',
      method: 'POST',
      path: '/deployments$',
      retryAfter: 3
    })
    const limited = await call('POST', `${repo}/deployments`, {
      ref: 'main',
      required_contexts: []
    })
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('3')
    expect(limited.headers.get('x-github-request-id')).not.toBeNull()
    expectShape(validators.error, await limited.json())
    expect(
      (
        await call('POST', `${repo}/deployments`, {
          ref: 'main',
          required_contexts: []
        })
      ).status
    ).toBe(201)
    gh.addFault({ kind: 'malformed', path: '/comments$' })
    await expect(
      (await call('GET', `${repo}/issues/1/comments`)).json()
    ).rejects.toThrow()
  })

  it('keeps the token out of the request log', async () => {
    await deploy()
    const log = JSON.stringify(gh.requests)
    expect(log).not.toContain(token)
    expect(log).toContain('Bearer ***')
  })

  it('has schemas that reject a wrong answer', () => {
    expect(validators.status({ state: 'done' })).toBe(false)
    expect(validators.error({ message: 'Not Found' })).toBe(false)
    expect(
      validators.validation({
        message: 'Validation Failed',
        documentation_url: 'https://x',
        errors: []
      })
    ).toBe(false)
  })
})

describe('GitHub stand-in: @actions/github against it', () => {
  it('creates a deployment, a status and a sticky comment with getOctokit(token, {baseUrl})', async () => {
    const octokit = getOctokit(token, { baseUrl: base })
    const owner = 'shipyard'
    const name = 'example'
    const { data: deployment, status } =
      await octokit.rest.repos.createDeployment({
        owner,
        repo: name,
        ref: 'main',
        environment: 'octokit',
        auto_merge: false,
        required_contexts: [],
        payload: { image: 'example@sha256:1' }
      })
    expect(status).toBe(201)
    expectShape(validators.deployment, deployment)
    if (!('id' in deployment))
      throw new Error('expected a deployment, got a merge message')
    const { data: depStatus } = await octokit.rest.repos.createDeploymentStatus(
      {
        owner,
        repo: name,
        deployment_id: deployment.id,
        state: 'success',
        environment_url: 'https://example.onrender.com',
        log_url: 'https://github.com/shipyard/example/actions/runs/1'
      }
    )
    expect(depStatus.state).toBe('success')
    expect(depStatus.target_url).toBe(
      'https://github.com/shipyard/example/actions/runs/1'
    )
    const { data: comment } = await octokit.rest.issues.createComment({
      owner,
      repo: name,
      issue_number: 1,
      body: 'sticky v1'
    })
    const { data: updated } = await octokit.rest.issues.updateComment({
      owner,
      repo: name,
      comment_id: comment.id,
      body: 'sticky v2'
    })
    expect(updated.body).toBe('sticky v2')
    const all = await octokit.paginate(octokit.rest.repos.listDeployments, {
      owner,
      repo: name,
      per_page: 2
    })
    expect(all.length).toBeGreaterThan(2)
    expect(all.some((d) => d.id === deployment.id)).toBe(true)
    // Errors come back as RequestError with the real status codes.
    await expect(
      octokit.rest.repos.createDeploymentStatus({
        owner,
        repo: name,
        deployment_id: deployment.id,
        state: 'done' as 'success'
      })
    ).rejects.toMatchObject({ status: 422 })
    await expect(
      octokit.rest.repos.listDeployments({ owner, repo: 'missing' })
    ).rejects.toMatchObject({ status: 404 })
    await expect(
      getOctokit('ghs_wrong', { baseUrl: base }).rest.repos.listDeployments({
        owner,
        repo: name
      })
    ).rejects.toMatchObject({ status: 401 })
  })

  it('is used unchanged by a fresh getOctokit(token) when GITHUB_API_URL points at it', async () => {
    const script = `
      const { getOctokit, context } = await import('@actions/github')
      const [owner, repo] = process.env.GITHUB_REPOSITORY.split('/')
      const octokit = getOctokit(process.env.GITHUB_TOKEN)
      const { data: d } = await octokit.rest.repos.createDeployment({
        owner, repo, ref: 'main', environment: 'child', auto_merge: false, required_contexts: []
      })
      const { data: s } = await octokit.rest.repos.createDeploymentStatus({
        owner, repo, deployment_id: d.id, state: 'in_progress'
      })
      const { data: c } = await octokit.rest.issues.createComment({
        owner, repo, issue_number: 1, body: 'from a child process'
      })
      process.stdout.write(JSON.stringify({ apiUrl: context.apiUrl, deployment: d.id, status: s.state, comment: c.id }))
    `
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '',
      ...gh.env()
    }
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', script],
      {
        env,
        cwd: process.cwd(),
        timeout: 20000
      }
    )
    const result = JSON.parse(stdout) as Json
    expect(result['apiUrl']).toBe(base)
    expect(result['status']).toBe('in_progress')
    expect(
      gh.received(
        `^/repos/shipyard/example/deployments/${String(result['deployment'])}/statuses$`,
        'POST'
      )
    ).toHaveLength(1)
    expect(
      gh
        .received('^/repos/shipyard/example/issues/1/comments$', 'POST')
        .map((r) => r.status)
    ).toContain(201)
    const agents = gh.requests.map((r) => r.headers['user-agent'] ?? '')
    expect(agents.every((a) => a.includes('octokit'))).toBe(true)
  })
})
