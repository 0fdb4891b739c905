/**
 * ci-test from start to end: inputs, the Python environment (the only phase
 * whose failure stops the run), then lint, tests under coverage and the
 * production checks, every one of them run and reported, and only then the
 * step failed, naming each reason.
 *
 * Lint and the production checks run while the tests run (their output is
 * kept and shown in their own log groups afterwards): on a runner's few cores
 * the whole is then about as long as the tests alone.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as core from '@actions/core'
import {
  Annotator,
  errorMessage,
  isInside,
  writeSummary
} from '@shipyard/action-kit'
import { Outputs } from './constants.js'
import { runDeployCheck, runMigrationsCheck } from './django-checks.js'
import { getInputs } from './input-helper.js'
import { createLanes, sideLanes } from './lanes.js'
import { runFlake8 } from './lint.js'
import { getCommentInputs, updatePullRequestComment } from './pr-comment.js'
import { prepare } from './project-environment.js'
import type { Prepared } from './project-environment.js'
import { describeProject } from './project-finder.js'
import { summaryMarkdown } from './summary.js'
import { createTestStrategy, runTests } from './tests.js'
import type { ReportPaths } from './tests.js'
import { annotateAndJudge } from './verdict.js'

/** The run's own files (reports, helper scripts), at known paths. */
export function workDirectory(): string {
  return path.join(
    process.env['RUNNER_TEMP'] || os.tmpdir(),
    'shipyard-ci-test'
  )
}

export function reportPaths(workDir: string): ReportPaths {
  return {
    junit: path.join(workDir, 'junit.xml'),
    coverageJson: path.join(workDir, 'coverage.json'),
    coverageXml: path.join(workDir, 'coverage.xml'),
    coverageData: path.join(workDir, '.coverage')
  }
}

function showOutput(title: string, output: string): void {
  core.startGroup(title)
  if (output.trim()) core.info(output.replace(/\n$/, ''))
  core.endGroup()
}

export async function main(
  given?: ReturnType<typeof getInputs>
): Promise<void> {
  // The entry reads the inputs before loading this module, and passes them.
  const inputs =
    given ?? (await core.group('Inputs', () => Promise.resolve(getInputs())))
  const commentInputs = getCommentInputs()
  const workDir = workDirectory()
  fs.mkdirSync(workDir, { recursive: true })
  const reports = reportPaths(workDir)
  const project = describeProject(
    inputs.workingDirectory,
    inputs.djangoSettings
  )
  const projectName =
    path.relative(inputs.workspace, inputs.workingDirectory) || '.'

  let prepared: Prepared
  try {
    prepared = await core.group('Python environment', () =>
      prepare(inputs, project, workDir)
    )
  } catch (error) {
    await writeSummary(
      '## ci-test: failed',
      `The Python environment of \`${projectName}\` could not be built: ${errorMessage(error)}`
    )
    await updatePullRequestComment(commentInputs, {
      project: projectName,
      failure: `The Python environment could not be built: ${errorMessage(error)}`
    })
    throw error
  }
  const { environment, runner } = prepared
  core.setOutput(Outputs.PythonVersion, environment.version)

  const env: Record<string, string> = { ...inputs.env }
  if (inputs.djangoSettings)
    env['DJANGO_SETTINGS_MODULE'] = inputs.djangoSettings
  const python = environment.python
  const projectDir = inputs.workingDirectory

  // Beside the tests, in lanes that leave the tests a core of their own.
  const beside = createLanes(sideLanes())
  const lintRun =
    inputs.lint === 'flake8'
      ? beside(() =>
          runFlake8({
            python,
            projectDir,
            workDir,
            pyprojectFlake8: prepared.pyprojectFlake8,
            exclude: isInside(projectDir, environment.dir)
              ? [environment.dir]
              : []
          })
        )
      : undefined
  const deployRun = inputs.deployCheck
    ? beside(() =>
        runDeployCheck({
          python,
          projectDir,
          env,
          settingsFile: project.settingsFile
        })
      )
    : undefined
  const migrationsRun = inputs.migrationsCheck
    ? beside(() => runMigrationsCheck({ python, projectDir, env }))
    : undefined

  const tests = await core.group(`Tests (${runner}, under coverage)`, () =>
    runTests({
      python,
      projectDir,
      workDir,
      reports,
      strategy: createTestStrategy(runner),
      env,
      beside
    })
  )
  const lint = await lintRun
  if (lint) showOutput(`Lint (flake8, ${lint.config})`, lint.output)
  const deploy = await deployRun
  if (deploy) showOutput('Django check --deploy', deploy.output)
  const migrations = await migrationsRun
  if (migrations) showOutput('Django makemigrations --check', migrations.output)

  const annotator = new Annotator()
  const reasons = annotateAndJudge(inputs, annotator, {
    lint,
    tests,
    deploy,
    migrations
  })

  core.setOutput(Outputs.Tests, tests.counts.tests)
  core.setOutput(Outputs.Failures, tests.counts.failures)
  core.setOutput(Outputs.Errors, tests.counts.errors)
  core.setOutput(Outputs.Skipped, tests.counts.skipped)
  core.setOutput(Outputs.Coverage, tests.coverage?.display ?? '')
  core.setOutput(Outputs.LintErrors, lint?.findings.length ?? 0)
  core.setOutput(
    Outputs.JunitFile,
    fs.existsSync(reports.junit) ? reports.junit : ''
  )
  core.setOutput(
    Outputs.CoverageFile,
    fs.existsSync(reports.coverageJson) ? reports.coverageJson : ''
  )

  await writeSummary(
    summaryMarkdown({
      project: projectName,
      pythonVersion: environment.version,
      environment: {
        local: 'cached environment',
        github: 'environment restored from the GitHub cache',
        built: 'environment built'
      }[environment.origin],
      threshold: inputs.coverageThreshold,
      lint,
      tests,
      deploy,
      migrations,
      reasons,
      annotator
    })
  )

  // Before the verdict: a failing run updates the comment too.
  await updatePullRequestComment(commentInputs, {
    project: projectName,
    threshold: inputs.coverageThreshold,
    lint,
    tests,
    deploy,
    migrations,
    reasons
  })

  if (reasons.length > 0) {
    core.setFailed(`ci-test failed: ${reasons.join('; ')}.`)
  } else {
    core.info(
      `ci-test passed: ${tests.counts.tests} tests, coverage ${tests.coverage?.display ?? '?'}%.`
    )
  }
}
