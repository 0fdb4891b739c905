/**
 * The inputs of sentry-verify once parsed: typed, defaulted and validated by
 * `getInputs()` (input-helper.ts). Nothing else reads the raw inputs.
 */
import type { SENTRY_LEVELS } from './constants.js'

/** A Sentry event level. */
export type SentryLevel = (typeof SENTRY_LEVELS)[number]

/**
 * A client key's DSN, `{protocol}://{publicKey}@{host}{path}/{projectId}`.
 * The whole DSN and its keys are masked on read.
 */
export interface SentryDsn {
  /** The DSN exactly as given (for the SDK). Never log it. */
  dsn: string
  protocol: 'https' | 'http'
  /** The client key's public key, 32 hexadecimal digits. Masked. */
  publicKey: string
  /** Legacy DSNs' `:secret` part. Masked. */
  secretKey: string | undefined
  /** Host name and port, e.g. `o1.ingest.sentry.io` or `127.0.0.1:9000`. */
  host: string
  /** Path before the project id, '' or e.g. `/sentry` (no trailing slash). */
  path: string
  /** The numeric id of the project the key belongs to. */
  projectId: string
  /** Where the SDKs send envelopes: `{protocol}://{host}{path}/api/{projectId}/envelope/`. */
  envelopeUrl: URL
}

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
