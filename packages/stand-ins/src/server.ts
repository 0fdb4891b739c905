/**
 * What every stand-in shares: a small HTTP server on 127.0.0.1 with a route
 * table, a log of the requests it received (secrets redacted), switchable
 * faults, and control endpoints under `/__control/` for tests and scripts.
 *
 * A stand-in follows its service's published contract (paths, status codes,
 * fields, error bodies, rate-limit headers); the actions reach it only through
 * their ordinary base-URL inputs.
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse
} from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib'

export interface LoggedRequest {
  seq: number
  time: string
  method: string
  path: string
  query: Record<string, string | string[]>
  /** Header values that carry credentials are reduced to their scheme and `***`. */
  headers: Record<string, string>
  /** The decoded body: parsed JSON, form fields, or text; secrets replaced by `***`. */
  body: unknown
  status?: number
  /** A fault that answered instead of the service. */
  fault?: FaultKind
}

export type FaultKind =
  | 'rate-limit'
  | 'error-burst'
  | 'slow'
  | 'drop'
  | 'malformed'
  | 'empty'
  | 'echo'

export const FAULT_KINDS: readonly FaultKind[] = [
  'rate-limit',
  'error-burst',
  'slow',
  'drop',
  'malformed',
  'empty',
  'echo'
]

export interface FaultSpec {
  kind: FaultKind
  /** Only requests with this method (default: any). */
  method?: string
  /** A regular expression the request path must match (default: any path). */
  path?: string
  /** How many requests it answers; `-1` for every one until cleared. Default 1. */
  count?: number
  /**
   * The status of `error-burst` and `echo` (default 503) and `rate-limit`
   * (default 429). `echo` answers an error whose body repeats the request as
   * received (URL with its query, every header, the body), as careless
   * servers and proxies do: the test of what an action prints of an answer.
   */
  status?: number
  /** Seconds given in `Retry-After` by `rate-limit` (default 1). */
  retryAfter?: number
  /** The delay of `slow`, in ms (default 5000); the real answer follows it. */
  delayMs?: number
}

export interface Fault extends Required<Omit<FaultSpec, 'method' | 'path'>> {
  id: number
  method?: string
  path?: string
}

export interface Reply {
  status: number
  /** Sent as JSON unless `raw` is given. */
  body?: unknown
  raw?: string | Buffer
  headers?: Record<string, string>
}

export interface Context {
  req: IncomingMessage
  method: string
  url: URL
  path: string
  params: Record<string, string>
  query: URLSearchParams
  headers: IncomingHttpHeaders
  /** The body as received, after content-encoding is undone. */
  raw: Buffer
  /** Parsed JSON, form fields as an object, or undefined for an empty body. */
  body: unknown
  text: string
}

export type Handler = (ctx: Context) => Reply | Promise<Reply>

interface Route {
  method: string
  pattern: RegExp
  keys: string[]
  handler: Handler
  control: boolean
}

const SECRET_HEADERS = new Set([
  'authorization',
  'x-sentry-auth',
  'cookie',
  'proxy-authorization',
  'x-api-key'
])
const SECRET_QUERY = /^(key|token|sentry_key|secret|password|access_token)$/i

