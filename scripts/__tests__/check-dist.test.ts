import { beforeEach, describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

// The real script, run in a throwaway git repository with one committed bundle.
const script = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'check-dist.sh'
)
let repo: string

const git = (...args: string[]) =>
  execFileSync(
    'git',
    ['-c', 'user.name=t', '-c', 'user.email=t@t.invalid', ...args],
    { cwd: repo }
  )

function check() {
  const result = spawnSync('bash', ['scripts/check-dist.sh', '--no-build'], {
    cwd: repo,
    encoding: 'utf8'
  })
  return { status: result.status, output: result.stdout + result.stderr }
}

beforeEach(() => {
  repo = fs.mkdtempSync(path.join(os.tmpdir(), 'check-dist-'))
  fs.mkdirSync(path.join(repo, 'scripts'))
  fs.copyFileSync(script, path.join(repo, 'scripts', 'check-dist.sh'))
  fs.mkdirSync(path.join(repo, 'actions', 'demo', 'dist'), { recursive: true })
  fs.writeFileSync(
    path.join(repo, 'actions', 'demo', 'dist', 'index.js'),
    'built\n'
  )
  git('init', '-q')
  git('add', '.')
  git('commit', '-qm', 'bundle')
})

describe('check-dist.sh', () => {
  it('passes when dist/ is as committed', () => {
    expect(check()).toMatchObject({
      status: 0,
      output: expect.stringContaining('every dist/ matches')
    })
  })

  it('fails on a changed bundle', () => {
    fs.writeFileSync(
      path.join(repo, 'actions', 'demo', 'dist', 'index.js'),
      'rebuilt\n'
    )
    const { status, output } = check()
    expect(status).toBe(1)
    expect(output).toContain(' M actions/demo/dist/index.js')
  })

  it('fails on a new chunk file that git diff alone would miss', () => {
    fs.writeFileSync(
      path.join(repo, 'actions', 'demo', 'dist', '579.index.js'),
      'chunk\n'
    )
    const { status, output } = check()
    expect(status).toBe(1)
    expect(output).toContain('?? actions/demo/dist/579.index.js')
  })

  it('fails on a bundle file that a build no longer makes', () => {
    fs.rmSync(path.join(repo, 'actions', 'demo', 'dist', 'index.js'))
    expect(check().status).toBe(1)
  })
})
