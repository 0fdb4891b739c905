export const id = 816;
export const ids = [816];
export const modules = {

/***/ 816:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  main: () => (/* binding */ main)
});

// UNUSED EXPORTS: reportPaths, workDirectory

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ../../node_modules/@actions/core/lib/core.js + 3 modules
var core = __webpack_require__(8735);
// EXTERNAL MODULE: ../../packages/action-kit/src/index.ts + 11 modules
var src = __webpack_require__(6277);
// EXTERNAL MODULE: ./src/constants.ts
var constants = __webpack_require__(1731);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
;// CONCATENATED MODULE: ./src/django-checks.ts
/**
 * Django's production checks: `manage.py check --deploy` with DEBUG off and
 * a production-like environment, failing on any warning; and
 * `makemigrations --check --dry-run`, failing on a model change without its
 * migration. Each finding is located in the project's files (the setting in
 * the settings file, the model in the app's models.py) for its annotation.
 */




/** The first line of `source` that assigns `name` (1-based). */
function lineAssigning(source, name) {
    const pattern = new RegExp(`^\\s*${name}\\s*(:[^=]*)?=`);
    const index = source.split('\n').findIndex((l) => pattern.test(l));
    return index === -1 ? undefined : index + 1;
}
/** `?: (security.W004) message` lines (and their `HINT:` lines) from Django's check output. */
function parseCheckOutput(output) {
    const findings = [];
    for (const line of output.split(/\r?\n/)) {
        const match = /^(\S.*?): \(([\w.]+\.[A-Z]\d+)\) (.*)$/.exec(line);
        if (match) {
            findings.push({ object: match[1], id: match[2], message: match[3] });
            continue;
        }
        const hint = /^\s+HINT: (.*)$/.exec(line);
        if (hint && findings.length > 0)
            findings[findings.length - 1].hint = hint[1];
    }
    return findings;
}
/**
 * The environment `check --deploy` runs in: the user's `env`, then DEBUG off
 * and the usual switches of settings that pick a production mode, and a
 * strong random SECRET_KEY (masked), since a test key would fail the check.
 */
function productionEnvironment(env) {
    const secret = (0,external_node_crypto_.randomBytes)(48).toString('base64url');
    (0,src/* maskSecret */.$l)(secret);
    return {
        ...env,
        DEBUG: 'False',
        DJANGO_DEBUG: 'False',
        DJANGO_ENV: 'production',
        DJANGO_ENVIRONMENT: 'production',
        ENVIRONMENT: 'production',
        SECRET_KEY: secret,
        DJANGO_SECRET_KEY: secret
    };
}
const lastLine = (text) => text.trim().split('\n').pop()?.trim() ?? '';
async function runDeployCheck(options) {
    const result = await (0,src/* exec */.m0)(options.python, ['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'], {
        cwd: options.projectDir,
        env: productionEnvironment(options.env),
        silent: true
    });
    const output = result.stdout + result.stderr;
    const findings = parseCheckOutput(output);
    const settingsSource = options.settingsFile
        ? external_node_fs_.readFileSync(options.settingsFile, 'utf8')
        : undefined;
    for (const finding of findings) {
        if (!options.settingsFile || !settingsSource)
            continue;
        finding.file = external_node_path_.relative(options.projectDir, options.settingsFile);
        const setting = /\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|DEBUG)\b/.exec(finding.message)?.[1];
        finding.line =
            (setting ? lineAssigning(settingsSource, setting) : undefined) ?? 1;
    }
    const problem = result.exitCode !== 0 && findings.length === 0
        ? `manage.py check --deploy could not run (exit code ${result.exitCode}): ${lastLine(result.stderr || result.stdout)}`
        : undefined;
    return { findings, problem, output };
}
/** Missing migrations from `makemigrations --check --dry-run` output. */
function parseMakemigrations(output) {
    const missing = [];
    let current;
    for (const line of output.split(/\r?\n/)) {
        const app = /^Migrations for '([\w.]+)':/.exec(line);
        if (app) {
            current = { app: app[1], migration: '', operations: [] };
            missing.push(current);
            continue;
        }
        if (!current)
            continue;
        const migration = /^\s+(\S+\.py)\s*$/.exec(line);
        if (migration && !current.migration) {
            current.migration = migration[1];
            continue;
        }
        const operation = /^\s+[-+~]\s+(.*)$/.exec(line);
        if (operation)
            current.operations.push(operation[1].trim());
    }
    return missing;
}
/** The model an operation like `Add field sku to product` or `Create model Tag` concerns. */
function modelOf(operation) {
    return (/ (?:to|on|from) (\w+)$/.exec(operation)?.[1] ??
        /^(?:Create|Delete|Rename) model (\w+)/i.exec(operation)?.[1] ??
        /(?:model|for) (\w+)/.exec(operation)?.[1]);
}
function locate(projectDir, missing) {
    const migrationDir = missing.migration
        ? external_node_path_.dirname(external_node_path_.dirname(missing.migration))
        : missing.app;
    const models = external_node_path_.join(projectDir, migrationDir, 'models.py');
    if (!external_node_fs_.existsSync(models))
        return;
    missing.file = external_node_path_.relative(projectDir, models);
    const source = external_node_fs_.readFileSync(models, 'utf8').split('\n');
    const model = missing.operations.map(modelOf).find(Boolean);
    const index = model
        ? source.findIndex((l) => new RegExp(`^class ${model}\\b`, 'i').test(l.trim()))
        : -1;
    missing.line = index === -1 ? 1 : index + 1;
}
async function runMigrationsCheck(options) {
    const result = await (0,src/* exec */.m0)(options.python, ['manage.py', 'makemigrations', '--check', '--dry-run', '--noinput'], { cwd: options.projectDir, env: options.env, silent: true });
    const output = result.stdout + result.stderr;
    const missing = parseMakemigrations(result.stdout);
    for (const m of missing)
        locate(options.projectDir, m);
    const problem = result.exitCode !== 0 && missing.length === 0
        ? `manage.py makemigrations --check could not run (exit code ${result.exitCode}): ${lastLine(result.stderr || result.stdout)}`
        : undefined;
    return { missing, problem, output };
}

// EXTERNAL MODULE: ./src/input-helper.ts
var input_helper = __webpack_require__(5367);
;// CONCATENATED MODULE: ./src/lanes.ts
/**
 * The checks that run beside the tests (flake8, `check --deploy`,
 * `makemigrations --check`) take a fraction of the tests' time. Started all
 * at once they compete with the tests' own start-up for the runner's few
 * cores and lengthen the run; queued in lanes that leave one core to the
 * tests, they finish within the tests' time without slowing them.
 */

/** A queue that runs at most `lanes` tasks at a time, in the order given. */
function createLanes(lanes) {
    let running = 0;
    const waiting = [];
    const release = () => {
        running--;
        waiting.shift()?.();
    };
    return async (task) => {
        if (running >= lanes) {
            await new Promise((resolve) => waiting.push(resolve));
        }
        running++;
        try {
            return await task();
        }
        finally {
            release();
        }
    };
}
/** Lanes for the checks beside the tests: every core but the tests' own, at least one. */
function sideLanes(cores = external_node_os_.availableParallelism()) {
    return Math.max(1, cores - 1);
}

;// CONCATENATED MODULE: ./src/lint.ts
/**
 * flake8 with the project's own configuration. flake8 reads `setup.cfg`,
 * `tox.ini` and `.flake8` itself; a `[tool.flake8]` table in pyproject.toml,
 * which flake8 ignores, is translated into an INI file passed with
 * `--config` (relative paths in it made absolute, since flake8 resolves them
 * against the configuration file's directory).
 */




/** Options whose values are paths (resolved by flake8 relative to the config file). */
const PATH_OPTIONS = new Set([
    'exclude',
    'extend-exclude',
    'filename',
    'per-file-ignores',
    'extend-per-file-ignores'
]);
function iniValue(value) {
    if (Array.isArray(value))
        return value.map(iniValue).join(',\n    ');
    if (typeof value === 'boolean')
        return value ? 'true' : 'false';
    if (typeof value === 'string' || typeof value === 'number')
        return String(value);
    return JSON.stringify(value);
}
/** Makes the path-like items of a comma/newline list absolute under `dir`. */
function absolutePaths(key, value, dir) {
    if (!PATH_OPTIONS.has(key))
        return value;
    return value
        .split(/(,|\n)/)
        .map((item) => {
        const trimmed = item.trim();
        if (!trimmed || trimmed === ',' || !trimmed.includes('/'))
            return item;
        let absolute = trimmed;
        if (key.endsWith('per-file-ignores')) {
            const [pattern, ...codes] = trimmed.split(':');
            if (pattern.includes('/') && !external_node_path_.isAbsolute(pattern)) {
                absolute = `${external_node_path_.join(dir, pattern)}:${codes.join(':')}`;
            }
        }
        else if (!external_node_path_.isAbsolute(trimmed)) {
            absolute = external_node_path_.join(dir, trimmed);
        }
        return item.replace(trimmed, absolute);
    })
        .join('');
}
/** An INI `[flake8]` section equivalent to a pyproject `[tool.flake8]` table. */
function flake8IniFromToml(table, projectDir) {
    const lines = ['[flake8]'];
    for (const [rawKey, rawValue] of Object.entries(table)) {
        const key = rawKey.replace(/_/g, '-');
        const value = absolutePaths(key, iniValue(rawValue), projectDir);
        lines.push(`${key} = ${value}`);
    }
    return lines.join('\n') + '\n';
}
/** Which of flake8's own files configures it, if any, and its text. */
function readNativeFlake8Config(dir) {
    for (const name of ['setup.cfg', 'tox.ini', '.flake8']) {
        try {
            const text = external_node_fs_.readFileSync(external_node_path_.join(dir, name), 'utf8');
            if (/^\[flake8(:local-plugins)?\]/m.test(text))
                return { name, text };
        }
        catch {
            // not there
        }
    }
    return undefined;
}
/** Which of flake8's own files configures it, if any. */
function nativeFlake8Config(dir) {
    return readNativeFlake8Config(dir)?.name;
}
/** Whether an INI text's `[flake8]` section sets `jobs` (option names are case-insensitive, as configparser reads them). */
function iniSetsJobs(text) {
    const section = /^\[flake8\][^\S\n]*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(text);
    return (section !== null && /^[^\S\n]*jobs[^\S\n]*[=:]/im.test(section[1] ?? ''));
}
/**
 * flake8's `--jobs` when the project leaves it to us: every core but one,
 * since lint runs beside the tests (flake8's own default, every core, takes
 * CPU from the test process on a two-core runner).
 */
