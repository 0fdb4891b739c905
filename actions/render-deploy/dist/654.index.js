export const id = 654;
export const ids = [654];
export const modules = {

/***/ 5654:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  main: () => (/* binding */ main)
});

// UNUSED EXPORTS: DeployFailed, plan

// EXTERNAL MODULE: ../../node_modules/@actions/core/lib/core.js + 4 modules
var core = __webpack_require__(8106);
// EXTERNAL MODULE: ../../packages/action-kit/src/index.ts + 14 modules
var src = __webpack_require__(7468);
// EXTERNAL MODULE: ./src/constants.ts
var constants = __webpack_require__(1731);
;// CONCATENATED MODULE: ./src/github-deployment.ts
/**
 * The GitHub deployment of the environment, so that the repository's
 * Environments page and the commit show the deploy: created before the
 * trigger (in_progress), then success with the service's URL, or failure.
 * `@actions/github` is loaded only here, on first use, so that a run without
 * a GitHub deployment starts without it. A GitHub problem is a warning: it
 * never fails a deploy that worked.
 */


/** The time one GitHub API request may take. */
const GITHUB_TIMEOUT_MS = 10_000;
function runUrl() {
    const server = process.env['GITHUB_SERVER_URL'] || 'https://github.com';
    const repo = process.env['GITHUB_REPOSITORY'];
    const run = process.env['GITHUB_RUN_ID'];
    return repo && run ? `${server}/${repo}/actions/runs/${run}` : undefined;
}
class GithubDeployment {
    octokit;
    owner;
    repo;
    environment;
    record;
    constructor(octokit, owner, repo, environment, record) {
        this.octokit = octokit;
        this.owner = owner;
        this.repo = repo;
        this.environment = environment;
        this.record = record;
    }
    /** Creates the deployment and marks it in_progress; undefined (with a warning) when GitHub refuses. */
    static async start(settings, description, payload) {
        const fullName = process.env['GITHUB_REPOSITORY'] ?? '';
        const [owner, repo] = fullName.split('/');
        const ref = process.env['GITHUB_SHA'] || process.env['GITHUB_REF'];
        if (!owner || !repo || !ref) {
            core/* warning */.$e('No GitHub deployment recorded: GITHUB_REPOSITORY and GITHUB_SHA are not set (this does not look like a GitHub Actions run).');
            return undefined;
        }
        try {
            const { getOctokit } = await __webpack_require__.e(/* import() */ 329).then(__webpack_require__.bind(__webpack_require__, 1329));
            const octokit = getOctokit(settings.token, {
                baseUrl: process.env['GITHUB_API_URL'] || 'https://api.github.com',
                // Octokit waits forever by default: a GitHub that does not answer
                // must not hold the deploy up.
                request: {
                    fetch: (url, init) => fetch(url, {
                        ...init,
                        signal: AbortSignal.timeout(GITHUB_TIMEOUT_MS)
                    }).catch((error) => {
                        // Said plainly: Octokit shows errors of another realm (undici's)
                        // as "Unknown Error".
                        throw new Error(error?.name === 'TimeoutError'
                            ? `GitHub did not answer within ${GITHUB_TIMEOUT_MS / 1000} s`
                            : `GitHub could not be reached: ${(0,src/* scrub */._I)((0,src/* errorMessage */.gJ)(error))}`);
                    })
                }
            });
            const created = await octokit.rest.repos.createDeployment({
                owner,
                repo,
                ref,
                environment: settings.environment,
                description: description.slice(0, 140),
                auto_merge: false,
                required_contexts: [],
                payload,
                production_environment: settings.environment === 'production'
            });
            const id = created.data.id;
            if (typeof id !== 'number')
                throw new Error(`GitHub answered ${created.status} without a deployment`);
            const deployment = new GithubDeployment(octokit, owner, repo, settings.environment, { id, states: [] });
            await deployment.setState('in_progress', 'Deploying to Render');
            return deployment;
        }
        catch (error) {
            core/* warning */.$e(`No GitHub deployment recorded for environment ${settings.environment}: ${(0,src/* scrub */._I)((0,src/* errorMessage */.gJ)(error))}. Give 'github-token' the permission 'deployments: write', or set 'github-deployment: false'.`);
            return undefined;
        }
    }
    /** Moves the deployment to `state`; a refusal is a warning. */
    async setState(state, description, environmentUrl) {
        try {
            await this.octokit.rest.repos.createDeploymentStatus({
                owner: this.owner,
                repo: this.repo,
                deployment_id: this.record.id,
                state,
                description: description.slice(0, 140),
                environment: this.environment,
                ...(environmentUrl ? { environment_url: environmentUrl } : {}),
                ...(runUrl() ? { log_url: runUrl() } : {}),
                auto_inactive: true
            });
            this.record.states.push(state);
        }
        catch (error) {
            core/* warning */.$e(`GitHub deployment ${this.record.id} could not be marked ${state}: ${(0,src/* scrub */._I)((0,src/* errorMessage */.gJ)(error))}`);
        }
    }
}

;// CONCATENATED MODULE: ./src/health.ts
/**
 * Once the deploy is live: the service's URL + health path must answer 2xx
 * within a bounded time (Render may take a moment to route to the new
 * instance). It is asked again, with growing pauses, until it does or the
 * time is up.
 */

