#!/usr/bin/env node
// Bundles every action (actions/*/src/index.ts) with ncc into its dist/:
// minified ESM, a source map, and the licenses of what was bundled.
// Usage: node scripts/bundle.mjs [action-name ...]
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { availableParallelism } from 'node:os'
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

// Two at a time on a two-core machine: ncc is mostly single-threaded.
const jobs = Math.max(1, Math.min(availableParallelism(), 4))
let failed = 0

function bundle(name) {
  const dir = join(root, 'actions', name)
  // A clean dist/, so that chunks no longer produced do not linger.
  rmSync(join(dir, 'dist'), { recursive: true, force: true })
  const started = Date.now()
  const args = [
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
  ]
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: dir, stdio: 'inherit' })
    child.on('close', (code) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1)
      if (code === 0) {
        process.stdout.write(`bundled actions/${name} in ${seconds} s\n`)
      } else {
        failed++
        process.stderr.write(`bundling actions/${name} failed\n`)
      }
      resolve()
    })
  })
}

const queue = [...actions]
await Promise.all(
  Array.from({ length: jobs }, async () => {
    while (queue.length > 0) await bundle(queue.shift())
  })
)
process.exit(failed ? 1 : 0)
