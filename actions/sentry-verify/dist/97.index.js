export const id = 97;
export const ids = [97];
export const modules = {

/***/ 97:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  main: () => (/* binding */ main)
});

// UNUSED EXPORTS: plan, timeoutMessage

// EXTERNAL MODULE: ../../node_modules/@actions/core/lib/core.js + 4 modules
var core = __webpack_require__(106);
// EXTERNAL MODULE: ../../packages/action-kit/src/index.ts + 16 modules
var src = __webpack_require__(75);
;// CONCATENATED MODULE: ./src/sentry-client.ts
/**
 * Sentry's web API (`<sentry-url>/api/0/`) as sentry-verify uses it, on the
 * kit's HttpClient: Bearer token, retries on 429 and 5xx, Sentry's
 * `X-Sentry-Rate-Limit-*` headers (a request waits for the window to reset
 * when the previous answer said none were left), `Link`-header pagination,
 * and the one 403 that users hit: a token that cannot read what it is asked
 * for, almost always an organization token (`sntrys_…`) used where a token
 * with `event:read`/`project:read` is needed.
 */


/** The scopes each endpoint accepts (Sentry's OpenAPI document, `security`). */
const SCOPES = {
    releases: ['project:releases', 'project:write', 'project:admin', 'org:ci'],
    projectRead: ['project:read', 'project:write', 'project:admin'],
    orgRead: ['org:read', 'org:write', 'org:admin'],
    eventRead: ['event:read', 'event:write', 'event:admin']
};
/** What a token needs for the whole of sentry-verify. */
const NEEDED_SCOPES = [
    'project:releases',
    'project:read',
    'org:read',
    'event:read'
];
/** The `rel="next"` cursor of a Sentry `Link` header, when it has results. */
function nextCursor(link) {
    if (!link)
        return undefined;
    for (const part of link.split(/,(?=\s*<)/)) {
        const rel = /;\s*rel="([^"]*)"/.exec(part)?.[1];
        if (rel !== 'next')
            continue;
        const results = /;\s*results="([^"]*)"/.exec(part)?.[1];
        if (results !== 'true')
            return undefined;
        return /;\s*cursor="([^"]*)"/.exec(part)?.[1];
    }
    return undefined;
}
function numberHeader(headers, name) {
    const value = headers.get(name);
    if (value === null || !/^\d+(\.\d+)?$/.test(value.trim()))
        return undefined;
    return Number(value);
}
function readRateLimit(headers) {
    const remaining = numberHeader(headers, 'x-sentry-rate-limit-remaining');
    if (remaining === undefined)
        return undefined;
    const reset = numberHeader(headers, 'x-sentry-rate-limit-reset');
    return {
        limit: numberHeader(headers, 'x-sentry-rate-limit-limit'),
        remaining,
        resetAt: reset === undefined
            ? undefined
            : reset > 1_000_000_000
                ? reset * 1000
                : Date.now() + reset * 1000,
        concurrentRemaining: numberHeader(headers, 'x-sentry-rate-limit-concurrentremaining')
    };
}
/** Sentry's error body (`{"detail": …}` or DRF's `{field: [message]}`) in one line. */
function sentryErrorDetail(body) {
    if (typeof body === 'string')
        return body.trim() || undefined;
    if (!body || typeof body !== 'object')
        return undefined;
    const record = body;
    if (typeof record['detail'] === 'string')
        return record['detail'];
    const parts = [];
    for (const [field, value] of Object.entries(record)) {
        const messages = Array.isArray(value) ? value : [value];
        const text = messages
            .filter((m) => typeof m === 'string' || typeof m === 'number')
            .join(' ');
        if (text)
            parts.push(`${field}: ${text}`);
    }
    return parts.length ? parts.join('; ') : undefined;
}
/**
 * The message for a 403: which scope is missing, and that an organization
 * token is the usual cause.
 */
function forbiddenMessage(what, scopes, detail, token) {
    const orgToken = token.startsWith('sntrys_');
    return [
        `Sentry refused to let the auth token ${what} (403${detail ? `: ${detail}` : ''}).`,
        `That endpoint needs one of the scopes ${scopes.join(', ')}, which the token does not have.`,
        orgToken
            ? 'The token is an organization token (sntrys_…): those only have the CI scope org:ci (releases and deploys) and can never read projects or events.'
            : 'A 403 here almost always means the wrong kind of token: organization tokens (sntrys_…) only have release scopes (org:ci) and cannot read projects or events.',
        `Use an internal integration's or a user's auth token with ${NEEDED_SCOPES.join(', ')}.`
    ].join(' ');
}
class SentryClient {
    http;
    token;
    maxThrottleMs;
    sleep;
    /** Requests sent (attempts included), for the summary. */
    requests = 0;
    rateLimit;
    constructor(options) {
        const base = new URL(options.sentryUrl.href);
        base.pathname = `${base.pathname.replace(/\/+$/, '')}/api/0/`;
        this.token = options.authToken;
        this.maxThrottleMs = options.maxThrottleMs ?? 10_000;
        this.sleep =
            options.http?.sleep ??
                ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
        this.http = new src/* HttpClient */.Qq({
            service: 'Sentry',
            baseUrl: base,
            headers: { authorization: `Bearer ${options.authToken}` },
            userAgent: 'shipyard-sentry-verify',
            timeoutMs: 30_000,
            ...options.http
        });
    }
    /** The absolute URL of an API path (for messages and tests). */
    url(path, query) {
        return this.http.url(path, query);
    }
    /** Waits for the rate-limit window when the last answer said none were left. */
    async throttle() {
        const state = this.rateLimit;
        if (!state || state.remaining !== 0 || state.resetAt === undefined)
            return;
        const wait = Math.min(this.maxThrottleMs, state.resetAt - Date.now());
        if (wait <= 0)
            return;
        core/* info */.pq(`Sentry's rate limit for this token is used up until the window resets; waiting ${(wait / 1000).toFixed(1)} s.`);
        await this.sleep(wait);
    }
    async request(method, path, options) {
        await this.throttle();
        const { what, scopes, ...rest } = options;
        try {
            const response = await this.http.request(method, path, rest);
            this.requests += response.attempts;
            this.rateLimit = readRateLimit(response.headers) ?? this.rateLimit;
            return response;
        }
        catch (error) {
            this.requests++;
            if (!(error instanceof src/* HttpError */.j$))
                throw error;
            const detail = sentryErrorDetail(error.body);
            if (error.status === 403) {
                throw new src/* ConfigurationError */.j1(forbiddenMessage(what, scopes, detail, this.token));
            }
            if (error.status === 401) {
                throw new src/* ConfigurationError */.j1(`Sentry did not accept the auth token (401${detail ? `: ${detail}` : ''}) when asked to ${what}. Check 'auth-token': it must be a valid token of this Sentry (${this.http.url('').host}), not revoked.`);
            }
            if (error.status === 400 && detail) {
                throw new src/* ConfigurationError */.j1(`Sentry refused to ${what} (400): ${detail.replace(/\.$/, '')}.`);
            }
            throw new src/* HttpError */.j$(`Could not ${what}: ${error.message}`, error.status, error.service, error.body);
        }
    }
    get(path, options) {
        return this.request('GET', path, options);
    }
    post(path, options) {
        return this.request('POST', path, options);
    }
    put(path, options) {
        return this.request('PUT', path, options);
    }
    /** Every item of a paginated list, following `Link` until `results="false"`. */
    async list(path, options) {
        const { maxPages = 20, ...rest } = options;
        const items = [];
        let cursor;
        for (let page = 0; page < maxPages; page++) {
            const response = await this.get(path, {
                ...rest,
                query: { ...rest.query, cursor }
            });
            if (Array.isArray(response.data))
                items.push(...response.data);
            cursor = nextCursor(response.headers.get('link'));
            if (!cursor)
                break;
        }
        return items;
    }
}
/** Path segments: org and project slugs are validated; versions need encoding. */
function encodeSegment(value) {
    return encodeURIComponent(value);
}

