import { describe, expect, it } from '@jest/globals'
import { createLanes, sideLanes } from '../src/lanes.js'

describe('createLanes', () => {
  it('runs at most n tasks at once, in the order queued, each result its own', async () => {
    const lane = createLanes(1)
    const events: string[] = []
    let active = 0
    let most = 0
    const task =
      (name: string, fail = false) =>
      async () => {
        active++
        most = Math.max(most, active)
        events.push(`start ${name}`)
        await new Promise((resolve) => setTimeout(resolve, 5))
        events.push(`end ${name}`)
        active--
        if (fail) throw new Error(name)
        return name
      }
    const results = await Promise.allSettled([
      lane(task('a')),
      lane(task('b', true)),
      lane(task('c'))
    ])
    expect(most).toBe(1)
    expect(events).toEqual([
      'start a',
      'end a',
      'start b',
      'end b',
      'start c',
      'end c'
    ])
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled'
    ])
  })

  it('runs them side by side when there are lanes enough', async () => {
    const lane = createLanes(3)
    let active = 0
    let most = 0
    const task = async () => {
      active++
      most = Math.max(most, active)
      await new Promise((resolve) => setTimeout(resolve, 5))
      active--
    }
    await Promise.all([lane(task), lane(task), lane(task)])
    expect(most).toBe(3)
  })

  it('leaves one core to the tests, and always has one lane', () => {
    expect(sideLanes(2)).toBe(1)
    expect(sideLanes(4)).toBe(3)
    expect(sideLanes(1)).toBe(1)
  })
})
