/**
 * The committed bundle, run as the runner runs it, against real Sphinx (the
 * repository's .venv, given through the `python` input) and the Read the Docs
 * stand-in.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { ReadTheDocsStandIn } from '@shipyard/stand-ins'
import {
  allFileContents,
  copyRepoDocs,
  runAction,
  smallProject,
  VENV_PYTHON,
  type ActionRun
} from './run-action.js'

const TOKEN = 'rtd-tok-5ecret-abcdef0123456789'
const python = VENV_PYTHON
const cleanup: string[] = []
/** Everything every run printed or wrote, scanned for the token at the end. */
const seen: string[] = []

function remember(run: ActionRun, ...dirs: string[]): ActionRun {
  seen.push(
    run.stdout,
    run.stderr,
    run.summary,
    JSON.stringify(run.outputs),
    run.tempFiles
  )
  for (const dir of dirs) seen.push(allFileContents(dir))
  return run
}

function track<T extends string>(dir: T): T {
  cleanup.push(dir)
  return dir
}

function edit(file: string, from: string, to: string): void {
  const text = fs.readFileSync(file, 'utf8')
  expect(text).toContain(from)
  fs.writeFileSync(file, text.replace(from, to))
}

function lineOf(file: string, needle: string): number {
  return (
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((line) => line.includes(needle)) + 1
  )
}

afterAll(() => {
  for (const dir of cleanup) fs.rmSync(dir, { recursive: true, force: true })
})