/** The health check's time bound, from `timeout`: a fifth of it, 2 s to 2 min. */
function healthBound(timeoutMs) {
    return Math.round(Math.min(120_000, Math.max(2000, timeoutMs / 5)));
}
/** The URL checked: the service's URL with `path`. */
function healthUrl(serviceUrl, path) {
    const url = new URL(serviceUrl);
    const [pathname, query] = path.split('?', 2);
    url.pathname = (url.pathname.replace(/\/$/, '') + pathname).replace(/^\/\//, '/');
    url.search = query ? `?${query}` : '';
    return url.href;
}
async function checkHealth(url, boundMs) {
    const started = Date.now();
    const deadline = started + boundMs;
    let attempts = 0;
    let status;
    let problem;
    for (let pause = 250;; pause = Math.min(pause * 2, 5000)) {
        attempts++;
        const left = deadline - Date.now();
        try {
            const response = await fetch(url, {
                redirect: 'follow',
                headers: { 'user-agent': 'shipyard-render-deploy health check' },
                signal: AbortSignal.timeout(Math.max(500, Math.min(10_000, left)))
            });
            await response.arrayBuffer().catch(() => undefined);
            status = response.status;
            if (status >= 200 && status < 300)
                return {
                    ok: true,
                    url,
                    status,
                    attempts,
                    elapsedMs: Date.now() - started
                };
            problem = `it answered ${status}`;
        }
        catch (error) {
            status = undefined;
            problem =
                error?.name === 'TimeoutError'
                    ? 'it did not answer in time'
                    : `it could not be reached: ${(0,src/* errorMessage */.gJ)(error?.cause ?? error)}`;
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0)
            return {
                ok: false,
                url,
                status,
                problem,
                attempts,
                elapsedMs: Date.now() - started
            };
        await new Promise((resolve) => setTimeout(resolve, Math.min(pause, remaining)));
    }
}

// EXTERNAL MODULE: ./src/input-helper.ts
var input_helper = __webpack_require__(5367);
;// CONCATENATED MODULE: ./src/preflight.ts
/**
 * What is checked before any deploy is triggered: the service exists, is not
 * suspended and is of the right kind; the image differs from the service's
 * configured image only by its tag or digest; the image can be pulled the
 * way Render pulls it; Render's own auto-deploy is off (turned off when
 * allowed). A check that fails throws a `ConfigurationError` and nothing has
 * been deployed.
 */


/** An image-backed service: it has an `imagePath`, or runs the `image` runtime. */
function isImageBacked(service) {
    const details = service.serviceDetails ?? {};
    return (Boolean(service.imagePath) ||
        details.runtime === 'image' ||
        details.env === 'image');
}
/** Refuses a missing, suspended or wrong-kind service (no deploy made). */
function checkService(service, source) {
    const id = service.id;
    if (service.suspended === 'suspended')
        throw new src/* ConfigurationError */.j1(`Render service ${id} (${service.name ?? 'unnamed'}) is suspended, so it cannot be deployed; nothing was deployed. Resume it in Render's dashboard${service.dashboardUrl ? ` (${service.dashboardUrl})` : ''}, then run this step again.`);
    const imageBacked = isImageBacked(service);
    if (source.kind === 'image' && !imageBacked)
        throw new src/* ConfigurationError */.j1(`Render service ${id} is git-backed (${service.repo ?? 'a repository'}), so it cannot deploy 'image-url' ${source.image.ref}; nothing was deployed. Give 'commit-id' for a git-backed service, or the service-id of an image-backed one.`);
    if (source.kind === 'commit' && imageBacked)
        throw new src/* ConfigurationError */.j1(`Render service ${id} is image-backed (${service.imagePath ?? 'an image'}), so it cannot deploy 'commit-id' ${source.commitId}; nothing was deployed. Give 'image-url' for an image-backed service.`);
}
/** Registry and repository as Render compares them (Docker Hub's aliases folded). */
function imageName(ref) {
    let rest = ref.trim().split('@')[0] ?? '';
    const colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/'))
        rest = rest.slice(0, colon);
    const parts = rest.split('/');
    const first = parts[0] ?? '';
    let registry = 'docker.io';
    if (parts.length > 1 &&
        (first.includes('.') || first.includes(':') || first === 'localhost')) {
        registry = first.toLowerCase();
        parts.shift();
    }
    if (registry === 'index.docker.io' || registry === 'registry-1.docker.io')
        registry = 'docker.io';
    if (registry === 'docker.io' && parts.length === 1)
        parts.unshift('library');
    return { registry, repository: parts.join('/').toLowerCase() };
}
/** Render's rule: only the tag or the digest may differ from the configured image. */
function checkImageRule(service, image) {
    const configured = service.imagePath;
    if (!configured)
        return;
    const want = imageName(configured);
    const got = imageName(image.ref);
    if (want.registry === got.registry && want.repository === got.repository)
        return;
    throw new src/* ConfigurationError */.j1(`Invalid value for input 'image-url': ${JSON.stringify(image.ref)} is ${got.registry}/${got.repository}, but Render service ${service.id} is configured with ${configured} (${want.registry}/${want.repository}); Render deploys only another tag or digest of the configured image. Nothing was deployed. Accepted: ${want.registry}/${want.repository}:<tag> or ${want.registry}/${want.repository}@sha256:<digest>; to deploy another repository, change the service's image in Render first.`);
}
const MANIFEST_TYPES = [
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.docker.distribution.manifest.v2+json'
].join(', ');
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/;
/** Where the registry's API is: Docker Hub's is not at docker.io. */
function registryBase(registry) {
    if (registry === 'docker.io')
        return 'https://registry-1.docker.io';
    return `${LOOPBACK.test(registry) ? 'http' : 'https'}://${registry}`;
}
/** `Bearer realm="…",service="…",scope="…"` → its parameters. */
function parseChallenge(header) {
    const match = /^\s*(\w+)\s*(.*)$/.exec(header);
    if (!match)
        return undefined;
    const params = {};
    const re = /(\w+)\s*=\s*(?:"([^"]*)"|([^,\s]*))/g;
    for (let m = re.exec(match[2] ?? ''); m; m = re.exec(match[2] ?? ''))
        params[(m[1] ?? '').toLowerCase()] = m[2] ?? m[3] ?? '';
    return { scheme: (match[1] ?? '').toLowerCase(), params };
}
/**
 * Can the image be pulled anonymously, as Render pulls a public image? A
 * manifest HEAD (which Docker Hub does not count as a pull), after the
 * registry's anonymous token flow when it asks for one. A registry that
 * cannot be reached is a warning; a refusal is an error.
 */
async function checkPullable(service, image, timeoutMs) {
    if (service.registryCredential)
        return {
            result: 'skipped',
            reason: `the service pulls with its registry credential ${service.registryCredential.name ?? ''}`.trim()
        };
    const base = registryBase(image.registry);
    const reference = image.digest ?? image.tag ?? 'latest';
    const manifestUrl = `${base}/v2/${image.repository}/manifests/${reference}`;
    const request = (url, headers) => fetch(url, {
        method: 'HEAD',
        headers,
        redirect: 'follow',
        signal: AbortSignal.timeout(timeoutMs)
    });
    const refused = (why) => {
        throw new src/* ConfigurationError */.j1(`Image ${image.ref} cannot be pulled anonymously from ${image.registry} (${why}), as Render would pull it for service ${service.id}, which has no registry credential; nothing was deployed. Make the repository public, push the tag or digest, or add registry credentials to the service in Render.`);
    };
    try {
        let response = await request(manifestUrl, { accept: MANIFEST_TYPES });
        if (response.status === 401) {
            const challenge = parseChallenge(response.headers.get('www-authenticate') ?? '');
            if (challenge?.scheme !== 'bearer' || !challenge.params['realm'])
                return refused('the registry asks for a login');
            const tokenUrl = new URL(challenge.params['realm']);
            if (challenge.params['service'])
                tokenUrl.searchParams.set('service', challenge.params['service']);
            tokenUrl.searchParams.set('scope', `repository:${image.repository}:pull`);
            const tokenResponse = await fetch(tokenUrl, {
                signal: AbortSignal.timeout(timeoutMs)
            });
            if (tokenResponse.status >= 500)
                return {
                    result: 'unreachable',
                    reason: `its token service answered ${tokenResponse.status}`
                };
            if (!tokenResponse.ok)
                return refused(`no anonymous token: ${tokenResponse.status}`);
            const body = (await tokenResponse.json());
            const token = body.token ?? body.access_token;
            if (!token)
                return refused('its token service gave no token');
            core/* setSecret */.Pq(token);
            response = await request(manifestUrl, {
                accept: MANIFEST_TYPES,
                authorization: `Bearer ${token}`
            });
        }
        if (response.ok)
            return {
                result: 'pullable',
                digest: response.headers.get('docker-content-digest') ?? undefined
            };
        if (response.status === 429 || response.status >= 500)
            return {
                result: 'unreachable',
                reason: `the registry answered ${response.status}`
            };
        return refused(response.status === 404
            ? `${reference} is not in ${image.repository}: 404`
            : `the registry answered ${response.status}`);
    }
    catch (error) {
        if (error instanceof src/* ConfigurationError */.j1)
            throw error;
        return { result: 'unreachable', reason: (0,src/* errorMessage */.gJ)(error) };
    }
}
/** Render's auto-deploy is on: the newer field when the service has it, else the older one. */
function autoDeployOn(service) {
    if (service.autoDeployTrigger !== undefined)
        return service.autoDeployTrigger !== 'off';
    return service.autoDeploy === 'yes';
}
/**
 * Turns Render's auto-deploy off when it is on (`disable`), or warns.
 * Answers what was changed, or undefined.
 */
