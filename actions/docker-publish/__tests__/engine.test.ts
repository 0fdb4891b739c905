import { describe, expect, it, jest } from '@jest/globals'
import { mockCore } from '@shipyard/action-kit/testing'

const core = mockCore()
jest.unstable_mockModule('@actions/core', () => core)

const { ConfigurationError } = await import('@shipyard/action-kit')
const { createEngine, isLoopbackRegistry } = await import('../src/engine.js')
const { buildArgs, buildxPushArgs, cacheFlags, pushesWithBuildx } =
  await import('../src/build.js')
const { healthcheckPath } = await import('../src/smoke.js')

type Answer = { exitCode?: number; stdout?: string; stderr?: string }

/** A fake exec answering by command line prefix, recording every call. */
function fakeExec(answers: Record<string, Answer>) {
  const calls: string[] = []
  const run = (command: string, args: readonly string[]) => {
    const line = [command, ...args].join(' ')
    calls.push(line)
    const key = Object.keys(answers)
      .filter((prefix) => line.startsWith(prefix))
      .sort((a, b) => b.length - a.length)[0]
    const answer = key === undefined ? { exitCode: 127 } : answers[key]
    return Promise.resolve({
      exitCode: answer?.exitCode ?? 0,
      stdout: answer?.stdout ?? '',
      stderr: answer?.stderr ?? ''
    })
  }
  return { run, calls }
}

const everywhere = (program: string) =>
  Promise.resolve(
    ['docker', 'podman', 'runc'].includes(program) ? program : undefined
  )

const PODMAN = {
  'podman version': { stdout: '4.3.1\n' },
  'podman build --help': { stdout: '  --secret stringArray\n  --cache-to\n' }
}
const NO_DAEMON = {
  'docker version': {
    exitCode: 1,
    stderr:
      'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n'
  }
}
const DOCKER = {
  'docker version': { stdout: '27.5.1|Docker Engine - Community\n' },
  'docker buildx version': { stdout: 'github.com/docker/buildx v0.20.1\n' },
  'docker buildx build --help': {
    stdout: '      --metadata-file string\n      --push\n'
  },
  'docker buildx inspect': {
    stdout: 'Name:   builder\nDriver: docker-container\n'
  }
}

