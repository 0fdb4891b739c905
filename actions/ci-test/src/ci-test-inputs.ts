import type { PythonRequest } from '@shipyard/action-kit'
import type { INSTALLERS, LINTERS, TEST_RUNNERS } from './constants.js'

export type Installer = (typeof INSTALLERS)[number]
export type Linter = (typeof LINTERS)[number]
export type TestRunner = (typeof TEST_RUNNERS)[number]

/** The inputs of ci-test, parsed, defaulted and validated by `getInputs()`. */
export interface CiTestInputs {
  /** The workspace every path is inside: `GITHUB_WORKSPACE`, else the current directory. Absolute. */
  workspace: string
  /** The Django project's directory (the one holding `manage.py`). Absolute, inside `workspace`. */
  workingDirectory: string
  /** The settings module (`mysite.settings`); `undefined`: the one `manage.py` sets. */
  djangoSettings?: string
  /** Which Python builds the virtual environment. */
  python: PythonRequest
  /**
   * Requirement files to install (`requirements*.txt`, `pyproject.toml`,
   * `Pipfile`). Absolute, existing, inside `workspace`. Empty: detect them in
   * `workingDirectory`.
   */
  requirements: string[]
  installer: Installer
  /** Where built environments are cached; `undefined`: the default location. Absolute. */
  cacheDir?: string
  lint: Linter
  testRunner: TestRunner
  /** Extra environment for the tests and checks; every value is secret (masked). */
  env: Record<string, string>
  /** The lowest total coverage accepted, in percent, 0 to 100. */
  coverageThreshold: number
  /** Run `manage.py check --deploy`, failing on warnings. */
  deployCheck: boolean
  /** Run `manage.py makemigrations --check --dry-run`. */
  migrationsCheck: boolean
}

/** When ci-test writes its coverage comment on the pull request. */
export type CommentMode = 'auto' | 'always' | 'never'

/** The inputs of the pull-request comment, read by `getCommentInputs()`. */
export interface CommentInputs {
  /** `auto`: on pull requests whose token may write; `always`; `never`. */
  mode: CommentMode
  /** The token the comment is written with; secret (masked), may be empty. */
  token: string
}
