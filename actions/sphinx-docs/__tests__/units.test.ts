import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { mockCore } from '@shipyard/action-kit/testing'
import { ReadTheDocsStandIn } from '@shipyard/stand-ins'

const core = mockCore()
jest.unstable_mockModule('@actions/core', () => core)

const { parseWarnings, locateWarnings, docstringLine, describeWarning } =
  await import('../src/warnings.js')
const { parseLinkcheck, countPages, sphinxCommand, staleEnvironment } =
  await import('../src/build.js')
const { verdict, outputTail, ReadTheDocsClient } = await import('../src/rtd.js')
const { confPy, indexRst } = await import('../src/bootstrap.js')
const { absolutePatterns, createdFiles, projectPackages } =
  await import('../src/apidoc.js')
const { summaryMarkdown } = await import('../src/summary.js')

let dir: string
beforeAll(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sphinx-units-')))
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

function write(relative: string, text: string): string {
  const file = path.join(dir, relative)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, text)
  return file
}

describe('warnings', () => {
  const text = [
    '/w/src/pkg/__init__.py:docstring of pkg.bad:4: WARNING: Inline emphasis start-string without end-string. [docutils]',
    "WARNING: autodoc: failed to import 'broken' from module 'pkg'; the following exception was raised:",
    'Traceback (most recent call last):',
    '  File "x.py", line 1, in <module>',
    "ModuleNotFoundError: No module named 'nope'",
    ' [autodoc.import_object]',
    "\u001b[91m/w/docs/index.rst:8: WARNING: undefined label: 'nowhere' [ref.ref]\u001b[39;49;00m",
    '/w/docs/other.rst: ERROR: Unknown directive type "nope". [docutils]'
  ].join('\n')

  it('splits the file into entries with place, type and detail', () => {
    const warnings = parseWarnings(text)
    expect(warnings).toHaveLength(4)
    expect(warnings[0]).toEqual({
      level: 'WARNING',
      message: 'Inline emphasis start-string without end-string.',
      detail: '',
      type: 'docutils',
      file: '/w/src/pkg/__init__.py',
      line: 4,
      docstringOf: 'pkg.bad'
    })
    expect(warnings[1]?.type).toBe('autodoc.import_object')
    expect(warnings[1]?.file).toBeUndefined()
    expect(describeWarning(warnings[1])).toBe(
      "autodoc could not import 'pkg.broken': ModuleNotFoundError: No module named 'nope'"
    )
    expect(warnings[2]).toMatchObject({
      file: '/w/docs/index.rst',
      line: 8,
      message: "undefined label: 'nowhere'",
      type: 'ref.ref'
    })
    expect(warnings[3]).toMatchObject({
      level: 'ERROR',
      file: '/w/docs/other.rst'
    })
    expect(warnings[3]?.line).toBeUndefined()
  })

  it('turns a docstring line into a line of the file, following a re-export', () => {
    const real = write(
      'project/pkg/mod.py',
      '"""Module."""\n\n\nclass Thing:\n    """A thing.\n\n    Bad *line.\n    """\n\n    def go(self):\n        """Go."""\n'
    )
    expect(docstringLine(real, 'pkg.mod.Thing', 3)).toBe(7)
    expect(docstringLine(real, 'pkg.mod.Thing.go', 1)).toBe(11)
    expect(docstringLine(real, 'pkg.mod', 1)).toBe(1)
    const reexport = write(
      'project/src/pkg/mod.py',
      'from pkg.mod import *  # noqa\n'
    )
    expect(docstringLine(reexport, 'pkg.mod.Thing', 3)).toBeUndefined()
    const located = locateWarnings(
      [
        {
          level: 'WARNING',
          message: 'm',
          detail: '',
          file: reexport,
          line: 3,
          docstringOf: 'pkg.mod.Thing'
        }
      ],
      path.join(dir, 'project', 'docs'),
      path.join(dir, 'project')
    )
    expect(located[0]).toMatchObject({ file: real, line: 7 })
  })
})