/** Compiles `/v1/services/:serviceId/deploys` into a matcher. */
function compile(pattern: string): { regex: RegExp; keys: string[] } {
  const keys: string[] = []
  const source = pattern
    .split('/')
    .map((part) => {
      if (part.startsWith(':')) {
        keys.push(part.slice(1))
        return '([^/]+)'
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    })
    .join('/')
  return { regex: new RegExp(`^${source}$`), keys }
}

export function json(
  status: number,
  body?: unknown,
  headers?: Record<string, string>
): Reply {
  return { status, body, headers }
}

export abstract class StandIn {
  readonly requests: LoggedRequest[] = []
  /** Values this stand-in treats as secrets (its tokens): never logged. */
  protected readonly secrets = new Set<string>()
  readonly #routes: Route[] = []
  #faults: Fault[] = []
  #nextFault = 1
  #seq = 0
  #server?: Server
  readonly #sockets = new Set<Socket>()
  #baseUrl = ''

  constructor(readonly name: string) {
    this.control('GET', '/__control/requests', () => json(200, this.requests))
    this.control('DELETE', '/__control/requests', () => {
      this.requests.length = 0
      return json(204)
    })
    this.control('GET', '/__control/faults', () => json(200, this.#faults))
    this.control('POST', '/__control/faults', (ctx) => {
      try {
        return json(201, this.addFault(ctx.body as FaultSpec))
      } catch (error) {
        return json(400, { message: (error as Error).message })
      }
    })
    this.control('DELETE', '/__control/faults', () => {
      this.clearFaults()
      return json(204)
    })
  }

  /** The base URL once started, e.g. `http://127.0.0.1:41234`. */
  get url(): string {
    if (!this.#baseUrl) throw new Error(`${this.name} stand-in is not started`)
    return this.#baseUrl
  }

  /** A route of the service's API. Patterns use `:name` for path parameters. */
  protected route(method: string, pattern: string, handler: Handler): void {
    const { regex, keys } = compile(pattern)
    this.#routes.push({ method, pattern: regex, keys, handler, control: false })
  }

  /** A control route for tests: not logged, never faulted, no auth. */
  protected control(method: string, pattern: string, handler: Handler): void {
    const { regex, keys } = compile(pattern)
    this.#routes.push({ method, pattern: regex, keys, handler, control: true })
  }

  /** The service's own error body for `status`. */
  protected abstract errorBody(status: number, message: string): unknown

  /**
   * The service's rate-limit headers, sent with every answer and with 429;
   * `ctx` is the request being answered (absent for control routes).
   */
  protected rateLimitHeaders(_ctx?: Context): Record<string, string> {
    return {}
  }

  /** How the service says when to come back after a 429 (`Retry-After` by default). */
  protected retryAfterHeaders(seconds: number): Record<string, string> {
    return { 'retry-after': String(seconds) }
  }

  /**
   * `KEY=VALUE` pairs for `.services.env`: the stand-in's URLs and the
   * credentials it accepts (e.g. `RENDER_API_URL`, `RENDER_API_KEY`).
   */
  env(): Record<string, string> {
    return {}
  }

  /** Runs when the stand-in stops (stop containers, timers). */
  protected async cleanup(): Promise<void> {}

  /** A reply in the service's error shape. */
  protected error(
    status: number,
    message: string,
    headers?: Record<string, string>
  ): Reply {
    return json(status, this.errorBody(status, message), headers)
  }

  addFault(spec: FaultSpec): Fault {
    if (!spec || !FAULT_KINDS.includes(spec.kind)) {
      throw new Error(`fault kind must be one of ${FAULT_KINDS.join(', ')}`)
    }
    if (spec.path !== undefined) new RegExp(spec.path)
    const fault: Fault = {
      id: this.#nextFault++,
      kind: spec.kind,
      method: spec.method?.toUpperCase(),
      path: spec.path,
      count: spec.count ?? 1,
      status: spec.status ?? (spec.kind === 'rate-limit' ? 429 : 503),
      retryAfter: spec.retryAfter ?? 1,
      delayMs: spec.delayMs ?? 5000
    }
    this.#faults.push(fault)
    return fault
  }

  clearFaults(): void {
    this.#faults = []
  }

  /** The requests whose path matches `path` (a regular expression), optionally by method. */
  received(path: RegExp | string, method?: string): LoggedRequest[] {
    const pattern = typeof path === 'string' ? new RegExp(path) : path
    return this.requests.filter(
      (r) =>
        pattern.test(r.path) && (!method || r.method === method.toUpperCase())
    )
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' })
          res.end(
            JSON.stringify(
              this.errorBody(500, `stand-in failure: ${String(error)}`)
            )
          )
        }
      })
    })
    server.on('connection', (socket) => {
      this.#sockets.add(socket)
      socket.on('close', () => this.#sockets.delete(socket))
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => resolve())
    })
    this.#server = server
    const address = server.address() as AddressInfo
    this.#baseUrl = `http://${host}:${address.port}`
    return this.#baseUrl
  }

  async stop(): Promise<void> {
    await this.cleanup()
    const server = this.#server
    if (!server) return
    this.#server = undefined
    for (const socket of this.#sockets) socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  #redactText(text: string): string {
    let result = text
    for (const secret of this.secrets) {
      if (secret) result = result.split(secret).join('***')
    }
    return result
  }

  #logEntry(ctx: Context): LoggedRequest {
    const headers: Record<string, string> = {}
    for (const [key, value] of Object.entries(ctx.headers)) {
      const text = Array.isArray(value) ? value.join(', ') : (value ?? '')
      headers[key] = SECRET_HEADERS.has(key)
        ? text.replace(
            /^(\S+\s+)?.*$/s,
            (_m, scheme: string | undefined) => `${scheme ?? ''}***`
          )
        : this.#redactText(text)
    }
    const query: Record<string, string | string[]> = {}
    for (const key of new Set(ctx.query.keys())) {
      const values = ctx.query
        .getAll(key)
        .map((v) => (SECRET_QUERY.test(key) ? '***' : this.#redactText(v)))
      query[key] = values.length === 1 ? values[0] : values
    }
    let body: unknown = ctx.body
    if (body !== undefined)
      body = JSON.parse(this.#redactText(JSON.stringify(body)))
    else if (ctx.text) body = this.#redactText(ctx.text)
    return {
      seq: ++this.#seq,
      time: new Date().toISOString(),
      method: ctx.method,
      path: ctx.path,
      query,
      headers,
      body
    }
  }

  async #readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const raw = Buffer.concat(chunks)
    const encoding = (req.headers['content-encoding'] ?? '').toLowerCase()
    if (!raw.length) return raw
    if (encoding === 'gzip') return gunzipSync(raw)
    if (encoding === 'br') return brotliDecompressSync(raw)
    if (encoding === 'deflate') return inflateSync(raw)
    return raw
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase()
    const url = new URL(req.url ?? '/', 'http://stand-in')
    let raw: Buffer
    try {
      raw = await this.#readBody(req)
    } catch {
      this.#send(res, this.error(400, 'the body could not be decoded'))
      return
    }
    const text = raw.toString('utf8')
    const type = (req.headers['content-type'] ?? '').toLowerCase()
    let body: unknown
    if (text && type.includes('application/json')) {
      try {
        body = JSON.parse(text)
      } catch {
        body = undefined
      }
    } else if (text && type.includes('application/x-www-form-urlencoded')) {
      // Repeated fields (`branches=a&branches=b`) keep every value.
      const fields: Record<string, string | string[]> = {}
      const params = new URLSearchParams(text)
      for (const key of new Set(params.keys())) {
        const values = params.getAll(key)
        fields[key] = values.length === 1 ? values[0] : values
      }
      body = fields
    }

    let route: Route | undefined
    let params: Record<string, string> = {}
    let pathKnown = false
    for (const candidate of this.#routes) {
      const match = candidate.pattern.exec(url.pathname)
      if (!match) continue
      pathKnown = true
      if (candidate.method !== method) continue
      route = candidate
      params = Object.fromEntries(
        candidate.keys.map((key, i) => [
          key,
          decodeURIComponent(match[i + 1] ?? '')
        ])
      )
      break
    }
    const ctx: Context = {
      req,
      method,
      url,
      path: url.pathname,
      params,
      query: url.searchParams,
      headers: req.headers,
      raw,
      body,
      text
    }
    if (route?.control) {
      this.#send(res, await route.handler(ctx))
      return
    }

    const entry = this.#logEntry(ctx)
    this.requests.push(entry)
    if (this.requests.length > 5000) this.requests.shift()

    const fault = this.#takeFault(method, url.pathname)
    if (fault) {
      entry.fault = fault.kind
      switch (fault.kind) {
        case 'drop':
          req.socket.destroy()
          return
        case 'rate-limit':
          entry.status = fault.status
          this.#send(
            res,
            this.error(fault.status, 'Rate limit exceeded', {
              ...this.rateLimitHeaders(ctx),
              ...this.retryAfterHeaders(fault.retryAfter)
            }),
            ctx
          )
          return
        case 'error-burst':
          entry.status = fault.status
          this.#send(
            res,
            this.error(fault.status, 'The service is unavailable, try again'),
            ctx
          )
          return
        case 'malformed':
          entry.status = 200
          this.#send(
            res,
            {
              status: 200,
              raw: '{"id": "trunc',
              headers: { 'content-type': 'application/json' }
            },
            ctx
          )
          return
        case 'empty':
          entry.status = 200
          this.#send(
            res,
            {
              status: 200,
              raw: '',
              headers: { 'content-type': 'application/json' }
            },
            ctx
          )
          return
        case 'echo': {
          entry.status = fault.status
          const echoed = `${method} ${url.pathname}${url.search} ${JSON.stringify(req.headers)} ${text}`
          const base = this.errorBody(fault.status, `Bad request: ${echoed}`)
          this.#send(
            res,
            json(fault.status, {
              ...(base !== null && typeof base === 'object' ? base : {}),
              request: {
                method,
                url: `${url.pathname}${url.search}`,
                headers: req.headers,
                body: text
              }
            }),
            ctx
          )
          return
        }
        case 'slow':
          await new Promise((resolve) => setTimeout(resolve, fault.delayMs))
          if (req.socket.destroyed) return
          break
      }
    }

    let reply: Reply
    if (!route) {
      reply = pathKnown
        ? this.error(405, 'Method not allowed')
        : this.error(404, 'Not found')
    } else {
      reply = await route.handler(ctx)
    }
    entry.status = reply.status
    this.#send(res, reply, ctx)
  }

  #takeFault(method: string, path: string): Fault | undefined {
    const fault = this.#faults.find(
      (f) =>
        (!f.method || f.method === method) &&
        (!f.path || new RegExp(f.path).test(path))
    )
    if (!fault) return undefined
    if (fault.count > 0) {
      fault.count--
      if (fault.count === 0)
        this.#faults = this.#faults.filter((f) => f !== fault)
    }
    return fault
  }

  #send(res: ServerResponse, reply: Reply, ctx?: Context): void {
    if (res.destroyed) return
    const headers: Record<string, string> = {
      ...this.rateLimitHeaders(ctx),
      ...reply.headers
    }
    let payload: string | Buffer = ''
    if (reply.raw !== undefined) payload = reply.raw
    else if (reply.body !== undefined && reply.status !== 204) {
      payload = JSON.stringify(reply.body)
      headers['content-type'] ??= 'application/json'
    }
    res.writeHead(reply.status, headers)
    res.end(payload)
  }
}
