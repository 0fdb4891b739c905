import type { PythonRequest } from '@shipyard/action-kit'
import type { BUILDERS } from './constants.js'

export type Builder = (typeof BUILDERS)[number]
/** `off`: links not checked; `report`: broken links are warnings only; `fail`: they fail the step. */
export type LinkcheckMode = 'off' | 'report' | 'fail'

/** The Read the Docs build triggered after the local one. */
export interface ReadTheDocs {
  /** The project slug. */
  project: string
  /** The API token. Secret (masked). */
  token: string
  /** The version slug to build. */
  version: string
  /** The API v3 base URL. */
  apiUrl: URL
  /** Wait for the build to finish and fail with it. */
  wait: boolean
  /** How long to wait, in ms. */
  timeoutMs: number
}

/** The inputs of sphinx-docs, parsed, defaulted and validated by `getInputs()`. */
export interface SphinxDocsInputs {
  /** The workspace every path is inside: `GITHUB_WORKSPACE`, else the current directory. Absolute. */
  workspace: string
  /**
   * The Sphinx source directory. Absolute, inside the workspace; it holds a
   * `conf.py` unless `bootstrap` is on (then it may not exist yet).
   */
  docsDir: string
  /** Generate a minimal Sphinx project in `docsDir` when it has no `conf.py`. */
  bootstrap: boolean
  /** What sphinx-apidoc documents. Absolute, an existing directory; `undefined`: the project's Python packages. */
  sourceDir?: string
  /** Where sphinx-apidoc writes. Absolute, inside `docsDir`. */
  apidocOutput: string
  /** fnmatch patterns sphinx-apidoc leaves out. */
  apidocExclude: string[]
  /** Extra sphinx-apidoc options, each `--flag` or `--flag=value`. */
  apidocOptions: string[]
  builder: Builder
  warningsAsErrors: boolean
  nitpicky: boolean
  linkcheck: LinkcheckMode
  /** Requirement files. Absolute, existing, inside the workspace. Empty: detect the docs requirements. */
  requirements: string[]
  /** The settings module set up before autodoc runs; `undefined`: Django is not set up. */
  djangoSettings?: string
  /** Which Python builds the docs environment. */
  python: PythonRequest
  /** `undefined`: Read the Docs is not called. */
  readTheDocs?: ReadTheDocs
}
