/**
 * What ci-test learns from the project's files before running anything: its
 * settings module (and the file that holds it), the requirement files it
 * ships, and whether it configures pytest.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { isFile } from '@shipyard/action-kit'

export interface DjangoProject {
  /** The directory holding `manage.py`. Absolute. */
  dir: string
  /** The settings module (`mysite.settings`), or undefined when nothing says. */
  settingsModule?: string
  /** The settings file, when it is inside the project. Absolute. */
  settingsFile?: string
}

const SETTINGS_IN_MANAGE_PY =
  /environ\.setdefault\(\s*["']DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']\s*\)/

/** The settings module `manage.py` sets with `os.environ.setdefault`. */
export function settingsFromManagePy(source: string): string | undefined {
  return SETTINGS_IN_MANAGE_PY.exec(source)?.[1]
}

/** `a.b.settings` → `a/b/settings.py` or `a/b/settings/__init__.py` under `dir`. */
export function settingsFile(dir: string, module: string): string | undefined {
  const base = path.join(dir, ...module.split('.'))
  for (const candidate of [`${base}.py`, path.join(base, '__init__.py')]) {
    if (isFile(candidate)) return candidate
  }
  return undefined
}

export function describeProject(
  dir: string,
  djangoSettings?: string
): DjangoProject {
  const managePy = fs.readFileSync(path.join(dir, 'manage.py'), 'utf8')
  const settingsModule = djangoSettings ?? settingsFromManagePy(managePy)
  return {
    dir,
    settingsModule,
    settingsFile: settingsModule ? settingsFile(dir, settingsModule) : undefined
  }
}

/**
 * The requirement files of a project when the `requirements` input is empty:
 * every `requirements*.txt` (and those in a `requirements/` folder), else a
 * `pyproject.toml` that declares dependencies (PEP 621 or Poetry), else a
 * `Pipfile`. `declaresDependencies` tells whether a pyproject.toml does.
 */
export function detectRequirementFiles(
  dir: string,
  declaresDependencies: (pyproject: string) => boolean
): string[] {
  const names = (folder: string): string[] => {
    try {
      return fs.readdirSync(folder).sort()
    } catch {
      return []
    }
  }
  const txt = names(dir)
    .filter((n) => /^requirements.*\.txt$/i.test(n))
    .map((n) => path.join(dir, n))
  const folder = path.join(dir, 'requirements')
  txt.push(
    ...names(folder)
      .filter((n) => n.endsWith('.txt'))
      .map((n) => path.join(folder, n))
  )
  const found = txt.filter(isFile)
  if (found.length > 0) return found
  const pyproject = path.join(dir, 'pyproject.toml')
  if (isFile(pyproject) && declaresDependencies(pyproject)) return [pyproject]
  const pipfile = path.join(dir, 'Pipfile')
  if (isFile(pipfile)) return [pipfile]
  return []
}

/** Whether the project configures pytest in one of the files pytest reads. */
export function configuresPytest(
  dir: string,
  pyprojectData?: Record<string, unknown>
): boolean {
  const read = (name: string): string => {
    try {
      return fs.readFileSync(path.join(dir, name), 'utf8')
    } catch {
      return ''
    }
  }
  if (isFile(path.join(dir, 'pytest.ini'))) return true
  if (isFile(path.join(dir, 'conftest.py'))) return true
  if (/^\[(tool:)?pytest\]/m.test(read('setup.cfg'))) return true
  if (/^\[pytest\]/m.test(read('tox.ini'))) return true
  const tool = pyprojectData?.['tool'] as Record<string, unknown> | undefined
  return tool?.['pytest'] !== undefined
}
