/**
 * The pull-request coverage comment against the GitHub stand-in (the real
 * HTTP contract: pagination with Link headers, a read-only token's 403,
 * faults): created once, then edited, never duplicated; skipped on forks and
 * refusals with one log line; a warning, never a failure, on other errors;
 * and the token never in anything it prints or writes.
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
import { GitHubStandIn } from '@shipyard/stand-ins'
import type { CommentInputs } from '../src/ci-test-inputs.js'
import type { TestRunResult } from '../src/tests.js'

const core = mockCore()
jest.unstable_mockModule('@actions/core', () => core)

const { ConfigurationError } = await import('@shipyard/action-kit')
const { main } = await import('../src/main.js')
const {
  commentMarker,
  commentMarkdown,
  getCommentInputs,
  updatePullRequestComment
} = await import('../src/pr-comment.js')
type ResultsReport = import('../src/pr-comment.js').ResultsReport

const OWNER = 'shipyard'
const REPO = 'example'
const PR = 7
const READ_ONLY = 'ghs_readonlyreadonlyreadonlyreadonly00'
const HEAD_SHA = '3f2a9c41d5e6b7a8c9d0e1f2a3b4c5d6e7f8a9b0'

const gh = new GitHubStandIn({
  tokens: [{ token: READ_ONLY, login: 'github-actions[bot]', readOnly: true }],
  repositories: [
    {
      owner: OWNER,
      name: REPO,
      issues: [
        { number: PR, pullRequest: true },
        { number: 8, pullRequest: true },
        { number: 9, pullRequest: true }
      ]
    }
  ]
})
let api: string
let tmp: string

beforeAll(async () => {
  api = await gh.start()
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pr-comment-'))
})
afterAll(async () => {
  await gh.stop()
  fs.rmSync(tmp, { recursive: true, force: true })
})
beforeEach(() => {
  core.reset()
  gh.clearFaults()
  gh.requests.length = 0
})
afterEach(() => {
  // Whatever a test did, the token is in nothing printed.
  for (const token of [gh.token, READ_ONLY])
    expect(core.log.filter((line) => line.includes(token))).toEqual([])
})

/** The environment of a run on `event` with `payload`. */
function runEnv(
  event: string,
  payload: unknown,
  extra: Record<string, string> = {}
): NodeJS.ProcessEnv {
  const file = path.join(tmp, `event-${Math.random().toString(36).slice(2)}`)
  fs.writeFileSync(file, JSON.stringify(payload))
  return {
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: file,
    GITHUB_API_URL: api,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_RUN_ID: '4242',
    ...extra
  }
}

function pullRequest(
  number = PR,
  head = `${OWNER}/${REPO}`
): Record<string, unknown> {
  return {
    action: 'synchronize',
    number,
    pull_request: {
      number,
      head: { sha: HEAD_SHA, repo: { full_name: head } },
      base: { ref: 'main', repo: { full_name: `${OWNER}/${REPO}` } }
    },
    repository: { full_name: `${OWNER}/${REPO}` }
  }
}

function tests(
  coverage: number,
  counts = { tests: 12, failures: 0, errors: 0, skipped: 1 }
): TestRunResult {
  return {
    runner: 'pytest',
    exitCode: counts.failures + counts.errors > 0 ? 1 : 0,
    counts,
    cases: [],
    coverage: {
      display: coverage.toFixed(2),
      percent: coverage,
      files: [
        {
          file: 'shop/views.py',
          percent: 41.5,
          statements: 40,
          missing: 20,
          branches: 6,
          missingBranches: 3
        },
        {
          file: 'shop/models.py',
          percent: 100,
          statements: 10,
          missing: 0,
          branches: 0,
          missingBranches: 0
        },
        {
          file: 'shop/prices.py',
          percent: 88,
          statements: 25,
          missing: 3,
          branches: 4,
          missingBranches: 1
        }
      ]
    }
  }
}

