/**
 * The project's tests under coverage.py with branch coverage, by one of two
 * strategies (`createTestStrategy`): pytest, or Django's `manage.py test`
 * with a runner of ours that also writes JUnit XML. Either way the reports
 * land at known paths: the JUnit XML, coverage.py's JSON and XML.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { exec, scrub } from '@shipyard/action-kit'
import { XMLParser } from 'fast-xml-parser'
import {
  COVERAGE_REPORTS_PY,
  COVERAGE_RUN_PY,
  DJANGO_JUNIT_RUNNER_PY
} from './python-scripts.js'

export interface ReportPaths {
  junit: string
  coverageJson: string
  coverageXml: string
  coverageData: string
}

export interface TestCaseResult {
  classname: string
  name: string
  outcome: 'passed' | 'failure' | 'error' | 'skipped'
  message: string
  details: string
  /** Relative to the project directory, when known. */
  file?: string
  line?: number
  time: number
}

export interface TestCounts {
  tests: number
  failures: number
  errors: number
  skipped: number
}

export interface FileCoverage {
  file: string
  percent: number
  statements: number
  missing: number
  branches: number
  missingBranches: number
}

export interface CoverageResult {
  /** As coverage.py displays it, with the project's precision. */
  display: string
  percent: number
  files: FileCoverage[]
}

export interface TestRunResult {
  runner: 'pytest' | 'django'
  exitCode: number
  counts: TestCounts
  cases: TestCaseResult[]
  coverage?: CoverageResult
  /** Why the run did not produce results, when it did not. */
  problem?: string
  /** Why there is no coverage figure although the tests left data: coverage.py's report failed. */
  coverageProblem?: string
}

/** How a runner is started under coverage. */
export interface TestStrategy {
  readonly runner: 'pytest' | 'django'
  /** Arguments to `python -m coverage run --branch …`. */
  args(reports: ReportPaths): string[]
  /** Environment variables for the run; may write helpers into the environment. */
  env(reports: ReportPaths, python: string): Record<string, string>
}

class PytestStrategy implements TestStrategy {
  readonly runner = 'pytest'
  args(reports: ReportPaths): string[] {
    return [
      '-m',
      'pytest',
      `--junitxml=${reports.junit}`,
      // xunit1 records each test's file and line.
      '-o',
      'junit_family=xunit1',
      '-p',
      'no:cacheprovider'
    ]
  }
  env(): Record<string, string> {
    return {}
  }
}

class DjangoStrategy implements TestStrategy {
  readonly runner = 'django'
  args(): string[] {
    return [
      'manage.py',
      'test',
      '--noinput',
      '--testrunner',
      'shipyard_junit_runner.JUnitDiscoverRunner'
    ]
  }
  env(reports: ReportPaths, python: string): Record<string, string> {
    // Into the environment's site-packages: importable without PYTHONPATH,
    // and, as installed code, never measured by coverage.py.
    fs.writeFileSync(
      path.join(sitePackages(python), 'shipyard_junit_runner.py'),
      DJANGO_JUNIT_RUNNER_PY
    )
    return { SHIPYARD_JUNIT_FILE: reports.junit }
  }
}

/** The site-packages directory of a virtual environment, from its interpreter. */
export function sitePackages(python: string): string {
  const venv = path.dirname(path.dirname(python))
  const windows = path.join(venv, 'Lib', 'site-packages')
  if (fs.existsSync(windows)) return windows
  const lib = path.join(venv, 'lib')
  const version = fs.readdirSync(lib).find((n) => /^python3\.\d+$/.test(n))
  if (!version) throw new Error(`No site-packages found in ${venv}.`)
  return path.join(lib, version, 'site-packages')
}

export function createTestStrategy(runner: 'pytest' | 'django'): TestStrategy {
  return runner === 'pytest' ? new PytestStrategy() : new DjangoStrategy()
}

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value]

type XmlNode = Record<string, unknown>

const text = (node: unknown): string => {
  if (typeof node === 'string') return node
  if (node && typeof node === 'object') {
    const value = (node as XmlNode)['#text']
    return typeof value === 'string' ? value : ''
  }
  return ''
}

const attr = (node: unknown, name: string): string => {
  if (!node || typeof node !== 'object') return ''
  const value = (node as XmlNode)[`@_${name}`]
  return typeof value === 'string' || typeof value === 'number'
    ? String(value)
    : ''
}

