#!/usr/bin/env node
// bench/growth: does ci-test and sphinx-docs's time per module stay flat as
// the project grows? (No quadratic parsing of reports, annotations or
// summaries.)
//
// A generated Django project: a copy of example/ (24 modules, 63 test
// functions) plus generated apps under example/generated/, each an installed
// Django app of 4 modules (package, AppConfig, functions, helpers; every one
// documented) and 10 tests, so that 10× and 100× have ten and a hundred times
// the example's modules and about as many times its tests. Some apps carry a
// flake8 finding (an unused import), a failing test or a docstring Sphinx
// warns about, so that the paths that parse, annotate and summarise findings
// do real work at every size.
//
// At 1×, 10× and 100× (fast mode: 2× only, per-module figures, no ratio),
// each of the bundled ci-test and sphinx-docs runs once as the runner runs
// it, with the profiler of bench/lib.mjs; ci-test's built environment is
// cached between sizes and runs (in .run/bench; an untimed run at 1× first
// builds or checks it), Sphinx builds from scratch each time. Measured per
// size and per module:
//
// - whole action: wall time (the tools' growth included);
// - our own code: the action's wall time minus its waits on child processes,
//   sockets and timers (the profiler's `own`), and the action process's own
//   CPU time (`cpu`, which the machine's load does not inflate);
// - report processing: the actions' own parsers timed in this process on that
//   size's real outputs (median of 5): ci-test's parseJunit,
//   parseCoverageJson and parseFlake8Output, sphinx-docs's parseWarnings and
//   locateWarnings.
//
// - Sphinx alone: after sphinx-docs, a plain sphinx-build (Django set up, as
//   a conf.py would) on what the action left in docs/, so that Sphinx's own
//   growth is told from the action's.
//
// Targets: per-module time at 100× / at 10× ≤ 1.5 for each figure, except
// sphinx-docs's whole action, judged by its ratio to Sphinx alone at 100×
// over the same at 10× (≤ 1.5); its per-module wall time is shown.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { register } from 'tsx/esm/api'
import {
  FAST,
  PROFILER_IMPORT,
  median,
  readProfiles,
  root,
  round,
  runBundle,
  timed,
  writeResults
} from './lib.mjs'

register()
const { parseJunit, parseCoverageJson } =
  await import('../actions/ci-test/src/tests.ts')
const { parseFlake8Output } = await import('../actions/ci-test/src/lint.ts')
const { parseWarnings, locateWarnings } =
  await import('../actions/sphinx-docs/src/warnings.ts')

const SIZES = FAST ? [2] : [1, 10, 100]
const MODULES_PER_APP = 4
const python = join(root, '.venv', 'bin', 'python')
if (!existsSync(python)) {
  process.stderr.write('bench/growth needs .venv: run make venv\n')
  process.exit(1)
}

const SKIP =
  /(^|[\\/])(\.reports|\.pytest_cache|__pycache__|db\.sqlite3|staticfiles|\.env)$/

/** The example's own modules: Python files outside tests and migrations. */
function countModules(dir) {
  let count = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.test(entry.name)) continue
    const full = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (entry.name !== 'tests' && entry.name !== 'migrations')
        count += countModules(full)
    } else if (entry.name.endsWith('.py') && !entry.name.startsWith('test_'))
      count++
  }
  return count
}

const BASE_MODULES = countModules(join(root, 'example'))

