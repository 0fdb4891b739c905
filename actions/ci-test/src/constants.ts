/** The names of the inputs, as action.yml declares them. */
export enum Inputs {
  WorkingDirectory = 'working-directory',
  DjangoSettings = 'django-settings',
  Python = 'python',
  Requirements = 'requirements',
  Installer = 'installer',
  CacheDir = 'cache-dir',
  Lint = 'lint',
  TestRunner = 'test-runner',
  Env = 'env',
  CoverageThreshold = 'coverage-threshold',
  DeployCheck = 'deploy-check',
  MigrationsCheck = 'migrations-check',
  /** Read by the kit's `run()` itself, before `getInputs()`. */
  SelfReportDsn = 'self-report-dsn'
}

/** The names of the outputs, as action.yml declares them. */
export enum Outputs {
  Tests = 'tests',
  Failures = 'failures',
  Errors = 'errors',
  Skipped = 'skipped',
  Coverage = 'coverage',
  LintErrors = 'lint-errors',
  JunitFile = 'junit-file',
  CoverageFile = 'coverage-file',
  PythonVersion = 'python-version'
}

export const INSTALLERS = ['auto', 'pip', 'uv'] as const
export const LINTERS = ['flake8', 'none'] as const
export const TEST_RUNNERS = ['auto', 'pytest', 'django'] as const