function lintJobs(cores) {
    return Math.max(1, cores - 1);
}
const FINDING = /^(.+?):(\d+):(\d+): ([A-Z]+\d+) (.*)$/;
function parseFlake8Output(output) {
    const findings = [];
    for (const line of output.split(/\r?\n/)) {
        const match = FINDING.exec(line);
        if (!match)
            continue;
        findings.push({
            file: external_node_path_.normalize(match[1]),
            line: Number(match[2]),
            column: Number(match[3]),
            code: match[4],
            message: match[5]
        });
    }
    return findings;
}
async function runFlake8(options) {
    const args = ['-m', 'flake8'];
    for (const dir of options.exclude ?? [])
        args.push('--extend-exclude', dir);
    const nativeFile = readNativeFlake8Config(options.projectDir);
    const native = nativeFile?.name;
    let config = native ?? 'flake8 defaults';
    const jobsSet = nativeFile
        ? iniSetsJobs(nativeFile.text)
        : Object.keys(options.pyprojectFlake8 ?? {}).includes('jobs');
    if (!jobsSet)
        args.push('--jobs', String(lintJobs(options.cores ?? external_node_os_.availableParallelism())));
    if (!native && options.pyprojectFlake8) {
        const file = external_node_path_.join(options.workDir, 'flake8-from-pyproject.ini');
        external_node_fs_.writeFileSync(file, flake8IniFromToml(options.pyprojectFlake8, options.projectDir));
        args.push('--config', file);
        config = 'pyproject.toml [tool.flake8]';
    }
    args.push('--format', '%(path)s:%(row)d:%(col)d: %(code)s %(text)s', '.');
    const result = await (0,src/* exec */.m0)(options.python, args, {
        cwd: options.projectDir,
        silent: true
    });
    const output = result.stdout + result.stderr;
    const findings = parseFlake8Output(result.stdout);
    const crashed = result.exitCode !== 0 && findings.length === 0
        ? `flake8 exited with code ${result.exitCode}: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`
        : undefined;
    return { config, findings, crashed, output };
}

;// CONCATENATED MODULE: ./src/summary.ts
/**
 * The job summary of a ci-test run: a results table, the failing tests,
 * coverage per file (worst first, with a bar), lint findings and the
 * production checks.
 */

/** How many rows a list in the summary shows before saying how many more. */
const ROWS = 50;
/** A ten-cell bar for a percentage. */
function bar(percent) {
    const full = Math.max(0, Math.min(10, Math.round(percent / 10)));
    return '█'.repeat(full) + '░'.repeat(10 - full);
}
const mark = (ok) => ok === undefined ? '➖' : ok ? '✅' : '❌';
function more(total) {
    return total > ROWS ? `\n\n_…and ${total - ROWS} more._` : '';
}
/**
 * The results table's rows, one per check: the job summary's (`detailed`:
 * flake8's configuration, and which input switched a check off) and the
 * pull-request comment's.
 */
function resultRows(report, detailed) {
    const { tests, lint, deploy, migrations, threshold } = report;
    const coverage = tests.coverage;
    const testsOk = !tests.problem &&
        tests.exitCode === 0 &&
        tests.counts.failures + tests.counts.errors === 0;
    const notRun = (input) => detailed ? `not run (\`${input}\`)` : 'not run';
    return [
        [
            mark(testsOk),
            `tests (${tests.runner})`,
            tests.problem ??
                `${tests.counts.tests} run, ${tests.counts.failures} failed, ${tests.counts.errors} errors, ${tests.counts.skipped} skipped`
        ],
        [
            mark(coverage ? Number(coverage.display) >= threshold : false),
            'coverage (branch)',
            coverage
                ? `${coverage.display}% (threshold ${threshold}%)`
                : tests.coverageProblem
                    ? 'coverage.py could not write its report'
                    : 'no coverage data'
        ],
        [
            mark(lint ? lint.findings.length === 0 && !lint.crashed : undefined),
            'flake8',
            lint
                ? (lint.crashed ??
                    `${lint.findings.length} finding(s)` +
                        (detailed ? ` (configuration: ${lint.config})` : ''))
                : notRun('lint: none')
        ],
        [
            mark(deploy ? deploy.findings.length === 0 && !deploy.problem : undefined),
            'check --deploy',
            deploy
                ? (deploy.problem ?? `${deploy.findings.length} issue(s)`)
                : notRun('deploy-check: false')
        ],
        [
            mark(migrations
                ? migrations.missing.length === 0 && !migrations.problem
                : undefined),
            'missing migrations',
            migrations
                ? (migrations.problem ??
                    (migrations.missing.length === 0
                        ? 'none'
                        : migrations.missing.map((m) => m.app).join(', ')))
                : notRun('migrations-check: false')
        ]
    ];
}
function summaryMarkdown(report) {
    const { tests, lint, deploy, migrations } = report;
    const coverage = tests.coverage;
    const rows = resultRows(report, true);
    const sections = [
        `## ci-test: ${report.reasons.length === 0 ? 'passed' : 'failed'}`,
        `Project \`${report.project}\`, Python ${report.pythonVersion}, ${report.environment}.`,
        (0,src/* table */.tp)(['', 'check', 'result'], rows)
    ];
    if (report.reasons.length > 0) {
        sections.push('### Why it failed', report.reasons.map((r) => `- ${r}`).join('\n'));
    }
    const failing = tests.cases.filter((c) => c.outcome === 'failure' || c.outcome === 'error');
    if (failing.length > 0) {
        sections.push('### Failing tests', (0,src/* table */.tp)(['test', 'where', 'message'], failing
            .slice(0, ROWS)
            .map((c) => [
            `${c.classname}.${c.name}`,
            c.file ? `${c.file}${c.line ? `:${c.line}` : ''}` : '',
            c.message.slice(0, 300)
        ])) + more(failing.length));
    }
    if (coverage) {
        sections.push('### Coverage per file', (0,src/* details */.zH)(`${coverage.files.length} file(s), worst first`, (0,src/* table */.tp)(['file', 'coverage', '', 'missing lines', 'missing branches'], coverage.files
            .slice(0, ROWS)
            .map((f) => [
            f.file,
            `${f.percent.toFixed(1)}%`,
            bar(f.percent),
            f.missing,
            f.missingBranches
        ])) + more(coverage.files.length)));
    }
    if (lint && lint.findings.length > 0) {
        sections.push('### Lint findings', (0,src/* table */.tp)(['where', 'code', 'message'], lint.findings
            .slice(0, ROWS)
            .map((f) => [`${f.file}:${f.line}:${f.column}`, f.code, f.message])) + more(lint.findings.length));
    }
    if (deploy || migrations) {
        const lines = [];
        for (const f of deploy?.findings ?? []) {
            lines.push(`- \`${f.id}\` ${f.message}${f.hint ? ` _Hint: ${f.hint}_` : ''}`);
        }
        for (const m of migrations?.missing ?? []) {
            lines.push(`- missing migration for \`${m.app}\` (${m.migration}): ${m.operations.join('; ')}`);
        }
        if (deploy?.problem)
            lines.push(`- ${deploy.problem}`);
        if (migrations?.problem)
            lines.push(`- ${migrations.problem}`);
        sections.push('### Production checks', lines.length > 0 ? lines.join('\n') : 'No issues.');
        const output = [
            deploy?.problem ? deploy.output : '',
            migrations?.problem ? migrations.output : ''
        ]
            .filter(Boolean)
            .join('\n');
        if (output)
            sections.push((0,src/* details */.zH)('Output', (0,src/* codeBlock */.DV)(output.slice(-5000))));
    }
    const overflow = report.annotator.overflowMarkdown();
    if (overflow)
        sections.push(overflow);
    return sections.join('\n\n');
}

;// CONCATENATED MODULE: ./src/pr-comment.ts
/**
 * One coverage comment on the pull request, kept up to date: a hidden marker
 * (one per project directory) finds the comment an earlier run wrote, which
 * is then edited rather than added again.
 *
 * The comment is not a check: when GitHub does not allow it (a fork's
 * read-only token, 403, 404) it is skipped with one line in the log, and any
 * other problem is a warning, never a failure of the step. `@actions/github`
 * is loaded only when a comment is to be written, so that other runs start
 * without it.
 */




/** The names of the inputs this module reads, as action.yml declares them. */
const CommentInput = {
    GithubToken: 'github-token',
    Comment: 'comment'
};
const COMMENT_MODES = [
    'auto',
    'always',
    'never'
];
/** The events whose pull request `auto` comments on. */
const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target']);
/** How many of the worst-covered files the comment lists. */
const WORST_FILES = 5;
/** GitHub's limit on a comment's body, in characters. */
const BODY_LIMIT = 65_536;
/**
 * Reads and validates `comment` and `github-token` (masked at once). With
 * `comment: always` a token is required.
 */
function getCommentInputs() {
    const token = (0,src/* getString */.AA)(CommentInput.GithubToken, { secret: true });
    const mode = (0,src/* getEnum */.GV)(CommentInput.Comment, COMMENT_MODES, {
        default: 'auto'
    });
    if (mode === 'always' && !token) {
        throw (0,src/* missingInput */.fV)(CommentInput.GithubToken, 'a token allowed to write pull-request comments (`pull-requests: write`), usually `${{ github.token }}`', '`comment` is `always`');
    }
    return { mode, token };
}
/** The hidden first line that identifies the comment of one project. */
function commentMarker(project) {
    return `<!-- shipyard:ci-test:${project.replace(/--/g, '- -')} -->`;
}
/** The Actions run this job belongs to, when the environment says. */
function runUrl(env = process.env) {
    const server = env['GITHUB_SERVER_URL'] || 'https://github.com';
    const repo = env['GITHUB_REPOSITORY'];
    const run = env['GITHUB_RUN_ID'];
    return repo && run ? `${server}/${repo}/actions/runs/${run}` : undefined;
}
function footer(context) {
    const parts = [
        context.runUrl ? `[Details in the run](${context.runUrl})` : '',
        context.sha ? `commit ${context.sha.slice(0, 7)}` : '',
        'updated by shipyard ci-test on every run'
    ].filter(Boolean);
    return `<sub>${parts.join(' · ')}</sub>`;
}
function limited(markdown) {
    const body = (0,src/* scrub */._I)(markdown);
    return body.length > BODY_LIMIT
        ? `${body.slice(0, BODY_LIMIT - 100)}\n\n_…cut short._`
        : body;
}
/** The comment's Markdown: the marker first, then the results. */
function commentMarkdown(report, context = {}) {
    if ('failure' in report) {
        return limited([
            commentMarker(report.project),
            `### ❌ ci-test failed: \`${report.project}\``,
            report.failure.slice(0, 2000),
            footer(context)
        ].join('\n\n'));
    }
    const coverage = report.tests.coverage;
    const passed = report.reasons.length === 0;
    const rows = resultRows(report, false);
    const sections = [
        commentMarker(report.project),
        `### ${passed ? '✅' : '❌'} ci-test ${passed ? 'passed' : 'failed'}: \`${report.project}\``,
        (0,src/* table */.tp)(['', 'check', 'result'], rows)
    ];
    if (!passed) {
        sections.push('**Why it failed**\n\n' +
            report.reasons.map((r) => `- ${r.slice(0, 500)}`).join('\n'));
    }
    const worst = (coverage?.files ?? [])
        .filter((f) => f.percent < 100)
        .sort((a, b) => a.percent - b.percent)
        .slice(0, WORST_FILES);
    if (worst.length > 0) {
        sections.push('**Least covered files**\n\n' +
            (0,src/* table */.tp)(['file', 'coverage', 'missing lines', 'missing branches'], worst.map((f) => [
                `\`${f.file}\``,
                `${f.percent.toFixed(1)}%`,
                f.missing,
                f.missingBranches
            ])));
    }
    sections.push(footer(context));
    return limited(sections.join('\n\n'));
}
function readPayload(env) {
    const file = env['GITHUB_EVENT_PATH'];
    if (!file)
        return {};
    try {
        const payload = JSON.parse(external_node_fs_.readFileSync(file, 'utf8'));
        return payload && typeof payload === 'object'
            ? payload
            : {};
    }
    catch (error) {
        core/* debug */.Yz(`The event payload could not be read: ${(0,src/* errorMessage */.gJ)(error)}`);
        return {};
    }
}
/**
 * Decides from the event (GITHUB_EVENT_NAME, the payload at
 * GITHUB_EVENT_PATH) whether, and on which pull request, to comment.
 *
 * `auto`: on `pull_request` and `pull_request_target` events, except a
 * `pull_request` from a fork, whose token is read-only. `always`: on any
 * event that carries a pull request, forks included. `never`: never.
 */
