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
const { getPython, ConfigurationError } = await import('../src/index.js')

let workspace: string
const savedLocation = process.env['pythonLocation']

beforeEach(() => {
  core.reset()
  workspace = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'kit-py-')))
  delete process.env['pythonLocation']
})
afterEach(() => {
  fs.rmSync(workspace, { recursive: true, force: true })
  if (savedLocation === undefined) delete process.env['pythonLocation']
  else process.env['pythonLocation'] = savedLocation
})

describe('getPython', () => {
  it('defaults to the setup-python interpreter, else python3 on PATH', () => {
    expect(getPython('python', { workspace })).toEqual({
      kind: 'interpreter',
      path: 'python3'
    })
    const location = path.join(workspace, 'hostedtoolcache', 'Python')
    process.env['pythonLocation'] = location
    expect(getPython('python', { workspace })).toEqual({
      kind: 'interpreter',
      path:
        process.platform === 'win32'
          ? path.join(location, 'python.exe')
          : path.join(location, 'bin', 'python')
    })
  })

  it.each([
    ['3', { kind: 'version', version: '3' }],
    ['3.13', { kind: 'version', version: '3.13' }],
    ['pypy3', { kind: 'interpreter', path: 'pypy3' }]
  ])('reads %j', (value, expected) => {
    core.setInputs({ python: value })
    expect(getPython('python', { workspace })).toEqual(expected)
  })

  it('resolves a relative interpreter path against the workspace', () => {
    fs.mkdirSync(path.join(workspace, 'venv', 'bin'), { recursive: true })
    fs.writeFileSync(path.join(workspace, 'venv', 'bin', 'python'), '')
    core.setInputs({ python: 'venv/bin/python' })
    expect(getPython('python', { workspace })).toEqual({
      kind: 'interpreter',
      path: path.join(workspace, 'venv', 'bin', 'python')
    })
    core.setInputs({ python: 'venv/bin/python4' })
    expect(() => getPython('python', { workspace })).toThrow(ConfigurationError)
    expect(() => getPython('python', { workspace })).toThrow(
      'Invalid value for input \'python\': "venv/bin/python4" (no such file). Accepted: a Python 3 version found on PATH (`3.12` runs `python3.12`), or an interpreter path or command.'
    )
  })

  it('refuses a version that is not Python 3 or names a patch release', () => {
    for (const value of ['2.7', '3.12.1']) {
      core.setInputs({ python: value })
      expect(() => getPython('python', { workspace })).toThrow(
        `'python': ${JSON.stringify(value)}. Accepted: a Python 3 version`
      )
    }
  })
})
