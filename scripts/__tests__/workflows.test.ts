import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import {
  checkWorkflow,
  formatFinding,
  RULES
} from '../../tests/reliability/workflow-rules.js'

// The structural rules of STYLE.md for workflow files, which actionlint does
// not enforce: timeouts, no expressions inside `run:`, secrets declared one
// by one, least privilege, and third-party actions pinned by full SHA.
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const dir = path.join(root, '.github', 'workflows')
const files = fs
  .readdirSync(dir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort()

interface Step {
  uses?: string
  run?: string
}
interface Job {
  'timeout-minutes'?: number
  uses?: string
  secrets?: unknown
  steps?: Step[]
  permissions?: Record<string, string>
  concurrency?: { group?: string; 'cancel-in-progress'?: boolean | string }
  environment?: { name?: string; url?: string }
}
interface Workflow {
  on: Record<string, unknown>
  permissions?: Record<string, string>
  jobs: Record<string, Job>
}

const text = (file: string): string =>
  fs.readFileSync(path.join(dir, file), 'utf8')
const load = (file: string): Workflow => parse(text(file)) as Workflow
const jobs = (file: string): Array<[string, Job]> =>
  Object.entries(load(file).jobs)
const steps = (file: string): Step[] =>
  jobs(file).flatMap(([, job]) => job.steps ?? [])

describe.each(files)('%s', (file) => {
  it('reads the repository, nothing more, at the top level', () => {
    expect(load(file).permissions).toEqual({ contents: 'read' })
  })

  it('gives every job that runs steps a timeout', () => {
    for (const [name, job] of jobs(file)) {
      if (job.uses) continue // a called workflow sets its own
      expect([name, typeof job['timeout-minutes']]).toEqual([name, 'number'])
    }
  })

  it('passes values to shells only through env', () => {
    for (const step of steps(file)) expect(step.run ?? '').not.toContain('${{')
  })

  it('pins every third-party action by a full SHA with a version comment', () => {
    const lines = text(file).split('\n')
    const uses = lines.filter((l) => /^\s*(- )?uses:\s/.test(l))
    for (const line of uses) {
      const ref = line.replace(/^\s*(- )?uses:\s*/, '')
      if (ref.startsWith('./')) continue
      expect(ref).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/)
    }
  })

  it('passes secrets one by one', () => {
    expect(text(file)).not.toMatch(/secrets:\s*inherit/)
  })

  it('raises permissions per job with a comment saying why', () => {
    const lines = text(file).split('\n')
    lines.forEach((line, i) => {
      if (!/^ {4}permissions:/.test(line)) return
      expect([i + 1, lines[i - 1]?.trim().startsWith('#')]).toEqual([
        i + 1,
        true
      ])
    })
  })
})

describe('pipeline.yml (the reusable workflow)', () => {
  const workflow = load('pipeline.yml')
  const call = workflow.on['workflow_call'] as {
    inputs: Record<string, Record<string, unknown>>
    secrets: Record<string, Record<string, unknown>>
    outputs: Record<string, { value: string }>
  }

  it('gives every input a type, a description and a default', () => {
    for (const [name, spec] of Object.entries(call.inputs)) {
      expect([name, typeof spec['type']]).toEqual([name, 'string'])
      expect([name, typeof spec['description']]).toEqual([name, 'string'])
      expect([name, 'default' in spec]).toEqual([name, true])
    }
  })

  it('declares the secrets of the issue one by one, none required', () => {
    expect(Object.keys(call.secrets).sort()).toEqual(
      [
        'DOCKERHUB_TOKEN',
        'DOCKERHUB_USERNAME',
        'RENDER_API_KEY',
        'RENDER_DEPLOY_HOOK_URL',
        'RTD_TOKEN',
        'SENTRY_AUTH_TOKEN',
        'SENTRY_DSN',
        'SENTRY_VERIFY_TOKEN'
      ].sort()
    )
    for (const spec of Object.values(call.secrets))
      expect(spec['required']).toBe(false)
  })

  it('maps its outputs from job outputs', () => {
    expect(Object.keys(call.outputs).sort()).toEqual(
      ['coverage', 'deploy-url', 'docs-url', 'image-ref', 'sentry-event'].sort()
    )
    for (const { value } of Object.values(call.outputs)) {
      const match = /^\$\{\{ jobs\.([a-z-]+)\.outputs\.([a-z-]+) \}\}$/.exec(
        value
      )
      expect(match).not.toBeNull()
      const job = workflow.jobs[match?.[1] ?? ''] as Job & {
        outputs?: Record<string, string>
      }
      expect(Object.keys(job.outputs ?? {})).toContain(match?.[2])
    }
  })

  it('chains test and docs → image → deploy → verify', () => {
    const needs = (name: string): string[] => {
      const n = (workflow.jobs[name] as { needs?: string | string[] }).needs
      return n === undefined ? [] : Array.isArray(n) ? n : [n]
    }
    expect(needs('test')).not.toContain('docs')
    expect(needs('docs')).not.toContain('test')
    expect(needs('image')).toContain('test')
    expect(needs('deploy')).toEqual(expect.arrayContaining(['image', 'docs']))
    expect(needs('verify')).toContain('deploy')
  })

  it('deploys to an environment with its URL, never cancelling a deploy', () => {
    const deploy = workflow.jobs['deploy']
    expect(deploy.environment?.name).toBeTruthy()
    expect(deploy.environment?.url).toContain('steps.')
    expect(deploy.concurrency?.group).toBeTruthy()
    expect(deploy.concurrency?.['cancel-in-progress']).toBe(false)
    expect(deploy.permissions).toEqual({
      contents: 'read',
      deployments: 'write'
    })
  })
})

