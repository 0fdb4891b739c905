/**
 * A small HTTP proxy for the tests, in front of a real server (the
 * Distribution registry): it forwards every request as is, except the ones a
 * rule picks, which it answers with a fault instead — 429 with Retry-After, a
 * 5xx, a reset connection, a slow answer, a malformed or an empty body.
 * It logs what it saw, so tests can tell what reached the server.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse
} from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export type ProxyFaultKind =
  'rate-limit' | 'error-burst' | 'reset' | 'slow' | 'malformed' | 'empty'

export interface ProxyRule {
  kind: ProxyFaultKind
  /** Only this method (default: any). */
  method?: string
  /** Only paths matching this (default: any). */
  path?: RegExp
  /** How many matching requests it answers; -1 for all. Default 1. */
  count?: number
  /** The status of `error-burst` (503) and `rate-limit` (429). */
  status?: number
  /** `Retry-After` seconds of `rate-limit` (default 1). */
  retryAfter?: number
  /** The delay of `slow` before the real answer is forwarded (default 5 s). */
  delayMs?: number
}

export interface ProxiedRequest {
  method: string
  path: string
  /** The fault that answered, or the status the server gave. */
  fault?: ProxyFaultKind
  status?: number
}

export interface FaultProxy {
  /** `127.0.0.1:<port>`, a registry host name. */
  host: string
  url: string
  log: ProxiedRequest[]
  add(rule: ProxyRule): void
  clear(): void
  stop(): Promise<void>
}

/** Starts a proxy to `target` (`http://host:port`). */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target)
  let rules: Array<Required<Omit<ProxyRule, 'method' | 'path'>> & ProxyRule> =
    []
  const log: ProxiedRequest[] = []
  const sockets = new Set<Socket>()

  const take = (method: string, path: string): ProxyRule | undefined => {
    const rule = rules.find(
      (r) =>
        (!r.method || r.method.toUpperCase() === method) &&
        (!r.path || r.path.test(path))
    )
    if (!rule) return undefined
    if (rule.count > 0 && --rule.count === 0)
      rules = rules.filter((r) => r !== rule)
    return rule
  }

  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    entry: ProxiedRequest,
    body: Buffer
  ): void => {
    const out = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host }
      },
      (answer) => {
        entry.status = answer.statusCode
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      }
    )
    out.on('error', () => res.destroy())
    out.end(body)
  }

  const handle = async (
    req: IncomingMessage,
    res: ServerResponse
  ): Promise<void> => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    const method = (req.method ?? 'GET').toUpperCase()
    const path = new URL(req.url ?? '/', 'http://proxy').pathname
    const entry: ProxiedRequest = { method, path }
    log.push(entry)
    const rule = take(method, path)
    if (rule) entry.fault = rule.kind
    switch (rule?.kind) {
      case 'reset':
        req.socket.destroy()
        return
      case 'rate-limit':
        res.writeHead(rule.status ?? 429, {
          'retry-after': String(rule.retryAfter ?? 1),
          'content-type': 'application/json'
        })
        res.end(
          JSON.stringify({
            errors: [{ code: 'TOOMANYREQUESTS', message: 'too many requests' }]
          })
        )
        return
      case 'error-burst':
        res.writeHead(rule.status ?? 503, {
          'content-type': 'application/json'
        })
        res.end(
          JSON.stringify({
            errors: [{ code: 'UNAVAILABLE', message: 'service unavailable' }]
          })
        )
        return
      case 'malformed':
        res.writeHead(200, {
          'content-type': 'application/json',
          'docker-content-digest': 'sha256:not-a-digest'
        })
        res.end('{"schemaVersion": 2, "trunc')
        return
      case 'empty':
        res.writeHead(200, { 'content-length': '0' })
        res.end()
        return
      case 'slow':
        await new Promise((resolve) => setTimeout(resolve, rule.delayMs))
        if (req.socket.destroyed) return
        break
    }
    forward(req, res, entry, body)
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy())
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve())
  )
  const { port } = server.address() as AddressInfo
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    log,
    add(rule) {
      rules.push({
        count: 1,
        status: rule.kind === 'rate-limit' ? 429 : 503,
        retryAfter: 1,
        delayMs: 5000,
        ...rule
      })
    },
    clear() {
      rules = []
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}
