/**
 * sphinx-docs: the docs environment, a generated project when asked and
 * needed, sphinx-apidoc, the strict Sphinx build with every warning annotated
 * at its file and line, the link check, the outputs and the summary, then the
 * Read the Docs build, waited for. The step fails after the summary is
 * written, so a failure always comes with its explanation.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as core from '@actions/core'
import {
  Annotator,
  isFile,
  writeSummary,
  type AnnotationKind
} from '@shipyard/action-kit'
import { planApidoc, projectPackages, type ApidocResult } from './apidoc.js'
import { bootstrapProject } from './bootstrap.js'
import { runBuild, runLinkcheck, type LinkcheckResult } from './build.js'
import { Outputs } from './constants.js'
import { getInputs } from './input-helper.js'
import { prepareEnvironment } from './python-env.js'
import { ReadTheDocsClient, type RtdOutcome } from './rtd.js'
import type { SphinxDocsInputs } from './sphinx-docs-inputs.js'
import { summaryMarkdown } from './summary.js'
import { describeWarning, workspaceRelative } from './warnings.js'

/** The environment Sphinx runs with: the documented modules importable, Django's settings when given. */
function sphinxEnv(
  inputs: SphinxDocsInputs,
  importRoots: readonly string[]
): Record<string, string> {
  const env: Record<string, string> = {}
  const roots = [...importRoots]
  if (process.env['PYTHONPATH']) roots.push(process.env['PYTHONPATH'])
  if (roots.length > 0) env['PYTHONPATH'] = roots.join(path.delimiter)
  if (inputs.djangoSettings) {
    env['DJANGO_SETTINGS_MODULE'] = inputs.djangoSettings
  }
  return env
}

