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

const ws = useTempWorkspace('sphinx-docs-', () => {
  delete process.env['pythonLocation']
  core.reset()
})
const { write, at } = ws
const failure = (): Error => configurationError(getInputs)

const TOKEN = 'rtd-s3cret-token-0123'
describe('getInputs', () => {
  it('applies every default to a project with docs/conf.py and sphinx_src', () => {
    write('docs/conf.py')
    fs.mkdirSync(at('sphinx_src'))
    expect(getInputs()).toEqual({
      workspace: ws.dir,
      docsDir: at('docs'),
      bootstrap: false,
      sourceDir: at('sphinx_src'),
      apidocOutput: at('docs/api'),
      apidocExclude: [
        '*/migrations/*',
        '*/tests/*',
        '*/tests.py',
        '*/test_*.py',
        '*/settings.py',
        '*/settings/*'
      ],
      apidocOptions: [],
      builder: 'html',
      warningsAsErrors: true,
      nitpicky: false,
      linkcheck: 'off',
      requirements: [],
      djangoSettings: undefined,
      python: { kind: 'interpreter', path: 'python3' },
      readTheDocs: undefined
    })
  })

  it('finds conf.py in docs/source or doc/, and leaves the sources to the build without sphinx_src', () => {
    write('doc/conf.py')
    write('docs/source/conf.py')
    expect(getInputs()).toMatchObject({
      docsDir: at('docs/source'),
      apidocOutput: at('docs/source/api'),
      sourceDir: undefined
    })
    fs.rmSync(at('docs'), { recursive: true })
    expect(getInputs().docsDir).toBe(at('doc'))
  })

  it('asks for docs-dir when no conf.py is found, unless bootstrap is on', () => {
    expect(failure().message).toBe(
      `Input required and not supplied: 'docs-dir' (no conf.py in docs, docs/source, doc, doc/source). Accepted: a directory holding conf.py, relative to the workspace (any directory with bootstrap: true), or bootstrap: true to generate one in docs.`
    )
    inputs['bootstrap'] = 'true'
    expect(getInputs()).toMatchObject({ docsDir: at('docs'), bootstrap: true })
    inputs['docs-dir'] = 'handbook'
    expect(getInputs().docsDir).toBe(at('handbook'))
  })

  it.each([
    ['/srv/docs', 'an absolute path'],
    ['../docs', 'outside the workspace'],
    ['empty', 'no conf.py there'],
    ['README.md', 'not a directory']
  ])('refuses docs-dir %j (%s)', (value, reason) => {
    fs.mkdirSync(at('empty'))
    write('README.md')
    inputs['docs-dir'] = value
    expect(failure().message).toBe(
      `Invalid value for input 'docs-dir': ${JSON.stringify(value)} (${reason}). Accepted: a directory holding conf.py, relative to the workspace (any directory with bootstrap: true).`
    )
  })

  it('keeps apidoc-output inside docs-dir', () => {
    write('docs/conf.py')
    inputs['apidoc-output'] = 'docs/reference/api'
    expect(getInputs().apidocOutput).toBe(at('docs/reference/api'))
    inputs['apidoc-output'] = 'api'
    expect(failure().message).toBe(
      `Invalid value for input 'apidoc-output': "api" (docs-dir is "docs"). Accepted: a directory inside docs-dir (Sphinx reads only its source directory), relative to the workspace.`
    )
  })

  it('takes explicit values', () => {
    write('docs/conf.py')
    write('docs/requirements.txt')
    fs.mkdirSync(at('src/mysite'), { recursive: true })
    Object.assign(inputs, {
      'source-dir': 'src',
      'apidoc-exclude': '*/admin.py\n*/apps.py',
      'apidoc-options': '--separate, --module-first\n--maxdepth=2',
      builder: 'dirhtml',
      'warnings-as-errors': 'false',
      nitpicky: 'true',
      linkcheck: 'strict',
      requirements: 'docs/requirements.txt',
      'django-settings': 'mysite.settings',
      python: '3.12'
    })
    expect(getInputs()).toMatchObject({
      sourceDir: at('src'),
      apidocExclude: ['*/admin.py', '*/apps.py'],
      apidocOptions: ['--separate', '--module-first', '--maxdepth=2'],
      builder: 'dirhtml',
      warningsAsErrors: false,
      nitpicky: true,
      linkcheck: 'fail',
      requirements: [at('docs/requirements.txt')],
      djangoSettings: 'mysite.settings',
      python: { kind: 'version', version: '3.12' }
    })
    inputs['linkcheck'] = 'true'
    expect(getInputs().linkcheck).toBe('report')
  })

  it.each([
    ['builder', 'pdf', 'one of `html`, `dirhtml`, `singlehtml`'],
    ['builder', 'linkcheck', 'one of `html`, `dirhtml`'],
    ['linkcheck', 'yes', 'one of `false`, `true`, `strict`'],
    ['warnings-as-errors', 'on', '`true` or `false`'],
    ['nitpicky', '1', '`true` or `false`'],
    ['bootstrap', 'auto', '`true` or `false`'],
    ['rtd-wait', 'never', '`true` or `false`'],
    ['rtd-timeout', 'soon', 'a duration such as'],
    ['rtd-timeout', '5s', 'a duration at least 10s and at most 3h'],
    ['rtd-project', 'My Project', 'a Read the Docs project slug'],
    ['rtd-version', 'Latest', 'a Read the Docs version slug'],
    ['rtd-api-url', 'ftp://readthedocs.org', 'an absolute URL with scheme'],
    [
      'rtd-api-url',
      'http://rtd.example.com/api/v3/',
      'an absolute URL with scheme https:// (http:// only to 127.0.0.1, localhost or [::1])'
    ],
    ['django-settings', 'mysite/settings.py', 'a dotted Python module path'],
    ['source-dir', 'nowhere', 'an existing directory'],
    ['requirements', 'docs/missing.txt', 'existing files'],
    ['apidoc-exclude', '../secrets/*', 'fnmatch patterns relative'],
    ['apidoc-options', '--maxdepth 2', 'sphinx-apidoc options, each'],
    ['apidoc-options', '--output-dir=out', 'options other than the output'],
    ['python', '3.12.1', 'a Python 3 version found on PATH']
  ])(
    'refuses %s %j, naming it and what is accepted',
    (name, value, accepted) => {
      write('docs/conf.py')
      inputs[name] = value
      const { message } = failure()
      expect(message).toContain(`input '${name}': ${JSON.stringify(value)}`)
      expect(message).toContain(`Accepted: ${accepted}`)
    }
  )

  it('needs rtd-token with rtd-project, masks it and keeps it out of the debug log', () => {
    write('docs/conf.py')
    inputs['rtd-project'] = 'shipyard'
    expect(failure().message).toBe(
      `Input required and not supplied: 'rtd-token' (rtd-project is set). Accepted: a Read the Docs API token (Account settings → API tokens).`
    )
    Object.assign(inputs, {
      'rtd-token': TOKEN,
      'rtd-version': 'stable',
      'rtd-api-url': 'http://127.0.0.1:8124/api/v3/',
      'rtd-wait': 'false',
      'rtd-timeout': '45m'
    })
    expect(getInputs().readTheDocs).toEqual({
      project: 'shipyard',
      token: TOKEN,
      version: 'stable',
      apiUrl: new URL('http://127.0.0.1:8124/api/v3/'),
      wait: false,
      timeoutMs: 45 * 60_000
    })
    expect(core.setSecret).toHaveBeenCalledWith(TOKEN)
    const debug = log.filter((line) => line.startsWith('debug:')).join('\n')
    expect(debug).toContain('"project":"shipyard"')
    expect(debug).not.toContain(TOKEN)
  })

  it('warns when rtd-token comes without rtd-project, and does not call Read the Docs', () => {
    write('docs/conf.py')
    inputs['rtd-token'] = TOKEN
    expect(getInputs().readTheDocs).toBeUndefined()
    expect(core.warning).toHaveBeenCalledWith(
      "Input 'rtd-token' is set but 'rtd-project' is empty: Read the Docs will not be called."
    )
    expect(core.setSecret).toHaveBeenCalledWith(TOKEN)
  })
})

describe('main', () => {
  it('names an interpreter that is not on PATH as a configuration mistake', async () => {
    write('docs/conf.py')
    inputs['python'] = '3.99'
    const error = await main().then(
      () => undefined,
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(ConfigurationError)
    expect((error as Error).message).toBe(
      "Python interpreter 'python3.99' was not found on PATH (input 'python'). Install it (actions/setup-python) or give an interpreter path."
    )
    expect(fs.existsSync(at('docs/_build'))).toBe(false)
  })

  it('fails on invalid inputs before anything else', async () => {
    await expect(main()).rejects.toBeInstanceOf(ConfigurationError)
  })
})
