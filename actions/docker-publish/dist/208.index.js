export const id = 208;
export const ids = [208];
export const modules = {

/***/ 103:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   FG: () => (/* binding */ loginEnv),
/* harmony export */   Hp: () => (/* binding */ savedLogin),
/* harmony export */   N6: () => (/* binding */ authFile),
/* harmony export */   N8: () => (/* binding */ saveLogin),
/* harmony export */   m9: () => (/* binding */ logoutArgs),
/* harmony export */   y5: () => (/* binding */ createLogin)
/* harmony export */ });
/* unused harmony export LOGIN_STATE */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(24);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(106);
/**
 * Where the registry login lives from the main step to the post step: a
 * private directory under `RUNNER_TEMP` holding podman's auth file or
 * Docker's configuration directory, never the user's `~/.docker/config.json`
 * or podman's default auth file. The saved state names the registry, the
 * engine and that directory; it never holds a credential.
 */




/** The state entry the post step reads. */
const LOGIN_STATE = 'registry-login';
const DIR_PREFIX = 'docker-publish-login-';
/** What a private Docker configuration shares with the user's (never credentials). */
const DOCKER_SHARED = ['cli-plugins', 'buildx', 'contexts'];
/** The file the engine keeps the login in. */
function authFile(login) {
    return node_path__WEBPACK_IMPORTED_MODULE_2__.join(login.dir, login.kind === 'docker' ? 'config.json' : 'auth.json');
}
/** The environment that points the engine at the private login. */
function loginEnv(login) {
    return login.kind === 'docker'
        ? { DOCKER_CONFIG: login.dir }
        : { REGISTRY_AUTH_FILE: authFile(login) };
}
/**
 * Docker's own configuration, minus every credential (saved logins and
 * credential helpers, which would store ours elsewhere), with the user's
 * plugins, buildx builders and contexts linked in so that buildx works as
 * before.
 */
function prepareDockerConfig(dir, env) {
    const userDir = env['DOCKER_CONFIG'] || node_path__WEBPACK_IMPORTED_MODULE_2__.join(node_os__WEBPACK_IMPORTED_MODULE_1__.homedir(), '.docker');
    let config = {};
    try {
        const parsed = JSON.parse(node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync(node_path__WEBPACK_IMPORTED_MODULE_2__.join(userDir, 'config.json'), 'utf8'));
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
            config = parsed;
        }
    }
    catch {
        // No configuration (or an unreadable one): start from nothing.
    }
    delete config['auths'];
    delete config['credsStore'];
    delete config['credHelpers'];
    node_fs__WEBPACK_IMPORTED_MODULE_0__.writeFileSync(node_path__WEBPACK_IMPORTED_MODULE_2__.join(dir, 'config.json'), JSON.stringify(config), {
        mode: 0o600
    });
    for (const name of DOCKER_SHARED) {
        const shared = node_path__WEBPACK_IMPORTED_MODULE_2__.join(userDir, name);
        if (node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync(shared))
            node_fs__WEBPACK_IMPORTED_MODULE_0__.symlinkSync(shared, node_path__WEBPACK_IMPORTED_MODULE_2__.join(dir, name));
    }
}
/** A new private (0700) directory for a login to `registry`. */
function createLogin(registry, engine, env = process.env) {
    const root = env['RUNNER_TEMP'] || node_os__WEBPACK_IMPORTED_MODULE_1__.tmpdir();
    const dir = node_fs__WEBPACK_IMPORTED_MODULE_0__.mkdtempSync(node_path__WEBPACK_IMPORTED_MODULE_2__.join(root, DIR_PREFIX));
    node_fs__WEBPACK_IMPORTED_MODULE_0__.chmodSync(dir, 0o700);
    if (engine.kind === 'docker')
        prepareDockerConfig(dir, env);
    return { registry, kind: engine.kind, command: engine.command, dir };
}
/** Tells the post step about `login` (or, with `undefined`, that there is none). */
function saveLogin(login) {
    _actions_core__WEBPACK_IMPORTED_MODULE_3__/* .saveState */ .LZ(LOGIN_STATE, login ? JSON.stringify(login) : '');
}
/** The login the main step saved, if any and if it is one of ours. */
function savedLogin() {
    const state = _actions_core__WEBPACK_IMPORTED_MODULE_3__/* .getState */ .Gu(LOGIN_STATE);
    if (!state)
        return undefined;
    let login;
    try {
        login = JSON.parse(state);
    }
    catch {
        _actions_core__WEBPACK_IMPORTED_MODULE_3__/* .warning */ .$e(`The saved registry login is not JSON: ${state}`);
        return undefined;
    }
    const { registry, kind, command, dir } = login;
    if (typeof registry !== 'string' ||
        (kind !== 'docker' && kind !== 'podman') ||
        typeof command !== 'string' ||
        typeof dir !== 'string' ||
        !node_path__WEBPACK_IMPORTED_MODULE_2__.isAbsolute(dir) ||
        !node_path__WEBPACK_IMPORTED_MODULE_2__.basename(dir).startsWith(DIR_PREFIX)) {
        _actions_core__WEBPACK_IMPORTED_MODULE_3__/* .warning */ .$e(`The saved registry login is not one of ours: ${state}`);
        return undefined;
    }
    return { registry, kind, command, dir };
}
/** The command line that logs out of `login.registry`. */
function logoutArgs(login) {
    return login.kind === 'docker'
        ? ['logout', login.registry]
        : ['logout', '--authfile', authFile(login), login.registry];
}


/***/ }),

/***/ 208:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  main: () => (/* binding */ main)
});

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(24);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(760);
// EXTERNAL MODULE: ../../node_modules/@actions/core/lib/core.js + 4 modules
var core = __webpack_require__(106);
// EXTERNAL MODULE: ../../packages/action-kit/src/index.ts + 16 modules
var src = __webpack_require__(75);
;// CONCATENATED MODULE: ./src/build.ts
/**
 * Builds the image once, tagged with every final name, and reads back what
 * the summary and the smoke test need: the image ID, its size and layers,
 * its exposed ports and HEALTHCHECK. Build secrets are files mounted for the
 * build only (`--secret id=…,src=…`); values given inline are written to a
 * private temporary file that is removed with the run's temporary directory.
 */