/** The last `file:line:` of the test's own file in a traceback. */
function lineInTraceback(details: string, file: string): number | undefined {
  let found: number | undefined
  const wanted = file.replace(/\\/g, '/')
  for (const line of details.split('\n')) {
    const match = /^(?:\s*File "(.+?)", line (\d+)|(.+?):(\d+):)/.exec(line)
    if (!match) continue
    const where = (match[1] ?? match[3]).replace(/\\/g, '/')
    if (where === wanted || where.endsWith(`/${wanted}`)) {
      found = Number(match[2] ?? match[4])
    }
  }
  return found
}

/** Test cases and counts from a JUnit XML report (pytest's or ours). */
export function parseJunit(xml: string): {
  counts: TestCounts
  cases: TestCaseResult[]
} {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseAttributeValue: false,
    // pytest writes newlines in attributes as character references.
    htmlEntities: true,
    isArray: (name) => ['testsuite', 'testcase'].includes(name)
  })
  const doc = parser.parse(xml) as XmlNode
  const root = (doc['testsuites'] ?? doc) as XmlNode
  const suites = asArray(root['testsuite'] as XmlNode[] | undefined)
  const cases: TestCaseResult[] = []
  for (const suite of suites) {
    for (const tc of asArray(suite['testcase'] as XmlNode[] | undefined)) {
      let outcome: TestCaseResult['outcome'] = 'passed'
      let node: unknown
      for (const kind of ['failure', 'error', 'skipped'] as const) {
        if (tc[kind] !== undefined) {
          outcome = kind
          node = asArray(tc[kind] as unknown[])[0]
          break
        }
      }
      const details = text(node)
      const file = attr(tc, 'file') || undefined
      const recorded = Number(attr(tc, 'line'))
      let line: number | undefined
      if (file) {
        line =
          lineInTraceback(details, file) ??
          // pytest's xunit1 line is 0-based (the `def` line); ours is 1-based
          // and already the failing line.
          (Number.isFinite(recorded) && attr(tc, 'line') !== ''
            ? recorded + (suite['@_name'] === 'django' ? 0 : 1)
            : undefined)
      }
      cases.push({
        classname: attr(tc, 'classname'),
        name: attr(tc, 'name'),
        outcome,
        message: attr(node, 'message') || details.split('\n')[0] || '',
        details,
        file,
        line,
        time: Number(attr(tc, 'time')) || 0
      })
    }
  }
  const count = (o: TestCaseResult['outcome']) =>
    cases.filter((c) => c.outcome === o).length
  return {
    counts: {
      tests: cases.length,
      failures: count('failure'),
      errors: count('error'),
      skipped: count('skipped')
    },
    cases
  }
}

interface CoverageJson {
  totals: { percent_covered: number; percent_covered_display: string }
  files: Record<
    string,
    {
      summary: {
        percent_covered: number
        num_statements: number
        missing_lines: number
        num_branches?: number
        missing_branches?: number
      }
    }
  >
}

export function parseCoverageJson(json: string): CoverageResult {
  const data = JSON.parse(json) as CoverageJson
  const files = Object.entries(data.files).map(([file, { summary }]) => ({
    file,
    percent: summary.percent_covered,
    statements: summary.num_statements,
    missing: summary.missing_lines,
    branches: summary.num_branches ?? 0,
    missingBranches: summary.missing_branches ?? 0
  }))
  files.sort((a, b) => a.percent - b.percent || a.file.localeCompare(b.file))
  return {
    display: data.totals.percent_covered_display,
    percent: data.totals.percent_covered,
    files
  }
}

/**
 * Whether a total is under the gate, as coverage.py's own `fail_under`
 * decides: the figure it displays (rounded to the report's precision, never
 * shown as 100 unless everything is covered) against the threshold.
 */
export function belowThreshold(
  coverage: CoverageResult,
  threshold: number
): boolean {
  const shown = Number(coverage.display)
  const figure = Number.isFinite(shown) ? shown : coverage.percent
  return figure < threshold
}

/** The data files coverage.py's `parallel = true` leaves beside `dataFile`. */
function parallelDataFiles(dataFile: string): string[] {
  const prefix = `${path.basename(dataFile)}.`
  const dir = path.dirname(dataFile)
  if (!fs.existsSync(dir)) return []
  return fs
    .readdirSync(dir)
    .filter((name) => name.startsWith(prefix))
    .map((name) => path.join(dir, name))
}

/** The report script's exit code when there is no data file at all. */
const NO_DATA = 3

/** What the report processes left: whether there was data, and why a report failed. */
interface CoverageReports {
  data: boolean
  error?: string
}

/**
 * coverage.py's JSON and XML reports, by two processes started now that
 * wait for `signal` (the data file written) before they read the data.
 * A report coverage.py could not write (a measured file it cannot parse,
 * a data file it cannot read) comes back as its message.
 */