describe('build helpers', () => {
  it('reads linkcheck output, keeping broken links and timeouts', () => {
    const out = [
      '{"filename": "index.rst", "lineno": 10, "status": "broken", "code": 0, "uri": "http://x/", "info": "refused"}',
      '{"filename": "index.rst", "lineno": 12, "status": "working", "code": 0, "uri": "https://y/", "info": ""}',
      'not json'
    ].join('\n')
    expect(parseLinkcheck(out, '/w/docs')).toEqual({
      exitCode: 0,
      checked: 2,
      broken: [
        {
          file: '/w/docs/index.rst',
          line: 10,
          uri: 'http://x/',
          status: 'broken',
          info: 'refused'
        }
      ]
    })
  })

  it('counts pages, not assets or generated indices', () => {
    for (const f of [
      'site/index.html',
      'site/api/mod.html',
      'site/genindex.html',
      'site/search.html',
      'site/_modules/mod.html',
      'site/_static/x.html',
      'trees/index.doctree',
      'trees/api/mod.doctree'
    ])
      write(f, '')
    expect(
      countPages('html', path.join(dir, 'site'), path.join(dir, 'trees'))
    ).toBe(2)
    expect(
      countPages('text', path.join(dir, 'site'), path.join(dir, 'trees'))
    ).toBe(2)
  })

  it('sets Django up before Sphinx when asked', () => {
    expect(sphinxCommand(['-b', 'html'])).toEqual([
      '-m',
      'sphinx',
      '-b',
      'html'
    ])
    const [flag, prelude, ...rest] = sphinxCommand(
      ['-b', 'html'],
      'site.settings'
    )
    expect(flag).toBe('-c')
    expect(prelude).toContain('django.setup()')
    expect(rest).toEqual(['-b', 'html'])
  })

  it('reads everything again after warnings or a change of the Python sources', () => {
    const trees = path.join(dir, 'stale')
    expect(staleEnvironment(trees, 'abc')).toBeUndefined()
    write('stale/environment.pickle', '')
    expect(staleEnvironment(trees, 'abc')).toBe(
      'no record of the previous build'
    )
    write('stale/.shipyard-sphinx-docs.json', '{"warnings":0,"python":"abc"}')
    expect(staleEnvironment(trees, 'abc')).toBeUndefined()
    expect(staleEnvironment(trees, 'def')).toBe('the Python sources changed')
    write('stale/.shipyard-sphinx-docs.json', '{"warnings":2,"python":"abc"}')
    expect(staleEnvironment(trees, 'abc')).toContain('had 2 warning(s)')
  })
})

describe('apidoc helpers', () => {
  it('resolves exclusions against the project and reads what was written', () => {
    expect(absolutePatterns('/w', ['*/tests/*', 'pkg/settings.py'])).toEqual([
      '/w/*/tests/*',
      '/w/pkg/settings.py'
    ])
    expect(
      createdFiles(
        'Creating file docs/api/pkg.rst.\nother\nCreating file /abs/modules.rst.\n',
        '/w'
      )
    ).toEqual(['/w/docs/api/pkg.rst', '/abs/modules.rst'])
  })

  it("finds the project's top-level packages, the docs aside", () => {
    write('pk/one/__init__.py', '')
    write('pk/notapkg/x.py', '')
    write('pk/.hidden/__init__.py', '')
    write('pk/docs/__init__.py', '')
    expect(
      projectPackages(path.join(dir, 'pk'), path.join(dir, 'pk', 'docs'))
    ).toEqual([path.join(dir, 'pk', 'one')])
  })
})