async function ensureAutoDeployOff(client, service, disable) {
    if (!autoDeployOn(service))
        return undefined;
    const before = service.autoDeployTrigger !== undefined
        ? `autoDeployTrigger: ${service.autoDeployTrigger}`
        : `autoDeploy: ${service.autoDeploy ?? 'yes'}`;
    if (!disable) {
        core/* warning */.$e(`Render's auto-deploy is on for service ${service.id} (${before}): Render may deploy on its own, outside this pipeline. 'disable-auto-deploy' is false, so it is left on.`);
        return undefined;
    }
    let change;
    if (service.autoDeployTrigger !== undefined) {
        try {
            await client.updateService({ autoDeployTrigger: 'off' });
            change = { field: 'autoDeployTrigger', before };
        }
        catch (error) {
            // A service that only knows the older field refuses the newer one.
            if (!(error instanceof src/* HttpError */.j$) || error.status !== 400)
                throw error;
            await client.updateService({ autoDeploy: 'no' });
            change = { field: 'autoDeploy', before };
        }
    }
    else {
        await client.updateService({ autoDeploy: 'no' });
        change = { field: 'autoDeploy', before };
    }
    core/* notice */.lm(`Turned Render's auto-deploy off for service ${service.id} (was ${before}; sent ${change.field === 'autoDeployTrigger' ? 'autoDeployTrigger: off' : 'autoDeploy: no'}), so that only this pipeline deploys it.`);
    return change;
}

;// CONCATENATED MODULE: ./src/render-client.ts
/**
 * Render's REST API v1, the part render-deploy uses, on the kit's HttpClient:
 * Bearer auth, Render's `{id, message}` error bodies turned into clear
 * messages, the `Ratelimit-*` headers of the last answer kept for the
 * waiter, and every request counted (retries included) for the `api-calls`
 * output. The deploy trigger and the rollback are never retried blindly
 * after a dropped connection: that decision belongs to trigger.ts.
 */

/** Statuses after which a deploy changes no more (but `live` → `deactivated`). */
const TERMINAL_STATUSES = new Set([
    'live',
    'deactivated',
    'build_failed',
    'update_failed',
    'pre_deploy_failed',
    'canceled'
]);
/** The statuses of a deploy that has not ended yet. */
const RUNNING_STATUSES = [
    'created',
    'queued',
    'build_in_progress',
    'update_in_progress',
    'pre_deploy_in_progress'
];
function numberHeader(headers, name) {
    const value = headers.get(name);
    if (value === null || !/^\d+(\.\d+)?$/.test(value.trim()))
        return undefined;
    return Number(value);
}
/** `Ratelimit-Reset`: seconds from now, or epoch seconds (the docs disagree). */
function readRateLimit(headers, now = Date.now()) {
    const limit = numberHeader(headers, 'ratelimit-limit');
    const remaining = numberHeader(headers, 'ratelimit-remaining');
    const reset = numberHeader(headers, 'ratelimit-reset');
    if (limit === undefined && remaining === undefined && reset === undefined)
        return undefined;
    let resetMs;
    if (reset !== undefined)
        resetMs =
            reset > 1_000_000_000 ? Math.max(0, reset * 1000 - now) : reset * 1000;
    return { limit, remaining, resetMs, at: now };
}
/** The list shape of Render: `[{cursor, deploy}]`. */
function unwrap(data, key) {
    if (!Array.isArray(data))
        return [];
    return data
        .map((item) => item?.[key])
        .filter((v) => v !== null && typeof v === 'object');
}
class RenderClient {
    access;
    serviceId;
    http;
    counted = 0;
    /** What the last answer said of the rate limit. */
    rateLimit;
    constructor(access, options = {}) {
        this.access = access;
        this.serviceId = access.serviceId;
        this.http = new src/* HttpClient */.Qq({
            service: 'Render',
            baseUrl: access.apiUrl,
            headers: { authorization: `Bearer ${access.apiKey}` },
            userAgent: 'shipyard-render-deploy',
            backoffMs: options.backoffMs,
            timeoutMs: options.requestTimeoutMs,
            maxRetryWaitMs: options.maxRetryWaitMs,
            // Every retry waits first: counting the waits counts the retries.
            sleep: (ms) => {
                this.counted++;
                return new Promise((resolve) => setTimeout(resolve, ms));
            }
        });
    }
    /** Requests sent to Render's API so far, retries included. */
    get calls() {
        return this.counted;
    }
    async send(method, path, options = {}) {
        this.counted++;
        try {
            const response = await this.http.request(method, path, options);
            // Every read answers a JSON body: an empty one is no answer.
            if (method === 'GET' && response.data === undefined)
                throw new src/* HttpError */.j$(`Render answered ${response.status} to GET ${path} with an empty body`, response.status, 'Render');
            // Reads have their own budget; writes' headers speak of others.
            if (method === 'GET')
                this.rateLimit = readRateLimit(response.headers) ?? this.rateLimit;
            return response;
        }
        catch (error) {
            throw explain(error, this.serviceId);
        }
    }
    servicePath(suffix = '') {
        return `services/${encodeURIComponent(this.serviceId)}${suffix}`;
    }
    async getService() {
        try {
            return (await this.send('GET', this.servicePath())).data;
        }
        catch (error) {
            if (error instanceof src/* HttpError */.j$ && error.status === 404)
                throw new src/* HttpError */.j$(`Render does not know service ${this.serviceId}, or the API key cannot see it (404): check 'service-id' and 'api-key'. ${error.message}`, 404, error.service, error.body);
            throw error;
        }
    }
    /** PATCH is a plain update: sending it twice does no harm. */
    async updateService(fields) {
        const response = await this.send('PATCH', this.servicePath(), {
            body: fields,
            idempotent: true
        });
        return response.data;
    }
    async listDeploys(query = {}) {
        const response = await this.send('GET', this.servicePath('/deploys'), {
            query: {
                status: query.status,
                createdAfter: query.createdAfter,
                limit: query.limit ?? 20
            }
        });
        return unwrap(response.data, 'deploy');
    }
    async getDeploy(deployId) {
        const response = await this.send('GET', this.servicePath(`/deploys/${encodeURIComponent(deployId)}`));
        return response.data;
    }
    /**
     * `POST .../deploys`, sent once: a dropped connection is not retried here
     * (the deploy may exist). 201 answers the deploy, 202 answers nothing.
     */
    async triggerDeploy(body) {
        const response = await this.send('POST', this.servicePath('/deploys'), { body, idempotent: false });
        const deploy = response.data && typeof response.data.id === 'string'
            ? response.data
            : undefined;
        return { status: response.status, deploy };
    }
    async cancelDeploy(deployId) {
        const response = await this.send('POST', this.servicePath(`/deploys/${encodeURIComponent(deployId)}/cancel`), { idempotent: true });
        return response.data;
    }
    /** `POST .../rollback` `{deployId}`: a new deploy of what `deployId` ran. */
    async rollback(deployId) {
        const response = await this.send('POST', this.servicePath('/rollback'), { body: { deployId }, idempotent: false });
        return response.data;
    }
}
/** Adds what to do to Render's answers that the user can fix. */
function explain(error, serviceId) {
    if (!(error instanceof src/* HttpError */.j$))
        return error;
    const hint = {
        401: "Render refused the API key (401): check the 'api-key' input (Account Settings → API Keys in Render's dashboard).",
        403: `The API key may not act on service ${serviceId} (403): use a key of the workspace that owns it.`
    };
    const extra = error.status === undefined ? undefined : hint[error.status];
    if (!extra)
        return error;
    return new src/* HttpError */.j$(`${extra} ${error.message}`, error.status, error.service, error.body);
}
/** True for failures after which the request may have had no effect yet: network, timeout, 5xx. */
function isTransient(error) {
    if (!(error instanceof src/* HttpError */.j$))
        return false;
    return error.status === undefined || error.status >= 500;
}

