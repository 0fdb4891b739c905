#!/usr/bin/env node
// make bench: runs every bench/*.bench.mjs in turn (each measures one thing
// against its reference in the same run and writes bench/results/<name>.json
// as {rows: [{name, figure, unit, target, pass, note?}]}), then prints one
// table of every row and writes bench/results/summary.json.
//
//   node bench/run.mjs [name ...]     only the named benchmarks
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const wanted = process.argv.slice(2)
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .map((f) => f.replace(/\.bench\.mjs$/, ''))
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort()

const rows = []
let broken = 0
for (const name of benches) {
  process.stdout.write(`\n== bench/${name}\n`)
  const result = spawnSync(
    process.execPath,
    [join(here, `${name}.bench.mjs`)],
    {
      stdio: 'inherit'
    }
  )
  const file = join(here, 'results', `${name}.json`)
  if (result.status !== 0 || !existsSync(file)) {
    broken++
    rows.push({
      bench: name,
      name: '(did not finish)',
      figure: '',
      unit: '',
      target: '',
      pass: false
    })
    continue
  }
  for (const row of JSON.parse(readFileSync(file, 'utf8')).rows)
    rows.push({ bench: name, ...row })
}

const line = (cells) => `| ${cells.join(' | ')} |`
process.stdout.write(
  '\n' +
    [
      line(['bench', 'measure', 'figure', 'target', 'result']),
      line(['---', '---', '---', '---', '---']),
      ...rows.map((r) =>
        line([
          r.bench,
          r.name,
          `${r.figure}${r.unit ? ` ${r.unit}` : ''}`,
          r.target,
          r.pass ? 'pass' : 'FAIL'
        ])
      )
    ].join('\n') +
    '\n'
)
writeFileSync(
  join(here, 'results', 'summary.json'),
  JSON.stringify({ date: new Date().toISOString(), rows }, null, 2)
)
process.exit(broken ? 1 : 0)
