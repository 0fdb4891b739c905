import * as path from 'node:path'
import * as core from '@actions/core'
import { getInputs } from './input-helper.js'

export async function main(): Promise<void> {
  const inputs = await core.group('Inputs', () => Promise.resolve(getInputs()))
  const project =
    path.relative(inputs.workspace, inputs.workingDirectory) || '.'
  const python =
    inputs.python.kind === 'version'
      ? `Python ${inputs.python.version}`
      : inputs.python.path
  const checks = [
    inputs.lint === 'none' ? undefined : inputs.lint,
    `tests (${inputs.testRunner}) with coverage ≥ ${inputs.coverageThreshold}%`,
    inputs.deployCheck ? 'check --deploy' : undefined,
    inputs.migrationsCheck ? 'missing migrations' : undefined
  ].filter(Boolean)
  core.info(
    `ci-test would check the Django project in ${project} with ${python} (installer: ${inputs.installer}): ${checks.join(', ')}.`
  )
  throw new Error(
    'ci-test: building the environment, linting, testing and checking are not implemented yet (issue #4); inputs are valid.'
  )
}
