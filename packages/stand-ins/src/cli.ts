/**
 * `services up`: starts every stand-in on a free port of 127.0.0.1, writes
 * their URLs and the credentials they accept to an env file (shell
 * `KEY=VALUE` lines, mode 600), and serves until SIGTERM or SIGINT, when each
 * stops cleanly (the Render stand-in removes the containers it started).
 *
 *   tsx packages/stand-ins/src/cli.ts up [--out .services.env] [--append FILE]
 *
 * `--append` appends another env file's lines (the registry's credentials).
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createStandIns } from './all.js'
import type { StandIn } from './server.js'

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name)
  return index >= 0 ? process.argv[index + 1] : undefined
}

function quote(value: string): string {
  return /^[\w@%+=:,./-]*$/.test(value)
    ? value
    : `'${value.replace(/'/g, `'\\''`)}'`
}

async function up(): Promise<void> {
  const envFile = option('--out') ?? '.services.env'
  const extra = option('--append')
  const standIns: StandIn[] = await createStandIns()
  const lines = [
    '# Written by `make services-up`: the local stand-ins and their credentials.'
  ]
  for (const standIn of standIns) {
    await standIn.start()
    lines.push(`# ${standIn.name}`)
    for (const [key, value] of Object.entries(standIn.env()))
      lines.push(`${key}=${quote(value)}`)
  }
  if (extra && existsSync(extra)) lines.push(readFileSync(extra, 'utf8').trim())
  writeFileSync(envFile, lines.join('\n') + '\n', { mode: 0o600 })
  chmodSync(envFile, 0o600)
  process.stdout.write(
    `stand-ins up: ${standIns.map((s) => `${s.name} ${s.url}`).join(', ')}\n`
  )

  let stopping = false
  const stop = async (): Promise<void> => {
    if (stopping) return
    stopping = true
    await Promise.allSettled(standIns.map((s) => s.stop()))
    process.stdout.write('stand-ins stopped\n')
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop())
  process.on('SIGINT', () => void stop())
}

const command = process.argv[2]
if (command === 'up') {
  await up()
} else {
  process.stderr.write('usage: cli.ts up [--out FILE] [--append FILE]\n')
  process.exit(2)
}