/** The cache flags for `mode`, and a sentence saying which cache applies. */
function cacheFlags(engine, spec, env = process.env) {
    const local = engine.kind === 'podman'
        ? "podman's local layer cache"
        : "Docker's local layer cache";
    if (spec.cache === 'none') {
        return { flags: [], note: `cache: none (only ${local})` };
    }
    if (!engine.capabilities.cacheExport.includes(spec.cache)) {
        const why = engine.kind === 'podman'
            ? `podman cannot use the ${spec.cache} cache backend`
            : `this Docker builder cannot export a ${spec.cache} cache`;
        return {
            flags: [],
            note: `cache: ${local} (${why})`,
            notice: `cache: ${spec.cache} is not available (${why}); ${local} applies instead.`
        };
    }
    if (spec.cache === 'gha') {
        if (!env['ACTIONS_RUNTIME_TOKEN'] && !env['ACTIONS_CACHE_URL']) {
            return {
                flags: [],
                note: `cache: ${local} (no GitHub Actions cache service in this run)`,
                notice: `cache: gha needs the GitHub Actions cache service (ACTIONS_RUNTIME_TOKEN), which this run does not have; ${local} applies instead.`
            };
        }
        // One scope per image, so images built in one workflow do not evict
        // each other; a cache error never fails the build.
        const scope = spec.image.replace(/[^\w.-]+/g, '-');
        return {
            flags: [
                '--cache-from',
                `type=gha,scope=${scope}`,
                '--cache-to',
                `type=gha,scope=${scope},mode=max,ignore-error=true`
            ],
            note: `cache: GitHub Actions cache, scope ${scope}`
        };
    }
    const ref = `${spec.image}:buildcache`;
    return {
        flags: [
            '--cache-from',
            `type=registry,ref=${ref}`,
            ...(spec.canWriteRegistry
                ? ['--cache-to', `type=registry,ref=${ref},mode=max,ignore-error=true`]
                : [])
        ],
        note: `cache: registry ${ref}${spec.canWriteRegistry ? '' : ' (read only: no push)'}`
    };
}
/** The whole build command line (without the program). */
function buildArgs(engine, spec, secretFiles, cache, iidFile) {
    const args = [...engine.buildCommand(), ...engine.buildFlags()];
    args.push('--file', spec.file, '--iidfile', iidFile);
    args.push(...commonArgs(spec, secretFiles));
    if (engine.capabilities.buildx)
        args.push('--provenance=false');
    args.push(...cache, spec.context);
    return args;
}
/** Tags, target, build args, labels and secrets: the same for every build of a run. */
function commonArgs(spec, secretFiles) {
    const args = [];
    for (const ref of spec.refs)
        args.push('--tag', ref);
    if (spec.target)
        args.push('--target', spec.target);
    for (const [key, value] of Object.entries(spec.buildArgs))
        args.push('--build-arg', `${key}=${value}`);
    for (const [key, value] of Object.entries(spec.labels))
        args.push('--label', `${key}=${value}`);
    for (const [id, file] of Object.entries(secretFiles))
        args.push('--secret', `id=${id},src=${file}`);
    return args;
}
/**
 * The buildx build that pushes: for `platforms` (a multi-platform image
 * cannot be loaded for the smoke test, so the runner's platform is built
 * and tested first, and this build reuses its cache) and for attestations.
 */
function buildxPushArgs(engine, spec, secretFiles, cache, attestations, metadataFile) {
    const args = ['buildx', 'build', '--push', '--file', spec.file];
    if (spec.platforms.length > 0)
        args.push('--platform', spec.platforms.join(','));
    args.push(...commonArgs(spec, secretFiles));
    args.push(`--provenance=${attestations.provenance}`, `--sbom=${attestations.sbom}`);
    if (engine.capabilities.metadataFile)
        args.push('--metadata-file', metadataFile);
    args.push(...cache, spec.context);
    return args;
}
/** Whether the push goes through `buildx build --push` rather than `push` per tag. */
function pushesWithBuildx(engine, spec, attestations) {
    return (engine.capabilities.buildx &&
        engine.capabilities.push &&
        (spec.platforms.length > 0 || attestations.provenance || attestations.sbom));
}
async function pushWithBuildx(engine, run, spec, attestations) {
    const cache = cacheFlags(engine, spec);
    const args = buildxPushArgs(engine, spec, writeSecrets(spec), cache.flags, attestations, external_node_path_.join(spec.tempDir, 'metadata.json'));
    const result = await run(engine.command, args);
    if (result.exitCode !== 0) {
        const tail = (0,src/* scrub */._I)(result.stderr || result.stdout)
            .trimEnd()
            .split('\n')
            .slice(-15)
            .join('\n');
        throw new Error(`The buildx push (${spec.platforms.join(', ') || 'attestations'}) failed with exit code ${result.exitCode}. Last lines:\n${tail}`);
    }
}
function writeSecrets(spec) {
    const files = { ...spec.secretFiles };
    const ids = Object.keys(spec.secrets);
    if (ids.length === 0)
        return files;
    const dir = external_node_path_.join(spec.tempDir, 'secrets');
    external_node_fs_.mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const [index, id] of ids.entries()) {
        const file = external_node_path_.join(dir, `secret-${index}`);
        external_node_fs_.writeFileSync(file, spec.secrets[id] ?? '', { mode: 0o600 });
        files[id] = file;
    }
    return files;
}
function numbers(ports) {
    if (!ports || typeof ports !== 'object')
        return [];
    return Object.keys(ports)
        .map((key) => Number.parseInt(key, 10))
        .filter((n) => Number.isInteger(n) && n > 0);
}
/** Size, layers, ports and HEALTHCHECK of a local image. */
async function inspectImage(engine, run, image) {
    const result = await run(engine.command, ['image', 'inspect', image], {
        silent: true
    });
    if (result.exitCode !== 0) {
        throw new Error(`Cannot inspect the built image ${image}: ${(0,src/* scrub */._I)(result.stderr.trim())}`);
    }
    const parsed = JSON.parse(result.stdout);
    const data = (Array.isArray(parsed) ? parsed[0] : parsed);
    return {
        id: data.Id ? data.Id.replace(/^(?!sha256:)/, 'sha256:') : '',
        size: data.Size ?? 0,
        layers: data.RootFS?.Layers?.length ?? 0,
        ports: numbers(data.Config?.ExposedPorts),
        healthcheck: data.Config?.Healthcheck?.Test ??
            data.Healthcheck?.Test ??
            data.HealthCheck?.Test ??
            []
    };
}
async function buildImage(engine, run, spec) {
    const cache = cacheFlags(engine, spec);
    if (cache.notice)
        core/* notice */.lm(cache.notice);
    core/* info */.pq(cache.note);
    const secretIds = [
        ...Object.keys(spec.secretFiles),
        ...Object.keys(spec.secrets)
    ];
    if (secretIds.length > 0 && !engine.capabilities.secrets) {
        throw new Error(`${engine.command} ${engine.version} cannot pass build secrets (${secretIds.join(', ')}): it has no --secret.`);
    }
    const iidFile = external_node_path_.join(spec.tempDir, 'iid');
    const args = buildArgs(engine, spec, writeSecrets(spec), cache.flags, iidFile);
    const env = engine.kind === 'docker' && !engine.capabilities.buildx
        ? { DOCKER_BUILDKIT: '1' }
        : {};
    const started = Date.now();
    const result = await run(engine.command, args, { env });
    const seconds = (Date.now() - started) / 1000;
    if (result.exitCode !== 0) {
        const tail = (0,src/* scrub */._I)(result.stderr || result.stdout)
            .trimEnd()
            .split('\n')
            .slice(-15)
            .join('\n');
        throw new Error(`The image build failed (${engine.command} exit code ${result.exitCode}); nothing was pushed. Last lines:\n${tail}`);
    }
    const id = external_node_fs_.readFileSync(iidFile, 'utf8')
        .trim()
        .replace(/^(?!sha256:)/, 'sha256:');
    const facts = inspectImage(engine, run, id);
    // A failure is the awaiting caller's to report, not an unhandled one.
    facts.catch(() => undefined);
    return { id, seconds, cacheNote: cache.note, facts };
}

