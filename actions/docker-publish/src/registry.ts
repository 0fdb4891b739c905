/**
 * Logging in, pushing and reading back the digest. The password reaches the
 * engine on standard input only (`login --password-stdin`), never on a
 * command line. The login is kept in a private directory (podman's auth
 * file, Docker's configuration directory; see login-store.ts) that the post
 * step logs out of and removes.
 *
 * The digest is the one the registry serves for the pushed tag
 * (`Docker-Content-Digest` of `GET /v2/<name>/manifests/<tag>`), not one
 * computed locally.
 */
import * as fs from 'node:fs'
import * as core from '@actions/core'
import { HttpClient, HttpError, scrub } from '@shipyard/action-kit'
import { DOCKER_HUB } from './constants.js'
import {
  isLoopbackRegistry,
  type ContainerEngine,
  type Exec
} from './engine.js'
import {
  authFile,
  createLogin,
  loginEnv,
  saveLogin,
  type Login
} from './login-store.js'

export interface Credentials {
  username: string
  password: string
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json'
].join(', ')

export class RegistryError extends Error {
  override name = 'RegistryError'
}

/** The host the registry API answers on (`docker.io` → `registry-1.docker.io`). */
export function registryApiBase(registry: string): string {
  const host = registry === DOCKER_HUB ? 'registry-1.docker.io' : registry
  return `${isLoopbackRegistry(host) ? 'http' : 'https'}://${host}/`
}

export class RegistrySession {
  private current: Login | undefined

  constructor(
    private readonly engine: ContainerEngine,
    private readonly run: Exec,
    private readonly registry: string
  ) {}

  /** What the engine's commands need in their environment to use the login. */
  env(): Record<string, string> {
    return this.current ? loginEnv(this.current) : {}
  }

  private flags(): string[] {
    return this.engine.registryFlags(
      this.registry,
      this.current ? authFile(this.current) : ''
    )
  }

  /**
   * Logs in, keeping the login in a private directory that the post step
   * removes. The state is saved before the engine runs, so that a step
   * cancelled during the login still leaves nothing behind.
   */
  async login(credentials: Credentials): Promise<void> {
    const login = createLogin(this.registry, this.engine)
    saveLogin(login)
    const result = await this.run(
      this.engine.command,
      [
        'login',
        ...this.engine.registryFlags(this.registry, authFile(login)),
        '--username',
        credentials.username,
        '--password-stdin',
        this.registry
      ],
      { input: credentials.password, silent: true, env: loginEnv(login) }
    )
    if (result.exitCode !== 0) {
      fs.rmSync(login.dir, { recursive: true, force: true })
      saveLogin(undefined)
      const why = scrub(result.stderr.trim() || result.stdout.trim())
      throw new RegistryError(
        `Login to ${this.registry} as ${credentials.username} failed: ${why}. Check username and password (for Docker Hub, a personal access token with read and write access).`
      )
    }
    this.current = login
    core.info(
      `Logged in to ${this.registry} as ${credentials.username} (a private login, removed by the post step).`
    )
  }

  /** Pushes `ref` with the session's login. */
  async push(ref: string): Promise<void> {
    const result = await this.run(
      this.engine.command,
      ['push', ...this.flags(), ref],
      { silent: true, env: this.env() }
    )
    if (result.exitCode !== 0) {
      const why = scrub(result.stderr.trim().split('\n').slice(-5).join('\n'))
      throw new RegistryError(`Pushing ${ref} failed: ${why}`)
    }
    core.info(`Pushed ${ref}.`)
  }
}

/** A bearer token from the registry's token service, for `scope`. */
async function bearerToken(
  challenge: string,
  credentials: Credentials | undefined
): Promise<string> {
  const params: Record<string, string> = {}
  for (const match of challenge.matchAll(/(\w+)="([^"]*)"/g)) {
    params[match[1] ?? ''] = match[2] ?? ''
  }
  const realm = params['realm']
  if (!realm)
    throw new RegistryError(
      `The registry's challenge has no realm: ${challenge}`
    )
  const url = new URL(realm)
  const client = new HttpClient({
    service: 'registry token service',
    baseUrl: `${url.protocol}//${url.host}/`,
    maxAttempts: 3,
    headers: credentials ? { authorization: basic(credentials) } : {}
  })
  const response = await client.get<{ token?: string; access_token?: string }>(
    url.pathname,
    { query: { service: params['service'], scope: params['scope'] } }
  )
  const token = response.data?.token ?? response.data?.access_token
  if (!token)
    throw new RegistryError('The registry token service answered no token.')
  core.setSecret(token)
  return token
}

function basic(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
}

/**
 * The manifest digest the registry serves for `repository:tag`, with
 * bounded retries on 5xx and dropped connections.
 */
export async function registryDigest(
  registry: string,
  repository: string,
  tag: string,
  credentials?: Credentials
): Promise<string> {
  const client = new HttpClient({
    service: `registry ${registry}`,
    baseUrl: registryApiBase(registry),
    maxAttempts: 4,
    backoffMs: 500,
    headers: { accept: MANIFEST_TYPES }
  })
  const where = `v2/${repository}/manifests/${tag}`
  let response = await client.request('HEAD', where, { accept: [401] })
  if (response.status === 401) {
    const challenge = response.headers.get('www-authenticate') ?? ''
    const authorization = /^bearer/i.test(challenge)
      ? `Bearer ${await bearerToken(challenge, credentials)}`
      : credentials
        ? basic(credentials)
        : undefined
    if (!authorization) {
      throw new RegistryError(
        `The registry ${registry} asks for credentials to read ${repository}:${tag}, and none were given.`
      )
    }
    try {
      response = await client.request('HEAD', where, {
        headers: { authorization }
      })
    } catch (error) {
      if (error instanceof HttpError) {
        throw new RegistryError(
          `Reading the digest of ${repository}:${tag} from ${registry} failed: ${error.message}`
        )
      }
      throw error
    }
  }
  const digest = response.headers.get('docker-content-digest') ?? ''
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new RegistryError(
      `The registry ${registry} gave no manifest digest for ${repository}:${tag} (Docker-Content-Digest: ${JSON.stringify(digest)}).`
    )
  }
  return digest
}