describe("the repository's own docs", () => {
  let workspace: string
  beforeAll(() => {
    workspace = track(copyRepoDocs())
  })

  it('build green: outputs, summary, the site, and a warm second build', async () => {
    const run = remember(
      await runAction({ workspace, inputs: { python } }),
      workspace
    )
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    const htmlDir = path.join(workspace, 'docs', '_build', 'html')
    expect(run.outputs).toEqual({
      'html-dir': htmlDir,
      warnings: '0',
      pages: run.outputs['pages'],
      'modules-documented': '13'
    })
    expect(Number(run.outputs['pages'])).toBeGreaterThanOrEqual(6)
    expect(fs.existsSync(path.join(htmlDir, 'index.html'))).toBe(true)
    expect(
      fs.existsSync(path.join(htmlDir, 'api', 'example_app.catalog.html'))
    ).toBe(true)
    expect(run.stdout).toContain(
      'The site is in docs/_build/html: open docs/_build/html/index.html'
    )
    expect(run.summary).toContain('## sphinx-docs: ✅ built')
    expect(run.summary).toContain('| modules documented | 13 |')
    expect(run.summary).toContain('`example_app.catalog.models`')
    expect(run.annotations).toEqual([
      {
        kind: 'notice',
        props: { title: 'Read the Docs skipped' },
        message: 'Read the Docs was not called: rtd-project is empty.'
      }
    ])
    // The settings and migrations are not documented (excluded by default).
    expect(run.summary).not.toContain('migrations')

    const warm = remember(await runAction({ workspace, inputs: { python } }))
    expect(warm.status).toBe(0)
    expect(warm.stdout).not.toContain('Reading every document again')
    expect(warm.stdout).toContain(
      'sphinx-apidoc: nothing changed in sphinx_src into docs/api since the last run; its 5 file(s) are kept.'
    )
    expect(warm.outputs['modules-documented']).toBe('13')
    expect(warm.stdout).toMatch(
      /0 added, 0 changed, 0 removed|no targets are out of date/
    )
  })

  it('fails on a bad docstring and a broken reference, each annotated at its file and line', async () => {
    const views = path.join(workspace, 'example', 'catalog', 'views.py')
    edit(
      views,
      '"""Show one available product."""',
      '"""Show one available product.\n\n    Shown *with emphasis that never ends.\n    """'
    )
    const quickstart = path.join(workspace, 'docs', 'quickstart.rst')
    fs.appendFileSync(quickstart, '\nSee :ref:`a-label-that-does-not-exist`.\n')
    const run = remember(await runAction({ workspace, inputs: { python } }))
    expect(run.status).toBe(1)
    expect(run.outputs['warnings']).toBe('2')
    const errors = run.annotations.filter((a) => a.kind === 'error')
    expect(errors).toContainEqual({
      kind: 'error',
      props: {
        title: 'Sphinx warning [docutils]',
        file: 'example/catalog/views.py',
        line: String(lineOf(views, 'Shown *with emphasis'))
      },
      message: 'Inline emphasis start-string without end-string.'
    })
    expect(errors).toContainEqual({
      kind: 'error',
      props: {
        title: 'Sphinx warning [ref.ref]',
        file: 'docs/quickstart.rst',
        line: String(lineOf(quickstart, 'a-label-that-does-not-exist'))
      },
      message: "undefined label: 'a-label-that-does-not-exist'"
    })
    expect(run.stdout).toContain(
      '::error::The Sphinx build failed: 2 warning(s) treated as errors'
    )
    expect(run.summary).toContain('## sphinx-docs: ❌ failed')
    expect(run.summary).toMatch(
      /\| docs\/quickstart\.rst:\d+ \| ref\.ref \| undefined label/
    )

    // The same warnings are found again by the next build (Sphinx would not
    // repeat them from its saved environment), and without -W they are
    // warnings that do not fail the step.
    const lenient = remember(
      await runAction({
        workspace,
        inputs: { python, 'warnings-as-errors': 'false' }
      })
    )
    expect(lenient.stdout).toContain('Reading every document again (-E)')
    expect(lenient.status).toBe(0)
    expect(lenient.outputs['warnings']).toBe('2')
    expect(
      lenient.annotations.filter((a) => a.kind === 'warning')
    ).toHaveLength(2)
  })

  it('reports a module that cannot be imported, at the directive that asked for it', async () => {
    const broken = path.join(
      workspace,
      'sphinx_src',
      'example_app',
      'broken.py'
    )
    fs.writeFileSync(broken, '"""Broken."""\nimport a_module_nobody_wrote\n')
    const run = remember(await runAction({ workspace, inputs: { python } }))
    expect(run.status).toBe(1)
    const failure = run.annotations.find((a) =>
      a.message.startsWith("autodoc could not import 'example_app.broken'")
    )
    expect(failure).toEqual({
      kind: 'error',
      props: {
        title: 'Sphinx warning [autodoc.import_object]',
        file: 'docs/api/example_app.rst',
        line: expect.stringMatching(/^\d+$/) as unknown as string
      },
      message:
        "autodoc could not import 'example_app.broken': ModuleNotFoundError: No module named 'a_module_nobody_wrote'"
    })

    // The module removed (and the docstring mended), the API pages are
    // written again without it and the build is green.
    fs.rmSync(broken)
    const views = path.join(workspace, 'example', 'catalog', 'views.py')
    edit(views, '\n\n    Shown *with emphasis that never ends.\n    ', '')
    const quickstart = path.join(workspace, 'docs', 'quickstart.rst')
    edit(quickstart, '\nSee :ref:`a-label-that-does-not-exist`.\n', '')
    const mended = remember(await runAction({ workspace, inputs: { python } }))
    expect(mended.stdout).toContain(
      'sphinx-apidoc: documenting sphinx_src into docs/api'
    )
    expect(mended.status).toBe(0)
    expect(mended.outputs['warnings']).toBe('0')
    expect(
      fs.readFileSync(
        path.join(workspace, 'docs', 'api', 'example_app.rst'),
        'utf8'
      )
    ).not.toContain('broken')
  })
})

