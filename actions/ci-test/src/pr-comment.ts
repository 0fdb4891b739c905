/**
 * One coverage comment on the pull request, kept up to date: a hidden marker
 * (one per project directory) finds the comment an earlier run wrote, which
 * is then edited rather than added again.
 *
 * The comment is not a check: when GitHub does not allow it (a fork's
 * read-only token, 403, 404) it is skipped with one line in the log, and any
 * other problem is a warning, never a failure of the step. `@actions/github`
 * is loaded only when a comment is to be written, so that other runs start
 * without it.
 */
import * as fs from 'node:fs'
import * as core from '@actions/core'
import {
  errorMessage,
  getEnum,
  getString,
  maskSecret,
  missingInput,
  scrub,
  table
} from '@shipyard/action-kit'
import type { CommentInputs, CommentMode } from './ci-test-inputs.js'
import { resultRows } from './summary.js'
import type { RunReport } from './summary.js'

/** The names of the inputs this module reads, as action.yml declares them. */
export const CommentInput = {
  GithubToken: 'github-token',
  Comment: 'comment'
} as const

export const COMMENT_MODES = [
  'auto',
  'always',
  'never'
] as const satisfies readonly CommentMode[]

/** The events whose pull request `auto` comments on. */
const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target'])

/** How many of the worst-covered files the comment lists. */
const WORST_FILES = 5

/** GitHub's limit on a comment's body, in characters. */
const BODY_LIMIT = 65_536

/** What the comment reports: the run's results, as the job summary has them. */
export type ResultsReport = Pick<
  RunReport,
  'project' | 'threshold' | 'lint' | 'tests' | 'deploy' | 'migrations'
> & { reasons: readonly string[] }

/** A run that stopped before it had results (the environment failed). */
export interface StoppedReport {
  project: string
  /** Why nothing ran, one sentence. */
  failure: string
}

export type CommentReport = ResultsReport | StoppedReport

/**
 * Reads and validates `comment` and `github-token` (masked at once). With
 * `comment: always` a token is required.
 */
export function getCommentInputs(): CommentInputs {
  const token = getString(CommentInput.GithubToken, { secret: true })
  const mode = getEnum(CommentInput.Comment, COMMENT_MODES, {
    default: 'auto'
  })
  if (mode === 'always' && !token) {
    throw missingInput(
      CommentInput.GithubToken,
      'a token allowed to write pull-request comments (`pull-requests: write`), usually `${{ github.token }}`',
      '`comment` is `always`'
    )
  }
  return { mode, token }
}

/** The hidden first line that identifies the comment of one project. */
export function commentMarker(project: string): string {
  return `<!-- shipyard:ci-test:${project.replace(/--/g, '- -')} -->`
}

/** The Actions run this job belongs to, when the environment says. */
export function runUrl(
  env: NodeJS.ProcessEnv = process.env
): string | undefined {
  const server = env['GITHUB_SERVER_URL'] || 'https://github.com'
  const repo = env['GITHUB_REPOSITORY']
  const run = env['GITHUB_RUN_ID']
  return repo && run ? `${server}/${repo}/actions/runs/${run}` : undefined
}

function footer(context: { runUrl?: string; sha?: string }): string {
  const parts = [
    context.runUrl ? `[Details in the run](${context.runUrl})` : '',
    context.sha ? `commit ${context.sha.slice(0, 7)}` : '',
    'updated by shipyard ci-test on every run'
  ].filter(Boolean)
  return `<sub>${parts.join(' · ')}</sub>`
}

function limited(markdown: string): string {
  const body = scrub(markdown)
  return body.length > BODY_LIMIT
    ? `${body.slice(0, BODY_LIMIT - 100)}\n\n_…cut short._`
    : body
}

/** The comment's Markdown: the marker first, then the results. */
export function commentMarkdown(
  report: CommentReport,
  context: { runUrl?: string; sha?: string } = {}
): string {
  if ('failure' in report) {
    return limited(
      [
        commentMarker(report.project),
        `### ❌ ci-test failed: \`${report.project}\``,
        report.failure.slice(0, 2000),
        footer(context)
      ].join('\n\n')
    )
  }
  const coverage = report.tests.coverage
  const passed = report.reasons.length === 0
  const rows = resultRows(report, false)
  const sections = [
    commentMarker(report.project),
    `### ${passed ? '✅' : '❌'} ci-test ${passed ? 'passed' : 'failed'}: \`${report.project}\``,
    table(['', 'check', 'result'], rows)
  ]
  if (!passed) {
    sections.push(
      '**Why it failed**\n\n' +
        report.reasons.map((r) => `- ${r.slice(0, 500)}`).join('\n')
    )
  }
  const worst = (coverage?.files ?? [])
    .filter((f) => f.percent < 100)
    .sort((a, b) => a.percent - b.percent)
    .slice(0, WORST_FILES)
  if (worst.length > 0) {
    sections.push(
      '**Least covered files**\n\n' +
        table(
          ['file', 'coverage', 'missing lines', 'missing branches'],
          worst.map((f) => [
            `\`${f.file}\``,
            `${f.percent.toFixed(1)}%`,
            f.missing,
            f.missingBranches
          ])
        )
    )
  }
  sections.push(footer(context))
  return limited(sections.join('\n\n'))
}

/** The pull request to comment on, or why there is none. */
export type CommentTarget =
  | { owner: string; repo: string; number: number; sha?: string }
  | { skip: string; quiet?: boolean }

interface PullRequestPayload {
  number?: unknown
  head?: { sha?: unknown; repo?: { full_name?: unknown } | null }
  base?: { repo?: { full_name?: unknown } | null }
}

