/**
 * docker-publish end to end, as the runner runs it: the committed bundle in
 * a fresh node process, real podman builds (the example app from the root
 * Dockerfile, and a tiny fixture), real smoke tests, real pushes to a real
 * Distribution registry with htpasswd auth on a free port.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {
  BASE_IMAGE,
  containerEnv,
  pipBuildInputs,
  podmanRecorder,
  registryGet,
  registryTags,
  removeImages,
  root,
  runBundle,
  servedDigest,
  SHA,
  smokeContainerOf,
  smokeContainers,
  startRegistry,
  stopRegistry,
  type BundleRun,
  type Registry,
  type RunContextSpec,
  type StepHooks
} from './harness.js'

const FIXTURE = 'actions/docker-publish/__tests__/fixtures/smoke-app'
const SMOKE_SECRET = 'smoke-Secret-Key-4f9d1c'
const BUILD_SECRET = 'build-Secret-Token-8e2a77'

let env: Record<string, string>
let registry: Registry
let recorder: { bin: string; log: string }
const secrets: string[] = [SMOKE_SECRET, BUILD_SECRET]
const runs: BundleRun[] = []

beforeAll(async () => {
  env = containerEnv()
  const base = spawnSync('bash', ['scripts/containers/base-image.sh'], {
    cwd: root,
    env,
    encoding: 'utf8'
  })
  if (base.status !== 0) throw new Error(`base-image.sh: ${base.stderr}`)
  registry = await startRegistry(env)
  secrets.push(registry.password)
  recorder = podmanRecorder(env)
}, 300_000)

afterAll(() => {
  if (registry) {
    removeImages(env, `${registry.host}/`)
    stopRegistry(registry)
  }
})

function publish(
  inputs: Record<string, string>,
  context: RunContextSpec,
  hooks?: StepHooks
): BundleRun {
  const run = runBundle(env, recorder, inputs, context, hooks)
  runs.push(run)
  return run
}

/** Inputs for the fixture image in `repository`, pushing with the registry's credentials. */
function fixture(
  repository: string,
  extra: Record<string, string> = {}
): Record<string, string> {
  return {
    image: `${registry.host}/${repository}`,
    username: registry.username,
    password: registry.password,
    context: FIXTURE,
    'build-args': `BASE_IMAGE=${BASE_IMAGE}`,
    'smoke-timeout': '20s',
    ...extra
  }
}

const commands = (run: BundleRun): string[] =>
  run.calls.map((args) => args[0] ?? '')

