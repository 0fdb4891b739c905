/**
 * The entry the runner starts, for the main step and the post step alike:
 * the inputs are read and checked first, with nothing but @actions/core and
 * the kit loaded, and the action's body (its steps and their dependencies, a
 * chunk of their own in the bundle) only once they are valid; the post step
 * loads only its clean-up.
 */
import * as core from '@actions/core'
import { run } from '@shipyard/action-kit'
import { getInputs } from './input-helper.js'

await run(
  async () => {
    const inputs = await core.group('Inputs', () =>
      Promise.resolve(getInputs())
    )
    const { main } = await import('./main.js')
    await main(undefined, inputs)
  },
  async () => {
    const { post } = await import('./post.js')
    await post()
  }
)