function appFiles(i) {
  const name = `app_${String(i).padStart(4, '0')}`
  const lint = i % 10 === 3 // an unused import: F401
  const failing = i % 25 === 7 // one test fails
  const badDoc = i % 10 === 5 // a docstring Sphinx warns about
  const title = name.replace('_', ' ')
  const logic = [
    `"""Arithmetic of ${title}, generated for the growth benchmark."""`,
    ...(lint ? ['import os', ''] : ['']),
    '',
    ...[0, 1, 2, 3, 4].flatMap((k) => [
      `def scale_${k}(value: int) -> int:`,
      `    """Return \`\`value\`\` times ${k + 2} plus ${i % 7}.`,
      '',
      `    :param value: the number to scale`,
      `    :returns: the scaled number`,
      ...(badDoc && k === 0
        ? ['', '    Bad list:', '      - an item', '    continued wrongly']
        : []),
      '    """',
      `    return value * ${k + 2} + ${i % 7}`,
      '',
      ''
    ])
  ]
  const helpers = [
    `"""Text helpers of ${title}."""`,
    '',
    '',
    'def label(value: int) -> str:',
    '    """Return ``value`` as a label."""',
    `    return f"${name}-{value}"`,
    '',
    '',
    'def is_even(value: int) -> bool:',
    '    """Return whether ``value`` is even."""',
    '    return value % 2 == 0',
    ''
  ]
  const tests = [
    `"""Tests of ${title}."""`,
    `from generated.${name} import helpers, logic`,
    '',
    '',
    ...[0, 1, 2, 3, 4].flatMap((k) => [
      `def test_scale_${k}():`,
      `    assert logic.scale_${k}(3) == ${3 * (k + 2) + (i % 7) + (failing && k === 4 ? 1 : 0)}`,
      '',
      ''
    ]),
    ...[0, 1, 2].flatMap((k) => [
      `def test_label_${k}():`,
      `    assert helpers.label(${k}) == "${name}-${k}"`,
      '',
      ''
    ]),
    'def test_even():',
    '    assert helpers.is_even(2)',
    '',
    '',
    'def test_odd():',
    '    assert not helpers.is_even(3)',
    ''
  ]
  const config = `App${String(i).padStart(4, '0')}Config`
  return {
    name,
    files: {
      '__init__.py': `"""Generated app ${title}."""\n`,
      'apps.py': [
        `"""Django configuration of ${title}."""`,
        'from django.apps import AppConfig',
        '',
        '',
        `class ${config}(AppConfig):`,
        `    """The ${title} application."""`,
        '',
        `    name = "generated.${name}"`,
        `    label = "${name}"`,
        ''
      ].join('\n'),
      'logic.py': logic.join('\n').replace(/\n+$/, '\n'),
      'helpers.py': helpers.join('\n'),
      'tests/__init__.py': '',
      'tests/test_logic.py': tests.join('\n').replace(/\n+$/, '\n')
    },
    lint,
    failing,
    badDoc
  }
}

/** A copy of example/ with the apps that make it `size` times as large. */
function generate(workspace, size) {
  const project = join(workspace, 'example')
  cpSync(join(root, 'example'), project, {
    recursive: true,
    filter: (source) => !SKIP.test(source)
  })
  const apps = Math.round(((size - 1) * BASE_MODULES) / MODULES_PER_APP)
  const expected = { apps, lint: 0, failing: 0, badDoc: 0 }
  const generated = join(project, 'generated')
  mkdirSync(generated)
  writeFileSync(
    join(generated, '__init__.py'),
    '"""Apps generated by bench/growth."""\n'
  )
  const names = []
  for (let i = 1; i <= apps; i++) {
    const app = appFiles(i)
    names.push(app.name)
    for (const [file, text] of Object.entries(app.files)) {
      const target = join(generated, app.name, file)
      mkdirSync(join(target, '..'), { recursive: true })
      writeFileSync(target, text)
    }
    for (const key of ['lint', 'failing', 'badDoc'])
      if (app[key]) expected[key]++
  }
  if (apps > 0) {
    const settings = join(project, 'shipyard_example', 'settings.py')
    writeFileSync(
      settings,
      readFileSync(settings, 'utf8') +
        '\n# Added by bench/growth.\nINSTALLED_APPS += [\n' +
        names.map((n) => `    "generated.${n}",\n`).join('') +
        ']\n'
    )
    const pyproject = join(project, 'pyproject.toml')
    const toml = readFileSync(pyproject, 'utf8')
    const testpaths = /^testpaths = \[(.*)\]$/m
    if (!testpaths.test(toml))
      throw new Error('example/pyproject.toml has no one-line testpaths')
    writeFileSync(
      pyproject,
      toml.replace(testpaths, (_, list) => `testpaths = [${list}, "generated"]`)
    )
  }
  return {
    modules: countModules(project),
    tests: countTests(project),
    expected
  }
}

function countTests(dir) {
  let count = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.test(entry.name)) continue
    const full = join(dir, entry.name)
    if (entry.isDirectory()) count += countTests(full)
    else if (/^test_.*\.py$/.test(entry.name))
      count += (readFileSync(full, 'utf8').match(/^\s*def test_/gm) ?? [])
        .length
  }
  return count
}

const tmp = mkdtempSync(join(tmpdir(), 'bench-growth-'))
// ci-test's built environments, kept between runs of the benchmark (ci-test
// keys them on the Python version and the requirements).
const cacheDir = join(root, '.run', 'bench', 'ci-test-cache')
const profiles = join(tmp, 'profiles')

function actionEnv(workspace, runnerTemp) {
  mkdirSync(runnerTemp, { recursive: true })
  const env = {}
  for (const key of ['PATH', 'HOME', 'LANG', 'PIP_INDEX_URL', 'PIP_CERT'])
    if (process.env[key] !== undefined) env[key] = process.env[key]
  return {
    ...env,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: runnerTemp,
    NODE_OPTIONS: PROFILER_IMPORT,
    SHIPYARD_BENCH_PROFILE: profiles
  }
}