function report(
  coverage: number,
  overrides: Partial<ResultsReport> = {}
): ResultsReport {
  return {
    project: 'example',
    threshold: 80,
    tests: tests(coverage),
    lint: { config: 'setup.cfg', findings: [], output: '' },
    deploy: { findings: [], output: '' },
    migrations: undefined,
    reasons:
      coverage < 80
        ? [`coverage ${coverage.toFixed(2)}% is below the threshold 80%`]
        : [],
    ...overrides
  }
}

const withToken = (token = gh.token): CommentInputs => ({
  mode: 'auto',
  token
})

/** The comments on a pull request, as GitHub lists them (every page). */
async function comments(
  number = PR
): Promise<Array<{ id: number; body: string }>> {
  const all: Array<{ id: number; body: string }> = []
  for (let page = 1; ; page++) {
    const res = await fetch(
      `${api}/repos/${OWNER}/${REPO}/issues/${number}/comments?per_page=100&page=${page}`,
      { headers: { authorization: `Bearer ${gh.token}` } }
    )
    const list = (await res.json()) as Array<{ id: number; body: string }>
    all.push(...list)
    if (!res.headers.get('link')?.includes('rel="next"')) return all
  }
}

async function addComment(number: number, body: string): Promise<number> {
  const res = await fetch(
    `${api}/repos/${OWNER}/${REPO}/issues/${number}/comments`,
    {
      method: 'POST',
      headers: {
        authorization: `Bearer ${gh.token}`,
        'content-type': 'application/json'
      },
      body: JSON.stringify({ body })
    }
  )
  expect(res.status).toBe(201)
  return ((await res.json()) as { id: number }).id
}

const apiCalls = (): string[] =>
  gh.requests
    .filter((r) => r.path.startsWith('/repos/'))
    .map((r) => `${r.method} ${r.path} ${r.status ?? ''}`.trim())

const lines = (kind: string): string[] =>
  core.log.filter((line) => line.startsWith(`${kind}: `))

describe('getCommentInputs', () => {
  it('defaults to auto and masks the token at once', () => {
    core.setInputs({ 'github-token': gh.token })
    expect(getCommentInputs()).toEqual({ mode: 'auto', token: gh.token })
    expect(core.secrets).toContain(gh.token)
  })

  it.each(['auto', 'always', 'never'] as const)('accepts %s', (mode) => {
    core.setInputs({ comment: mode, 'github-token': 'ghs_x1y2z3' })
    expect(getCommentInputs().mode).toBe(mode)
  })

  it('refuses any other value, naming the input, the value and what is accepted', () => {
    core.setInputs({ comment: 'yes', 'github-token': gh.token })
    expect(() => getCommentInputs()).toThrow(ConfigurationError)
    expect(() => getCommentInputs()).toThrow(
      'Invalid value for input \'comment\': "yes". Accepted: one of `auto`, `always`, `never`.'
    )
  })

  it('needs a token for `always`, and not for auto or never', () => {
    core.setInputs({ comment: 'always' })
    expect(() => getCommentInputs()).toThrow(
      /Input required and not supplied: 'github-token' \(`comment` is `always`\)/
    )
    core.setInputs({ comment: 'auto' })
    expect(getCommentInputs()).toEqual({ mode: 'auto', token: '' })
    core.setInputs({ comment: 'never' })
    expect(getCommentInputs()).toEqual({ mode: 'never', token: '' })
  })
})

describe('main', () => {
  it('refuses a bad `comment` before it builds or writes anything', async () => {
    const workspace = fs.mkdtempSync(path.join(tmp, 'ws-'))
    const runnerTemp = fs.mkdtempSync(path.join(tmp, 'runner-'))
    fs.writeFileSync(path.join(workspace, 'manage.py'), '')
    const saved = { ...process.env }
    process.env['GITHUB_WORKSPACE'] = workspace
    process.env['RUNNER_TEMP'] = runnerTemp
    try {
      core.setInputs({ comment: 'sometimes', 'github-token': gh.token })
      await expect(main()).rejects.toThrow(
        'Invalid value for input \'comment\': "sometimes"'
      )
    } finally {
      process.env = saved
    }
    expect(fs.readdirSync(runnerTemp)).toEqual([])
    expect(core.log.join('\n')).not.toContain('Python environment')
    expect(apiCalls()).toEqual([])
  })
})

