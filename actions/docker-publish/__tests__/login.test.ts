/**
 * The private login and the post step, without an engine: what the login
 * directory holds for Docker (its configuration minus every credential,
 * the user's plugins and builders linked in), what the saved state may
 * name, and what the post step does when the logout fails or there is
 * nothing to undo. The real podman login and logout are in publish.test.ts.
 */
import {
  afterEach,
  beforeEach,
  describe,
  expect,
  it,
  jest
} from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { mockCore } from '@shipyard/action-kit/testing'
import type { ExecOptions, ExecResult } from '@shipyard/action-kit'

const core = mockCore()
jest.unstable_mockModule('@actions/core', () => core)

const { createLogin, saveLogin, savedLogin, loginEnv, LOGIN_STATE } =
  await import('../src/login-store.js')
const { post } = await import('../src/post.js')

let temp: string

beforeEach(() => {
  core.reset()
  temp = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-login-'))
})
afterEach(() => fs.rmSync(temp, { recursive: true, force: true }))

function fakeExec(exitCode = 0, stderr = '') {
  const calls: { command: string; args: string[]; options?: ExecOptions }[] = []
  const run = (
    command: string,
    args: readonly string[],
    options?: ExecOptions
  ): Promise<ExecResult> => {
    calls.push({ command, args: [...args], options })
    return Promise.resolve({ exitCode, stdout: '', stderr })
  }
  return { run, calls }
}

describe('the private login', () => {
  it('gives Docker its own configuration without credentials, linking plugins, builders and contexts', () => {
    const user = path.join(temp, 'user-docker')
    fs.mkdirSync(path.join(user, 'cli-plugins'), { recursive: true })
    fs.mkdirSync(path.join(user, 'buildx'))
    fs.writeFileSync(
      path.join(user, 'config.json'),
      JSON.stringify({
        auths: { 'ghcr.io': { auth: 'c2VjcmV0' } },
        credsStore: 'desktop',
        credHelpers: { 'gcr.io': 'gcloud' },
        currentContext: 'builders',
        proxies: { default: { httpProxy: 'http://proxy:3128' } }
      })
    )
    const runnerTemp = path.join(temp, 'runner')
    fs.mkdirSync(runnerTemp)
    const login = createLogin(
      'docker.io',
      { kind: 'docker', command: 'docker' },
      { RUNNER_TEMP: runnerTemp, DOCKER_CONFIG: user }
    )
    expect(path.dirname(login.dir)).toBe(runnerTemp)
    expect(fs.statSync(login.dir).mode & 0o777).toBe(0o700)
    const config = JSON.parse(
      fs.readFileSync(path.join(login.dir, 'config.json'), 'utf8')
    ) as Record<string, unknown>
    expect(config).toEqual({
      currentContext: 'builders',
      proxies: { default: { httpProxy: 'http://proxy:3128' } }
    })
    expect(fs.readlinkSync(path.join(login.dir, 'cli-plugins'))).toBe(
      path.join(user, 'cli-plugins')
    )
    expect(fs.readlinkSync(path.join(login.dir, 'buildx'))).toBe(
      path.join(user, 'buildx')
    )
    expect(fs.existsSync(path.join(login.dir, 'contexts'))).toBe(false)
    expect(loginEnv(login)).toEqual({ DOCKER_CONFIG: login.dir })
    // The user's own configuration is untouched.
    expect(
      JSON.parse(fs.readFileSync(path.join(user, 'config.json'), 'utf8'))
    ).toHaveProperty('auths')
  })

  it('gives podman a private auth file', () => {
    const login = createLogin(
      '127.0.0.1:5000',
      { kind: 'podman', command: 'podman' },
      { RUNNER_TEMP: temp }
    )
    expect(loginEnv(login)).toEqual({
      REGISTRY_AUTH_FILE: path.join(login.dir, 'auth.json')
    })
    expect(fs.readdirSync(login.dir)).toEqual([])
  })

  it('reads back only a login of its own from the state', () => {
    const login = createLogin(
      'ghcr.io',
      { kind: 'podman', command: 'podman' },
      { RUNNER_TEMP: temp }
    )
    saveLogin(login)
    expect(savedLogin()).toEqual(login)
    saveLogin(undefined)
    expect(savedLogin()).toBeUndefined()
    for (const foreign of [
      'not json',
      JSON.stringify({ ...login, dir: os.homedir() }),
      JSON.stringify({ ...login, dir: 'docker-publish-login-x' }),
      JSON.stringify({ ...login, kind: 'nerdctl' })
    ]) {
      core.state[LOGIN_STATE] = foreign
      expect(savedLogin()).toBeUndefined()
    }
    expect(core.warning).toHaveBeenCalledTimes(4)
  })
})

describe('the post step', () => {
  it('logs Docker out in its private configuration, then deletes it', async () => {
    const login = createLogin(
      'docker.io',
      { kind: 'docker', command: 'docker' },
      { RUNNER_TEMP: temp, DOCKER_CONFIG: path.join(temp, 'none') }
    )
    saveLogin(login)
    const { run, calls } = fakeExec()
    await post(run)
    expect(calls).toEqual([
      {
        command: 'docker',
        args: ['logout', 'docker.io'],
        options: { silent: true, env: { DOCKER_CONFIG: login.dir } }
      }
    ])
    expect(fs.existsSync(login.dir)).toBe(false)
    expect(core.log).toContain('info: Logged out of docker.io.')
  })

  it('warns when the logout fails, and deletes the login all the same', async () => {
    const login = createLogin(
      'ghcr.io',
      { kind: 'podman', command: 'podman' },
      { RUNNER_TEMP: temp }
    )
    saveLogin(login)
    const { run } = fakeExec(125, 'Error: not logged into ghcr.io')
    await post(run)
    expect(fs.existsSync(login.dir)).toBe(false)
    expect(core.warning).toHaveBeenCalledWith(
      'Logging out of ghcr.io failed (Error: not logged into ghcr.io); its credentials are deleted with the login directory all the same.'
    )
  })

  it('deletes the login even when the engine cannot be started', async () => {
    const login = createLogin(
      'ghcr.io',
      { kind: 'podman', command: 'podman' },
      { RUNNER_TEMP: temp }
    )
    saveLogin(login)
    const failing = (): Promise<ExecResult> =>
      Promise.reject(new Error('spawn podman ENOENT'))
    await expect(post(failing)).rejects.toThrow('ENOENT')
    expect(fs.existsSync(login.dir)).toBe(false)
  })

  it('does nothing but say so at debug level when the main step never logged in', async () => {
    const { run, calls } = fakeExec()
    await post(run)
    expect(calls).toEqual([])
    expect(core.log).toEqual([
      'debug: No registry login to undo: the main step did not log in.'
    ])
  })
})
