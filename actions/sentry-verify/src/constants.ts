/** The names of the inputs declared in action.yml. */
export enum Inputs {
  SentryUrl = 'sentry-url',
  AuthToken = 'auth-token',
  Org = 'org',
  Project = 'project',
  Dsn = 'dsn',
  Environment = 'environment',
  Release = 'release',
  CreateRelease = 'create-release',
  DeployUrl = 'deploy-url',
  AppUrl = 'app-url',
  TriggerPath = 'trigger-path',
  TriggerToken = 'trigger-token',
  ProbeCommand = 'probe-command',
  Timeout = 'timeout',
  ExpectLevel = 'expect-level',
  CheckBreadcrumbs = 'check-breadcrumbs',
  /** Read by the kit's `run()` itself, before `getInputs()`. */
  SelfReportDsn = 'self-report-dsn'
}

/** The names of the outputs declared in action.yml. */
export enum Outputs {
  Release = 'release',
  EventId = 'event-id',
  EventUrl = 'event-url',
  IssueId = 'issue-id',
  IssueUrl = 'issue-url',
  LatencySeconds = 'latency-seconds',
  Verified = 'verified'
}

/** Sentry's hosted service. */
export const DEFAULT_SENTRY_URL = 'https://sentry.io'

/** The environment variable that carries the nonce to `probe-command`. */
export const PROBE_NONCE_ENV = 'SENTRY_VERIFY_NONCE'

/** Sentry's levels, lowest first. */
export const SENTRY_LEVELS = [
  'debug',
  'info',
  'warning',
  'error',
  'fatal'
] as const
