/**
 * Moving a real virtual environment (made by the machine's Python): after a
 * rename its scripts name a path that no longer exists; relocated, they run
 * at the new place.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { recordedLocation, relocateEnvironment } from '../src/relocate.js'

const python = process.env['PYTHON'] || 'python3'
let root: string

beforeAll(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'relocate-')))
})
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

/** A venv at `dir` with a script as pip writes it, and a longer-named neighbour's path in it. */
function makeVenv(dir: string): void {
  const made = spawnSync(python, ['-m', 'venv', '--without-pip', dir])
  expect(made.status).toBe(0)
  const script = path.join(dir, 'bin', 'where')
  fs.writeFileSync(
    script,
    `#!${dir}/bin/python\nimport sys\n# not ours: ${dir}-other/x\nprint(sys.prefix)\n`,
    { mode: 0o755 }
  )
  // pip's launcher when the interpreter's path is too long for `#!`.
  fs.writeFileSync(
    path.join(dir, 'bin', 'launcher'),
    `#!/bin/sh\n'''exec' "${dir}/bin/python" "$0" "$@"\n' '''\nimport sys\nprint(sys.prefix)\n`,
    { mode: 0o755 }
  )
}

describe('relocateEnvironment', () => {
  it('makes a moved environment run at its new path', () => {
    const before = path.join(root, '.building-x1')
    const after = path.join(root, 'py3-key')
    makeVenv(before)
    expect(recordedLocation(before)).toBe(before)

    const changed = relocateEnvironment(before, after)
    fs.renameSync(before, after)
    expect(changed.map((f) => path.basename(f)).sort()).toEqual(
      expect.arrayContaining(['activate', 'launcher', 'pyvenv.cfg', 'where'])
    )
    expect(recordedLocation(after)).toBe(after)
    for (const name of ['where', 'launcher']) {
      const run = spawnSync(path.join(after, 'bin', name), {
        encoding: 'utf8'
      })
      expect(run.status).toBe(0)
      expect(run.stdout.trim()).toBe(after)
    }
    const where = fs.readFileSync(path.join(after, 'bin', 'where'), 'utf8')
    // A longer path that merely starts with the old one is left alone.
    expect(where).toContain(`${before}-other/x`)
    expect(fs.statSync(path.join(after, 'bin', 'where')).mode & 0o111).not.toBe(
      0
    )
    expect(
      fs.readFileSync(path.join(after, 'pyvenv.cfg'), 'utf8')
    ).not.toContain(before)

    // Already in place: nothing to do.
    expect(relocateEnvironment(after, after)).toEqual([])
  })

  it('leaves a directory that is no environment alone', () => {
    const dir = path.join(root, 'plain')
    fs.mkdirSync(dir)
    expect(recordedLocation(dir)).toBeUndefined()
    expect(relocateEnvironment(dir, path.join(root, 'elsewhere'))).toEqual([])
  })
})