describe('bootstrap', () => {
  it('generates a minimal Sphinx project where there is none, builds it and says so', async () => {
    const workspace = track(smallProject({ docs: false }))
    const refused = remember(await runAction({ workspace, inputs: { python } }))
    expect(refused.status).toBe(1)
    expect(refused.stdout).toContain(
      "::error::Input required and not supplied: 'docs-dir' (no conf.py in docs, docs/source, doc, doc/source)"
    )
    expect(fs.existsSync(path.join(workspace, 'docs'))).toBe(false)

    const run = remember(
      await runAction({ workspace, inputs: { python, bootstrap: 'true' } }),
      workspace
    )
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    for (const file of ['conf.py', 'index.rst', '_static/.gitkeep']) {
      expect(fs.existsSync(path.join(workspace, 'docs', file))).toBe(true)
    }
    expect(run.annotations).toContainEqual({
      kind: 'notice',
      props: { title: 'Sphinx project generated' },
      message:
        'There was no conf.py in docs: generated a minimal Sphinx project (docs/conf.py, docs/index.rst, docs/_static/.gitkeep, docs/_templates/.gitkeep) and built it. Commit it to keep it.'
    })
    // mylib and mylib.shapes; mylib/tests.py is excluded by the default patterns.
    expect(run.outputs['modules-documented']).toBe('2')
    expect(run.outputs['warnings']).toBe('0')
    const site = fs.readFileSync(
      path.join(workspace, 'docs', '_build', 'html', 'api', 'mylib.html'),
      'utf8'
    )
    expect(site).toContain('Return a greeting for')
    expect(site).toContain('The area.')
    expect(run.summary).toContain('a minimal Sphinx project was generated')
  })
})

describe('link check', () => {
  it('reports a broken link without failing, and fails on it when strict', async () => {
    const workspace = track(smallProject())
    fs.appendFileSync(
      path.join(workspace, 'docs', 'index.rst'),
      '\nSee `nothing here <http://127.0.0.1:9/nowhere>`_.\n'
    )
    const report = remember(
      await runAction({ workspace, inputs: { python, linkcheck: 'true' } })
    )
    expect(report.status).toBe(0)
    const broken = report.annotations.filter((a) =>
      a.props['title']?.startsWith('Broken link')
    )
    expect(broken).toHaveLength(1)
    expect(broken[0]).toMatchObject({
      kind: 'warning',
      props: { file: 'docs/index.rst', line: '10' }
    })
    expect(broken[0]?.message).toContain('http://127.0.0.1:9/nowhere')
    expect(report.summary).toContain('1 broken (reported, not failing)')

    const strict = remember(
      await runAction({ workspace, inputs: { python, linkcheck: 'strict' } })
    )
    expect(strict.status).toBe(1)
    expect(strict.stdout).toContain(
      '::error::1 broken link(s) (linkcheck: strict; see the annotations).'
    )
  })
})

