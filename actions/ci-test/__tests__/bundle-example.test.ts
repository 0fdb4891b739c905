/**
 * The bundle, run as the runner runs it, on the example app and on copies of
 * it broken on purpose, one fault each: every fault is detected, annotated at
 * its file and line, and named in the failure, while the other phases still
 * pass.
 */
import { afterAll, describe, expect, it, jest } from '@jest/globals'
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  cleanUp,
  copyExample,
  edit,
  makeWorkspace,
  runBundle
} from './support/run-bundle.js'
import type { BundleRun } from './support/run-bundle.js'

jest.setTimeout(300_000)

const runs: BundleRun[] = []
afterAll(() => runs.forEach(cleanUp))

async function runOnExample(
  breakIt: (example: string) => void,
  inputs: Record<string, string> = {}
): Promise<BundleRun> {
  const workspace = makeWorkspace()
  breakIt(copyExample(workspace))
  const run = await runBundle(workspace, {
    'working-directory': 'example',
    ...inputs
  })
  runs.push(run)
  return run
}

/** The single `::error::` line that fails the step. */
function failure(run: BundleRun): string {
  const lines = run.errors.filter((l) => l.startsWith('::error::ci-test'))
  expect(lines).toHaveLength(1)
  return lines[0]
}

function annotation(run: BundleRun, title: string): string {
  const found = run.errors.find((l) => l.includes(`title=${title}`))
  if (!found) {
    throw new Error(
      `no annotation titled ${title} in:\n${run.errors.join('\n')}`
    )
  }
  return found
}

