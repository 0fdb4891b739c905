import { describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
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
const BUNDLE =
  /^node "\$GITHUB_ACTION_PATH\/actions\/([a-z-]+)\/dist\/index\.js"$/

function bundleOf(step: Step): string {
  const match = BUNDLE.exec((step.run ?? '').trim())
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
