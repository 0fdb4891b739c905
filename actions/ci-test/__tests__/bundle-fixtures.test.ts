/**
 * The bundle on fixture projects shaped like real ones (a subfolder, a UTF-16
 * requirements file, flake8 configured only in pyproject.toml, Poetry only,
 * unittest only, settings that need environment variables), and on bad
 * inputs, which must stop it before it runs anything.
 */
import { afterAll, describe, expect, it, jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { DJANGO, djangoProject, utf16 } from './support/django-fixture.js'
import {
  cleanUp,
  filesUnder,
  makeWorkspace,
  runBundle,
  sharedCache
} from './support/run-bundle.js'
import type { BundleRun } from './support/run-bundle.js'

jest.setTimeout(300_000)

const runs: BundleRun[] = []
const tempDirs: string[] = []
afterAll(() => {
  runs.forEach(cleanUp)
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true })
})

async function run(
  workspace: string,
  inputs: Record<string, string> = {},
  options: Parameters<typeof runBundle>[2] = {}
): Promise<BundleRun> {
  const result = await runBundle(workspace, inputs, options)
  runs.push(result)
  return result
}

const keyOf = (r: BundleRun): string | undefined =>
  /\(key (py[\w.-]+)\)/.exec(r.stdout)?.[1]

describe('ci-test on projects shaped like real ones', () => {
  let plainKey: string | undefined

  it('finds manage.py in a subfolder and runs unittest tests with manage.py test', async () => {
    const workspace = makeWorkspace()
    djangoProject(path.join(workspace, 'backend'), {
      files: { 'requirements.txt': `${DJANGO}\n` }
    })
    const r = await run(workspace)
    expect(r.errors).toEqual([])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('::group::Tests (django, under coverage)')
    expect(r.outputs).toMatchObject({
      tests: '2',
      failures: '0',
      errors: '0',
      skipped: '0',
      'lint-errors': '0'
    })
    expect(Number(r.outputs['coverage'])).toBeGreaterThanOrEqual(80)
    const junit = fs.readFileSync(r.outputs['junit-file'], 'utf8')
    expect(junit).toContain('name="test_adds_tax"')
    expect(r.summary).toContain('Project `backend`')
    // coverage, flake8 are added since the project does not require them.
    expect(r.stdout).toContain(
      'Adding what the project does not require itself: coverage, flake8'
    )
    plainKey = keyOf(r)
    expect(plainKey).toBeDefined()
  })

  it('installs a UTF-16 requirements.txt, and shares the environment of the same requirements in UTF-8', async () => {
    const workspace = makeWorkspace()
    djangoProject(workspace, {
      files: { 'requirements.txt': utf16(`# pinned\r\n${DJANGO}\r\n`) }
    })
    const r = await run(workspace)
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('requirements.txt (UTF-16 LE)')
    expect(keyOf(r)).toBe(plainKey)
    expect(r.stdout).toContain('Reusing the cached environment')
    expect(r.summary).toContain('cached environment')
    expect(r.outputs['tests']).toBe('2')
  })

  it('annotates a failing unittest test at its assertion and names every fault', async () => {
    const workspace = makeWorkspace()
    djangoProject(workspace, {
      files: {
        'requirements.txt': `${DJANGO}\n`,
        'shop/tests.py': [
          'from django.test import SimpleTestCase',
          '',
          'from shop.prices import with_tax',
          '',
          '',
          'class WithTaxTests(SimpleTestCase):',
          '    def test_adds_tax(self):',
          '        self.assertEqual(with_tax(10, 0.2), 13, "tax is 20%")',
          '',
          '    def test_refuses_negative_rates(self):',
          '        with self.assertRaises(ValueError):',
          '            with_tax(10, -1)',
          ''
        ].join('\n'),
        'shop/unused.py': 'import json\n'
      }
    })
    const r = await run(workspace, { 'coverage-threshold': '100' })
    expect(r.status).toBe(1)
    expect(r.outputs).toMatchObject({ tests: '2', failures: '1', errors: '0' })
    const note = r.errors.find((l) =>
      l.includes('title=Test failed: shop.tests.WithTaxTests.test_adds_tax')
    )
    expect(note).toContain('file=shop/tests.py,line=8::')
    expect(note).toContain('AssertionError: 12.0 != 13 : tax is 20%')
    expect(r.errors.at(-1)).toMatch(
      /^::error::ci-test failed: flake8 found 1 problem\(s\); 1 test\(s\) failed: test_adds_tax; coverage [\d.]+% is under the 100% gate\.$/
    )
  })

  it('applies a flake8 configuration that lives only in pyproject.toml', async () => {
    const workspace = makeWorkspace()
    djangoProject(workspace, {
      files: {
        'requirements.txt': `${DJANGO}\n`,
        'pyproject.toml':
          '[tool.flake8]\nmax-line-length = 120\nextend-exclude = ["legacy/"]\n',
        // 100 characters: too long for flake8's default 79, fine for 120.
        'shop/labels.py': `SHORT = "${'x'.repeat(89)}"\nLONG = "${'y'.repeat(121)}"\n`,
        // Would be F401, but the configuration excludes legacy/.
        'legacy/old.py': 'import os\n'
      }
    })
    const r = await run(workspace)
    expect(r.status).toBe(1)
    expect(r.stdout).toContain(
      '::group::Lint (flake8, pyproject.toml [tool.flake8])'
    )
    expect(r.outputs['lint-errors']).toBe('1')
    const note = r.errors.find((l) => l.includes('title=flake8 E501'))
    expect(note).toContain('file=shop/labels.py')
    expect(note).toContain('line=2')
    expect(note).toContain('col=121')
    expect(note).toContain('E501 line too long (130 > 120 characters)')
    expect(r.errors.at(-1)).toBe(
      '::error::ci-test failed: flake8 found 1 problem(s).'
    )
  })

  it('builds an environment from Poetry metadata alone (cold cache)', async () => {
    const workspace = makeWorkspace()
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-test-cold-'))
    tempDirs.push(cacheDir)
    djangoProject(workspace, {
      files: {
        'pyproject.toml': [
          '[tool.poetry]',
          'name = "shop"',
          'version = "0.1.0"',
          '',
          '[tool.poetry.dependencies]',
          'python = "^3.10"',
          'django = "^5.2"',
          '',
          '[tool.poetry.group.dev.dependencies]',
          'coverage = {version = "^7.6", extras = ["toml"]}',
          ''
        ].join('\n')
      }
    })
    const r = await run(workspace, { lint: 'none' }, { cacheDir })
    expect(r.errors).toEqual([])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('pyproject.toml: 2 requirement(s)')
    expect(r.stdout).toContain('Building the environment with Python')
    expect(r.summary).toContain('environment built')
    expect(r.outputs['tests']).toBe('2')
    expect(r.outputs['lint-errors']).toBe('0')
    const venvs = fs.readdirSync(path.join(cacheDir, 'venvs'))
    // Only the finished environment: no half-built directory is left.
    expect(venvs).toEqual([keyOf(r)])
    const freeze = fs.readFileSync(
      path.join(r.runnerTemp, 'shipyard-ci-test', 'requirements-generated.txt'),
      'utf8'
    )
    expect(freeze).toBe('django>=5.2,<6\ncoverage[toml]>=7.6,<8\n')
  })

  it("combines coverage.py's parallel data files, the reports begun while the tests' process was still ending", async () => {
    const workspace = makeWorkspace()
    djangoProject(workspace, {
      files: {
        'requirements.txt': `${DJANGO}\n`,
        // One data file per process, as projects measuring subprocesses or
        // pytest-xdist workers configure it.
        '.coveragerc':
          '[run]\nparallel = true\nsource = shop\nomit = shop/tests.py\n',
        // At its exit the test process waits for the JSON report, then says
        // whether it came: ci-test must not wait for the process's end.
        'shop/tests.py': `import atexit
import os
import time
from pathlib import Path

from django.test import SimpleTestCase

from shop.prices import with_tax


def _wait_for_the_reports():
    report = Path(os.environ["COVERAGE_FILE"]).with_name("coverage.json")
    deadline = time.monotonic() + 30
    while not report.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    Path("reports-at-exit.txt").write_text("yes" if report.exists() else "no")


atexit.register(_wait_for_the_reports)


class WithTaxTests(SimpleTestCase):
    def test_adds_tax(self):
        self.assertEqual(with_tax(10, 0.2), 12)
`
      }
    })
    const r = await run(workspace, { lint: 'none', 'coverage-threshold': '60' })
    expect(r.errors).toEqual([])
    expect(r.status).toBe(0)
    // prices.py: 3 of 4 lines and 1 of 2 branches, (3 + 1) / (4 + 2).
    expect(r.outputs['coverage']).toBe('67')
    const report = JSON.parse(
      fs.readFileSync(r.outputs['coverage-file'], 'utf8')
    ) as { files: Record<string, unknown> }
    expect(Object.keys(report.files).sort()).toEqual([
      'shop/__init__.py',
      'shop/prices.py'
    ])
    // The XML report, written by its own process, waited for the combine
    // (its file names are relative to its <source>, shop/).
    const xml = fs.readFileSync(
      path.join(path.dirname(r.outputs['coverage-file']), 'coverage.xml'),
      'utf8'
    )
    expect(
      [...xml.matchAll(/filename="([^"]+)"/g)].map((m) => m[1]).sort()
    ).toEqual(['__init__.py', 'prices.py'])
    // Combined: no per-process data file is left beside the report.
    const left = fs.readdirSync(path.dirname(r.outputs['coverage-file']))
    expect(left.filter((name) => name.startsWith('.coverage.'))).toEqual([])
    expect(
      fs.readFileSync(path.join(workspace, 'reports-at-exit.txt'), 'utf8')
    ).toBe('yes')
  })

  it("ends the test process after the project's own exit work, keeping the tests' status, and skips only the interpreter's teardown", async () => {
    const workspace = makeWorkspace()
    djangoProject(workspace, {
      files: {
        'requirements.txt': `${DJANGO}\n`,
        // At exit: a thread still running, an atexit handler printing
        // without a newline into a block-buffered pipe, and an object
        // whose __del__ would run only in the interpreter's teardown.
        'shop/tests.py': `import atexit
import sys
import threading
import time
from pathlib import Path

from django.test import SimpleTestCase


def _late_work():
    time.sleep(0.3)
    Path("thread-done.txt").write_text("joined")


threading.Thread(target=_late_work).start()


def _goodbye():
    Path("atexit-done.txt").write_text("ran")
    sys.stdout.write("goodbye-from-atexit")


atexit.register(_goodbye)


class _Teardown:
    # Module globals are gone by then: the object keeps what it needs.
    def __init__(self):
        self.open = open
        self.path = str(Path("teardown-done.txt").resolve())

    def __del__(self):
        with self.open(self.path, "w") as handle:
            handle.write("ran")


KEPT_UNTIL_TEARDOWN = _Teardown()


class ExitTests(SimpleTestCase):
    def test_fails(self):
        self.assertEqual(1 + 1, 3)
`
      }
    })
    const r = await run(workspace, { lint: 'none', 'coverage-threshold': '0' })
    // The failing test's status survives the shortened exit.
    expect(r.status).toBe(1)
    expect(r.outputs).toMatchObject({ tests: '1', failures: '1' })
    expect(r.errors.join('\n')).toContain('1 test(s) failed')
    const at = (name: string) => path.join(workspace, name)
    expect(fs.readFileSync(at('thread-done.txt'), 'utf8')).toBe('joined')
    expect(fs.readFileSync(at('atexit-done.txt'), 'utf8')).toBe('ran')
    expect(r.stdout).toContain('goodbye-from-atexit')
    // What is skipped: the teardown's freeing of every object.
    expect(fs.existsSync(at('teardown-done.txt'))).toBe(false)
  })

  it("writes the reports coverage.py's own commands write from the same data, a file changed after it was parsed ahead included", async () => {
    const workspace = makeWorkspace()
    djangoProject(workspace, {
      files: {
        'requirements.txt': `${DJANGO}\n`,
        '.coveragerc': `[run]
source = shop
omit = shop/tests.py

[report]
exclude_also =
    def __repr__
partial_branches =
    if FEATURE:
`,
        'shop/prices.py': `FEATURE = True


def with_tax(price, rate):
    if rate < 0:
        raise ValueError("negative rate")
    return round(price * (1 + rate), 2)


def discount(price, code):
    if code == "HALF":
        return price / 2
    elif code == "TENTH":
        return price * 0.9
    if FEATURE:
        price = price - 0
    return price


class Price:
    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return f"Price({self.value})"


def never():  # pragma: no cover
    return 1
`,
        'shop/changed.py': 'def double(x):\n    return 2 * x\n',
        // The report processes parse shop/changed.py while the tests run;
        // the second test then rewrites it before importing it, so the
        // data is about lines that parse no longer describes.
        'shop/tests.py': `import time
from pathlib import Path

from django.test import SimpleTestCase

from shop.prices import discount, with_tax

NEW = """def double(x):
    if x > 0:
        result = 2 * x
    else:
        result = 0
    return result


def unused():
    return None
"""


class PriceTests(SimpleTestCase):
    def test_prices(self):
        self.assertEqual(with_tax(10, 0.2), 12)
        self.assertEqual(discount(10, "HALF"), 5)
        self.assertEqual(discount(10, "NONE"), 10)

    def test_changed_source(self):
        time.sleep(3)
        Path(__file__).with_name("changed.py").write_text(NEW)
        from shop.changed import double

        self.assertEqual(double(2), 4)
`
      }
    })
    const r = await run(workspace, {
      lint: 'none',
      'deploy-check': 'false',
      'migrations-check': 'false',
      'coverage-threshold': '0'
    })
    expect(r.errors).toEqual([])
    expect(r.status).toBe(0)
    const reports = path.dirname(r.outputs['coverage-file'])
    // coverage.py's own commands, on the action's data file, in the project.
    const python = path.join(
      sharedCache,
      'venvs',
      keyOf(r) ?? '',
      'bin',
      'python'
    )
    const cli = (kind: string, out: string) =>
      execFileSync(python, ['-m', 'coverage', kind, '-o', out], {
        cwd: workspace,
        env: { ...process.env, COVERAGE_FILE: path.join(reports, '.coverage') }
      })
    const cliJson = path.join(reports, 'cli.json')
    const cliXml = path.join(reports, 'cli.xml')
    cli('json', cliJson)
    cli('xml', cliXml)
    type Report = {
      meta: Record<string, unknown>
      files: Record<string, { summary: { num_statements: number } }>
      totals: unknown
    }
    const ours = JSON.parse(
      fs.readFileSync(r.outputs['coverage-file'], 'utf8')
    ) as Report
    const theirs = JSON.parse(fs.readFileSync(cliJson, 'utf8')) as Report
    expect(ours.files).toEqual(theirs.files)
    expect(ours.totals).toEqual(theirs.totals)
    // The rewritten file is reported as it is now (7 statements), not as
    // it was when it was parsed ahead (2).
    expect(ours.files['shop/changed.py']?.summary.num_statements).toBe(7)
    const stripTime = (xml: string) => xml.replace(/ timestamp="\d+"/, '')
    expect(
      stripTime(fs.readFileSync(path.join(reports, 'coverage.xml'), 'utf8'))
    ).toBe(stripTime(fs.readFileSync(cliXml, 'utf8')))
  })

  it("names coverage.py's own error when it cannot write its report, instead of a bare 'no coverage'", async () => {
    const workspace = makeWorkspace()
    djangoProject(workspace, {
      files: {
        'requirements.txt': `${DJANGO}\n`,
        '.coveragerc': '[run]\nsource = shop\nomit = shop/tests.py\n',
        // Never imported, but in the measured source: coverage.py must
        // parse it to report it as unexecuted, and cannot.
        'shop/legacy.py': 'print "written for Python 2"\n'
      }
    })
    const r = await run(workspace, { lint: 'none' })
    expect(r.status).toBe(1)
    // The tests themselves ran and passed.
    expect(r.outputs).toMatchObject({ tests: '2', failures: '0' })
    const failure = r.errors.at(-1) ?? ''
    expect(failure).toContain(
      'no coverage figure: coverage.py could not write its report (exit code 1)'
    )
    expect(failure).toMatch(/Couldn't parse '[^']*legacy\.py' as Python/)
    expect(failure).not.toContain('no coverage was measured')
    expect(r.stdout).toContain('::error title=Coverage report failed::')
    expect(r.summary).toContain('coverage.py could not write its report')
  })

  it('runs settings that need environment variables with `env`, never showing the values', async () => {
    const workspace = makeWorkspace()
    djangoProject(workspace, {
      requiredEnv: ['SECRET_KEY', 'SHOP_API_TOKEN'],
      files: { 'requirements.txt': `${DJANGO}\n` }
    })
    const without = await run(workspace)
    expect(without.status).toBe(1)
    expect(without.errors.at(-1)).toContain(
      'ImproperlyConfigured: SHOP_API_TOKEN is not set'
    )

    const secrets = ['s3cret-key-value-0123456789', 'tok-abcdef-9876543210']
    const r = await run(workspace, {
      env: `SECRET_KEY=${secrets[0]}\nSHOP_API_TOKEN=${secrets[1]}`
    })
    expect(r.errors).toEqual([])
    expect(r.status).toBe(0)
    expect(r.outputs['tests']).toBe('2')
    const shown = [
      r.stdout
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n'),
      r.stderr,
      r.summary,
      ...filesUnder(r.runnerTemp).map((f) => fs.readFileSync(f, 'latin1')),
      ...filesUnder(workspace).map((f) => fs.readFileSync(f, 'latin1'))
    ].join('\n')
    for (const secret of secrets) {
      expect(r.stdout).toContain(`::add-mask::${secret}`)
      expect(shown).not.toContain(secret)
    }
  })
})

describe('ci-test with django-settings', () => {
  it('uses the settings module given instead of the one manage.py sets', async () => {
    const workspace = makeWorkspace()
    djangoProject(workspace, {
      requiredEnv: ['SHOP_API_TOKEN'],
      files: {
        'requirements.txt': `${DJANGO}\n`,
        'mysite/settings_ci.py': [
          'import os',
          '',
          'os.environ.setdefault("SHOP_API_TOKEN", "ci-only-token")',
          'from mysite.settings import *  # noqa: E402,F401,F403',
          ''
        ].join('\n')
      }
    })
    const r = await run(workspace, { 'django-settings': 'mysite.settings_ci' })
    expect(r.errors).toEqual([])
    expect(r.status).toBe(0)
    expect(r.outputs['tests']).toBe('2')
  })
})

describe('ci-test with uv', () => {
  it('installs with uv when it is on PATH (installer auto), UTF-16 requirements included', async () => {
    // The real uv, from PyPI (a wheel holding its binary).
    const tools = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-test-uv-'))
    tempDirs.push(tools)
    execFileSync('python3', [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--target',
      tools,
      'uv'
    ])
    const workspace = makeWorkspace()
    djangoProject(workspace, {
      files: { 'requirements.txt': utf16(`${DJANGO}\r\n`) }
    })
    const cacheDir = path.join(workspace, '.cache')
    const r = await run(
      workspace,
      {},
      {
        cacheDir,
        env: { PATH: `${path.join(tools, 'bin')}:${process.env['PATH']}` }
      }
    )
    expect(r.errors).toEqual([])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('Building the environment with Python')
    expect(r.stdout).toMatch(/and uv \(key /)
    expect(r.stdout).toMatch(/^\[command\]\S+\/uv pip install --python /m)
    expect(r.outputs['tests']).toBe('2')
  })
})

describe('ci-test on bad inputs', () => {
  it.each([
    [
      'a missing directory',
      { 'working-directory': 'nowhere' },
      `::error::Invalid value for input 'working-directory': "nowhere" (no such directory). Accepted: a directory holding manage.py, relative to the workspace.`
    ],
    [
      'an unknown test runner',
      { 'test-runner': 'nose' },
      '::error::Invalid value for input \'test-runner\': "nose". Accepted: one of `auto`, `pytest`, `django`.'
    ],
    [
      'a threshold of 120',
      { 'coverage-threshold': '120' },
      '::error::Invalid value for input \'coverage-threshold\': "120". Accepted: a number, from 0 to 100.'
    ],
    [
      'a malformed env line',
      { env: 'SECRET_KEY=abc-secret-value\nnot a pair' },
      "::error::Invalid value for input 'env' on line 2"
    ]
  ])(
    'refuses %s with a clear error and runs nothing',
    async (_, inputs, message) => {
      const workspace = makeWorkspace()
      djangoProject(workspace, { files: { 'requirements.txt': `${DJANGO}\n` } })
      const cacheDir = path.join(workspace, 'never-created')
      const r = await run(workspace, inputs, { cacheDir })
      expect(r.status).toBe(1)
      expect(r.errors).toHaveLength(1)
      expect(r.errors[0].startsWith(message)).toBe(true)
      expect(r.stdout).not.toContain('[command]')
      expect(
        r.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::'))
      ).not.toContainEqual(expect.stringContaining('abc-secret-value'))
      expect(fs.existsSync(cacheDir)).toBe(false)
      expect(fs.existsSync(path.join(r.runnerTemp, 'shipyard-ci-test'))).toBe(
        false
      )
      expect(
        fs.readFileSync(path.join(r.runnerTemp, 'step-summary'), 'utf8')
      ).toBe('')
    }
  )

  it('stops with a clear error when the requirements cannot be installed', async () => {
    const workspace = makeWorkspace()
    djangoProject(workspace, {
      files: { 'requirements.txt': 'django==0.0.0.404\n' }
    })
    const cacheDir = path.join(workspace, '.cache')
    const r = await run(workspace, {}, { cacheDir })
    expect(r.status).toBe(1)
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]).toMatch(
      /^::error::pip install failed \(exit code 1\): ERROR: .*django==0\.0\.0\.404.* The environment could not be built, so nothing was checked\.$/
    )
    expect(r.stdout).not.toContain('::group::Tests')
    expect(r.summary).toContain('could not be built')
    // Nothing half-built is left in the cache.
    expect(fs.readdirSync(path.join(cacheDir, 'venvs'))).toEqual([])
  })

  it("refuses installer 'uv' when uv is not on PATH", async () => {
    const workspace = makeWorkspace()
    djangoProject(workspace, {
      files: { 'requirements.txt': 'django==5.2.18\n' }
    })
    const cacheDir = path.join(workspace, '.cache')
    const python = execFileSync(
      'python3',
      ['-c', 'import sys; print(sys.executable)'],
      { encoding: 'utf8' }
    ).trim()
    const r = await run(
      workspace,
      { installer: 'uv', python },
      {
        cacheDir,
        env: { PATH: path.dirname(process.execPath) + ':/usr/bin:/bin' }
      }
    )
    expect(r.status).toBe(1)
    expect(r.errors).toEqual([
      "::error::installer is 'uv' but uv is not on PATH. Install it first (e.g. astral-sh/setup-uv or `pip install uv`), or use 'auto' or 'pip'."
    ])
  })
})
