/**
 * Annotations within GitHub's limits: at most 10 errors, 10 warnings and 10
 * notices are shown per step, so the rest are kept for the job summary
 * instead of being dropped unseen.
 */
import * as core from '@actions/core'
import { scrub } from './mask.js'
import { table } from './summary.js'

export type AnnotationKind = 'error' | 'warning' | 'notice'

export interface Annotation {
  kind: AnnotationKind
  message: string
  title?: string
  file?: string
  line?: number
  column?: number
  endLine?: number
}

/** How many of each kind GitHub shows for one step. */
export const ANNOTATIONS_PER_KIND = 10

export class Annotator {
  private readonly shown: Record<AnnotationKind, number> = {
    error: 0,
    warning: 0,
    notice: 0
  }
  private readonly held: Annotation[] = []
  private readonly all: Annotation[] = []

  constructor(private readonly limit = ANNOTATIONS_PER_KIND) {}

  add(annotation: Annotation): void {
    this.all.push(annotation)
    if (this.shown[annotation.kind] >= this.limit) {
      this.held.push(annotation)
      return
    }
    this.shown[annotation.kind]++
    const properties: core.AnnotationProperties = {
      title: annotation.title,
      file: annotation.file,
      startLine: annotation.line,
      startColumn: annotation.column,
      endLine: annotation.endLine
    }
    // Named calls, not core[kind]: a computed member of the namespace marks
    // every export of @actions/core used, which keeps its OIDC client (and
    // undici) in every bundle's entry.
    const write =
      annotation.kind === 'error'
        ? core.error
        : annotation.kind === 'warning'
          ? core.warning
          : core.notice
    write(scrub(annotation.message), properties)
  }

  /** Everything added, shown or not. */
  get annotations(): readonly Annotation[] {
    return this.all
  }

  /** Those past the per-kind limit, which only the summary shows. */
  get overflow(): readonly Annotation[] {
    return this.held
  }

  count(kind: AnnotationKind): number {
    return this.all.filter((a) => a.kind === kind).length
  }

  /** A Markdown section listing what GitHub could not show, or '' when nothing was held back. */
  overflowMarkdown(): string {
    if (this.held.length === 0) return ''
    const rows = this.held.map((a) => [
      a.kind,
      a.file
        ? `${a.file}${a.line ? `:${a.line}` : ''}${a.column ? `:${a.column}` : ''}`
        : '',
      a.title ?? '',
      scrub(a.message)
    ])
    return [
      `#### ${this.held.length} more finding(s) beyond GitHub's ${this.limit} annotations per kind`,
      table(['kind', 'where', 'title', 'message'], rows)
    ].join('\n\n')
  }
}
