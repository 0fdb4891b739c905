#!/usr/bin/env node
// Bundles every action (actions/*/src/index.ts) with ncc into its dist/:
// minified ESM, a source map, and the licenses of what was bundled.
//
// The source maps are not registered at start (no source-map-support in the
// bundle, `--no-source-map-register`): parsing it cost every run ~6 ms and
// ~4 MiB before its first line. The .map files stay next to the chunks, for
// the licenses below, for `node --enable-source-maps`, and for the kit's
// run(), which turns on Node's own source maps when a stack is to be shown.
// Usage: node scripts/bundle.mjs [action-name ...]
import { spawn } from 'node:child_process'
import {
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { availableParallelism } from 'node:os'
import { dirname, join, resolve } from 'node:path'
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

/**
 * dist/licenses.txt: the name, version, license and license text of every
 * package the bundle holds, read from its source maps (ncc's own --license
 * output leaves most packages out).
 */
function writeLicenses(dist) {
  const packages = new Map()
  for (const file of readdirSync(dist).filter((f) => f.endsWith('.js.map'))) {
    const map = JSON.parse(readFileSync(join(dist, file), 'utf8'))
    for (const source of map.sources) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source)
      if (!match) continue
      const rel = source.slice(0, match.index + match[0].length)
      packages.set(match[1], resolve(dist, rel))
    }
  }
  const sections = []
  for (const [name, dir] of [...packages].sort(([a], [b]) =>
    a.localeCompare(b)
  )) {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    const licenseFile = readdirSync(dir).find((f) =>
      /^(licen[cs]e|copying)/i.test(f)
    )
    const text = licenseFile
      ? readFileSync(join(dir, licenseFile), 'utf8').trim()
      : ''
    sections.push(
      [
        `${name}@${manifest.version}`,
        String(manifest.license ?? 'UNKNOWN'),
        text
      ]
        .filter(Boolean)
        .join('\n')
    )
  }
  writeFileSync(join(dist, 'licenses.txt'), sections.join('\n\n') + '\n')
}

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
    '--no-source-map-register',
    '--minify',
    '--quiet'
  ]
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: dir, stdio: 'inherit' })
    child.on('close', (code) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1)
      if (code === 0) {
        writeLicenses(join(dir, 'dist'))
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
