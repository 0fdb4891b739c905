/**
 * Logging in, pushing and reading back the digest. The password reaches the
 * engine on standard input only (`login --password-stdin`), never on a
 * command line; podman keeps the login in a private auth file inside the
 * run's temporary directory (removed at the end, which is the logout),
 * Docker in its own configuration, logged out at the end.
 *
 * The digest is the one the registry serves for the pushed tag
 * (`Docker-Content-Digest` of `GET /v2/<name>/manifests/<tag>`), not one
 * computed locally.
 */
import * as path from 'node:path'
import * as core from '@actions/core'
import { HttpClient, HttpError, scrub } from '@shipyard/action-kit'
import { DOCKER_HUB } from './constants.js'
import {
  isLoopbackRegistry,
  type ContainerEngine,
  type Exec
} from './engine.js'

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
  private loggedIn = false

  constructor(
    private readonly engine: ContainerEngine,
    private readonly run: Exec,
    private readonly registry: string,
    private readonly tempDir: string
  ) {}

  private get authFile(): string {
    return path.join(this.tempDir, 'auth.json')
  }

  private flags(): string[] {
    return this.engine.registryFlags(this.registry, this.authFile)
  }

  async login(credentials: Credentials): Promise<void> {
    const result = await this.run(
      this.engine.command,
      [
        'login',
        ...this.flags(),
        '--username',
        credentials.username,
        '--password-stdin',
        this.registry
      ],
      { input: credentials.password, silent: true }
    )
    if (result.exitCode !== 0) {
      const why = scrub(result.stderr.trim() || result.stdout.trim())
      throw new RegistryError(
        `Login to ${this.registry} as ${credentials.username} failed: ${why}. Check username and password (for Docker Hub, a personal access token with read and write access).`
      )
    }
    this.loggedIn = true
    core.info(`Logged in to ${this.registry} as ${credentials.username}.`)
  }

  /** Pushes `ref`; answers the digest the engine reports, when it does. */
  async push(ref: string): Promise<void> {
    const result = await this.run(
      this.engine.command,
      ['push', ...this.flags(), ref],
      { silent: true }
    )
    if (result.exitCode !== 0) {
      const why = scrub(result.stderr.trim().split('\n').slice(-5).join('\n'))
      throw new RegistryError(`Pushing ${ref} failed: ${why}`)
    }
    core.info(`Pushed ${ref}.`)
  }

  /** Forgets the login: Docker logs out; podman's auth file goes with the temp dir. */
  async logout(): Promise<void> {
    if (!this.loggedIn || this.engine.kind !== 'docker') return
    const result = await this.run(
      this.engine.command,
      ['logout', this.registry],
      { silent: true }
    )
    if (result.exitCode !== 0) {
      core.warning(
        `Logging out of ${this.registry} failed: ${scrub(result.stderr.trim())}`
      )
    }
    this.loggedIn = false
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
