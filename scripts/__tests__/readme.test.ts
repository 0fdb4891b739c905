import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

// The README's usage examples are what users copy: they must name inputs and
// secrets that exist, and the workflow must pass actionlint.
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8')

interface Declared {
  inputs: Record<string, unknown>
  secrets: Record<string, unknown>
}

const pipeline = (
  parse(
    fs.readFileSync(
      path.join(root, '.github', 'workflows', 'pipeline.yml'),
      'utf8'
    )
  ) as { on: { workflow_call: Declared } }
).on.workflow_call

/** The fenced code blocks of a language, in order. */
function blocks(language: string): string[] {
  const fence = new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g')
  return [...readme.matchAll(fence)].map((match) => match[1])
}

/** The input names an action declares. */
function actionInputs(name: string): string[] {
  const meta = parse(
    fs.readFileSync(path.join(root, 'actions', name, 'action.yml'), 'utf8')
  ) as { inputs: Record<string, unknown> }
  return Object.keys(meta.inputs)
}

const usage = blocks('yaml').find((block) =>
  block.includes('.github/workflows/pipeline.yml@')
)

interface CallerJob {
  uses: string
  permissions: Record<string, string>
  with: Record<string, unknown>
  secrets: Record<string, string>
}

describe('README usage of the reusable workflow', () => {
  it('is there, and at most about 25 lines', () => {
    expect(usage).toBeDefined()
    expect(usage!.trim().split('\n').length).toBeLessThanOrEqual(25)
  })

  const caller = parse(usage ?? '') as { jobs: Record<string, CallerJob> }
  const job = Object.values(caller.jobs ?? {})[0]

  it('passes only inputs the workflow declares', () => {
    const declared = Object.keys(pipeline.inputs)
    for (const name of Object.keys(job.with)) expect(declared).toContain(name)
  })

  it('passes only secrets the workflow declares, each from its own secret', () => {
    const declared = Object.keys(pipeline.secrets)
    for (const [name, value] of Object.entries(job.secrets)) {
      expect(declared).toContain(name)
      expect(value).toBe(`\${{ secrets.${name} }}`)
    }
  })

  it('grants the permissions the workflow’s jobs ask for', () => {
    const workflow = parse(
      fs.readFileSync(
        path.join(root, '.github', 'workflows', 'pipeline.yml'),
        'utf8'
      )
    ) as { jobs: Record<string, { permissions?: Record<string, string> }> }
    for (const inner of Object.values(workflow.jobs)) {
      for (const [scope, level] of Object.entries(inner.permissions ?? {})) {
        if (level === 'write') expect(job.permissions[scope]).toBe('write')
      }
    }
  })

  it('is a workflow actionlint accepts', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-usage-'))
    try {
      const workflows = path.join(dir, '.github', 'workflows')
      fs.mkdirSync(workflows, { recursive: true })
      // A placeholder owner is not a valid repository path for actionlint.
      fs.writeFileSync(
        path.join(workflows, 'delivery.yml'),
        usage!.replaceAll('<owner>', 'alice')
      )
      spawnSync('git', ['init', '-q'], { cwd: dir })
      const actionlint = [
        process.env.ACTIONLINT,
        path.join(os.homedir(), 'go', 'bin', 'actionlint'),
        'actionlint'
      ].find(
        (candidate) =>
          candidate && (candidate === 'actionlint' || fs.existsSync(candidate))
      )!
      const result = spawnSync(actionlint, ['-no-color'], {
        cwd: dir,
        encoding: 'utf8'
      })
      expect(result.error).toBeUndefined()
      expect(result.stdout + result.stderr).toBe('')
      expect(result.status).toBe(0)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('README one-line usage of each action', () => {
  const lines = (
    blocks('yaml').find((block) => block.includes('/actions/ci-test@')) ?? ''
  )
    .split('\n')
    .filter((line) => line.includes('uses:'))

  it('shows each of the five actions and the composite', () => {
    const names = lines.map(
      (line) => /shipyard(?:\/actions\/([a-z-]+))?@/.exec(line)?.[1] ?? 'root'
    )
    expect(names.sort()).toEqual(
      [
        'ci-test',
        'docker-publish',
        'render-deploy',
        'root',
        'sentry-verify',
        'sphinx-docs'
      ].sort()
    )
  })

  it('names only inputs each action declares', () => {
    for (const line of lines) {
      const name = /\/actions\/([a-z-]+)@/.exec(line)?.[1]
      if (!name) continue
      const keys = [
        ...(/with: \{([^}]*)\}/.exec(line)?.[1] ?? '').matchAll(/([a-z-]+):/g)
      ].map((match) => match[1])
      expect(keys.length).toBeGreaterThan(0)
      for (const key of keys) expect(actionInputs(name)).toContain(key)
    }
  })
})