describe('createEngine', () => {
  it('auto: a docker client without a daemon means podman, said in a notice', async () => {
    const { run } = fakeExec({ ...NO_DAEMON, ...PODMAN })
    const { engine, notices } = await createEngine('auto', run, everywhere)
    expect(engine.kind).toBe('podman')
    expect(engine.version).toBe('4.3.1')
    expect(notices[0]).toBe(
      'Docker cannot be used (`docker version` reaches no Docker daemon (Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?)): building with podman 4.3.1.'
    )
    expect(engine.capabilities).toMatchObject({
      buildx: false,
      secrets: true,
      runc: true
    })
  })

  it("auto: podman's docker emulation (Podman Engine) is not Docker", async () => {
    const { run } = fakeExec({
      'docker version': { stdout: '4.3.1|Podman Engine\n' },
      ...PODMAN
    })
    const { engine, notices } = await createEngine('auto', run, everywhere)
    expect(engine.kind).toBe('podman')
    expect(notices[0]).toContain(
      "the `docker` command is Podman Engine (podman's emulation)"
    )
  })

  it("auto: the Docker CLI on podman's API service is not Docker either", async () => {
    const { run } = fakeExec({
      // What Docker's CLI 28 says of `podman system service` 4.3.1.
      'docker version': {
        stdout:
          '4.3.1|linux/amd64/debian-12|Podman Engine,Conmon,OCI Runtime (runc),Engine,\n'
      },
      ...PODMAN
    })
    const { engine, notices } = await createEngine('auto', run, everywhere)
    expect(engine.kind).toBe('podman')
    expect(notices[0]).toContain(
      "the Docker daemon it reaches is Podman Engine 4.3.1 (podman's API service)"
    )
  })

  it('auto: Docker with buildx on a docker-container builder has every capability', async () => {
    const { run } = fakeExec(DOCKER)
    const { engine, notices } = await createEngine('auto', run, everywhere)
    expect(notices).toEqual([])
    expect(engine.kind).toBe('docker')
    expect(engine.capabilities).toEqual({
      buildx: true,
      metadataFile: true,
      push: true,
      cacheExport: ['gha', 'registry'],
      secrets: true,
      runc: false
    })
    expect(engine.buildCommand()).toEqual(['buildx', 'build', '--load'])
    expect(engine.runFlags(40000, 8000)).toEqual([
      '--publish',
      '127.0.0.1:40000:8000'
    ])
  })

  it('Docker without buildx, or with the docker driver, degrades with notices', async () => {
    const { run } = fakeExec({
      'docker version': DOCKER['docker version'],
      'docker buildx version': { exitCode: 1, stderr: 'unknown command' }
    })
    const bare = await createEngine('docker', run, everywhere)
    expect(bare.engine.buildCommand()).toEqual(['build'])
    expect(bare.notices[0]).toContain('Docker has no buildx')
    const driver = fakeExec({
      ...DOCKER,
      'docker buildx inspect': { stdout: 'Driver: docker\n' }
    })
    const withDriver = await createEngine('docker', driver.run, everywhere)
    expect(withDriver.engine.capabilities.cacheExport).toEqual([])
    expect(withDriver.notices[0]).toContain('cannot export a build cache')
  })

  it('refuses engine: docker when Docker does not answer, and no engine at all', async () => {
    const { run } = fakeExec(NO_DAEMON)
    await expect(createEngine('docker', run, everywhere)).rejects.toThrow(
      /^engine is docker, but `docker version` reaches no Docker daemon/
    )
    const none = () => Promise.resolve(undefined)
    const error = await createEngine('auto', run, none).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigurationError)
    expect((error as Error).message).toBe(
      'No container engine works here: there is no `docker` command, and there is no `podman` command. Install Docker or podman.'
    )
  })

  it('engine: podman never probes Docker; builds with chroot isolation and the Docker format, runs on the host network with runc', async () => {
    const { run, calls } = fakeExec(PODMAN)
    const { engine } = await createEngine('podman', run, everywhere)
    expect(calls.some((c) => c.startsWith('docker'))).toBe(false)
    expect(engine.buildFlags({})).toEqual([
      '--isolation',
      'chroot',
      '--format',
      'docker'
    ])
    expect(engine.buildFlags({ BUILDAH_ISOLATION: 'oci' })).toContain('oci')
    expect(engine.runFlags(1, 1)).toEqual([
      '--runtime',
      'runc',
      '--network',
      'host'
    ])
    expect(engine.registryFlags('127.0.0.1:5000', '/t/auth.json')).toEqual([
      '--authfile',
      '/t/auth.json',
      '--tls-verify=false'
    ])
    expect(engine.registryFlags('ghcr.io', '/t/auth.json')).toEqual([
      '--authfile',
      '/t/auth.json'
    ])
  })

  it('knows loopback registries', () => {
    expect(isLoopbackRegistry('127.0.0.1:5000')).toBe(true)
    expect(isLoopbackRegistry('localhost:41234')).toBe(true)
    expect(isLoopbackRegistry('[::1]:5000')).toBe(true)
    expect(isLoopbackRegistry('registry.local:5000')).toBe(false)
    expect(isLoopbackRegistry('docker.io')).toBe(false)
  })
})