// EXTERNAL MODULE: ./src/constants.ts
var constants = __webpack_require__(731);
;// CONCATENATED MODULE: ./src/dockerhub.ts
/**
 * The repository description on Docker Hub, through its web API (not the
 * registry): `POST /v2/auth/token` `{identifier, secret}` gives a short-lived
 * access token, `PATCH /v2/repositories/{namespace}/{repository}/` sets
 * `full_description` (at most 25,000 bytes) and `description` (at most 100
 * bytes).
 */





const FULL_DESCRIPTION_MAX_BYTES = 25_000;
const DESCRIPTION_MAX_BYTES = 100;
/** `text` cut to at most `max` bytes of UTF-8, never inside a character. */
function truncateBytes(text, max) {
    const bytes = Buffer.from(text);
    if (bytes.length <= max)
        return text;
    let end = max;
    // Step back over continuation bytes (10xxxxxx) to a character boundary.
    while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80)
        end--;
    return bytes.subarray(0, end).toString('utf8');
}
/**
 * Reads the Markdown file and checks it fits, before anything is built:
 * over 25,000 bytes is the user's to fix. The short description comes from
 * the repository's, cut to 100 bytes with a notice.
 */
function readDescription(file, workspace, repositoryDescription) {
    const full = external_node_fs_.readFileSync(file, 'utf8');
    const size = Buffer.byteLength(full);
    if (size > FULL_DESCRIPTION_MAX_BYTES) {
        throw new src/* ConfigurationError */.j1(`Invalid value for input '${constants/* Inputs */.G0.DockerhubDescription}': ${JSON.stringify(external_node_path_.relative(workspace, file))} is ${size} bytes. Accepted: a file of at most ${FULL_DESCRIPTION_MAX_BYTES} bytes (Docker Hub's limit).`);
    }
    let short = repositoryDescription?.trim() || undefined;
    if (short && Buffer.byteLength(short) > DESCRIPTION_MAX_BYTES) {
        short = truncateBytes(short, DESCRIPTION_MAX_BYTES - 3).trimEnd() + '...';
        core/* notice */.lm(`The repository description is longer than Docker Hub's ${DESCRIPTION_MAX_BYTES} bytes: published cut short.`);
    }
    return { full, short };
}
/** `docker.io` repository `alice/app` → namespace `alice`, name `app` (`app` → `library/app`). */
function hubRepository(repository) {
    const parts = repository.split('/');
    if (parts.length === 1)
        return { namespace: 'library', name: parts[0] ?? '' };
    if (parts.length !== 2) {
        throw new src/* ConfigurationError */.j1(`Docker Hub repositories are namespace/name; ${JSON.stringify(repository)} has ${parts.length} parts.`);
    }
    return { namespace: parts[0] ?? '', name: parts[1] ?? '' };
}
async function updateDescription(apiUrl, repository, credentials, description) {
    const { namespace, name } = hubRepository(repository);
    const client = new src/* HttpClient */.Qq({ service: 'Docker Hub', baseUrl: apiUrl });
    const token = await client.post('/v2/auth/token', {
        body: { identifier: credentials.username, secret: credentials.password },
        // Asking for a token twice does no harm.
        idempotent: true
    });
    const accessToken = token.data?.access_token;
    if (!accessToken) {
        throw new Error('Docker Hub answered no access_token to POST /v2/auth/token.');
    }
    (0,src/* maskSecret */.$l)(accessToken);
    const body = { full_description: description.full };
    if (description.short !== undefined)
        body['description'] = description.short;
    await client.patch(`/v2/repositories/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/`, {
        body,
        headers: { authorization: `Bearer ${accessToken}` },
        // Setting the same description twice gives the same result.
        idempotent: true
    });
    core/* info */.pq(`Docker Hub description of ${namespace}/${name} updated (${Buffer.byteLength(description.full)} bytes).`);
}

;// CONCATENATED MODULE: ./src/engine.ts
/**
 * The container engine, chosen by what works rather than by what is
 * installed: a `docker` command is Docker only when its daemon answers and
 * is not podman's emulation (podman-docker installs a `docker` wrapper and a
 * socket that leads nowhere). Capabilities (buildx, `--metadata-file`,
 * `--push`, cache export, build secrets) are probed once; what is missing is
 * said in a notice, never skipped silently.
 *
 * The engine only builds argument lists and runs them; what to run and when
 * is decided by build.ts, smoke.ts and registry.ts.
 */

/** Loopback registries that speak plain HTTP (as Docker assumes for 127.0.0.0/8). */
function isLoopbackRegistry(registry) {
    return /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(registry);
}
function firstLine(text) {
    return (text
        .split('\n')
        .map((l) => l.trim())
        .find(Boolean) ?? '');
}
async function probeDocker(run, find) {
    const notices = [];
    if (!(await find('docker'))) {
        return { reason: 'there is no `docker` command', notices };
    }
    const version = await run('docker', [
        'version',
        '--format',
        '{{.Server.Version}}|{{.Server.Platform.Name}}|{{range .Server.Components}}{{.Name}},{{end}}'
    ], { silent: true });
    if (version.exitCode !== 0) {
        return {
            reason: `\`docker version\` reaches no Docker daemon (${firstLine(version.stderr) || `exit code ${version.exitCode}`})`,
            notices
        };
    }
    const [server = '', platform = '', components = ''] = version.stdout
        .trim()
        .split('|');
    if (!server || /podman/i.test(platform)) {
        return {
            reason: `the \`docker\` command is ${platform || 'not Docker'} (podman's emulation)`,
            notices
        };
    }
    // A real Docker CLI on podman's API service (`podman system service`):
    // the platform is the host's, but the engine component names podman.
    const podmanComponent = components
        .split(',')
        .find((name) => /podman/i.test(name));
    if (podmanComponent) {
        return {
            reason: `the Docker daemon it reaches is ${podmanComponent} ${server} (podman's API service)`,
            notices
        };
    }
    const buildx = (await run('docker', ['buildx', 'version'], { silent: true })).exitCode ===
        0;
    let help = '';
    let driver = '';
    if (buildx) {
        help = (await run('docker', ['buildx', 'build', '--help'], { silent: true })).stdout;
        driver =
            /^Driver:\s*(\S+)/m.exec((await run('docker', ['buildx', 'inspect'], { silent: true })).stdout)?.[1] ?? '';
    }
    else {
        notices.push('Docker has no buildx: building with the classic builder (no platforms, attestations or cache export). Add docker/setup-buildx-action to get them.');
    }
    const cacheExport = buildx && driver && driver !== 'docker' ? ['gha', 'registry'] : [];
    if (buildx && driver === 'docker') {
        notices.push("The buildx builder uses the `docker` driver, which cannot export a build cache: only Docker's local layer cache applies. docker/setup-buildx-action creates a builder that can.");
    }
    const capabilities = {
        buildx,
        metadataFile: help.includes('--metadata-file'),
        push: help.includes('--push'),
        cacheExport,
        secrets: true,
        runc: false
    };
    return {
        notices,
        engine: {
            kind: 'docker',
            command: 'docker',
            version: server,
            capabilities,
            hostNetwork: false,
            buildCommand: () => (buildx ? ['buildx', 'build', '--load'] : ['build']),
            buildFlags: () => [],
            runFlags: (hostPort, containerPort) => [
                '--publish',
                `127.0.0.1:${hostPort}:${containerPort}`
            ],
            registryFlags: () => []
        }
    };
}
async function probePodman(run, find) {
    const notices = [];
    if (!(await find('podman'))) {
        return { reason: 'there is no `podman` command', notices };
    }
    // Three cheap questions, asked side by side.
    const [version, buildHelp, runcPath] = await Promise.all([
        run('podman', ['version', '--format', '{{.Client.Version}}'], {
            silent: true
        }),
        run('podman', ['build', '--help'], { silent: true }),
        find('runc')
    ]);
    if (version.exitCode !== 0) {
        return {
            reason: `\`podman version\` failed (${firstLine(version.stderr) || `exit code ${version.exitCode}`})`,
            notices
        };
    }
    const help = buildHelp.stdout;
    const runc = runcPath !== undefined;
    const capabilities = {
        buildx: false,
        metadataFile: false,
        push: false,
        cacheExport: [],
        secrets: help.includes('--secret'),
        runc
    };
    return {
        notices,
        engine: {
            kind: 'podman',
            command: 'podman',
            version: version.stdout.trim(),
            capabilities,
            hostNetwork: true,
            buildCommand: () => ['build'],
            // chroot isolation needs no extra namespaces (what a CI VM or a
            // container allows); the Docker image format keeps HEALTHCHECK, which
            // the OCI format has no field for.
            buildFlags: (env = process.env) => [
                '--isolation',
                env['BUILDAH_ISOLATION'] || 'chroot',
                '--format',
                'docker'
            ],
            runFlags: () => [
                ...(runc ? ['--runtime', 'runc'] : []),
                '--network',
                'host'
            ],
            registryFlags: (registry, authFile) => [
                ...(authFile ? ['--authfile', authFile] : []),
                // A loopback registry speaks plain HTTP: containers/image must be
                // told (Docker assumes it for 127.0.0.0/8 on its own).
                ...(isLoopbackRegistry(registry) ? ['--tls-verify=false'] : [])
            ]
        }
    };
}
/**
 * The engine to use: `docker` and `podman` must work as asked; `auto` takes
 * Docker when its daemon answers, else podman.
 */
