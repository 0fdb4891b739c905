#!/usr/bin/env node
// render-deploy: how soon the action finishes once Render marks the deploy
// live (target: median under 1 s), and how many Render API calls it makes
// per minute of waiting (target: at most 12), for deploys of 10 s and 60 s
// (and 5 min with BENCH_RENDER_LONG=1; fast mode, BENCH_FAST=1: one 3 s
// deploy, nothing judged). The action is its committed bundle,
// run as the runner runs it, with its default 15-minute timeout, against the
// Render stand-in on the fake container runtime of the action's tests (a
// "container" is a small HTTP server that answers its health check after the
// wanted time) and the GitHub stand-in. Each series starts with one deploy of
// the same length: the history the action learns the expected duration from.
// The stand-in's time is real time: the series run side by side, about 4
// minutes in all (11 with the 5-minute one).
//
//   node bench/render-deploy.bench.mjs
//   BENCH_RENDER_LONG=1 node bench/render-deploy.bench.mjs    also 5-min deploys
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { register } from 'tsx/esm/api'
import { FAST, median, runBundle, writeResults } from './lib.mjs'

register()
const { startWorld, IMAGE, TIMINGS } =
  await import('../actions/render-deploy/__tests__/fixtures/world.ts')

const all = FAST
  ? [{ label: '3 s', durationMs: 3_000, samples: 1 }]
  : [
      { label: '10 s', durationMs: 10_000, samples: 5 },
      { label: '60 s', durationMs: 60_000, samples: 3 }
    ]
if (process.env['BENCH_RENDER_LONG'] === '1' && !FAST)
  all.push({ label: '5 min', durationMs: 300_000, samples: 1 })
// BENCH_RENDER_ONLY='60 s': one series only.
const only = process.env['BENCH_RENDER_ONLY']
const series = all.filter((s) => !only || s.label === only)

/** Runs the bundle once; resolves when its process has ended. */
async function runAction(inputs, env) {
  const workspace = mkdtempSync(join(tmpdir(), 'bench-render-deploy-'))
  try {
    const run = await runBundle('render-deploy', {
      dir: workspace,
      inputs,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: workspace,
        GITHUB_WORKSPACE: workspace,
        RUNNER_TEMP: workspace,
        ...env
      }
    })
    if (run.code !== 0) process.stderr.write(run.stderr)
    return run
  } finally {
    rmSync(workspace, { recursive: true, force: true })
  }
}

async function measure({ label, durationMs, samples }) {
  // Created, queued, then the container answers: about durationMs in all.
  const readyAfter = durationMs - TIMINGS.createdMs - TIMINGS.queuedMs
  const tags = Array.from({ length: samples + 1 }, (_, i) => `bench${i}`)
  const world = await startWorld(
    { timings: { ...TIMINGS, healthTimeoutMs: durationMs + 60_000 } },
    tags.map((tag) => [tag, 'healthy', readyAfter])
  )
  const results = []
  try {
    await world.seed(tags[0])
    for (const tag of tags.slice(1)) {
      const run = await runAction(
        world.inputs({ 'image-url': `${IMAGE}:${tag}`, timeout: '15m' }),
        world.githubEnv
      )
      const [deploy] = world.render.deploys(world.serviceId)
      if (run.code !== 0 || deploy?.status !== 'live')
        throw new Error(
          `the ${label} deploy of ${tag} ended ${deploy?.status} (exit ${run.code}):\n${run.stdout}`
        )
      const createdAt = Date.parse(deploy.createdAt)
      const liveAt = Date.parse(deploy.finishedAt)
      const calls = world.render.requests.filter(
        (r) =>
          r.path.startsWith('/v1/') &&
          !(r.method === 'POST' && r.path.endsWith('/deploys')) &&
          Date.parse(r.time) >= createdAt &&
          Date.parse(r.time) <= run.endedAt
      ).length
      const waitedMin = (run.endedAt - createdAt) / 60_000
      const sample = {
        lagMs: run.endedAt - liveAt,
        callsPerMin: calls / waitedMin,
        deployS: (liveAt - createdAt) / 1000
      }
      results.push(sample)
      process.stdout.write(
        `${label}: deploy ${sample.deployS.toFixed(1)} s, live → finished ${sample.lagMs} ms, ${calls} API calls while waiting (${sample.callsPerMin.toFixed(1)}/min)\n`
      )
    }
  } finally {
    await world.stop()
  }
  const lag = median(results.map((r) => r.lagMs))
  const rate = Math.max(...results.map((r) => r.callsPerMin))
  return [
    {
      name: `live → action finished, median (${label} deploys, ${samples} runs)`,
      figure: Math.round(lag),
      unit: 'ms',
      target: '< 1000 ms',
      pass: lag < 1000
    },
    {
      name: `Render API calls per minute of waiting, worst run (${label} deploys)`,
      figure: Math.round(rate * 10) / 10,
      unit: '/min',
      target: '≤ 12',
      pass: rate <= 12
    }
  ]
}

const rows = (await Promise.all(series.map(measure))).flat()
writeResults('render-deploy', rows)
