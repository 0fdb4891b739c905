import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import { mockCore } from '../testing/core-mock.js'

const core = mockCore()
jest.unstable_mockModule('@actions/core', () => core)
const { run, ConfigurationError, maskSecret } = await import('../src/index.js')

beforeEach(() => {
  jest.clearAllMocks()
  for (const key of Object.keys(core.state)) delete core.state[key]
  for (const key of Object.keys(core.inputs)) delete core.inputs[key]
})

describe('run', () => {
  it('runs main and fails nothing when it succeeds', async () => {
    const main = jest.fn(async () => undefined)
    await run(main)
    expect(main).toHaveBeenCalledTimes(1)
    expect(core.setFailed).not.toHaveBeenCalled()
  })

  it('turns a configuration error into one setFailed without a stack', async () => {
    await run(async () => {
      throw new ConfigurationError("Input required and not supplied: 'image'.")
    })
    expect(core.setFailed).toHaveBeenCalledTimes(1)
    expect(core.setFailed).toHaveBeenCalledWith(
      "Input required and not supplied: 'image'."
    )
    expect(core.debug).not.toHaveBeenCalled()
  })

  it('keeps the stack of a crash at debug level, scrubbed', async () => {
    maskSecret('crash-secret-value')
    await run(async () => {
      throw new Error('crashed with crash-secret-value')
    })
    expect(core.setFailed).toHaveBeenCalledWith('crashed with ***')
    const stack = String(core.debug.mock.calls[0]?.[0])
    expect(stack).toContain('Error: crashed with ***')
    expect(stack).not.toContain('crash-secret-value')
  })

  it('runs post instead of main on the second call, and only warns when it fails', async () => {
    const main = jest.fn(async () => undefined)
    const post = jest.fn(async () => {
      throw new Error('container already gone')
    })
    await run(main, post)
    expect(core.state['shipyard-is-post']).toBe('true')
    await run(main, post)
    expect(main).toHaveBeenCalledTimes(1)
    expect(post).toHaveBeenCalledTimes(1)
    expect(core.warning).toHaveBeenCalledWith(
      'Clean-up did not finish: container already gone'
    )
    expect(core.setFailed).not.toHaveBeenCalled()
  })

  it('masks a self-report DSN before main runs', async () => {
    const dsn = `https://${'ab12'.repeat(8)}@o1.ingest.example/42`
    core.inputs['self-report-dsn'] = dsn
    const main = jest.fn(async () => undefined)
    await run(main)
    expect(core.secrets).toEqual(
      expect.arrayContaining([dsn, 'ab12'.repeat(8)])
    )
    expect(main).toHaveBeenCalled()
    expect(core.setFailed).not.toHaveBeenCalled()
  })

  it('refuses a malformed self-report DSN before main runs', async () => {
    core.inputs['self-report-dsn'] = 'https://not-hex@o1.ingest.example/42'
    const main = jest.fn(async () => undefined)
    await run(main)
    expect(main).not.toHaveBeenCalled()
    const message = String(core.setFailed.mock.calls[0]?.[0])
    expect(message).toContain("Invalid value for input 'self-report-dsn'")
    expect(message).toContain('not 32 hexadecimal digits')
    expect(message).not.toContain('not-hex')
  })
})
