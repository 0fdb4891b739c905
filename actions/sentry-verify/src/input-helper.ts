/**
 * Reads, defaults and validates every input of sentry-verify, once. This is
 * the only module that reads inputs; a value that is not exactly what is
 * accepted is a `ConfigurationError` naming the input, the value (never a
 * secret's) and what is accepted. Secrets are masked as they are read.
 */
import * as core from '@actions/core'
import {
  ConfigurationError,
  DSN_ACCEPTED,
  formatDuration,
  getBoolean,
  getDuration,
  getEnum,
  getString,
  getUrl,
  invalidInput,
  missingInput,
  parseDsn
} from '@shipyard/action-kit'
import { DEFAULT_SENTRY_URL, Inputs, SENTRY_LEVELS } from './constants.js'
import type { AppTrigger, SentryVerifyInputs } from './sentry-verify-inputs.js'

/** One line, no spaces: what can go into an `Authorization` header. */
const TOKEN = /^\S+$/

function readAuthToken(): string {
  const token = getString(Inputs.AuthToken, {
    required: true,
    secret: true,
    pattern: TOKEN,
    accepted:
      'a Sentry auth token with `project:releases`, `project:read`, `org:read` and `event:read`, on one line without spaces'
  })
  if (token.startsWith('sntrys_')) {
    core.warning(
      `Input '${Inputs.AuthToken}' is an organization token (sntrys_…): it can record releases and deploys, but it cannot read events, which the verification needs. Use a token with project:releases, project:read, org:read and event:read (an internal integration's or a user's auth token).`
    )
  }
  return token
}

const ORG = /^(?!\d+$)[a-z0-9_-]{1,50}$/
const PROJECT = /^(?!\d+$)[a-z0-9_-]{1,100}$/

const ENVIRONMENT = /^(?!None$)[^\s/]{1,64}$/
const RELEASE_ACCEPTED =
  'a Sentry release name: 1 to 200 characters without slashes, backslashes, tabs or newlines, and not `.`, `..` or `latest`'

function validRelease(release: string): boolean {
  return (
    release.length <= 200 &&
    !/[/\\\t\r\n]/.test(release) &&
    !['.', '..', 'latest'].includes(release)
  )
}

/** `release`, else the run's commit (`GITHUB_SHA`, set by the runner). */
function readRelease(): string {
  const given = getString(Inputs.Release)
  const release = given || (process.env['GITHUB_SHA'] ?? '').trim()
  if (!release) {
    throw missingInput(
      Inputs.Release,
      RELEASE_ACCEPTED,
      'its default, the GITHUB_SHA environment variable, is not set'
    )
  }
  if (!validRelease(release)) {
    throw invalidInput(Inputs.Release, release, RELEASE_ACCEPTED, {
      reason: given ? undefined : 'from GITHUB_SHA'
    })
  }
  return release
}

const ENDPOINT_ACCEPTED =
  "the app's base URL, with 'trigger-path' and 'trigger-token' (its verification endpoint); or 'probe-command' instead"
const PATH = /^\/\S*$/

function readTrigger(): AppTrigger {
  const appUrl = getUrl(Inputs.AppUrl, { httpLoopback: true })
  const triggerPath = getString(Inputs.TriggerPath, {
    pattern: PATH,
    accepted:
      "the path of the app's verification endpoint, starting with `/`, without spaces"
  })
  const token = getString(Inputs.TriggerToken, {
    secret: true,
    pattern: TOKEN,
    accepted:
      "the verification endpoint's token (the app's SENTRY_VERIFY_TOKEN), on one line without spaces"
  })
  const probeCommand = getString(Inputs.ProbeCommand)

  if (probeCommand) {
    const endpoint = appUrl
      ? `'${Inputs.AppUrl}' (${JSON.stringify(appUrl.href)})`
      : triggerPath
        ? `'${Inputs.TriggerPath}' (${JSON.stringify(triggerPath)})`
        : token
          ? `'${Inputs.TriggerToken}'`
          : undefined
    if (endpoint) {
      throw new ConfigurationError(
        `Inputs ${endpoint} and '${Inputs.ProbeCommand}' cannot both be given. Accepted: ${ENDPOINT_ACCEPTED}.`
      )
    }
    return { kind: 'probe-command', command: probeCommand }
  }

  if (!appUrl) throw missingInput(Inputs.AppUrl, ENDPOINT_ACCEPTED)
  if (appUrl.search || appUrl.hash) {
    throw invalidInput(
      Inputs.AppUrl,
      appUrl.href,
      "the app's base URL without query or fragment",
      { reason: 'it has a query or a fragment' }
    )
  }
  if (!triggerPath) {
    throw missingInput(
      Inputs.TriggerPath,
      "the path of the app's verification endpoint, starting with `/`",
      "needed with 'app-url'"
    )
  }
  if (!token) {
    throw missingInput(
      Inputs.TriggerToken,
      "the verification endpoint's token, the app's SENTRY_VERIFY_TOKEN",
      "needed with 'app-url'"
    )
  }
  const url = new URL(appUrl.href.replace(/\/+$/, '') + triggerPath)
  return { kind: 'endpoint', appUrl, triggerPath, url, token }
}