describe('Read the Docs', () => {
  const rtd = new ReadTheDocsStandIn({
    token: TOKEN,
    stepDelayMs: 100,
    projects: [{ slug: 'mylib' }]
  })
  let workspace: string
  let api: string
  beforeAll(async () => {
    await rtd.start()
    api = `${rtd.url}/api/v3/`
    workspace = track(smallProject())
  })
  afterAll(() => rtd.stop())

  const inputs = (extra: Record<string, string> = {}) => ({
    python,
    'rtd-project': 'mylib',
    'rtd-token': TOKEN,
    'rtd-api-url': api,
    ...extra
  })

  it('triggers the build, waits for it, and links it', async () => {
    const run = remember(
      await runAction({ workspace, inputs: inputs() }),
      workspace
    )
    expect(run.status).toBe(0)
    const id = run.outputs['rtd-build-id']
    expect(id).toMatch(/^\d+$/)
    expect(run.outputs['rtd-status']).toBe('success')
    expect(run.outputs['rtd-url']).toBe(
      `${rtd.url}/projects/mylib/builds/${id}/`
    )
    expect(rtd.buildSnapshot(Number(id))).toMatchObject({ success: true })
    expect(run.summary).toContain(
      `[#${id}](${rtd.url}/projects/mylib/builds/${id}/)`
    )
    expect(run.summary).toMatch(/\| states \| triggered( → \w+)* → finished \|/)
    expect(run.summary).toContain('<https://mylib.readthedocs.io/en/latest/>')
    const trigger = rtd.received('/builds/$', 'POST')
    expect(trigger).toHaveLength(1)
  })

  it('fails with the failing command and the end of its output', async () => {
    rtd.failNextBuilds(1, 'mylib')
    const run = remember(await runAction({ workspace, inputs: inputs() }))
    expect(run.status).toBe(1)
    expect(run.outputs['rtd-status']).toBe('failure')
    expect(run.stdout).toMatch(
      /::error::The Read the Docs build \d+ failed: `python -m sphinx -T -W --keep-going -b html .*` exited with 1/
    )
    expect(run.summary).toContain('The command that failed (exit code 1):')
    expect(run.summary).toContain(
      'index.rst:12: WARNING: undefined label: missing'
    )
  })

  it('waits out a rate limit (429 with Retry-After) on the trigger', async () => {
    const before = rtd.received('/builds/$', 'POST').length
    rtd.addFault({
      kind: 'rate-limit',
      method: 'POST',
      path: '/builds/$',
      retryAfter: 1
    })
    const run = remember(await runAction({ workspace, inputs: inputs() }))
    expect(run.status).toBe(0)
    expect(run.outputs['rtd-status']).toBe('success')
    const posts = rtd.received('/builds/$', 'POST').slice(before)
    expect(posts.map((r) => r.status)).toEqual([429, 202])
    expect(run.stdout).toContain('Read the Docs answered 429')
  })

  it('does not wait when rtd-wait is false', async () => {
    const run = remember(
      await runAction({ workspace, inputs: inputs({ 'rtd-wait': 'false' }) })
    )
    expect(run.status).toBe(0)
    expect(run.outputs['rtd-status']).toBe('triggered')
  })

  it('gives up at rtd-timeout, saying so', async () => {
    rtd.stepDelayMs = 60_000
    try {
      const started = Date.now()
      const run = remember(
        await runAction({ workspace, inputs: inputs({ 'rtd-timeout': '10s' }) })
      )
      expect(run.status).toBe(1)
      expect(run.outputs['rtd-status']).toBe('timeout')
      expect(run.stdout).toMatch(
        /::error::The Read the Docs build \d+ did not finish within 10 s/
      )
      expect(Date.now() - started).toBeLessThan(30_000)
    } finally {
      rtd.stepDelayMs = 100
    }
  }, 60_000)

  it('names a refused token as a configuration mistake', async () => {
    const run = remember(
      await runAction({
        workspace,
        inputs: inputs({ 'rtd-token': 'not-the-token-at-all' })
      })
    )
    expect(run.status).toBe(1)
    expect(run.stdout).toContain(
      '::error::Read the Docs did not start the build: the token in rtd-token was refused.'
    )
  })
})

describe('bad inputs', () => {
  it.each([
    [{ builder: 'pdf' }, 'Invalid value for input \'builder\': "pdf"'],
    [
      { 'rtd-timeout': 'soon', 'rtd-project': 'p', 'rtd-token': TOKEN },
      'Invalid value for input \'rtd-timeout\': "soon"'
    ],
    [
      { 'docs-dir': 'handbook' },
      'Invalid value for input \'docs-dir\': "handbook"'
    ],
    [{ 'rtd-project': 'mylib' }, "Input required and not supplied: 'rtd-token'"]
  ])('%j is refused before anything runs', async (given, message) => {
    const workspace = track(smallProject())
    const runnerTemp = path.join(
      workspace,
      '..',
      `${path.basename(workspace)}-temp`
    )
    track(runnerTemp)
    const run = remember(
      await runAction({
        workspace,
        runnerTemp,
        inputs: { python, ...given }
      })
    )
    expect(run.status).toBe(1)
    expect(run.stdout).toContain(`::error::${message}`)
    expect(fs.existsSync(path.join(workspace, 'docs', '_build'))).toBe(false)
    expect(fs.existsSync(path.join(workspace, 'docs', 'api'))).toBe(false)
    expect(fs.existsSync(runnerTemp)).toBe(false)
  })
})

describe('secrets', () => {
  it('never shows the Read the Docs token anywhere', () => {
    expect(seen.length).toBeGreaterThan(20)
    const everything = seen.join('\n')
    // The runner's own mask command is the one place the value may appear.
    const shown = everything
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n')
    expect(shown).not.toContain(TOKEN)
    expect(everything).toContain(`::add-mask::${TOKEN}`)
    expect(os.tmpdir()).toBeTruthy()
  })
})

