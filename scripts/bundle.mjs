#!/usr/bin/env node
// Bundles every action (actions/*/src/index.ts) with ncc into its dist/:
// minified ESM, a source map, and the licenses of what was bundled.
// Usage: node scripts/bundle.mjs [action-name ...]
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const ncc = join(
  root,
  'node_modules',
  '@vercel',
  'ncc',
  'dist',
  'ncc',
  'cli.js'
)
const wanted = process.argv.slice(2)
const actions = readdirSync(join(root, 'actions'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .filter((name) => existsSync(join(root, 'actions', name, 'src', 'index.ts')))
  .filter((name) => wanted.length === 0 || wanted.includes(name))

let failed = 0
for (const name of actions) {
  const dir = join(root, 'actions', name)
  // A clean dist/, so that chunks no longer produced do not linger.
  rmSync(join(dir, 'dist'), { recursive: true, force: true })
  const started = Date.now()
  const result = spawnSync(
    process.execPath,
    [
      ncc,
      'build',
      'src/index.ts',
      '--out',
      'dist',
      '--source-map',
      '--license',
      'licenses.txt',
      '--minify',
      '--quiet'
    ],
    { cwd: dir, stdio: 'inherit' }
  )
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  if (result.status === 0) {
    process.stdout.write(`bundled actions/${name} in ${seconds} s\n`)
  } else {
    failed++
    process.stderr.write(`bundling actions/${name} failed\n`)
  }
}
process.exit(failed ? 1 : 0)