describe('ci-test on the example app', () => {
  it('passes, with the right outputs, reports and summary', async () => {
    const run = await runOnExample(() => undefined)
    expect(run.status).toBe(0)
    expect(run.errors).toEqual([])
    const { outputs } = run
    expect(outputs).toMatchObject({
      tests: '88',
      failures: '0',
      errors: '0',
      skipped: '0',
      coverage: '100.0',
      'lint-errors': '0'
    })
    expect(outputs['python-version']).toMatch(/^3\.\d+\.\d+$/)
    const junit = path.join(run.runnerTemp, 'shipyard-ci-test', 'junit.xml')
    const coverage = path.join(
      run.runnerTemp,
      'shipyard-ci-test',
      'coverage.json'
    )
    expect(outputs['junit-file']).toBe(junit)
    expect(outputs['coverage-file']).toBe(coverage)
    expect(fs.readFileSync(junit, 'utf8')).toContain('tests="88"')
    const data = JSON.parse(fs.readFileSync(coverage, 'utf8')) as {
      meta: { branch_coverage: boolean }
    }
    expect(data.meta.branch_coverage).toBe(true)
    expect(
      fs.existsSync(
        path.join(run.runnerTemp, 'shipyard-ci-test', 'coverage.xml')
      )
    ).toBe(true)
    // Both coverage reports come from one process, not the CLI fallback.
    expect(run.stdout).toContain('shipyard_coverage_reports.py')
    expect(run.stdout).not.toContain('-m coverage json')
    // One log group per phase.
    for (const group of [
      'Python environment',
      'Tests (pytest, under coverage)',
      'Lint (flake8, .flake8)',
      'Django check --deploy',
      'Django makemigrations --check'
    ]) {
      expect(run.stdout).toContain(`::group::${group}`)
    }
    expect(run.summary).toContain('## ci-test: passed')
    expect(run.summary).toContain(
      '| ✅ | coverage (branch) | 100.0% (threshold 80%) |'
    )
    expect(run.summary).toContain('| ✅ | check --deploy | 0 issue(s) |')
    expect(run.summary).toContain('catalog/models.py | 100.0% | ██████████')
    // The project's own files are left as they were: reports go to RUNNER_TEMP.
    expect(fs.existsSync(path.join(run.workspace, 'example', '.reports'))).toBe(
      false
    )
  })

  it('detects a failing test and annotates it at the failing assertion', async () => {
    const run = await runOnExample((example) =>
      edit(
        path.join(example, 'catalog/tests/test_models.py'),
        'assert str(hammer) == "Hammer"',
        'assert str(hammer) == "Anvil"'
      )
    )
    expect(run.status).toBe(1)
    expect(run.outputs).toMatchObject({ tests: '88', failures: '1' })
    const note = annotation(
      run,
      'Test failed: catalog.tests.test_models.test_string_forms_and_urls'
    )
    expect(note).toContain('file=example/catalog/tests/test_models.py')
    expect(note).toContain('line=11')
    expect(note).toContain("::AssertionError: assert 'Hammer' == 'Anvil'\n")
    expect(failure(run)).toBe(
      '::error::ci-test failed: 1 test(s) failed: test_string_forms_and_urls.'
    )
    expect(run.summary).toContain('### Failing tests')
  })

  it('detects a flake8 error and annotates it at its file, line and column', async () => {
    const run = await runOnExample((example) =>
      edit(
        path.join(example, 'catalog/views.py'),
        '"""',
        'import os  # unused\n"""'
      )
    )
    expect(run.status).toBe(1)
    expect(run.outputs['lint-errors']).toBe('1')
    const note = annotation(run, 'flake8 F401')
    expect(note).toContain('file=example/catalog/views.py')
    expect(note).toContain('line=1')
    expect(note).toContain('col=1')
    expect(note).toContain("F401 'os' imported but unused")
    expect(failure(run)).toBe(
      '::error::ci-test failed: flake8 found 1 problem(s).'
    )
  })

  it('fails when coverage is under the gate, as coverage.py rounds it', async () => {
    const run = await runOnExample(
      (example) =>
        fs.writeFileSync(
          path.join(example, 'catalog', 'pricing.py'),
          'def discount(price, rate):\n    if rate > 1:\n        raise ValueError(rate)\n    return price * (1 - rate)\n'
        ),
      { 'coverage-threshold': '99.9' }
    )
    expect(run.status).toBe(1)
    const coverage = Number(run.outputs['coverage'])
    expect(coverage).toBeLessThan(99.9)
    // The project's precision (1 decimal) is kept.
    expect(run.outputs['coverage']).toMatch(/^\d+\.\d$/)
    expect(failure(run)).toBe(
      `::error::ci-test failed: coverage ${run.outputs['coverage']}% is under the 99.9% gate.`
    )
    expect(run.summary).toMatch(/\| catalog\/pricing\.py \| 0\.0% \| ░+ \|/)
  })

  it('detects a missing migration and annotates the model', async () => {
    const run = await runOnExample((example) =>
      edit(
        path.join(example, 'catalog/models.py'),
        'help_text="Unavailable products are hidden from the site."',
        'help_text="Hidden from the site when unavailable."'
      )
    )
    expect(run.status).toBe(1)
    const note = annotation(run, 'Missing migration for catalog')
    expect(note).toContain('file=example/catalog/models.py')
    const models = fs
      .readFileSync(
        path.join(run.workspace, 'example/catalog/models.py'),
        'utf8'
      )
      .split('\n')
    const line = models.findIndex((l) => l.startsWith('class Product(')) + 1
    expect(note).toContain(`line=${line}`)
    expect(note).toContain('Alter field is_available on product')
    expect(failure(run)).toBe(
      '::error::ci-test failed: missing migrations for catalog.'
    )
    expect(run.outputs['failures']).toBe('0')
  })

  it('detects a check --deploy warning and annotates the setting', async () => {
    const run = await runOnExample((example) =>
      edit(
        path.join(example, 'shipyard_example/settings.py'),
        'SECURE_HSTS_PRELOAD = True',
        'SECURE_HSTS_PRELOAD = False'
      )
    )
    expect(run.status).toBe(1)
    const note = annotation(run, 'check --deploy security.W021')
    expect(note).toContain('file=example/shipyard_example/settings.py')
    const settings = fs
      .readFileSync(
        path.join(run.workspace, 'example/shipyard_example/settings.py'),
        'utf8'
      )
      .split('\n')
    const line =
      settings.findIndex((l) => l.includes('SECURE_HSTS_PRELOAD = False')) + 1
    expect(note).toContain(`line=${line}`)
    // The example guards its own deploy settings with a test, which fails
    // too; the check's finding is named all the same.
    expect(failure(run)).toContain(
      'check --deploy reported 1 issue(s): security.W021.'
    )
    // The generated SECRET_KEY of the check is masked before use.
    expect(run.stdout).toMatch(/^::add-mask::[\w-]{64}$/m)
  })
})