/** Runs one action on `workspace`; its result and its profile. */
async function run(action, workspace, label, inputs) {
  const runnerTemp = join(tmp, `runner-${action}-${label}`)
  const started = Date.now()
  const result = await runBundle(action, {
    dir: join(tmp, `out-${action}-${label}`),
    cwd: workspace,
    env: actionEnv(workspace, runnerTemp),
    inputs
  })
  const mine = readdirSync(profiles).filter((f) => f.startsWith(`${action}-`))
  const profile = readProfiles(profiles, mine)[action]
  if (!profile || profile.startedAt < started - 1000)
    throw new Error(`no profile of ${action} (${label})`)
  process.stdout.write(
    `${label} ${action}: exit ${result.code}, ${round(profile.wallMs / 1000)} s, own ${round(profile.ownMs / 1000)} s\n`
  )
  return { result, profile, runnerTemp }
}

const ciInputs = {
  'working-directory': 'example',
  'cache-dir': cacheDir,
  python,
  installer: 'pip'
}
const docsInputs = {
  'docs-dir': 'example/docs',
  'source-dir': 'example',
  bootstrap: 'true',
  'django-settings': 'shipyard_example.settings',
  python
}

/** Median ms of `fn` over 5 calls. */
function timeFn(fn) {
  const times = []
  for (let i = 0; i < 5; i++) {
    const started = process.hrtime.bigint()
    fn()
    times.push(Number(process.hrtime.bigint() - started) / 1e6)
  }
  return median(times)
}

const FLAKE8_LINE = /^\S+\.py:\d+:\d+: [A-Z]+\d+ /
const SPHINX_LINE = /: (WARNING|ERROR|CRITICAL|SEVERE): /

const sizes = []
try {
  if (!FAST) {
    // Builds ci-test's environment into the cache and warms the file cache.
    const workspace = join(tmp, 'warm-up')
    generate(workspace, 1)
    await run('ci-test', workspace, 'warm-up', ciInputs)
  }
  for (const size of SIZES) {
    const workspace = join(tmp, `size-${size}`)
    const shape = generate(workspace, size)
    process.stdout.write(
      `${size}×: ${shape.modules} modules, ${shape.tests} tests, ${shape.expected.apps} generated apps\n`
    )
    const ci = await run('ci-test', workspace, `${size}×`, ciInputs)
    const docs = await run('sphinx-docs', workspace, `${size}×`, docsInputs)

    // The outputs prove the generated project was run in full.
    const tests = Number(ci.result.outputs['tests'])
    const failures = Number(ci.result.outputs['failures'])
    const lintErrors = Number(ci.result.outputs['lint-errors'])
    const warnings = Number(docs.result.outputs['warnings'])
    if (tests < shape.tests || failures !== shape.expected.failing)
      throw new Error(
        `${size}×: ci-test ran ${tests} tests with ${failures} failures; ` +
          `${shape.tests} tests with ${shape.expected.failing} failing were generated\n${ci.result.stdout.slice(-3000)}`
      )
    if (lintErrors < shape.expected.lint)
      throw new Error(
        `${size}×: ${lintErrors} lint findings, fewer than ${shape.expected.lint}`
      )
    if (!(Number(docs.result.outputs['pages']) > shape.expected.apps))
      throw new Error(
        `${size}×: sphinx-docs wrote ${docs.result.outputs['pages']} pages for ${shape.expected.apps} apps\n${docs.result.stdout.slice(-3000)}${docs.result.stderr.slice(-2000)}`
      )

    // Sphinx alone on what the action left in docs/ (its conf.py, index and
    // apidoc pages): the build a user would run by hand, to tell Sphinx's own
    // growth from the action's.
    const rawDocs = join(tmp, `raw-docs-${size}`)
    const rawSphinxMs = timed(
      python,
      [
        '-c',
        'import sys, django; django.setup()\n' +
          'from sphinx.cmd.build import main; sys.exit(main(sys.argv[1:]))',
        '-q',
        '-b',
        'html',
        '-d',
        join(rawDocs, 'doctrees'),
        join(workspace, 'example', 'docs'),
        join(rawDocs, 'html')
      ],
      {
        cwd: join(workspace, 'example'),
        env: {
          ...process.env,
          DJANGO_SETTINGS_MODULE: docsInputs['django-settings'],
          PYTHONPATH: join(workspace, 'example')
        }
      }
    )
    rmSync(rawDocs, { recursive: true, force: true })

    // Report processing on this size's outputs, in this process.
    const work = join(ci.runnerTemp, 'shipyard-ci-test')
    const junit = readFileSync(join(work, 'junit.xml'), 'utf8')
    const coverage = readFileSync(join(work, 'coverage.json'), 'utf8')
    const flake8 = ci.result.stdout
      .split('\n')
      .filter((l) => FLAKE8_LINE.test(l))
      .join('\n')
    const sphinxText = `${docs.result.stdout}\n${docs.result.stderr}`
      .split('\n')
      .filter((l) => SPHINX_LINE.test(l))
      .join('\n')
    const parsed = parseJunit(junit)
    const findings = parseFlake8Output(flake8)
    const sphinxWarnings = parseWarnings(sphinxText)
    if (findings.length < shape.expected.lint)
      throw new Error(`${size}×: ${findings.length} flake8 lines in the log`)
    const ciParseMs = timeFn(() => {
      parseJunit(junit)
      parseCoverageJson(coverage)
      parseFlake8Output(flake8)
    })
    const docsDir = join(workspace, 'example', 'docs')
    const docsParseMs = timeFn(() =>
      locateWarnings(parseWarnings(sphinxText), docsDir, workspace)
    )
    sizes.push({
      size,
      modules: shape.modules,
      tests: shape.tests,
      generatedApps: shape.expected.apps,
      junitCases: parsed.cases.length,
      flake8Findings: findings.length,
      sphinxWarnings: sphinxWarnings.length,
      docsWarningsOutput: warnings,
      ci: {
        exit: ci.result.code,
        wallMs: ci.profile.wallMs,
        ownMs: ci.profile.ownMs,
        cpuMs: ci.profile.cpuMs,
        parseMs: ciParseMs
      },
      docs: {
        exit: docs.result.code,
        wallMs: docs.profile.wallMs,
        ownMs: docs.profile.ownMs,
        cpuMs: docs.profile.cpuMs,
        parseMs: docsParseMs,
        rawSphinxMs
      }
    })
    rmSync(workspace, { recursive: true, force: true })
  }
} finally {
  rmSync(tmp, { recursive: true, force: true })
}

