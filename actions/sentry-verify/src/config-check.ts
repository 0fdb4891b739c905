/**
 * "Same configuration everywhere", before anything is changed: the DSN the
 * app is given must be one of the client keys of `org/project`. A DSN copied
 * from another project is the classic silent misconfiguration: the app
 * reports happily, to a project nobody watches. (The release and environment
 * the app really uses are checked later, from its event: assertions.ts.)
 */
import {
  ConfigurationError,
  HttpError,
  type SentryDsn
} from '@shipyard/action-kit'
import { encodeSegment, SCOPES, type SentryClient } from './sentry-client.js'

/** The fields of a client key that are read (never its secret ones). */
interface ProjectKey {
  public?: string
  projectId?: number | string
  isActive?: boolean
  label?: string
  name?: string
}

export interface ProjectIdentity {
  /** The numeric id of `org/project`, from its keys. */
  projectId: string
  /** How many client keys the project has. */
  keyCount: number
  /** The label of the DSN's key. */
  keyLabel: string
}

export async function checkDsnProject(
  client: SentryClient,
  org: string,
  project: string,
  dsn: SentryDsn
): Promise<ProjectIdentity> {
  let keys: ProjectKey[]
  try {
    keys = await client.list<ProjectKey>(
      `projects/${encodeSegment(org)}/${encodeSegment(project)}/keys/`,
      {
        what: `read the client keys of project ${org}/${project}`,
        scopes: SCOPES.projectRead
      }
    )
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) {
      throw new ConfigurationError(
        `Sentry has no project ${org}/${project} that this token can see (404 on its client keys). Check 'org' and 'project' (the slugs in the project's URL), and 'sentry-url': organizations in another region or a self-hosted Sentry have their own host.`
      )
    }
    throw error
  }
  const projectIds = [
    ...new Set(
      keys
        .map((k) => (k.projectId === undefined ? '' : String(k.projectId)))
        .filter(Boolean)
    )
  ]
  const projectId = projectIds[0] ?? ''
  const key = keys.find(
    (k) => (k.public ?? '').toLowerCase() === dsn.publicKey.toLowerCase()
  )
  if (!key) {
    const otherProject =
      projectId && projectId !== dsn.projectId
        ? ` The DSN points at project id ${dsn.projectId}, but ${org}/${project} is project id ${projectId}: it is the DSN of another project.`
        : ''
    throw new ConfigurationError(
      `The DSN given in 'dsn' is not a client key of the Sentry project ${org}/${project} (it has ${keys.length} key${keys.length === 1 ? '' : 's'}, none with the DSN's public key).${otherProject} The app would report its errors to a project nobody watches. Copy the DSN from ${org}/${project}'s Settings → Client Keys, and set the same value as the app's SENTRY_DSN.`
    )
  }
  if (projectId && dsn.projectId !== projectId) {
    throw new ConfigurationError(
      `The DSN given in 'dsn' has the public key of a client key of ${org}/${project}, but its project id is ${dsn.projectId} instead of ${projectId}: Sentry would reject the app's events. Copy the DSN again from ${org}/${project}'s Settings → Client Keys.`
    )
  }
  if (key.isActive === false) {
    throw new ConfigurationError(
      `The DSN given in 'dsn' is a disabled client key of ${org}/${project} (${key.label ?? key.name ?? 'unnamed'}): Sentry drops the events sent with it. Enable the key or use an active one.`
    )
  }
  return {
    projectId: projectId || dsn.projectId,
    keyCount: keys.length,
    keyLabel: key.label ?? key.name ?? ''
  }
}
