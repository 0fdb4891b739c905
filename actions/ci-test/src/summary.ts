/**
 * The job summary of a ci-test run: a results table, the failing tests,
 * coverage per file (worst first, with a bar), lint findings and the
 * production checks.
 */
import { codeBlock, details, table } from '@shipyard/action-kit'
import type { Annotator } from '@shipyard/action-kit'
import type {
  DeployCheckResult,
  MigrationsCheckResult
} from './django-checks.js'
import type { LintResult } from './lint.js'
import type { TestRunResult } from './tests.js'

export interface RunReport {
  project: string
  pythonVersion: string
  environment: string
  threshold: number
  lint?: LintResult
  tests: TestRunResult
  deploy?: DeployCheckResult
  migrations?: MigrationsCheckResult
  reasons: string[]
  annotator: Annotator
}

/** How many rows a list in the summary shows before saying how many more. */
const ROWS = 50

/** A ten-cell bar for a percentage. */
export function bar(percent: number): string {
  const full = Math.max(0, Math.min(10, Math.round(percent / 10)))
  return '█'.repeat(full) + '░'.repeat(10 - full)
}

const mark = (ok: boolean | undefined): string =>
  ok === undefined ? '➖' : ok ? '✅' : '❌'

function more(total: number): string {
  return total > ROWS ? `\n\n_…and ${total - ROWS} more._` : ''
}

/** What the results table needs of a run. */
export type ResultsTableReport = Pick<
  RunReport,
  'threshold' | 'lint' | 'tests' | 'deploy' | 'migrations'
>

/**
 * The results table's rows, one per check: the job summary's (`detailed`:
 * flake8's configuration, and which input switched a check off) and the
 * pull-request comment's.
 */
export function resultRows(
  report: ResultsTableReport,
  detailed: boolean
): unknown[][] {
  const { tests, lint, deploy, migrations, threshold } = report
  const coverage = tests.coverage
  const testsOk =
    !tests.problem &&
    tests.exitCode === 0 &&
    tests.counts.failures + tests.counts.errors === 0
  const notRun = (input: string): string =>
    detailed ? `not run (\`${input}\`)` : 'not run'
  return [
    [
      mark(testsOk),
      `tests (${tests.runner})`,
      tests.problem ??
        `${tests.counts.tests} run, ${tests.counts.failures} failed, ${tests.counts.errors} errors, ${tests.counts.skipped} skipped`
    ],
    [
      mark(coverage ? Number(coverage.display) >= threshold : false),
      'coverage (branch)',
      coverage
        ? `${coverage.display}% (threshold ${threshold}%)`
        : tests.coverageProblem
          ? 'coverage.py could not write its report'
          : 'no coverage data'
    ],
    [
      mark(lint ? lint.findings.length === 0 && !lint.crashed : undefined),
      'flake8',
      lint
        ? (lint.crashed ??
          `${lint.findings.length} finding(s)` +
            (detailed ? ` (configuration: ${lint.config})` : ''))
        : notRun('lint: none')
    ],
    [
      mark(
        deploy ? deploy.findings.length === 0 && !deploy.problem : undefined
      ),
      'check --deploy',
      deploy
        ? (deploy.problem ?? `${deploy.findings.length} issue(s)`)
        : notRun('deploy-check: false')
    ],
    [
      mark(
        migrations
          ? migrations.missing.length === 0 && !migrations.problem
          : undefined
      ),
      'missing migrations',
      migrations
        ? (migrations.problem ??
          (migrations.missing.length === 0
            ? 'none'
            : migrations.missing.map((m) => m.app).join(', ')))
        : notRun('migrations-check: false')
    ]
  ]
}

export function summaryMarkdown(report: RunReport): string {
  const { tests, lint, deploy, migrations } = report
  const coverage = tests.coverage
  const rows = resultRows(report, true)
  const sections = [
    `## ci-test: ${report.reasons.length === 0 ? 'passed' : 'failed'}`,
    `Project \`${report.project}\`, Python ${report.pythonVersion}, ${report.environment}.`,
    table(['', 'check', 'result'], rows)
  ]
  if (report.reasons.length > 0) {
    sections.push(
      '### Why it failed',
      report.reasons.map((r) => `- ${r}`).join('\n')
    )
  }
  const failing = tests.cases.filter(
    (c) => c.outcome === 'failure' || c.outcome === 'error'
  )
  if (failing.length > 0) {
    sections.push(
      '### Failing tests',
      table(
        ['test', 'where', 'message'],
        failing
          .slice(0, ROWS)
          .map((c) => [
            `${c.classname}.${c.name}`,
            c.file ? `${c.file}${c.line ? `:${c.line}` : ''}` : '',
            c.message.slice(0, 300)
          ])
      ) + more(failing.length)
    )
  }
  if (coverage) {
    sections.push(
      '### Coverage per file',
      details(
        `${coverage.files.length} file(s), worst first`,
        table(
          ['file', 'coverage', '', 'missing lines', 'missing branches'],
          coverage.files
            .slice(0, ROWS)
            .map((f) => [
              f.file,
              `${f.percent.toFixed(1)}%`,
              bar(f.percent),
              f.missing,
              f.missingBranches
            ])
        ) + more(coverage.files.length)
      )
    )
  }
  if (lint && lint.findings.length > 0) {
    sections.push(
      '### Lint findings',
      table(
        ['where', 'code', 'message'],
        lint.findings
          .slice(0, ROWS)
          .map((f) => [`${f.file}:${f.line}:${f.column}`, f.code, f.message])
      ) + more(lint.findings.length)
    )
  }
  if (deploy || migrations) {
    const lines: string[] = []
    for (const f of deploy?.findings ?? []) {
      lines.push(
        `- \`${f.id}\` ${f.message}${f.hint ? ` _Hint: ${f.hint}_` : ''}`
      )
    }
    for (const m of migrations?.missing ?? []) {
      lines.push(
        `- missing migration for \`${m.app}\` (${m.migration}): ${m.operations.join('; ')}`
      )
    }
    if (deploy?.problem) lines.push(`- ${deploy.problem}`)
    if (migrations?.problem) lines.push(`- ${migrations.problem}`)
    sections.push(
      '### Production checks',
      lines.length > 0 ? lines.join('\n') : 'No issues.'
    )
    const output = [
      deploy?.problem ? deploy.output : '',
      migrations?.problem ? migrations.output : ''
    ]
      .filter(Boolean)
      .join('\n')
    if (output) sections.push(details('Output', codeBlock(output.slice(-5000))))
  }
  const overflow = report.annotator.overflowMarkdown()
  if (overflow) sections.push(overflow)
  return sections.join('\n\n')
}
