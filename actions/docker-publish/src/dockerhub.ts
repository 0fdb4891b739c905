/**
 * The repository description on Docker Hub, through its web API (not the
 * registry): `POST /v2/auth/token` `{identifier, secret}` gives a short-lived
 * access token, `PATCH /v2/repositories/{namespace}/{repository}/` sets
 * `full_description` (at most 25,000 bytes) and `description` (at most 100
 * bytes).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as core from '@actions/core'
import {
  ConfigurationError,
  HttpClient,
  maskSecret
} from '@shipyard/action-kit'
import { Inputs } from './constants.js'
import type { Credentials } from './registry.js'

export const FULL_DESCRIPTION_MAX_BYTES = 25_000
export const DESCRIPTION_MAX_BYTES = 100

export interface Description {
  full: string
  /** The short description (≤ 100 bytes), when known. */
  short?: string
}

/** `text` cut to at most `max` bytes of UTF-8, never inside a character. */
export function truncateBytes(text: string, max: number): string {
  const bytes = Buffer.from(text)
  if (bytes.length <= max) return text
  let end = max
  // Step back over continuation bytes (10xxxxxx) to a character boundary.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--
  return bytes.subarray(0, end).toString('utf8')
}

/**
 * Reads the Markdown file and checks it fits, before anything is built:
 * over 25,000 bytes is the user's to fix. The short description comes from
 * the repository's, cut to 100 bytes with a notice.
 */
export function readDescription(
  file: string,
  workspace: string,
  repositoryDescription: string | undefined
): Description {
  const full = fs.readFileSync(file, 'utf8')
  const size = Buffer.byteLength(full)
  if (size > FULL_DESCRIPTION_MAX_BYTES) {
    throw new ConfigurationError(
      `Invalid value for input '${Inputs.DockerhubDescription}': ${JSON.stringify(path.relative(workspace, file))} is ${size} bytes. Accepted: a file of at most ${FULL_DESCRIPTION_MAX_BYTES} bytes (Docker Hub's limit).`
    )
  }
  let short = repositoryDescription?.trim() || undefined
  if (short && Buffer.byteLength(short) > DESCRIPTION_MAX_BYTES) {
    short = truncateBytes(short, DESCRIPTION_MAX_BYTES - 3).trimEnd() + '...'
    core.notice(
      `The repository description is longer than Docker Hub's ${DESCRIPTION_MAX_BYTES} bytes: published cut short.`
    )
  }
  return { full, short }
}

/** `docker.io` repository `alice/app` → namespace `alice`, name `app` (`app` → `library/app`). */
export function hubRepository(repository: string): {
  namespace: string
  name: string
} {
  const parts = repository.split('/')
  if (parts.length === 1) return { namespace: 'library', name: parts[0] ?? '' }
  if (parts.length !== 2) {
    throw new ConfigurationError(
      `Docker Hub repositories are namespace/name; ${JSON.stringify(repository)} has ${parts.length} parts.`
    )
  }
  return { namespace: parts[0] ?? '', name: parts[1] ?? '' }
}

export async function updateDescription(
  apiUrl: URL,
  repository: string,
  credentials: Credentials,
  description: Description
): Promise<void> {
  const { namespace, name } = hubRepository(repository)
  const client = new HttpClient({ service: 'Docker Hub', baseUrl: apiUrl })
  const token = await client.post<{ access_token?: string }>('/v2/auth/token', {
    body: { identifier: credentials.username, secret: credentials.password },
    // Asking for a token twice does no harm.
    idempotent: true
  })
  const accessToken = token.data?.access_token
  if (!accessToken) {
    throw new Error(
      'Docker Hub answered no access_token to POST /v2/auth/token.'
    )
  }
  maskSecret(accessToken)
  const body: Record<string, string> = { full_description: description.full }
  if (description.short !== undefined) body['description'] = description.short
  await client.patch(
    `/v2/repositories/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/`,
    {
      body,
      headers: { authorization: `Bearer ${accessToken}` },
      // Setting the same description twice gives the same result.
      idempotent: true
    }
  )
  core.info(
    `Docker Hub description of ${namespace}/${name} updated (${Buffer.byteLength(description.full)} bytes).`
  )
}
