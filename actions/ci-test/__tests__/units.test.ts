/**
 * The pure parts of ci-test: requirement reading and translation, the cache
 * key, flake8 configuration and output, Django's check output, JUnit and
 * coverage reports, the coverage gate, the summary.
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { mockCore } from '@shipyard/action-kit/testing'

// The real @actions/core would print workflow commands (masks, annotations)
// into the test log.
const core = mockCore()
jest.unstable_mockModule('@actions/core', () => core)

const { Annotator } = await import('@shipyard/action-kit')
const {
  lineAssigning,
  parseCheckOutput,
  parseMakemigrations,
  productionEnvironment
} = await import('../src/django-checks.js')
const {
  flake8IniFromToml,
  iniSetsJobs,
  lintJobs,
  nativeFlake8Config,
  parseFlake8Output,
  runFlake8
} = await import('../src/lint.js')
const { configuresPytest, detectRequirementFiles, settingsFromManagePy } =
  await import('../src/project-finder.js')
const { pipHasPythonOption } = await import('../src/python-env.js')
const {
  decodeRequirementFile,
  encodingOf,
  environmentKey,
  pipfileRequirements,
  poetryConstraint,
  pyprojectRequirements,
  readRequirementFiles,
  requirementName
} = await import('../src/requirements.js')
const { bar, summaryMarkdown } = await import('../src/summary.js')
const { belowThreshold, parseCoverageJson, parseJunit } =
  await import('../src/tests.js')
import type { TestRunResult } from '../src/tests.js'

const dirs: string[] = []
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-test-unit-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true })
})

describe('requirement files', () => {
  const text = 'Django==5.2.19\n'
  it.each([
    ['UTF-8', Buffer.from(text)],
    [
      'UTF-8 with BOM',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])
    ],
    [
      'UTF-16 LE',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
    ],
    [
      'UTF-16 BE',
      Buffer.concat([
        Buffer.from([0xfe, 0xff]),
        Buffer.from(text, 'utf16le').swap16()
      ])
    ]
  ])('decodes %s as pip does', (encoding, bytes) => {
    expect(encodingOf(bytes)).toBe(encoding)
    expect(decodeRequirementFile(bytes)).toBe(text)
  })

  it('follows -r and -c includes, drops comments, options and continuations', () => {
    const dir = tempDir()
    fs.writeFileSync(path.join(dir, 'base.txt'), 'Django==5.2.19  # web\n')
    fs.writeFileSync(path.join(dir, 'constraints.txt'), 'sqlparse<1\n')
    fs.writeFileSync(
      path.join(dir, 'dev.txt'),
      Buffer.concat([
        Buffer.from([0xff, 0xfe]),
        Buffer.from(
          '-r base.txt\r\n-c constraints.txt\r\n# tools\r\npytest \\\r\n  ==9.2.0\r\n\r\n',
          'utf16le'
        )
      ])
    )
    const read = readRequirementFiles([path.join(dir, 'dev.txt')])
    expect(read.lines).toEqual([
      'Django==5.2.19',
      'sqlparse<1',
      'pytest   ==9.2.0'
    ])
    expect(read.files.map((f) => path.basename(f))).toEqual([
      'dev.txt',
      'base.txt',
      'constraints.txt'
    ])
  })

  it('names the distribution of a requirement line', () => {
    expect(requirementName('Pytest_Django>=4')).toBe('pytest-django')
    expect(requirementName('coverage[toml]==7.6')).toBe('coverage')
    expect(requirementName('--index-url https://x')).toBeUndefined()
  })

  it('detects requirements*.txt first, then a pyproject that declares dependencies, then a Pipfile', () => {
    const dir = tempDir()
    fs.writeFileSync(path.join(dir, 'Pipfile'), '')
    expect(detectRequirementFiles(dir, () => false)).toEqual([
      path.join(dir, 'Pipfile')
    ])
    fs.writeFileSync(path.join(dir, 'pyproject.toml'), '')
    expect(detectRequirementFiles(dir, () => true)).toEqual([
      path.join(dir, 'pyproject.toml')
    ])
    fs.writeFileSync(path.join(dir, 'requirements-dev.txt'), '')
    fs.writeFileSync(path.join(dir, 'requirements.txt'), '')
    expect(detectRequirementFiles(dir, () => true)).toEqual([
      path.join(dir, 'requirements-dev.txt'),
      path.join(dir, 'requirements.txt')
    ])
  })
})

describe('pyproject.toml and Pipfile', () => {
  it.each([
    ['^5.2', '>=5.2,<6'],
    ['^0.3.1', '>=0.3.1,<0.4'],
    ['~1.4.2', '>=1.4.2,<1.5'],
    ['~1', '>=1,<2'],
    ['5.2.19', '==5.2.19'],
    ['*', ''],
    ['>=2, <3', '>=2,<3'],
    ['~=1.4', '~=1.4'],
    ['1.2.*', '==1.2.*']
  ])('translates the Poetry constraint %j to %j', (poetry, pep440) => {
    expect(poetryConstraint(poetry)).toBe(pep440)
  })

  it('reads PEP 621, PEP 735 and Poetry dependencies, leaving python and local paths out', () => {
    expect(
      pyprojectRequirements({
        project: {
          dependencies: ['Django>=5.2'],
          'optional-dependencies': { test: ['pytest'] }
        },
        'dependency-groups': { dev: ['flake8'] },
        tool: {
          poetry: {
            dependencies: {
              python: '^3.11',
              whitenoise: { version: '^6.0', extras: ['brotli'] },
              mylib: { path: '../mylib' },
              extra: { version: '1.0', optional: true }
            },
            group: { dev: { dependencies: { coverage: '*' } } }
          }
        }
      })
    ).toEqual([
      'Django>=5.2',
      'pytest',
      'flake8',
      'whitenoise[brotli]>=6.0,<7',
      'coverage'
    ])
  })

  it('reads a Pipfile', () => {
    expect(
      pipfileRequirements({
        packages: {
          django: '*',
          gunicorn: '==23.0',
          sentry: { version: '>=2', extras: ['django'] }
        },
        'dev-packages': { pytest: { version: '*' }, local: { path: '.' } }
      })
    ).toEqual(['django', 'gunicorn==23.0', 'sentry[django]>=2', 'pytest'])
  })
})

describe('the environment cache key', () => {
  const python = {
    version: '3.12.4',
    implementation: 'CPython',
    machine: 'x86_64'
  }
  it('depends on the interpreter and the requirements, nothing else', () => {
    const key = environmentKey(python, ['Django==5.2'])
    expect(key).toMatch(/^py3\.12\.4-[0-9a-f]{20}$/)
    expect(environmentKey({ ...python }, ['Django==5.2'])).toBe(key)
    expect(environmentKey(python, ['Django==5.1'])).not.toBe(key)
    expect(
      environmentKey({ ...python, version: '3.12.5' }, ['Django==5.2'])
    ).not.toBe(key)
  })
})

describe('project files', () => {
  it('reads the settings module from manage.py', () => {
    expect(
      settingsFromManagePy(
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.local')"
      )
    ).toBe('config.settings.local')
    expect(settingsFromManagePy('print(1)')).toBeUndefined()
  })

  it('tells whether a project configures pytest', () => {
    const dir = tempDir()
    expect(configuresPytest(dir)).toBe(false)
    expect(
      configuresPytest(dir, { tool: { pytest: { ini_options: {} } } })
    ).toBe(true)
    fs.writeFileSync(
      path.join(dir, 'setup.cfg'),
      '[tool:pytest]\naddopts = -q\n'
    )
    expect(configuresPytest(dir)).toBe(true)
  })
})

describe('flake8', () => {
  it('translates [tool.flake8] to INI, paths made absolute', () => {
    expect(
      flake8IniFromToml(
        {
          max_line_length: 100,
          'extend-exclude': ['migrations', './legacy/', 'build/'],
          'per-file-ignores': ['app/__init__.py:F401', '*.pyi:E301'],
          statistics: true
        },
        '/repo'
      )
    ).toBe(
      [
        '[flake8]',
        'max-line-length = 100',
        'extend-exclude = migrations,',
        '    /repo/legacy/,',
        '    /repo/build/',
        'per-file-ignores = /repo/app/__init__.py:F401,',
        '    *.pyi:E301',
        'statistics = true',
        ''
      ].join('\n')
    )
  })

  it("finds flake8's own configuration files", () => {
    const dir = tempDir()
    fs.writeFileSync(path.join(dir, 'setup.cfg'), '[metadata]\nname = x\n')
    expect(nativeFlake8Config(dir)).toBeUndefined()
    fs.writeFileSync(
      path.join(dir, 'tox.ini'),
      '[flake8]\nmax-line-length = 99\n'
    )
    expect(nativeFlake8Config(dir)).toBe('tox.ini')
  })

  it("leaves every core but one to flake8 unless the project's configuration sets jobs", async () => {
    expect(lintJobs(1)).toBe(1)
    expect(lintJobs(2)).toBe(1)
    expect(lintJobs(4)).toBe(3)
    expect(iniSetsJobs('[flake8]\nmax-line-length = 99\n')).toBe(false)
    expect(iniSetsJobs('[flake8]\r\n  jobs = 4\r\n')).toBe(true)
    expect(iniSetsJobs('[flake8]\njobs: 4\n')).toBe(true)
    expect(iniSetsJobs('[flake8]\nJOBS = 4\n')).toBe(true)
    // `jobs` of another tool's section is not flake8's.
    expect(iniSetsJobs('[flake8]\nselect = E\n[tool:pytest]\njobs = 4\n')).toBe(
      false
    )
    expect(iniSetsJobs('[pycodestyle]\njobs = 4\n[flake8]\nselect = E\n')).toBe(
      false
    )

    // The arguments flake8 is given, recorded by a stand-in interpreter.
    const dir = tempDir()
    const record = path.join(dir, 'args')
    const python = path.join(dir, 'python')
    fs.writeFileSync(python, `#!/bin/sh\nprintf '%s\\n' "$@" > '${record}'\n`)
    fs.chmodSync(python, 0o755)
    const project = path.join(dir, 'project')
    fs.mkdirSync(project)
    const argsOf = async (pyprojectFlake8?: Record<string, unknown>) => {
      await runFlake8({
        python,
        projectDir: project,
        workDir: dir,
        pyprojectFlake8,
        cores: 2
      })
      return fs.readFileSync(record, 'utf8').split('\n')
    }
    const jobs = (args: string[]) =>
      args.slice(args.indexOf('--jobs'), args.indexOf('--jobs') + 2)
    expect(jobs(await argsOf())).toEqual(['--jobs', '1'])
    expect(jobs(await argsOf({ max_line_length: 99 }))).toEqual(['--jobs', '1'])
    expect(await argsOf({ jobs: 4 })).not.toContain('--jobs')
    fs.writeFileSync(path.join(project, '.flake8'), '[flake8]\njobs = 3\n')
    expect(await argsOf()).not.toContain('--jobs')
    fs.writeFileSync(path.join(project, '.flake8'), '[flake8]\nselect = E\n')
    expect(jobs(await argsOf())).toEqual(['--jobs', '1'])
  })

  it('parses findings', () => {
    expect(
      parseFlake8Output(
        "./shop/views.py:3:1: F401 'os' imported but unused\nnoise\nshop/a.py:10:80: E501 line too long (90 > 79 characters)\n"
      )
    ).toEqual([
      {
        file: 'shop/views.py',
        line: 3,
        column: 1,
        code: 'F401',
        message: "'os' imported but unused"
      },
      {
        file: 'shop/a.py',
        line: 10,
        column: 80,
        code: 'E501',
        message: 'line too long (90 > 79 characters)'
      }
    ])
  })
})

describe('Django checks', () => {
  it('parses check output with hints', () => {
    const output = [
      'SystemCheckError: System check identified some issues:',
      '',
      'WARNINGS:',
      '?: (security.W004) You have not set a value for the SECURE_HSTS_SECONDS setting.',
      'catalog.Product: (models.W042) Auto-created primary key used when not defining a primary key type.',
      '\tHINT: Configure the DEFAULT_AUTO_FIELD setting.',
      '',
      'System check identified 2 issues (0 silenced).'
    ].join('\n')
    expect(parseCheckOutput(output)).toEqual([
      {
        object: '?',
        id: 'security.W004',
        message: 'You have not set a value for the SECURE_HSTS_SECONDS setting.'
      },
      {
        object: 'catalog.Product',
        id: 'models.W042',
        message:
          'Auto-created primary key used when not defining a primary key type.',
        hint: 'Configure the DEFAULT_AUTO_FIELD setting.'
      }
    ])
  })

  it('finds the line that assigns a setting', () => {
    const source =
      'import os\n\nDEBUG = True\nif x:\n    SECURE_HSTS_SECONDS: int = 0\n'
    expect(lineAssigning(source, 'SECURE_HSTS_SECONDS')).toBe(5)
    expect(lineAssigning(source, 'DEBUG')).toBe(3)
    expect(lineAssigning(source, 'ALLOWED_HOSTS')).toBeUndefined()
  })

  it('runs the deploy check with DEBUG off, production switches and a strong masked key', () => {
    const env = productionEnvironment({
      DEBUG: 'True',
      SECRET_KEY: 'short',
      API: 'x'
    })
    expect(env).toMatchObject({
      DEBUG: 'False',
      DJANGO_ENV: 'production',
      API: 'x'
    })
    expect(env['SECRET_KEY']).toHaveLength(64)
    expect(env['DJANGO_SECRET_KEY']).toBe(env['SECRET_KEY'])
    expect(core.setSecret).toHaveBeenCalledWith(env['SECRET_KEY'])
  })

  it('parses missing migrations', () => {
    const output = [
      "Migrations for 'catalog':",
      '  catalog/migrations/0002_alter_product_is_available.py',
      '    ~ Alter field is_available on product',
      "Migrations for 'contact':",
      '  contact/migrations/0002_tag.py',
      '    - Create model Tag'
    ].join('\n')
    expect(parseMakemigrations(output)).toEqual([
      {
        app: 'catalog',
        migration: 'catalog/migrations/0002_alter_product_is_available.py',
        operations: ['Alter field is_available on product']
      },
      {
        app: 'contact',
        migration: 'contact/migrations/0002_tag.py',
        operations: ['Create model Tag']
      }
    ])
  })
})

const coverageJson = (display: string, percent: number) =>
  JSON.stringify({
    totals: { percent_covered: percent, percent_covered_display: display },
    files: {
      'a.py': {
        summary: {
          percent_covered: 100,
          num_statements: 4,
          missing_lines: 0,
          num_branches: 2,
          missing_branches: 0
        }
      },
      'b.py': {
        summary: {
          percent_covered: 50,
          num_statements: 4,
          missing_lines: 2,
          num_branches: 0,
          missing_branches: 0
        }
      }
    }
  })

describe('reports', () => {
  it("parses pytest's JUnit XML, locating a failure at its assertion", () => {
    const xml = `<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" tests="3">
<testcase classname="shop.tests.test_prices" name="test_ok" file="shop/tests/test_prices.py" line="3" time="0.01" />
<testcase classname="shop.tests.test_prices" name="test_bad" file="shop/tests/test_prices.py" line="6" time="0.02"><failure message="assert 1 == 2&#10;  + 1">def test_bad():
&gt;       assert 1 == 2
E       assert 1 == 2

shop/tests/test_prices.py:9: AssertionError</failure></testcase>
<testcase classname="shop.tests.test_prices" name="test_skip" file="shop/tests/test_prices.py" line="11" time="0"><skipped message="later" /></testcase>
</testsuite></testsuites>`
    const { counts, cases } = parseJunit(xml)
    expect(counts).toEqual({ tests: 3, failures: 1, errors: 0, skipped: 1 })
    expect(cases[1]).toMatchObject({
      name: 'test_bad',
      outcome: 'failure',
      message: 'assert 1 == 2\n  + 1',
      file: 'shop/tests/test_prices.py',
      line: 9
    })
  })

  it("parses the Django runner's report, whose line is already the failing one", () => {
    const xml = `<testsuites><testsuite name="django" tests="1" failures="0" errors="1" skipped="0">
<testcase classname="shop.tests.T" name="test_x" time="0.001" file="shop/tests.py" line="12"><error message="KeyError: 'a'">Traceback</error></testcase>
</testsuite></testsuites>`
    expect(parseJunit(xml).cases[0]).toMatchObject({
      outcome: 'error',
      message: "KeyError: 'a'",
      file: 'shop/tests.py',
      line: 12
    })
  })

  it('reads coverage JSON, worst file first', () => {
    const coverage = parseCoverageJson(coverageJson('75', 75))
    expect(coverage.files.map((f) => f.file)).toEqual(['b.py', 'a.py'])
    expect(coverage.display).toBe('75')
  })

  it("gates on coverage.py's rounded figure", () => {
    expect(
      belowThreshold(parseCoverageJson(coverageJson('80', 79.6)), 80)
    ).toBe(false)
    expect(
      belowThreshold(parseCoverageJson(coverageJson('79', 79.4)), 80)
    ).toBe(true)
    expect(
      belowThreshold(parseCoverageJson(coverageJson('79.9', 79.94)), 79.95)
    ).toBe(true)
    expect(
      belowThreshold(parseCoverageJson(coverageJson('99.9', 99.99)), 100)
    ).toBe(true)
  })
})

describe('the summary', () => {
  it('draws bars', () => {
    expect(bar(100)).toBe('██████████')
    expect(bar(54)).toBe('█████░░░░░')
    expect(bar(0)).toBe('░░░░░░░░░░')
  })

  it('lists the results, the reasons, the failing tests and what GitHub could not show', () => {
    const annotator = new Annotator(1)
    annotator.add({ kind: 'error', message: 'first' })
    annotator.add({ kind: 'error', message: 'second', file: 'a.py', line: 2 })
    const tests: TestRunResult = {
      runner: 'django',
      exitCode: 1,
      counts: { tests: 2, failures: 1, errors: 0, skipped: 0 },
      cases: [
        {
          classname: 'shop.T',
          name: 'test_x',
          outcome: 'failure',
          message: 'boom',
          details: '',
          file: 'shop/tests.py',
          line: 4,
          time: 0
        }
      ],
      coverage: parseCoverageJson(coverageJson('75', 75))
    }
    const markdown = summaryMarkdown({
      project: 'backend',
      pythonVersion: '3.12.4',
      environment: 'cached environment',
      threshold: 80,
      tests,
      reasons: [
        '1 test(s) failed: test_x',
        'coverage 75% is under the 80% gate'
      ],
      annotator
    })
    expect(markdown).toContain('## ci-test: failed')
    expect(markdown).toContain(
      '| ❌ | tests (django) | 2 run, 1 failed, 0 errors, 0 skipped |'
    )
    expect(markdown).toContain(
      '| ❌ | coverage (branch) | 75% (threshold 80%) |'
    )
    expect(markdown).toContain('| ➖ | flake8 | not run (`lint: none`) |')
    expect(markdown).toContain('- coverage 75% is under the 80% gate')
    expect(markdown).toContain('| shop.T.test_x | shop/tests.py:4 | boom |')
    expect(markdown).toContain('| b.py | 50.0% | █████░░░░░ | 2 | 0 |')
    expect(markdown).toContain('| error | a.py:2 |  | second |')
  })
})

describe('installers', () => {
  it('installs into another interpreter with pip 22.3 or later only', () => {
    expect(pipHasPythonOption('23.2.1')).toBe(true)
    expect(pipHasPythonOption('22.3')).toBe(true)
    expect(pipHasPythonOption('22.2.2')).toBe(false)
    expect(pipHasPythonOption(null)).toBe(false)
  })
})
