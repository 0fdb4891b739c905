#!/usr/bin/env node
// Adds up what `make test` ran, from the runners' own reports (Jest's JSON,
// pytest's JUnit XML and the shell tests' JUnit XML), and prints one closing
// line: `shipyard: N passed, N failed, N skipped`. Exits 1 when a report is
// missing or nothing ran, so a silent runner cannot pass for a green one.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { XMLParser } from 'fast-xml-parser'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const reports = join(root, '.run', 'reports')
const totals = { passed: 0, failed: 0, skipped: 0 }
const rows = []

const jestFile = join(reports, 'jest.json')
if (existsSync(jestFile)) {
  const jest = JSON.parse(readFileSync(jestFile, 'utf8'))
  const skipped = jest.numPendingTests + jest.numTodoTests
  rows.push(['jest', jest.numPassedTests, jest.numFailedTests, skipped])
} else {
  rows.push(['jest', 0, 1, 0])
  console.error('test-summary: no Jest report at .run/reports/jest.json')
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: ''
})
const asArray = (value) =>
  value === undefined ? [] : Array.isArray(value) ? value : [value]
for (const file of existsSync(reports) ? readdirSync(reports).sort() : []) {
  if (!file.endsWith('.xml')) continue
  const doc = parser.parse(readFileSync(join(reports, file), 'utf8'))
  const suites = doc.testsuites
    ? asArray(doc.testsuites.testsuite)
    : asArray(doc.testsuite)
  let tests = 0
  let failed = 0
  let skipped = 0
  for (const suite of suites) {
    tests += Number(suite.tests ?? 0)
    failed += Number(suite.failures ?? 0) + Number(suite.errors ?? 0)
    skipped += Number(suite.skipped ?? 0)
  }
  rows.push([
    file.replace(/\.xml$/, ''),
    tests - failed - skipped,
    failed,
    skipped
  ])
}

for (const [name, passed, failed, skipped] of rows) {
  console.log(
    `  ${name.padEnd(18)} ${String(passed).padStart(5)} passed ${String(failed).padStart(3)} failed ${String(skipped).padStart(3)} skipped`
  )
  totals.passed += passed
  totals.failed += failed
  totals.skipped += skipped
}
console.log(
  `shipyard: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`
)
process.exit(totals.failed > 0 || totals.passed === 0 ? 1 : 0)