describe('commentMarkdown', () => {
  it('starts with the marker and shows the results, the worst files and the run', () => {
    const body = commentMarkdown(report(71.5), {
      runUrl: 'https://github.com/shipyard/example/actions/runs/4242',
      sha: HEAD_SHA
    })
    expect(body.split('\n')[0]).toBe('<!-- shipyard:ci-test:example -->')
    expect(body).toContain('### ❌ ci-test failed: `example`')
    expect(body).toContain(
      '| ✅ | tests (pytest) | 12 run, 0 failed, 0 errors, 1 skipped |'
    )
    expect(body).toContain(
      '| ❌ | coverage (branch) | 71.50% (threshold 80%) |'
    )
    expect(body).toContain('| ➖ | missing migrations | not run |')
    expect(body).toContain('- coverage 71.50% is below the threshold 80%')
    // Worst first; fully covered files are not listed.
    const views = body.indexOf('`shop/views.py`')
    const prices = body.indexOf('`shop/prices.py`')
    expect(views).toBeGreaterThan(0)
    expect(prices).toBeGreaterThan(views)
    expect(body).not.toContain('shop/models.py')
    expect(body).toContain(
      '[Details in the run](https://github.com/shipyard/example/actions/runs/4242)'
    )
    expect(body).toContain('commit 3f2a9c4')
  })

  it('says passed, and why nothing ran when the environment failed', () => {
    expect(commentMarkdown(report(90))).toContain(
      '### ✅ ci-test passed: `example`'
    )
    const stopped = commentMarkdown({
      project: 'backend',
      failure: 'The Python environment could not be built: pip failed'
    })
    expect(stopped.split('\n')[0]).toBe(commentMarker('backend'))
    expect(stopped).toContain('### ❌ ci-test failed: `backend`')
    expect(stopped).toContain('pip failed')
  })

  it('keeps a project path from closing the marker early', () => {
    expect(commentMarker('a-->b')).toBe('<!-- shipyard:ci-test:a- ->b -->')
  })
})