// Least privilege on pull requests: one job may write to them (ci-test's
// coverage comment), and a caller of a reusable workflow must grant what the
// called jobs ask, or GitHub refuses to start the run (skipped jobs too).
describe('pull-request permissions', () => {
  const LEVEL: Record<string, number> = { none: 0, read: 1, write: 2 }

  it('grants pull-requests: write only to the job that writes the coverage comment', () => {
    const writers = files.flatMap((file) =>
      jobs(file)
        .filter(
          ([, job]) =>
            !job.uses && job.permissions?.['pull-requests'] === 'write'
        )
        .map(([name]) => `${file}:${name}`)
    )
    expect(writers).toEqual(['pipeline.yml:test'])
    const steps = (load('pipeline.yml').jobs['test']?.steps ?? []) as Array<
      Step & { with?: Record<string, unknown> }
    >
    const ciTest = steps.filter((step) =>
      /\/actions\/ci-test$/.test(step.uses ?? '')
    )
    expect(ciTest).toHaveLength(1)
    expect(ciTest[0]?.with?.['github-token']).toBe('${{ github.token }}')
  })

  it.each(files)(
    '%s: each call of a local workflow grants what its jobs ask',
    (file) => {
      for (const [name, job] of jobs(file)) {
        const callee = /^\.\/\.github\/workflows\/(.+)$/.exec(job.uses ?? '')
        if (!callee?.[1]) continue
        for (const [calleeJob, spec] of Object.entries(load(callee[1]).jobs))
          for (const [scope, level] of Object.entries(spec.permissions ?? {}))
            expect([
              `${file}:${name} → ${callee[1]}:${calleeJob}`,
              scope,
              (LEVEL[job.permissions?.[scope] ?? 'none'] ?? 0) >=
                (LEVEL[level] ?? 0)
            ]).toEqual([
              `${file}:${name} → ${callee[1]}:${calleeJob}`,
              scope,
              true
            ])
      }
    }
  )
})

