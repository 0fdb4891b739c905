import { afterEach, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import { createServer, type Server } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

// scripts/containers/registry.sh when its port is already taken: the real
// docker-registry, in its own state directory. The "default" port is set
// through REGISTRY_DEFAULT_PORT so a developer's registry on 5000 is left
// alone.
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const script = path.join(root, 'scripts', 'containers', 'registry.sh')

interface Run {
  status: number | null
  stdout: string
  stderr: string
}

function registry(command: string, env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, command], {
      cwd: root,
      env: { ...process.env, ...env }
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (status) => resolve({ status, stdout, stderr }))
  })
}

/** A TCP listener that is not a registry (it closes every connection). */
async function occupiedPort(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.destroy())
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, port: (server.address() as { port: number }).port }
}

function readEnv(file: string): Record<string, string> {
  const values: Record<string, string> = {}
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const eq = line.indexOf('=')
    if (eq > 0) values[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return values
}

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.()
})

function stateDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-'))
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

describe('registry.sh start on a taken port', () => {
  it('moves to a free port when REGISTRY_PORT is not set, and writes that address', async () => {
    const { server, port } = await occupiedPort()
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())))
    const dir = stateDir()
    const env: Record<string, string> = {
      SHIPYARD_RUN_DIR: dir,
      REGISTRY_DEFAULT_PORT: String(port),
      REGISTRY_PORT: ''
    }
    cleanups.push(async () => void (await registry('stop', env)))

    const started = await registry('start', env)
    expect(started.stderr).toContain(
      `127.0.0.1:${port} is already taken by another server`
    )
    expect(started.status).toBe(0)

    const written = readEnv(path.join(dir, 'registry.env'))
    const address = written.REGISTRY ?? ''
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/)
    expect(address).not.toBe(`127.0.0.1:${port}`)
    expect(started.stderr).toContain(
      `using the free port ${address.split(':')[1]} instead`
    )
    // A real registry answers there, and asks for the written credentials.
    const anonymous = await fetch(`http://${address}/v2/`)
    expect(anonymous.status).toBe(401)
    const basic = Buffer.from(
      `${written.REGISTRY_USERNAME}:${written.REGISTRY_PASSWORD}`
    ).toString('base64')
    const signedIn = await fetch(`http://${address}/v2/`, {
      headers: { authorization: `Basic ${basic}` }
    })
    expect(signedIn.status).toBe(200)

    // Started again (the default port still taken), it keeps that instance.
    const again = await registry('start', env)
    expect(again.status).toBe(0)
    expect(again.stderr).toContain(`already running on ${address}`)
    expect(readEnv(path.join(dir, 'registry.env')).REGISTRY).toBe(address)
    expect((await registry('status', env)).status).toBe(0)
  }, 60_000)

  it('refuses a REGISTRY_PORT that is set and taken, naming it, and starts nothing', async () => {
    const { server, port } = await occupiedPort()
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())))
    const dir = stateDir()
    const env = { SHIPYARD_RUN_DIR: dir, REGISTRY_PORT: String(port) }

    const started = await registry('start', env)
    expect(started.status).toBe(1)
    expect(started.stderr).toContain(
      `REGISTRY_PORT=${port}: 127.0.0.1:${port} is already taken by another server (no HTTP answer)`
    )
    expect(started.stderr).toContain('set REGISTRY_PORT to a free port')
    expect(fs.existsSync(path.join(dir, 'registry.env'))).toBe(false)
    expect(fs.existsSync(path.join(dir, 'registry', 'registry.pid'))).toBe(
      false
    )
  }, 30_000)
})
