/**
 * Read the Docs API v3: trigger the build of a version, then follow it until
 * it is final. `success` stays null until the build is `finished` (or
 * `cancelled`), and `error` is always empty: a failure is read from `success`
 * and from the commands' exit codes, and the failing command is kept with the
 * end of its output.
 */
import * as core from '@actions/core'
import {
  ConfigurationError,
  HttpClient,
  HttpError,
  type HttpClientOptions
} from '@shipyard/action-kit'
import type { ReadTheDocs } from './sphinx-docs-inputs.js'

export interface RtdCommand {
  command: string
  exit_code: number | null
  output?: string
}

export interface RtdBuild {
  id: number
  state?: { code?: string; name?: string }
  success?: boolean | null
  duration?: number | null
  commit?: string | null
  urls?: { build?: string; documentation?: string }
  commands?: RtdCommand[]
}

export type RtdStatus =
  'success' | 'failure' | 'cancelled' | 'timeout' | 'triggered'

export interface RtdOutcome {
  buildId: number
  status: RtdStatus
  /** The build's page on Read the Docs. */
  url: string
  /** The documentation the build publishes, when Read the Docs says. */
  documentationUrl?: string
  /** The states seen, in order. */
  states: string[]
  durationS?: number
  /** The first command that failed, with the end of its output. */
  failedCommand?: { command: string; exitCode: number; outputTail: string }
}

export interface RtdOptions {
  /** First wait between polls; it grows by half each time up to `maxPollMs`. */
  pollMs?: number
  maxPollMs?: number
  sleep?: (ms: number) => Promise<void>
  now?: () => number
  http?: Partial<HttpClientOptions>
}

const FINAL_STATES = ['finished', 'cancelled']
const OUTPUT_TAIL_LINES = 20

const sleepFor = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms))

/** The end of a command's output. */
export function outputTail(output: string, lines = OUTPUT_TAIL_LINES): string {
  return output.replace(/\s+$/, '').split(/\r?\n/).slice(-lines).join('\n')
}

/** The result of a final build, from `success` and, failing that, the exit codes. */
export function verdict(build: RtdBuild): RtdStatus | undefined {
  const state = build.state?.code ?? ''
  const failed = (build.commands ?? []).some(
    (c) => typeof c.exit_code === 'number' && c.exit_code !== 0
  )
  if (state === 'cancelled') return 'cancelled'
  if (!FINAL_STATES.includes(state)) return undefined
  if (build.success === true) return 'success'
  if (build.success === false || failed) return 'failure'
  return 'success'
}

function failedCommand(build: RtdBuild): RtdOutcome['failedCommand'] {
  const command = (build.commands ?? []).find(
    (c) => typeof c.exit_code === 'number' && c.exit_code !== 0
  )
  if (!command) return undefined
  return {
    command: command.command,
    exitCode: command.exit_code ?? 1,
    outputTail: outputTail(command.output ?? '')
  }
}

export class ReadTheDocsClient {
  private readonly http: HttpClient
  private readonly options: Required<Omit<RtdOptions, 'http'>>

  constructor(
    private readonly settings: ReadTheDocs,
    options: RtdOptions = {}
  ) {
    this.http = new HttpClient({
      service: 'Read the Docs',
      baseUrl: settings.apiUrl,
      headers: { authorization: `Token ${settings.token}` },
      userAgent: 'shipyard-sphinx-docs',
      ...options.http
    })
    this.options = {
      pollMs: options.pollMs ?? 1000,
      maxPollMs: options.maxPollMs ?? 15_000,
      sleep: options.sleep ?? sleepFor,
      now: options.now ?? Date.now
    }
  }

  private get projectPath(): string {
    return `projects/${encodeURIComponent(this.settings.project)}`
  }

  /** The build's page, from its `urls.build`, else guessed from the API's host. */
  private buildUrl(build: RtdBuild): string {
    if (build.urls?.build) return build.urls.build
    const host = new URL(this.settings.apiUrl.toString())
    return `${host.origin}/projects/${this.settings.project}/builds/${build.id}/`
  }

  async trigger(): Promise<RtdBuild> {
    const { project, version } = this.settings
    try {
      const response = await this.http.post<{ build?: RtdBuild }>(
        `${this.projectPath}/versions/${encodeURIComponent(version)}/builds/`,
        { accept: [202] }
      )
      const build = response.data?.build
      if (!build || typeof build.id !== 'number') {
        throw new HttpError(
          `Read the Docs answered ${response.status} to the build trigger without a build id`,
          response.status,
          'Read the Docs'
        )
      }
      return build
    } catch (error) {
      if (error instanceof HttpError && error.status !== undefined) {
        const hint: Record<number, string> = {
          401: `the token in rtd-token was refused`,
          403: `the token's user is not a maintainer of the project '${project}'`,
          404: `there is no project '${project}' with a version '${version}' (check rtd-project and rtd-version, and that the version is active)`
        }
        const why = hint[error.status]
        if (why) {
          throw new ConfigurationError(
            `Read the Docs did not start the build: ${why}. ${error.message}`
          )
        }
      }
      throw error
    }
  }

  async get(id: number): Promise<RtdBuild> {
    const response = await this.http.get<RtdBuild>(
      `${this.projectPath}/builds/${id}/`
    )
    if (!response.data || typeof response.data !== 'object') {
      throw new HttpError(
        `Read the Docs answered ${response.status} to GET ${this.projectPath}/builds/${id}/ without a build`,
        response.status,
        'Read the Docs'
      )
    }
    return response.data
  }

  /** Triggers the build and, when asked, follows it until it is final or the time is up. */
  async publish(): Promise<RtdOutcome> {
    const { wait, timeoutMs } = this.settings
    const { sleep, now, maxPollMs } = this.options
    const started = now()
    let build = await this.trigger()
    const states: string[] = []
    const seen = (b: RtdBuild): void => {
      const code = b.state?.code ?? 'unknown'
      if (states[states.length - 1] !== code) {
        states.push(code)
        core.info(`Read the Docs build ${b.id}: ${code}`)
      }
    }
    seen(build)
    const outcome = (status: RtdStatus): RtdOutcome => ({
      buildId: build.id,
      status,
      url: this.buildUrl(build),
      documentationUrl: build.urls?.documentation,
      states,
      durationS: build.duration ?? undefined,
      failedCommand: status === 'failure' ? failedCommand(build) : undefined
    })
    core.info(
      `Read the Docs build ${build.id} triggered: ${this.buildUrl(build)}`
    )
    if (!wait) return outcome('triggered')

    let pause = this.options.pollMs
    for (;;) {
      const final = verdict(build)
      if (final) return outcome(final)
      const left = started + timeoutMs - now()
      if (left <= 0) return outcome('timeout')
      await sleep(Math.min(pause, left))
      pause = Math.min(maxPollMs, Math.round(pause * 1.5))
      if (now() - started >= timeoutMs) {
        // One last look: it may have finished while we waited.
        build = await this.get(build.id)
        seen(build)
        return outcome(verdict(build) ?? 'timeout')
      }
      build = await this.get(build.id)
      seen(build)
    }
  }
}
