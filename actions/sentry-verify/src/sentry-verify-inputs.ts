/**
 * The inputs of sentry-verify once parsed: typed, defaulted and validated by
 * `getInputs()` (input-helper.ts). Nothing else reads the raw inputs.
 */
import type { SentryDsn } from '@shipyard/action-kit'
import type { SENTRY_LEVELS } from './constants.js'

/** A Sentry event level. */
export type SentryLevel = (typeof SENTRY_LEVELS)[number]

/** How the app is made to report an error. */
export type AppTrigger =
  /** `app-url` + `trigger-path` + `trigger-token`: call the app's verification endpoint. */
  | {
      kind: 'endpoint'
      /** `app-url`: https, or http to loopback only. */
      appUrl: URL
      /** `trigger-path`, starting with `/`. */
      triggerPath: string
      /** `app-url` joined with `trigger-path` (the app's own path prefix kept). */
      url: URL
      /** The endpoint's token. Masked. */
      token: string
    }
  /** `probe-command`: run by `sh -c`, the nonce in `SENTRY_VERIFY_NONCE`. */
  | { kind: 'probe-command'; command: string }

export interface SentryVerifyInputs {
  /** Sentry's web host (`sentry-url`); the API is under `/api/0/`. */
  sentryUrl: URL
  /** Bearer token for Sentry's web API. Masked. */
  authToken: string
  /** Organization slug. */
  org: string
  /** Project slug. */
  project: string
  /** The client key's DSN, and its keys, masked on read. */
  dsn: SentryDsn
  /** The environment the event must carry and the deploy is recorded for. */
  environment: string
  /** The release the event must carry: `release`, else `GITHUB_SHA`. */
  release: string
  /** Create and finalize the release and record the deploy. */
  createRelease: boolean
  /** Link for the Sentry deploy: `deploy-url`, else `app-url`, else none. */
  deployUrl: URL | undefined
  trigger: AppTrigger
  /** The longest wait for the events to be visible, in ms (5 s to 1 h). */
  timeoutMs: number
  /** The level the app's event must have. */
  expectLevel: SentryLevel
  /** Check the INFO breadcrumb logged before the error. */
  checkBreadcrumbs: boolean
}
