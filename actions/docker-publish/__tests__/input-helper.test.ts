import { describe, expect, it, jest } from '@jest/globals'
import * as fs from 'node:fs'
import {
  configurationError,
  mockCore,
  useTempWorkspace
} from '@shipyard/action-kit/testing'

const core = mockCore()
const { inputs, log } = core
jest.unstable_mockModule('@actions/core', () => core)

const { ConfigurationError } = await import('@shipyard/action-kit')
const { getInputs } = await import('../src/input-helper.js')
const { main } = await import('../src/main.js')

const ws = useTempWorkspace('docker-publish-', () => {
  core.reset()
  ws.write('Dockerfile', 'FROM scratch\n')
  inputs['image'] = 'alice/app'
})
const { write, at } = ws
const failure = (): Error => configurationError(getInputs)

const PASSWORD = 'dckr_pat_s3cret-Value'

describe('getInputs', () => {
  it('applies every default to a minimal image name', () => {
    expect(getInputs()).toEqual({
      workspace: ws.dir,
      image: 'docker.io/alice/app',
      registry: 'docker.io',
      repository: 'alice/app',
      username: undefined,
      password: undefined,
      engine: 'auto',
      context: ws.dir,
      file: at('Dockerfile'),
      buildArgs: {},
      secrets: {},
      secretFiles: {},
      target: undefined,
      platforms: [],
      labels: {},
      tags: [],
      push: 'auto',
      smokeTest: {
        envFile: undefined,
        env: {},
        port: undefined,
        path: undefined,
        timeoutMs: 120_000
      },
      cache: 'gha',
      provenance: false,
      sbom: false,
      dockerhubDescription: undefined,
      dockerhubApiUrl: new URL('https://hub.docker.com')
    })
  })

  it('requires image first', () => {
    delete inputs['image']
    expect(failure().message).toMatch(
      /^Input required and not supplied: 'image'\. Accepted: a lowercase image name/
    )
  })

  it.each([
    ['docker.io/alice/app', 'docker.io', 'alice/app'],
    ['index.docker.io/alice/app', 'docker.io', 'alice/app'],
    ['localhost:5000/team/app', 'localhost:5000', 'team/app'],
    ['127.0.0.1:5000/app', '127.0.0.1:5000', 'app'],
    ['ghcr.io/alice/my_app.web-2', 'ghcr.io', 'alice/my_app.web-2'],
    ['alice/a__b--c', 'docker.io', 'alice/a__b--c']
  ])(
    'reads image %j as registry %j and repository %j',
    (image, registry, repository) => {
      inputs['image'] = image
      expect(getInputs()).toMatchObject({
        image: `${registry}/${repository}`,
        registry,
        repository
      })
    }
  )

  it.each([
    ['Alice/App', 'uppercase letters; did you mean "alice/app"?'],
    ['alice/app:1.0', 'tags go in `tags`'],
    ['alice/app@sha256:abc', 'a digest is not accepted'],
    ['alice/my app', undefined],
    ['alice/-app', undefined],
    ['alice//app', undefined],
    ['bad_host.io:99999/app', 'invalid registry host'],
    [`alice/${'a'.repeat(250)}`, 'longer than 255']
  ])('refuses image %j', (image, reason) => {
    inputs['image'] = image
    const why = reason ? ` (${reason})` : ''
    expect(failure().message).toBe(
      `Invalid value for input 'image': ${JSON.stringify(image)}${why}. Accepted: a lowercase image name without tag or digest, \`[host[:port]/]path\` as the distribution reference grammar allows (e.g. \`alice/app\`, \`docker.io/alice/app\`, \`localhost:5000/app\`).`
    )
  })

  it('puts an image without host in the given registry, and refuses a conflicting one', () => {
    inputs['registry'] = 'localhost:5000'
    expect(getInputs().image).toBe('localhost:5000/alice/app')
    inputs['image'] = 'ghcr.io/alice/app'
    expect(failure().message).toBe(
      `Invalid value for input 'registry': "localhost:5000" (image "ghcr.io/alice/app" names another registry). Accepted: the registry named in image (ghcr.io), or empty.`
    )
    inputs['registry'] = 'https://ghcr.io/'
    expect(failure().message).toContain(
      `'registry': "https://ghcr.io/". Accepted: a registry \`host[:port]\``
    )
  })

  it.each([
    ['tags', 'v1 beta', '1 to 128 letters, digits'],
    ['tags', '.hidden', '1 to 128 letters, digits'],
    ['push', 'maybe', 'one of `auto`, `true`, `false`'],
    ['engine', 'nerdctl', 'one of `auto`, `docker`, `podman`'],
    ['cache', 's3', 'one of `gha`, `registry`, `none`'],
    ['smoke-timeout', '-5s', 'a duration such as'],
    ['smoke-timeout', '45m', 'a duration at least 1s and at most 30m'],
    ['smoke-port', '0', 'a whole number, from 1 to 65535'],
    ['smoke-port', '70000', 'a whole number, from 1 to 65535'],
    ['smoke-path', 'health', 'a URL path starting with `/`'],
    ['smoke-test', 'yes', '`true` or `false`'],
    ['provenance', 'maybe', '`true` or `false`'],
    ['platforms', 'linux', '`os/arch` or `os/arch/variant`'],
    ['target', '1st', 'a build stage name'],
    [
      'dockerhub-api-url',
      'http://hub.example.com',
      'an absolute URL with scheme https:// (http:// only to 127.0.0.1, localhost or [::1])'
    ],
    ['context', 'missing', 'an existing directory'],
    ['context', '../up', 'an existing directory'],
    ['file', 'Nope.Dockerfile', 'an existing file'],
    ['smoke-env-file', '/etc/passwd', 'an existing file']
  ])(
    'refuses %s %j, naming it and what is accepted',
    (name, value, accepted) => {
      inputs[name] = value
      const { message } = failure()
      expect(message).toContain(`input '${name}': ${JSON.stringify(value)}`)
      expect(message).toContain(`Accepted: ${accepted}`)
    }
  )

  it('takes explicit values', () => {
    write('docker/prod.Dockerfile')
    write('smoke.env', 'DEBUG=0\n')
    write('README.md', '# app\n')
    Object.assign(inputs, {
      engine: 'docker',
      context: 'docker',
      file: 'docker/prod.Dockerfile',
      'build-args': 'BASE_IMAGE=python:3.12-slim\nVERSION=1.2.3',
      target: 'runtime',
      platforms: 'linux/amd64, linux/arm64/v8',
      labels: 'org.opencontainers.image.vendor=ACME\ncom.example.team = web',
      tags: 'stable\nv1.2.3, stable',
      push: 'false',
      'smoke-env-file': 'smoke.env',
      'smoke-port': '8080',
      'smoke-path': '/health?full=1',
      'smoke-timeout': '90s',
      cache: 'registry',
      provenance: 'true',
      sbom: 'true',
      'dockerhub-description': 'README.md',
      'dockerhub-api-url': 'http://127.0.0.1:8123'
    })
    expect(getInputs()).toMatchObject({
      engine: 'docker',
      context: at('docker'),
      file: at('docker/prod.Dockerfile'),
      buildArgs: { BASE_IMAGE: 'python:3.12-slim', VERSION: '1.2.3' },
      target: 'runtime',
      platforms: ['linux/amd64', 'linux/arm64/v8'],
      labels: {
        'org.opencontainers.image.vendor': 'ACME',
        'com.example.team': 'web'
      },
      tags: ['stable', 'v1.2.3'],
      push: false,
      smokeTest: {
        envFile: at('smoke.env'),
        port: 8080,
        path: '/health?full=1',
        timeoutMs: 90_000
      },
      cache: 'registry',
      provenance: true,
      sbom: true,
      dockerhubDescription: at('README.md'),
      dockerhubApiUrl: new URL('http://127.0.0.1:8123')
    })
  })

  it('finds a Containerfile, and names file when the context has no Dockerfile', () => {
    fs.rmSync(at('Dockerfile'))
    write('Containerfile')
    expect(getInputs().file).toBe(at('Containerfile'))
    fs.rmSync(at('Containerfile'))
    expect(failure().message).toBe(
      `Input required and not supplied: 'file' (neither Dockerfile nor Containerfile is in the context "."). Accepted: a Dockerfile path relative to the workspace.`
    )
  })

  it('reads build secrets masked, and secret files that exist', () => {
    const cert = write('certs/ca.pem', 'PEM')
    Object.assign(inputs, {
      secrets: 'npm_token=s3cret-Token-value',
      'secret-files': `pip_cert=certs/ca.pem\nabsolute=${cert}`
    })
    const parsed = getInputs()
    expect(parsed.secrets).toEqual({ npm_token: 's3cret-Token-value' })
    expect(parsed.secretFiles).toEqual({ pip_cert: cert, absolute: cert })
    expect(core.setSecret).toHaveBeenCalledWith('s3cret-Token-value')
    expect(log.join('\n')).not.toContain('s3cret-Token-value')
    inputs['secret-files'] = 'pip_cert=certs/missing.pem'
    expect(failure().message).toBe(
      `Invalid value for input 'secret-files': "pip_cert=certs/missing.pem". Accepted: id=path lines, each path an existing file (absolute, or relative to the workspace).`
    )
    inputs['secret-files'] = 'npm_token=certs/ca.pem'
    expect(failure().message).toContain(
      `Invalid value for input 'secret-files': "npm_token" (npm_token is in secrets too)`
    )
  })

  it('refuses a malformed label line', () => {
    inputs['labels'] = 'org.example.ok=1\n=nokey'
    expect(failure().message).toContain(
      `Invalid value for input 'labels' on line 2: "=nokey". Accepted: KEY=VALUE lines, the key made of letters, digits, \`.\`, \`-\` and \`_\``
    )
  })

  it('masks the password and smoke-env values, and keeps them out of the debug log', () => {
    Object.assign(inputs, {
      username: 'alice',
      password: PASSWORD,
      'smoke-env': 'SECRET_KEY=smoke-s3cret-key'
    })
    const parsed = getInputs()
    expect(parsed.password).toBe(PASSWORD)
    expect(parsed.smokeTest?.env).toEqual({ SECRET_KEY: 'smoke-s3cret-key' })
    expect(core.setSecret).toHaveBeenCalledWith(PASSWORD)
    expect(core.setSecret).toHaveBeenCalledWith('smoke-s3cret-key')
    const debug = log.join('\n')
    expect(debug).toContain('docker-publish inputs')
    expect(debug).toContain('SECRET_KEY')
    expect(debug).not.toContain(PASSWORD)
    expect(debug).not.toContain('smoke-s3cret-key')
  })

  it('needs username and password when push is true', () => {
    inputs['push'] = 'true'
    expect(failure().message).toBe(
      `Input required and not supplied: 'username' (push is true). Accepted: the registry credentials, or push: auto to skip the push when they are empty.`
    )
    inputs['username'] = 'alice'
    expect(failure().message).toContain(
      `Input required and not supplied: 'password' (push is true)`
    )
    inputs['password'] = PASSWORD
    expect(getInputs().push).toBe(true)
  })

  it('accepts a username without password (a fork PR), but not a password without username', () => {
    inputs['username'] = 'alice'
    expect(getInputs()).toMatchObject({ username: 'alice', push: 'auto' })
    delete inputs['username']
    inputs['password'] = PASSWORD
    const { message } = failure()
    expect(message).toContain(
      `Input required and not supplied: 'username' (password is set)`
    )
    expect(message).not.toContain(PASSWORD)
  })

  it.each([
    ['smoke-port', '8000'],
    ['smoke-path', '/health'],
    ['smoke-timeout', '10s'],
    ['smoke-env-file', 'smoke.env']
  ])('refuses %s when smoke-test is false', (name, value) => {
    write('smoke.env')
    inputs['smoke-test'] = 'false'
    inputs[name] = value
    expect(failure().message).toBe(
      `Invalid value for input '${name}': ${JSON.stringify(value)} (smoke-test is false). Accepted: ${name} only with smoke-test: true.`
    )
    delete inputs[name]
    expect(getInputs().smokeTest).toBeUndefined()
  })

  it('refuses smoke-env without smoke-test, without showing the values', () => {
    inputs['smoke-test'] = 'false'
    inputs['smoke-env'] = 'SECRET_KEY=smoke-s3cret-key'
    const { message } = failure()
    expect(message).toContain(`'smoke-env'`)
    expect(message).not.toContain('smoke-s3cret-key')
  })

  it('refuses platforms with podman and a Docker Hub description elsewhere', () => {
    write('README.md')
    Object.assign(inputs, { engine: 'podman', platforms: 'linux/arm64' })
    expect(failure().message).toBe(
      `Invalid value for input 'platforms': "linux/arm64" (engine is podman). Accepted: platforms only with engine docker (buildx) or auto.`
    )
    Object.assign(inputs, {
      engine: 'auto',
      image: 'ghcr.io/alice/app',
      'dockerhub-description': 'README.md'
    })
    expect(failure().message).toBe(
      `Invalid value for input 'dockerhub-description': "README.md" (the registry is ghcr.io). Accepted: dockerhub-description only with the docker.io registry, or with a dockerhub-api-url that serves this registry.`
    )
  })
})

describe('main', () => {
  it('validates the inputs, then fails clearly when no engine works, before building', async () => {
    inputs['password'] = PASSWORD
    inputs['username'] = 'alice'
    process.env['GITHUB_SHA'] = '0123456789abcdef0123456789abcdef01234567'
    process.env['GITHUB_REF'] = 'refs/heads/main'
    const calls: string[][] = []
    const fail = (command: string, args: readonly string[]) => {
      calls.push([command, ...args])
      return Promise.resolve({ exitCode: 1, stdout: '', stderr: 'no engine' })
    }
    await expect(main(fail)).rejects.toThrow(ConfigurationError)
    await expect(main(fail)).rejects.toThrow(
      /^No container engine works here: /
    )
    expect(
      calls.some((c) => c.includes('build') && !c.includes('--help'))
    ).toBe(false)
    expect(calls.some((c) => c.includes('login'))).toBe(false)
    expect(log.join('\n')).not.toContain(PASSWORD)
  })

  it('fails on invalid inputs before anything else', async () => {
    inputs['image'] = 'Alice/App'
    await expect(main()).rejects.toBeInstanceOf(ConfigurationError)
  })
})
