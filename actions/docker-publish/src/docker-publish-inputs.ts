import type { CACHE_MODES, ENGINES } from './constants.js'

export type Engine = (typeof ENGINES)[number]
export type CacheMode = (typeof CACHE_MODES)[number]
/** `auto`: push on the default branch, tags and manual dispatch, when credentials are given. */
export type PushMode = 'auto' | boolean

/** How the built image is proved to work before it is pushed. */
export interface SmokeTest {
  /** An env file for the container. Absolute, existing, inside the workspace. */
  envFile?: string
  /** Environment for the container; every value is secret (masked). */
  env: Record<string, string>
  /** The container port called; `undefined`: the image's first exposed port, else 8000. */
  port?: number
  /** The path that must answer 2xx/3xx; `undefined`: the HEALTHCHECK, else `/health`, else `/`. */
  path?: string
  /** How long the container has to answer, in ms. */
  timeoutMs: number
}

/** The inputs of docker-publish, parsed, defaulted and validated by `getInputs()`. */
export interface DockerPublishInputs {
  /** The workspace every path is inside: `GITHUB_WORKSPACE`, else the current directory. Absolute. */
  workspace: string
  /** `registry/repository`, e.g. `docker.io/alice/app`: what is built, tagged and pushed. */
  image: string
  /** `host[:port]` of the registry, Docker Hub's aliases folded into `docker.io`. */
  registry: string
  /** The image's path in the registry, e.g. `alice/app`. */
  repository: string
  /** `undefined` (with `password`) means no credentials: no login. */
  username?: string
  /** Secret (masked). Set only together with `username`. */
  password?: string
  engine: Engine
  /** The build context. Absolute, an existing directory inside the workspace. */
  context: string
  /** The Dockerfile. Absolute, an existing file inside the workspace. */
  file: string
  buildArgs: Record<string, string>
  /** Build secrets by id (masked), mounted at `/run/secrets/<id>` for the build only. */
  secrets: Record<string, string>
  /** Build secret files by id: absolute paths of existing files. */
  secretFiles: Record<string, string>
  /** The stage to build; `undefined`: the last one. */
  target?: string
  /** `os/arch[/variant]` items; empty: the runner's platform. */
  platforms: string[]
  /** Extra labels, over the automatic OCI ones. */
  labels: Record<string, string>
  /** Extra tags (valid tag names, without duplicates), added to the automatic ones. */
  tags: string[]
  push: PushMode
  /** `undefined`: no smoke test. */
  smokeTest?: SmokeTest
  cache: CacheMode
  provenance: boolean
  sbom: boolean
  /** A Markdown file to publish as the Docker Hub description. Absolute, existing, inside the workspace. */
  dockerhubDescription?: string
  dockerhubApiUrl: URL
}