;// CONCATENATED MODULE: ./src/find.ts
/**
 * Finding the app's event through the web API. Ingestion is asynchronous, so
 * this polls with backoff until the event is visible or the time is up:
 *
 * 1. search the organization's errors for the nonce tag (Discover:
 *    `GET /organizations/{org}/events/?dataset=errors&field=…&query=shipyard.nonce:<nonce>`);
 * 2. get the whole event (`GET /projects/{org}/{project}/events/{id}/`),
 *    which answers 404 until ingestion has finished.
 *
 * An app may report more than one event for the request (the example app
 * also logs an ERROR record): the one with an exception is preferred, and
 * when only others are visible yet, the search goes on for a short grace.
 */



/** The tag the app sets on its event (example/shipyard_example/views.py). */
const NONCE_TAG = 'shipyard.nonce';
/** Polls `GET /projects/{org}/{project}/events/{id}/` until it stops answering 404. */
async function waitForEventId(client, options) {
    const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    const { org, project, eventId, deadline } = options;
    let interval = options.intervalMs ?? 200;
    const maxInterval = options.maxIntervalMs ?? 500;
    const problems = [];
    for (;;) {
        try {
            const detail = await client.get(`projects/${encodeSegment(org)}/${encodeSegment(project)}/events/${encodeSegment(eventId)}/`, {
                what: `read event ${eventId} of ${org}/${project}`,
                scopes: SCOPES.projectRead,
                accept: [404]
            });
            if (detail.status !== 404 && detail.data)
                return { event: detail.data, visibleAt: Date.now(), problems };
        }
        catch (error) {
            if (error instanceof src/* ConfigurationError */.j1)
                throw error;
            if (!(error instanceof src/* HttpError */.j$))
                throw error;
            problems.push((0,src/* errorMessage */.gJ)(error));
        }
        const left = deadline - Date.now();
        if (left <= 0)
            return { problems };
        await sleep(Math.min(interval, left));
        interval = Math.min(maxInterval, interval * 1.5);
    }
}
function hasException(row) {
    const type = row['error.type'];
    return Array.isArray(type) ? type.length > 0 : Boolean(type);
}
async function findEvent(client, options) {
    const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    const { org, project, nonce, deadline } = options;
    let interval = options.intervalMs ?? 200;
    const maxInterval = options.maxIntervalMs ?? 500;
    const graceMs = options.graceMs ?? 1500;
    const problems = [];
    let polls = 0;
    let seen = 0;
    let graceUntil;
    for (;;) {
        polls++;
        try {
            const search = await client.get(`organizations/${encodeSegment(org)}/events/`, {
                what: `search ${org}'s errors for the tag ${NONCE_TAG}`,
                scopes: SCOPES.orgRead,
                query: {
                    dataset: 'errors',
                    field: ['id', 'issue.id', 'title', 'error.type', 'timestamp'],
                    query: `${NONCE_TAG}:${nonce}`,
                    project: [options.projectId],
                    statsPeriod: '24h',
                    sort: '-timestamp',
                    per_page: 50
                }
            });
            const rows = (search.data?.data ?? []).filter((r) => r.id);
            seen = rows.length;
            const withException = rows.filter(hasException);
            if (rows.length && !withException.length && graceUntil === undefined)
                graceUntil = Date.now() + graceMs;
            const candidates = withException.length ||
                (graceUntil !== undefined && Date.now() >= graceUntil)
                ? [...withException, ...rows.filter((r) => !hasException(r))]
                : [];
            for (const row of candidates) {
                const id = String(row.id);
                const detail = await client.get(`projects/${encodeSegment(org)}/${encodeSegment(project)}/events/${encodeSegment(id)}/`, {
                    what: `read event ${id} of ${org}/${project}`,
                    scopes: SCOPES.projectRead,
                    accept: [404]
                });
                if (detail.status === 404 || !detail.data)
                    continue;
                const groupId = detail.data['groupID'] ?? row['issue.id'];
                return {
                    eventId: id,
                    issueId: typeof groupId === 'string' || typeof groupId === 'number'
                        ? String(groupId)
                        : '',
                    event: detail.data,
                    visibleAt: Date.now(),
                    matching: rows.length,
                    polls
                };
            }
        }
        catch (error) {
            if (error instanceof src/* ConfigurationError */.j1)
                throw error;
            if (!(error instanceof src/* HttpError */.j$))
                throw error;
            problems.push((0,src/* errorMessage */.gJ)(error));
            core/* info */.pq(`Still looking for the event: ${(0,src/* errorMessage */.gJ)(error)}`);
        }
        const left = deadline - Date.now();
        if (left <= 0)
            return { polls, problems, seen };
        await sleep(Math.min(interval, left));
        interval = Math.min(maxInterval, interval * 1.5);
    }
}
function isFound(result) {
    return 'event' in result;
}

