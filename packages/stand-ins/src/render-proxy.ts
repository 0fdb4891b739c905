/**
 * A Render service's public URL (`serviceDetails.url`): a small reverse proxy
 * on 127.0.0.1 whose address stays the same across deploys, as
 * `https://<name>.onrender.com` does, and forwards to whatever is live — the
 * container of the live deploy (each deploy runs on its own port), or, for
 * the simulated git-backed service, a small JSON answer.
 *
 * Like Render's edge it terminates "TLS" for the app: requests arrive with
 * `X-Forwarded-Proto: https` and `X-Forwarded-For`, and every answer carries
 * an `rndr-id` header.
 */
import {
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse
} from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { randomString } from './render-model.js'

export type ProxyTarget =
  | { kind: 'port'; port: number }
  | { kind: 'static'; body: unknown }
  | { kind: 'suspended' }
  | undefined

export class ServiceProxy {
  private server?: Server
  private readonly sockets = new Set<Socket>()
  private address = ''

  constructor(private readonly target: () => ProxyTarget) {}

  get url(): string {
    return this.address
  }

  async start(host = '127.0.0.1'): Promise<string> {
    const server = createServer((req, res) => this.handle(req, res))
    server.on('connection', (socket) => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, host, () => resolve())
    })
    this.server = server
    this.address = `http://${host}:${(server.address() as AddressInfo).port}`
    return this.address
  }

  async stop(): Promise<void> {
    const server = this.server
    if (!server) return
    this.server = undefined
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const rndrId = randomString(20)
    const target = this.target()
    const plain = (status: number, text: string, routing: string): void => {
      res.writeHead(status, {
        'content-type': 'text/plain; charset=utf-8',
        'rndr-id': rndrId,
        'x-render-routing': routing
      })
      res.end(text)
    }
    if (!target) {
      req.resume()
      plain(404, 'Not Found', 'no-deploy')
      return
    }
    if (target.kind === 'suspended') {
      req.resume()
      plain(503, 'Service Suspended', 'suspend')
      return
    }
    if (target.kind === 'static') {
      req.resume()
      res.writeHead(200, {
        'content-type': 'application/json',
        'rndr-id': rndrId
      })
      res.end(JSON.stringify(target.body))
      return
    }
    const forwardedFor = [
      req.headers['x-forwarded-for'],
      req.socket.remoteAddress
    ]
      .filter(Boolean)
      .join(', ')
    const upstream = request(
      {
        host: '127.0.0.1',
        port: target.port,
        method: req.method,
        path: req.url,
        headers: {
          ...req.headers,
          'x-forwarded-proto': 'https',
          'x-forwarded-for': forwardedFor,
          'rndr-id': rndrId
        }
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, {
          ...answer.headers,
          'rndr-id': rndrId
        })
        answer.pipe(res)
      }
    )
    upstream.on('error', () => {
      if (!res.headersSent) plain(502, 'Bad Gateway', 'dynamic-error')
      else res.destroy()
    })
    req.pipe(upstream)
  }
}
