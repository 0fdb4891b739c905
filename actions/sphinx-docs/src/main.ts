import * as path from 'node:path'
import * as core from '@actions/core'
import { getInputs } from './input-helper.js'

export async function main(): Promise<void> {
  const inputs = await core.group('Inputs', () => Promise.resolve(getInputs()))
  const relative = (dir: string): string =>
    path.relative(inputs.workspace, dir) || '.'
  const sources = inputs.sourceDir
    ? relative(inputs.sourceDir)
    : "the project's Python packages"
  const rtd = inputs.readTheDocs
    ? `, then trigger Read the Docs (${inputs.readTheDocs.project}, ${inputs.readTheDocs.version})`
    : ''
  core.info(
    `sphinx-docs would document ${sources} into ${relative(inputs.apidocOutput)} and build ${relative(inputs.docsDir)} with the ${inputs.builder} builder${inputs.warningsAsErrors ? ', warnings as errors' : ''}${rtd}.`
  )
  throw new Error(
    'sphinx-docs: sphinx-apidoc, the Sphinx build and the Read the Docs trigger are not implemented yet (issue #7); inputs are valid.'
  )
}