;// CONCATENATED MODULE: ./src/assertions.ts

function asObject(value) {
    return value && typeof value === 'object' && !Array.isArray(value)
        ? value
        : undefined;
}
function asArray(value) {
    return Array.isArray(value) ? value : [];
}
function tagValue(event, key) {
    for (const tag of asArray(event['tags'])) {
        const t = asObject(tag);
        const value = t?.['value'];
        if (t?.['key'] === key &&
            (typeof value === 'string' || typeof value === 'number'))
            return String(value);
    }
    return undefined;
}
function entry(event, type) {
    for (const e of asArray(event['entries'])) {
        const object = asObject(e);
        if (object?.['type'] === type)
            return asObject(object['data']);
    }
    return undefined;
}
/** At most 200 characters of what the app sent, on one line. */
function clip(text) {
    const flat = text.replace(/\s+/g, ' ').trim();
    return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}
function shown(value) {
    return value === undefined ? '(none)' : clip(value);
}
function equality(name, expected, actual, hint) {
    const pass = actual === expected;
    return {
        name,
        expected,
        actual: shown(actual),
        pass,
        ...(pass ? {} : { hint })
    };
}
function releaseOf(event) {
    const release = event['release'];
    if (typeof release === 'string')
        return release;
    const version = asObject(release)?.['version'];
    return typeof version === 'string' ? version : tagValue(event, 'release');
}
/** The exception values of the event: `Type: message`. */
function exceptionsOf(event) {
    return asArray(entry(event, 'exception')?.['values']).map((v) => {
        const object = asObject(v) ?? {};
        return {
            type: typeof object['type'] === 'string' ? object['type'] : '',
            value: typeof object['value'] === 'string' ? object['value'] : ''
        };
    });
}
function breadcrumbsOf(event) {
    return asArray(entry(event, 'breadcrumbs')?.['values']).map((b) => {
        const object = asObject(b) ?? {};
        const text = (key) => typeof object[key] === 'string' ? object[key] : '';
        return {
            level: text('level'),
            message: text('message'),
            category: text('category')
        };
    });
}
const FILTERED = /^\[Filtered\]$|^\*+$|^$/;
const PRIVATE_HEADERS = new Set([
    'cookie',
    'authorization',
    'x-shipyard-verify-token',
    'proxy-authorization'
]);
/** What of personal data or secrets the event carries (empty when none). */
function privateData(event, secrets) {
    const found = [];
    const text = JSON.stringify(event);
    const leaked = secrets.filter((s) => s && text.includes(s)).length;
    if (leaked)
        found.push(`${leaked} secret value${leaked === 1 ? '' : 's'} sent by the action (token or canary cookie)`);
    const request = entry(event, 'request');
    if (request) {
        const cookies = asArray(request['cookies']);
        if (cookies.length)
            found.push('cookies');
        for (const pair of asArray(request['headers'])) {
            const [name, value] = asArray(pair);
            if (typeof name === 'string' &&
                PRIVATE_HEADERS.has(name.toLowerCase()) &&
                !FILTERED.test(typeof value === 'string' ? value : ''))
                found.push(`the ${name} header`);
        }
    }
    const user = asObject(event['user']);
    for (const key of ['ip_address', 'email', 'username']) {
        if (user?.[key])
            found.push(`user.${key}`);
    }
    return [...new Set(found)];
}
function checkEvent(event, expect) {
    const checks = [
        equality(`tag ${NONCE_TAG}`, expect.nonce, tagValue(event, NONCE_TAG), `the app must set the tag ${NONCE_TAG} to the nonce it was given`),
        equality('release', expect.release, releaseOf(event), "the app reports another release: set its SENTRY_RELEASE to the 'release' verified here (the commit SHA by default)"),
        equality('environment', expect.environment, tagValue(event, 'environment'), "the app reports another environment: set its SENTRY_ENVIRONMENT to 'environment'"),
        equality('level', expect.level, tagValue(event, 'level') ?? event['level'], "the error reached Sentry with another level: check the app's LoggingIntegration(event_level=…) or 'expect-level'")
    ];
    const exceptions = exceptionsOf(event);
    const withNonce = exceptions.find((e) => e.value.includes(expect.nonce));
    const first = withNonce ?? exceptions[exceptions.length - 1];
    checks.push({
        name: 'exception',
        expected: 'an exception whose message holds the nonce',
        actual: first ? clip(`${first.type}: ${first.value}`) : '(no exception)',
        pass: withNonce !== undefined,
        ...(withNonce
            ? {}
            : {
                hint: 'the event is not the exception the app raised: the app must raise an error whose message contains the nonce'
            })
    });
    if (expect.checkBreadcrumbs) {
        const crumbs = breadcrumbsOf(event);
        const info = crumbs.find((b) => b.level === 'info' && b.message.includes(expect.nonce));
        const last = crumbs
            .slice(-3)
            .map((b) => clip(`${b.level}: ${b.message || b.category}`));
        checks.push({
            name: 'breadcrumb',
            expected: 'the INFO log record holding the nonce',
            actual: info
                ? clip(`${info.level}: ${info.message}`)
                : crumbs.length
                    ? `${crumbs.length} breadcrumbs, none of them; last: ${last.join(' | ')}`
                    : '(no breadcrumbs)',
            pass: info !== undefined,
            ...(info
                ? {}
                : {
                    hint: 'INFO records do not reach Sentry as breadcrumbs: check LoggingIntegration(level=logging.INFO) and the logger levels in LOGGING'
                })
        });
    }
    const leaks = privateData(event, expect.secrets);
    checks.push({
        name: 'no personal data',
        expected: 'no cookies, Authorization or token headers, user data or secrets',
        actual: leaks.length ? leaks.join(', ') : 'none',
        pass: leaks.length === 0,
        ...(leaks.length
            ? {
                hint: 'turn send_default_pii off and scrub the token header (EventScrubber denylist)'
            }
            : {})
    });
    return checks;
}