describe('bootstrap', () => {
  it('writes a quickstart-shaped conf.py and index.rst', () => {
    const request = {
      workspace: '/w',
      docsDir: '/w/docs',
      sourceDir: '/w/src',
      apidocOutput: '/w/docs/reference'
    }
    const conf = confPy(request, 'demo')
    expect(conf).toContain('sys.path.insert(0, os.path.abspath("../src"))')
    expect(conf).toContain('project = "demo"')
    expect(conf).toContain("'sphinx.ext.autodoc'")
    expect(conf).toContain("html_static_path = ['_static']")
    expect(indexRst(request, 'demo')).toContain('   reference/modules')
    expect(
      indexRst({ workspace: '/w', docsDir: '/w/docs' }, 'demo')
    ).not.toContain('modules')
  })
})

describe('Read the Docs', () => {
  it('decides from state, success and exit codes', () => {
    const final = { id: 1, state: { code: 'finished' } }
    expect(
      verdict({ id: 1, state: { code: 'building' }, success: null })
    ).toBeUndefined()
    expect(verdict({ ...final, success: true })).toBe('success')
    expect(verdict({ ...final, success: false })).toBe('failure')
    expect(
      verdict({
        ...final,
        success: null,
        commands: [{ command: 'x', exit_code: 2 }]
      })
    ).toBe('failure')
    expect(
      verdict({ id: 1, state: { code: 'cancelled' }, success: false })
    ).toBe('cancelled')
    expect(outputTail('a\nb\nc\n\n', 2)).toBe('b\nc')
  })

  const rtd = new ReadTheDocsStandIn({ stepDelayMs: 20, commands: false })
  beforeAll(() => rtd.start())
  afterAll(() => rtd.stop())

  const client = (over: Record<string, unknown> = {}, clock?: { t: number }) =>
    new ReadTheDocsClient(
      {
        project: 'shipyard-example',
        token: rtd.token,
        version: 'latest',
        apiUrl: new URL(`${rtd.url}/api/v3/`),
        wait: true,
        timeoutMs: 60_000,
        ...over
      },
      clock
        ? {
            now: () => clock.t,
            sleep: (ms) => {
              clock.t += ms
              return Promise.resolve()
            }
          }
        : { pollMs: 30 }
    )

  it('reads a failure without commands[] from success alone, and guesses the build page', async () => {
    rtd.failNextBuilds(1)
    const outcome = await client().publish()
    expect(outcome.status).toBe('failure')
    expect(outcome.failedCommand).toBeUndefined()
    expect(outcome.url).toBe(
      `${rtd.url}/projects/shipyard-example/builds/${outcome.buildId}/`
    )
    expect(
      summaryMarkdown({
        workspace: '/w',
        builder: 'html',
        warningsAsErrors: true,
        sphinxVersion: '9',
        environment: 'x',
        build: {
          exitCode: 0,
          outDir: '/w/docs/_build/html',
          doctreeDir: '',
          warnings: [],
          pages: 1,
          errorTail: '',
          stdout: '',
          durationMs: 1
        },
        failed: false,
        modules: [],
        apidocSources: [],
        bootstrapped: [],
        rtd: outcome
      })
    ).toContain('failed without naming the command')
  })

  it('times out on its clock, without waiting for real, after a last look', async () => {
    rtd.stepDelayMs = 600_000
    try {
      const clock = { t: 0 }
      const outcome = await client({ timeoutMs: 30_000 }, clock).publish()
      expect(outcome.status).toBe('timeout')
      expect(clock.t).toBe(30_000)
      expect(outcome.states).toEqual(['triggered'])
    } finally {
      rtd.stepDelayMs = 20
    }
  })

  it('reports a cancelled build', async () => {
    rtd.stepDelayMs = 600_000
    try {
      const c = client()
      const pending = c.publish()
      await new Promise((r) => setTimeout(r, 50))
      const running = rtd.received('/builds/$', 'POST').length
      expect(running).toBeGreaterThan(0)
      const id = Math.max(
        ...[1, 2, 3, 4, 5, 6].filter((n) => rtd.buildSnapshot(n))
      )
      rtd.cancelBuild(id)
      const outcome = await pending
      expect(outcome.status).toBe('cancelled')
    } finally {
      rtd.stepDelayMs = 20
    }
  })
})