// Per-module figures and the ratio of the largest size to the one before.
const [large, small] = sizes.slice(-2).reverse()
const perModule = (s, action, key) => s[action][key] / s.modules
const rows = []
for (const action of ['ci', 'docs']) {
  const label = action === 'ci' ? 'ci-test' : 'sphinx-docs'
  for (const [key, what] of [
    ['wallMs', 'whole action'],
    ['ownMs', 'our own code (wall − waits)'],
    ['cpuMs', 'our own code (CPU time)'],
    ['parseMs', 'report processing']
  ]) {
    const digits = key === 'parseMs' ? 4 : 1
    if (!small) {
      // Fast mode: one size, its figure per module.
      rows.push({
        name: `${label}, ${what}: per module at ${large.size}×`,
        figure: round(perModule(large, action, key), digits),
        unit: 'ms',
        target: 'info',
        pass: true,
        note: `${round(large[action][key], 0)} ms, ${large.modules} modules`
      })
      continue
    }
    const ratio = perModule(large, action, key) / perModule(small, action, key)
    if (action === 'docs' && key === 'wallMs') {
      // Sphinx's own build grows faster than the pages it writes: judged is
      // how the action's time grows beyond it, the ratio of the action to
      // Sphinx alone on the same sources at each size.
      const share = (s) => s.docs.wallMs / s.docs.rawSphinxMs
      const beyond = share(large) / share(small)
      rows.push(
        {
          name: `${label}, ${what}: per module at ${large.size}× / at ${small.size}×`,
          figure: round(ratio),
          unit: '×',
          target: 'info',
          pass: true,
          note: sizes
            .map(
              (s) =>
                `${s.size}× ${round(perModule(s, action, key), 1)} ms/module, Sphinx alone ${round(s.docs.rawSphinxMs / s.modules, 1)} ms/module`
            )
            .join('; ')
        },
        {
          name: `${label}, whole action / Sphinx alone: at ${large.size}× over at ${small.size}×`,
          figure: round(beyond),
          unit: '×',
          target: '≤ 1.5',
          pass: beyond <= 1.5,
          note: sizes
            .map(
              (s) =>
                `${s.size}× ${round(s.docs.wallMs, 0)} ms / ${round(s.docs.rawSphinxMs, 0)} ms = ${round(share(s))}×`
            )
            .join('; ')
        }
      )
      continue
    }
    rows.push({
      name: `${label}, ${what}: per module at ${large.size}× / at ${small.size}×`,
      figure: round(ratio),
      unit: '×',
      target: '≤ 1.5',
      pass: ratio <= 1.5,
      note: sizes
        .map(
          (s) =>
            `${s.size}× ${round(perModule(s, action, key), digits)} ms/module (${round(s[action][key], 0)} ms, ${s.modules} modules)`
        )
        .join('; ')
    })
  }
}
writeResults('growth', rows, { sizes })
