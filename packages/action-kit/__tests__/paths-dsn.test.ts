import {
  afterEach,
  beforeEach,
  describe,
  expect,
  it,
  jest
} from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { mockCore } from '../testing/core-mock.js'

const core = mockCore()
jest.unstable_mockModule('@actions/core', () => core)
const kit = await import('../src/index.js')

let workspace: string
const saved = process.env['GITHUB_WORKSPACE']

beforeEach(() => {
  workspace = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'kit-ws-')))
  process.env['GITHUB_WORKSPACE'] = workspace
  fs.mkdirSync(path.join(workspace, 'docs'))
  fs.writeFileSync(path.join(workspace, 'docs', 'conf.py'), '')
  for (const key of Object.keys(core.inputs)) delete core.inputs[key]
  core.secrets.length = 0
})
afterEach(() => {
  fs.rmSync(workspace, { recursive: true, force: true })
  if (saved === undefined) delete process.env['GITHUB_WORKSPACE']
  else process.env['GITHUB_WORKSPACE'] = saved
})

describe('resolveWorkspacePath', () => {
  it('resolves relative paths inside the workspace, checking their kind', () => {
    expect(kit.workspaceRoot()).toBe(workspace)
    expect(
      kit.resolveWorkspacePath('docs-dir', 'docs', { mustBe: 'directory' })
    ).toBe(path.join(workspace, 'docs'))
    expect(
      kit.resolveWorkspacePath('conf', 'conf.py', {
        base: path.join(workspace, 'docs'),
        mustBe: 'file'
      })
    ).toBe(path.join(workspace, 'docs', 'conf.py'))
  })

  it.each([
    ['/etc', 'an absolute path'],
    ['../outside', 'outside the workspace'],
    ['docs/../../x', 'outside the workspace'],
    ['missing', 'no such directory']
  ])('refuses %j (%s)', (value, reason) => {
    expect(() =>
      kit.resolveWorkspacePath('docs-dir', value, { mustBe: 'directory' })
    ).toThrow(
      `Invalid value for input 'docs-dir': ${JSON.stringify(value)} (${reason}). Accepted: an existing directory, relative to the workspace.`
    )
  })

  it('refuses a link that leads out of the workspace', () => {
    fs.symlinkSync(os.tmpdir(), path.join(workspace, 'escape'))
    expect(() => kit.resolveWorkspacePath('context', 'escape')).toThrow(
      'a link out of the workspace'
    )
  })

  it('says the file is missing', () => {
    expect(() =>
      kit.resolveWorkspacePath('file', 'docs/Dockerfile', { mustBe: 'file' })
    ).toThrow('no such file')
  })
})

describe('parseDsn', () => {
  const key = '0123456789abcdef0123456789abcdef'

  it('reads every part and masks the keys', () => {
    const dsn = kit.parseDsn(
      'dsn',
      `https://${key}:oldsecret@o1.ingest.sentry.io/sub/42`
    )
    expect(dsn).toMatchObject({
      protocol: 'https',
      publicKey: key,
      secretKey: 'oldsecret',
      host: 'o1.ingest.sentry.io',
      path: '/sub',
      projectId: '42'
    })
    expect(dsn.envelopeUrl.href).toBe(
      'https://o1.ingest.sentry.io/sub/api/42/envelope/'
    )
    expect(core.secrets).toEqual(expect.arrayContaining([key, 'oldsecret']))
  })

  it('accepts http to a local stand-in only', () => {
    expect(
      kit.parseDsn('dsn', `http://${key}@127.0.0.1:9000/7`).projectId
    ).toBe('7')
    expect(() =>
      kit.parseDsn('dsn', `http://${key}@sentry.example.com/7`)
    ).toThrow('uses http:// to a host other than')
  })

  it.each([
    ['not a url', 'is not a URL'],
    [`ftp://${key}@h/1`, 'has the scheme ftp://'],
    ['https://h.example/1', 'has no public key'],
    ['https://abc@h.example/1', 'not 32 hexadecimal digits'],
    [
      `https://${key}@h.example/project`,
      'does not end with a numeric project id'
    ],
    [`https://${key}@h.example/1?x=1`, 'has a query or a fragment']
  ])('refuses %j without showing its keys', (value, problem) => {
    let message = ''
    try {
      kit.parseDsn('dsn', value)
    } catch (error) {
      expect(error).toBeInstanceOf(kit.ConfigurationError)
      message = (error as Error).message
    }
    expect(message).toContain(problem)
    expect(message).toContain("input 'dsn'")
    expect(message).not.toContain(key)
    expect(message).not.toContain('abc@')
  })
})

describe('kit options added for the actions', () => {
  it('getUrl accepts http only to loopback with httpLoopback', () => {
    core.inputs['api'] = 'http://127.0.0.1:8080/v1'
    expect(kit.getUrl('api', { httpLoopback: true })?.port).toBe('8080')
    core.inputs['api'] = 'http://api.render.com/v1'
    expect(() => kit.getUrl('api', { httpLoopback: true })).toThrow(
      '(http:// only to 127.0.0.1, localhost or [::1])'
    )
    expect(() => kit.getUrl('api')).toThrow(kit.ConfigurationError)
  })

  it('getKeyValues takes a key pattern (Docker labels have dots)', () => {
    core.inputs['labels'] = 'org.opencontainers.image.title=app'
    expect(
      kit.getKeyValues('labels', {
        keyPattern: /^[a-z0-9][a-z0-9.-]*$/,
        keyAccepted: 'a label key'
      })
    ).toEqual({ 'org.opencontainers.image.title': 'app' })
    core.inputs['labels'] = 'Bad Key=1'
    expect(() =>
      kit.getKeyValues('labels', {
        keyPattern: /^[a-z.]+$/,
        keyAccepted: 'a label key'
      })
    ).toThrow('Accepted: KEY=VALUE lines, a label key.')
  })

  it('does not mask plainly harmless values of secret key=value lines', () => {
    core.inputs['env'] =
      'DEBUG=False\nHOST=localhost\nPORT=8000\nSECRET_KEY=s3cr3t-v4lue'
    kit.getKeyValues('env', { secret: true })
    expect(core.secrets).toContain('s3cr3t-v4lue')
    expect(core.secrets).not.toContain('False')
    expect(core.secrets).not.toContain('localhost')
    expect(kit.isTrivialValue('production')).toBe(true)
    expect(kit.isTrivialValue('hunter22')).toBe(false)
  })

  it('optional numbers and durations without default are undefined', () => {
    expect(kit.getInteger('port')).toBeUndefined()
    expect(kit.getNumber('ratio')).toBeUndefined()
    expect(kit.getDuration('timeout')).toBeUndefined()
    expect(() => kit.getInteger('port', { required: true })).toThrow("'port'")
    expect(kit.getInteger('port', { default: 8000 })).toBe(8000)
  })

  it('builds the shared error messages', () => {
    expect(
      kit.invalidInput('tag', 'a b', 'a tag', { reason: 'has a space' }).message
    ).toBe(
      'Invalid value for input \'tag\': "a b" (has a space). Accepted: a tag.'
    )
    expect(
      kit.invalidInput('token', 'x', 'a token', { secret: true }).message
    ).not.toContain('"x"')
    expect(
      kit.missingInput('image', 'an image name', 'push is true').message
    ).toBe(
      "Input required and not supplied: 'image' (push is true). Accepted: an image name."
    )
  })
})