describe('docker-publish (bundle, podman, Distribution registry)', () => {
  it('builds the example app, smoke-tests it, then pushes every tag of the default branch; the digest is what the registry serves', async () => {
    const pip = pipBuildInputs()
    const run = publish(
      {
        image: `${registry.host}/shipyard/example`,
        username: registry.username,
        password: registry.password,
        'build-args': [`BASE_IMAGE=${BASE_IMAGE}`, ...pip.buildArgs].join('\n'),
        'secret-files': pip.secretFiles.join('\n'),
        'smoke-env': `SECRET_KEY=${SMOKE_SECRET}\nALLOWED_HOSTS=localhost,127.0.0.1`,
        'smoke-path': '/health',
        'smoke-timeout': '90s'
      },
      { ref: 'refs/heads/main', defaultBranch: 'main' }
    )
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    const { outputs } = run
    const tags = ['sha-0123456', SHA, 'main', 'latest']
    expect(outputs['tags']?.split('\n')).toEqual(tags)
    expect(outputs['image']).toBe(`${registry.host}/shipyard/example`)
    expect(outputs['pushed']).toBe('true')
    expect(outputs['digest']).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(outputs['image-ref']).toBe(
      `${registry.host}/shipyard/example@${outputs['digest']}`
    )
    expect(Number(outputs['smoke-seconds'])).toBeGreaterThan(0)
    expect(Number(outputs['size'])).toBeGreaterThan(50_000_000)

    // Every tag is in the registry, all on the digest the action output;
    // the manifest served by digest hashes to that digest.
    expect(await registryTags(registry, 'shipyard/example')).toEqual(
      [...tags].sort()
    )
    for (const tag of tags) {
      expect(await servedDigest(registry, 'shipyard/example', tag)).toBe(
        outputs['digest']
      )
    }
    const manifest = await registryGet(
      registry,
      `/v2/shipyard/example/manifests/${outputs['digest']}`
    )
    expect(manifest.status).toBe(200)
    const body = Buffer.from(await manifest.arrayBuffer())
    expect(`sha256:${createHash('sha256').update(body).digest('hex')}`).toBe(
      outputs['digest']
    )

    // The local image is the one output, with the OCI labels.
    const inspect = spawnSync(
      'podman',
      ['image', 'inspect', `${registry.host}/shipyard/example:latest`],
      { env, encoding: 'utf8' }
    )
    const [image] = JSON.parse(inspect.stdout) as {
      Id: string
      Labels: Record<string, string>
    }[]
    expect(`sha256:${image?.Id}`).toBe(outputs['image-id'])
    expect(image?.Labels).toMatchObject({
      'org.opencontainers.image.source': 'https://github.com/acme/shipyard',
      'org.opencontainers.image.revision': SHA,
      'org.opencontainers.image.version': 'main',
      'org.opencontainers.image.licenses': 'MIT'
    })

    // Order: log in (password on stdin), build, run and remove the smoke
    // container, and only then push.
    const order = run.calls.map((args) =>
      args.includes('--help') ? 'probe' : (args[0] ?? '')
    )
    const login = run.calls.find((args) => args[0] === 'login') ?? []
    expect(login).toContain('--password-stdin')
    expect(login).not.toContain('--password')
    expect(login.join(' ')).not.toContain(registry.password)
    const smoke = order.indexOf('run')
    const firstPush = order.indexOf('push')
    expect(order.indexOf('login')).toBeLessThan(order.indexOf('build'))
    expect(order.indexOf('build')).toBeLessThan(smoke)
    expect(smoke).toBeLessThan(order.indexOf('rm'))
    expect(order.indexOf('rm')).toBeLessThan(firstPush)
    expect(order.filter((c) => c === 'push')).toHaveLength(tags.length)
    // The build ran as podman here needs it; the smoke env went by name only.
    const build = run.calls[order.indexOf('build')] ?? []
    expect(build.join(' ')).toContain('--isolation chroot --format docker')
    const runArgs = run.calls[smoke] ?? []
    expect(runArgs.join(' ')).toContain('--network host')
    expect(runArgs).toContain('SECRET_KEY')
    const container = smokeContainerOf(run.calls)
    expect(container).toMatch(/^shipyard-smoke-[0-9a-f]{12}$/)
    expect(smokeContainers(env)).not.toContain(container)

    expect(run.summary).toContain(outputs['digest'])
    expect(run.summary).toContain('passed: GET /health → 200')
    expect(run.stdout).toContain(`::add-mask::${registry.password}`)
  }, 300_000)

  it('tags a feature branch with its sanitised name and never latest, and a version tag with semver', async () => {
    const feature = publish(fixture('shipyard/tags', { push: 'true' }), {
      ref: 'refs/heads/Feature/login#2',
      defaultBranch: 'main'
    })
    expect(feature.status).toBe(0)
    expect(feature.outputs['tags']?.split('\n')).toEqual([
      'sha-0123456',
      SHA,
      'Feature-login-2'
    ])
    expect(feature.stdout).toContain(
      '::notice::The branch "Feature/login#2" is not a valid tag; tagged "Feature-login-2" instead.'
    )
    expect(await registryTags(registry, 'shipyard/tags')).toEqual(
      ['Feature-login-2', SHA, 'sha-0123456'].sort()
    )

    const release = publish(fixture('shipyard/tags'), {
      ref: 'refs/tags/v1.2.3',
      defaultBranch: 'main',
      sha: 'fedcba9876543210fedcba9876543210fedcba98'
    })
    expect(release.status).toBe(0)
    expect(release.outputs['pushed']).toBe('true')
    expect(release.outputs['tags']?.split('\n')).toEqual([
      'sha-fedcba9',
      'fedcba9876543210fedcba9876543210fedcba98',
      '1.2.3',
      '1.2',
      '1'
    ])
    const held = await registryTags(registry, 'shipyard/tags')
    expect(held).toEqual(expect.arrayContaining(['1', '1.2', '1.2.3']))
    expect(held).not.toContain('latest')
    expect(await servedDigest(registry, 'shipyard/tags', '1.2')).toBe(
      release.outputs['digest']
    )
  }, 120_000)

  it('on a pull request from a fork (empty credentials) builds and smoke-tests, pushes nothing, and succeeds', async () => {
    const run = publish(
      fixture('shipyard/fork', {
        username: '',
        password: '',
        'smoke-env-file': `${FIXTURE}/fixture.env`,
        secrets: `fixture_token=${BUILD_SECRET}`
      }),
      { ref: 'refs/pull/7/merge', eventName: 'pull_request' }
    )
    expect(run.status).toBe(0)
    expect(run.outputs['tags']?.split('\n')).toEqual([
      'sha-0123456',
      SHA,
      'pr-7'
    ])
    expect(run.outputs['pushed']).toBe('false')
    expect(run.outputs['digest']).toBe('')
    expect(run.outputs['image-ref']).toBe('')
    expect(Number(run.outputs['smoke-seconds'])).toBeGreaterThan(0)
    expect(run.stdout).toMatch(
      /::notice::Not pushed: push: auto does not push on pull_request events/
    )
    expect(commands(run)).toEqual(
      expect.arrayContaining(['build', 'run', 'rm'])
    )
    // The inline build secret went to the build as a file (now deleted).
    const build = run.calls.find(
      (args) => args[0] === 'build' && !args.includes('--help')
    )
    expect(build?.join(' ')).toMatch(/--secret id=fixture_token,src=\S+/)
    expect(commands(run)).not.toContain('login')
    expect(commands(run)).not.toContain('push')
    expect(await registryTags(registry, 'shipyard/fork')).toEqual([])
    // No login, so the post step has nothing to undo: one debug line.
    expect(run.state['registry-login']).toBeUndefined()
    expect(run.post.calls).toEqual([])
    expect(run.post.stdout.trim()).toBe(
      '::debug::No registry login to undo: the main step did not log in.'
    )
  }, 120_000)

  it('with empty credentials on the default branch, push: auto skips the push with a notice', async () => {
    const run = publish(
      fixture('shipyard/nocreds', {
        username: '',
        password: '',
        'smoke-test': 'false',
        'smoke-timeout': ''
      }),
      { ref: 'refs/heads/main', defaultBranch: 'main' }
    )
    expect(run.status).toBe(0)
    expect(run.outputs['pushed']).toBe('false')
    expect(run.stdout).toContain(
      '::notice::Not pushed: the registry credentials are empty'
    )
    expect(commands(run)).not.toContain('run')
    expect(await registryTags(registry, 'shipyard/nocreds')).toEqual([])
  }, 120_000)

  it.each([
    [
      'exits at once',
      { 'build-args': `BASE_IMAGE=${BASE_IMAGE}\nMODE=exit` },
      /the container stopped \((?:exited|stopped), exit code 3\) before answering; nothing was pushed\. Its last log lines:%0Afixture: mode exit, port \d+%0Afixture: boom, cannot start/
    ],
    [
      'answers 500',
      {
        'build-args': `BASE_IMAGE=${BASE_IMAGE}\nMODE=500`,
        // Long enough for the server to be listening on a loaded machine.
        'smoke-timeout': '10s'
      },
      /no 2xx or 3xx answer on port \d+ within 10s \(GET \/health answered 500\); nothing was pushed\. The container's last log lines:%0A.*"GET \/health HTTP\/1\.1" 500/
    ],
    [
      'never listens',
      {
        'build-args': `BASE_IMAGE=${BASE_IMAGE}\nMODE=silent`,
        'smoke-timeout': '6s'
      },
      /no 2xx or 3xx answer on port \d+ within 6s \(GET \/health: ECONNREFUSED\); nothing was pushed\. The container's last log lines:%0Afixture: mode silent/
    ]
  ])(
    'fails the step and pushes nothing when the image %s; the container is removed',
    async (_what, extra, message) => {
      const run = publish(
        fixture('shipyard/broken', { push: 'true', ...extra }),
        { ref: 'refs/heads/main', defaultBranch: 'main' }
      )
      expect(run.status).toBe(1)
      expect(run.stdout).toMatch(/^::error::The smoke test failed: /m)
      expect(run.stdout).toMatch(message)
      expect(run.outputs['pushed']).toBe('false')
      expect(run.outputs['digest']).toBe('')
      expect(commands(run)).toContain('rm')
      expect(commands(run)).not.toContain('push')
      const container = smokeContainerOf(run.calls)
      expect(container).toMatch(/^shipyard-smoke-[0-9a-f]{12}$/)
      expect(smokeContainers(env)).not.toContain(container)
      expect(await registryTags(registry, 'shipyard/broken')).toEqual([])
      expect(run.summary).toContain('**Failed:**')
      // The step failed after logging in: the post step still logs out.
      expect(run.post.calls.map((args) => args[0])).toEqual(['logout'])
    },
    120_000
  )

  it.each([
    [
      { image: 'Shipyard/App' },
      `::error::Invalid value for input 'image': "Shipyard/App" (uppercase letters; did you mean "shipyard/app"?)`
    ],
    [
      { tags: 'v1 beta' },
      `::error::Invalid value for input 'tags': "v1 beta". Accepted: 1 to 128 letters`
    ],
    [
      { push: 'maybe' },
      `::error::Invalid value for input 'push': "maybe". Accepted: one of \`auto\`, \`true\`, \`false\``
    ],
    [
      { 'smoke-timeout': '-5s' },
      `::error::Invalid value for input 'smoke-timeout': "-5s"`
    ]
  ])('refuses %j clearly before running anything', (inputs, error) => {
    const run = publish(fixture('shipyard/refused', inputs), {
      ref: 'refs/heads/main',
      defaultBranch: 'main'
    })
    expect(run.status).toBe(1)
    expect(run.stdout).toContain(error)
    expect(run.calls).toEqual([])
  })

  it('stops at a wrong password before building, and shows it nowhere', async () => {
    const wrong = 'Wrong-Passw0rd-71c2e9'
    secrets.push(wrong)
    const run = publish(fixture('shipyard/denied', { password: wrong }), {
      ref: 'refs/heads/main',
      defaultBranch: 'main'
    })
    expect(run.status).toBe(1)
    expect(run.stdout).toMatch(
      new RegExp(
        `^::error::Login to ${registry.host.replace(/\./g, '\\.')} as ${registry.username} failed: .*Check username and password`,
        'm'
      )
    )
    // Only the engine probes (side by side) came before the login.
    expect(commands(run).slice(0, 2).sort()).toEqual(['build', 'version'])
    expect(commands(run)[2]).toBe('login')
    expect(commands(run)).toHaveLength(3)
    const build = run.calls.find((args) => args[0] === 'build')
    expect(build).toEqual(['build', '--help'])
    // The failed login left nothing for the post step to undo.
    expect(run.state['registry-login']).toBe('')
    expect(run.post.calls).toEqual([])
    expect(run.everything).not.toContain(wrong)
    expect(await registryTags(registry, 'shipyard/denied')).toEqual([])
  })

  it('keeps the login in a private auth file under RUNNER_TEMP until the post step logs out and deletes it', () => {
    const getLogin = (authfile?: string) =>
      spawnSync(
        'podman',
        [
          'login',
          '--get-login',
          ...(authfile ? ['--authfile', authfile] : []),
          registry.host
        ],
        { env, encoding: 'utf8' }
      )
    // podman's own auth file and Docker's configuration never hear of it.
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-home-'))
    const userFiles = { HOME: home, DOCKER_CONFIG: path.join(home, '.docker') }
    let authFile = ''
    let loginDir = ''
    try {
      const run = runBundle(
        { ...env, ...userFiles },
        recorder,
        fixture('shipyard/login', {
          'smoke-test': 'false',
          'smoke-timeout': '',
          push: 'true'
        }),
        { ref: 'refs/heads/main', defaultBranch: 'main' },
        {
          afterMain: ({ runnerTemp, state, stdout }) => {
            expect(stdout).not.toContain('::error::')
            const saved = JSON.parse(state['registry-login'] ?? '{}') as {
              registry?: string
              kind?: string
              dir?: string
            }
            expect(saved).toMatchObject({
              registry: registry.host,
              kind: 'podman'
            })
            loginDir = saved.dir ?? ''
            expect(path.dirname(loginDir)).toBe(runnerTemp)
            expect(fs.statSync(loginDir).mode & 0o777).toBe(0o700)
            authFile = path.join(loginDir, 'auth.json')
            const auths = (
              JSON.parse(fs.readFileSync(authFile, 'utf8')) as {
                auths: Record<string, unknown>
              }
            ).auths
            expect(Object.keys(auths)).toEqual([registry.host])
            const login = getLogin(authFile)
            expect(login.status).toBe(0)
            expect(login.stdout.trim()).toBe(registry.username)
          },
          afterPost: () => {
            expect(fs.existsSync(loginDir)).toBe(false)
            const login = getLogin(authFile)
            expect(login.status).not.toBe(0)
            expect(login.stderr).toMatch(/not logged in/i)
          }
        }
      )
      runs.push(run)
      expect(run.status).toBe(0)
      expect(run.outputs['pushed']).toBe('true')
      expect(loginDir).not.toBe('')
      // Every podman command of the main step used the private login.
      const login = run.calls.find((args) => args[0] === 'login') ?? []
      expect(login).toEqual(expect.arrayContaining(['--authfile', authFile]))
      for (const push of run.calls.filter((args) => args[0] === 'push'))
        expect(push).toEqual(expect.arrayContaining(['--authfile', authFile]))
      expect(run.post.calls).toEqual([
        ['logout', '--authfile', authFile, registry.host]
      ])
      expect(run.post.stdout).toContain(`Logged out of ${registry.host}.`)
      expect(run.post.stderr).toBe('')
      expect(fs.readdirSync(home)).toEqual([])
      const userLogin = spawnSync(
        'podman',
        ['login', '--get-login', registry.host],
        { env: { ...env, ...userFiles }, encoding: 'utf8' }
      )
      expect(userLogin.status).not.toBe(0)
      // The state names where the login was, never the password.
      expect(JSON.stringify(run.state)).not.toContain(registry.password)
    } finally {
      fs.rmSync(home, { recursive: true, force: true })
    }
  }, 120_000)

  it('says clearly when the registry does not answer', () => {
    const run = publish(
      {
        ...fixture('shipyard/down'),
        image: '127.0.0.1:9/shipyard/down',
        push: 'true'
      },
      { ref: 'refs/heads/main', defaultBranch: 'main' }
    )
    expect(run.status).toBe(1)
    expect(run.stdout).toMatch(
      /^::error::Login to 127\.0\.0\.1:9 as \S+ failed: .*connection refused/im
    )
    expect(commands(run)).not.toContain('push')
  })

  it('never shows a secret: not in stdout, stderr, outputs, the summary, or any command line', () => {
    expect(runs.length).toBeGreaterThanOrEqual(10)
    for (const run of runs) {
      for (const secret of secrets) expect(run.everything).not.toContain(secret)
    }
  })
})
