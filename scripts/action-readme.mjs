#!/usr/bin/env node
// Keeps every action's README in step with its action.yml, and checks that
// every action.yml says what a Marketplace user needs.
//
//   node scripts/action-readme.mjs          rewrite the generated README sections
//   node scripts/action-readme.mjs --check  fail when a README is out of date or
//                                           an action.yml is incomplete
//
// The generated section sits between `<!-- action-docs:start -->` and
// `<!-- action-docs:end -->` in actions/<name>/README.md.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const check = process.argv.includes('--check')
const START = '<!-- action-docs:start -->'
const END = '<!-- action-docs:end -->'

const cell = (text) =>
  String(text ?? '')
    .trim()
    .replace(/\|/g, '\\|')
    .replace(/\r?\n+/g, ' ')

function describe(meta) {
  const lines = []
  const inputs = Object.entries(meta.inputs ?? {})
  lines.push('### Inputs', '')
  if (inputs.length === 0) lines.push('None.')
  else {
    lines.push(
      '| name | description | required | default |',
      '| --- | --- | --- | --- |'
    )
    for (const [name, input] of inputs) {
      const def =
        input.default === undefined || input.default === ''
          ? ''
          : `\`${cell(input.default)}\``
      lines.push(
        `| \`${name}\` | ${cell(input.description)} | ${input.required ? 'yes' : 'no'} | ${def} |`
      )
    }
  }
  const outputs = Object.entries(meta.outputs ?? {})
  lines.push('', '### Outputs', '')
  if (outputs.length === 0) lines.push('None.')
  else {
    lines.push('| name | description |', '| --- | --- |')
    for (const [name, output] of outputs) {
      lines.push(`| \`${name}\` | ${cell(output.description)} |`)
    }
  }
  return lines.join('\n')
}

function problemsOf(name, meta) {
  const problems = []
  if (!meta.name) problems.push('no name')
  if (!meta.description) problems.push('no description')
  if (!meta.branding?.icon || !meta.branding?.color)
    problems.push('no branding icon and color')
  if (meta.runs?.using !== 'node24')
    problems.push(`runs.using is ${meta.runs?.using}, expected node24`)
  if (meta.runs?.main !== 'dist/index.js')
    problems.push('runs.main is not dist/index.js')
  for (const [input, spec] of Object.entries(meta.inputs ?? {})) {
    if (!spec?.description) problems.push(`input ${input} has no description`)
    if (spec?.required && spec.default !== undefined && spec.default !== '') {
      problems.push(`input ${input} is required but has a default`)
    }
  }
  for (const [output, spec] of Object.entries(meta.outputs ?? {})) {
    if (!spec?.description) problems.push(`output ${output} has no description`)
  }
  return problems.map((p) => `actions/${name}/action.yml: ${p}`)
}

let failures = 0
const actionsDir = join(root, 'actions')
for (const name of readdirSync(actionsDir).sort()) {
  const file = join(actionsDir, name, 'action.yml')
  if (!existsSync(file)) continue
  const meta = parse(readFileSync(file, 'utf8'))
  for (const problem of problemsOf(name, meta)) {
    console.error(problem)
    failures++
  }
  const readmePath = join(actionsDir, name, 'README.md')
  const readme = existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : ''
  const start = readme.indexOf(START)
  const end = readme.indexOf(END)
  if (start < 0 || end < start) {
    console.error(
      `actions/${name}/README.md: missing the ${START} … ${END} markers`
    )
    failures++
    continue
  }
  const next = `${readme.slice(0, start + START.length)}\n\n${describe(meta)}\n\n${readme.slice(end)}`
  if (next === readme) continue
  if (check) {
    console.error(
      `actions/${name}/README.md: out of date with action.yml (run 'npm run readme')`
    )
    failures++
  } else {
    writeFileSync(readmePath, next)
    console.log(`updated actions/${name}/README.md`)
  }
}
process.exit(failures ? 1 : 0)
