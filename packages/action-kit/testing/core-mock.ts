/**
 * A stand-in for @actions/core that records what an action asks of the
 * runner: inputs come from a map, and every call is kept for assertions.
 * Use: `const core = mockCore(); jest.unstable_mockModule('@actions/core', () => core)`
 * before importing the module under test.
 */
import { jest } from '@jest/globals'

export interface CoreMock {
  inputs: Record<string, string>
  secrets: string[]
  log: string[]
  state: Record<string, string>
  /** Replaces every input by `values`. */
  setInputs(values: Record<string, string>): void
  /** Forgets the inputs, secrets, log, state and calls: for `beforeEach`. */
  reset(): void
  [key: string]: unknown
}

function clear(record: Record<string, unknown>): void {
  for (const key of Object.keys(record)) delete record[key]
}

export function mockCore(): CoreMock & Record<string, jest.Mock> {
  const inputs: Record<string, string> = {}
  const secrets: string[] = []
  const log: string[] = []
  const state: Record<string, string> = {}
  const record =
    (kind: string) =>
    (message: unknown): void => {
      log.push(`${kind}: ${String(message)}`)
    }
  const core = {
    inputs,
    secrets,
    log,
    state,
    setInputs(values: Record<string, string>): void {
      clear(inputs)
      Object.assign(inputs, values)
    },
    reset(): void {
      clear(inputs)
      clear(state)
      secrets.length = 0
      log.length = 0
      for (const fn of [...Object.values(core), ...Object.values(core.summary)])
        if (jest.isMockFunction(fn)) fn.mockClear()
    },
    getInput: jest.fn(
      (name: string, options?: { trimWhitespace?: boolean }) => {
        const value = inputs[name] ?? ''
        return options?.trimWhitespace === false ? value : value.trim()
      }
    ),
    getMultilineInput: jest.fn((name: string) =>
      (inputs[name] ?? '').split('\n').filter((line) => line !== '')
    ),
    setSecret: jest.fn((value: string) => {
      secrets.push(value)
    }),
    debug: jest.fn(record('debug')),
    info: jest.fn(record('info')),
    notice: jest.fn(record('notice')),
    warning: jest.fn(record('warning')),
    error: jest.fn(record('error')),
    setFailed: jest.fn(record('failed')),
    startGroup: jest.fn(record('group')),
    endGroup: jest.fn(() => {
      log.push('endgroup')
    }),
    group: jest.fn(async (name: string, fn: () => Promise<unknown>) => {
      log.push(`group: ${name}`)
      try {
        return await fn()
      } finally {
        log.push('endgroup')
      }
    }),
    setOutput: jest.fn(),
    getState: jest.fn((name: string) => state[name] ?? ''),
    saveState: jest.fn((name: string, value: string) => {
      state[name] = value
    }),
    summary: {
      addRaw: jest.fn(function (this: unknown) {
        return this
      }),
      write: jest.fn(() => Promise.resolve(undefined))
    }
  }
  return core as unknown as CoreMock & Record<string, jest.Mock>
}