export async function main(given?: SphinxDocsInputs): Promise<void> {
  // The entry reads the inputs before loading this module, and passes them.
  const inputs =
    given ?? (await core.group('Inputs', () => Promise.resolve(getInputs())))
  const { workspace } = inputs
  const relative = (file: string): string =>
    workspaceRelative(workspace, file) ?? file

  const environment = await core.group('Python environment', () =>
    prepareEnvironment({
      python: inputs.python,
      requirements: inputs.requirements,
      workspace,
      docsDir: inputs.docsDir
    })
  )

  // The packages sphinx-apidoc documents, and where they are imported from.
  const packages = inputs.sourceDir
    ? [inputs.sourceDir]
    : projectPackages(workspace, inputs.docsDir)
  const importRoots =
    packages.length === 0 ? [] : [inputs.sourceDir ?? workspace]
  const env = sphinxEnv(inputs, [...new Set([...importRoots, workspace])])

  let bootstrapped: string[] = []
  if (inputs.bootstrap && !isFile(path.join(inputs.docsDir, 'conf.py'))) {
    bootstrapped = bootstrapProject({
      workspace,
      docsDir: inputs.docsDir,
      sourceDir: importRoots[0],
      apidocOutput: packages.length > 0 ? inputs.apidocOutput : undefined
    }).files
    core.notice(
      `There was no conf.py in ${relative(inputs.docsDir)}: generated a minimal Sphinx project (${bootstrapped.map(relative).join(', ')}) and built it. Commit it to keep it.`,
      { title: 'Sphinx project generated' }
    )
  }

  const plan = planApidoc({
    workspace,
    docsDir: inputs.docsDir,
    sourceDir: inputs.sourceDir,
    output: inputs.apidocOutput,
    exclude: inputs.apidocExclude,
    options: inputs.apidocOptions,
    sphinxVersion: environment.sphinxVersion
  })
  const buildRequest = {
    python: environment.python,
    workspace,
    docsDir: inputs.docsDir,
    builder: inputs.builder,
    warningsAsErrors: inputs.warningsAsErrors,
    nitpicky: inputs.nitpicky,
    env,
    djangoSettings: inputs.djangoSettings
  }
  const title =
    'runs' in plan
      ? `sphinx-apidoc, then sphinx-build -b ${inputs.builder}`
      : `sphinx-build -b ${inputs.builder}`
  const build = await core.group(title, () =>
    runBuild({
      ...buildRequest,
      apidocRuns: 'runs' in plan ? plan.runs : []
    })
  )
  const apidoc: ApidocResult =
    'runs' in plan ? plan.finish(build.stdout) : plan.result
  const failed = build.exitCode !== 0

  const annotator = new Annotator()
  const kind: AnnotationKind = inputs.warningsAsErrors ? 'error' : 'warning'
  for (const warning of build.warnings) {
    annotator.add({
      kind,
      title: `Sphinx ${warning.level.toLowerCase()}${warning.type ? ` [${warning.type}]` : ''}`,
      message: describeWarning(warning),
      file: workspaceRelative(workspace, warning.file),
      line: warning.line
    })
  }

  let linkcheck: (LinkcheckResult & { strict: boolean }) | undefined
  if (inputs.linkcheck !== 'off' && !failed) {
    const strict = inputs.linkcheck === 'fail'
    const result = await core.group('sphinx-build -b linkcheck', () =>
      runLinkcheck(buildRequest)
    )
    linkcheck = { ...result, strict }
    for (const link of result.broken) {
      annotator.add({
        kind: strict ? 'error' : 'warning',
        title: `Broken link (${link.status})`,
        message: `${link.uri}${link.info ? `: ${link.info}` : ''}`,
        file: workspaceRelative(workspace, link.file),
        line: link.line
      })
    }
  }
  const linksFailed =
    (linkcheck?.strict ?? false) && linkcheck!.broken.length > 0

  core.setOutput(Outputs.HtmlDir, build.outDir)
  core.setOutput(Outputs.Warnings, String(build.warnings.length))
  core.setOutput(Outputs.Pages, String(build.pages))
  core.setOutput(Outputs.ModulesDocumented, String(apidoc.modules.length))
  const index = path.join(build.outDir, 'index.html')
  if (!failed && fs.existsSync(index)) {
    core.info(
      `The site is in ${relative(build.outDir)}: open ${relative(index)}`
    )
  }

  let rtd: RtdOutcome | undefined
  let rtdSkipped: string | undefined
  if (!inputs.readTheDocs) {
    rtdSkipped = 'Not called: no `rtd-project` (and `rtd-token`) given.'
    core.notice('Read the Docs was not called: rtd-project is empty.', {
      title: 'Read the Docs skipped'
    })
  } else if (failed || linksFailed) {
    rtdSkipped = 'Not called: the local build failed, so would its.'
  } else {
    const client = new ReadTheDocsClient(inputs.readTheDocs)
    rtd = await core.group('Read the Docs', () => client.publish())
    core.setOutput(Outputs.RtdBuildId, String(rtd.buildId))
    core.setOutput(Outputs.RtdStatus, rtd.status)
    core.setOutput(Outputs.RtdUrl, rtd.url)
  }

  await writeSummary(
    summaryMarkdown({
      workspace,
      builder: inputs.builder,
      warningsAsErrors: inputs.warningsAsErrors,
      sphinxVersion: environment.sphinxVersion,
      environment:
        environment.origin === 'given'
          ? relative(environment.location)
          : `${environment.origin} ${environment.location}`,
      build,
      failed,
      modules: apidoc.modules,
      apidocSources: apidoc.sources,
      bootstrapped,
      linkcheck,
      rtd,
      rtdSkipped
    }),
    annotator.overflowMarkdown()
  )

  if (failed) {
    const count = build.warnings.length
    throw new Error(
      count > 0
        ? `The Sphinx build failed: ${count} warning(s)${inputs.warningsAsErrors ? ' treated as errors' : ''} (see the annotations and the job summary).`
        : `sphinx-build exited with code ${build.exitCode}: ${build.errorTail.split('\n').slice(-3).join(' ') || 'no error output'}`
    )
  }
  if (linksFailed) {
    throw new Error(
      `${linkcheck!.broken.length} broken link(s) (linkcheck: strict; see the annotations).`
    )
  }
  if (rtd && rtd.status !== 'success' && rtd.status !== 'triggered') {
    const command = rtd.failedCommand
      ? `: \`${rtd.failedCommand.command}\` exited with ${rtd.failedCommand.exitCode}`
      : ''
    const what =
      rtd.status === 'timeout'
        ? `did not finish within ${Math.round(inputs.readTheDocs!.timeoutMs / 1000)} s`
        : rtd.status === 'cancelled'
          ? 'was cancelled'
          : `failed${command}`
    throw new Error(
      `The Read the Docs build ${rtd.buildId} ${what} (${rtd.url}).`
    )
  }
}