describe('build arguments and cache', () => {
  const spec = {
    context: '/w',
    file: '/w/Dockerfile',
    refs: ['docker.io/alice/app:sha-1', 'docker.io/alice/app:latest'],
    image: 'docker.io/alice/app',
    target: 'runtime',
    buildArgs: { BASE_IMAGE: 'python:3.12-slim' },
    labels: { 'org.opencontainers.image.revision': 'abc' },
    secretFiles: {},
    secrets: {},
    platforms: [],
    cache: 'gha' as const,
    canWriteRegistry: true,
    tempDir: '/t'
  }

  it('uses the gha cache with one scope per image on buildx, errors ignored', async () => {
    const { engine } = await createEngine(
      'docker',
      fakeExec(DOCKER).run,
      everywhere
    )
    const cache = cacheFlags(engine, spec, { ACTIONS_RUNTIME_TOKEN: 'x' })
    expect(cache.flags).toEqual([
      '--cache-from',
      'type=gha,scope=docker.io-alice-app',
      '--cache-to',
      'type=gha,scope=docker.io-alice-app,mode=max,ignore-error=true'
    ])
    expect(cacheFlags(engine, spec, {}).notice).toContain(
      'cache: gha needs the GitHub Actions cache service'
    )
    expect(
      cacheFlags(engine, {
        ...spec,
        cache: 'registry',
        canWriteRegistry: false
      }).flags
    ).toEqual([
      '--cache-from',
      'type=registry,ref=docker.io/alice/app:buildcache'
    ])
    expect(
      buildArgs(engine, spec, { pip_cert: '/c.pem' }, cache.flags, '/t/iid')
    ).toEqual([
      'buildx',
      'build',
      '--load',
      '--file',
      '/w/Dockerfile',
      '--iidfile',
      '/t/iid',
      '--tag',
      'docker.io/alice/app:sha-1',
      '--tag',
      'docker.io/alice/app:latest',
      '--target',
      'runtime',
      '--build-arg',
      'BASE_IMAGE=python:3.12-slim',
      '--label',
      'org.opencontainers.image.revision=abc',
      '--secret',
      'id=pip_cert,src=/c.pem',
      '--provenance=false',
      ...cache.flags,
      '/w'
    ])
  })

  it('on podman says that its local layer cache applies', async () => {
    const { engine } = await createEngine(
      'podman',
      fakeExec(PODMAN).run,
      everywhere
    )
    for (const mode of ['gha', 'registry'] as const) {
      const cache = cacheFlags(engine, { ...spec, cache: mode })
      expect(cache.flags).toEqual([])
      expect(cache.notice).toBe(
        `cache: ${mode} is not available (podman cannot use the ${mode} cache backend); podman's local layer cache applies instead.`
      )
    }
    expect(cacheFlags(engine, { ...spec, cache: 'none' })).toEqual({
      flags: [],
      note: "cache: none (only podman's local layer cache)"
    })
  })

  it('pushes platforms and attestations with buildx --push, and plain tags with push', async () => {
    const { engine } = await createEngine(
      'docker',
      fakeExec(DOCKER).run,
      everywhere
    )
    const none = { provenance: false, sbom: false }
    expect(pushesWithBuildx(engine, spec, none)).toBe(false)
    expect(pushesWithBuildx(engine, spec, { ...none, sbom: true })).toBe(true)
    const multi = { ...spec, platforms: ['linux/amd64', 'linux/arm64'] }
    expect(pushesWithBuildx(engine, multi, none)).toBe(true)
    const args = buildxPushArgs(engine, multi, {}, [], none, '/t/meta.json')
    expect(args.slice(0, 7)).toEqual([
      'buildx',
      'build',
      '--push',
      '--file',
      '/w/Dockerfile',
      '--platform',
      'linux/amd64,linux/arm64'
    ])
    expect(args).toEqual(
      expect.arrayContaining([
        '--provenance=false',
        '--sbom=false',
        '--metadata-file',
        '/t/meta.json'
      ])
    )
    expect(args.at(-1)).toBe('/w')
    const podman = await createEngine(
      'podman',
      fakeExec(PODMAN).run,
      everywhere
    )
    expect(pushesWithBuildx(podman.engine, multi, none)).toBe(false)
  })
})

describe('healthcheckPath', () => {
  it('reads the path an HTTP HEALTHCHECK calls, and nothing from other checks', () => {
    expect(
      healthcheckPath(['CMD', 'curl', '-f', 'http://localhost:8000/healthz'])
    ).toBe('/healthz')
    expect(
      healthcheckPath([
        'CMD-SHELL',
        'wget -qO- http://127.0.0.1:8080 || exit 1'
      ])
    ).toBe('/')
    expect(
      healthcheckPath(['CMD', 'python', '/usr/local/bin/healthcheck.py'])
    ).toBeUndefined()
    expect(healthcheckPath([])).toBeUndefined()
  })
})
