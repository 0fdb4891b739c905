/** The names of the inputs declared in action.yml. */
export enum Inputs {
  ServiceId = 'service-id',
  ApiKey = 'api-key',
  DeployHookUrl = 'deploy-hook-url',
  ImageUrl = 'image-url',
  CommitId = 'commit-id',
  RenderApiUrl = 'render-api-url',
  Wait = 'wait',
  Timeout = 'timeout',
  DisableAutoDeploy = 'disable-auto-deploy',
  HealthPath = 'health-path',
  RollbackOnFailure = 'rollback-on-failure',
  CancelOnTimeout = 'cancel-on-timeout',
  ClearCache = 'clear-cache',
  GithubDeployment = 'github-deployment',
  Environment = 'environment',
  GithubToken = 'github-token',
  /** Read by the kit's `run()` itself, before `getInputs()`. */
  SelfReportDsn = 'self-report-dsn'
}

/** The names of the outputs declared in action.yml. */
export enum Outputs {
  DeployId = 'deploy-id',
  Status = 'status',
  ServiceUrl = 'service-url',
  DashboardUrl = 'dashboard-url',
  Duration = 'duration',
  RolledBack = 'rolled-back',
  ApiCalls = 'api-calls'
}

/** Render's public REST API. */
export const DEFAULT_RENDER_API_URL = 'https://api.render.com/v1'