function commentTarget(inputs, env = process.env) {
    if (inputs.mode === 'never')
        return { skip: '`comment` is `never`', quiet: true };
    const event = env['GITHUB_EVENT_NAME'] ?? '';
    if (inputs.mode === 'auto' && !PULL_REQUEST_EVENTS.has(event))
        return { skip: `the event is not a pull request (${event})`, quiet: true };
    if (!inputs.token)
        return { skip: 'no `github-token` was given' };
    const payload = readPayload(env);
    const pr = typeof payload['pull_request'] === 'object' && payload['pull_request']
        ? payload['pull_request']
        : undefined;
    // `issue_comment` and similar events carry the pull request as an issue.
    const issue = payload['issue'];
    const number = pr?.number ?? (issue?.pull_request ? issue.number : undefined);
    if (typeof number !== 'number' || !Number.isInteger(number) || number < 1)
        return { skip: `the ${event || 'run'} event carries no pull request` };
    const fullName = env['GITHUB_REPOSITORY'] ||
        payload['repository']?.full_name;
    const [owner, repo] = typeof fullName === 'string' ? fullName.split('/') : [];
    if (!owner || !repo)
        return { skip: 'GITHUB_REPOSITORY does not name the repository' };
    const head = pr?.head?.repo?.full_name;
    const base = pr?.base?.repo?.full_name ?? fullName;
    const fork = typeof head !== 'string' ||
        typeof base !== 'string' ||
        head.toLowerCase() !== base.toLowerCase();
    if (fork && inputs.mode === 'auto' && event === 'pull_request') {
        return {
            skip: `pull request #${number} comes from a fork, whose token may not write comments`
        };
    }
    const sha = typeof pr?.head?.sha === 'string' ? pr.head.sha : undefined;
    return { owner, repo, number, sha };
}
/**
 * Creates or edits the pull request's coverage comment. Never throws: a
 * refusal is one info line, any other problem a warning.
 */
async function updatePullRequestComment(inputs, report, env = process.env) {
    const target = commentTarget(inputs, env);
    if ('skip' in target) {
        const line = `No coverage comment: ${target.skip}.`;
        if (target.quiet)
            core/* debug */.Yz(line);
        else
            core/* info */.pq(line);
        return { action: 'skipped', reason: target.skip };
    }
    const { owner, repo, number } = target;
    (0,src/* maskSecret */.$l)(inputs.token);
    const where = `${owner}/${repo}#${number}`;
    try {
        const body = commentMarkdown(report, {
            runUrl: runUrl(env),
            sha: target.sha
        });
        const marker = commentMarker(report.project);
        const { getOctokit } = await Promise.all(/* import() */[__webpack_require__.e(31), __webpack_require__.e(329)]).then(__webpack_require__.bind(__webpack_require__, 1329));
        const octokit = getOctokit(inputs.token, {
            baseUrl: env['GITHUB_API_URL'] || 'https://api.github.com'
        });
        let existing;
        const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
            owner,
            repo,
            issue_number: number,
            per_page: 100
        });
        for await (const page of pages) {
            existing = page.data.find((c) => c.body?.trimStart().startsWith(marker));
            if (existing)
                break;
        }
        if (existing?.body === body) {
            core/* info */.pq(`Coverage comment unchanged: ${existing.html_url}`);
            return { action: 'unchanged', id: existing.id, url: existing.html_url };
        }
        if (existing) {
            const { data } = await octokit.rest.issues.updateComment({
                owner,
                repo,
                comment_id: existing.id,
                body
            });
            core/* info */.pq(`Coverage comment updated: ${data.html_url}`);
            return { action: 'updated', id: data.id, url: data.html_url };
        }
        const { data } = await octokit.rest.issues.createComment({
            owner,
            repo,
            issue_number: number,
            body
        });
        core/* info */.pq(`Coverage comment added: ${data.html_url}`);
        return { action: 'created', id: data.id, url: data.html_url };
    }
    catch (error) {
        const { status, response } = error;
        const rateLimited = response?.headers?.['x-ratelimit-remaining'] === '0';
        const reason = ((0,src/* scrub */._I)((0,src/* errorMessage */.gJ)(error)).split('\n')[0] ?? '').slice(0, 300);
        if ((status === 403 && !rateLimited) || status === 404) {
            core/* info */.pq(`No coverage comment on ${where}: GitHub answered ${status} (${reason}); the token needs \`pull-requests: write\`.`);
            return { action: 'skipped', reason: `GitHub answered ${status}` };
        }
        core/* warning */.$e(`The coverage comment on ${where} could not be written: ${reason}. The tests' result is not affected.`);
        return { action: 'failed', reason };
    }
}

;// CONCATENATED MODULE: ./src/project-finder.ts
/**
 * What ci-test learns from the project's files before running anything: its
 * settings module (and the file that holds it), the requirement files it
 * ships, and whether it configures pytest.
 */



