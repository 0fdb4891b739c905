/**
 * The committed bundle, run as the runner runs it: a fresh node process on
 * dist/index.js, inputs as INPUT_* variables (hyphens kept), the runner's
 * files in a temporary directory; against the Render and GitHub stand-ins.
 * Nothing it prints or writes holds a secret (the runner's own `add-mask`
 * commands aside).
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { IMAGE, startWorld, type World } from './fixtures/world.js'

const bundle = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'dist',
  'index.js'
)

interface Ran {
  code: number | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  /** Every file the run left in its workspace, runner temp included. */
  files: string
}

/** `name<<delimiter\nvalue\ndelimiter` blocks of GITHUB_OUTPUT. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const re = /^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm
  for (let m = re.exec(text); m; m = re.exec(text)) outputs[m[1]] = m[3]
  return outputs
}

async function runBundle(
  inputs: Record<string, string>,
  extraEnv: Record<string, string>
): Promise<Ran> {
  const workspace = mkdtempSync(join(tmpdir(), 'render-deploy-dist-'))
  const output = join(workspace, 'output')
  const summary = join(workspace, 'summary')
  writeFileSync(output, '')
  writeFileSync(summary, '')
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: workspace,
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
    RUNNER_TEMP: workspace,
    ...extraEnv
  }
  for (const [key, value] of Object.entries(inputs))
    env[`INPUT_${key.toUpperCase()}`] = value
  const child = spawn(process.execPath, [bundle], { cwd: workspace, env })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  const code = await new Promise<number | null>((resolve) =>
    child.on('close', resolve)
  )
  const files = readdirSync(workspace, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => readFileSync(join(d.parentPath, d.name), 'utf8'))
    .join('\n')
  const ran = {
    code,
    stdout,
    stderr,
    outputs: parseOutputs(readFileSync(output, 'utf8')),
    summary: readFileSync(summary, 'utf8'),
    files
  }
  rmSync(workspace, { recursive: true, force: true })
  return ran
}

function expectNoSecrets(w: World, ran: Ran): void {
  const hookKey = new URL(w.hookUrl).searchParams.get('key') ?? ''
  const shown = ran.stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n')
  const everything = [shown, ran.stderr, ran.files].join('\n')
  for (const secret of [w.apiKey, hookKey, w.hookUrl, w.github.token]) {
    expect(secret.length).toBeGreaterThan(8)
    expect(everything).not.toContain(secret)
  }
  expect(ran.stdout).toContain(`::add-mask::${w.apiKey}`)
}

let world: World | undefined
afterEach(async () => {
  await world?.stop()
  world = undefined
})

describe('the bundle, as the runner runs it', () => {
  it('deploys to live, records the GitHub deployment, and writes its outputs and summary', async () => {
    world = await startWorld({}, [['v1'], ['v2']])
    await world.seed('v1')
    const ran = await runBundle(
      world.inputs({ 'image-url': `${IMAGE}:v2` }),
      world.githubEnv
    )
    expect(ran.stderr).toBe('')
    expect(ran.code).toBe(0)
    const [mine] = world.render.deploys(world.serviceId)
    expect(ran.outputs).toMatchObject({
      'deploy-id': mine?.id,
      status: 'live',
      'rolled-back': 'false'
    })
    expect(Number(ran.outputs['api-calls'])).toBe(world.apiRequests())
    expect(ran.summary).toContain('Render deploy: live')
    expect(ran.summary).toContain('```mermaid')
    expect((await world.githubDeployments())[0]?.states).toEqual([
      'in_progress',
      'success'
    ])
    expectNoSecrets(world, ran)
  })

  it('keeps the API key and the hook key out of everything, also when the deploy fails', async () => {
    world = await startWorld({}, [['v1'], ['v2', 'crash']])
    await world.seed('v1')
    const ran = await runBundle(
      {
        'deploy-hook-url': world.hookUrl,
        'api-key': world.apiKey,
        'render-api-url': world.render.env()['RENDER_API_URL'] ?? '',
        'image-url': `${IMAGE}:v2`,
        'github-token': world.github.token,
        timeout: '10s'
      },
      world.githubEnv
    )
    expect(ran.code).toBe(1)
    expect(ran.stdout).toMatch(/^::error::Deploy dep-\w+ ended update_failed/m)
    expect(ran.outputs['status']).toBe('update_failed')
    expectNoSecrets(world, ran)
  })
})