async function createEngine(choice, run = src/* exec */.m0, find = src/* which */.K7) {
    if (choice === 'docker' || choice === 'auto') {
        // auto asks both at once: when Docker answers, podman's answer is not
        // used, but a runner without a Docker daemon does not wait for two.
        const [docker, podman] = await Promise.all([
            probeDocker(run, find),
            choice === 'auto' ? probePodman(run, find) : undefined
        ]);
        if (docker.engine)
            return { engine: docker.engine, notices: docker.notices };
        if (!podman) {
            throw new src/* ConfigurationError */.j1(`engine is docker, but ${docker.reason}. Start Docker, or use engine: podman or auto.`);
        }
        if (podman.engine) {
            return {
                engine: podman.engine,
                notices: [
                    `Docker cannot be used (${docker.reason}): building with podman ${podman.engine.version}.`,
                    ...podman.notices
                ]
            };
        }
        throw new src/* ConfigurationError */.j1(`No container engine works here: ${docker.reason}, and ${podman.reason}. Install Docker or podman.`);
    }
    const podman = await probePodman(run, find);
    if (podman.engine)
        return { engine: podman.engine, notices: podman.notices };
    throw new src/* ConfigurationError */.j1(`engine is podman, but ${podman.reason}. Install podman, or use engine: docker or auto.`);
}

;// CONCATENATED MODULE: ./src/github-context.ts
/**
 * What the run is about, read once from the runner's environment and the
 * event payload: the commit, the ref, the event and the repository's
 * default branch. Tags, labels and the push decision are derived from it.
 */

function readPayload(file) {
    if (!file)
        return {};
    try {
        const data = JSON.parse(external_node_fs_.readFileSync(file, 'utf8'));
        return data && typeof data === 'object'
            ? data
            : {};
    }
    catch {
        return {};
    }
}
function str(value) {
    return typeof value === 'string' && value ? value : undefined;
}
function runContext(env = process.env) {
    const payload = readPayload(env['GITHUB_EVENT_PATH']);
    const repo = (payload['repository'] ?? {});
    const license = (repo['license'] ?? {});
    const spdx = str(license['spdx_id']);
    return {
        sha: env['GITHUB_SHA'] ?? '',
        ref: env['GITHUB_REF'] ?? '',
        eventName: env['GITHUB_EVENT_NAME'] ?? '',
        repository: env['GITHUB_REPOSITORY'] ?? '',
        serverUrl: env['GITHUB_SERVER_URL'] ?? 'https://github.com',
        repo: {
            defaultBranch: str(repo['default_branch']),
            description: str(repo['description']),
            htmlUrl: str(repo['html_url']),
            license: spdx && spdx !== 'NOASSERTION' ? spdx : undefined,
            name: str(repo['name'])
        }
    };
}
/** The branch name of a `refs/heads/…` ref. */
function branchOf(ref) {
    return ref.startsWith('refs/heads/')
        ? ref.slice('refs/heads/'.length)
        : undefined;
}
/** The tag name of a `refs/tags/…` ref. */
function gitTagOf(ref) {
    return ref.startsWith('refs/tags/')
        ? ref.slice('refs/tags/'.length)
        : undefined;
}
/** The number of a `refs/pull/N/merge` (or `/head`) ref. */
function pullRequestOf(ref) {
    return /^refs\/pull\/(\d+)\//.exec(ref)?.[1];
}
function isDefaultBranch(context) {
    const branch = branchOf(context.ref);
    return (branch !== undefined &&
        context.repo.defaultBranch !== undefined &&
        branch === context.repo.defaultBranch);
}

// EXTERNAL MODULE: ./src/input-helper.ts
var input_helper = __webpack_require__(367);
;// CONCATENATED MODULE: ./src/labels.ts
const OCI = 'org.opencontainers.image';
function ociLabels(context, version, extra, now = new Date()) {
    const source = context.repository
        ? `${context.serverUrl.replace(/\/$/, '')}/${context.repository}`
        : undefined;
    const title = context.repo.name ?? context.repository.split('/').pop();
    const auto = {
        [`${OCI}.source`]: source,
        [`${OCI}.revision`]: context.sha || undefined,
        [`${OCI}.created`]: now.toISOString(),
        [`${OCI}.title`]: title || undefined,
        [`${OCI}.description`]: context.repo.description,
        [`${OCI}.url`]: context.repo.htmlUrl ?? source,
        [`${OCI}.version`]: version,
        [`${OCI}.licenses`]: context.repo.license
    };
    const labels = {};
    for (const [key, value] of Object.entries(auto)) {
        if (value !== undefined)
            labels[key] = value;
    }
    return { ...labels, ...extra };
}