;// CONCATENATED MODULE: ./src/config-check.ts
/**
 * "Same configuration everywhere", before anything is changed: the DSN the
 * app is given must be one of the client keys of `org/project`. A DSN copied
 * from another project is the classic silent misconfiguration: the app
 * reports happily, to a project nobody watches. (The release and environment
 * the app really uses are checked later, from its event: assertions.ts.)
 */


async function checkDsnProject(client, org, project, dsn) {
    let keys;
    try {
        keys = await client.list(`projects/${encodeSegment(org)}/${encodeSegment(project)}/keys/`, {
            what: `read the client keys of project ${org}/${project}`,
            scopes: SCOPES.projectRead
        });
    }
    catch (error) {
        if (error instanceof src/* HttpError */.j$ && error.status === 404) {
            throw new src/* ConfigurationError */.j1(`Sentry has no project ${org}/${project} that this token can see (404 on its client keys). Check 'org' and 'project' (the slugs in the project's URL), and 'sentry-url': organizations in another region or a self-hosted Sentry have their own host.`);
        }
        throw error;
    }
    const projectIds = [
        ...new Set(keys
            .map((k) => (k.projectId === undefined ? '' : String(k.projectId)))
            .filter(Boolean))
    ];
    const projectId = projectIds[0] ?? '';
    const key = keys.find((k) => (k.public ?? '').toLowerCase() === dsn.publicKey.toLowerCase());
    if (!key) {
        const otherProject = projectId && projectId !== dsn.projectId
            ? ` The DSN points at project id ${dsn.projectId}, but ${org}/${project} is project id ${projectId}: it is the DSN of another project.`
            : '';
        throw new src/* ConfigurationError */.j1(`The DSN given in 'dsn' is not a client key of the Sentry project ${org}/${project} (it has ${keys.length} key${keys.length === 1 ? '' : 's'}, none with the DSN's public key).${otherProject} The app would report its errors to a project nobody watches. Copy the DSN from ${org}/${project}'s Settings → Client Keys, and set the same value as the app's SENTRY_DSN.`);
    }
    if (projectId && dsn.projectId !== projectId) {
        throw new src/* ConfigurationError */.j1(`The DSN given in 'dsn' has the public key of a client key of ${org}/${project}, but its project id is ${dsn.projectId} instead of ${projectId}: Sentry would reject the app's events. Copy the DSN again from ${org}/${project}'s Settings → Client Keys.`);
    }
    if (key.isActive === false) {
        throw new src/* ConfigurationError */.j1(`The DSN given in 'dsn' is a disabled client key of ${org}/${project} (${key.label ?? key.name ?? 'unnamed'}): Sentry drops the events sent with it. Enable the key or use an active one.`);
    }
    return {
        projectId: projectId || dsn.projectId,
        keyCount: keys.length,
        keyLabel: key.label ?? key.name ?? ''
    };
}

// EXTERNAL MODULE: ./src/constants.ts
var constants = __webpack_require__(731);
// EXTERNAL MODULE: ./src/input-helper.ts
var input_helper = __webpack_require__(367);
;// CONCATENATED MODULE: ./src/release.ts
/**
 * The release and its deploy, over Sentry's web API (no sentry-cli, no
 * container): create the release (201, or 208 when it exists: both fine),
 * attach the run's commit and finalize it (`PUT …/releases/{version}/`), then
 * record a deploy for the environment.
 *
 * Retries never duplicate anything: creating a release is idempotent on
 * Sentry's side (a second POST answers 208), the PUT is idempotent, and a
 * deploy (which Sentry would record twice) carries a name unique to the run:
 * after an answer that may hide a recorded deploy (5xx, dropped connection),
 * the deploys are listed and the POST is sent again only when that name is
 * not among them.
 */



const COMMIT = /^[0-9a-f]{7,64}$/i;
/** A deploy name for this run: `shipyard <run>.<attempt>`, at most 64 characters. */
function deployName(env, fallback) {
    const run = env['GITHUB_RUN_ID'];
    const attempt = env['GITHUB_RUN_ATTEMPT'] ?? '1';
    const name = run ? `shipyard ${run}.${attempt}` : `shipyard ${fallback}`;
    return name.slice(0, 64);
}
function releasePath(org, version) {
    const base = `organizations/${encodeSegment(org)}/releases/`;
    return version === undefined ? base : `${base}${encodeSegment(version)}/`;
}
/** Whether an error leaves it unknown if the server acted on the request. */
function uncertain(error) {
    return (error instanceof src/* HttpError */.j$ &&
        (error.status === undefined || error.status >= 500));
}
async function recordRelease(client, request) {
    const { org, project, version } = request;
    const what = `record release ${version} in ${org}`;
    const created = await client.post(releasePath(org), {
        what,
        scopes: SCOPES.releases,
        body: { version, projects: [project] },
        // A repeated POST answers 208 instead of creating a second release.
        idempotent: true,
        accept: [208]
    });
    core/* info */.pq(created.status === 208
        ? `Release ${version} already exists in ${org} (208); using it.`
        : `Created release ${version} in ${org} for ${project}.`);
    const commit = request.commit && COMMIT.test(request.commit) ? request.commit : undefined;
    const repository = request.repository && request.repository.length <= 64
        ? request.repository
        : undefined;
    const dateReleased = created.data?.dateReleased ?? new Date().toISOString();
    await client.put(releasePath(org, version), {
        what: `finalize release ${version}`,
        scopes: SCOPES.releases,
        body: {
            dateReleased,
            ...(commit
                ? {
                    ref: commit,
                    commits: [{ id: commit, ...(repository ? { repository } : {}) }]
                }
                : {})
        }
    });
    core/* info */.pq(`Finalized release ${version}${commit ? ` with commit ${commit.slice(0, 12)}` : ''}.`);
    const deploy = await recordDeploy(client, request);
    return {
        createStatus: created.status,
        created: created.status === 201,
        commitAttached: commit !== undefined,
        dateReleased,
        ...deploy
    };
}
async function recordDeploy(client, request) {
    const { org, version, environment, deployName: name } = request;
    const path = `${releasePath(org, version)}deploys/`;
    const started = new Date().toISOString();
    const attempts = 3;
    for (let attempt = 1;; attempt++) {
        try {
            const response = await client.post(path, {
                what: `record the deploy of ${version} to ${environment}`,
                scopes: SCOPES.releases,
                body: {
                    environment,
                    name,
                    ...(request.deployUrl ? { url: request.deployUrl.href } : {}),
                    dateStarted: started,
                    dateFinished: new Date().toISOString()
                }
            });
            core/* info */.pq(`Recorded the deploy of ${version} to ${environment}.`);
            return {
                deployId: String(response.data?.id ?? ''),
                deployRecovered: false
            };
        }
        catch (error) {
            if (!uncertain(error) || attempt >= attempts)
                throw error;
            core/* info */.pq(`The deploy may or may not have been recorded (${error.message}); looking for it before trying again.`);
            const deploys = await client.list(path, {
                what: `list the deploys of ${version}`,
                scopes: SCOPES.releases
            });
            const found = deploys.find((d) => d.name === name && d.environment === environment);
            if (found) {
                core/* info */.pq(`The deploy was recorded (id ${String(found.id)}).`);
                return { deployId: String(found.id ?? ''), deployRecovered: true };
            }
        }
    }
}