// The plan job's script decides which stages run; run it with bash as the
// runner would, for the events that matter.
describe('pipeline.yml plan', () => {
  const plan = load('pipeline.yml').jobs['plan']
  const script = plan?.steps?.[0]?.run ?? ''
  const everything: Record<string, string> = {
    EVENT: 'push',
    REF: 'refs/heads/main',
    DEFAULT_BRANCH: 'main',
    DEPLOY_MODE: 'auto',
    DEPLOY_IMAGE: '',
    IMAGE: 'docker.io/alice/app',
    SERVICE_ID: 'srv-abc123',
    RTD_PROJECT: 'app',
    SENTRY_ORG: 'acme',
    SENTRY_PROJECT: 'app',
    HAS_REGISTRY: 'true',
    HAS_RENDER_KEY: 'true',
    HAS_RENDER_HOOK: 'false',
    HAS_SENTRY: 'true',
    HAS_RTD: 'true'
  }

  function run(env: Record<string, string>) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-'))
    const output = path.join(dir, 'output')
    fs.writeFileSync(output, '')
    const result = spawnSync('bash', ['-e', '-c', script], {
      env: { PATH: process.env['PATH'] ?? '', GITHUB_OUTPUT: output, ...env },
      encoding: 'utf8'
    })
    const outputs = Object.fromEntries(
      fs
        .readFileSync(output, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('=') as [string, string])
    )
    fs.rmSync(dir, { recursive: true, force: true })
    return { status: result.status, stdout: result.stdout, outputs }
  }

  it('runs every stage on a push to the default branch', () => {
    expect(run(everything).outputs).toEqual({
      build: 'true',
      push: 'true',
      deploy: 'true',
      verify: 'true',
      rtd: 'true'
    })
  })

  it('builds but neither pushes nor deploys on a pull request', () => {
    const { outputs } = run({
      ...everything,
      EVENT: 'pull_request',
      REF: 'refs/pull/7/merge'
    })
    expect(outputs).toMatchObject({
      build: 'true',
      push: 'false',
      deploy: 'false',
      verify: 'false'
    })
  })

  it('skips each stage with a notice when its secrets are absent (forks)', () => {
    const { status, stdout, outputs } = run({
      ...everything,
      HAS_REGISTRY: 'false',
      HAS_RENDER_KEY: 'false',
      HAS_SENTRY: 'false',
      HAS_RTD: 'false'
    })
    expect(status).toBe(0)
    expect(outputs).toMatchObject({
      push: 'false',
      deploy: 'false',
      rtd: 'false'
    })
    expect(stdout).toContain('::notice title=shipyard: image not pushed::')
    expect(stdout).toContain('DOCKERHUB_TOKEN')
    expect(stdout).toContain('RTD_TOKEN')
  })

  it('names the Sentry settings to add when only they are missing', () => {
    const { stdout, outputs } = run({ ...everything, HAS_SENTRY: 'false' })
    expect(outputs).toMatchObject({ deploy: 'true', verify: 'false' })
    expect(stdout).toContain('SENTRY_AUTH_TOKEN')
  })

  it('deploys an existing image without building (deploy.yml)', () => {
    const { outputs } = run({
      ...everything,
      EVENT: 'workflow_dispatch',
      DEPLOY_MODE: 'always',
      DEPLOY_IMAGE: 'docker.io/alice/app@sha256:' + 'a'.repeat(64)
    })
    expect(outputs).toMatchObject({
      build: 'false',
      deploy: 'true',
      verify: 'true'
    })
  })

  it('never deploys with deploy: never', () => {
    expect(run({ ...everything, DEPLOY_MODE: 'never' }).outputs.deploy).toBe(
      'false'
    )
  })

  it('refuses an unknown deploy mode', () => {
    const { status, stdout } = run({ ...everything, DEPLOY_MODE: 'sometimes' })
    expect(status).not.toBe(0)
    expect(stdout).toContain("Invalid input deploy 'sometimes'")
  })
})

// Issue #11's workflow rules, each proven able to fail: a bad fixture per
// rule must be caught at the right line, and the real workflows pass.
describe('workflow rules (tests/reliability/workflow-rules.ts)', () => {
  const fixtures = path.join(root, 'tests', 'reliability', 'fixtures')
  const check = (name: string): string[] =>
    checkWorkflow(
      name,
      fs.readFileSync(path.join(fixtures, 'workflows', name), 'utf8')
    ).map(formatFinding)

  it.each([
    ['write-without-comment.yml', 11, 'write-permission-without-comment'],
    ['unpinned-action.yml', 11, 'unpinned-action'],
    ['pull-request-target.yml', 4, 'pull-request-target'],
    ['secrets-inherit.yml', 9, 'secrets-inherit'],
    ['expression-in-run.yml', 14, 'expression-in-run']
  ])('%s fails at line %i with %s', (name, line, rule) => {
    expect(check(name)).toEqual([
      expect.stringMatching(new RegExp(`^${name}:${line}: ${rule}: `))
    ])
  })

  it('covers every rule with a fixture, and passes a workflow that obeys them', () => {
    expect(RULES).toHaveLength(5)
    expect(check('good.yml')).toEqual([])
  })

  it.each(files)('finds nothing in %s', (file) => {
    expect(checkWorkflow(file, text(file)).map(formatFinding)).toEqual([])
  })
})
