/**
 * Where the registry login lives from the main step to the post step: a
 * private directory under `RUNNER_TEMP` holding podman's auth file or
 * Docker's configuration directory, never the user's `~/.docker/config.json`
 * or podman's default auth file. The saved state names the registry, the
 * engine and that directory; it never holds a credential.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as core from '@actions/core'

/** The state entry the post step reads. */
export const LOGIN_STATE = 'registry-login'
const DIR_PREFIX = 'docker-publish-login-'
/** What a private Docker configuration shares with the user's (never credentials). */
const DOCKER_SHARED = ['cli-plugins', 'buildx', 'contexts']

export interface Login {
  registry: string
  kind: 'docker' | 'podman'
  /** The program: `docker` or `podman`. */
  command: string
  /** The private directory holding the login. */
  dir: string
}

/** The file the engine keeps the login in. */
export function authFile(login: Pick<Login, 'kind' | 'dir'>): string {
  return path.join(
    login.dir,
    login.kind === 'docker' ? 'config.json' : 'auth.json'
  )
}

/** The environment that points the engine at the private login. */
export function loginEnv(
  login: Pick<Login, 'kind' | 'dir'>
): Record<string, string> {
  return login.kind === 'docker'
    ? { DOCKER_CONFIG: login.dir }
    : { REGISTRY_AUTH_FILE: authFile(login) }
}

/**
 * Docker's own configuration, minus every credential (saved logins and
 * credential helpers, which would store ours elsewhere), with the user's
 * plugins, buildx builders and contexts linked in so that buildx works as
 * before.
 */
function prepareDockerConfig(dir: string, env: NodeJS.ProcessEnv): void {
  const userDir = env['DOCKER_CONFIG'] || path.join(os.homedir(), '.docker')
  let config: Record<string, unknown> = {}
  try {
    const parsed: unknown = JSON.parse(
      fs.readFileSync(path.join(userDir, 'config.json'), 'utf8')
    )
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      config = parsed as Record<string, unknown>
    }
  } catch {
    // No configuration (or an unreadable one): start from nothing.
  }
  delete config['auths']
  delete config['credsStore']
  delete config['credHelpers']
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config), {
    mode: 0o600
  })
  for (const name of DOCKER_SHARED) {
    const shared = path.join(userDir, name)
    if (fs.existsSync(shared)) fs.symlinkSync(shared, path.join(dir, name))
  }
}

/** A new private (0700) directory for a login to `registry`. */
export function createLogin(
  registry: string,
  engine: { kind: 'docker' | 'podman'; command: string },
  env: NodeJS.ProcessEnv = process.env
): Login {
  const root = env['RUNNER_TEMP'] || os.tmpdir()
  const dir = fs.mkdtempSync(path.join(root, DIR_PREFIX))
  fs.chmodSync(dir, 0o700)
  if (engine.kind === 'docker') prepareDockerConfig(dir, env)
  return { registry, kind: engine.kind, command: engine.command, dir }
}

/** Tells the post step about `login` (or, with `undefined`, that there is none). */
export function saveLogin(login: Login | undefined): void {
  core.saveState(LOGIN_STATE, login ? JSON.stringify(login) : '')
}

/** The login the main step saved, if any and if it is one of ours. */
export function savedLogin(): Login | undefined {
  const state = core.getState(LOGIN_STATE)
  if (!state) return undefined
  let login: Partial<Login>
  try {
    login = JSON.parse(state) as Partial<Login>
  } catch {
    core.warning(`The saved registry login is not JSON: ${state}`)
    return undefined
  }
  const { registry, kind, command, dir } = login
  if (
    typeof registry !== 'string' ||
    (kind !== 'docker' && kind !== 'podman') ||
    typeof command !== 'string' ||
    typeof dir !== 'string' ||
    !path.isAbsolute(dir) ||
    !path.basename(dir).startsWith(DIR_PREFIX)
  ) {
    core.warning(`The saved registry login is not one of ours: ${state}`)
    return undefined
  }
  return { registry, kind, command, dir }
}

/** The command line that logs out of `login.registry`. */
export function logoutArgs(login: Login): string[] {
  return login.kind === 'docker'
    ? ['logout', login.registry]
    : ['logout', '--authfile', authFile(login), login.registry]
}
