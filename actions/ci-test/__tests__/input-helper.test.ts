import { describe, expect, it, jest } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
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

const ws = useTempWorkspace('ci-test-', () => {
  delete process.env['pythonLocation']
  core.reset()
})
const { write, at } = ws
const failure = (): Error => configurationError(getInputs)

describe('getInputs', () => {
  it('applies every default to a project with manage.py at the root', () => {
    write('manage.py')
    expect(getInputs()).toEqual({
      workspace: ws.dir,
      workingDirectory: ws.dir,
      djangoSettings: undefined,
      python: { kind: 'interpreter', path: 'python3' },
      requirements: [],
      installer: 'auto',
      lint: 'flake8',
      testRunner: 'auto',
      env: {},
      coverageThreshold: 80,
      deployCheck: true,
      migrationsCheck: true
    })
  })

  it('finds manage.py in a subfolder, skipping virtualenvs, node_modules and hidden folders', () => {
    write('backend/manage.py')
    write('venv/pyvenv.cfg')
    write('venv/lib/django/manage.py')
    write('node_modules/pkg/manage.py')
    write('.tox/py/manage.py')
    expect(getInputs().workingDirectory).toBe(at('backend'))
  })

  it('asks for working-directory when no manage.py is found', () => {
    write('README.md')
    const { message } = failure()
    expect(message).toContain(
      "Input required and not supplied: 'working-directory'"
    )
    expect(message).toContain('(no manage.py was found')
  })

  it('asks for working-directory when several projects are found', () => {
    write('one/manage.py')
    write('two/manage.py')
    const { message } = failure()
    expect(message).toContain("'working-directory'")
    expect(message).toContain('several Django projects (one, two)')
  })

  it('takes an explicit working-directory that holds manage.py', () => {
    write('one/manage.py')
    write('two/manage.py')
    inputs['working-directory'] = 'two'
    expect(getInputs().workingDirectory).toBe(at('two'))
  })

  it.each([
    ['/etc', 'an absolute path'],
    ['../elsewhere', 'outside the workspace'],
    ['missing', 'no such directory'],
    ['empty', 'it holds no manage.py']
  ])('refuses working-directory %j (%s)', (value, reason) => {
    fs.mkdirSync(at('empty'))
    inputs['working-directory'] = value
    const { message } = failure()
    expect(message).toBe(
      `Invalid value for input 'working-directory': ${JSON.stringify(value)} (${reason}). Accepted: a directory holding manage.py, relative to the workspace.`
    )
  })

  it('refuses a working-directory that links out of the workspace', () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-outside-'))
    fs.writeFileSync(path.join(outside, 'manage.py'), '')
    fs.symlinkSync(outside, at('link'))
    inputs['working-directory'] = 'link'
    try {
      expect(failure().message).toContain('a link out of the workspace')
    } finally {
      fs.rmSync(outside, { recursive: true, force: true })
    }
  })

  it('reads python as a version, a command or a path; defaults to setup-python', () => {
    write('manage.py')
    process.env['pythonLocation'] = '/opt/python/3.12'
    expect(getInputs().python).toEqual({
      kind: 'interpreter',
      path: path.join('/opt/python/3.12', 'bin', 'python')
    })
    inputs['python'] = '3.12'
    expect(getInputs().python).toEqual({ kind: 'version', version: '3.12' })
    inputs['python'] = 'python3.11'
    expect(getInputs().python).toEqual({
      kind: 'interpreter',
      path: 'python3.11'
    })
    write('.venv/bin/python')
    inputs['python'] = '.venv/bin/python'
    expect(getInputs().python).toEqual({
      kind: 'interpreter',
      path: at('.venv/bin/python')
    })
  })

  it.each(['2.7', '3.12.1', 'bin/python9'])('refuses python %j', (value) => {
    write('manage.py')
    inputs['python'] = value
    const { message } = failure()
    expect(message).toContain(`input 'python': ${JSON.stringify(value)}`)
    expect(message).toContain('Accepted: a Python 3 version found on PATH')
  })

  it('resolves requirements against working-directory and checks them', () => {
    write('app/manage.py')
    write('app/requirements-dev.txt')
    write('app/pyproject.toml')
    inputs['requirements'] = 'requirements-dev.txt\npyproject.toml'
    expect(getInputs().requirements).toEqual([
      at('app/requirements-dev.txt'),
      at('app/pyproject.toml')
    ])
    inputs['requirements'] = 'nope.txt'
    expect(failure().message).toBe(
      `Invalid value for input 'requirements': "nope.txt" (no such file). Accepted: files named *.txt, pyproject.toml or Pipfile, relative to working-directory and inside the workspace.`
    )
    inputs['requirements'] = 'setup.py'
    expect(failure().message).toContain(`'requirements': "setup.py". Accepted`)
    inputs['requirements'] = '../../x.txt'
    expect(failure().message).toContain('(outside the workspace)')
  })

  it.each([
    ['installer', 'conda', 'one of `auto`, `pip`, `uv`'],
    ['lint', 'ruff', 'one of `flake8`, `none`'],
    ['test-runner', 'nose', 'one of `auto`, `pytest`, `django`'],
    ['coverage-threshold', '120', 'a number, from 0 to 100'],
    ['coverage-threshold', '-1', 'a number, from 0 to 100'],
    ['coverage-threshold', '80%', 'a number, from 0 to 100'],
    ['deploy-check', 'yes', '`true` or `false`'],
    ['migrations-check', 'off', '`true` or `false`'],
    [
      'django-settings',
      'my-site.settings',
      'a dotted Python module path such as `mysite.settings`'
    ]
  ])('refuses %s %j, saying what is accepted', (name, value, accepted) => {
    write('manage.py')
    inputs[name] = value
    expect(failure().message).toBe(
      `Invalid value for input '${name}': ${JSON.stringify(value)}. Accepted: ${accepted}.`
    )
  })

  it('takes explicit values', () => {
    write('manage.py')
    Object.assign(inputs, {
      'django-settings': 'mysite.settings.production',
      installer: 'uv',
      lint: 'none',
      'test-runner': 'django',
      'coverage-threshold': '92.5',
      'deploy-check': 'false',
      'migrations-check': 'FALSE'
    })
    expect(getInputs()).toMatchObject({
      djangoSettings: 'mysite.settings.production',
      installer: 'uv',
      lint: 'none',
      testRunner: 'django',
      coverageThreshold: 92.5,
      deployCheck: false,
      migrationsCheck: false
    })
  })

  it('reads cache-dir relative to the workspace, or absolute', () => {
    write('manage.py')
    inputs['cache-dir'] = '.cache/ci'
    expect(getInputs().cacheDir).toBe(at('.cache/ci'))
    inputs['cache-dir'] = '/var/cache/shipyard'
    expect(getInputs().cacheDir).toBe('/var/cache/shipyard')
    inputs['cache-dir'] = 'a\nb'
    expect(failure().message).toBe(
      `Invalid value for input 'cache-dir': "a\\nb". Accepted: one directory path.`
    )
  })

  it('masks env values and keeps them out of the debug log', () => {
    write('manage.py')
    inputs['env'] = 'SECRET_KEY=s3cret-value-1\nDATABASE_URL=sqlite:///x.db'
    expect(getInputs().env).toEqual({
      SECRET_KEY: 's3cret-value-1',
      DATABASE_URL: 'sqlite:///x.db'
    })
    expect(core.setSecret).toHaveBeenCalledWith('s3cret-value-1')
    expect(core.setSecret).toHaveBeenCalledWith('sqlite:///x.db')
    const debug = log.filter((line) => line.startsWith('debug:')).join('\n')
    expect(debug).toContain('SECRET_KEY')
    expect(debug).not.toContain('s3cret-value-1')
  })

  it('refuses a malformed env line without showing the secret', () => {
    write('manage.py')
    inputs['env'] = 'SECRET_KEY=s3cret-value-1\n1BAD=s3cret-value-2'
    const { message } = failure()
    expect(message).toContain("input 'env' on line 2")
    expect(message).toContain('Accepted: KEY=VALUE lines')
    expect(message).not.toContain('s3cret-value')
    expect(core.setSecret).toHaveBeenCalledWith('s3cret-value-2')
  })
})

describe('main', () => {
  it('fails on invalid inputs before anything else', async () => {
    await expect(main()).rejects.toBeInstanceOf(ConfigurationError)
    expect(log.join('\n')).not.toContain('Python environment')
  })
})