const SETTINGS_IN_MANAGE_PY = /environ\.setdefault\(\s*["']DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']\s*\)/;
/** The settings module `manage.py` sets with `os.environ.setdefault`. */
function settingsFromManagePy(source) {
    return SETTINGS_IN_MANAGE_PY.exec(source)?.[1];
}
/** `a.b.settings` → `a/b/settings.py` or `a/b/settings/__init__.py` under `dir`. */
function settingsFile(dir, module) {
    const base = external_node_path_.join(dir, ...module.split('.'));
    for (const candidate of [`${base}.py`, external_node_path_.join(base, '__init__.py')]) {
        if ((0,src/* isFile */.fo)(candidate))
            return candidate;
    }
    return undefined;
}
function describeProject(dir, djangoSettings) {
    const managePy = external_node_fs_.readFileSync(external_node_path_.join(dir, 'manage.py'), 'utf8');
    const settingsModule = djangoSettings ?? settingsFromManagePy(managePy);
    return {
        dir,
        settingsModule,
        settingsFile: settingsModule ? settingsFile(dir, settingsModule) : undefined
    };
}
/**
 * The requirement files of a project when the `requirements` input is empty:
 * every `requirements*.txt` (and those in a `requirements/` folder), else a
 * `pyproject.toml` that declares dependencies (PEP 621 or Poetry), else a
 * `Pipfile`. `declaresDependencies` tells whether a pyproject.toml does.
 */
function detectRequirementFiles(dir, declaresDependencies) {
    const names = (folder) => {
        try {
            return external_node_fs_.readdirSync(folder).sort();
        }
        catch {
            return [];
        }
    };
    const txt = names(dir)
        .filter((n) => /^requirements.*\.txt$/i.test(n))
        .map((n) => external_node_path_.join(dir, n));
    const folder = external_node_path_.join(dir, 'requirements');
    txt.push(...names(folder)
        .filter((n) => n.endsWith('.txt'))
        .map((n) => external_node_path_.join(folder, n)));
    const found = txt.filter(src/* isFile */.fo);
    if (found.length > 0)
        return found;
    const pyproject = external_node_path_.join(dir, 'pyproject.toml');
    if ((0,src/* isFile */.fo)(pyproject) && declaresDependencies(pyproject))
        return [pyproject];
    const pipfile = external_node_path_.join(dir, 'Pipfile');
    if ((0,src/* isFile */.fo)(pipfile))
        return [pipfile];
    return [];
}
/** Whether the project configures pytest in one of the files pytest reads. */
function configuresPytest(dir, pyprojectData) {
    const read = (name) => {
        try {
            return external_node_fs_.readFileSync(external_node_path_.join(dir, name), 'utf8');
        }
        catch {
            return '';
        }
    };
    if ((0,src/* isFile */.fo)(external_node_path_.join(dir, 'pytest.ini')))
        return true;
    if ((0,src/* isFile */.fo)(external_node_path_.join(dir, 'conftest.py')))
        return true;
    if (/^\[(tool:)?pytest\]/m.test(read('setup.cfg')))
        return true;
    if (/^\[pytest\]/m.test(read('tox.ini')))
        return true;
    const tool = pyprojectData?.['tool'];
    return tool?.['pytest'] !== undefined;
}

;// CONCATENATED MODULE: ./src/github-cache.ts
/**
 * Built environments kept in the GitHub Actions cache service, when the
 * runner offers it (GitHub-hosted runners do: `ACTIONS_RESULTS_URL` and
 * `ACTIONS_RUNTIME_TOKEN`, with `ACTIONS_CACHE_SERVICE_V2`), through
 * @actions/cache. @actions/cache is loaded only then, with a dynamic
 * `import()`, so that a run without the service does not pay for loading it.
 *
 * The service is an optimisation: every failure of it (server errors, an
 * unreachable service, another job saving the same key) is a warning and the
 * run goes on with a local build.
 *
 * An entry is found by its key and by a "version", which @actions/cache
 * derives from the cached paths as given. So that an environment saved under
 * one cache directory restores under any other, the path is given relative
 * (the environment's own directory name) and @actions/cache works in the
 * directory that holds it: its archive's entries are relative to that
 * directory too.
 */



/** The cache key of an environment: platform, architecture and our key (Python version and requirements hash). */
function githubCacheKey(key) {
    return `shipyard-ci-test-venv-${process.platform}-${process.arch}-${key}`;
}
/**
 * Whether the runner's environment names a cache service at all; cheap, no
 * import. @actions/cache's own `isFeatureAvailable()` decides after that.
 */
function serviceConfigured(env = process.env) {
    return Boolean((env['ACTIONS_RESULTS_URL'] || env['ACTIONS_CACHE_URL']) &&
        env['ACTIONS_RUNTIME_TOKEN']);
}
let loaded;
/** @actions/cache when the runner offers the service, else `undefined`. */
function cacheService() {
    if (!serviceConfigured())
        return Promise.resolve(undefined);
    loaded ??= Promise.all(/* import() */[__webpack_require__.e(31), __webpack_require__.e(292)]).then(__webpack_require__.bind(__webpack_require__, 8292)).then((module) => (module.isFeatureAvailable() ? module : undefined), (error) => {
        core/* warning */.$e(`The GitHub cache client could not be loaded: ${(0,src/* errorMessage */.gJ)(error)}`);
        return undefined;
    });
    return loaded;
}
/**
 * Runs `fn` with the current directory and GITHUB_WORKSPACE set to `dir`
 * (where @actions/cache resolves relative paths and roots its archives),
 * then puts both back. Nothing else runs meanwhile: the environment is
 * prepared before any other phase starts.
 */
async function inDirectory(dir, fn) {
    const cwd = process.cwd();
    const workspace = process.env['GITHUB_WORKSPACE'];
    process.chdir(dir);
    process.env['GITHUB_WORKSPACE'] = dir;
    try {
        return await fn();
    }
    finally {
        process.chdir(cwd);
        if (workspace === undefined)
            delete process.env['GITHUB_WORKSPACE'];
        else
            process.env['GITHUB_WORKSPACE'] = workspace;
    }
}
/**
 * Restores the environment `name` (a directory name) into `parent`, i.e. to
 * `parent/name`. Returns whether it was found and restored.
 */
async function restoreFromGitHub(cache, parent, name, key) {
    try {
        const hit = await inDirectory(parent, () => cache.restoreCache([name], key));
        return hit === key;
    }
    catch (error) {
        core/* warning */.$e(`The GitHub cache could not be read (key ${key}): ${(0,src/* errorMessage */.gJ)(error)}`);
        return false;
    }
}
/** Saves the environment at `dir` under `key`. Returns whether it was saved. */
async function saveToGitHub(cache, dir, key) {
    let id = -1;
    try {
        id = await inDirectory(external_node_path_.dirname(dir), () => cache.saveCache([external_node_path_.basename(dir)], key));
    }
    catch (error) {
        core/* warning */.$e(`The environment could not be saved to the GitHub cache (key ${key}): ${(0,src/* errorMessage */.gJ)(error)}`);
        return false;
    }
    if (id === -1) {
        core/* warning */.$e(`The environment was not saved to the GitHub cache (key ${key}; see above why). The next run builds it again unless another job saved it.`);
        return false;
    }
    core/* info */.pq(`Saved the environment to the GitHub cache (key ${key}).`);
    return true;
}

;// CONCATENATED MODULE: ./src/python-scripts.ts
/**
 * The small Python programs ci-test runs, kept here as text so that the
 * bundle stays one file: they are written to the run's work directory and
 * run with the interpreter they are meant for. Their file names start with
 * `shipyard_`: a script's directory comes first on sys.path, so a name like
 * `inspect.py` would shadow the standard module of that name.
 */
/**
 * Run with the base interpreter before any environment exists, with `-S`
 * (no site-packages, none of their .pth files: the start-up is a fraction
 * of a normal one, and a warm run pays it every time): prints, as one JSON
 * object, the interpreter's version and real path, and the TOML files asked
 * for (`pyproject.toml`, `Pipfile`) as plain data. `tomllib` is standard
 * from Python 3.11; older interpreters load their site-packages after all,
 * for the copy pip vendors. The base pip's version is asked separately, and
 * only when an environment is built (`PIP_VERSION_PY`).
 */
const INSPECT_PY = `
import json
import platform
import sys

try:
    import tomllib
except ImportError:  # Python < 3.11
    import site

    site.main()
    from pip._vendor import tomli as tomllib

result = {
    "version": "%d.%d.%d" % sys.version_info[:3],
    "implementation": platform.python_implementation(),
    "machine": platform.machine(),
    "executable": sys.executable,
    "toml": {},
}
for path in sys.argv[1:]:
    try:
        with open(path, "rb") as handle:
            result["toml"][path] = {"data": tomllib.load(handle)}
    except Exception as error:  # reported by the caller, with the file's name
        result["toml"][path] = {"error": "%s: %s" % (type(error).__name__, error)}
print(json.dumps(result, default=str))
`;
/** Prints the base interpreter's pip version, or nothing when it has no pip. */
const PIP_VERSION_PY = `
try:
    import pip
except ImportError:
    pass
else:
    print(pip.__version__)
`;
/**
 * A Django test runner (`manage.py test --testrunner …`) that also writes a
 * JUnit XML report, since Django's own runner writes none. Each test case
 * carries the file and line where it failed (the innermost frame in the
 * test's own module), so that the failure can be annotated there.
 */
const DJANGO_JUNIT_RUNNER_PY = `
import os
import sys
import time
import traceback
import unittest
from xml.sax.saxutils import quoteattr, escape

from django.test.runner import DiscoverRunner

REPORT = os.environ["SHIPYARD_JUNIT_FILE"]


def _where(test, tb):
    module = sys.modules.get(type(test).__module__)
    wanted = os.path.abspath(getattr(module, "__file__", "") or "")
    found = None
    for frame, line in traceback.walk_tb(tb):
        if os.path.abspath(frame.f_code.co_filename) == wanted:
            found = (wanted, line)
    return found


class JUnitResult(unittest.TextTestResult):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cases = []
        self._started = {}

    def startTest(self, test):
        self._started[test.id()] = time.monotonic()
        super().startTest(test)

    def _record(self, test, outcome=None, err=None, text=""):
        started = self._started.pop(test.id(), time.monotonic())
        case = {
            "test": test,
            "time": time.monotonic() - started,
            "outcome": outcome,
            "text": text,
            "message": "",
            "where": None,
        }
        if err is not None:
            kind, value, tb = err
            case["message"] = "%s: %s" % (kind.__name__, value)
            case["text"] = "".join(traceback.format_exception(kind, value, tb))
            case["where"] = _where(test, tb)
        self.cases.append(case)

    def addSuccess(self, test):
        super().addSuccess(test)
        self._record(test)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._record(test, "failure", err)

    def addError(self, test, err):
        super().addError(test, err)
        self._record(test, "error", err)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._record(test, "skipped", text=reason)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._record(test)

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._record(test, "failure", text="unexpected success")

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            outcome = "failure" if issubclass(err[0], test.failureException) else "error"
            self._record(subtest, outcome, err)

    def write(self, path):
        counts = {"failure": 0, "error": 0, "skipped": 0}
        rows = []
        for case in self.cases:
            test = case["test"]
            ident = test.id()
            name = ident.rsplit(".", 1)[-1] if "." in ident else ident
            classname = ident.rsplit(".", 1)[0] if "." in ident else ""
            attrs = "classname=%s name=%s time=%s" % (
                quoteattr(classname), quoteattr(name), quoteattr("%.3f" % case["time"]))
            if case["where"]:
                attrs += " file=%s line=%s" % (
                    quoteattr(os.path.relpath(case["where"][0])), quoteattr(str(case["where"][1])))
            outcome = case["outcome"]
            if outcome is None:
                rows.append("<testcase %s />" % attrs)
                continue
            counts[outcome] += 1
            rows.append("<testcase %s><%s message=%s>%s</%s></testcase>" % (
                attrs, outcome, quoteattr(case["message"] or case["text"][:200]),
                escape(case["text"]), outcome))
        with open(path, "w", encoding="utf-8") as handle:
            handle.write('<?xml version="1.0" encoding="utf-8"?>\\n')
            handle.write(
                '<testsuites><testsuite name="django" tests="%d" failures="%d" errors="%d" skipped="%d">\\n'
                % (len(self.cases), counts["failure"], counts["error"], counts["skipped"]))
            handle.write("\\n".join(rows))
            handle.write("\\n</testsuite></testsuites>\\n")


class JUnitDiscoverRunner(DiscoverRunner):
    def get_resultclass(self):
        return JUnitResult

    def run_suite(self, suite, **kwargs):
        result = super().run_suite(suite, **kwargs)
        result.write(REPORT)
        return result
`;
/**
 * `coverage …` as `python -m coverage …` runs it (`coverage.cmdline.main`,
 * which replaces sys.path[0] with the project's directory as it does for its
 * own console script), then, with the data file written, creates the file
 * named by SHIPYARD_COVERAGE_SAVED before the process goes on to exit with
 * the tests' status. The reports can start at that signal.
 *
 * The exit itself is cut short. Python ends as usual (non-daemon threads
 * joined, then every atexit handler: the project's, logging's, Sentry's
 * flush), but the handler registered here first runs last and ends the
 * process with the tests' status (`os._exit`), after flushing the standard
 * streams. What it skips is the interpreter's teardown, which frees every
 * module and object one by one: 0.2–0.3 s after a Django test run, with no
 * effect but the time. When coverage.py did not return a status (an
 * exception escaped it), Python exits as usual.
 */
const COVERAGE_RUN_PY = `
import atexit
import os
import sys

status = None


def end_without_teardown():
    if status is None:
        return
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(status)


# Before anything else is imported: the first handler registered runs last.
atexit.register(end_without_teardown)

from coverage.cmdline import main  # noqa: E402

try:
    result = main(sys.argv[1:])
finally:
    saved = os.environ.get("SHIPYARD_COVERAGE_SAVED")
    if saved:
        open(saved, "w").close()
status = result if isinstance(result, int) else None
sys.exit(result)
`;
/**
 * Writes one of coverage.py's reports: `shipyard_coverage_reports.py KIND
 * OUTFILE SIGNAL_FILE`, KIND `json` or `xml`, the data file from
 * COVERAGE_FILE, the project's configuration from the current directory.
 * Two of them start while the tests run, one per report, so that Python,
 * coverage.py and the project's coverage configuration are loaded, and the
 * project's Python files parsed as the report will parse them (statements,
 * branches), by the time SIGNAL_FILE appears (the data file is written);
 * the two reports are then written side by side. Each gives up when its
 * parent (the action) is gone.
 *
 * A project with `parallel = true` leaves one data file per process
 * (`.coverage.<host>.<pid>.<random>`): the `json` process combines them
 * first, as `coverage combine` would, its `[paths]` applied, and then
 * creates `SIGNAL_FILE.combined` (at once when there is nothing to
 * combine), which the `xml` process waits for. Exits 3 when there is no
 * data, 1 when the report could not be written.
 */
const COVERAGE_REPORTS_PY = `
import glob
import os
import sys
import time

import coverage

kind, outfile, signal_file = sys.argv[1:4]
combined = signal_file + ".combined"
parent = os.getppid()


def wait_for(path):
    while not os.path.exists(path):
        if os.getppid() != parent:
            sys.exit(4)
        time.sleep(0.005)


def stamp(path):
    info = os.stat(path)
    return info.st_mtime_ns, info.st_size


def project_sources(limit=2000):
    """The project's Python files, environments and hidden folders left out."""
    for top, dirs, files in os.walk("."):
        dirs[:] = sorted(
            name
            for name in dirs
            if not name.startswith(".")
            and name not in ("__pycache__", "node_modules", "site-packages")
            and not os.path.exists(os.path.join(top, name, "pyvenv.cfg"))
        )
        for name in sorted(files):
            if name.endswith(".py"):
                if limit == 0:
                    return
                limit -= 1
                yield os.path.realpath(os.path.join(top, name))


def parse_ahead(cov, stop_file):
    """Parse the project's files as the report will, while the tests run.

    A report spends most of its time parsing each measured file (its
    statements and branches), which does not depend on the data. The parsers
    made here are handed to coverage.py's file reporters; a file that changed
    since, or that did not parse, is left to coverage.py. Stops as soon as
    stop_file appears, so it never delays the report.
    """
    try:
        from coverage.parser import PythonParser
        from coverage.python import PythonFileReporter

        original = PythonFileReporter.__dict__["parser"]
        exclude = cov._exclude_regex("exclude")
        if not isinstance(original, property) or original.fget is None:
            return
    except Exception:
        return
    parsed = {}

    def parser(self):
        if getattr(self, "_parser", None) is None:
            try:
                path = os.path.realpath(self.filename)
                ready = parsed.get(path)
                if ready is not None and ready[0] == stamp(path):
                    self._parser = ready[1]
            except Exception:
                pass
        return original.fget(self)

    PythonFileReporter.parser = property(parser)
    for path in project_sources():
        if os.path.exists(stop_file):
            return
        try:
            before = stamp(path)
            ahead = PythonParser(filename=path, exclude=exclude)
            ahead.parse_source()
            ahead.arcs()
            ahead.exit_counts()
        except Exception:
            continue
        parsed[path] = (before, ahead)


# The configuration is read, and the project's files parsed, while the
# tests still run; the data, after.
data_file = os.environ["COVERAGE_FILE"]
cov = coverage.Coverage(data_file=data_file)
parse_ahead(cov, signal_file)
wait_for(signal_file)
if kind == "json":
    try:
        if glob.glob(glob.escape(data_file) + ".*"):
            cov.combine(data_paths=[os.path.dirname(data_file)])
            cov.save()
    finally:
        open(combined, "w").close()
else:
    wait_for(combined)
if not os.path.exists(data_file):
    sys.exit(3)
cov.load()
try:
    getattr(cov, kind + "_report")(outfile=outfile)
except Exception as error:
    print("coverage %s report: %s" % (kind, error), file=sys.stderr)
    sys.exit(1)
`;

;// CONCATENATED MODULE: ./src/relocate.ts
/**
 * Moving a virtual environment. A venv names its own absolute path in a few
 * text files: the `#!` line of every script pip or uv installs in bin/ (or
 * the `exec` line of the `/bin/sh` launcher pip writes for long paths), the
 * activate scripts (`VIRTUAL_ENV`) and pyvenv.cfg (`command`). Built in a
 * temporary directory and renamed, or restored from the GitHub cache under
 * another directory, it works at its new place once those are rewritten.
 * Its interpreter links (bin/python → the base Python) do not name the
 * environment and stay as they are.
 */


/** The directory of scripts in an environment. */
const scriptsDir = (dir) => process.platform === 'win32'
    ? external_node_path_.join(dir, 'Scripts')
    : external_node_path_.join(dir, 'bin');
/** Where the environment at `dir` was made, as its activate script says. */
function recordedLocation(dir) {
    let text;
    try {
        text = external_node_fs_.readFileSync(external_node_path_.join(scriptsDir(dir), 'activate'), 'utf8');
    }
    catch {
        return undefined;
    }
    const match = /^\s*(?:export\s+)?VIRTUAL_ENV=(["']?)(.+?)\1\s*$/m.exec(text);
    return match?.[2];
}
const relocate_escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Files are only read up to this size: scripts, not binaries. */
const MAX_TEXT = 1024 * 1024;
/**
 * Rewrites the environment at `dir`, made at another path, to work at
 * `target` (its path once renamed; `dir` itself when it is already there).
 * Returns the files changed; nothing when it already names `target`.
 */
function relocateEnvironment(dir, target) {
    const from = recordedLocation(dir);
    if (!from || from === target)
        return [];
    // The old path, whole: not a longer path that starts with it.
    const pattern = new RegExp(`${relocate_escape(from)}(?=$|[\\\\/\\s"':;])`, 'g');
    const bin = scriptsDir(dir);
    const candidates = [
        external_node_path_.join(dir, 'pyvenv.cfg'),
        ...external_node_fs_.readdirSync(bin).map((name) => external_node_path_.join(bin, name))
    ];
    const changed = [];
    for (const file of candidates) {
        let stat;
        try {
            stat = external_node_fs_.lstatSync(file);
        }
        catch {
            continue;
        }
        if (!stat.isFile() || stat.size > MAX_TEXT)
            continue;
        const content = external_node_fs_.readFileSync(file);
        if (content.includes(0))
            continue;
        const text = content.toString('utf8');
        pattern.lastIndex = 0;
        if (!pattern.test(text))
            continue;
        // Written aside and renamed over it: a run using the script meanwhile
        // sees the old one or the new one, never half of one.
        const aside = `${file}.shipyard-${process.pid}`;
        external_node_fs_.writeFileSync(aside, text.replace(pattern, () => target), {
            mode: stat.mode
        });
        external_node_fs_.chmodSync(aside, stat.mode);
        external_node_fs_.renameSync(aside, file);
        changed.push(file);
    }
    return changed;
}

;// CONCATENATED MODULE: ./src/python-env.ts
/**
 * The project's Python environment: a virtual environment built with the
 * chosen interpreter, its requirements installed by pip or uv (chosen by
 * `createInstaller`), and kept in a local cache directory keyed on the
 * interpreter and the requirements, so that a second run with the same
 * requirements reuses it instead of installing anything.
 *
 * The cache is a plain directory (`cache-dir`; default the runner's tool
 * cache, else RUNNER_TEMP): on a self-hosted runner or in one job it persists
 * by itself. When the runner offers the GitHub cache service (hosted runners
 * do), an environment missing there is restored from it, and a new build is
 * saved to it (github-cache.ts). An environment is built or restored in a
 * temporary directory, made to work at its final path (relocate.ts) and
 * renamed into place only once complete, so a crash or a concurrent run never
 * leaves a half-built one for the next run.
 */








/** The command a `python` input stands for. */
async function resolveInterpreter(request) {
    const command = request.kind === 'version' ? `python${request.version}` : request.path;
    if (external_node_path_.isAbsolute(command))
        return command;
    const found = await (0,src/* which */.K7)(command);
    if (!found) {
        throw new src/* ConfigurationError */.j1(`Python ${request.kind === 'version' ? request.version : `'${command}'`} was not found on PATH. Set up Python first (actions/setup-python) or give 'python' an interpreter path.`);
    }
    return found;
}
/**
 * Runs the base interpreter once, without its site-packages: its version,
 * and the TOML files parsed (pyproject.toml, Pipfile), since Node has no
 * TOML parser of its own here.
 */
async function inspectPython(command, workDir, tomlFiles) {
    const script = external_node_path_.join(workDir, 'shipyard_inspect.py');
    external_node_fs_.writeFileSync(script, INSPECT_PY);
    const result = await (0,src/* exec */.m0)(command, ['-S', script, ...tomlFiles], {
        silent: true
    });
    if (result.exitCode !== 0) {
        throw new src/* ConfigurationError */.j1(`The Python interpreter ${command} does not run (exit code ${result.exitCode}): ${result.stderr.trim().split('\n').pop() ?? ''}`);
    }
    const parsed = JSON.parse(result.stdout);
    return { command, ...parsed };
}
/** Where environments are kept: `cache-dir`, else the tool cache, else RUNNER_TEMP. */
function defaultCacheDir() {
    const root = process.env['RUNNER_TOOL_CACHE'] ||
        process.env['RUNNER_TEMP'] ||
        external_node_os_.tmpdir();
    return external_node_path_.join(root, 'shipyard-ci-test');
}
async function run(what, command, args) {
    const result = await (0,src/* exec */.m0)(command, args);
    if (result.exitCode !== 0) {
        // The project's requirements or the runner's Python: the user's to fix.
        const last = result.stderr.trim().split('\n').pop()?.trim();
        throw new src/* ConfigurationError */.j1(`${what} failed (exit code ${result.exitCode})${last ? `: ${last}` : ''}. The environment could not be built, so nothing was checked.`);
    }
}
const requirementArgs = (files) => files.flatMap((file) => ['-r', file]);
/** Whether a pip version can install into another interpreter (`--python`, pip 22.3+). */
function pipHasPythonOption(version) {
    const [major, minor] = (version ?? '').split('.').map(Number);
    return major > 22 || (major === 22 && minor >= 3);
}
class PipInstaller {
    basePip;
    name = 'pip';
    /**
     * With a base pip that has `--python` (22.3+), the environment is created
     * without its own pip (which `ensurepip` takes seconds to install) and the
     * base pip installs into it.
     */
    constructor(basePip) {
        this.basePip = basePip;
    }
    async createVenv(base, dir) {
        const args = ['-m', 'venv', dir];
        if (this.basePip)
            args.push('--without-pip');
        await run('Creating the virtual environment', base, args);
    }
    async install(python, files) {
        if (files.length === 0)
            return;
        // pip reads requirement files in every encoding it supports (a BOM
        // selects UTF-8 or UTF-16), so they are passed as they are.
        const [command, target] = this.basePip
            ? [this.basePip, ['--python', python]]
            : [python, []];
        await run('pip install', command, [
            '-m',
            'pip',
            ...target,
            'install',
            '--disable-pip-version-check',
            '--no-input',
            '--progress-bar',
            'off',
            ...requirementArgs(files)
        ]);
    }
}
class UvInstaller {
    uv;
    name = 'uv';
    constructor(uv) {
        this.uv = uv;
    }
    async createVenv(base, dir) {
        await run('uv venv', this.uv, ['venv', '--python', base, dir]);
    }
    async install(python, files) {
        if (files.length === 0)
            return;
        await run('uv pip install', this.uv, [
            'pip',
            'install',
            '--python',
            python,
            ...requirementArgs(files)
        ]);
    }
}
/** The base interpreter's pip version, or null when it has none (or does not say). */
async function basePipVersion(base) {
    const result = await (0,src/* exec */.m0)(base.command, ['-c', PIP_VERSION_PY], {
        silent: true
    });
    const version = result.stdout.trim();
    return result.exitCode === 0 && /^\d+(\.\d+)*/.test(version) ? version : null;
}
/** pip or uv, as `installer` asks (`auto`: uv when it is on PATH). */
async function createInstaller(choice, base) {
    const pip = async () => new PipInstaller(pipHasPythonOption(await basePipVersion(base))
        ? (base.executable ?? base.command)
        : undefined);
    if (choice === 'pip')
        return pip();
    const uv = await (0,src/* which */.K7)('uv');
    if (uv)
        return new UvInstaller(uv);
    if (choice === 'uv') {
        throw new src/* ConfigurationError */.j1("installer is 'uv' but uv is not on PATH. Install it first (e.g. astral-sh/setup-uv or `pip install uv`), or use 'auto' or 'pip'.");
    }
    return pip();
}
const venvPython = (dir) => process.platform === 'win32'
    ? external_node_path_.join(dir, 'Scripts', 'python.exe')
    : external_node_path_.join(dir, 'bin', 'python');
const COMPLETE = '.shipyard-complete';
/** A complete environment at `dir` (relocated there if it was made elsewhere) whose interpreter exists. */
function usable(dir) {
    if (!external_node_fs_.existsSync(external_node_path_.join(dir, COMPLETE)))
        return false;
    relocateEnvironment(dir, dir);
    // existsSync follows bin/python's link to the base interpreter.
    return external_node_fs_.existsSync(venvPython(dir));
}
/** Moves a finished environment into place (or drops it when another run put one there first). */
function moveIntoPlace(from, dir) {
    relocateEnvironment(from, dir);
    try {
        external_node_fs_.renameSync(from, dir);
    }
    catch {
        // Another run put the same environment in place first: use that one.
        if (!external_node_fs_.existsSync(external_node_path_.join(dir, COMPLETE)))
            throw new Error(`Could not move the new environment into the cache at ${dir}.`);
        external_node_fs_.rmSync(from, { recursive: true, force: true });
    }
}
/**
 * The environment from the GitHub cache, restored into a temporary directory
 * beside its place, checked, relocated and moved into place; false when the
 * service has none (or failed: a warning).
 */
async function restoreRemote(cache, cacheDir, key, remoteKey) {
    const venvs = external_node_path_.join(cacheDir, 'venvs');
    external_node_fs_.mkdirSync(venvs, { recursive: true });
    const staging = external_node_fs_.mkdtempSync(external_node_path_.join(venvs, '.restore-'));
    try {
        if (!(await restoreFromGitHub(cache, staging, key, remoteKey)))
            return false;
        const restored = external_node_path_.join(staging, key);
        if (!external_node_fs_.existsSync(external_node_path_.join(restored, COMPLETE))) {
            core/* warning */.$e(`The GitHub cache entry ${remoteKey} is not a complete environment; building it again.`);
            return false;
        }
        const dir = external_node_path_.join(venvs, key);
        relocateEnvironment(restored, dir);
        // Restoring is rare, so the interpreter is run once, not just found.
        const runs = external_node_fs_.existsSync(venvPython(restored)) &&
            (await (0,src/* exec */.m0)(venvPython(restored), ['-c', 'import sys'], { silent: true }))
                .exitCode === 0;
        if (!runs) {
            core/* warning */.$e(`The environment restored from the GitHub cache (key ${remoteKey}) does not run here (its base Python is elsewhere?); building it again.`);
            return false;
        }
        moveIntoPlace(restored, dir);
        return true;
    }
    finally {
        external_node_fs_.rmSync(staging, { recursive: true, force: true });
    }
}
/**
 * The environment for `key`: from the local cache when a complete one is
 * there, else from the GitHub cache when the runner offers it, else built
 * (venv + install), put in the local cache and saved to the GitHub cache.
 */
async function prepareEnvironment(options) {
    const { base, key, cacheDir } = options;
    const dir = external_node_path_.join(cacheDir, 'venvs', key);
    const python = venvPython(dir);
    const found = (origin) => ({
        dir,
        python,
        version: base.version,
        cached: origin !== 'built',
        origin,
        key
    });
    if (usable(dir)) {
        core/* info */.pq(`Reusing the cached environment ${dir} (key ${key}).`);
        return found('local');
    }
    if (external_node_fs_.existsSync(dir)) {
        core/* warning */.$e(`The cached environment ${dir} does not run any more; building it again.`);
        external_node_fs_.rmSync(dir, { recursive: true, force: true });
    }
    const cache = await cacheService();
    const remoteKey = githubCacheKey(key);
    if (cache && (await restoreRemote(cache, cacheDir, key, remoteKey))) {
        core/* info */.pq(`Restored the environment from the GitHub cache (key ${remoteKey}) to ${dir}.`);
        return found('github');
    }
    const installer = await options.installer();
    external_node_fs_.mkdirSync(external_node_path_.join(cacheDir, 'venvs'), { recursive: true });
    const building = external_node_fs_.mkdtempSync(external_node_path_.join(cacheDir, 'venvs', `.${key}-`));
    try {
        core/* info */.pq(`Building the environment with Python ${base.version} and ${installer.name} (key ${key}).`);
        await installer.createVenv(base.executable ?? base.command, building);
        await installer.install(venvPython(building), options.requirementFiles);
        external_node_fs_.writeFileSync(external_node_path_.join(building, COMPLETE), `${key}\n`);
        moveIntoPlace(building, dir);
    }
    catch (error) {
        external_node_fs_.rmSync(building, { recursive: true, force: true });
        throw error;
    }
    if (cache)
        await saveToGitHub(cache, dir, remoteKey);
    return found('built');
}

;// CONCATENATED MODULE: ./src/requirements.ts
/**
 * The project's requirements, read the way pip reads them (requirement files
 * in UTF-8, UTF-8 with a BOM or UTF-16, following `-r`/`-c` includes) or
 * translated into requirement lines (PEP 621 and Poetry `pyproject.toml`,
 * `Pipfile`). Requirement files are still handed to the installer as they
 * are: only the translated formats become a generated file.
 */




/** Text of a requirement file as pip decodes it: by its BOM, else UTF-8. */
function decodeRequirementFile(bytes) {
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
        return bytes.subarray(3).toString('utf8');
    }
    if (bytes[0] === 0xff && bytes[1] === 0xfe) {
        return bytes.subarray(2).toString('utf16le');
    }
    if (bytes[0] === 0xfe && bytes[1] === 0xff) {
        const swapped = Buffer.from(bytes.subarray(2));
        swapped.swap16();
        return swapped.toString('utf16le');
    }
    return bytes.toString('utf8');
}
/** The encoding name shown in the log. */
function encodingOf(bytes) {
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
        return 'UTF-8 with BOM';
    if (bytes[0] === 0xff && bytes[1] === 0xfe)
        return 'UTF-16 LE';
    if (bytes[0] === 0xfe && bytes[1] === 0xff)
        return 'UTF-16 BE';
    return 'UTF-8';
}
/** A distribution name as PEP 503 normalises it. */
function normalizeName(name) {
    return name.toLowerCase().replace(/[-_.]+/g, '-');
}
/** The distribution name a requirement line names, if it names one. */
function requirementName(line) {
    const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(line.trim());
    if (!match || line.trim().startsWith('-'))
        return undefined;
    return normalizeName(match[1]);
}
const INCLUDE = /^(?:-r|--requirement|-c|--constraint)(?:\s+|=)(.+)$/;
/** Reads requirement files, following `-r` and `-c` includes relative to each file. */
function readRequirementFiles(files) {
    const lines = [];
    const seen = [];
    const visit = (file) => {
        if (seen.includes(file))
            return;
        seen.push(file);
        let bytes;
        try {
            bytes = external_node_fs_.readFileSync(file);
        }
        catch {
            throw new src/* ConfigurationError */.j1(`The requirement file ${file} cannot be read (included from another requirement file?).`);
        }
        const text = decodeRequirementFile(bytes).replace(/\\\r?\n/g, '');
        for (const raw of text.split(/\r?\n/)) {
            const line = raw.replace(/(^|\s)#.*$/, '').trim();
            if (!line)
                continue;
            const include = INCLUDE.exec(line);
            if (include) {
                visit(external_node_path_.resolve(external_node_path_.dirname(file), include[1].trim()));
                continue;
            }
            lines.push(line);
        }
    };
    for (const file of files)
        visit(file);
    return { lines, files: seen };
}
const isTable = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
const strings = (value) => Array.isArray(value)
    ? value.filter((v) => typeof v === 'string')
    : [];
/** Whether a parsed pyproject.toml declares dependencies ci-test can install. */
function pyprojectDeclaresDependencies(data) {
    return pyprojectRequirements(data).length > 0;
}
/**
 * Requirement lines from a parsed pyproject.toml: PEP 621
 * `project.dependencies` and every `project.optional-dependencies` group,
 * PEP 735 `dependency-groups`, and Poetry's `tool.poetry.dependencies`,
 * `dev-dependencies` and every `group.*.dependencies`.
 */
function pyprojectRequirements(data) {
    const lines = [];
    const project = data['project'];
    if (isTable(project)) {
        lines.push(...strings(project['dependencies']));
        const optional = project['optional-dependencies'];
        if (isTable(optional)) {
            for (const group of Object.values(optional))
                lines.push(...strings(group));
        }
    }
    const groups = data['dependency-groups'];
    if (isTable(groups)) {
        for (const group of Object.values(groups))
            lines.push(...strings(group));
    }
    const tool = data['tool'];
    const poetry = isTable(tool) ? tool['poetry'] : undefined;
    if (isTable(poetry)) {
        const tables = [
            poetry['dependencies'],
            poetry['dev-dependencies']
        ];
        const poetryGroups = poetry['group'];
        if (isTable(poetryGroups)) {
            for (const group of Object.values(poetryGroups)) {
                if (isTable(group))
                    tables.push(group['dependencies']);
            }
        }
        for (const table of tables) {
            if (!isTable(table))
                continue;
            for (const [name, spec] of Object.entries(table)) {
                if (normalizeName(name) === 'python')
                    continue;
                const line = poetryRequirement(name, spec);
                if (line)
                    lines.push(line);
            }
        }
    }
    return lines;
}
/**
 * A Poetry version constraint as PEP 440: `^1.2.3` → `>=1.2.3,<2.0.0`,
 * `~1.2` → `>=1.2,<1.3`, `1.2.*` and operators as they are, a bare version →
 * `==`, `*` → anything.
 */
function poetryConstraint(constraint) {
    const parts = constraint
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
    const out = [];
    for (const part of parts) {
        if (part === '*' || part === '')
            continue;
        const caret = /^\^\s*(\d+(?:\.\d+)*)$/.exec(part);
        const tilde = /^~(?!=)\s*(\d+(?:\.\d+)*)$/.exec(part);
        if (caret) {
            const nums = caret[1].split('.').map(Number);
            const first = nums.findIndex((n) => n !== 0);
            const index = first === -1 ? nums.length - 1 : first;
            const upper = nums.slice(0, index + 1);
            upper[index] += 1;
            out.push(`>=${caret[1]}`, `<${upper.join('.')}`);
        }
        else if (tilde) {
            const nums = tilde[1].split('.').map(Number);
            const upper = nums.length === 1 ? [nums[0] + 1] : [nums[0], nums[1] + 1];
            out.push(`>=${tilde[1]}`, `<${upper.join('.')}`);
        }
        else if (/^\d/.test(part)) {
            out.push(`==${part}`);
        }
        else {
            out.push(part.replace(/\s+/g, ''));
        }
    }
    return out.join(',');
}
function poetryRequirement(name, spec) {
    if (typeof spec === 'string')
        return `${name}${poetryConstraint(spec)}`;
    if (Array.isArray(spec))
        return poetryRequirement(name, spec[0]);
    if (!isTable(spec))
        return undefined;
    if (spec['optional'] === true)
        return undefined;
    if (typeof spec['path'] === 'string' || typeof spec['git'] === 'string') {
        return undefined;
    }
    const extras = strings(spec['extras']);
    const version = typeof spec['version'] === 'string' ? poetryConstraint(spec['version']) : '';
    return `${name}${extras.length ? `[${extras.join(',')}]` : ''}${version}`;
}
/**
 * Requirement lines from a parsed Pipfile: `[packages]` and `[dev-packages]`,
 * `"*"` for any version, a version string, or a table with `version` and
 * `extras`.
 */
function pipfileRequirements(data) {
    const lines = [];
    for (const section of ['packages', 'dev-packages']) {
        const table = data[section];
        if (!isTable(table))
            continue;
        for (const [name, spec] of Object.entries(table)) {
            if (typeof spec === 'string') {
                lines.push(spec === '*' ? name : `${name}${spec}`);
            }
            else if (isTable(spec)) {
                if (typeof spec['path'] === 'string' || typeof spec['git'] === 'string')
                    continue;
                const extras = strings(spec['extras']);
                const version = typeof spec['version'] === 'string' && spec['version'] !== '*'
                    ? spec['version']
                    : '';
                lines.push(`${name}${extras.length ? `[${extras.join(',')}]` : ''}${version}`);
            }
        }
    }
    return lines;
}
/**
 * The cache key of an environment: the interpreter and what is installed in
 * it (requirement lines in order, as decoded, so that the same requirements
 * in UTF-8 and UTF-16 share an environment).
 */
function environmentKey(python, requirementLines) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    hash.update(JSON.stringify({
        v: 1,
        python: [python.version, python.implementation, python.machine],
        requirements: requirementLines
    }));
    return `py${python.version}-${hash.digest('hex').slice(0, 20)}`;
}

;// CONCATENATED MODULE: ./src/project-environment.ts
/**
 * The project's environment, planned and prepared: the interpreter, the
 * requirement sources (given or detected, TOML formats translated), the test
 * runner (`auto` decided here), the tools ci-test adds when the project does
 * not require them, and the cached or newly built environment for all that.
 */







async function prepare(inputs, project, workDir) {
    const dir = project.dir;
    const interpreter = await resolveInterpreter(inputs.python);
    const pyproject = external_node_path_.join(dir, 'pyproject.toml');
    const pipfile = external_node_path_.join(dir, 'Pipfile');
    const tomlFiles = [
        ...new Set([pyproject, pipfile, ...inputs.requirements].filter((f) => !f.endsWith('.txt') && external_node_fs_.existsSync(f)))
    ];
    const base = await inspectPython(interpreter, workDir, tomlFiles);
    core/* info */.pq(`Python ${base.version} (${base.executable ?? interpreter})`);
    const toml = (file) => {
        const entry = base.toml[file];
        if (entry?.error) {
            throw new src/* ConfigurationError */.j1(`${external_node_path_.relative(inputs.workspace, file)} is not valid TOML: ${entry.error}`);
        }
        return entry?.data;
    };
    const pyprojectData = external_node_fs_.existsSync(pyproject) ? toml(pyproject) : undefined;
    const sources = inputs.requirements.length > 0
        ? inputs.requirements
        : detectRequirementFiles(dir, (file) => pyprojectDeclaresDependencies(toml(file) ?? {}));
    const textFiles = sources.filter((f) => f.endsWith('.txt'));
    const translated = [];
    for (const file of sources.filter((f) => !f.endsWith('.txt'))) {
        const data = toml(file) ?? {};
        const lines = external_node_path_.basename(file) === 'Pipfile'
            ? pipfileRequirements(data)
            : pyprojectRequirements(data);
        core/* info */.pq(`${external_node_path_.relative(inputs.workspace, file)}: ${lines.length} requirement(s)`);
        translated.push(...lines);
    }
    const read = readRequirementFiles(textFiles);
    for (const file of read.files) {
        core/* info */.pq(`${external_node_path_.relative(inputs.workspace, file)} (${encodingOf(external_node_fs_.readFileSync(file))})`);
    }
    if (sources.length === 0) {
        core/* warning */.$e('No requirements found (requirements*.txt, pyproject.toml dependencies or Pipfile); only the tools ci-test needs are installed. Give `requirements` to say which files to install.');
    }
    const names = new Set([...read.lines, ...translated].map(requirementName).filter(Boolean));
    const runner = inputs.testRunner === 'auto'
        ? configuresPytest(dir, pyprojectData) || names.has('pytest-django')
            ? 'pytest'
            : 'django'
        : inputs.testRunner;
    const tools = ['coverage'];
    if (inputs.lint === 'flake8')
        tools.push('flake8');
    if (runner === 'pytest')
        tools.push('pytest', 'pytest-django');
    const missingTools = tools.filter((t) => !names.has(t));
    if (missingTools.length > 0) {
        core/* info */.pq(`Adding what the project does not require itself: ${missingTools.join(', ')}`);
    }
    const generatedLines = [...translated, ...missingTools];
    const files = [...textFiles];
    if (generatedLines.length > 0) {
        const generated = external_node_path_.join(workDir, 'requirements-generated.txt');
        external_node_fs_.writeFileSync(generated, generatedLines.join('\n') + '\n');
        files.push(generated);
    }
    const key = environmentKey(base, [...read.lines, ...generatedLines]);
    const environment = await prepareEnvironment({
        base,
        key,
        cacheDir: inputs.cacheDir ?? defaultCacheDir(),
        installer: () => createInstaller(inputs.installer, base),
        requirementFiles: files
    });
    const tool = pyprojectData?.['tool'];
    const flake8 = tool?.['flake8'];
    return {
        environment,
        runner,
        pyprojectFlake8: flake8 && typeof flake8 === 'object' ? flake8 : undefined
    };
}

// EXTERNAL MODULE: ../../node_modules/fast-xml-parser/src/xmlparser/XMLParser.js + 23 modules
var XMLParser = __webpack_require__(2019);
;// CONCATENATED MODULE: ./src/tests.ts
/**
 * The project's tests under coverage.py with branch coverage, by one of two
 * strategies (`createTestStrategy`): pytest, or Django's `manage.py test`
 * with a runner of ours that also writes JUnit XML. Either way the reports
 * land at known paths: the JUnit XML, coverage.py's JSON and XML.
 */





class PytestStrategy {
    runner = 'pytest';
    args(reports) {
        return [
            '-m',
            'pytest',
            `--junitxml=${reports.junit}`,
            // xunit1 records each test's file and line.
            '-o',
            'junit_family=xunit1',
            '-p',
            'no:cacheprovider'
        ];
    }
    env() {
        return {};
    }
}
class DjangoStrategy {
    runner = 'django';
    args() {
        return [
            'manage.py',
            'test',
            '--noinput',
            '--testrunner',
            'shipyard_junit_runner.JUnitDiscoverRunner'
        ];
    }
    env(reports, python) {
        // Into the environment's site-packages: importable without PYTHONPATH,
        // and, as installed code, never measured by coverage.py.
        external_node_fs_.writeFileSync(external_node_path_.join(sitePackages(python), 'shipyard_junit_runner.py'), DJANGO_JUNIT_RUNNER_PY);
        return { SHIPYARD_JUNIT_FILE: reports.junit };
    }
}
/** The site-packages directory of a virtual environment, from its interpreter. */
function sitePackages(python) {
    const venv = external_node_path_.dirname(external_node_path_.dirname(python));
    const windows = external_node_path_.join(venv, 'Lib', 'site-packages');
    if (external_node_fs_.existsSync(windows))
        return windows;
    const lib = external_node_path_.join(venv, 'lib');
    const version = external_node_fs_.readdirSync(lib).find((n) => /^python3\.\d+$/.test(n));
    if (!version)
        throw new Error(`No site-packages found in ${venv}.`);
    return external_node_path_.join(lib, version, 'site-packages');
}
function createTestStrategy(runner) {
    return runner === 'pytest' ? new PytestStrategy() : new DjangoStrategy();
}
const asArray = (value) => value === undefined ? [] : Array.isArray(value) ? value : [value];
const tests_text = (node) => {
    if (typeof node === 'string')
        return node;
    if (node && typeof node === 'object') {
        const value = node['#text'];
        return typeof value === 'string' ? value : '';
    }
    return '';
};
const attr = (node, name) => {
    if (!node || typeof node !== 'object')
        return '';
    const value = node[`@_${name}`];
    return typeof value === 'string' || typeof value === 'number'
        ? String(value)
        : '';
};
/** The last `file:line:` of the test's own file in a traceback. */
function lineInTraceback(details, file) {
    let found;
    const wanted = file.replace(/\\/g, '/');
    for (const line of details.split('\n')) {
        const match = /^(?:\s*File "(.+?)", line (\d+)|(.+?):(\d+):)/.exec(line);
        if (!match)
            continue;
        const where = (match[1] ?? match[3]).replace(/\\/g, '/');
        if (where === wanted || where.endsWith(`/${wanted}`)) {
            found = Number(match[2] ?? match[4]);
        }
    }
    return found;
}
/** Test cases and counts from a JUnit XML report (pytest's or ours). */
function parseJunit(xml) {
    const parser = new XMLParser/* default */.A({
        ignoreAttributes: false,
        attributeNamePrefix: '@_',
        parseAttributeValue: false,
        // pytest writes newlines in attributes as character references.
        htmlEntities: true,
        isArray: (name) => ['testsuite', 'testcase'].includes(name)
    });
    const doc = parser.parse(xml);
    const root = (doc['testsuites'] ?? doc);
    const suites = asArray(root['testsuite']);
    const cases = [];
    for (const suite of suites) {
        for (const tc of asArray(suite['testcase'])) {
            let outcome = 'passed';
            let node;
            for (const kind of ['failure', 'error', 'skipped']) {
                if (tc[kind] !== undefined) {
                    outcome = kind;
                    node = asArray(tc[kind])[0];
                    break;
                }
            }
            const details = tests_text(node);
            const file = attr(tc, 'file') || undefined;
            const recorded = Number(attr(tc, 'line'));
            let line;
            if (file) {
                line =
                    lineInTraceback(details, file) ??
                        // pytest's xunit1 line is 0-based (the `def` line); ours is 1-based
                        // and already the failing line.
                        (Number.isFinite(recorded) && attr(tc, 'line') !== ''
                            ? recorded + (suite['@_name'] === 'django' ? 0 : 1)
                            : undefined);
            }
            cases.push({
                classname: attr(tc, 'classname'),
                name: attr(tc, 'name'),
                outcome,
                message: attr(node, 'message') || details.split('\n')[0] || '',
                details,
                file,
                line,
                time: Number(attr(tc, 'time')) || 0
            });
        }
    }
    const count = (o) => cases.filter((c) => c.outcome === o).length;
    return {
        counts: {
            tests: cases.length,
            failures: count('failure'),
            errors: count('error'),
            skipped: count('skipped')
        },
        cases
    };
}
function parseCoverageJson(json) {
    const data = JSON.parse(json);
    const files = Object.entries(data.files).map(([file, { summary }]) => ({
        file,
        percent: summary.percent_covered,
        statements: summary.num_statements,
        missing: summary.missing_lines,
        branches: summary.num_branches ?? 0,
        missingBranches: summary.missing_branches ?? 0
    }));
    files.sort((a, b) => a.percent - b.percent || a.file.localeCompare(b.file));
    return {
        display: data.totals.percent_covered_display,
        percent: data.totals.percent_covered,
        files
    };
}
/**
 * Whether a total is under the gate, as coverage.py's own `fail_under`
 * decides: the figure it displays (rounded to the report's precision, never
 * shown as 100 unless everything is covered) against the threshold.
 */
function belowThreshold(coverage, threshold) {
    const shown = Number(coverage.display);
    const figure = Number.isFinite(shown) ? shown : coverage.percent;
    return figure < threshold;
}
/** The data files coverage.py's `parallel = true` leaves beside `dataFile`. */
function parallelDataFiles(dataFile) {
    const prefix = `${external_node_path_.basename(dataFile)}.`;
    const dir = external_node_path_.dirname(dataFile);
    if (!external_node_fs_.existsSync(dir))
        return [];
    return external_node_fs_.readdirSync(dir)
        .filter((name) => name.startsWith(prefix))
        .map((name) => external_node_path_.join(dir, name));
}
/** The report script's exit code when there is no data file at all. */
const NO_DATA = 3;
/**
 * coverage.py's JSON and XML reports, by two processes started now that
 * wait for `signal` (the data file written) before they read the data.
 * A report coverage.py could not write (a measured file it cannot parse,
 * a data file it cannot read) comes back as its message.
 */
async function writeCoverageReports(options) {
    const { python, projectDir, reports, signal } = options;
    // The project's own fail_under does not apply here: the gate that counts
    // is ci-test's, so only the report files matter.
    const reportEnv = { COVERAGE_FILE: reports.coverageData };
    const script = external_node_path_.join(options.workDir, 'shipyard_coverage_reports.py');
    external_node_fs_.writeFileSync(script, COVERAGE_REPORTS_PY);
    const combined = `${signal}.combined`;
    external_node_fs_.rmSync(combined, { force: true });
    const report = (kind, outfile) => (0,src/* exec */.m0)(python, [script, kind, outfile, signal], {
        cwd: projectDir,
        env: reportEnv,
        silent: true
    });
    // The XML process waits for the JSON one's combine: if that process
    // died first, it waits no more.
    const json = report('json', reports.coverageJson).finally(() => external_node_fs_.writeFileSync(combined, '', { flag: 'a' }));
    const results = await Promise.all([json, report('xml', reports.coverageXml)]);
    if (results.every((result) => result.exitCode === NO_DATA)) {
        return { data: false };
    }
    const failed = results.find((result) => result.exitCode !== 0 && result.exitCode !== NO_DATA);
    if (!failed)
        return { data: true };
    const last = failed.stderr.trim().split('\n').pop()?.trim();
    return {
        data: true,
        error: `coverage.py could not write its report (exit code ${failed.exitCode})${last ? `: ${last}` : ''}`
    };
}
async function runTests(options) {
    const { python, projectDir, workDir, reports, strategy } = options;
    const saved = external_node_path_.join(workDir, 'shipyard_coverage_saved');
    const stale = [
        ...Object.values(reports),
        ...parallelDataFiles(reports.coverageData),
        saved
    ];
    for (const file of stale) {
        external_node_fs_.rmSync(file, { force: true });
    }
    const env = {
        ...options.env,
        ...strategy.env(reports, python),
        COVERAGE_FILE: reports.coverageData,
        SHIPYARD_COVERAGE_SAVED: saved
    };
    const runner = external_node_path_.join(workDir, 'shipyard_coverage_run.py');
    external_node_fs_.writeFileSync(runner, COVERAGE_RUN_PY);
    const run = (0,src/* exec */.m0)(python, [runner, 'run', '--branch', ...strategy.args(reports)], { cwd: projectDir, env });
    // The processes that write the reports start beside the tests (in a lane
    // after the checks, when they run there) and wait for the data file: the
    // reports are then written while the test process runs its atexit
    // handlers. A process that ended without saying so is taken as done.
    const ended = run.finally(() => external_node_fs_.writeFileSync(saved, '', { flag: 'a' }));
    const lane = options.beside ?? ((task) => task());
    const reported = lane(() => writeCoverageReports({
        python,
        projectDir,
        workDir,
        reports,
        signal: saved
    }));
    const [result, coverageReports] = await Promise.all([ended, reported]);
    const outcome = {
        runner: strategy.runner,
        exitCode: result.exitCode,
        counts: { tests: 0, failures: 0, errors: 0, skipped: 0 },
        cases: []
    };
    if (external_node_fs_.existsSync(reports.junit)) {
        // The report keeps what the tests printed: the `env` values they were
        // given are scrubbed out before anyone reads or uploads it.
        const junit = (0,src/* scrub */._I)(external_node_fs_.readFileSync(reports.junit, 'utf8'));
        external_node_fs_.writeFileSync(reports.junit, junit);
        Object.assign(outcome, parseJunit(junit));
    }
    else {
        const last = (result.stderr || result.stdout).trim().split('\n').pop();
        outcome.problem = `the tests did not run (exit code ${result.exitCode}, no JUnit report): ${last?.trim() ?? 'see the log'}`;
    }
    if (result.exitCode === 5 && strategy.runner === 'pytest') {
        outcome.problem = 'pytest collected no tests';
    }
    if (coverageReports.error) {
        outcome.coverageProblem = coverageReports.error;
    }
    else if (coverageReports.data && external_node_fs_.existsSync(reports.coverageJson)) {
        outcome.coverage = parseCoverageJson(external_node_fs_.readFileSync(reports.coverageJson, 'utf8'));
    }
    return outcome;
}

;// CONCATENATED MODULE: ./src/verdict.ts
/**
 * What a run found, turned into annotations (at the file and line of each
 * finding, within GitHub's limits) and into the reasons the step fails for.
 */


/** A path for an annotation: relative to the workspace. */
function fromWorkspace(inputs, relative) {
    return external_node_path_.relative(inputs.workspace, external_node_path_.resolve(inputs.workingDirectory, relative));
}
function annotateAndJudge(inputs, annotator, results) {
    const reasons = [];
    const { lint, tests, deploy, migrations } = results;
    if (lint) {
        for (const f of lint.findings) {
            annotator.add({
                kind: 'error',
                title: `flake8 ${f.code}`,
                message: `${f.code} ${f.message}`,
                file: fromWorkspace(inputs, f.file),
                line: f.line,
                column: f.column
            });
        }
        if (lint.crashed)
            reasons.push(lint.crashed);
        else if (lint.findings.length > 0)
            reasons.push(`flake8 found ${lint.findings.length} problem(s)`);
    }
    const failing = tests.cases.filter((c) => c.outcome === 'failure' || c.outcome === 'error');
    for (const c of failing) {
        annotator.add({
            kind: 'error',
            title: `${c.outcome === 'error' ? 'Test error' : 'Test failed'}: ${c.classname}.${c.name}`,
            message: (c.message || c.details).slice(0, 2000),
            file: c.file ? fromWorkspace(inputs, c.file) : undefined,
            line: c.line
        });
    }
    if (tests.problem)
        reasons.push(tests.problem);
    if (tests.counts.failures > 0)
        reasons.push(`${tests.counts.failures} test(s) failed: ${failing
            .filter((c) => c.outcome === 'failure')
            .slice(0, 5)
            .map((c) => c.name)
            .join(', ')}`);
    if (tests.counts.errors > 0)
        reasons.push(`${tests.counts.errors} test(s) ended in an error`);
    if (!tests.problem &&
        tests.exitCode !== 0 &&
        tests.counts.failures + tests.counts.errors === 0) {
        reasons.push(`the test run exited with code ${tests.exitCode}`);
    }
    if (tests.coverageProblem) {
        reasons.push(`no coverage figure: ${tests.coverageProblem}`);
        annotator.add({
            kind: 'error',
            title: 'Coverage report failed',
            message: tests.coverageProblem
        });
    }
    else if (!tests.coverage) {
        reasons.push('no coverage was measured');
    }
    else if (belowThreshold(tests.coverage, inputs.coverageThreshold)) {
        reasons.push(`coverage ${tests.coverage.display}% is under the ${inputs.coverageThreshold}% gate`);
        annotator.add({
            kind: 'error',
            title: 'Coverage under the gate',
            message: `Total branch coverage ${tests.coverage.display}% is under coverage-threshold ${inputs.coverageThreshold}%.`
        });
    }
    if (deploy) {
        for (const f of deploy.findings) {
            annotator.add({
                kind: 'error',
                title: `check --deploy ${f.id}`,
                message: `${f.message}${f.hint ? `\nHint: ${f.hint}` : ''}`,
                file: f.file ? fromWorkspace(inputs, f.file) : undefined,
                line: f.line
            });
        }
        if (deploy.problem)
            reasons.push(deploy.problem);
        else if (deploy.findings.length > 0)
            reasons.push(`check --deploy reported ${deploy.findings.length} issue(s): ${deploy.findings.map((f) => f.id).join(', ')}`);
    }
    if (migrations) {
        for (const m of migrations.missing) {
            annotator.add({
                kind: 'error',
                title: `Missing migration for ${m.app}`,
                message: `The models of ${m.app} changed without a migration (makemigrations would write ${m.migration}): ${m.operations.join('; ')}`,
                file: m.file ? fromWorkspace(inputs, m.file) : undefined,
                line: m.line
            });
        }
        if (migrations.problem)
            reasons.push(migrations.problem);
        else if (migrations.missing.length > 0)
            reasons.push(`missing migrations for ${migrations.missing.map((m) => m.app).join(', ')}`);
    }
    return reasons;
}

;// CONCATENATED MODULE: ./src/main.ts
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
















/** The run's own files (reports, helper scripts), at known paths. */
function workDirectory() {
    return external_node_path_.join(process.env['RUNNER_TEMP'] || external_node_os_.tmpdir(), 'shipyard-ci-test');
}
function reportPaths(workDir) {
    return {
        junit: external_node_path_.join(workDir, 'junit.xml'),
        coverageJson: external_node_path_.join(workDir, 'coverage.json'),
        coverageXml: external_node_path_.join(workDir, 'coverage.xml'),
        coverageData: external_node_path_.join(workDir, '.coverage')
    };
}
function showOutput(title, output) {
    core/* startGroup */.Oh(title);
    if (output.trim())
        core/* info */.pq(output.replace(/\n$/, ''));
    core/* endGroup */.N4();
}
async function main(given) {
    // The entry reads the inputs before loading this module, and passes them.
    const inputs = given ?? (await core/* group */.Os('Inputs', () => Promise.resolve((0,input_helper/* getInputs */.G)())));
    const commentInputs = getCommentInputs();
    const workDir = workDirectory();
    external_node_fs_.mkdirSync(workDir, { recursive: true });
    const reports = reportPaths(workDir);
    const project = describeProject(inputs.workingDirectory, inputs.djangoSettings);
    const projectName = external_node_path_.relative(inputs.workspace, inputs.workingDirectory) || '.';
    let prepared;
    try {
        prepared = await core/* group */.Os('Python environment', () => prepare(inputs, project, workDir));
    }
    catch (error) {
        await (0,src/* writeSummary */.Sy)('## ci-test: failed', `The Python environment of \`${projectName}\` could not be built: ${(0,src/* errorMessage */.gJ)(error)}`);
        await updatePullRequestComment(commentInputs, {
            project: projectName,
            failure: `The Python environment could not be built: ${(0,src/* errorMessage */.gJ)(error)}`
        });
        throw error;
    }
    const { environment, runner } = prepared;
    core/* setOutput */.uH(constants/* Outputs */.tY.PythonVersion, environment.version);
    const env = { ...inputs.env };
    if (inputs.djangoSettings)
        env['DJANGO_SETTINGS_MODULE'] = inputs.djangoSettings;
    const python = environment.python;
    const projectDir = inputs.workingDirectory;
    // Beside the tests, in lanes that leave the tests a core of their own.
    const beside = createLanes(sideLanes());
    const lintRun = inputs.lint === 'flake8'
        ? beside(() => runFlake8({
            python,
            projectDir,
            workDir,
            pyprojectFlake8: prepared.pyprojectFlake8,
            exclude: (0,src/* isInside */.FK)(projectDir, environment.dir)
                ? [environment.dir]
                : []
        }))
        : undefined;
    const deployRun = inputs.deployCheck
        ? beside(() => runDeployCheck({
            python,
            projectDir,
            env,
            settingsFile: project.settingsFile
        }))
        : undefined;
    const migrationsRun = inputs.migrationsCheck
        ? beside(() => runMigrationsCheck({ python, projectDir, env }))
        : undefined;
    const tests = await core/* group */.Os(`Tests (${runner}, under coverage)`, () => runTests({
        python,
        projectDir,
        workDir,
        reports,
        strategy: createTestStrategy(runner),
        env,
        beside
    }));
    const lint = await lintRun;
    if (lint)
        showOutput(`Lint (flake8, ${lint.config})`, lint.output);
    const deploy = await deployRun;
    if (deploy)
        showOutput('Django check --deploy', deploy.output);
    const migrations = await migrationsRun;
    if (migrations)
        showOutput('Django makemigrations --check', migrations.output);
    const annotator = new src/* Annotator */.bO();
    const reasons = annotateAndJudge(inputs, annotator, {
        lint,
        tests,
        deploy,
        migrations
    });
    core/* setOutput */.uH(constants/* Outputs */.tY.Tests, tests.counts.tests);
    core/* setOutput */.uH(constants/* Outputs */.tY.Failures, tests.counts.failures);
    core/* setOutput */.uH(constants/* Outputs */.tY.Errors, tests.counts.errors);
    core/* setOutput */.uH(constants/* Outputs */.tY.Skipped, tests.counts.skipped);
    core/* setOutput */.uH(constants/* Outputs */.tY.Coverage, tests.coverage?.display ?? '');
    core/* setOutput */.uH(constants/* Outputs */.tY.LintErrors, lint?.findings.length ?? 0);
    core/* setOutput */.uH(constants/* Outputs */.tY.JunitFile, external_node_fs_.existsSync(reports.junit) ? reports.junit : '');
    core/* setOutput */.uH(constants/* Outputs */.tY.CoverageFile, external_node_fs_.existsSync(reports.coverageJson) ? reports.coverageJson : '');
    await (0,src/* writeSummary */.Sy)(summaryMarkdown({
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
    }));
    // Before the verdict: a failing run updates the comment too.
    await updatePullRequestComment(commentInputs, {
        project: projectName,
        threshold: inputs.coverageThreshold,
        lint,
        tests,
        deploy,
        migrations,
        reasons
    });
    if (reasons.length > 0) {
        core/* setFailed */.C1(`ci-test failed: ${reasons.join('; ')}.`);
    }
    else {
        core/* info */.pq(`ci-test passed: ${tests.counts.tests} tests, coverage ${tests.coverage?.display ?? '?'}%.`);
    }
}


/***/ })

};

//# sourceMappingURL=816.index.js.map