async function writeCoverageReports(options: {
  python: string
  projectDir: string
  workDir: string
  reports: ReportPaths
  signal: string
}): Promise<CoverageReports> {
  const { python, projectDir, reports, signal } = options
  // The project's own fail_under does not apply here: the gate that counts
  // is ci-test's, so only the report files matter.
  const reportEnv = { COVERAGE_FILE: reports.coverageData }
  const script = path.join(options.workDir, 'shipyard_coverage_reports.py')
  fs.writeFileSync(script, COVERAGE_REPORTS_PY)
  const combined = `${signal}.combined`
  fs.rmSync(combined, { force: true })
  const report = (kind: 'json' | 'xml', outfile: string) =>
    exec(python, [script, kind, outfile, signal], {
      cwd: projectDir,
      env: reportEnv,
      silent: true
    })
  // The XML process waits for the JSON one's combine: if that process
  // died first, it waits no more.
  const json = report('json', reports.coverageJson).finally(() =>
    fs.writeFileSync(combined, '', { flag: 'a' })
  )
  const results = await Promise.all([json, report('xml', reports.coverageXml)])
  if (results.every((result) => result.exitCode === NO_DATA)) {
    return { data: false }
  }
  const failed = results.find(
    (result) => result.exitCode !== 0 && result.exitCode !== NO_DATA
  )
  if (!failed) return { data: true }
  const last = failed.stderr.trim().split('\n').pop()?.trim()
  return {
    data: true,
    error: `coverage.py could not write its report (exit code ${failed.exitCode})${last ? `: ${last}` : ''}`
  }
}

export async function runTests(options: {
  python: string
  projectDir: string
  workDir: string
  reports: ReportPaths
  strategy: TestStrategy
  env: Record<string, string>
  /** Where the report process is queued (the lanes beside the tests). */
  beside?: <T>(task: () => Promise<T>) => Promise<T>
}): Promise<TestRunResult> {
  const { python, projectDir, workDir, reports, strategy } = options
  const saved = path.join(workDir, 'shipyard_coverage_saved')
  const stale = [
    ...(Object.values(reports) as string[]),
    ...parallelDataFiles(reports.coverageData),
    saved
  ]
  for (const file of stale) {
    fs.rmSync(file, { force: true })
  }
  const env = {
    ...options.env,
    ...strategy.env(reports, python),
    COVERAGE_FILE: reports.coverageData,
    SHIPYARD_COVERAGE_SAVED: saved
  }
  const runner = path.join(workDir, 'shipyard_coverage_run.py')
  fs.writeFileSync(runner, COVERAGE_RUN_PY)
  const run = exec(
    python,
    [runner, 'run', '--branch', ...strategy.args(reports)],
    { cwd: projectDir, env }
  )
  // The processes that write the reports start beside the tests (in a lane
  // after the checks, when they run there) and wait for the data file: the
  // reports are then written while the test process runs its atexit
  // handlers. A process that ended without saying so is taken as done.
  const ended = run.finally(() => fs.writeFileSync(saved, '', { flag: 'a' }))
  const lane = options.beside ?? ((task) => task())
  const reported = lane(() =>
    writeCoverageReports({
      python,
      projectDir,
      workDir,
      reports,
      signal: saved
    })
  )
  const [result, coverageReports] = await Promise.all([ended, reported])
  const outcome: TestRunResult = {
    runner: strategy.runner,
    exitCode: result.exitCode,
    counts: { tests: 0, failures: 0, errors: 0, skipped: 0 },
    cases: []
  }
  if (fs.existsSync(reports.junit)) {
    // The report keeps what the tests printed: the `env` values they were
    // given are scrubbed out before anyone reads or uploads it.
    const junit = scrub(fs.readFileSync(reports.junit, 'utf8'))
    fs.writeFileSync(reports.junit, junit)
    Object.assign(outcome, parseJunit(junit))
  } else {
    const last = (result.stderr || result.stdout).trim().split('\n').pop()
    outcome.problem = `the tests did not run (exit code ${result.exitCode}, no JUnit report): ${last?.trim() ?? 'see the log'}`
  }
  if (result.exitCode === 5 && strategy.runner === 'pytest') {
    outcome.problem = 'pytest collected no tests'
  }
  if (coverageReports.error) {
    outcome.coverageProblem = coverageReports.error
  } else if (coverageReports.data && fs.existsSync(reports.coverageJson)) {
    outcome.coverage = parseCoverageJson(
      fs.readFileSync(reports.coverageJson, 'utf8')
    )
  }
  return outcome
}
