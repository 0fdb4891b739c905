/** The names of the inputs, as action.yml declares them. */
export enum Inputs {
  Image = 'image',
  Registry = 'registry',
  Username = 'username',
  Password = 'password',
  Engine = 'engine',
  Context = 'context',
  File = 'file',
  BuildArgs = 'build-args',
  Secrets = 'secrets',
  SecretFiles = 'secret-files',
  Target = 'target',
  Platforms = 'platforms',
  Labels = 'labels',
  Tags = 'tags',
  Push = 'push',
  SmokeTest = 'smoke-test',
  SmokeEnvFile = 'smoke-env-file',
  SmokeEnv = 'smoke-env',
  SmokePort = 'smoke-port',
  SmokePath = 'smoke-path',
  SmokeTimeout = 'smoke-timeout',
  Cache = 'cache',
  Provenance = 'provenance',
  Sbom = 'sbom',
  DockerhubDescription = 'dockerhub-description',
  DockerhubApiUrl = 'dockerhub-api-url',
  /** Read by the kit's `run()` itself, before `getInputs()`. */
  SelfReportDsn = 'self-report-dsn'
}

/** The names of the outputs, as action.yml declares them. */
export enum Outputs {
  Image = 'image',
  Tags = 'tags',
  Digest = 'digest',
  ImageRef = 'image-ref',
  ImageId = 'image-id',
  Size = 'size',
  Pushed = 'pushed',
  SmokeSeconds = 'smoke-seconds'
}

export const ENGINES = ['auto', 'docker', 'podman'] as const
export const PUSH_MODES = ['auto', 'true', 'false'] as const
export const CACHE_MODES = ['gha', 'registry', 'none'] as const

/** Docker Hub's web API (descriptions), as a URL's `href`. */
export const DOCKER_HUB_API = 'https://hub.docker.com/'
/** Docker Hub's registry, as image references name it. */
export const DOCKER_HUB = 'docker.io'
/** Other names of Docker Hub's registry, which mean `docker.io`. */
export const DOCKER_HUB_ALIASES = [
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io'
]
