/**
 * The Python environment Sphinx runs in. An interpreter that is already a
 * virtual environment with Sphinx (the `python` input pointing at a project's
 * `.venv`) is used as it is. Otherwise the docs requirements are installed into
 * a virtual environment under `RUNNER_TEMP`, named after a hash of the
 * interpreter and the requirement files, so that a second run in the same job
 * reuses it; pip's own download cache (`PIP_CACHE_DIR`, else pip's default)
 * makes a fresh one quick when actions/cache or setup-python's `cache: pip`
 * keeps it between jobs.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as core from '@actions/core'
import {
  ConfigurationError,
  errorMessage,
  exec,
  isFile,
  which,
  type PythonRequest
} from '@shipyard/action-kit'

/** Where the docs requirements are looked for when `requirements` is empty, in this order (after `requirements.txt` in docs-dir). */
export const REQUIREMENTS_CANDIDATES = [
  'docs/requirements.txt',
  'doc/requirements.txt',
  'requirements-docs.txt',
  'requirements/docs.txt'
]

const READY_STAMP = '.shipyard-ready'

export interface PythonEnvironment {
  /** The interpreter that runs Sphinx. */
  python: string
  sphinxVersion: string
  pythonVersion: string
  /** `given`: the interpreter's own environment; `created` or `reused`: a virtual environment of ours. */
  origin: 'given' | 'created' | 'reused'
  /** The virtual environment's directory, or the interpreter when given. */
  location: string
  /** The requirement files installed (absolute). */
  requirements: string[]
}

interface Probe {
  version: string
  executable: string
  venv: boolean
  sphinx: string | null
}

const PROBE = [
  'import json, sys',
  'try:',
  '    import sphinx',
  '    v = sphinx.__version__',
  'except Exception:',
  '    v = None',
  'print(json.dumps({"version": "%d.%d.%d" % sys.version_info[:3], "executable": sys.executable, "venv": sys.prefix != sys.base_prefix, "sphinx": v}))'
].join('\n')

/** The command or path of the interpreter a request names. */
export function interpreterOf(request: PythonRequest): string {
  return request.kind === 'version' ? `python${request.version}` : request.path
}

async function probe(python: string): Promise<Probe> {
  if (!python.includes('/') && !python.includes('\\')) {
    if (!(await which(python))) {
      throw new ConfigurationError(
        `Python interpreter '${python}' was not found on PATH (input 'python'). Install it (actions/setup-python) or give an interpreter path.`
      )
    }
  }
  let result
  try {
    result = await exec(python, ['-c', PROBE], { silent: true })
  } catch (error) {
    throw new ConfigurationError(
      `Python interpreter '${python}' could not be run (input 'python'): ${errorMessage(error)}`
    )
  }
  const line = result.stdout.trim().split('\n').pop() ?? ''
  if (result.exitCode !== 0 || !line.startsWith('{')) {
    throw new ConfigurationError(
      `Python interpreter '${python}' did not run (exit code ${result.exitCode}): ${result.stderr.trim().slice(-500)}`
    )
  }
  return JSON.parse(line) as Probe
}

/** The requirement files to install: those given, else the first docs requirements file found. */
export function docsRequirements(
  given: readonly string[],
  workspace: string,
  docsDir: string
): string[] {
  if (given.length > 0) return [...given]
  const candidates = [
    path.join(docsDir, 'requirements.txt'),
    ...REQUIREMENTS_CANDIDATES.map((c) => path.join(workspace, c))
  ]
  const found = candidates.find((file) => isFile(file))
  return found ? [found] : []
}

function venvPython(dir: string): string {
  return process.platform === 'win32'
    ? path.join(dir, 'Scripts', 'python.exe')
    : path.join(dir, 'bin', 'python')
}

/** A short hash of the interpreter and of every requirement file's name and content. */
function environmentKey(
  probed: Probe,
  requirements: readonly string[],
  workspace: string
): string {
  const hash = createHash('sha256')
  hash.update(`${probed.executable}\0${probed.version}\0`)
  for (const file of requirements) {
    hash.update(`${path.relative(workspace, file)}\0`)
    hash.update(fs.readFileSync(file))
    hash.update('\0')
  }
  if (requirements.length === 0) hash.update('sphinx')
  return hash.digest('hex').slice(0, 16)
}

