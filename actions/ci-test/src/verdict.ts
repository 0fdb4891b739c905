/**
 * What a run found, turned into annotations (at the file and line of each
 * finding, within GitHub's limits) and into the reasons the step fails for.
 */
import * as path from 'node:path'
import type { Annotator } from '@shipyard/action-kit'
import type { CiTestInputs } from './ci-test-inputs.js'
import type {
  DeployCheckResult,
  MigrationsCheckResult
} from './django-checks.js'
import type { LintResult } from './lint.js'
import { belowThreshold } from './tests.js'
import type { TestRunResult } from './tests.js'

/** A path for an annotation: relative to the workspace. */
function fromWorkspace(inputs: CiTestInputs, relative: string): string {
  return path.relative(
    inputs.workspace,
    path.resolve(inputs.workingDirectory, relative)
  )
}

export function annotateAndJudge(
  inputs: CiTestInputs,
  annotator: Annotator,
  results: {
    lint?: LintResult
    tests: TestRunResult
    deploy?: DeployCheckResult
    migrations?: MigrationsCheckResult
  }
): string[] {
  const reasons: string[] = []
  const { lint, tests, deploy, migrations } = results
  if (lint) {
    for (const f of lint.findings) {
      annotator.add({
        kind: 'error',
        title: `flake8 ${f.code}`,
        message: `${f.code} ${f.message}`,
        file: fromWorkspace(inputs, f.file),
        line: f.line,
        column: f.column
      })
    }
    if (lint.crashed) reasons.push(lint.crashed)
    else if (lint.findings.length > 0)
      reasons.push(`flake8 found ${lint.findings.length} problem(s)`)
  }
  const failing = tests.cases.filter(
    (c) => c.outcome === 'failure' || c.outcome === 'error'
  )
  for (const c of failing) {
    annotator.add({
      kind: 'error',
      title: `${c.outcome === 'error' ? 'Test error' : 'Test failed'}: ${c.classname}.${c.name}`,
      message: (c.message || c.details).slice(0, 2000),
      file: c.file ? fromWorkspace(inputs, c.file) : undefined,
      line: c.line
    })
  }
  if (tests.problem) reasons.push(tests.problem)
  if (tests.counts.failures > 0)
    reasons.push(
      `${tests.counts.failures} test(s) failed: ${failing
        .filter((c) => c.outcome === 'failure')
        .slice(0, 5)
        .map((c) => c.name)
        .join(', ')}`
    )
  if (tests.counts.errors > 0)
    reasons.push(`${tests.counts.errors} test(s) ended in an error`)
  if (
    !tests.problem &&
    tests.exitCode !== 0 &&
    tests.counts.failures + tests.counts.errors === 0
  ) {
    reasons.push(`the test run exited with code ${tests.exitCode}`)
  }
  if (tests.coverageProblem) {
    reasons.push(`no coverage figure: ${tests.coverageProblem}`)
    annotator.add({
      kind: 'error',
      title: 'Coverage report failed',
      message: tests.coverageProblem
    })
  } else if (!tests.coverage) {
    reasons.push('no coverage was measured')
  } else if (belowThreshold(tests.coverage, inputs.coverageThreshold)) {
    reasons.push(
      `coverage ${tests.coverage.display}% is under the ${inputs.coverageThreshold}% gate`
    )
    annotator.add({
      kind: 'error',
      title: 'Coverage under the gate',
      message: `Total branch coverage ${tests.coverage.display}% is under coverage-threshold ${inputs.coverageThreshold}%.`
    })
  }
  if (deploy) {
    for (const f of deploy.findings) {
      annotator.add({
        kind: 'error',
        title: `check --deploy ${f.id}`,
        message: `${f.message}${f.hint ? `\nHint: ${f.hint}` : ''}`,
        file: f.file ? fromWorkspace(inputs, f.file) : undefined,
        line: f.line
      })
    }
    if (deploy.problem) reasons.push(deploy.problem)
    else if (deploy.findings.length > 0)
      reasons.push(
        `check --deploy reported ${deploy.findings.length} issue(s): ${deploy.findings.map((f) => f.id).join(', ')}`
      )
  }
  if (migrations) {
    for (const m of migrations.missing) {
      annotator.add({
        kind: 'error',
        title: `Missing migration for ${m.app}`,
        message: `The models of ${m.app} changed without a migration (makemigrations would write ${m.migration}): ${m.operations.join('; ')}`,
        file: m.file ? fromWorkspace(inputs, m.file) : undefined,
        line: m.line
      })
    }
    if (migrations.problem) reasons.push(migrations.problem)
    else if (migrations.missing.length > 0)
      reasons.push(
        `missing migrations for ${migrations.missing.map((m) => m.app).join(', ')}`
      )
  }
  return reasons
}
