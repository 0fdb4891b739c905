/**
 * The project's environment, planned and prepared: the interpreter, the
 * requirement sources (given or detected, TOML formats translated), the test
 * runner (`auto` decided here), the tools ci-test adds when the project does
 * not require them, and the cached or newly built environment for all that.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as core from '@actions/core'
import { ConfigurationError } from '@shipyard/action-kit'
import type { CiTestInputs } from './ci-test-inputs.js'
import { configuresPytest, detectRequirementFiles } from './project-finder.js'
import type { DjangoProject } from './project-finder.js'
import {
  createInstaller,
  defaultCacheDir,
  inspectPython,
  prepareEnvironment,
  resolveInterpreter
} from './python-env.js'
import type { PythonEnvironment } from './python-env.js'
import {
  encodingOf,
  environmentKey,
  pipfileRequirements,
  pyprojectDeclaresDependencies,
  pyprojectRequirements,
  readRequirementFiles,
  requirementName
} from './requirements.js'

export interface Prepared {
  environment: PythonEnvironment
  runner: 'pytest' | 'django'
  pyprojectFlake8?: Record<string, unknown>
}

type Table = Record<string, unknown>

export async function prepare(
  inputs: CiTestInputs,
  project: DjangoProject,
  workDir: string
): Promise<Prepared> {
  const dir = project.dir
  const interpreter = await resolveInterpreter(inputs.python)
  const pyproject = path.join(dir, 'pyproject.toml')
  const pipfile = path.join(dir, 'Pipfile')
  const tomlFiles = [
    ...new Set(
      [pyproject, pipfile, ...inputs.requirements].filter(
        (f) => !f.endsWith('.txt') && fs.existsSync(f)
      )
    )
  ]
  const base = await inspectPython(interpreter, workDir, tomlFiles)
  core.info(`Python ${base.version} (${base.executable ?? interpreter})`)
  const toml = (file: string): Table | undefined => {
    const entry = base.toml[file]
    if (entry?.error) {
      throw new ConfigurationError(
        `${path.relative(inputs.workspace, file)} is not valid TOML: ${entry.error}`
      )
    }
    return entry?.data
  }
  const pyprojectData = fs.existsSync(pyproject) ? toml(pyproject) : undefined

  const sources =
    inputs.requirements.length > 0
      ? inputs.requirements
      : detectRequirementFiles(dir, (file) =>
          pyprojectDeclaresDependencies(toml(file) ?? {})
        )
  const textFiles = sources.filter((f) => f.endsWith('.txt'))
  const translated: string[] = []
  for (const file of sources.filter((f) => !f.endsWith('.txt'))) {
    const data = toml(file) ?? {}
    const lines =
      path.basename(file) === 'Pipfile'
        ? pipfileRequirements(data)
        : pyprojectRequirements(data)
    core.info(
      `${path.relative(inputs.workspace, file)}: ${lines.length} requirement(s)`
    )
    translated.push(...lines)
  }
  const read = readRequirementFiles(textFiles)
  for (const file of read.files) {
    core.info(
      `${path.relative(inputs.workspace, file)} (${encodingOf(fs.readFileSync(file))})`
    )
  }
  if (sources.length === 0) {
    core.warning(
      'No requirements found (requirements*.txt, pyproject.toml dependencies or Pipfile); only the tools ci-test needs are installed. Give `requirements` to say which files to install.'
    )
  }
  const names = new Set(
    [...read.lines, ...translated].map(requirementName).filter(Boolean)
  )
  const runner =
    inputs.testRunner === 'auto'
      ? configuresPytest(dir, pyprojectData) || names.has('pytest-django')
        ? 'pytest'
        : 'django'
      : inputs.testRunner
  const tools = ['coverage']
  if (inputs.lint === 'flake8') tools.push('flake8')
  if (runner === 'pytest') tools.push('pytest', 'pytest-django')
  const missingTools = tools.filter((t) => !names.has(t))
  if (missingTools.length > 0) {
    core.info(
      `Adding what the project does not require itself: ${missingTools.join(', ')}`
    )
  }
  const generatedLines = [...translated, ...missingTools]
  const files = [...textFiles]
  if (generatedLines.length > 0) {
    const generated = path.join(workDir, 'requirements-generated.txt')
    fs.writeFileSync(generated, generatedLines.join('\n') + '\n')
    files.push(generated)
  }
  const key = environmentKey(base, [...read.lines, ...generatedLines])
  const environment = await prepareEnvironment({
    base,
    key,
    cacheDir: inputs.cacheDir ?? defaultCacheDir(),
    installer: () => createInstaller(inputs.installer, base),
    requirementFiles: files
  })
  const tool = pyprojectData?.['tool'] as Table | undefined
  const flake8 = tool?.['flake8']
  return {
    environment,
    runner,
    pyprojectFlake8:
      flake8 && typeof flake8 === 'object' ? (flake8 as Table) : undefined
  }
}