;// CONCATENATED MODULE: ./src/summary.ts
/**
 * The job summary: every check with what was expected and what arrived, the
 * links to the event and its issue, the release and deploy recorded, and how
 * long each phase took. Built as a string (tests read it); written through
 * the kit's `writeSummary`, which scrubs secrets.
 */

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
function renderSummary(report) {
    const title = report.verified
        ? `### ✅ Sentry verified: ${report.org}/${report.project} receives the app's errors`
        : `### ❌ Sentry verification failed for ${report.org}/${report.project}`;
    const lines = [title];
    lines.push(`Release \`${report.release}\`, environment \`${report.environment}\`${report.trigger ? `; error caused by ${report.trigger}` : ''}.`);
    if (report.failure)
        lines.push(`**${report.failure}**`);
    if (report.checks.length) {
        lines.push((0,src/* table */.tp)(['Check', 'Expected', 'Actual', 'Result'], report.checks.map((c) => [
            c.name,
            c.expected,
            c.actual,
            c.pass ? '✅ pass' : `❌ fail${c.hint ? ` (${c.hint})` : ''}`
        ])));
    }
    const links = [];
    if (report.eventUrl)
        links.push(`[event ${report.eventId ?? ''}](${report.eventUrl})`);
    if (report.issueUrl)
        links.push(`[issue](${report.issueUrl})`);
    if (report.latencySeconds !== undefined)
        links.push(`latency ${report.latencySeconds.toFixed(2)} s (trigger to visible)`);
    if (links.length)
        lines.push(links.join(' · '));
    const r = report.releaseResult;
    if (r) {
        lines.push(`Release ${r.created ? 'created (201)' : 'already there (208)'}, ${r.commitAttached ? 'commit attached, ' : ''}finalized at ${r.dateReleased}; deploy to \`${report.environment}\` recorded${r.deployId ? ` (id ${r.deployId})` : ''}.`);
    }
    lines.push((0,src/* table */.tp)(['Phase', 'Time'], [
        ...report.timings.map((t) => [t.phase, seconds(t.ms)]),
        ['Sentry API requests', String(report.apiRequests)]
    ]));
    return lines.join('\n\n');
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(598);
;// CONCATENATED MODULE: ./src/synthetic.ts
/**
 * The action's own event: one message sent with the app's DSN through the
 * real @sentry/node SDK, tagged with its own nonce and the run id, with the
 * release and environment verified. Found next to the app's event, it tells
 * the two halves of a failure apart: when it arrives and the app's does
 * not, Sentry, the DSN and the project work, and the app is what does not
 * send.
 *
 * The SDK is loaded only here (dynamic import), on an isolated client and
 * scope: nothing global is initialised, no integration is installed.
 */




const CLIENT = 'shipyard-sentry-verify/0.1.0';
/** What Sentry's ingestion answering `status` means for the DSN. */
function problemFor(status) {
    if (status === 429) {
        return 'Sentry rate-limits events sent with this DSN (429): the project or organization is over its quota or rate limit';
    }
    if (status === 401 || status === 403) {
        return `Sentry's ingestion refused the DSN (${status}): its key is disabled, deleted or of another project`;
    }
    return `Sentry's ingestion answered ${status} to the action's own event`;
}
/**
 * Sends the event; a refusal by Sentry's ingestion (wrong key, rate limit)
 * is returned as a problem, not thrown: the app's event decides. The SDK's
 * transport is wrapped only to read the status of its answer.
 */
async function sendSynthetic(options) {
    const { dsn } = options;
    let eventId = (0,external_node_crypto_.randomBytes)(16).toString('hex');
    const sentAt = Date.now();
    let status;
    let problem = '';
    try {
        // Destructured, so that the bundler keeps only what is used of it.
        const { NodeClient, Scope, defaultStackParser, makeNodeTransport } = await __webpack_require__.e(/* import() */ 730).then(__webpack_require__.bind(__webpack_require__, 730));
        const client = new NodeClient({
            dsn: dsn.dsn,
            release: options.release,
            environment: options.environment,
            integrations: [],
            stackParser: defaultStackParser,
            sendClientReports: false,
            transport: (transportOptions) => {
                const transport = makeNodeTransport(transportOptions);
                return {
                    ...transport,
                    send: async (envelope) => {
                        const result = await transport.send(envelope);
                        status = result.statusCode;
                        return result;
                    }
                };
            }
        });
        const scope = new Scope();
        scope.setClient(client);
        client.init();
        scope.setTags({
            [NONCE_TAG]: options.nonce,
            'shipyard.synthetic': 'true',
            ...(options.runId ? { 'shipyard.run_id': options.runId } : {})
        });
        eventId = scope.captureMessage(`shipyard sentry-verify: synthetic event (nonce=${options.nonce})`, 'info', { event_id: eventId });
        const flushed = await client.close(10_000);
        if (status !== undefined && status >= 200 && status < 300) {
            return { eventId, nonce: options.nonce, sentAt };
        }
        problem =
            status !== undefined
                ? problemFor(status)
                : flushed
                    ? `the action's own event was not sent to ${dsn.host}`
                    : `the action's own event could not be sent to ${dsn.host} within 10 s`;
    }
    catch (error) {
        problem = `the action's own event could not be sent to ${dsn.host}: ${(0,src/* errorMessage */.gJ)(error)}`;
    }
    core/* warning */.$e((0,src/* scrub */._I)(problem));
    return { problem: (0,src/* scrub */._I)(problem) };
}

;// CONCATENATED MODULE: ./src/trigger.ts
/**
 * Making the app report an error, tagged with a fresh nonce so that exactly
 * this error is found again in Sentry:
 *
 * - `endpoint`: the app's verification endpoint. The example app's
 *   (`/_shipyard/sentry-verify/`, example/shipyard_example/views.py) takes
 *   the token in `X-Shipyard-Verify-Token` and the nonce in the query string
 *   or a JSON body, logs an INFO record (a breadcrumb), then raises: Django
 *   answers 500, which is success here. Every other answer has a clear cause.
 *   A canary cookie is sent along: it must not come back in the event.
 * - `probe-command`: `sh -c <command>` with the nonce in
 *   `SENTRY_VERIFY_NONCE`; its exit code is reported, not judged (it may
 *   crash on purpose).
 */




/** The header the verification endpoint reads its token from. */
const TOKEN_HEADER = 'X-Shipyard-Verify-Token';
/** The cookie sent as a canary for personal data in the event. */
const CANARY_COOKIE = 'shipyard_verify_canary';
/** A nonce the example app accepts (`[A-Za-z0-9_-]{8,64}`). */
function newNonce() {
    return `sv-${(0,external_node_crypto_.randomBytes)(12).toString('hex')}`;
}
/** The app could not be made to fail as asked: the user's to fix. */
class TriggerError extends src/* ConfigurationError */.j1 {
    name = 'TriggerError';
}
const RETRY_STATUS = new Set([502, 503, 504]);
function explainStatus(status, url, location) {
    switch (status) {
        case 404:
            return `${url} answered 404: the verification endpoint is not there. The example app disables it unless SENTRY_VERIFY_TOKEN is set on the service; otherwise check 'trigger-path'.`;
        case 401:
        case 403:
            return `${url} answered ${status}: the app refused the token. 'trigger-token' must equal the app's SENTRY_VERIFY_TOKEN.`;
        case 400:
            return `${url} answered 400: the app refused the request (the nonce, sent in the query string and the JSON body, must match [A-Za-z0-9_-]{8,64}).`;
        case 405:
            return `${url} answered 405: the endpoint does not accept POST.`;
        default:
            if (status >= 300 && status < 400)
                return `${url} answered ${status}, a redirect${location ? ` to ${(0,src/* redactUrl */.BO)(location)}` : ''}. The app redirects (e.g. to HTTPS, SECURE_SSL_REDIRECT): give the URL it redirects to as 'app-url'.`;
            if (status < 300)
                return `${url} answered ${status}: the endpoint did not fail, so no error was raised for Sentry to record. It must raise an exception (the example app answers 500).`;
            return `${url} answered ${status}.`;
    }
}
async function callEndpoint(trigger, nonce, sleep) {
    const url = new URL(trigger.url.href);
    url.searchParams.set('nonce', nonce);
    const shown = (0,src/* redactUrl */.BO)(trigger.url);
    const canary = `canary-${(0,external_node_crypto_.randomBytes)(12).toString('hex')}`;
    const startedAt = Date.now();
    for (let attempt = 1;; attempt++) {
        let response;
        try {
            response = await fetch(url, {
                method: 'POST',
                redirect: 'manual',
                headers: {
                    [TOKEN_HEADER]: trigger.token,
                    'content-type': 'application/json',
                    accept: 'application/json, text/html;q=0.5',
                    cookie: `${CANARY_COOKIE}=${canary}`,
                    'user-agent': 'shipyard-sentry-verify'
                },
                body: JSON.stringify({ nonce }),
                signal: AbortSignal.timeout(30_000)
            });
            await response.arrayBuffer();
        }
        catch (error) {
            const cause = error.cause?.code;
            if (attempt < 3 && cause === 'ECONNREFUSED') {
                await sleep(1000 * attempt);
                continue;
            }
            throw new TriggerError((0,src/* scrub */._I)(`Could not call the app's verification endpoint ${shown}: ${error.name === 'TimeoutError'
                ? 'no answer within 30 s'
                : (cause ?? error.message)}. Check 'app-url': the app must be running and reachable from the runner.`));
        }
        if (RETRY_STATUS.has(response.status) && attempt < 3) {
            core/* info */.pq(`${shown} answered ${response.status} (the app may be starting); trying again.`);
            await sleep(2000 * attempt);
            continue;
        }
        if (response.status !== 500) {
            throw new TriggerError((0,src/* scrub */._I)(explainStatus(response.status, shown, response.headers.get('location'))));
        }
        core/* info */.pq(`${shown} answered 500, as it should: the app raised its error.`);
        return {
            startedAt,
            durationMs: Date.now() - startedAt,
            description: `POST ${shown} → 500`,
            canaries: [canary]
        };
    }
}
async function runProbe(command, nonce) {
    const startedAt = Date.now();
    const result = await (0,src/* exec */.m0)('sh', ['-c', command], {
        env: { [constants/* PROBE_NONCE_ENV */.vf]: nonce },
        silent: true
    });
    const output = `${result.stdout}\n${result.stderr}`.trim();
    if (output) {
        const tail = output.split('\n').slice(-20).join('\n');
        core/* info */.pq(`probe-command output (last lines):\n${(0,src/* scrub */._I)(tail)}`);
    }
    if (result.exitCode === 126 || result.exitCode === 127) {
        throw new TriggerError(`'probe-command' could not be run (exit code ${result.exitCode}: command not found or not executable).`);
    }
    core/* info */.pq(`probe-command exited with code ${result.exitCode}.`);
    return {
        startedAt,
        durationMs: Date.now() - startedAt,
        description: `probe-command (exit code ${result.exitCode})`,
        canaries: []
    };
}
async function triggerError(trigger, nonce, sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))) {
    return trigger.kind === 'endpoint'
        ? callEndpoint(trigger, nonce, sleep)
        : runProbe(trigger.command, nonce);
}

