/**
 * The committed bundle on a pull_request event, as the runner starts it,
 * against the GitHub stand-in: it finds the comment an earlier run wrote (on
 * the second page of the pull request's comments) and edits it with this
 * run's figures, and the token shows nowhere but in the runner's add-mask.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { GitHubStandIn } from '@shipyard/stand-ins'
import { DJANGO, djangoProject } from './support/django-fixture.js'
import { cleanUp, makeWorkspace, runBundle } from './support/run-bundle.js'
import type { BundleRun } from './support/run-bundle.js'

jest.setTimeout(300_000)

const OWNER = 'shipyard'
const REPO = 'example'
const PR = 12
const MARKER = '<!-- shipyard:ci-test:. -->'

const gh = new GitHubStandIn({
  repositories: [
    { owner: OWNER, name: REPO, issues: [{ number: PR, pullRequest: true }] }
  ]
})
let api: string
let run: BundleRun | undefined

async function post(body: string): Promise<number> {
  const res = await fetch(
    `${api}/repos/${OWNER}/${REPO}/issues/${PR}/comments`,
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

async function listAll(): Promise<Array<{ id: number; body: string }>> {
  const all: Array<{ id: number; body: string }> = []
  for (let page = 1; page < 10; page++) {
    const res = await fetch(
      `${api}/repos/${OWNER}/${REPO}/issues/${PR}/comments?per_page=100&page=${page}`,
      { headers: { authorization: `Bearer ${gh.token}` } }
    )
    all.push(...((await res.json()) as Array<{ id: number; body: string }>))
    if (!res.headers.get('link')?.includes('rel="next"')) break
  }
  return all
}

beforeAll(async () => {
  api = await gh.start()
})
afterAll(async () => {
  await gh.stop()
  if (run) cleanUp(run)
})

describe('ci-test bundle on a pull request', () => {
  it('edits the coverage comment of an earlier run, and keeps the token out of every output', async () => {
    for (let i = 0; i < 100; i++) await post(`review remark ${i}`)
    const earlier = await post(
      `${MARKER}\n### ❌ ci-test failed: \`.\`\n\ncoverage 12.00% (threshold 80%)`
    )
    gh.requests.length = 0

    const workspace = makeWorkspace('ci-test-pr-')
    djangoProject(workspace, {
      files: { 'requirements.txt': `${DJANGO}\n` }
    })
    const event = path.join(workspace, '..', `${path.basename(workspace)}.json`)
    fs.writeFileSync(
      event,
      JSON.stringify({
        action: 'synchronize',
        number: PR,
        pull_request: {
          number: PR,
          head: {
            sha: 'c0ffee0123456789abcdef0123456789abcdef01',
            repo: { full_name: `${OWNER}/${REPO}` }
          },
          base: { ref: 'main', repo: { full_name: `${OWNER}/${REPO}` } }
        },
        repository: { full_name: `${OWNER}/${REPO}` }
      })
    )
    try {
      run = await runBundle(
        workspace,
        { 'github-token': gh.token },
        {
          env: {
            GITHUB_EVENT_NAME: 'pull_request',
            GITHUB_EVENT_PATH: event,
            GITHUB_API_URL: api,
            GITHUB_SERVER_URL: 'https://github.com',
            GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
            GITHUB_RUN_ID: '777'
          }
        }
      )
    } finally {
      fs.rmSync(event, { force: true })
    }

    expect(run.errors).toEqual([])
    expect(run.status).toBe(0)
    const coverage = run.outputs['coverage']
    expect(Number(coverage)).toBeGreaterThanOrEqual(80)
    expect(run.stdout).toContain(
      `Coverage comment updated: https://github.com/${OWNER}/${REPO}/pull/${PR}#issuecomment-${earlier}`
    )
    expect(run.stdout).not.toContain('::warning')

    // Found on page 2, edited in place: still one comment of ours.
    const calls = gh.requests.map(
      (r) =>
        `${r.method} ${r.path}${r.query['page'] ? `?page=${String(r.query['page'])}` : ''} ${r.status ?? ''}`
    )
    expect(calls).toEqual([
      `GET /repos/${OWNER}/${REPO}/issues/${PR}/comments 200`,
      `GET /repos/${OWNER}/${REPO}/issues/${PR}/comments?page=2 200`,
      `PATCH /repos/${OWNER}/${REPO}/issues/comments/${earlier} 200`
    ])
    const authorizations = gh.requests.map((r) => r.headers['authorization'])
    const comments = await listAll()
    expect(comments).toHaveLength(101)
    const ours = comments.filter((c) => c.body.startsWith(MARKER))
    expect(ours.map((c) => c.id)).toEqual([earlier])
    const body = ours[0]?.body ?? ''
    expect(body).toContain('### ✅ ci-test passed: `.`')
    expect(body).toContain(`${coverage}% (threshold 80%)`)
    expect(body).not.toContain('12.00%')
    expect(body).toContain('| ✅ | tests (django) | 2 run, 0 failed')
    expect(body).toContain(
      `[Details in the run](https://github.com/${OWNER}/${REPO}/actions/runs/777)`
    )
    expect(body).toContain('commit c0ffee0')

    // The token: masked for the runner, and nowhere else.
    expect(run.stdout).toContain(`::add-mask::${gh.token}`)
    const printed = [
      ...run.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')),
      run.stderr,
      run.summary,
      JSON.stringify(run.outputs),
      body
    ].join('\n')
    expect(printed).not.toContain(gh.token)
    expect(authorizations).toEqual(['token ***', 'token ***', 'token ***'])
  })
})