;// CONCATENATED MODULE: ./src/push-policy.ts
/**
 * Whether this run pushes. `push: auto` pushes on the default branch, on
 * tags and on manual dispatch; pull requests and other branches only build
 * and smoke-test; empty credentials (fork and Dependabot pull requests)
 * skip the push with a notice and never fail the step.
 */

function decidePush(mode, context, hasCredentials) {
    if (mode === false)
        return { push: false, reason: 'push is false' };
    if (mode === true)
        return { push: true };
    if (context.eventName.startsWith('pull_request')) {
        return {
            push: false,
            reason: `push: auto does not push on ${context.eventName} events (build and smoke test only)`
        };
    }
    const allowed = context.eventName === 'workflow_dispatch' ||
        gitTagOf(context.ref) !== undefined ||
        isDefaultBranch(context);
    if (!allowed) {
        return {
            push: false,
            reason: `push: auto pushes on the default branch, tags and manual dispatch only, not on ${context.ref || 'this ref'}`
        };
    }
    if (!hasCredentials) {
        return {
            push: false,
            reason: 'the registry credentials are empty (as on fork and Dependabot pull requests): built and smoke-tested, not pushed'
        };
    }
    return { push: true };
}

// EXTERNAL MODULE: ./src/login-store.ts
var login_store = __webpack_require__(103);
;// CONCATENATED MODULE: ./src/registry.ts
/**
 * Logging in, pushing and reading back the digest. The password reaches the
 * engine on standard input only (`login --password-stdin`), never on a
 * command line. The login is kept in a private directory (podman's auth
 * file, Docker's configuration directory; see login-store.ts) that the post
 * step logs out of and removes.
 *
 * The digest is the one the registry serves for the pushed tag
 * (`Docker-Content-Digest` of `GET /v2/<name>/manifests/<tag>`), not one
 * computed locally.
 */






const MANIFEST_TYPES = [
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.docker.distribution.manifest.v2+json'
].join(', ');
class RegistryError extends Error {
    name = 'RegistryError';
}
/** The host the registry API answers on (`docker.io` → `registry-1.docker.io`). */
function registryApiBase(registry) {
    const host = registry === constants/* DOCKER_HUB */.Xb ? 'registry-1.docker.io' : registry;
    return `${isLoopbackRegistry(host) ? 'http' : 'https'}://${host}/`;
}
class RegistrySession {
    engine;
    run;
    registry;
    current;
    constructor(engine, run, registry) {
        this.engine = engine;
        this.run = run;
        this.registry = registry;
    }
    /** What the engine's commands need in their environment to use the login. */
    env() {
        return this.current ? (0,login_store/* loginEnv */.FG)(this.current) : {};
    }
    flags() {
        return this.engine.registryFlags(this.registry, this.current ? (0,login_store/* authFile */.N6)(this.current) : '');
    }
    /**
     * Logs in, keeping the login in a private directory that the post step
     * removes. The state is saved before the engine runs, so that a step
     * cancelled during the login still leaves nothing behind.
     */
    async login(credentials) {
        const login = (0,login_store/* createLogin */.y5)(this.registry, this.engine);
        (0,login_store/* saveLogin */.N8)(login);
        const result = await this.run(this.engine.command, [
            'login',
            ...this.engine.registryFlags(this.registry, (0,login_store/* authFile */.N6)(login)),
            '--username',
            credentials.username,
            '--password-stdin',
            this.registry
        ], { input: credentials.password, silent: true, env: (0,login_store/* loginEnv */.FG)(login) });
        if (result.exitCode !== 0) {
            external_node_fs_.rmSync(login.dir, { recursive: true, force: true });
            (0,login_store/* saveLogin */.N8)(undefined);
            const why = (0,src/* scrub */._I)(result.stderr.trim() || result.stdout.trim());
            throw new RegistryError(`Login to ${this.registry} as ${credentials.username} failed: ${why}. Check username and password (for Docker Hub, a personal access token with read and write access).`);
        }
        this.current = login;
        core/* info */.pq(`Logged in to ${this.registry} as ${credentials.username} (a private login, removed by the post step).`);
    }
    /** Pushes `ref` with the session's login. */
    async push(ref) {
        const result = await this.run(this.engine.command, ['push', ...this.flags(), ref], { silent: true, env: this.env() });
        if (result.exitCode !== 0) {
            const why = (0,src/* scrub */._I)(result.stderr.trim().split('\n').slice(-5).join('\n'));
            throw new RegistryError(`Pushing ${ref} failed: ${why}`);
        }
        core/* info */.pq(`Pushed ${ref}.`);
    }
}
/** A bearer token from the registry's token service, for `scope`. */
async function bearerToken(challenge, credentials) {
    const params = {};
    for (const match of challenge.matchAll(/(\w+)="([^"]*)"/g)) {
        params[match[1] ?? ''] = match[2] ?? '';
    }
    const realm = params['realm'];
    if (!realm)
        throw new RegistryError(`The registry's challenge has no realm: ${challenge}`);
    const url = new URL(realm);
    const client = new src/* HttpClient */.Qq({
        service: 'registry token service',
        baseUrl: `${url.protocol}//${url.host}/`,
        maxAttempts: 3,
        headers: credentials ? { authorization: basic(credentials) } : {}
    });
    const response = await client.get(url.pathname, { query: { service: params['service'], scope: params['scope'] } });
    const token = response.data?.token ?? response.data?.access_token;
    if (!token)
        throw new RegistryError('The registry token service answered no token.');
    core/* setSecret */.Pq(token);
    return token;
}
function basic(credentials) {
    return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}
/**
 * The manifest digest the registry serves for `repository:tag`, with
 * bounded retries on 5xx and dropped connections.
 */
async function registryDigest(registry, repository, tag, credentials) {
    const client = new src/* HttpClient */.Qq({
        service: `registry ${registry}`,
        baseUrl: registryApiBase(registry),
        maxAttempts: 4,
        backoffMs: 500,
        headers: { accept: MANIFEST_TYPES }
    });
    const where = `v2/${repository}/manifests/${tag}`;
    let response = await client.request('HEAD', where, { accept: [401] });
    if (response.status === 401) {
        const challenge = response.headers.get('www-authenticate') ?? '';
        const authorization = /^bearer/i.test(challenge)
            ? `Bearer ${await bearerToken(challenge, credentials)}`
            : credentials
                ? basic(credentials)
                : undefined;
        if (!authorization) {
            throw new RegistryError(`The registry ${registry} asks for credentials to read ${repository}:${tag}, and none were given.`);
        }
        try {
            response = await client.request('HEAD', where, {
                headers: { authorization }
            });
        }
        catch (error) {
            if (error instanceof src/* HttpError */.j$) {
                throw new RegistryError(`Reading the digest of ${repository}:${tag} from ${registry} failed: ${error.message}`);
            }
            throw error;
        }
    }
    const digest = response.headers.get('docker-content-digest') ?? '';
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) {
        throw new RegistryError(`The registry ${registry} gave no manifest digest for ${repository}:${tag} (Docker-Content-Digest: ${JSON.stringify(digest)}).`);
    }
    return digest;
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(598);
// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __webpack_require__(30);
;// CONCATENATED MODULE: ./src/smoke.ts
/**
 * The smoke test: run the built image on this machine and wait until it
 * answers, before anything is pushed. The container gets the smoke
 * environment by name only (`-e NAME`, values in the engine's own
 * environment, so `ps` never shows them) and a free port; it is always
 * removed, and on failure its exit code and last log lines are shown.
 */