function readPayload(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const file = env['GITHUB_EVENT_PATH']
  if (!file) return {}
  try {
    const payload: unknown = JSON.parse(fs.readFileSync(file, 'utf8'))
    return payload && typeof payload === 'object'
      ? (payload as Record<string, unknown>)
      : {}
  } catch (error) {
    core.debug(`The event payload could not be read: ${errorMessage(error)}`)
    return {}
  }
}

/**
 * Decides from the event (GITHUB_EVENT_NAME, the payload at
 * GITHUB_EVENT_PATH) whether, and on which pull request, to comment.
 *
 * `auto`: on `pull_request` and `pull_request_target` events, except a
 * `pull_request` from a fork, whose token is read-only. `always`: on any
 * event that carries a pull request, forks included. `never`: never.
 */
export function commentTarget(
  inputs: CommentInputs,
  env: NodeJS.ProcessEnv = process.env
): CommentTarget {
  if (inputs.mode === 'never')
    return { skip: '`comment` is `never`', quiet: true }
  const event = env['GITHUB_EVENT_NAME'] ?? ''
  if (inputs.mode === 'auto' && !PULL_REQUEST_EVENTS.has(event))
    return { skip: `the event is not a pull request (${event})`, quiet: true }
  if (!inputs.token) return { skip: 'no `github-token` was given' }
  const payload = readPayload(env)
  const pr: PullRequestPayload | undefined =
    typeof payload['pull_request'] === 'object' && payload['pull_request']
      ? payload['pull_request']
      : undefined
  // `issue_comment` and similar events carry the pull request as an issue.
  const issue = payload['issue'] as
    { number?: unknown; pull_request?: unknown } | undefined
  const number = pr?.number ?? (issue?.pull_request ? issue.number : undefined)
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1)
    return { skip: `the ${event || 'run'} event carries no pull request` }
  const fullName =
    env['GITHUB_REPOSITORY'] ||
    (payload['repository'] as { full_name?: unknown } | undefined)?.full_name
  const [owner, repo] = typeof fullName === 'string' ? fullName.split('/') : []
  if (!owner || !repo)
    return { skip: 'GITHUB_REPOSITORY does not name the repository' }
  const head = pr?.head?.repo?.full_name
  const base = pr?.base?.repo?.full_name ?? fullName
  const fork =
    typeof head !== 'string' ||
    typeof base !== 'string' ||
    head.toLowerCase() !== base.toLowerCase()
  if (fork && inputs.mode === 'auto' && event === 'pull_request') {
    return {
      skip: `pull request #${number} comes from a fork, whose token may not write comments`
    }
  }
  const sha = typeof pr?.head?.sha === 'string' ? pr.head.sha : undefined
  return { owner, repo, number, sha }
}

/** What became of the comment. */
export type CommentOutcome =
  | { action: 'created' | 'updated' | 'unchanged'; id: number; url: string }
  | { action: 'skipped'; reason: string }
  | { action: 'failed'; reason: string }

interface ApiError {
  status?: number
  response?: { headers?: Record<string, string | undefined> }
}

/**
 * Creates or edits the pull request's coverage comment. Never throws: a
 * refusal is one info line, any other problem a warning.
 */
export async function updatePullRequestComment(
  inputs: CommentInputs,
  report: CommentReport,
  env: NodeJS.ProcessEnv = process.env
): Promise<CommentOutcome> {
  const target = commentTarget(inputs, env)
  if ('skip' in target) {
    const line = `No coverage comment: ${target.skip}.`
    if (target.quiet) core.debug(line)
    else core.info(line)
    return { action: 'skipped', reason: target.skip }
  }
  const { owner, repo, number } = target
  maskSecret(inputs.token)
  const where = `${owner}/${repo}#${number}`
  try {
    const body = commentMarkdown(report, {
      runUrl: runUrl(env),
      sha: target.sha
    })
    const marker = commentMarker(report.project)
    const { getOctokit } = await import('@actions/github')
    const octokit = getOctokit(inputs.token, {
      baseUrl: env['GITHUB_API_URL'] || 'https://api.github.com'
    })
    let existing: { id: number; body?: string; html_url: string } | undefined
    const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
      owner,
      repo,
      issue_number: number,
      per_page: 100
    })
    for await (const page of pages) {
      existing = page.data.find((c) => c.body?.trimStart().startsWith(marker))
      if (existing) break
    }
    if (existing?.body === body) {
      core.info(`Coverage comment unchanged: ${existing.html_url}`)
      return { action: 'unchanged', id: existing.id, url: existing.html_url }
    }
    if (existing) {
      const { data } = await octokit.rest.issues.updateComment({
        owner,
        repo,
        comment_id: existing.id,
        body
      })
      core.info(`Coverage comment updated: ${data.html_url}`)
      return { action: 'updated', id: data.id, url: data.html_url }
    }
    const { data } = await octokit.rest.issues.createComment({
      owner,
      repo,
      issue_number: number,
      body
    })
    core.info(`Coverage comment added: ${data.html_url}`)
    return { action: 'created', id: data.id, url: data.html_url }
  } catch (error) {
    const { status, response } = error as ApiError
    const rateLimited = response?.headers?.['x-ratelimit-remaining'] === '0'
    const reason = (scrub(errorMessage(error)).split('\n')[0] ?? '').slice(
      0,
      300
    )
    if ((status === 403 && !rateLimited) || status === 404) {
      core.info(
        `No coverage comment on ${where}: GitHub answered ${status} (${reason}); the token needs \`pull-requests: write\`.`
      )
      return { action: 'skipped', reason: `GitHub answered ${status}` }
    }
    core.warning(
      `The coverage comment on ${where} could not be written: ${reason}. The tests' result is not affected.`
    )
    return { action: 'failed', reason }
  }
}