describe('updatePullRequestComment against the GitHub stand-in', () => {
  it('creates the comment, then edits it on the next run: one comment, new figures', async () => {
    const env = runEnv('pull_request', pullRequest())
    const first = await updatePullRequestComment(withToken(), report(71.5), env)
    expect(first).toMatchObject({ action: 'created' })
    let list = await comments()
    expect(list).toHaveLength(1)
    expect(list[0]?.body).toContain('71.50% (threshold 80%)')
    expect(lines('info')).toEqual([
      expect.stringMatching(
        /^info: Coverage comment added: https:\/\/github\.com\/shipyard\/example\/pull\/7#issuecomment-\d+$/
      )
    ])

    core.reset()
    gh.requests.length = 0
    const second = await updatePullRequestComment(
      withToken(),
      report(86.25),
      env
    )
    expect(second).toMatchObject({ action: 'updated' })
    if (first.action !== 'created' || second.action !== 'updated')
      throw new Error('unexpected outcome')
    expect(second.id).toBe(first.id)
    const calls = apiCalls()
    list = await comments()
    expect(list).toHaveLength(1)
    expect(list[0]?.body).toContain('86.25% (threshold 80%)')
    expect(list[0]?.body).not.toContain('71.50%')
    expect(list[0]?.body).toContain('### ✅ ci-test passed')
    expect(calls).toEqual([
      `GET /repos/${OWNER}/${REPO}/issues/${PR}/comments 200`,
      `PATCH /repos/${OWNER}/${REPO}/issues/comments/${first.id} 200`
    ])
    // The token went out as GitHub expects it, and only there.
    expect(gh.requests[0]?.headers['authorization']).toMatch(/^token \*\*\*$/)

    // The same results again: nothing to edit.
    core.reset()
    expect(
      await updatePullRequestComment(withToken(), report(86.25), env)
    ).toMatchObject({ action: 'unchanged', id: first.id })
  })

  it('finds its comment on a later page (Link pagination) and edits it', async () => {
    const number = 8
    for (let i = 0; i < 100; i++) await addComment(number, `chatter ${i}`)
    const env = runEnv('pull_request', pullRequest(number))
    const made = await updatePullRequestComment(withToken(), report(70), env)
    expect(made.action).toBe('created')
    if (made.action !== 'created') return
    // A human quoting the marker is not the comment.
    await addComment(number, `> ${commentMarker('example')}\n> quoted`)
    gh.requests.length = 0

    const edited = await updatePullRequestComment(withToken(), report(95), env)
    expect(edited).toMatchObject({ action: 'updated', id: made.id })
    expect(
      gh
        .received(`^/repos/${OWNER}/${REPO}/issues/${number}/comments$`, 'GET')
        .map((r) => r.query['page'] ?? '1')
    ).toEqual(['1', '2'])
    const list = await comments(number)
    expect(list).toHaveLength(102)
    const ours = list.filter((c) => c.body.startsWith(commentMarker('example')))
    expect(ours).toHaveLength(1)
    expect(ours[0]?.body).toContain('95.00%')
  })

  it('keeps one comment per project directory', async () => {
    const number = 9
    const env = runEnv('pull_request', pullRequest(number))
    await updatePullRequestComment(withToken(), report(90), env)
    await updatePullRequestComment(
      withToken(),
      report(60, { project: 'backend' }),
      env
    )
    await updatePullRequestComment(withToken(), report(91), env)
    const list = await comments(number)
    expect(list.map((c) => c.body.split('\n')[0])).toEqual([
      commentMarker('example'),
      commentMarker('backend')
    ])
    expect(list[0]?.body).toContain('91.00%')
  })

  it('skips a pull request from a fork with one info line, without calling GitHub', async () => {
    const env = runEnv('pull_request', pullRequest(PR, 'someone/example'))
    const outcome = await updatePullRequestComment(withToken(), report(90), env)
    expect(outcome).toEqual({
      action: 'skipped',
      reason:
        'pull request #7 comes from a fork, whose token may not write comments'
    })
    expect(lines('info')).toEqual([
      'info: No coverage comment: pull request #7 comes from a fork, whose token may not write comments.'
    ])
    expect(lines('warning')).toEqual([])
    expect(apiCalls()).toEqual([])
  })

  it('comments on a fork under pull_request_target (its token may write), and with `always`', async () => {
    const number = 9
    const before = (await comments(number)).length
    const target = await updatePullRequestComment(
      withToken(),
      report(90, { project: 'fork-target' }),
      runEnv('pull_request_target', pullRequest(number, 'someone/example'))
    )
    expect(target.action).toBe('created')
    const always = await updatePullRequestComment(
      { mode: 'always', token: gh.token },
      report(90, { project: 'fork-always' }),
      runEnv('pull_request', pullRequest(number, 'someone/example'))
    )
    expect(always.action).toBe('created')
    expect(await comments(number)).toHaveLength(before + 2)
  })

  it('with `always`, finds the pull request of an issue_comment event; auto does not comment there', async () => {
    const number = 9
    const payload = {
      action: 'created',
      issue: { number, pull_request: { url: 'x' } },
      repository: { full_name: `${OWNER}/${REPO}` }
    }
    const auto = await updatePullRequestComment(
      withToken(),
      report(90, { project: 'from-issue-comment' }),
      runEnv('issue_comment', payload)
    )
    expect(auto).toMatchObject({ action: 'skipped' })
    const always = await updatePullRequestComment(
      { mode: 'always', token: gh.token },
      report(90, { project: 'from-issue-comment' }),
      runEnv('issue_comment', payload)
    )
    expect(always.action).toBe('created')
    expect(
      (await comments(number)).filter((c) =>
        c.body.startsWith(commentMarker('from-issue-comment'))
      )
    ).toHaveLength(1)
  })

  it('skips on a 403 (a read-only token) with one info line naming the permission', async () => {
    const env = runEnv('pull_request', pullRequest())
    const before = await comments()
    gh.requests.length = 0
    const outcome = await updatePullRequestComment(
      withToken(READ_ONLY),
      report(99),
      env
    )
    expect(outcome).toEqual({
      action: 'skipped',
      reason: 'GitHub answered 403'
    })
    expect(lines('warning')).toEqual([])
    expect(lines('info')).toEqual([
      expect.stringMatching(
        /^info: No coverage comment on shipyard\/example#7: GitHub answered 403 \(Resource not accessible by integration.*\); the token needs `pull-requests: write`\.$/
      )
    ])
    expect(gh.requests.map((r) => `${r.method} ${r.status ?? ''}`)).toEqual([
      'GET 200',
      before.length > 0 ? 'PATCH 403' : 'POST 403'
    ])
    expect(await comments()).toEqual(before)
  })

  it('skips on a 404 (no such pull request) the same way', async () => {
    const outcome = await updatePullRequestComment(
      withToken(),
      report(99),
      runEnv('pull_request', pullRequest(404))
    )
    expect(outcome).toEqual({
      action: 'skipped',
      reason: 'GitHub answered 404'
    })
    expect(lines('info')).toHaveLength(1)
    expect(lines('warning')).toEqual([])
  })

  it('turns a 500 into a warning, never a throw', async () => {
    gh.addFault({
      kind: 'error-burst',
      status: 500,
      path: '/issues/\\d+/comments$',
      count: -1
    })
    const outcome = await updatePullRequestComment(
      withToken(),
      report(99),
      runEnv('pull_request', pullRequest())
    )
    expect(outcome.action).toBe('failed')
    expect(lines('warning')).toEqual([
      expect.stringMatching(
        /^warning: The coverage comment on shipyard\/example#7 could not be written: .+\. The tests' result is not affected\.$/
      )
    ])
    expect(lines('warning')[0]).toContain('The service is unavailable')
  })

  it('never prints the token, even when an answer echoes the request back', async () => {
    gh.addFault({
      kind: 'echo',
      status: 502,
      path: '/issues/\\d+/comments$',
      count: -1
    })
    const outcome = await updatePullRequestComment(
      withToken(),
      report(99),
      runEnv('pull_request', pullRequest())
    )
    expect(outcome.action).toBe('failed')
    if (outcome.action !== 'failed') return
    // The answer held the request's headers; what is printed does not hold the token.
    expect(lines('warning')).toHaveLength(1)
    // It was there to print: scrubbed to *** where the answer repeated it.
    expect(lines('warning')[0]).toContain('"authorization":"token ***"')
    expect(outcome.reason).not.toContain(gh.token)
    expect(core.secrets).toContain(gh.token)
  })

  it('with `never`, or on a push, does nothing and says so only in the debug log', async () => {
    const env = runEnv('pull_request', pullRequest())
    const never = await updatePullRequestComment(
      { mode: 'never', token: gh.token },
      report(90),
      env
    )
    const push = await updatePullRequestComment(
      withToken(),
      report(90),
      runEnv('push', { ref: 'refs/heads/main' })
    )
    expect(never).toEqual({ action: 'skipped', reason: '`comment` is `never`' })
    expect(push).toEqual({
      action: 'skipped',
      reason: 'the event is not a pull request (push)'
    })
    expect(apiCalls()).toEqual([])
    expect(lines('info')).toEqual([])
    expect(lines('warning')).toEqual([])
    expect(lines('debug')).toHaveLength(2)
  })

  it('skips with an info line when there is no token or no pull request in the event', async () => {
    const noToken = await updatePullRequestComment(
      { mode: 'auto', token: '' },
      report(90),
      runEnv('pull_request', pullRequest())
    )
    const noPr = await updatePullRequestComment(
      { mode: 'always', token: gh.token },
      report(90),
      runEnv('workflow_dispatch', {})
    )
    expect(noToken).toMatchObject({ action: 'skipped' })
    expect(noPr).toMatchObject({ action: 'skipped' })
    expect(lines('info')).toEqual([
      'info: No coverage comment: no `github-token` was given.',
      'info: No coverage comment: the workflow_dispatch event carries no pull request.'
    ])
    expect(apiCalls()).toEqual([])
  })
})