const DEFAULT_PORT = 8000;
const LOG_LINES = 40;
const POLL_MS = 250;
const STATE_EVERY_MS = 1000;
class SmokeTestError extends Error {
    name = 'SmokeTestError';
}
/** A TCP port on 127.0.0.1 that is free right now. */
function freePort() {
    return new Promise((resolve, reject) => {
        const server = external_node_net_.createServer();
        server.unref();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            const port = typeof address === 'object' && address ? address.port : 0;
            server.close(() => resolve(port));
        });
    });
}
/** The path an HTTP HEALTHCHECK calls (`curl -f http://localhost:8000/health` → `/health`). */
function healthcheckPath(test) {
    const text = test.slice(1).join(' ');
    const match = /https?:\/\/[^\s/'"]+(\/[^\s'"]*)?/.exec(text);
    if (!match)
        return undefined;
    return match[1] || '/';
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function probe(url) {
    try {
        const response = await fetch(url, {
            redirect: 'manual',
            signal: AbortSignal.timeout(3000)
        });
        await response.arrayBuffer();
        return { status: response.status };
    }
    catch (error) {
        const cause = error.cause;
        return { error: cause?.code ?? error.message };
    }
}
async function state(engine, run, name) {
    const result = await run(engine.command, [
        'container',
        'inspect',
        '--format',
        '{{.State.Status}} {{.State.ExitCode}}',
        name
    ], { silent: true });
    if (result.exitCode !== 0)
        return { status: 'gone' };
    const [status = 'unknown', code] = result.stdout.trim().split(' ');
    return { status, exitCode: code === undefined ? undefined : Number(code) };
}
async function lastLogs(engine, run, name) {
    // The whole log, cut here: podman 4.3's `logs --tail` with the k8s-file
    // driver drops the first line of a short log.
    const result = await run(engine.command, ['logs', name], { silent: true });
    const text = `${result.stdout}${result.stderr}`
        .trimEnd()
        .split('\n')
        .slice(-LOG_LINES)
        .join('\n');
    return (0,src/* scrub */._I)(text) || '(the container wrote nothing)';
}
async function smokeTest(engine, run, image, settings) {
    const env = { ...settings.env };
    // The image's own port and HEALTHCHECK, only when the settings leave
    // them open (else the container starts while they are still being read).
    const facts = !settings.path || (!engine.hostNetwork && settings.port === undefined)
        ? await image.facts
        : { ports: [], healthcheck: [] };
    const hostPort = settings.port !== undefined && engine.hostNetwork
        ? settings.port
        : await freePort();
    const containerPort = engine.hostNetwork
        ? hostPort
        : (settings.port ?? facts.ports[0] ?? DEFAULT_PORT);
    // On the host network the app must listen on the free port: PORT is the
    // usual convention (Render, Heroku, the example image); an explicit PORT
    // in smoke-env wins.
    if (engine.hostNetwork && env['PORT'] === undefined)
        env['PORT'] = String(hostPort);
    const port = engine.hostNetwork ? Number(env['PORT']) || hostPort : hostPort;
    const fromHealthcheck = healthcheckPath(facts.healthcheck);
    let paths = settings.path
        ? [settings.path]
        : fromHealthcheck
            ? [fromHealthcheck]
            : ['/health', '/'];
    const name = `shipyard-smoke-${(0,external_node_crypto_.randomBytes)(6).toString('hex')}`;
    const args = [
        'run',
        '--detach',
        '--name',
        name,
        ...engine.runFlags(hostPort, containerPort)
    ];
    for (const key of Object.keys(env))
        args.push('--env', key);
    if (settings.envFile)
        args.push('--env-file', settings.envFile);
    args.push(image.id);
    const started = Date.now();
    // A cancelled job removes the container too.
    const forget = (0,src/* onInterrupt */.nA)(() => run(engine.command, ['rm', '--force', name], { silent: true }));
    try {
        const start = await run(engine.command, args, { env, silent: true });
        if (start.exitCode !== 0) {
            throw new SmokeTestError(`The smoke test could not start the image: ${(0,src/* scrub */._I)(start.stderr.trim())}. Nothing was pushed.`);
        }
        const deadline = started + settings.timeoutMs;
        // The first look at the container's state waits a second too: an app
        // that answers within it costs no engine call at all.
        let checked = Date.now();
        let last = 'no answer yet';
        for (;;) {
            const url = `http://127.0.0.1:${port}${paths[0]}`;
            const answer = await probe(url);
            if (answer.status !== undefined) {
                if (answer.status >= 200 && answer.status < 400) {
                    const seconds = (Date.now() - started) / 1000;
                    core/* info */.pq(`The image answered GET ${paths[0]} with ${answer.status} after ${seconds.toFixed(1)} s.`);
                    return { seconds, url, status: answer.status };
                }
                if (answer.status === 404 && paths.length > 1) {
                    core/* info */.pq(`GET ${paths[0]} answered 404; trying ${paths[1]}.`);
                    paths = paths.slice(1);
                    continue;
                }
                last = `GET ${paths[0]} answered ${answer.status}`;
            }
            else {
                last = `GET ${paths[0]}: ${answer.error}`;
            }
            // Asking the engine costs a process start, which competes with the
            // app's own start on a small runner: once a second is enough to
            // notice a container that stopped (and always at the deadline).
            const now = Date.now();
            if (now - checked >= STATE_EVERY_MS || now >= deadline) {
                checked = now;
                const current = await state(engine, run, name);
                if (current.status !== 'running') {
                    const logs = await lastLogs(engine, run, name);
                    throw new SmokeTestError(`The smoke test failed: the container stopped (${current.status}, exit code ${current.exitCode ?? 'unknown'}) before answering; nothing was pushed. Its last log lines:\n${logs}`);
                }
            }
            if (Date.now() >= deadline) {
                const logs = await lastLogs(engine, run, name);
                throw new SmokeTestError(`The smoke test failed: no 2xx or 3xx answer on port ${port} within ${(0,src/* formatDuration */.a3)(settings.timeoutMs)} (${last}); nothing was pushed. The container's last log lines:\n${logs}`);
            }
            await sleep(POLL_MS);
        }
    }
    finally {
        const removed = await run(engine.command, [
            'rm',
            '--force',
            ...(engine.kind === 'podman' ? ['--time', '2'] : []),
            name
        ], {
            silent: true
        });
        forget();
        if (removed.exitCode !== 0 && !/no such container/i.test(removed.stderr)) {
            core/* warning */.$e(`Could not remove the smoke-test container ${name}: ${(0,src/* scrub */._I)(removed.stderr.trim())}`);
        }
    }
}

;// CONCATENATED MODULE: ./src/summary.ts
/**
 * The job summary: what was built, how it was proved to work, and whether
 * and where it went. Written on success and on failure alike.
 */

function formatBytes(bytes) {
    const units = ['B', 'KiB', 'MiB', 'GiB'];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit++;
    }
    return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
function renderSummary(report) {
    const title = report.failure
        ? `### ❌ docker-publish: ${report.image}`
        : `### 🐳 docker-publish: ${report.image}`;
    const smoke = report.smoke
        ? `passed: GET ${new URL(report.smoke.url).pathname} → ${report.smoke.status} after ${report.smoke.seconds.toFixed(1)} s`
        : (report.smokeNote ?? 'not run');
    const rows = [
        ['Tags', report.tags.map((t) => `\`${t}\``).join(' ')],
        ['Engine', report.engine ?? ''],
        ['Cache', report.cacheNote ?? ''],
        ['Image ID', report.imageId ? `\`${report.imageId}\`` : ''],
        [
            'Size',
            report.size !== undefined
                ? `${formatBytes(report.size)} in ${report.layers ?? 0} layers`
                : ''
        ],
        [
            'Build',
            report.buildSeconds !== undefined
                ? `${report.buildSeconds.toFixed(1)} s`
                : ''
        ],
        ['Smoke test', smoke],
        [
            'Pushed',
            report.pushed
                ? `yes, to ${report.registry}`
                : `no${report.pushNote ? ` (${report.pushNote})` : ''}`
        ],
        ['Digest', report.digest ? `\`${report.digest}\`` : ''],
        ['Docker Hub description', report.description ?? '']
    ];
    const parts = [
        title,
        (0,src/* table */.tp)(['', ''], rows.filter(([, value]) => value !== ''))
    ];
    if (report.digest) {
        parts.push('Deploy exactly this image:', (0,src/* codeBlock */.DV)(`${report.image}@${report.digest}`));
    }
    if (report.failure)
        parts.push('**Failed:**', (0,src/* codeBlock */.DV)(report.failure));
    return parts.join('\n\n');
}
async function writePublishSummary(report) {
    await (0,src/* writeSummary */.Sy)(renderSummary(report));
}

;// CONCATENATED MODULE: ./src/tags.ts
/**
 * The tags an image gets: `sha-<short sha>` and the full SHA, the sanitised
 * branch name (`latest` too, but only on the default branch), `pr-<n>` on a
 * pull request, `1.2.3`/`1.2`/`1` on a version tag, then the extra tags.
 * A name that is not a valid tag is sanitised with a notice; one that
 * cannot be made valid is left out with a notice.
 */


/** A valid tag: the distribution reference grammar's `[\w][\w.-]{0,127}`. */
const TAG = /^\w[\w.-]{0,127}$/;
const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;
const SHORT_SHA = 7;
/**
 * `feature/Login page` → `feature-Login-page`: characters a tag cannot hold
 * become `-`, leading `.`/`-` go, at most 128 characters. Empty when
 * nothing valid is left.
 */
function sanitizeTag(name) {
    return name
        .replace(/[^\w.-]+/g, '-')
        .replace(/^[.-]+/, '')
        .slice(0, 128)
        .replace(/[.-]+$/, '');
}
/** The tags of a version: `1.2.3`, `1.2`, `1`; a pre-release only itself. */
function semverTags(name) {
    const match = SEMVER.exec(name);
    if (!match)
        return undefined;
    const [, major, minor, patch, pre] = match;
    if (pre)
        return [sanitizeTag(`${major}.${minor}.${patch}-${pre}`)];
    // Numbers too long for a tag: not a version a tag can carry.
    if (!TAG.test(`${major}.${minor}.${patch}`))
        return undefined;
    return [`${major}.${minor}.${patch}`, `${major}.${minor}`, `${major}`];
}
function planTags(context, extra) {
    const tags = [];
    const notices = [];
    let version;
    const add = (tag) => {
        if (!tags.includes(tag))
            tags.push(tag);
    };
    /** Adds a name derived from the ref, sanitised when needed. */
    const addNamed = (what, name) => {
        if (TAG.test(name)) {
            add(name);
            return name;
        }
        const clean = sanitizeTag(name);
        if (!clean) {
            notices.push(`The ${what} ${JSON.stringify(name)} has nothing a tag can hold; it gives no tag.`);
            return undefined;
        }
        notices.push(`The ${what} ${JSON.stringify(name)} is not a valid tag; tagged ${JSON.stringify(clean)} instead.`);
        add(clean);
        return clean;
    };
    const { sha, ref } = context;
    if (sha) {
        if (!/^[0-9a-f]{7,64}$/i.test(sha)) {
            throw new src/* ConfigurationError */.j1(`GITHUB_SHA ${JSON.stringify(sha)} is not a commit SHA: cannot tag the image with it.`);
        }
        add(`sha-${sha.slice(0, SHORT_SHA).toLowerCase()}`);
        add(sha.toLowerCase());
    }
    const branch = branchOf(ref);
    const gitTag = gitTagOf(ref);
    const pr = pullRequestOf(ref);
    if (branch !== undefined) {
        version = addNamed('branch', branch);
        if (isDefaultBranch(context))
            add('latest');
        else if (!context.repo.defaultBranch) {
            notices.push('The default branch is unknown (no repository.default_branch in the event payload): no `latest` tag.');
        }
    }
    else if (gitTag !== undefined) {
        const versions = semverTags(gitTag);
        if (versions) {
            for (const tag of versions)
                add(tag);
            version = versions[0];
        }
        else {
            version = addNamed('git tag', gitTag);
        }
    }
    else if (pr !== undefined) {
        add(`pr-${pr}`);
        version = `pr-${pr}`;
    }
    for (const tag of extra)
        add(tag);
    if (tags.length === 0) {
        throw new src/* ConfigurationError */.j1('No tag for the image: GITHUB_SHA and GITHUB_REF give none and `tags` is empty. Give at least one tag in `tags`.');
    }
    return { tags, notices, version: version ?? extra[0] };
}

;// CONCATENATED MODULE: ./src/main.ts
/**
 * docker-publish: validate every input, choose the engine, log in (so a
 * wrong password fails before a long build), build, smoke-test, and only
 * then push every tag and read the digest back from the registry. Nothing
 * is pushed unless the smoke test passed. The build secrets live in a
 * private temporary directory removed at the end; the login in another,
 * which the post step (post.ts) logs out of and removes.
 */

















async function main(run = src/* exec */.m0, given) {
    // The entry reads the inputs before loading this module, and passes them.
    const inputs = given ?? (await core/* group */.Os('Inputs', () => Promise.resolve((0,input_helper/* getInputs */.G)())));
    const context = runContext();
    const plan = planTags(context, inputs.tags);
    for (const notice of plan.notices)
        core/* notice */.lm(notice);
    const description = inputs.dockerhubDescription
        ? readDescription(inputs.dockerhubDescription, inputs.workspace, context.repo.description)
        : undefined;
    const credentials = inputs.username && inputs.password
        ? { username: inputs.username, password: inputs.password }
        : undefined;
    const decision = decidePush(inputs.push, context, credentials !== undefined);
    const { engine, notices } = await core/* group */.Os('Container engine', () => createEngine(inputs.engine, run));
    for (const notice of notices)
        core/* notice */.lm(notice);
    core/* info */.pq(`Engine: ${engine.command} ${engine.version}`);
    if (inputs.platforms.length > 0 && !engine.capabilities.buildx) {
        throw new src/* ConfigurationError */.j1(`Invalid value for input 'platforms': ${JSON.stringify(inputs.platforms.join(','))} (the engine is ${engine.kind} without buildx). Accepted: platforms only with Docker buildx; leave it empty to build for this runner's platform.`);
    }
    if ((inputs.provenance || inputs.sbom) &&
        !(engine.capabilities.buildx && engine.capabilities.push)) {
        core/* notice */.lm(`provenance and sbom need Docker buildx; ${engine.kind} builds the image without attestations.`);
    }
    const refs = plan.tags.map((tag) => `${inputs.image}:${tag}`);
    const report = {
        image: inputs.image,
        tags: plan.tags,
        engine: `${engine.command} ${engine.version}`,
        registry: inputs.registry,
        pushed: false,
        pushNote: decision.reason
    };
    core/* setOutput */.uH(constants/* Outputs */.tY.Image, inputs.image);
    core/* setOutput */.uH(constants/* Outputs */.tY.Tags, plan.tags.join('\n'));
    core/* setOutput */.uH(constants/* Outputs */.tY.Pushed, 'false');
    core/* setOutput */.uH(constants/* Outputs */.tY.Digest, '');
    core/* setOutput */.uH(constants/* Outputs */.tY.ImageRef, '');
    core/* setOutput */.uH(constants/* Outputs */.tY.SmokeSeconds, '');
    const tempRoot = process.env['RUNNER_TEMP'] || external_node_os_.tmpdir();
    const tempDir = external_node_fs_.mkdtempSync(external_node_path_.join(tempRoot, 'docker-publish-'));
    external_node_fs_.chmodSync(tempDir, 0o700);
    // Build secrets live here: a cancelled job removes them too.
    const forgetTempDir = (0,src/* onInterrupt */.nA)(() => external_node_fs_.rmSync(tempDir, { recursive: true, force: true }));
    const session = new RegistrySession(engine, run, inputs.registry);
    // After the login, every engine command finds it in its private place.
    const engineRun = (command, args, options = {}) => run(command, args, {
        ...options,
        env: { ...session.env(), ...options.env }
    });
    let factsRead = Promise.resolve();
    try {
        if (decision.push && credentials) {
            await core/* group */.Os(`Log in to ${inputs.registry}`, () => session.login(credentials));
        }
        const spec = {
            context: inputs.context,
            file: inputs.file,
            refs,
            image: inputs.image,
            target: inputs.target,
            buildArgs: inputs.buildArgs,
            labels: ociLabels(context, plan.version, inputs.labels),
            secretFiles: inputs.secretFiles,
            secrets: inputs.secrets,
            platforms: inputs.platforms,
            cache: inputs.cache,
            canWriteRegistry: decision.push,
            tempDir
        };
        const built = await core/* group */.Os(`Build ${inputs.image}`, () => buildImage(engine, engineRun, spec));
        Object.assign(report, {
            imageId: built.id,
            buildSeconds: built.seconds,
            cacheNote: built.cacheNote
        });
        core/* setOutput */.uH(constants/* Outputs */.tY.ImageId, built.id);
        // Size and layers are read while the smoke test starts.
        factsRead = built.facts.then((facts) => {
            Object.assign(report, { size: facts.size, layers: facts.layers });
            core/* setOutput */.uH(constants/* Outputs */.tY.Size, String(facts.size));
        });
        const smoke = inputs.smokeTest;
        if (smoke) {
            const result = await core/* group */.Os('Smoke test', () => smokeTest(engine, engineRun, built, smoke));
            report.smoke = result;
            core/* setOutput */.uH(constants/* Outputs */.tY.SmokeSeconds, result.seconds.toFixed(1));
        }
        else {
            report.smokeNote = 'skipped (smoke-test: false)';
            if (decision.push) {
                core/* notice */.lm('smoke-test is false: the image is pushed without having been run.');
            }
        }
        await factsRead;
        if (!decision.push) {
            core/* notice */.lm(`Not pushed: ${decision.reason ?? 'push is off'}.`);
            if (description) {
                report.description = 'not updated: nothing was pushed';
                core/* info */.pq('Docker Hub description not updated: nothing was pushed.');
            }
            return;
        }
        const digest = await core/* group */.Os(`Push to ${inputs.registry}`, async () => {
            const attestations = { provenance: inputs.provenance, sbom: inputs.sbom };
            const tag = plan.tags[0] ?? '';
            const readDigest = async () => {
                const served = await registryDigest(inputs.registry, inputs.repository, tag, credentials);
                core/* info */.pq(`The registry serves ${inputs.image}:${tag} as ${served}.`);
                return served;
            };
            if (pushesWithBuildx(engine, spec, attestations)) {
                await pushWithBuildx(engine, engineRun, spec, attestations);
            }
            else {
                // The first push uploads the layers; the other tags name the same
                // manifest, so they go up side by side; `latest` moves last, once
                // every other tag is up, so a failed push never leaves it moved.
                const [first = '', ...others] = refs;
                const last = others.filter((ref) => ref.endsWith(':latest'));
                await session.push(first);
                // The first tag is up: its digest is read back while the others go.
                const pushed = readDigest();
                const rest = (async () => {
                    await Promise.all(others
                        .filter((ref) => !last.includes(ref))
                        .map((ref) => session.push(ref)));
                    for (const ref of last)
                        await session.push(ref);
                })();
                await Promise.allSettled([pushed, rest]);
                await rest;
                return pushed;
            }
            return readDigest();
        });
        report.pushed = true;
        report.pushNote = undefined;
        report.digest = digest;
        core/* setOutput */.uH(constants/* Outputs */.tY.Pushed, 'true');
        core/* setOutput */.uH(constants/* Outputs */.tY.Digest, digest);
        core/* setOutput */.uH(constants/* Outputs */.tY.ImageRef, `${inputs.image}@${digest}`);
        if (description && credentials) {
            try {
                await updateDescription(inputs.dockerhubApiUrl, inputs.repository, credentials, description);
                report.description = 'updated';
            }
            catch (error) {
                report.description = `not updated: ${(0,src/* scrub */._I)((0,src/* errorMessage */.gJ)(error))}`;
                core/* warning */.$e(`The image is pushed, but the Docker Hub description was not updated: ${(0,src/* scrub */._I)((0,src/* errorMessage */.gJ)(error))}`);
            }
        }
    }
    catch (error) {
        report.failure = (0,src/* scrub */._I)((0,src/* errorMessage */.gJ)(error));
        if (!report.smoke && !report.smokeNote && report.imageId) {
            report.smokeNote = 'failed';
        }
        throw error;
    }
    finally {
        await factsRead.catch(() => undefined);
        external_node_fs_.rmSync(tempDir, { recursive: true, force: true });
        forgetTempDir();
        await writePublishSummary(report);
    }
}


/***/ })

};

//# sourceMappingURL=208.index.js.map