;// CONCATENATED MODULE: ./src/waiter.ts
/**
 * Waits for a deploy to end, reading it with an adaptive interval: quick at
 * first (a deploy that cannot start fails fast), slower while it builds, and
 * quick again around the time it is expected to end, which is learnt from
 * the service's previous deploys. It stays far inside Render's read limit
 * (`Ratelimit-Remaining` spreads the reads over `Ratelimit-Reset`; a 429's
 * `Retry-After` is honoured by the client), outlasts a burst of 5xx answers,
 * logs each status change with its time, and stops at the deadline.
 */



const clamp = (value, low, high) => Math.min(high, Math.max(low, value));
/**
 * The poll intervals, from `timeout`: 1/300 of it between 0.2 and 2 s, and
 * 1/60 of it between 1 and 15 s (15 s for the default 15 minutes: at most
 * about 4 reads a minute while a long build runs).
 */
function pollIntervals(timeoutMs) {
    return {
        minMs: Math.round(clamp(timeoutMs / 300, 200, 2000)),
        maxMs: Math.round(clamp(timeoutMs / 60, 1000, 15_000))
    };
}
/**
 * How long the service's deploys take, from trigger to live: the median of
 * its last (up to five) deploys that went live. Undefined without history.
 */
function expectedDuration(history) {
    const durations = history
        .filter((d) => (d.status === 'live' || d.status === 'deactivated') &&
        d.createdAt &&
        d.finishedAt)
        .slice(0, 5)
        .map((d) => Date.parse(d.finishedAt) - Date.parse(d.createdAt))
        .filter((ms) => Number.isFinite(ms) && ms > 0)
        .sort((a, b) => a - b);
    if (durations.length === 0)
        return undefined;
    return durations[Math.floor((durations.length - 1) / 2)];
}
/** A little after the expected end: the read that should see it live. */
const EXPECTED_SLACK_MS = 150;
/**
 * The pause before the next read, `elapsed` ms after the trigger. With an
 * expected duration, reads are spread evenly up to (just after) the expected
 * end, at most `maxMs` apart, with one quick early read on long deploys;
 * past it, reads are quick again (from half of `minMs`) and slow down the
 * later the deploy is. Without one, the pause grows with the time waited.
 */
