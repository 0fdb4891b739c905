/**
 * The entry the runner starts: the inputs are read and checked first, with
 * nothing but @actions/core and the kit loaded, and the action's body (its
 * steps and their dependencies, a chunk of their own in the bundle) only
 * once they are valid.
 */
import * as core from '@actions/core'
import { run } from '@shipyard/action-kit'
import { getInputs } from './input-helper.js'

await run(async () => {
  const inputs = await core.group('Inputs', () => Promise.resolve(getInputs()))
  const { main } = await import('./main.js')
  await main(inputs)
})
