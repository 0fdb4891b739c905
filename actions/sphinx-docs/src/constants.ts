/** The names of the inputs, as action.yml declares them. */
export enum Inputs {
  DocsDir = 'docs-dir',
  SourceDir = 'source-dir',
  ApidocOutput = 'apidoc-output',
  ApidocExclude = 'apidoc-exclude',
  ApidocOptions = 'apidoc-options',
  Builder = 'builder',
  WarningsAsErrors = 'warnings-as-errors',
  Nitpicky = 'nitpicky',
  Linkcheck = 'linkcheck',
  Requirements = 'requirements',
  DjangoSettings = 'django-settings',
  Python = 'python',
  Bootstrap = 'bootstrap',
  RtdProject = 'rtd-project',
  RtdToken = 'rtd-token',
  RtdVersion = 'rtd-version',
  RtdApiUrl = 'rtd-api-url',
  RtdWait = 'rtd-wait',
  RtdTimeout = 'rtd-timeout',
  /** Read by the kit's `run()` itself, before `getInputs()`. */
  SelfReportDsn = 'self-report-dsn'
}

/** The names of the outputs, as action.yml declares them. */
export enum Outputs {
  HtmlDir = 'html-dir',
  Warnings = 'warnings',
  Pages = 'pages',
  ModulesDocumented = 'modules-documented',
  RtdBuildId = 'rtd-build-id',
  RtdStatus = 'rtd-status',
  RtdUrl = 'rtd-url'
}

/** Sphinx's own builders (`linkcheck` has its own input). */
export const BUILDERS = [
  'html',
  'dirhtml',
  'singlehtml',
  'epub',
  'latex',
  'text',
  'man',
  'texinfo',
  'xml',
  'pseudoxml',
  'json',
  'pickle',
  'gettext',
  'changes',
  'doctest',
  'coverage'
] as const

export const LINKCHECK_MODES = ['false', 'true', 'strict'] as const

/** Where `conf.py` is looked for when `docs-dir` is empty, in this order. */
export const DOCS_DIR_CANDIDATES = ['docs', 'docs/source', 'doc', 'doc/source']

/** The source directory used when present and `source-dir` is empty. */
export const DEFAULT_SOURCE_DIR = 'sphinx_src'

/** The default of `apidoc-exclude`, as action.yml gives it. */
export const DEFAULT_APIDOC_EXCLUDE = [
  '*/migrations/*',
  '*/tests/*',
  '*/tests.py',
  '*/test_*.py',
  '*/settings.py',
  '*/settings/*'
]