async function pipInstall(
  python: string,
  requirements: readonly string[],
  workspace: string
): Promise<void> {
  const args = ['-m', 'pip', 'install', '--disable-pip-version-check']
  if (requirements.length === 0) args.push('sphinx')
  for (const file of requirements) args.push('-r', file)
  core.info(
    `pip's download cache: ${process.env['PIP_CACHE_DIR'] || "pip's default (~/.cache/pip on Linux)"}`
  )
  const result = await exec(python, args, { cwd: workspace })
  if (result.exitCode !== 0) {
    const what =
      requirements.length > 0
        ? requirements.map((f) => path.relative(workspace, f)).join(', ')
        : 'sphinx'
    throw new Error(
      `pip could not install the docs requirements (${what}), exit code ${result.exitCode}: ${result.stderr.trim().split('\n').slice(-5).join(' ')}`
    )
  }
}

async function sphinxVersionOf(python: string): Promise<string> {
  const probed = await probe(python)
  if (!probed.sphinx) {
    throw new ConfigurationError(
      `Sphinx is not importable by ${python} after installing the docs requirements: add Sphinx to them.`
    )
  }
  return probed.sphinx
}

export interface EnvironmentRequest {
  python: PythonRequest
  /** Requirement files given by the user (absolute); empty: detect them. */
  requirements: readonly string[]
  workspace: string
  docsDir: string
}

export async function prepareEnvironment(
  request: EnvironmentRequest
): Promise<PythonEnvironment> {
  const interpreter = interpreterOf(request.python)
  const probed = await probe(interpreter)
  const requirements = docsRequirements(
    request.requirements,
    request.workspace,
    request.docsDir
  )

  if (probed.venv) {
    if (probed.sphinx) {
      core.info(
        `Using the virtual environment of ${interpreter} as it is (Python ${probed.version}, Sphinx ${probed.sphinx}); nothing installed.`
      )
      return {
        python: interpreter,
        sphinxVersion: probed.sphinx,
        pythonVersion: probed.version,
        origin: 'given',
        location: interpreter,
        requirements: []
      }
    }
    core.info(
      `${interpreter} is a virtual environment without Sphinx: installing the docs requirements into it.`
    )
    await pipInstall(interpreter, requirements, request.workspace)
    return {
      python: interpreter,
      sphinxVersion: await sphinxVersionOf(interpreter),
      pythonVersion: probed.version,
      origin: 'given',
      location: interpreter,
      requirements
    }
  }

  const root = path.join(
    process.env['RUNNER_TEMP'] || os.tmpdir(),
    'shipyard-sphinx-docs'
  )
  const dir = path.join(
    root,
    `venv-${environmentKey(probed, requirements, request.workspace)}`
  )
  const python = venvPython(dir)
  if (isFile(path.join(dir, READY_STAMP)) && isFile(python)) {
    core.info(
      `Reusing the docs environment ${dir} (same interpreter and requirements).`
    )
    return {
      python,
      sphinxVersion: await sphinxVersionOf(python),
      pythonVersion: probed.version,
      origin: 'reused',
      location: dir,
      requirements
    }
  }
  fs.rmSync(dir, { recursive: true, force: true })
  fs.mkdirSync(root, { recursive: true })
  core.info(
    `Creating the docs environment ${dir} with Python ${probed.version}`
  )
  const venv = await exec(interpreter, ['-m', 'venv', dir])
  if (venv.exitCode !== 0) {
    throw new Error(
      `${interpreter} -m venv failed (exit code ${venv.exitCode}): ${venv.stderr.trim().slice(-500)}`
    )
  }
  await pipInstall(python, requirements, request.workspace)
  const sphinxVersion = await sphinxVersionOf(python)
  fs.writeFileSync(path.join(dir, READY_STAMP), `${sphinxVersion}\n`)
  return {
    python,
    sphinxVersion,
    pythonVersion: probed.version,
    origin: 'created',
    location: dir,
    requirements
  }
}
