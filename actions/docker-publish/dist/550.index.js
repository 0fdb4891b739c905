export const id = 550;
export const ids = [550];
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

/***/ 550:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   post: () => (/* binding */ post)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(24);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(106);
/* harmony import */ var _shipyard_action_kit__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(75);
/* harmony import */ var _login_store_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(103);
/**
 * docker-publish's post step (`post-if: always()`): logs out of the registry
 * the main step logged in to and removes the private directory that held
 * the login, even when the main step failed or was cancelled. Without a
 * saved login it does nothing.
 */




async function post(run = _shipyard_action_kit__WEBPACK_IMPORTED_MODULE_1__/* .exec */ .m0) {
    const login = (0,_login_store_js__WEBPACK_IMPORTED_MODULE_2__/* .savedLogin */ .Hp)();
    if (!login) {
        _actions_core__WEBPACK_IMPORTED_MODULE_3__/* .debug */ .Yz('No registry login to undo: the main step did not log in.');
        return;
    }
    try {
        if (!node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync(login.dir)) {
            _actions_core__WEBPACK_IMPORTED_MODULE_3__/* .debug */ .Yz(`The login to ${login.registry} is already gone.`);
            return;
        }
        const result = await run(login.command, (0,_login_store_js__WEBPACK_IMPORTED_MODULE_2__/* .logoutArgs */ .m9)(login), {
            silent: true,
            env: (0,_login_store_js__WEBPACK_IMPORTED_MODULE_2__/* .loginEnv */ .FG)(login)
        });
        if (result.exitCode === 0) {
            _actions_core__WEBPACK_IMPORTED_MODULE_3__/* .info */ .pq(`Logged out of ${login.registry}.`);
        }
        else {
            _actions_core__WEBPACK_IMPORTED_MODULE_3__/* .warning */ .$e(`Logging out of ${login.registry} failed (${(0,_shipyard_action_kit__WEBPACK_IMPORTED_MODULE_1__/* .scrub */ ._I)(result.stderr.trim() || `exit code ${result.exitCode}`)}); its credentials are deleted with the login directory all the same.`);
        }
    }
    finally {
        node_fs__WEBPACK_IMPORTED_MODULE_0__.rmSync(login.dir, { recursive: true, force: true });
    }
}


/***/ })

};

//# sourceMappingURL=550.index.js.map