import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

// The committed bundles, run as the runner runs them: a fresh node process,
// inputs as INPUT_* variables, the runner's files in a temporary directory.
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const actions = fs
  .readdirSync(path.join(root, 'actions'))
  .filter((name) =>
    fs.existsSync(path.join(root, 'actions', name, 'action.yml'))
  )
  .sort()

function runBundle(name: string, inputs: Record<string, string> = {}) {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), `bundle-${name}-`))
  const output = path.join(workspace, '.output')
  const summary = path.join(workspace, '.summary')
  fs.writeFileSync(output, '')
  fs.writeFileSync(summary, '')
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? workspace,
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
    RUNNER_TEMP: workspace
  }
  for (const [key, value] of Object.entries(inputs))
    env[`INPUT_${key.toUpperCase()}`] = value
  const result = spawnSync(
    process.execPath,
    [path.join(root, 'actions', name, 'dist', 'index.js')],
    {
      cwd: workspace,
      env,
      encoding: 'utf8',
      timeout: 20_000
    }
  )
  fs.rmSync(workspace, { recursive: true, force: true })
  return result
}

describe.each(actions)('actions/%s bundle', (name) => {
  const meta = parse(
    fs.readFileSync(path.join(root, 'actions', name, 'action.yml'), 'utf8')
  ) as {
    runs: { using: string; main: string; post?: string; 'post-if'?: string }
  }

  it('is what action.yml runs, on node24, an ES module next to its package.json', () => {
    // A post step, when there is one, runs the same committed bundle
    // (the kit's run() tells it apart by saved state), always.
    const { post, 'post-if': postIf, ...runs } = meta.runs
    expect(runs).toEqual({ using: 'node24', main: 'dist/index.js' })
    // docker-publish logs out of the registry in its post step.
    if (name === 'docker-publish') expect(post).toBe('dist/index.js')
    if (post !== undefined || postIf !== undefined) {
      expect({ post, postIf }).toEqual({
        post: 'dist/index.js',
        postIf: 'always()'
      })
    }
    const pkg = JSON.parse(
      fs.readFileSync(
        path.join(root, 'actions', name, 'dist', 'package.json'),
        'utf8'
      )
    ) as {
      type: string
    }
    expect(pkg.type).toBe('module')
    expect(
      fs.existsSync(path.join(root, 'actions', name, 'dist', 'index.js.map'))
    ).toBe(true)
    expect(
      fs.readFileSync(
        path.join(root, 'actions', name, 'dist', 'licenses.txt'),
        'utf8'
      )
    ).toContain('@actions/core')
  })

  it('starts without undici: the entry holds no HTTP client (patches/)', () => {
    // @actions/core's unused OIDC client would bring @actions/http-client
    // and undici into every entry, evaluated before the first line (about
    // 35 ms and 10 MiB); patches/ marks @actions/core side-effect free so
    // ncc leaves it out. Each body loads its HTTP client when it needs one.
    const map = JSON.parse(
      fs.readFileSync(
        path.join(root, 'actions', name, 'dist', 'index.js.map'),
        'utf8'
      )
    ) as { sources: string[] }
    const packages = new Set(
      map.sources.flatMap(
        (source) =>
          /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source)?.slice(1) ?? []
      )
    )
    expect(packages).toContain('@actions/core')
    expect(packages).not.toContain('@actions/http-client')
    expect(packages).not.toContain('undici')
  })

  it('exits 1 naming the missing input when run with no inputs', () => {
    const result = runBundle(name)
    expect(result.status).toBe(1)
    expect(result.stdout).toMatch(
      /^::error::Input required and not supplied: '[a-z-]+'/m
    )
    expect(result.stderr).toBe('')
  })

  it('refuses a malformed self-report DSN before doing anything', () => {
    const result = runBundle(name, {
      'self-report-dsn': 'https://nothex@sentry.example/1'
    })
    expect(result.status).toBe(1)
    expect(result.stdout).toContain(
      "::error::Invalid value for input 'self-report-dsn'"
    )
    // Only the runner's own mask command may carry the value.
    const shown = result.stdout
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
    expect(shown.join('\n')).not.toContain('nothex')
    expect(result.stdout).toContain(
      '::add-mask::https://nothex@sentry.example/1'
    )
  })
})