describe('the docs environment', () => {
  it('creates a virtual environment from the docs requirements, pip pointed at its cache, and reuses it', async () => {
    const workspace = track(smallProject())
    fs.writeFileSync(
      path.join(workspace, 'docs', 'requirements.txt'),
      'Sphinx==9.0.4\n'
    )
    const pipCache = track(fs.mkdtempSync(path.join(os.tmpdir(), 'pip-cache-')))
    const runnerTemp = track(
      fs.mkdtempSync(path.join(os.tmpdir(), 'sphinx-docs-temp-'))
    )
    const env = { PIP_CACHE_DIR: pipCache }
    // The interpreter on PATH, not a virtual environment: the action makes one.
    const inputs = { python: 'python3' }

    const cold = remember(
      await runAction({
        workspace,
        inputs,
        env,
        runnerTemp,
        timeoutMs: 240_000
      })
    )
    expect(cold.status).toBe(0)
    const venv = /Creating the docs environment (\S+) with Python/.exec(
      cold.stdout
    )?.[1]
    expect(venv).toMatch(/shipyard-sphinx-docs[\\/]venv-[0-9a-f]{16}$/)
    expect(venv?.startsWith(runnerTemp)).toBe(true)
    expect(cold.stdout).toContain(`pip's download cache: ${pipCache}`)
    expect(cold.stdout).toMatch(
      /pip install --disable-pip-version-check -r \S+requirements\.txt/
    )
    expect(cold.summary).toMatch(/\| Sphinx \| 9\.0\.4 \(created .*venv-/)
    expect(cold.outputs['modules-documented']).toBe('2')

    // The same runner again: the environment itself is reused.
    const warm = remember(
      await runAction({ workspace, inputs, env, runnerTemp })
    )
    expect(warm.status).toBe(0)
    expect(warm.stdout).toContain(`Reusing the docs environment ${venv}`)
    expect(warm.stdout).not.toContain('pip install')
  }, 300_000)
})

describe('django-settings', () => {
  it('sets Django up so that autodoc can import models', async () => {
    const workspace = track(smallProject({ docs: false }))
    fs.rmSync(path.join(workspace, 'mylib'), { recursive: true })
    const write = (relative: string, text: string): void => {
      fs.mkdirSync(path.dirname(path.join(workspace, relative)), {
        recursive: true
      })
      fs.writeFileSync(path.join(workspace, relative), text)
    }
    write('site_pkg/__init__.py', '')
    write(
      'site_pkg/settings.py',
      "SECRET_KEY = 'docs-only'\nINSTALLED_APPS = ['django.contrib.contenttypes', 'shop']\nDATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': ':memory:'}}\nUSE_TZ = True\n"
    )
    write('shop/__init__.py', '"""The shop."""\n')
    write(
      'shop/models.py',
      '"""The shop\'s models."""\nfrom django.db import models\n\n\nclass Product(models.Model):\n    """Something for sale."""\n\n    name = models.CharField(max_length=80)\n'
    )
    write(
      'docs/conf.py',
      "project = 'shop'\nextensions = ['sphinx.ext.autodoc']\nexclude_patterns = ['_build']\n"
    )
    write('docs/index.rst', 'shop\n====\n\n.. toctree::\n\n   api/modules\n')

    const without = remember(await runAction({ workspace, inputs: { python } }))
    expect(without.status).toBe(1)
    expect(
      without.annotations.some((a) =>
        /autodoc could not import 'shop\.models': .*(ImproperlyConfigured|AppRegistryNotReady)/.test(
          a.message
        )
      )
    ).toBe(true)

    const run = remember(
      await runAction({
        workspace,
        inputs: { python, 'django-settings': 'site_pkg.settings' }
      })
    )
    expect(run.status).toBe(0)
    // shop, shop.models, site_pkg (its settings.py is excluded by default).
    expect(run.outputs['modules-documented']).toBe('3')
    const page = fs.readFileSync(
      path.join(workspace, 'docs', '_build', 'html', 'api', 'shop.html'),
      'utf8'
    )
    expect(page).toContain('Something for sale.')
  })
})
