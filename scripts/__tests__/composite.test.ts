import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

// The root composite action runs each sibling action's bundle with `node`
// and hands it its inputs as INPUT_<NAME> variables. Nothing checks those
// names at run time (a misspelt one is just an empty input), so this test
// holds every step against the action.yml of the action it runs.
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

interface Step {
  id?: string
  name?: string
  if?: string
  shell?: string
  env?: Record<string, string>
  run?: string
  uses?: string
}
interface ActionMeta {
  inputs?: Record<string, { required?: boolean; default?: string }>
  outputs?: Record<string, { value?: string }>
  runs: { using: string; steps?: Step[] }
}

function load(file: string): ActionMeta {
  return parse(fs.readFileSync(path.join(root, file), 'utf8')) as ActionMeta
}

const composite = load('action.yml')
const steps = composite.runs.steps ?? []
// A bundle run directly, or through with-post.mjs when its action has a post
// step (a composite's run step gets none of its own).
const BUNDLE =
  /^node "\$GITHUB_ACTION_PATH\/actions\/([a-z-]+)\/dist\/index\.js"$/
const WITH_POST =
  /^node "\$GITHUB_ACTION_PATH\/scripts\/composite\/with-post\.mjs" ([a-z-]+)$/

function bundleOf(step: Step): string {
  const run = (step.run ?? '').trim()
  const match = BUNDLE.exec(run) ?? WITH_POST.exec(run)
  if (!match?.[1]) throw new Error(`step ${step.id} does not run a bundle`)
  return match[1]
}

describe('root action.yml (composite)', () => {
  it('is a composite action with steps', () => {
    expect(composite.runs.using).toBe('composite')
    expect(steps.length).toBeGreaterThan(0)
  })

  it('runs the whole chain, in order', () => {
    expect(steps.map(bundleOf)).toEqual([
      'ci-test',
      'sphinx-docs',
      'docker-publish',
      'render-deploy',
      'sentry-verify'
    ])
  })

  it.each(steps.map((s) => [s.id ?? '?', s] as const))(
    'step %s: runs an existing bundle, with an id and a shell',
    (_id, step) => {
      expect(step.id).toBeTruthy()
      expect(step.shell).toBe('bash')
      expect(step.uses).toBeUndefined()
      const name = bundleOf(step)
      expect(
        fs.existsSync(path.join(root, 'actions', name, 'dist', 'index.js'))
      ).toBe(true)
    }
  )

  it.each(steps.map((s) => [s.id ?? '?', s] as const))(
    'step %s: every INPUT_ name is an input of the action it runs',
    (_id, step) => {
      const meta = load(path.join('actions', bundleOf(step), 'action.yml'))
      const known = Object.keys(meta.inputs ?? {})
      const given = Object.keys(step.env ?? {})
        .filter((key) => key.startsWith('INPUT_'))
        .map((key) => key.slice('INPUT_'.length).toLowerCase())
      expect(given.length).toBeGreaterThan(0)
      for (const name of given) expect(known).toContain(name)
      // Upper-case, hyphens kept: as the runner names them.
      for (const key of Object.keys(step.env ?? {}))
        expect(key).toMatch(/^INPUT_[A-Z0-9-]+$/)
    }
  )

  it.each(steps.map((s) => [s.id ?? '?', s] as const))(
    'step %s: gives every required input of the action it runs',
    (_id, step) => {
      const meta = load(path.join('actions', bundleOf(step), 'action.yml'))
      const given = Object.keys(step.env ?? {}).map((key) =>
        key.slice('INPUT_'.length).toLowerCase()
      )
      const required = Object.entries(meta.inputs ?? {})
        .filter(([, spec]) => spec.required === true)
        .map(([name]) => name)
      for (const name of required) expect(given).toContain(name)
    }
  )

  it('passes values to the shell only through env', () => {
    for (const step of steps) expect(step.run ?? '').not.toContain('${{')
  })

  it('maps every output from an output of an existing step', () => {
    const outputs = Object.entries(composite.outputs ?? {})
    expect(outputs.length).toBeGreaterThan(0)
    for (const [name, spec] of outputs) {
      const match = /^\$\{\{ steps\.([a-z-]+)\.outputs\.([a-z-]+) \}\}$/.exec(
        spec.value ?? ''
      )
      expect([name, match !== null]).toEqual([name, true])
      const step = steps.find((s) => s.id === match?.[1])
      expect(step).toBeDefined()
      const meta = load(
        path.join('actions', bundleOf(step as Step), 'action.yml')
      )
      expect(Object.keys(meta.outputs ?? {})).toContain(match?.[2])
    }
  })

  it('describes every input of its own', () => {
    for (const [name, spec] of Object.entries(composite.inputs ?? {}))
      expect([
        name,
        typeof (spec as { description?: string }).description
      ]).toEqual([name, 'string'])
  })
})

describe('scripts/composite/with-post.mjs', () => {
  const script = path.join(root, 'scripts', 'composite', 'with-post.mjs')

  it('is how the composite runs every action that declares a post step', () => {
    for (const step of steps) {
      const name = bundleOf(step)
      const meta = load(path.join('actions', name, 'action.yml')) as {
        runs: { post?: string }
      }
      expect(WITH_POST.test((step.run ?? '').trim())).toBe(
        meta.runs.post !== undefined
      )
    }
  })

  it('reads the runner’s state file format', async () => {
    const { parseStateFile } = (await import(script)) as {
      parseStateFile: (text: string) => Record<string, string>
    }
    expect(
      parseStateFile(
        'isPost<<ghadelimiter_1\ntrue\nghadelimiter_1\n' +
          'login<<ghadelimiter_2\n{"a":1}\nsecond line\nghadelimiter_2\n' +
          'plain=value=with=equals\n'
      )
    ).toEqual({
      isPost: 'true',
      login: '{"a":1}\nsecond line',
      plain: 'value=with=equals'
    })
  })

  it('runs main, then post with main’s state, and keeps main’s status', () => {
    // A stand-in action: main saves state and fails; post prints what it got.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'with-post-'))
    try {
      const fake = path.join(dir, 'scripts', 'composite')
      fs.mkdirSync(fake, { recursive: true })
      fs.copyFileSync(script, path.join(fake, 'with-post.mjs'))
      const dist = path.join(dir, 'actions', 'fake', 'dist')
      fs.mkdirSync(dist, { recursive: true })
      fs.writeFileSync(
        path.join(dist, 'index.js'),
        [
          "const fs = require('node:fs')",
          'if (process.env.STATE_isPost === "true") {',
          '  console.log("post saw " + process.env["STATE_registry-login"])',
          '} else {',
          '  fs.appendFileSync(process.env.GITHUB_STATE,',
          '    "isPost<<EOF1\\ntrue\\nEOF1\\nregistry-login<<EOF2\\n{\\"dir\\":1}\\nEOF2\\n")',
          '  console.log("main failed")',
          '  process.exit(3)',
          '}'
        ].join('\n')
      )
      const result = spawnSync(
        process.execPath,
        [path.join(fake, 'with-post.mjs'), 'fake'],
        { encoding: 'utf8', env: { PATH: process.env.PATH, RUNNER_TEMP: dir } }
      )
      expect(result.stdout).toBe('main failed\npost saw {"dir":1}\n')
      expect(result.status).toBe(3)
      // The private state files are gone.
      expect(
        fs.readdirSync(dir).filter((entry) => entry.startsWith('state-'))
      ).toEqual([])
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