/** The parsed inputs, as they are fit to log: no secret, not even in part. */
export function describeInputs(
  inputs: SentryVerifyInputs
): Record<string, unknown> {
  const { dsn, trigger } = inputs
  return {
    sentryUrl: inputs.sentryUrl.href,
    authToken: '(set, secret)',
    org: inputs.org,
    project: inputs.project,
    dsn: {
      publicKey: '(secret)',
      host: dsn.host,
      path: dsn.path,
      projectId: dsn.projectId
    },
    environment: inputs.environment,
    release: inputs.release,
    createRelease: inputs.createRelease,
    deployUrl: inputs.deployUrl?.href,
    trigger:
      trigger.kind === 'endpoint'
        ? { kind: trigger.kind, url: trigger.url.href, token: '(set, secret)' }
        : { kind: trigger.kind, command: trigger.command },
    timeout: formatDuration(inputs.timeoutMs),
    expectLevel: inputs.expectLevel,
    checkBreadcrumbs: inputs.checkBreadcrumbs
  }
}

export function getInputs(): SentryVerifyInputs {
  const sentryUrl = getUrl(Inputs.SentryUrl, {
    default: DEFAULT_SENTRY_URL,
    httpLoopback: true
  })
  const authToken = readAuthToken()
  const org = getString(Inputs.Org, {
    required: true,
    pattern: ORG,
    accepted:
      "the organization's slug: 1 to 50 lowercase letters, digits, hyphens or underscores, not only digits"
  })
  const project = getString(Inputs.Project, {
    required: true,
    pattern: PROJECT,
    accepted:
      "the project's slug: 1 to 100 lowercase letters, digits, hyphens or underscores, not only digits"
  })
  const dsn = parseDsn(
    Inputs.Dsn,
    getString(Inputs.Dsn, {
      required: true,
      secret: true,
      accepted: DSN_ACCEPTED
    })
  )
  const environment = getString(Inputs.Environment, {
    default: 'production',
    pattern: ENVIRONMENT,
    accepted:
      'a Sentry environment name: 1 to 64 characters without spaces, newlines or slashes, and not `None`'
  })
  const release = readRelease()
  const createRelease = getBoolean(Inputs.CreateRelease, { default: true })
  const trigger = readTrigger()
  const deployUrl =
    getUrl(Inputs.DeployUrl, { schemes: ['https', 'http'] }) ??
    (trigger.kind === 'endpoint' ? trigger.appUrl : undefined)
  const inputs: SentryVerifyInputs = {
    sentryUrl,
    authToken,
    org,
    project,
    dsn,
    environment,
    release,
    createRelease,
    deployUrl,
    trigger,
    timeoutMs: getDuration(Inputs.Timeout, {
      default: '2m',
      min: '5s',
      max: '1h'
    }),
    expectLevel: getEnum(Inputs.ExpectLevel, SENTRY_LEVELS, {
      default: 'error'
    }),
    checkBreadcrumbs: getBoolean(Inputs.CheckBreadcrumbs, { default: true })
  }
  core.debug(`sentry-verify inputs: ${JSON.stringify(describeInputs(inputs))}`)
  return inputs
}