function nextDelay(elapsed, reads, intervals, expectedMs) {
    const { minMs, maxMs } = intervals;
    if (expectedMs !== undefined) {
        const target = expectedMs + EXPECTED_SLACK_MS;
        const gap = target - elapsed;
        if (gap > 0) {
            if (reads === 0 && gap > 2 * maxMs)
                return 2 * minMs;
            const steps = Math.ceil(gap / maxMs);
            return Math.max(gap / steps, Math.min(minMs, gap));
        }
        return clamp(-gap / 2, minMs / 2, maxMs);
    }
    return clamp(elapsed / 4, minMs, maxMs);
}
/** The pause the rate limit asks for: half the reads left, spread over the window. */
function rateLimitDelay(client) {
    const state = client.rateLimit;
    if (!state || state.resetMs === undefined || state.remaining === undefined)
        return 0;
    const left = Math.max(0, state.resetMs - (Date.now() - state.at));
    if (state.remaining <= 1)
        return left + 100;
    return (2 * left) / state.remaining;
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const clock = (at) => new Date(at).toISOString().slice(11, 19);
/** Reads that fail this many times in a row end the wait. */
const MAX_FAILED_READS = 8;
async function waitForDeploy(client, first, options) {
    const label = options.label ?? 'deploy';
    const changes = [];
    const note = (status) => {
        const at = Date.now();
        changes.push({ status, at });
        core/* info */.pq(`${clock(at)} UTC (+${((at - options.since) / 1000).toFixed(1)} s) ${label} ${first.id}: ${status}`);
    };
    let deploy = first;
    note(deploy.status);
    let reads = 0;
    let failed = 0;
    while (!TERMINAL_STATUSES.has(deploy.status)) {
        const now = Date.now();
        if (now >= options.deadline)
            return { deploy, timedOut: true, changes, reads };
        const delay = Math.max(nextDelay(now - options.since, reads, options.intervals, options.expectedMs), rateLimitDelay(client), failed > 0 ? options.intervals.maxMs : 0);
        await sleep(Math.min(delay, Math.max(0, options.deadline - now)));
        reads++;
        try {
            const next = await client.getDeploy(deploy.id);
            failed = 0;
            if (next.status !== deploy.status) {
                deploy = next;
                note(deploy.status);
            }
            else
                deploy = next;
        }
        catch (error) {
            const transient = error instanceof src/* HttpError */.j$ &&
                (error.status === undefined ||
                    error.status === 429 ||
                    error.status >= 500);
            if (!transient || ++failed >= MAX_FAILED_READS)
                throw error;
            core/* info */.pq(`Reading ${label} ${deploy.id} failed (${(0,src/* errorMessage */.gJ)(error)}); reading again.`);
        }
    }
    return { deploy, timedOut: false, changes, reads };
}

;// CONCATENATED MODULE: ./src/rollback.ts
/**
 * A deploy that went live but fails its health check is rolled back to the
 * deploy that was live before it (`POST /services/{id}/rollback`), and the
 * action waits for that rollback to be live.
 */



async function rollBack(client, target, wait) {
    core/* info */.pq(`Rolling service ${client.serviceId} back to deploy ${target.id}, live before this one${target.image?.ref ? ` (${target.image.ref})` : ''}.`);
    let deploy;
    try {
        deploy = await client.rollback(target.id);
    }
    catch (error) {
        return { target, live: false, problem: (0,src/* errorMessage */.gJ)(error) };
    }
    if (!deploy?.id)
        return {
            target,
            live: false,
            problem: 'Render answered the rollback without a deploy'
        };
    const result = await waitForDeploy(client, deploy, {
        ...wait,
        since: Date.now(),
        label: 'rollback'
    });
    const live = result.deploy.status === 'live';
    return {
        target,
        deploy: result.deploy,
        wait: result,
        live,
        problem: live
            ? undefined
            : result.timedOut
                ? `the rollback was still ${result.deploy.status} when the time was up`
                : `the rollback ended ${result.deploy.status}`
    };
}

;// CONCATENATED MODULE: ./src/summary.ts
/**
 * The job summary of a deploy: the outcome, a timeline of the statuses (a
 * mermaid chart), the image or commit deployed, links to the service and its
 * dashboard, what the action changed (auto-deploy) and the rollback if any.
 */

/** Mermaid's timeline reads `:` as a separator: keep it out of labels. */
const label = (text) => text.replace(/[:;#]/g, ' ').trim();
const offset = (at, since) => `+${((at - since) / 1000).toFixed(1)} s`;
function timeline(report) {
    if (report.since === undefined || report.changes.length === 0)
        return undefined;
    const since = report.since;
    const lines = [
        'timeline',
        `  title ${label(`Deploy ${report.deployId ?? ''}`)}`
    ];
    for (const change of report.changes)
        lines.push(`  ${offset(change.at, since)} : ${label(change.status)}`);
    const health = report.health;
    if (health)
        lines.push(`  ${offset(report.healthAt ?? since, since)} : ${label(health.ok
            ? `health check ${health.status ?? ''}`
            : `health check failed (${health.problem ?? ''})`)}`);
    for (const change of report.rollback?.wait?.changes ?? [])
        lines.push(`  ${offset(change.at, since)} : ${label(`rollback ${change.status}`)}`);
    return (0,src/* mermaid */.a4)(lines.join('\n'));
}
function what(source) {
    if (source.kind === 'image')
        return `image \`${source.image.ref}\``;
    if (source.kind === 'commit')
        return `commit \`${source.commitId}\``;
    return "the service's configured image or branch";
}
function renderSummary(report) {
    const icon = report.ok ? '✅' : '❌';
    const sections = [`## ${icon} Render deploy: ${report.outcome}`];
    const rows = [
        [
            'Service',
            `${report.serviceName ? `${report.serviceName} ` : ''}\`${report.serviceId}\``
        ],
        ['Deployed', what(report.source)],
        ['Deploy', report.deployId ? `\`${report.deployId}\`` : '(not known)'],
        ['Status', report.status ?? '(not triggered)'],
        [
            'Triggered through',
            report.mode === 'api' ? "Render's API" : 'the deploy hook'
        ]
    ];
    if (report.serviceUrl)
        rows.push(['Service URL', report.serviceUrl]);
    if (report.dashboardUrl)
        rows.push(['Dashboard', report.dashboardUrl]);
    if (report.healthUrl && report.health)
        rows.push([
            'Health check',
            report.health.ok
                ? `${report.healthUrl} answered ${report.health.status} (${report.health.attempts} ${report.health.attempts === 1 ? 'try' : 'tries'})`
                : `${report.healthUrl}: ${report.health.problem ?? 'failed'} after ${(report.health.elapsedMs / 1000).toFixed(1)} s`
        ]);
    if (report.durationS !== undefined)
        rows.push(['Duration', `${report.durationS} s`]);
    rows.push(['Render API calls', String(report.apiCalls)]);
    if (report.githubDeployment)
        rows.push([
            'GitHub deployment',
            `${report.githubDeployment.id}: ${report.githubDeployment.states.join(' → ')}`
        ]);
    sections.push((0,src/* table */.tp)(['', ''], rows));
    const chart = timeline(report);
    if (chart)
        sections.push('### Timeline', chart);
    const changed = [];
    const auto = report.autoDeploy;
    if (auto?.change)
        changed.push(`- Render's auto-deploy was on (${auto.change.before}) and was turned **off** (\`${auto.change.field === 'autoDeployTrigger' ? 'autoDeployTrigger: off' : 'autoDeploy: no'}\`), so that only this pipeline deploys.`);
    if (auto?.leftOn)
        changed.push("- Render's auto-deploy is **on** and was left on (`disable-auto-deploy: false`): Render may deploy on its own.");
    if (report.recovered)
        changed.push("- The trigger's answer was lost; the deploy it created was found, and no second deploy was made.");
    if (report.pull?.result === 'unreachable')
        changed.push(`- The image's registry could not be reached to check that it can be pulled (${report.pull.reason}).`);
    if (changed.length)
        sections.push('### What changed', changed.join('\n'));
    const rollback = report.rollback;
    if (rollback)
        sections.push('### Rollback', rollback.live
            ? `The service was rolled back to deploy \`${rollback.target.id}\` (rollback deploy \`${rollback.deploy?.id ?? ''}\`), which is live again.`
            : `The rollback to deploy \`${rollback.target.id}\` did not finish: ${rollback.problem ?? 'unknown'}.`);
    return sections.join('\n\n');
}

;// CONCATENATED MODULE: ./src/trigger.ts
/**
 * Triggers the deploy, exactly once. Through the API, Render answers 201 with
 * the deploy, or 202 with no body (queued): then the deploy is found by its
 * status and creation time. A trigger whose answer is lost (dropped
 * connection, timeout, 5xx) may still have created the deploy, so before
 * sending it again the action looks for a deploy created since the first
 * try: a retry never makes a second deploy of the same image. Through a
 * deploy hook (`imgURL` for an image), the same holds when an API key allows
 * the look; without one, a lost answer is not retried at all.
 */




async function snapshotDeploys(client) {
    const deploys = await client.listDeploys({ limit: 20 });
    return {
        known: new Set(deploys.map((d) => d.id)),
        live: deploys.find((d) => d.status === 'live'),
        deploys
    };
}
/** True when `deploy` is a deploy of `source`. */
function deploys(deploy, source) {
    if (source.kind === 'image') {
        const ref = deploy.image?.ref;
        if (!ref)
            return true;
        const { image } = source;
        if (ref === image.ref)
            return true;
        if (image.digest !== undefined && deploy.image?.sha === image.digest)
            return true;
        // The same image written another way (`acme/app` for `docker.io/acme/app`).
        const name = imageName(ref);
        const tag = /:([\w][\w.-]*)(?:@|$)/.exec(ref.slice(ref.lastIndexOf('/')));
        const digest = ref.includes('@')
            ? ref.slice(ref.indexOf('@') + 1)
            : undefined;
        return (name.registry === image.registry &&
            name.repository === image.repository &&
            tag?.[1] === image.tag &&
            digest === image.digest);
    }
    if (source.kind === 'commit') {
        const id = deploy.commit?.id?.toLowerCase();
        return (!id || id.startsWith(source.commitId) || source.commitId.startsWith(id));
    }
    return true;
}
/** A margin for the clocks of the runner and Render: `known` keeps older deploys out. */
const CLOCK_MARGIN_MS = 5 * 60_000;
const trigger_sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * The deploy the trigger created: new since the snapshot, of this source;
 * the oldest such one. With `statuses`, only deploys in those.
 */
async function findNewDeploy(client, snapshot, source, since, statuses) {
    const list = await client.listDeploys({
        status: statuses,
        createdAfter: new Date(since - CLOCK_MARGIN_MS).toISOString(),
        limit: 20
    });
    const fresh = list
        .filter((d) => !snapshot.known.has(d.id) && deploys(d, source))
        .sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? ''));
    return fresh[0];
}
/** Looks a few times: a queued deploy may take a moment to be listed. */
async function lookForDeploy(client, snapshot, source, since, pauseMs, statuses) {
    for (let look = 0; look < 3; look++) {
        if (look > 0)
            await trigger_sleep(pauseMs * look);
        try {
            const found = (statuses &&
                (await findNewDeploy(client, snapshot, source, since, statuses))) ||
                (await findNewDeploy(client, snapshot, source, since));
            if (found)
                return found;
        }
        catch (error) {
            if (!isTransient(error))
                throw error;
            core/* info */.pq(`Listing the deploys failed (${(0,src/* errorMessage */.gJ)(error)}); looking again.`);
        }
    }
    return undefined;
}
function requestBody(source, clearCache) {
    const body = {
        clearCache: clearCache ? 'clear' : 'do_not_clear'
    };
    if (source.kind === 'image')
        body['imageUrl'] = source.image.ref;
    if (source.kind === 'commit')
        body['commitId'] = source.commitId;
    return body;
}
/** Attempts at a trigger whose answers were lost, the first included. */
const TRIGGER_ATTEMPTS = 3;
function conflict(error) {
    if (error instanceof src/* HttpError */.j$ && error.status === 409)
        return new src/* HttpError */.j$(`Render refused to create a deploy (409): another deploy may be running that cannot be queued behind, or the service cannot deploy now. ${error.message}`, 409, error.service, error.body);
    return error;
}
/** `POST /services/{id}/deploys`, never twice for one deploy. */
async function triggerThroughApi(client, snapshot, source, clearCache, pauseMs) {
    const at = Date.now();
    const body = requestBody(source, clearCache);
    for (let attempt = 1;; attempt++) {
        let answer;
        try {
            answer = await client.triggerDeploy(body);
        }
        catch (error) {
            if (!isTransient(error))
                throw conflict(error);
            core/* warning */.$e(`The deploy trigger's answer was lost (${(0,src/* errorMessage */.gJ)(error)}); looking for a deploy it may have created before trying again.`);
            const found = await lookForDeploy(client, snapshot, source, at, pauseMs);
            if (found) {
                core/* info */.pq(`Found deploy ${found.id} (${found.status}), created by the trigger whose answer was lost: not triggering again.`);
                return { deploy: found, answer: 0, at, recovered: true, hookCalls: 0 };
            }
            if (attempt >= TRIGGER_ATTEMPTS)
                throw new Error(`The deploy could not be triggered after ${attempt} attempts, and Render lists no deploy made by them: ${(0,src/* errorMessage */.gJ)(error)}`);
            core/* info */.pq(`No deploy was created; triggering again (attempt ${attempt + 1} of ${TRIGGER_ATTEMPTS}).`);
            continue;
        }
        if (answer.deploy)
            return {
                deploy: answer.deploy,
                answer: answer.status,
                at,
                recovered: false,
                hookCalls: 0
            };
        core/* info */.pq(`Render answered ${answer.status} without a deploy (queued): finding it by status and creation time.`);
        const found = await lookForDeploy(client, snapshot, source, at, pauseMs, RUNNING_STATUSES);
        if (!found)
            throw new Error(`Render answered ${answer.status} (queued) to the deploy trigger, but lists no new deploy of service ${client.serviceId}: see the dashboard.`);
        return {
            deploy: found,
            answer: answer.status,
            at,
            recovered: false,
            hookCalls: 0
        };
    }
}
/** The deploy id in a deploy hook's answer (`{"deploy":{"id":…}}`, undocumented). */
function hookDeployId(data) {
    const record = data;
    const id = record?.deploy?.id ?? record?.id;
    return typeof id === 'string' && id.startsWith('dep-') ? id : undefined;
}
/** The deploy hook, with `imgURL` for an image; never twice for one deploy. */
async function triggerThroughHook(trigger, source, client, snapshot, pauseMs) {
    const at = Date.now();
    const url = new URL(trigger.deployHookUrl.href);
    if (source.kind === 'image')
        url.searchParams.set('imgURL', source.image.ref);
    const hook = new src/* HttpClient */.Qq({
        service: 'Render deploy hook',
        baseUrl: url.origin,
        userAgent: 'shipyard-render-deploy',
        backoffMs: pauseMs,
        maxAttempts: 3
    });
    let hookCalls = 0;
    for (let attempt = 1;; attempt++) {
        hookCalls++;
        try {
            const response = await hook.request('POST', url.pathname, {
                query: Object.fromEntries(url.searchParams),
                idempotent: false
            });
            const id = hookDeployId(response.data);
            let deploy;
            if (client) {
                deploy = id
                    ? await client.getDeploy(id)
                    : await lookForDeploy(client, snapshot, source, at, pauseMs);
            }
            else if (id) {
                deploy = { id, status: 'triggered' };
            }
            return {
                deploy,
                answer: response.status,
                at,
                recovered: false,
                hookCalls
            };
        }
        catch (error) {
            if (!isTransient(error))
                throw conflict(error);
            if (!client || !snapshot)
                throw new Error(`The deploy hook's answer was lost (${(0,src/* errorMessage */.gJ)(error)}). Without 'api-key' the action cannot tell whether Render started a deploy, so it does not call the hook again (that could deploy twice): see the service's Events in Render's dashboard.`);
            core/* warning */.$e(`The deploy hook's answer was lost (${(0,src/* errorMessage */.gJ)(error)}); looking for a deploy it may have created before trying again.`);
            const found = await lookForDeploy(client, snapshot, source, at, pauseMs);
            if (found)
                return { deploy: found, answer: 0, at, recovered: true, hookCalls };
            if (attempt >= TRIGGER_ATTEMPTS)
                throw new Error(`The deploy hook could not be called after ${attempt} attempts, and Render lists no deploy made by them: ${(0,src/* errorMessage */.gJ)(error)}`);
        }
    }
}

;// CONCATENATED MODULE: ./src/main.ts
/**
 * render-deploy: deploys an exact image (or commit) to a Render service and
 * proves it is live. Preflight (service, image rule, pullability,
 * auto-deploy), the GitHub deployment, the trigger (exactly once), the wait,
 * the health check and the rollback; then the outputs and the summary,
 * written whatever happened.
 */












/** A deploy that did not end live and healthy: the user's to look at, not a crash. */
class DeployFailed extends src/* ConfigurationError */.j1 {
    name = 'DeployFailed';
}
/** One line, without secrets, of what a run with these inputs does. */
function plan(inputs) {
    const { trigger, source } = inputs;
    const what = source.kind === 'image'
        ? `image ${source.image.ref}`
        : source.kind === 'commit'
            ? `commit ${source.commitId}`
            : 'its configured image or branch';
    const how = trigger.mode === 'api'
        ? `through the API at ${trigger.api.apiUrl.href}`
        : 'through its deploy hook';
    const after = inputs.wait
        ? `, then wait up to ${(0,src/* formatDuration */.a3)(inputs.timeoutMs)} for it to be live`
        : ', without waiting';
    return `Deploying ${what} to Render service ${trigger.mode === 'api' ? trigger.api.serviceId : trigger.serviceId} ${how}${after}.`;
}
const FAILED_STATUSES = new Set([
    'build_failed',
    'update_failed',
    'pre_deploy_failed',
    'canceled'
]);
async function preflight(run) {
    const { client, inputs, report } = run;
    if (!client) {
        core/* info */.pq("No 'api-key': the service cannot be checked before the deploy hook is called, nor the deploy watched.");
        return;
    }
    const source = inputs.source;
    const service = await client.getService();
    run.service = service;
    report.serviceName = service.name;
    report.serviceUrl = service.serviceDetails?.url || undefined;
    report.dashboardUrl = service.dashboardUrl || report.dashboardUrl;
    checkService(service, source);
    if (source.kind === 'image') {
        checkImageRule(service, source.image);
        const bound = Math.min(15_000, healthBound(inputs.timeoutMs));
        const pull = await checkPullable(service, source.image, bound);
        report.pull = pull;
        if (pull.result === 'pullable')
            core/* info */.pq(`Image ${source.image.ref} can be pulled anonymously${pull.digest ? ` (${pull.digest})` : ''}, as Render will pull it.`);
        else if (pull.result === 'skipped')
            core/* info */.pq(`Not checking that the image can be pulled: ${pull.reason}.`);
        else
            core/* warning */.$e(`Could not check that image ${source.image.ref} can be pulled (${pull.reason}); deploying anyway.`);
    }
    const wasOn = autoDeployOn(service);
    const change = await ensureAutoDeployOff(client, service, inputs.disableAutoDeploy);
    report.autoDeploy = { change, leftOn: wasOn && !change };
    run.snapshot = await snapshotDeploys(client);
    report.previousLive = run.snapshot.live?.id;
}
/** The deploy's end: live, failed, or the deadline (then canceled when asked). */
async function watch(run, deploy) {
    const { client, inputs, report } = run;
    if (!client)
        return deploy;
    const intervals = pollIntervals(inputs.timeoutMs);
    const since = run.triggered?.at ?? Date.now();
    const expectedMs = expectedDuration(run.snapshot?.deploys ?? []);
    core/* info */.pq(`Waiting up to ${(0,src/* formatDuration */.a3)(inputs.timeoutMs)}; reading the deploy every ${(intervals.minMs / 1000).toFixed(1)} to ${(intervals.maxMs / 1000).toFixed(1)} s${expectedMs ? `, and just after ${(expectedMs / 1000).toFixed(1)} s, the time the last deploys took to go live` : ''}.`);
    const result = await waitForDeploy(client, deploy, {
        since,
        deadline: since + inputs.timeoutMs,
        intervals,
        expectedMs
    });
    report.changes.push(...result.changes);
    run.endedAt = result.changes.at(-1)?.at ?? Date.now();
    if (!result.timedOut)
        return result.deploy;
    run.endedAt = Date.now();
    let final = result.deploy;
    const waited = (0,src/* formatDuration */.a3)(inputs.timeoutMs);
    if (!inputs.cancelOnTimeout)
        throw new DeployFailed(`Deploy ${final.id} was still ${final.status} after ${waited} ('timeout'); it was left running ('cancel-on-timeout: false').`);
    try {
        final = (await client.cancelDeploy(final.id)) ?? final;
        if (!final.status || final.status === result.deploy.status)
            final = await client.getDeploy(result.deploy.id);
    }
    catch (error) {
        core/* warning */.$e(`Deploy ${final.id} could not be canceled: ${(0,src/* errorMessage */.gJ)(error)}`);
    }
    report.changes.push({ status: final.status, at: Date.now() });
    report.status = final.status;
    throw new DeployFailed(`Deploy ${final.id} did not end within ${waited} ('timeout'), so it was canceled (now ${final.status}). ${previous(run)}`);
}
function previous(run) {
    const live = run.snapshot?.live;
    return live
        ? `The previous deploy ${live.id} is still serving (Render keeps it live).`
        : 'The service had no live deploy before this one.';
}
/** Live: the health check, then the rollback when it fails. */
async function prove(run, deploy) {
    const { client, inputs, report, service } = run;
    const base = service?.serviceDetails?.url;
    if (!base) {
        core/* notice */.lm(`Deploy ${deploy.id} is live; service ${report.serviceId} has no public URL, so no health check was made.`);
        return;
    }
    const path = inputs.healthPath ?? (service.serviceDetails?.healthCheckPath || '/');
    const url = healthUrl(base, path);
    report.healthUrl = url;
    const bound = healthBound(inputs.timeoutMs);
    const health = await checkHealth(url, bound);
    report.health = health;
    report.healthAt = Date.now();
    if (health.ok) {
        core/* info */.pq(`${url} answered ${health.status}: the deploy is live and healthy.`);
        return;
    }
    const failure = `Deploy ${deploy.id} went live, but ${url} did not answer 2xx within ${(0,src/* formatDuration */.a3)(bound)}: ${health.problem ?? 'no answer'}.`;
    core/* info */.pq(failure);
    const target = run.snapshot?.live;
    if (!inputs.rollbackOnFailure || !client)
        throw new DeployFailed(`${failure} Not rolled back ('rollback-on-failure: false'): the failing deploy is serving.`);
    if (!target)
        throw new DeployFailed(`${failure} There was no live deploy before it to roll back to: the failing deploy is serving.`);
    const intervals = pollIntervals(inputs.timeoutMs);
    const rollback = await rollBack(client, target, {
        deadline: Date.now() + inputs.timeoutMs,
        intervals,
        expectedMs: expectedDuration(run.snapshot?.deploys ?? [])
    });
    report.rollback = rollback;
    if (!rollback.live)
        throw new DeployFailed(`${failure} The rollback to deploy ${target.id} did not go live: ${rollback.problem ?? 'unknown'}.`);
    throw new DeployFailed(`${failure} The service was rolled back to deploy ${target.id} (rollback deploy ${rollback.deploy?.id ?? ''}), which is live again.`);
}
async function deploy(run) {
    const { client, inputs, report } = run;
    const trigger = inputs.trigger;
    await core/* group */.Os('Checking the Render service', () => preflight(run));
    if (inputs.githubDeployment) {
        run.github = await GithubDeployment.start(inputs.githubDeployment, `Render service ${report.serviceId}`, {
            service: report.serviceId,
            ...(inputs.source.kind === 'image'
                ? { image: inputs.source.image.ref }
                : inputs.source.kind === 'commit'
                    ? { commit: inputs.source.commitId }
                    : {})
        });
        report.githubDeployment = run.github?.record;
    }
    const pauseMs = pollIntervals(inputs.timeoutMs).minMs;
    const triggered = await core/* group */.Os('Triggering the deploy', () => trigger.mode === 'api'
        ? triggerThroughApi(client, run.snapshot, inputs.source, inputs.clearCache, pauseMs)
        : triggerThroughHook(trigger, inputs.source, client, run.snapshot, pauseMs));
    run.triggered = triggered;
    report.since = triggered.at;
    report.answer = triggered.answer;
    report.recovered = triggered.recovered;
    report.deployId = triggered.deploy?.id;
    report.status = triggered.deploy?.status ?? 'triggered';
    core/* info */.pq(`Deploy ${triggered.deploy?.id ?? '(id not given)'} ${triggered.recovered ? 'found' : `triggered (${triggered.answer})`}: ${report.status}.`);
    if (!inputs.wait || !client || !triggered.deploy) {
        run.endedAt = Date.now();
        if (!triggered.deploy)
            report.status = 'triggered';
        report.outcome = 'triggered, not waited for';
        report.ok = true;
        return;
    }
    const final = await core/* group */.Os('Waiting for the deploy', () => watch(run, triggered.deploy));
    report.status = final.status;
    if (FAILED_STATUSES.has(final.status))
        throw new DeployFailed(`Deploy ${final.id} ended ${final.status}. ${previous(run)}`);
    await core/* group */.Os('Checking the live service', () => prove(run, final));
    report.outcome = 'live';
    report.ok = true;
}
function setOutputs(run) {
    const { report } = run;
    const started = run.triggered?.at;
    if (started !== undefined)
        report.durationS = Math.round(((run.endedAt ?? Date.now()) - started) / 1000);
    report.apiCalls = (run.client?.calls ?? 0) + (run.triggered?.hookCalls ?? 0);
    core/* setOutput */.uH(constants/* Outputs */.tY.DeployId, report.deployId ?? '');
    core/* setOutput */.uH(constants/* Outputs */.tY.Status, report.status ?? '');
    core/* setOutput */.uH(constants/* Outputs */.tY.ServiceUrl, report.serviceUrl ?? '');
    core/* setOutput */.uH(constants/* Outputs */.tY.DashboardUrl, report.dashboardUrl ?? '');
    core/* setOutput */.uH(constants/* Outputs */.tY.Duration, report.durationS === undefined ? '' : String(report.durationS));
    core/* setOutput */.uH(constants/* Outputs */.tY.RolledBack, String(report.rollback?.live === true));
    core/* setOutput */.uH(constants/* Outputs */.tY.ApiCalls, String(report.apiCalls));
}
async function main(given) {
    // The entry reads the inputs before loading this module, and passes them.
    const inputs = given ?? (0,input_helper/* getInputs */.GP)();
    core/* info */.pq(plan(inputs));
    const trigger = inputs.trigger;
    const serviceId = trigger.mode === 'api' ? trigger.api.serviceId : trigger.serviceId;
    const intervals = pollIntervals(inputs.timeoutMs);
    const client = trigger.api
        ? new RenderClient(trigger.api, {
            backoffMs: intervals.minMs,
            maxRetryWaitMs: Math.min(60_000, inputs.timeoutMs),
            // One slow answer must not outlast the step's own bound: a quarter
            // of 'timeout', between 2 and 30 s per attempt.
            requestTimeoutMs: Math.round(Math.min(30_000, Math.max(2000, inputs.timeoutMs / 4)))
        })
        : undefined;
    const run = {
        inputs,
        client,
        report: {
            serviceId,
            mode: trigger.mode,
            source: inputs.source,
            dashboardUrl: `https://dashboard.render.com/web/${serviceId}`,
            changes: [],
            apiCalls: 0,
            outcome: 'not deployed',
            ok: false
        }
    };
    let failure;
    try {
        await deploy(run);
    }
    catch (error) {
        failure = error instanceof Error ? error : new Error((0,src/* errorMessage */.gJ)(error));
        if (run.triggered && run.report.outcome === 'not deployed')
            run.report.outcome = run.report.rollback?.live
                ? 'rolled back'
                : `failed (${run.report.status ?? 'unknown'})`;
    }
    const { report } = run;
    if (run.github) {
        const state = report.ok
            ? 'success'
            : run.triggered
                ? 'failure'
                : 'error';
        if (report.ok && report.outcome !== 'live')
            core/* info */.pq(`GitHub deployment ${run.github.record.id} stays in_progress: the deploy was not waited for.`);
        else
            await run.github.setState(state, report.ok
                ? `Live on Render (${report.deployId ?? ''})`
                : `Render deploy ${report.status ?? 'not made'}`, report.ok ? report.serviceUrl : undefined);
    }
    setOutputs(run);
    if (failure !== undefined && !run.triggered)
        report.outcome = `not deployed: ${(0,src/* errorMessage */.gJ)(failure).slice(0, 120)}`;
    await (0,src/* writeSummary */.Sy)(renderSummary(report));
    if (failure !== undefined)
        throw failure;
}


/***/ })

};

//# sourceMappingURL=654.index.js.map