/**
 * The bundle with the GitHub cache service on (the stand-in, reached through
 * the variables a hosted runner sets): a first run builds the environment and
 * saves it; a fresh runner (new RUNNER_TEMP, empty cache-dir) restores it
 * instead of installing anything, and the restored environment works at its
 * new path; a service answering 500 or not answering at all is a warning and
 * the run still passes.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import { createServer } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { ActionsCacheStandIn } from '../../../packages/stand-ins/src/actions-cache.js'
import {
  cleanUp,
  copyExample,
  makeWorkspace,
  runBundle
} from './support/run-bundle.js'
import type { BundleRun } from './support/run-bundle.js'

jest.setTimeout(600_000)

const SERVICE = '/twirp/github.actions.results.api.v1.CacheService/'
const KEY =
  /^shipyard-ci-test-venv-[a-z0-9]+-[a-z0-9]+-py3\.\d+\.\d+-[0-9a-f]{20}$/
const standIn = new ActionsCacheStandIn()
const runs: BundleRun[] = []
const dirs: string[] = []

beforeAll(async () => {
  await standIn.start()
})
afterAll(async () => {
  await standIn.stop()
  runs.forEach(cleanUp)
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
})

function emptyDir(prefix: string): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)))
  dirs.push(dir)
  return dir
}

async function runWithService(
  cacheDir: string,
  env: Record<string, string> = standIn.env()
): Promise<BundleRun> {
  const workspace = makeWorkspace()
  copyExample(workspace)
  const run = await runBundle(
    workspace,
    { 'working-directory': 'example', installer: 'pip' },
    { cacheDir, env }
  )
  runs.push(run)
  if (run.status !== 0) {
    throw new Error(`ci-test failed:\n${run.stdout.slice(-4000)}${run.stderr}`)
  }
  return run
}

/** The Twirp methods and blob requests the stand-in received, in order. */
const calls = (): string[] =>
  standIn.requests.map((r) =>
    r.path.startsWith(SERVICE)
      ? `${r.path.slice(SERVICE.length)} ${r.status}`
      : `${r.method} blob ${r.status}`
  )

const warnings = (run: BundleRun): string[] =>
  run.stdout.split('\n').filter((l) => l.startsWith('::warning'))

/** Output with the runner's own `::add-mask::` lines left out. */
const visible = (run: BundleRun): string =>
  (run.stdout + run.stderr)
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n')

describe('ci-test with the GitHub cache service', () => {
  it('saves a new environment, and a fresh runner restores it without installing', async () => {
    // Run 1: nothing cached anywhere: miss, build, save.
    const first = await runWithService(emptyDir('ci-test-cache-a-'))
    expect(first.stdout).toContain('Building the environment')
    expect(calls()).toEqual([
      'GetCacheEntryDownloadURL 200',
      'CreateCacheEntry 200',
      'PUT blob 201',
      'FinalizeCacheEntryUpload 200'
    ])
    expect(standIn.received(/GetCacheEntryDownloadURL$/)[0].body).toEqual({
      key: expect.stringMatching(KEY),
      version: expect.stringMatching(/^[0-9a-f]{64}$/)
    })
    const entries = standIn.list()
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({
      key: expect.stringMatching(KEY),
      finalized: true
    })
    const key = entries[0].key
    expect(first.stdout).toContain(
      `Saved the environment to the GitHub cache (key ${key}).`
    )
    expect(warnings(first)).toEqual([])
    expect(first.errors).toEqual([])
    expect(first.summary).toContain('environment built')
    expect(visible(first)).not.toContain(standIn.token)

    // Run 2: a fresh runner (new workspace, RUNNER_TEMP and an empty
    // cache-dir): restored from the service, nothing installed.
    standIn.requests.length = 0
    const cacheDir = emptyDir('ci-test-cache-b-')
    const second = await runWithService(cacheDir)
    expect(second.stdout).toContain(
      `Restored the environment from the GitHub cache (key ${key})`
    )
    expect(second.stdout).not.toContain('Building the environment')
    expect(second.stdout).not.toMatch(/pip.* install/)
    expect(calls()).toEqual(['GetCacheEntryDownloadURL 200', 'GET blob 200'])
    expect(standIn.list()).toHaveLength(1)
    expect(second.outputs).toMatchObject({
      tests: '88',
      failures: '0',
      coverage: '100.0',
      'lint-errors': '0'
    })
    expect(second.summary).toContain(
      'environment restored from the GitHub cache'
    )
    expect(warnings(second)).toEqual([])
    expect(second.errors).toEqual([])
    expect(visible(second)).not.toContain(standIn.token)

    // The restored environment works where it was restored to: its scripts
    // name its new path and run.
    const [venv] = fs
      .readdirSync(path.join(cacheDir, 'venvs'))
      .map((name) => path.join(cacheDir, 'venvs', name))
    expect(path.basename(venv)).toBe(key.replace(/^.*-(py3)/, '$1'))
    const flake8 = path.join(venv, 'bin', 'flake8')
    expect(fs.readFileSync(flake8, 'utf8').split('\n')[0]).toBe(
      `#!${venv}/bin/python`
    )
    const version = spawnSync(flake8, ['--version'], { encoding: 'utf8' })
    expect(version.status).toBe(0)
    expect(version.stdout).toMatch(/pyflakes/)
    expect(
      fs.readFileSync(path.join(venv, 'bin', 'activate'), 'utf8')
    ).toContain(venv)
    for (const name of fs.readdirSync(path.join(venv, 'bin'))) {
      const file = path.join(venv, 'bin', name)
      if (!fs.lstatSync(file).isFile()) continue
      expect(fs.readFileSync(file, 'utf8')).not.toContain('ci-test-cache-a-')
    }
    expect(
      fs.readFileSync(path.join(venv, 'pyvenv.cfg'), 'utf8')
    ).not.toContain('ci-test-cache-a-')
  })

  it('warns when the service answers 500, builds, and passes', async () => {
    standIn.clearEntries()
    standIn.requests.length = 0
    standIn.addFault({
      kind: 'error-burst',
      status: 500,
      path: 'GetCacheEntryDownloadURL$',
      count: -1
    })
    try {
      const run = await runWithService(emptyDir('ci-test-cache-c-'))
      expect(warnings(run).join('\n')).toMatch(
        /^::warning::Failed to restore: .*GetCacheEntryDownloadURL.*\(500\)/m
      )
      expect(run.stdout).toContain('Building the environment')
      expect(run.errors).toEqual([])
      expect(run.outputs['tests']).toBe('88')
      // Every attempt of the client met the fault; the save went through.
      expect(
        standIn.received(/GetCacheEntryDownloadURL$/).map((r) => r.status)
      ).toEqual([500, 500, 500, 500, 500])
      expect(standIn.list()).toHaveLength(1)
    } finally {
      standIn.clearFaults()
    }
  })

  it('warns when the service cannot be reached, builds, and passes', async () => {
    // A port nothing listens on.
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    await new Promise<void>((resolve) => server.close(() => resolve()))
    const run = await runWithService(emptyDir('ci-test-cache-d-'), {
      ...standIn.env(),
      ACTIONS_RESULTS_URL: `http://127.0.0.1:${port}/`
    })
    const warned = warnings(run).join('\n')
    expect(warned).toMatch(/^::warning::Failed to restore: .*ECONNREFUSED/m)
    expect(warned).toMatch(
      /^::warning::The environment was not saved to the GitHub cache/m
    )
    expect(run.stdout).toContain('Building the environment')
    expect(run.errors).toEqual([])
    expect(run.outputs['tests']).toBe('88')
  })
})