;// CONCATENATED MODULE: ./src/main.ts
/**
 * sentry-verify: proves that the running app reports its errors to Sentry
 * with the right release and environment.
 *
 * 1. inputs (input-helper.ts), validated before anything is sent;
 * 2. the DSN must be a client key of org/project (config-check.ts);
 * 3. the release, its commit and the deploy are recorded (release.ts);
 * 4. the action sends its own event with the DSN (synthetic.ts) and the
 *    app is made to fail with a fresh nonce (trigger.ts);
 * 5. both events are found through the web API within `timeout` (find.ts);
 * 6. its release, environment, level, tag, exception, breadcrumb and the
 *    absence of personal data are checked (assertions.ts);
 * 7. outputs and the job summary (summary.ts), written even on failure.
 */












/** One line, without secrets, of what a run with these inputs does. */
function plan(inputs) {
    const { trigger } = inputs;
    const how = trigger.kind === 'endpoint'
        ? `calling ${trigger.url.href}`
        : 'running probe-command';
    const record = inputs.createRelease
        ? `record release ${inputs.release} and its deploy to ${inputs.environment}, then `
        : '';
    return `Will ${record}make the app report an error by ${how}, and wait up to ${(0,src/* formatDuration */.a3)(inputs.timeoutMs)} for an event of level ${inputs.expectLevel} with release ${inputs.release} and environment ${inputs.environment} in ${inputs.org}/${inputs.project} on ${inputs.sentryUrl.host}.`;
}
function webUrl(inputs, path) {
    const base = inputs.sentryUrl.href.replace(/\/+$/, '');
    return `${base}/organizations/${encodeURIComponent(inputs.org)}/${path}`;
}
/** What a timeout most likely means, told apart by the action's own event. */
function timeoutMessage(inputs, polls, seen, problems, synthetic) {
    const rateLimited = problems.some((p) => /\b429\b/.test(p));
    const appSide = [
        "the app has no DSN (SENTRY_DSN not set on the service, so sentry-sdk stays off) or another one than 'dsn'",
        'the app reports to another project or organization',
        `the app does not tag its error with ${NONCE_TAG}`
    ];
    const sentrySide = [
        rateLimited
            ? "Sentry's API rate-limited the search (429 above)"
            : 'events sent with this DSN are rate limited or dropped by Sentry (quota, inbound filters)',
        `ingestion is slower than ${(0,src/* formatDuration */.a3)(inputs.timeoutMs)}: raise 'timeout'`
    ];
    let verdict;
    let causes;
    if (synthetic.state === 'visible') {
        verdict = ` The action's own event, sent with the same DSN, arrived in ${synthetic.seconds.toFixed(1)} s: Sentry, the DSN and the project work, and the app does not send its errors with this DSN.`;
        causes = appSide;
    }
    else if (synthetic.state === 'unsent') {
        verdict = ` The action's own event could not be sent either: ${synthetic.problem}.`;
        causes = [...sentrySide, ...appSide];
    }
    else {
        verdict = ` The action's own event, sent with the same DSN, did not appear either: Sentry's side is the likely cause.`;
        causes = [...sentrySide, ...appSide];
    }
    const found = seen > 0
        ? ` ${seen} event${seen === 1 ? '' : 's'} with the nonce were listed but could not be read.`
        : '';
    const last = problems.length
        ? ` Last problem while polling: ${problems[problems.length - 1]}.`
        : '';
    return `The app's event did not appear in ${inputs.org}/${inputs.project} within ${(0,src/* formatDuration */.a3)(inputs.timeoutMs)} (${polls} searches).${verdict}${found}${last} Likely causes: ${causes.join('; ')}.`;
}
/** The action's own event: visible, with what it was sent with. */
function syntheticCheck(outcome, event, inputs, sentNonce) {
    const expected = `visible, with release ${inputs.release} and environment ${inputs.environment}`;
    if (outcome.state !== 'visible' || !event) {
        return {
            name: "action's own event",
            expected,
            actual: outcome.state === 'unsent'
                ? `not sent: ${outcome.problem}`
                : 'not visible within the timeout',
            pass: false,
            hint: 'events sent with this DSN do not reach the project: rate limits, quota or inbound filters'
        };
    }
    const release = releaseOf(event);
    const environment = tagValue(event, 'environment');
    const pass = release === inputs.release &&
        environment === inputs.environment &&
        tagValue(event, NONCE_TAG) === sentNonce;
    return {
        name: "action's own event",
        expected,
        actual: `visible after ${outcome.seconds.toFixed(2)} s, release ${release ?? '(none)'}, environment ${environment ?? '(none)'}`,
        pass,
        ...(pass ? {} : { hint: 'Sentry changed the event it was sent' })
    };
}
function failedChecks(checks) {
    return checks
        .filter((c) => !c.pass)
        .map((c) => `${c.name}: expected ${c.expected}, the event has ${c.actual}${c.hint ? ` (${c.hint})` : ''}`)
        .join('; ');
}
async function main(options = {}, given) {
    // The entry reads the inputs before loading this module, and passes them.
    const inputs = given ?? (0,input_helper/* getInputs */.G)();
    core/* info */.pq(plan(inputs));
    const client = new SentryClient({
        sentryUrl: inputs.sentryUrl,
        authToken: inputs.authToken,
        http: { backoffMs: 500, ...options.http }
    });
    const report = {
        org: inputs.org,
        project: inputs.project,
        release: inputs.release,
        environment: inputs.environment,
        verified: false,
        checks: [],
        timings: [],
        apiRequests: 0
    };
    const phase = async (name, work) => {
        const started = Date.now();
        try {
            return await core/* group */.Os(name, work);
        }
        finally {
            report.timings.push({ phase: name, ms: Date.now() - started });
        }
    };
    core/* setOutput */.uH(constants/* Outputs */.tY.Release, inputs.release);
    try {
        const identity = await phase('Check the DSN', () => checkDsnProject(client, inputs.org, inputs.project, inputs.dsn));
        core/* info */.pq(`The DSN is the client key "${identity.keyLabel}" of ${inputs.org}/${inputs.project} (project id ${identity.projectId}).`);
        if (inputs.createRelease) {
            report.releaseResult = await phase('Record the release and deploy', () => recordRelease(client, {
                org: inputs.org,
                project: inputs.project,
                version: inputs.release,
                environment: inputs.environment,
                deployUrl: inputs.deployUrl,
                commit: process.env['GITHUB_SHA'],
                repository: process.env['GITHUB_REPOSITORY'],
                deployName: deployName(process.env, inputs.release.slice(0, 40))
            }));
        }
        const nonce = newNonce();
        const [synthetic, triggered] = await phase("Send the action's event and make the app fail", () => Promise.all([
            sendSynthetic({
                dsn: inputs.dsn,
                nonce: newNonce(),
                release: inputs.release,
                environment: inputs.environment,
                runId: process.env['GITHUB_RUN_ID']
            }),
            triggerError(inputs.trigger, nonce, options.sleep)
        ]));
        report.trigger = triggered.description;
        const deadline = triggered.startedAt + inputs.timeoutMs;
        const [result, own] = await phase('Wait for the events', () => Promise.all([
            findEvent(client, {
                org: inputs.org,
                project: inputs.project,
                projectId: identity.projectId,
                nonce,
                deadline,
                sleep: options.sleep
            }),
            'eventId' in synthetic
                ? waitForEventId(client, {
                    org: inputs.org,
                    project: inputs.project,
                    eventId: synthetic.eventId,
                    deadline,
                    sleep: options.sleep
                })
                : Promise.resolve(undefined)
        ]));
        const ownOutcome = 'problem' in synthetic
            ? { state: 'unsent', problem: synthetic.problem }
            : own?.visibleAt !== undefined
                ? {
                    state: 'visible',
                    seconds: (own.visibleAt - synthetic.sentAt) / 1000
                }
                : { state: 'missing' };
        const ownCheck = syntheticCheck(ownOutcome, own?.event, inputs, 'nonce' in synthetic ? synthetic.nonce : undefined);
        if (!isFound(result)) {
            report.checks = [
                {
                    name: "app's event",
                    expected: `visible within ${(0,src/* formatDuration */.a3)(inputs.timeoutMs)}`,
                    actual: result.seen > 0
                        ? `${result.seen} listed, not readable`
                        : 'not visible',
                    pass: false
                },
                ownCheck
            ];
            throw new src/* ConfigurationError */.j1(timeoutMessage(inputs, result.polls, result.seen, result.problems, ownOutcome));
        }
        const latency = Math.max(0, result.visibleAt - triggered.startedAt) / 1000;
        report.eventId = result.eventId;
        report.latencySeconds = latency;
        report.eventUrl = result.issueId
            ? webUrl(inputs, `issues/${result.issueId}/events/${result.eventId}/`)
            : webUrl(inputs, `discover/${inputs.project}:${result.eventId}/`);
        report.issueUrl = result.issueId
            ? webUrl(inputs, `issues/${result.issueId}/`)
            : undefined;
        core/* setOutput */.uH(constants/* Outputs */.tY.EventId, result.eventId);
        core/* setOutput */.uH(constants/* Outputs */.tY.EventUrl, report.eventUrl);
        core/* setOutput */.uH(constants/* Outputs */.tY.IssueId, result.issueId);
        core/* setOutput */.uH(constants/* Outputs */.tY.IssueUrl, report.issueUrl ?? '');
        core/* setOutput */.uH(constants/* Outputs */.tY.LatencySeconds, latency.toFixed(2));
        core/* info */.pq(`Found event ${result.eventId} ${latency.toFixed(2)} s after the trigger (${result.matching} event${result.matching === 1 ? '' : 's'} carry the nonce).`);
        report.checks = checkEvent(result.event, {
            nonce,
            release: inputs.release,
            environment: inputs.environment,
            level: inputs.expectLevel,
            checkBreadcrumbs: inputs.checkBreadcrumbs,
            secrets: [
                inputs.authToken,
                inputs.trigger.kind === 'endpoint' ? inputs.trigger.token : '',
                inputs.dsn.secretKey ?? '',
                ...triggered.canaries
            ].filter(Boolean)
        });
        report.checks.push(ownCheck);
        for (const check of report.checks)
            core/* info */.pq(`${check.pass ? 'pass' : 'FAIL'} ${check.name}: expected ${check.expected}; got ${check.actual}`);
        if (report.checks.some((c) => !c.pass)) {
            throw new src/* ConfigurationError */.j1(`The app's event reached Sentry, but not as it should: ${failedChecks(report.checks)}.`);
        }
        report.verified = true;
        core/* info */.pq(`Verified: ${inputs.org}/${inputs.project} receives the app's errors with release ${inputs.release} and environment ${inputs.environment}.`);
    }
    catch (error) {
        report.failure = (0,src/* scrub */._I)((0,src/* errorMessage */.gJ)(error));
        throw error;
    }
    finally {
        report.apiRequests = client.requests;
        core/* setOutput */.uH(constants/* Outputs */.tY.Verified, String(report.verified));
        await (0,src/* writeSummary */.Sy)(renderSummary(report));
    }
}


/***/ })

};

//# sourceMappingURL=97.index.js.map