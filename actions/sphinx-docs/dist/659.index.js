export const id = 659;
export const ids = [659];
export const modules = {

/***/ 659:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  main: () => (/* binding */ main)
});

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(24);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(760);
// EXTERNAL MODULE: ../../node_modules/@actions/core/lib/core.js + 4 modules
var core = __webpack_require__(106);
// EXTERNAL MODULE: ../../packages/action-kit/src/index.ts + 17 modules
var src = __webpack_require__(803);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(598);
;// CONCATENATED MODULE: ./src/apidoc.ts
/**
 * sphinx-apidoc over the chosen sources. Exclusion patterns are made absolute
 * against the workspace (sphinx-apidoc resolves them against the current
 * directory, where they would match nothing). Without a source directory, the
 * project's top-level Python packages are documented. When neither the
 * sources nor the options changed since the last run and its files are all
 * there, the run is skipped: its output would be the same.
 */





/** Where the last run is recorded: beside Sphinx's own build state. */
function stateFile(docsDir) {
    return external_node_path_.join(docsDir, '_build', '.shipyard-sphinx-docs-apidoc.json');
}
/** A hash of everything sphinx-apidoc's output depends on. */
function apidocKey(request, sources) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    hash.update(JSON.stringify([
        request.sphinxVersion,
        request.output,
        request.exclude,
        request.options,
        sources
    ]));
    for (const source of sources) {
        for (const entry of external_node_fs_.readdirSync(source, {
            recursive: true,
            withFileTypes: true
        })) {
            if (!entry.isFile() || entry.parentPath.includes('__pycache__'))
                continue;
            const file = external_node_path_.join(entry.parentPath, entry.name);
            hash.update(`${external_node_path_.relative(source, file)}\0`);
            hash.update(external_node_fs_.readFileSync(file));
            hash.update('\0');
        }
    }
    return hash.digest('hex');
}
function lastRun(file) {
    try {
        return JSON.parse(external_node_fs_.readFileSync(file, 'utf8'));
    }
    catch {
        return undefined;
    }
}
const SKIPPED_DIRS = new Set(['node_modules', 'site-packages', 'build', 'dist']);
/** The workspace's top-level directories holding an `__init__.py`, the docs aside. */
function projectPackages(workspace, docsDir) {
    return external_node_fs_.readdirSync(workspace, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() &&
        !entry.name.startsWith('.') &&
        !entry.name.startsWith('_') &&
        !SKIPPED_DIRS.has(entry.name))
        .map((entry) => external_node_path_.join(workspace, entry.name))
        .filter((dir) => dir !== docsDir &&
        !docsDir.startsWith(dir + external_node_path_.sep) &&
        (0,src/* isFile */.fo)(external_node_path_.join(dir, '__init__.py')))
        .sort();
}
/** Each pattern made absolute against `base`, as sphinx-apidoc needs it. */
function absolutePatterns(base, patterns) {
    return patterns.map((pattern) => external_node_path_.join(base, pattern));
}
function automodules(files) {
    const modules = new Set();
    for (const file of files) {
        for (const line of external_node_fs_.readFileSync(file, 'utf8').split('\n')) {
            const match = /^\s*\.\. automodule::\s*(\S+)/.exec(line);
            if (match?.[1])
                modules.add(match[1]);
        }
    }
    return [...modules].sort();
}
/** The files sphinx-apidoc says it wrote (`Creating file …`), resolved against `cwd`. */
function createdFiles(stdout, cwd) {
    const files = [];
    for (const line of stdout.split(/\r?\n/)) {
        const match = /^Creating file (.+)\.$/.exec(line.trim());
        if (match?.[1])
            files.push(external_node_path_.resolve(cwd, match[1]));
    }
    return files;
}
/** sphinx-apidoc's arguments for one source. */
function apidocArgs(request, source) {
    return [
        '--force',
        '-o',
        request.output,
        ...request.options,
        source,
        ...absolutePatterns(request.workspace, request.exclude)
    ];
}
function planApidoc(request) {
    const sources = request.sourceDir
        ? [request.sourceDir]
        : projectPackages(request.workspace, request.docsDir);
    if (sources.length === 0) {
        core/* info */.pq('No source-dir and no Python package at the top of the project: sphinx-apidoc has nothing to document.');
        return { result: { sources, modules: [], files: [], reused: false } };
    }
    const where = `${sources.map((s) => external_node_path_.relative(request.workspace, s) || '.').join(', ')} into ${external_node_path_.relative(request.workspace, request.output)}`;
    const key = apidocKey(request, sources);
    const state = stateFile(request.docsDir);
    const last = lastRun(state);
    if (last?.key === key && last.files.every((f) => (0,src/* isFile */.fo)(f))) {
        core/* info */.pq(`sphinx-apidoc: nothing changed in ${where} since the last run; its ${last.files.length} file(s) are kept.`);
        return {
            result: {
                sources,
                modules: last.modules,
                files: last.files,
                reused: true
            }
        };
    }
    // The pages of the last run go: those still wanted are written again, and
    // a module that is gone (or now excluded) leaves no page behind for Sphinx
    // to build or warn about.
    for (const file of last?.files ?? [])
        external_node_fs_.rmSync(file, { force: true });
    external_node_fs_.mkdirSync(request.output, { recursive: true });
    core/* info */.pq(`sphinx-apidoc: documenting ${where}`);
    const finish = (stdout) => {
        const written = new Set(createdFiles(stdout, request.workspace));
        // With --quiet sphinx-apidoc names nothing: count what the directory holds.
        if (written.size === 0) {
            for (const name of external_node_fs_.readdirSync(request.output))
                if (name.endsWith('.rst'))
                    written.add(external_node_path_.join(request.output, name));
        }
        // Without a source directory each package is run on its own, and each
        // run writes its own modules.rst (the table of contents): write it whole.
        if (!request.sourceDir && sources.length > 1) {
            written.add(writeModulesToc(request.output, sources.map((s) => external_node_path_.basename(s))));
        }
        const files = [...written].filter((file) => (0,src/* isFile */.fo)(file)).sort();
        const modules = automodules(files);
        core/* info */.pq(`sphinx-apidoc documented ${modules.length} module(s) from ${where}`);
        external_node_fs_.mkdirSync(external_node_path_.dirname(state), { recursive: true });
        const record = { key, files, modules };
        external_node_fs_.writeFileSync(state, JSON.stringify(record));
        return { sources, modules, files, reused: false };
    };
    return { runs: sources.map((source) => apidocArgs(request, source)), finish };
}
function writeModulesToc(output, packages) {
    const title = 'API';
    const body = [
        title,
        '='.repeat(title.length),
        '',
        '.. toctree::',
        '   :maxdepth: 4',
        '',
        ...packages.map((name) => `   ${name}`),
        ''
    ];
    const file = external_node_path_.join(output, 'modules.rst');
    external_node_fs_.writeFileSync(file, body.join('\n'));
    return file;
}

;// CONCATENATED MODULE: ./src/bootstrap.ts
/**
 * A minimal Sphinx project for a repository that has none, in the shape
 * `sphinx-quickstart` gives (separate `_build`, `_static`, `_templates`,
 * `conf.py`, `index.rst`), with autodoc on and the API pages in the table of
 * contents when there are sources to document. Nothing that exists is
 * overwritten.
 */


/** A Python string literal. */
function py(text) {
    return JSON.stringify(text);
}
function posix(relative) {
    return relative.split(external_node_path_.sep).join('/');
}
function confPy(request, project) {
    const lines = [
        '# Configuration file for the Sphinx documentation builder,',
        '# generated by shipyard sphinx-docs (bootstrap). Edit it and commit it.',
        '# https://www.sphinx-doc.org/en/master/usage/configuration.html',
        '',
        'import os',
        'import sys',
        ''
    ];
    if (request.sourceDir) {
        const relative = posix(external_node_path_.relative(request.docsDir, request.sourceDir));
        lines.push('# The documented modules are imported from here.', `sys.path.insert(0, os.path.abspath(${py(relative || '.')}))`, '');
    }
    lines.push('# -- Project information -----------------------------------------------------', '', `project = ${py(project)}`, `author = ${py(`the ${project} contributors`)}`, "copyright = '%Y, ' + author", "release = '0.1'", '', '# -- General configuration ---------------------------------------------------', '', 'extensions = [', "    'sphinx.ext.autodoc',", "    'sphinx.ext.viewcode',", ']', '', "templates_path = ['_templates']", "exclude_patterns = ['_build', 'Thumbs.db', '.DS_Store']", '', '# -- Options for HTML output -------------------------------------------------', '', "html_theme = 'alabaster'", "html_static_path = ['_static']", '');
    return lines.join('\n');
}
function indexRst(request, project) {
    const title = `${project} documentation`;
    const lines = [
        title,
        '='.repeat(title.length),
        '',
        'This documentation was generated by shipyard sphinx-docs: edit this page,',
        'add your own, and list them below.',
        '',
        '.. toctree::',
        '   :maxdepth: 2',
        '   :caption: Contents:',
        ''
    ];
    if (request.apidocOutput) {
        const relative = posix(external_node_path_.relative(request.docsDir, request.apidocOutput));
        lines.push(`   ${relative}/modules`, '');
    }
    return lines.join('\n');
}
function bootstrapProject(request) {
    const project = request.project ?? external_node_path_.basename(request.workspace);
    const files = [];
    const write = (relative, content) => {
        const file = external_node_path_.join(request.docsDir, relative);
        external_node_fs_.mkdirSync(external_node_path_.dirname(file), { recursive: true });
        if (external_node_fs_.existsSync(file))
            return;
        external_node_fs_.writeFileSync(file, content);
        files.push(file);
    };
    write('conf.py', confPy(request, project));
    write('index.rst', indexRst(request, project));
    write(external_node_path_.join('_static', '.gitkeep'), '');
    write(external_node_path_.join('_templates', '.gitkeep'), '');
    return { files };
}

// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(161);
;// CONCATENATED MODULE: ./src/warnings.ts
/**
 * Sphinx's warnings file (`-w`), read back into findings with a place in the
 * repository: `file:line: WARNING: message [type]`, a docstring's line turned
 * into its line in the source file, and an import failure of autodoc (which
 * Sphinx reports without a place) pinned to the directive that asked for it.
 */



const ENTRY = /^(?:(?<location>.*?): )?(?<level>WARNING|ERROR|CRITICAL|SEVERE): (?<message>.*)$/;
// eslint-disable-next-line no-control-regex -- Sphinx may colour its output
const ANSI_COLOUR = /\u001b\[[0-9;]*m/g;
const TYPE_SUFFIX = /\s*\[(?<type>[\w.-]+)\]\s*$/;
const DOCSTRING = /^(?<file>.*):docstring of (?<object>[\w.]+):(?<line>\d+)$/;
const FILE_LINE = /^(?<file>.*?):(?<line>\d+)$/;
function place(location) {
    const docstring = DOCSTRING.exec(location)?.groups;
    if (docstring) {
        return {
            file: docstring['file'],
            line: Number(docstring['line']),
            docstringOf: docstring['object']
        };
    }
    const fileLine = FILE_LINE.exec(location)?.groups;
    if (fileLine)
        return { file: fileLine['file'], line: Number(fileLine['line']) };
    return { file: location };
}
/** Splits the warnings file into entries; lines that start no entry belong to the one before. */
function parseWarnings(text) {
    const entries = [];
    for (const raw of text.split(/\r?\n/)) {
        const line = raw.replace(ANSI_COLOUR, '');
        const match = ENTRY.exec(line)?.groups;
        if (match) {
            const location = match['location'];
            entries.push({
                level: match['level'],
                message: match['message'] ?? '',
                detail: '',
                ...(location ? place(location) : {})
            });
            continue;
        }
        const last = entries[entries.length - 1];
        if (last && line.trim()) {
            last.detail += (last.detail ? '\n' : '') + line;
        }
    }
    for (const entry of entries) {
        const holder = entry.detail ? 'detail' : 'message';
        const typed = TYPE_SUFFIX.exec(entry[holder]);
        if (typed) {
            entry.type = typed.groups?.['type'];
            entry[holder] = entry[holder].slice(0, typed.index);
        }
    }
    return entries;
}
/** The name a Python file is imported as, last part only (`views`, or the package's for `__init__.py`). */
function moduleName(file) {
    const base = external_node_path_.basename(file, '.py');
    return base === '__init__' ? external_node_path_.basename(external_node_path_.dirname(file)) : base;
}
/**
 * The line in `file` of line `docLine` of the docstring of `object`, or
 * `undefined` when `file` does not define it (a module that re-exports it).
 */
function docstringLine(file, object, docLine) {
    let source;
    try {
        source = external_node_fs_.readFileSync(file, 'utf8').split(/\r?\n/);
    }
    catch {
        return undefined;
    }
    const name = object.split('.').pop() ?? object;
    const definition = new RegExp(`^\\s*(?:async\\s+)?(?:def|class)\\s+${name}\\b`);
    let start = source.findIndex((line) => definition.test(line));
    if (start < 0) {
        // The module's own docstring, when the object is the module.
        if (name !== moduleName(file))
            return undefined;
        start = 0;
    }
    for (let i = start; i < Math.min(source.length, start + 60); i++) {
        const line = source[i] ?? '';
        if (/^\s*[rRuU]?("""|''')/.test(line))
            return i + docLine;
        if (i > start && /^\s*(?:async\s+)?(?:def|class)\s/.test(line))
            break;
    }
    return undefined;
}
const warnings_SKIPPED_DIRS = new Set([
    'node_modules',
    'site-packages',
    '__pycache__',
    '_build'
]);
/** Every Python file of the workspace (hidden directories, builds and installed packages aside). */
function pythonFiles(workspace) {
    const files = [];
    const walk = (dir, depth) => {
        if (depth > 8)
            return;
        let entries;
        try {
            entries = external_node_fs_.readdirSync(dir, { withFileTypes: true });
        }
        catch {
            return;
        }
        for (const entry of entries) {
            const full = external_node_path_.join(dir, entry.name);
            if (entry.isDirectory()) {
                if (entry.name.startsWith('.') || warnings_SKIPPED_DIRS.has(entry.name))
                    continue;
                walk(full, depth + 1);
            }
            else if (entry.name.endsWith('.py'))
                files.push(full);
        }
    };
    walk(workspace, 0);
    return files.sort();
}
/**
 * Where the docstring of `object` really is when Sphinx names a module that
 * only re-exports it: the workspace's files whose path ends like the
 * object's module (`catalog/views.py`), tried from the longest module path.
 */
function findDefinition(object, docLine, files) {
    const parts = object.split('.');
    for (let k = parts.length; k >= 1; k--) {
        const module = parts.slice(0, k).join('/');
        const endings = [`/${module}.py`, `/${module}/__init__.py`];
        for (const file of files()) {
            const posixFile = file.split(external_node_path_.sep).join('/');
            if (!endings.some((ending) => posixFile.endsWith(ending)))
                continue;
            const line = docstringLine(file, object, docLine);
            if (line !== undefined)
                return { file, line };
        }
    }
    return undefined;
}
const AUTO_DIRECTIVE = /^\s*\.\. auto\w+::\s*(?<target>\S+)\s*$/;
/** The first `.. auto…:: name` directive in the docs' sources, as a place. */
function findDirective(docsDir, target) {
    const stack = [docsDir];
    while (stack.length > 0) {
        const dir = stack.pop();
        let entries;
        try {
            entries = external_node_fs_.readdirSync(dir, { withFileTypes: true });
        }
        catch {
            continue;
        }
        for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
            const full = external_node_path_.join(dir, entry.name);
            if (entry.isDirectory()) {
                if (!entry.name.startsWith('_') && !entry.name.startsWith('.'))
                    stack.push(full);
                continue;
            }
            if (!/\.(rst|txt|md)$/.test(entry.name))
                continue;
            const lines = external_node_fs_.readFileSync(full, 'utf8').split(/\r?\n/);
            const index = lines.findIndex((line) => AUTO_DIRECTIVE.exec(line)?.groups?.['target'] === target);
            if (index >= 0)
                return { file: full, line: index + 1 };
        }
    }
    return undefined;
}
const IMPORT_FAILURE = /autodoc: failed to import (?:\w+ )?'(?<name>[^']+)'(?: from module '(?<module>[^']+)')?/;
/** The exception an import failure ended with (`ModuleNotFoundError: …`). */
function importFailure(warning) {
    const match = IMPORT_FAILURE.exec(warning.message)?.groups;
    const name = match?.['name'];
    if (!name)
        return undefined;
    const module = match['module'];
    const target = module ? `${module}.${name}` : name;
    const lines = warning.detail.split('\n').filter((l) => /^\w/.test(l));
    const exception = lines.reverse().find((l) => /^[\w.]+(Error|Exception|Exit)\b/.test(l)) ??
        lines[0] ??
        '';
    return { target, exception };
}
/**
 * Gives each warning its best place: a docstring's line in its file, an import
 * failure at its directive. Files stay absolute; `relativeTo` makes them
 * workspace-relative for annotations.
 */
function locateWarnings(warnings, docsDir, workspace) {
    let files;
    const workspaceFiles = () => (files ??= pythonFiles(workspace));
    return warnings.map((warning) => {
        if (warning.file && warning.docstringOf && warning.line) {
            const { docstringOf, line: docLine } = warning;
            const line = docstringLine(warning.file, docstringOf, docLine);
            if (line !== undefined)
                return { ...warning, line };
            const found = findDefinition(docstringOf, docLine, workspaceFiles);
            return found ? { ...warning, ...found } : { ...warning, line: undefined };
        }
        const failure = importFailure(warning);
        if (!warning.file && failure) {
            const found = findDirective(docsDir, failure.target);
            if (found)
                return { ...warning, ...found };
        }
        return warning;
    });
}
/** `file` relative to the workspace, or `undefined` when it is outside it (site-packages). */
function workspaceRelative(workspace, file) {
    if (!file || !external_node_path_.isAbsolute(file))
        return file;
    if (!(0,src/* isInside */.FK)(workspace, file))
        return undefined;
    return external_node_path_.relative(workspace, file).split(external_node_path_.sep).join('/');
}
/** One line for an annotation or a table: the message, and an import failure's exception. */
function describeWarning(warning) {
    const failure = importFailure(warning);
    if (failure) {
        return `autodoc could not import '${failure.target}': ${failure.exception}`;
    }
    return warning.message;
}

;// CONCATENATED MODULE: ./src/build.ts
/**
 * sphinx-build: the chosen builder into `<docs-dir>/_build/<builder>`, the
 * doctrees (Sphinx's environment pickle) kept in `<docs-dir>/_build/doctrees`
 * so that the next build only reads what changed, `-W --keep-going` to report
 * every warning before failing, `-n` for nitpicky references, and the
 * warnings written to a file that is read back as findings. The link check is
 * a second, separate `linkcheck` build over the same doctrees.
 */







const HTML_BUILDERS = ['html', 'dirhtml', 'singlehtml'];
/** Pages Sphinx adds beside the documents. */
const GENERATED_PAGES = new Set([
    'genindex.html',
    'search.html',
    'py-modindex.html'
]);
/** Marks a failure of sphinx-apidoc run before the build, in the same process. */
const APIDOC_FAILED = 97;
/** A Python string literal holding `text`. */
function pyString(text) {
    return JSON.stringify(text);
}
/**
 * The Python arguments that run `sphinx.cmd.build` with `args`: after the
 * sphinx-apidoc runs given (their `main(argv)`, in the same process) and with
 * Django set up first when asked.
 */
function sphinxCommand(args, djangoSettings, apidocRuns = []) {
    if (!djangoSettings && apidocRuns.length === 0) {
        return ['-m', 'sphinx', ...args];
    }
    const lines = ['import json, sys'];
    if (apidocRuns.length > 0) {
        lines.push('from sphinx.ext.apidoc import main as apidoc', `for argv in json.loads(${pyString(JSON.stringify(apidocRuns))}):`, '    code = apidoc(argv)', '    if code:', `        print("sphinx-apidoc exited with", code, file=sys.stderr)`, `        sys.exit(${APIDOC_FAILED})`, 'sys.stdout.flush()');
    }
    if (djangoSettings)
        lines.push('import django', 'django.setup()');
    lines.push('from sphinx.cmd.build import main', 'sys.exit(main(sys.argv[1:]))');
    return ['-c', lines.join('\n'), ...args];
}
function countFiles(dir, accept) {
    let count = 0;
    const walk = (current) => {
        let entries;
        try {
            entries = external_node_fs_.readdirSync(current, { withFileTypes: true });
        }
        catch {
            return;
        }
        for (const entry of entries) {
            const full = external_node_path_.join(current, entry.name);
            if (entry.isDirectory())
                walk(full);
            else if (accept(external_node_path_.relative(dir, full)))
                count++;
        }
    };
    walk(dir);
    return count;
}
/** The pages of an HTML site (not its assets, highlighted sources or generated indices), else the documents read. */
function countPages(builder, outDir, doctreeDir) {
    if (HTML_BUILDERS.includes(builder)) {
        return countFiles(outDir, (relative) => {
            const parts = relative.split(external_node_path_.sep);
            return (relative.endsWith('.html') &&
                !parts.some((part) => part.startsWith('_') || part.startsWith('.')) &&
                !GENERATED_PAGES.has(relative));
        });
    }
    return countFiles(doctreeDir, (relative) => relative.endsWith('.doctree'));
}
/** Kept beside the doctrees: what the last build saw. */
const STATE_FILE = '.shipyard-sphinx-docs.json';
/** A hash of every Python file of the workspace, paths and contents. */
function pythonFingerprint(workspace) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    for (const file of pythonFiles(workspace)) {
        hash.update(`${external_node_path_.relative(workspace, file)}\0`);
        hash.update(external_node_fs_.readFileSync(file));
        hash.update('\0');
    }
    return hash.digest('hex');
}
/**
 * Why the saved environment (doctrees) must not be reused, or `undefined`
 * when it may. Sphinx re-reads only the documents it sees changed, and does
 * not repeat their warnings: after a build with warnings, or when Python code
 * changed (autodoc follows only the module it imported, not the code that
 * module re-exports), every document is read again (`-E`).
 */
function staleEnvironment(doctreeDir, fingerprint) {
    const file = external_node_path_.join(doctreeDir, STATE_FILE);
    if (!external_node_fs_.existsSync(external_node_path_.join(doctreeDir, 'environment.pickle')))
        return undefined;
    let state;
    try {
        state = JSON.parse(external_node_fs_.readFileSync(file, 'utf8'));
    }
    catch {
        return 'no record of the previous build';
    }
    if (state.warnings > 0) {
        return `the previous build had ${state.warnings} warning(s), which Sphinx would not repeat`;
    }
    if (state.python !== fingerprint)
        return 'the Python sources changed';
    return undefined;
}
function tail(text, lines = 15) {
    return text.trim().split('\n').slice(-lines).join('\n');
}
async function runBuild(request) {
    const buildRoot = external_node_path_.join(request.docsDir, '_build');
    const outDir = external_node_path_.join(buildRoot, request.builder);
    const doctreeDir = external_node_path_.join(buildRoot, 'doctrees');
    const temp = process.env['RUNNER_TEMP'] || external_node_os_.tmpdir();
    external_node_fs_.mkdirSync(temp, { recursive: true });
    const scratch = external_node_fs_.mkdtempSync(external_node_path_.join(temp, 'sphinx-warnings-'));
    const warningsFile = external_node_path_.join(scratch, 'warnings.txt');
    const args = ['-b', request.builder, '-d', doctreeDir, '-w', warningsFile];
    if (request.warningsAsErrors)
        args.push('-W', '--keep-going');
    if (request.nitpicky)
        args.push('-n');
    const fingerprint = pythonFingerprint(request.workspace);
    const stale = staleEnvironment(doctreeDir, fingerprint);
    if (stale) {
        core/* info */.pq(`Reading every document again (-E): ${stale}.`);
        args.push('-E');
    }
    args.push(request.docsDir, outDir);
    const started = Date.now();
    try {
        const result = await (0,src/* exec */.m0)(request.python, sphinxCommand(args, request.djangoSettings, request.apidocRuns), { cwd: request.workspace, env: request.env });
        if (result.exitCode === APIDOC_FAILED) {
            throw new Error(`sphinx-apidoc failed: ${tail(result.stderr, 5).split('\n').join(' ')}`);
        }
        const text = external_node_fs_.existsSync(warningsFile)
            ? external_node_fs_.readFileSync(warningsFile, 'utf8')
            : '';
        if (external_node_fs_.existsSync(doctreeDir)) {
            const state = {
                warnings: parseWarnings(text).length || (result.exitCode === 0 ? 0 : 1),
                python: fingerprint
            };
            external_node_fs_.writeFileSync(external_node_path_.join(doctreeDir, STATE_FILE), JSON.stringify(state));
        }
        const warnings = locateWarnings(parseWarnings(text), request.docsDir, request.workspace);
        return {
            exitCode: result.exitCode,
            outDir,
            doctreeDir,
            warnings,
            pages: countPages(request.builder, outDir, doctreeDir),
            errorTail: result.exitCode === 0 ? '' : tail(result.stderr),
            stdout: result.stdout,
            durationMs: Date.now() - started
        };
    }
    finally {
        external_node_fs_.rmSync(scratch, { recursive: true, force: true });
    }
}
/** Reads linkcheck's `output.json` (one JSON object a line). */
function parseLinkcheck(text, docsDir) {
    const broken = [];
    let checked = 0;
    for (const line of text.split('\n')) {
        if (!line.trim())
            continue;
        let entry;
        try {
            entry = JSON.parse(line);
        }
        catch {
            continue;
        }
        checked++;
        const text = (key) => {
            const value = entry[key];
            return typeof value === 'string' || typeof value === 'number'
                ? String(value)
                : '';
        };
        const status = text('status');
        if (status !== 'broken' && status !== 'timeout')
            continue;
        const lineno = Number(entry['lineno']);
        broken.push({
            file: external_node_path_.resolve(docsDir, text('filename')),
            line: Number.isInteger(lineno) && lineno > 0 ? lineno : undefined,
            uri: text('uri'),
            status,
            info: text('info')
        });
    }
    return { exitCode: 0, broken, checked };
}
async function runLinkcheck(request) {
    const buildRoot = external_node_path_.join(request.docsDir, '_build');
    const outDir = external_node_path_.join(buildRoot, 'linkcheck');
    const args = [
        '-b',
        'linkcheck',
        '-d',
        external_node_path_.join(buildRoot, 'doctrees'),
        request.docsDir,
        outDir
    ];
    const result = await (0,src/* exec */.m0)(request.python, sphinxCommand(args, request.djangoSettings), { cwd: request.workspace, env: request.env });
    const file = external_node_path_.join(outDir, 'output.json');
    const text = external_node_fs_.existsSync(file) ? external_node_fs_.readFileSync(file, 'utf8') : '';
    return { ...parseLinkcheck(text, request.docsDir), exitCode: result.exitCode };
}

// EXTERNAL MODULE: ./src/constants.ts
var constants = __webpack_require__(731);
// EXTERNAL MODULE: ./src/input-helper.ts
var input_helper = __webpack_require__(367);
;// CONCATENATED MODULE: ./src/python-env.ts
/**
 * The Python environment Sphinx runs in. An interpreter that is already a
 * virtual environment with Sphinx (the `python` input pointing at a project's
 * `.venv`) is used as it is. Otherwise the docs requirements are installed into
 * a virtual environment under `RUNNER_TEMP`, named after a hash of the
 * interpreter and the requirement files, so that a second run in the same job
 * reuses it; pip's own download cache (`PIP_CACHE_DIR`, else pip's default)
 * makes a fresh one quick when actions/cache or setup-python's `cache: pip`
 * keeps it between jobs.
 */






/** Where the docs requirements are looked for when `requirements` is empty, in this order (after `requirements.txt` in docs-dir). */
const REQUIREMENTS_CANDIDATES = [
    'docs/requirements.txt',
    'doc/requirements.txt',
    'requirements-docs.txt',
    'requirements/docs.txt'
];
const READY_STAMP = '.shipyard-ready';
const PROBE = [
    'import json, sys',
    'try:',
    '    import sphinx',
    '    v = sphinx.__version__',
    'except Exception:',
    '    v = None',
    'print(json.dumps({"version": "%d.%d.%d" % sys.version_info[:3], "executable": sys.executable, "venv": sys.prefix != sys.base_prefix, "sphinx": v}))'
].join('\n');
/** The command or path of the interpreter a request names. */
function interpreterOf(request) {
    return request.kind === 'version' ? `python${request.version}` : request.path;
}
async function probe(python) {
    if (!python.includes('/') && !python.includes('\\')) {
        if (!(await (0,src/* which */.K7)(python))) {
            throw new src/* ConfigurationError */.j1(`Python interpreter '${python}' was not found on PATH (input 'python'). Install it (actions/setup-python) or give an interpreter path.`);
        }
    }
    let result;
    try {
        result = await (0,src/* exec */.m0)(python, ['-c', PROBE], { silent: true });
    }
    catch (error) {
        throw new src/* ConfigurationError */.j1(`Python interpreter '${python}' could not be run (input 'python'): ${(0,src/* errorMessage */.gJ)(error)}`);
    }
    const line = result.stdout.trim().split('\n').pop() ?? '';
    if (result.exitCode !== 0 || !line.startsWith('{')) {
        throw new src/* ConfigurationError */.j1(`Python interpreter '${python}' did not run (exit code ${result.exitCode}): ${result.stderr.trim().slice(-500)}`);
    }
    return JSON.parse(line);
}
/** The requirement files to install: those given, else the first docs requirements file found. */
function docsRequirements(given, workspace, docsDir) {
    if (given.length > 0)
        return [...given];
    const candidates = [
        external_node_path_.join(docsDir, 'requirements.txt'),
        ...REQUIREMENTS_CANDIDATES.map((c) => external_node_path_.join(workspace, c))
    ];
    const found = candidates.find((file) => (0,src/* isFile */.fo)(file));
    return found ? [found] : [];
}
function venvPython(dir) {
    return process.platform === 'win32'
        ? external_node_path_.join(dir, 'Scripts', 'python.exe')
        : external_node_path_.join(dir, 'bin', 'python');
}
/** A short hash of the interpreter and of every requirement file's name and content. */
function environmentKey(probed, requirements, workspace) {
    const hash = (0,external_node_crypto_.createHash)('sha256');
    hash.update(`${probed.executable}\0${probed.version}\0`);
    for (const file of requirements) {
        hash.update(`${external_node_path_.relative(workspace, file)}\0`);
        hash.update(external_node_fs_.readFileSync(file));
        hash.update('\0');
    }
    if (requirements.length === 0)
        hash.update('sphinx');
    return hash.digest('hex').slice(0, 16);
}
async function pipInstall(python, requirements, workspace) {
    const args = ['-m', 'pip', 'install', '--disable-pip-version-check'];
    if (requirements.length === 0)
        args.push('sphinx');
    for (const file of requirements)
        args.push('-r', file);
    core/* info */.pq(`pip's download cache: ${process.env['PIP_CACHE_DIR'] || "pip's default (~/.cache/pip on Linux)"}`);
    const result = await (0,src/* exec */.m0)(python, args, { cwd: workspace });
    if (result.exitCode !== 0) {
        const what = requirements.length > 0
            ? requirements.map((f) => external_node_path_.relative(workspace, f)).join(', ')
            : 'sphinx';
        throw new Error(`pip could not install the docs requirements (${what}), exit code ${result.exitCode}: ${result.stderr.trim().split('\n').slice(-5).join(' ')}`);
    }
}
async function sphinxVersionOf(python) {
    const probed = await probe(python);
    if (!probed.sphinx) {
        throw new src/* ConfigurationError */.j1(`Sphinx is not importable by ${python} after installing the docs requirements: add Sphinx to them.`);
    }
    return probed.sphinx;
}
async function prepareEnvironment(request) {
    const interpreter = interpreterOf(request.python);
    const probed = await probe(interpreter);
    const requirements = docsRequirements(request.requirements, request.workspace, request.docsDir);
    if (probed.venv) {
        if (probed.sphinx) {
            core/* info */.pq(`Using the virtual environment of ${interpreter} as it is (Python ${probed.version}, Sphinx ${probed.sphinx}); nothing installed.`);
            return {
                python: interpreter,
                sphinxVersion: probed.sphinx,
                pythonVersion: probed.version,
                origin: 'given',
                location: interpreter,
                requirements: []
            };
        }
        core/* info */.pq(`${interpreter} is a virtual environment without Sphinx: installing the docs requirements into it.`);
        await pipInstall(interpreter, requirements, request.workspace);
        return {
            python: interpreter,
            sphinxVersion: await sphinxVersionOf(interpreter),
            pythonVersion: probed.version,
            origin: 'given',
            location: interpreter,
            requirements
        };
    }
    const root = external_node_path_.join(process.env['RUNNER_TEMP'] || external_node_os_.tmpdir(), 'shipyard-sphinx-docs');
    const dir = external_node_path_.join(root, `venv-${environmentKey(probed, requirements, request.workspace)}`);
    const python = venvPython(dir);
    if ((0,src/* isFile */.fo)(external_node_path_.join(dir, READY_STAMP)) && (0,src/* isFile */.fo)(python)) {
        core/* info */.pq(`Reusing the docs environment ${dir} (same interpreter and requirements).`);
        return {
            python,
            sphinxVersion: await sphinxVersionOf(python),
            pythonVersion: probed.version,
            origin: 'reused',
            location: dir,
            requirements
        };
    }
    external_node_fs_.rmSync(dir, { recursive: true, force: true });
    external_node_fs_.mkdirSync(root, { recursive: true });
    core/* info */.pq(`Creating the docs environment ${dir} with Python ${probed.version}`);
    const venv = await (0,src/* exec */.m0)(interpreter, ['-m', 'venv', dir]);
    if (venv.exitCode !== 0) {
        throw new Error(`${interpreter} -m venv failed (exit code ${venv.exitCode}): ${venv.stderr.trim().slice(-500)}`);
    }
    await pipInstall(python, requirements, request.workspace);
    const sphinxVersion = await sphinxVersionOf(python);
    external_node_fs_.writeFileSync(external_node_path_.join(dir, READY_STAMP), `${sphinxVersion}\n`);
    return {
        python,
        sphinxVersion,
        pythonVersion: probed.version,
        origin: 'created',
        location: dir,
        requirements
    };
}

;// CONCATENATED MODULE: ./src/rtd.ts
/**
 * Read the Docs API v3: trigger the build of a version, then follow it until
 * it is final. `success` stays null until the build is `finished` (or
 * `cancelled`), and `error` is always empty: a failure is read from `success`
 * and from the commands' exit codes, and the failing command is kept with the
 * end of its output.
 */


const FINAL_STATES = ['finished', 'cancelled'];
const OUTPUT_TAIL_LINES = 20;
const sleepFor = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** The end of a command's output. */
function outputTail(output, lines = OUTPUT_TAIL_LINES) {
    return output.replace(/\s+$/, '').split(/\r?\n/).slice(-lines).join('\n');
}
/** The result of a final build, from `success` and, failing that, the exit codes. */
function verdict(build) {
    const state = build.state?.code ?? '';
    const failed = (build.commands ?? []).some((c) => typeof c.exit_code === 'number' && c.exit_code !== 0);
    if (state === 'cancelled')
        return 'cancelled';
    if (!FINAL_STATES.includes(state))
        return undefined;
    if (build.success === true)
        return 'success';
    if (build.success === false || failed)
        return 'failure';
    return 'success';
}
function failedCommand(build) {
    const command = (build.commands ?? []).find((c) => typeof c.exit_code === 'number' && c.exit_code !== 0);
    if (!command)
        return undefined;
    return {
        command: command.command,
        exitCode: command.exit_code ?? 1,
        outputTail: outputTail(command.output ?? '')
    };
}
class ReadTheDocsClient {
    settings;
    http;
    options;
    constructor(settings, options = {}) {
        this.settings = settings;
        this.http = new src/* HttpClient */.Qq({
            service: 'Read the Docs',
            baseUrl: settings.apiUrl,
            headers: { authorization: `Token ${settings.token}` },
            userAgent: 'shipyard-sphinx-docs',
            ...options.http
        });
        this.options = {
            pollMs: options.pollMs ?? 1000,
            maxPollMs: options.maxPollMs ?? 15_000,
            sleep: options.sleep ?? sleepFor,
            now: options.now ?? Date.now
        };
    }
    get projectPath() {
        return `projects/${encodeURIComponent(this.settings.project)}`;
    }
    /** The build's page, from its `urls.build`, else guessed from the API's host. */
    buildUrl(build) {
        if (build.urls?.build)
            return build.urls.build;
        const host = new URL(this.settings.apiUrl.toString());
        return `${host.origin}/projects/${this.settings.project}/builds/${build.id}/`;
    }
    async trigger() {
        const { project, version } = this.settings;
        try {
            const response = await this.http.post(`${this.projectPath}/versions/${encodeURIComponent(version)}/builds/`, { accept: [202] });
            const build = response.data?.build;
            if (!build || typeof build.id !== 'number') {
                throw new src/* HttpError */.j$(`Read the Docs answered ${response.status} to the build trigger without a build id`, response.status, 'Read the Docs');
            }
            return build;
        }
        catch (error) {
            if (error instanceof src/* HttpError */.j$ && error.status !== undefined) {
                const hint = {
                    401: `the token in rtd-token was refused`,
                    403: `the token's user is not a maintainer of the project '${project}'`,
                    404: `there is no project '${project}' with a version '${version}' (check rtd-project and rtd-version, and that the version is active)`
                };
                const why = hint[error.status];
                if (why) {
                    throw new src/* ConfigurationError */.j1(`Read the Docs did not start the build: ${why}. ${error.message}`);
                }
            }
            throw error;
        }
    }
    async get(id) {
        const response = await this.http.get(`${this.projectPath}/builds/${id}/`);
        if (!response.data || typeof response.data !== 'object') {
            throw new src/* HttpError */.j$(`Read the Docs answered ${response.status} to GET ${this.projectPath}/builds/${id}/ without a build`, response.status, 'Read the Docs');
        }
        return response.data;
    }
    /** Triggers the build and, when asked, follows it until it is final or the time is up. */
    async publish() {
        const { wait, timeoutMs } = this.settings;
        const { sleep, now, maxPollMs } = this.options;
        const started = now();
        let build = await this.trigger();
        const states = [];
        const seen = (b) => {
            const code = b.state?.code ?? 'unknown';
            if (states[states.length - 1] !== code) {
                states.push(code);
                core/* info */.pq(`Read the Docs build ${b.id}: ${code}`);
            }
        };
        seen(build);
        const outcome = (status) => ({
            buildId: build.id,
            status,
            url: this.buildUrl(build),
            documentationUrl: build.urls?.documentation,
            states,
            durationS: build.duration ?? undefined,
            failedCommand: status === 'failure' ? failedCommand(build) : undefined
        });
        core/* info */.pq(`Read the Docs build ${build.id} triggered: ${this.buildUrl(build)}`);
        if (!wait)
            return outcome('triggered');
        let pause = this.options.pollMs;
        for (;;) {
            const final = verdict(build);
            if (final)
                return outcome(final);
            const left = started + timeoutMs - now();
            if (left <= 0)
                return outcome('timeout');
            await sleep(Math.min(pause, left));
            pause = Math.min(maxPollMs, Math.round(pause * 1.5));
            if (now() - started >= timeoutMs) {
                // One last look: it may have finished while we waited.
                build = await this.get(build.id);
                seen(build);
                return outcome(verdict(build) ?? 'timeout');
            }
            build = await this.get(build.id);
            seen(build);
        }
    }
}

;// CONCATENATED MODULE: ./src/summary.ts
/**
 * The job summary: the build's result, pages and modules, every warning with
 * its place, broken links, and the Read the Docs build with its links and,
 * when it failed, the failing command and the end of its output.
 */


/** Warnings listed in the summary; the count says how many there were in all. */
const SUMMARY_WARNINGS = 200;
const rel = (workspace, file) => workspaceRelative(workspace, file) ?? file;
function where(workspace, file, line) {
    if (!file)
        return '';
    return `${rel(workspace, file)}${line ? `:${line}` : ''}`;
}
function rtdSection(rtd) {
    const icon = {
        success: '✅',
        failure: '❌',
        cancelled: '⛔',
        timeout: '⏱️',
        triggered: '🚀'
    };
    const rows = [
        ['build', `[#${rtd.buildId}](${rtd.url})`],
        ['result', `${icon[rtd.status] ?? ''} ${rtd.status}`],
        ['states', rtd.states.join(' → ')]
    ];
    if (rtd.durationS !== undefined)
        rows.push(['duration', `${rtd.durationS} s`]);
    if (rtd.documentationUrl) {
        rows.push(['documentation', `<${rtd.documentationUrl}>`]);
    }
    const parts = ['### Read the Docs', (0,src/* table */.tp)(['', ''], rows)];
    if (rtd.failedCommand) {
        parts.push(`The command that failed (exit code ${rtd.failedCommand.exitCode}):`, (0,src/* codeBlock */.DV)(rtd.failedCommand.command, 'sh'), 'The end of its output:', (0,src/* codeBlock */.DV)(rtd.failedCommand.outputTail || '(no output)'));
    }
    else if (rtd.status === 'failure') {
        parts.push(`Read the Docs reports the build failed without naming the command: see [its page](${rtd.url}).`);
    }
    return parts.join('\n\n');
}
function summaryMarkdown(input) {
    const { build, workspace } = input;
    const htmlDir = rel(workspace, build.outDir);
    const result = input.failed ? '❌ failed' : '✅ built';
    const sections = [
        `## sphinx-docs: ${result}`,
        (0,src/* table */.tp)(['', ''], [
            [
                'builder',
                `${input.builder}${input.warningsAsErrors ? ' (warnings as errors)' : ''}`
            ],
            ['pages', String(build.pages)],
            ['modules documented', String(input.modules.length)],
            ['warnings', String(build.warnings.length)],
            ['output', `\`${htmlDir}\``],
            ['Sphinx', `${input.sphinxVersion} (${input.environment})`],
            ['build time', `${(build.durationMs / 1000).toFixed(1)} s`]
        ])
    ];
    if (input.bootstrapped.length > 0) {
        sections.push(`> [!NOTE]\n> There was no \`conf.py\`: a minimal Sphinx project was generated and built (${input.bootstrapped.map((f) => `\`${rel(workspace, f)}\``).join(', ')}). Commit it and make it yours.`);
    }
    if (build.warnings.length > 0) {
        const shown = build.warnings.slice(0, SUMMARY_WARNINGS);
        const rows = shown.map((w) => [
            where(workspace, w.file, w.line) || '(no location)',
            w.type ?? '',
            describeWarning(w)
        ]);
        const more = build.warnings.length > shown.length
            ? `\n\n…and ${build.warnings.length - shown.length} more.`
            : '';
        sections.push(`### Warnings\n\n${(0,src/* table */.tp)(['where', 'type', 'message'], rows)}${more}`);
    }
    if (input.failed && build.errorTail && build.warnings.length === 0) {
        sections.push(`### sphinx-build failed (exit code ${build.exitCode})\n\n${(0,src/* codeBlock */.DV)(build.errorTail)}`);
    }
    if (input.linkcheck) {
        const { broken, checked, strict } = input.linkcheck;
        const head = `### Links: ${checked} checked, ${broken.length} broken${strict ? '' : ' (reported, not failing)'}`;
        sections.push(broken.length === 0
            ? head
            : `${head}\n\n${(0,src/* table */.tp)(['where', 'link', 'status', 'detail'], broken.map((b) => [
                where(workspace, b.file, b.line),
                b.uri,
                b.status,
                b.info
            ]))}`);
    }
    if (input.modules.length > 0) {
        sections.push((0,src/* details */.zH)(`Modules documented (${input.modules.length}) from ${input.apidocSources.map((s) => rel(workspace, s) || '.').join(', ')}`, input.modules.map((m) => `- \`${m}\``).join('\n')));
    }
    if (input.rtd)
        sections.push(rtdSection(input.rtd));
    else if (input.rtdSkipped) {
        sections.push(`### Read the Docs\n\n${input.rtdSkipped}`);
    }
    return sections.join('\n\n');
}

;// CONCATENATED MODULE: ./src/main.ts
/**
 * sphinx-docs: the docs environment, a generated project when asked and
 * needed, sphinx-apidoc, the strict Sphinx build with every warning annotated
 * at its file and line, the link check, the outputs and the summary, then the
 * Read the Docs build, waited for. The step fails after the summary is
 * written, so a failure always comes with its explanation.
 */













/** The environment Sphinx runs with: the documented modules importable, Django's settings when given. */
function sphinxEnv(inputs, importRoots) {
    const env = {};
    const roots = [...importRoots];
    if (process.env['PYTHONPATH'])
        roots.push(process.env['PYTHONPATH']);
    if (roots.length > 0)
        env['PYTHONPATH'] = roots.join(external_node_path_.delimiter);
    if (inputs.djangoSettings) {
        env['DJANGO_SETTINGS_MODULE'] = inputs.djangoSettings;
    }
    return env;
}
async function main(given) {
    // The entry reads the inputs before loading this module, and passes them.
    const inputs = given ?? (await core/* group */.Os('Inputs', () => Promise.resolve((0,input_helper/* getInputs */.G)())));
    const { workspace } = inputs;
    const relative = (file) => workspaceRelative(workspace, file) ?? file;
    const environment = await core/* group */.Os('Python environment', () => prepareEnvironment({
        python: inputs.python,
        requirements: inputs.requirements,
        workspace,
        docsDir: inputs.docsDir
    }));
    // The packages sphinx-apidoc documents, and where they are imported from.
    const packages = inputs.sourceDir
        ? [inputs.sourceDir]
        : projectPackages(workspace, inputs.docsDir);
    const importRoots = packages.length === 0 ? [] : [inputs.sourceDir ?? workspace];
    const env = sphinxEnv(inputs, [...new Set([...importRoots, workspace])]);
    let bootstrapped = [];
    if (inputs.bootstrap && !(0,src/* isFile */.fo)(external_node_path_.join(inputs.docsDir, 'conf.py'))) {
        bootstrapped = bootstrapProject({
            workspace,
            docsDir: inputs.docsDir,
            sourceDir: importRoots[0],
            apidocOutput: packages.length > 0 ? inputs.apidocOutput : undefined
        }).files;
        core/* notice */.lm(`There was no conf.py in ${relative(inputs.docsDir)}: generated a minimal Sphinx project (${bootstrapped.map(relative).join(', ')}) and built it. Commit it to keep it.`, { title: 'Sphinx project generated' });
    }
    const plan = planApidoc({
        workspace,
        docsDir: inputs.docsDir,
        sourceDir: inputs.sourceDir,
        output: inputs.apidocOutput,
        exclude: inputs.apidocExclude,
        options: inputs.apidocOptions,
        sphinxVersion: environment.sphinxVersion
    });
    const buildRequest = {
        python: environment.python,
        workspace,
        docsDir: inputs.docsDir,
        builder: inputs.builder,
        warningsAsErrors: inputs.warningsAsErrors,
        nitpicky: inputs.nitpicky,
        env,
        djangoSettings: inputs.djangoSettings
    };
    const title = 'runs' in plan
        ? `sphinx-apidoc, then sphinx-build -b ${inputs.builder}`
        : `sphinx-build -b ${inputs.builder}`;
    const build = await core/* group */.Os(title, () => runBuild({
        ...buildRequest,
        apidocRuns: 'runs' in plan ? plan.runs : []
    }));
    const apidoc = 'runs' in plan ? plan.finish(build.stdout) : plan.result;
    const failed = build.exitCode !== 0;
    const annotator = new src/* Annotator */.bO();
    const kind = inputs.warningsAsErrors ? 'error' : 'warning';
    for (const warning of build.warnings) {
        annotator.add({
            kind,
            title: `Sphinx ${warning.level.toLowerCase()}${warning.type ? ` [${warning.type}]` : ''}`,
            message: describeWarning(warning),
            file: workspaceRelative(workspace, warning.file),
            line: warning.line
        });
    }
    let linkcheck;
    if (inputs.linkcheck !== 'off' && !failed) {
        const strict = inputs.linkcheck === 'fail';
        const result = await core/* group */.Os('sphinx-build -b linkcheck', () => runLinkcheck(buildRequest));
        linkcheck = { ...result, strict };
        for (const link of result.broken) {
            annotator.add({
                kind: strict ? 'error' : 'warning',
                title: `Broken link (${link.status})`,
                message: `${link.uri}${link.info ? `: ${link.info}` : ''}`,
                file: workspaceRelative(workspace, link.file),
                line: link.line
            });
        }
    }
    const linksFailed = (linkcheck?.strict ?? false) && linkcheck.broken.length > 0;
    core/* setOutput */.uH(constants/* Outputs */.tY.HtmlDir, build.outDir);
    core/* setOutput */.uH(constants/* Outputs */.tY.Warnings, String(build.warnings.length));
    core/* setOutput */.uH(constants/* Outputs */.tY.Pages, String(build.pages));
    core/* setOutput */.uH(constants/* Outputs */.tY.ModulesDocumented, String(apidoc.modules.length));
    const index = external_node_path_.join(build.outDir, 'index.html');
    if (!failed && external_node_fs_.existsSync(index)) {
        core/* info */.pq(`The site is in ${relative(build.outDir)}: open ${relative(index)}`);
    }
    let rtd;
    let rtdSkipped;
    if (!inputs.readTheDocs) {
        rtdSkipped = 'Not called: no `rtd-project` (and `rtd-token`) given.';
        core/* notice */.lm('Read the Docs was not called: rtd-project is empty.', {
            title: 'Read the Docs skipped'
        });
    }
    else if (failed || linksFailed) {
        rtdSkipped = 'Not called: the local build failed, so would its.';
    }
    else {
        const client = new ReadTheDocsClient(inputs.readTheDocs);
        rtd = await core/* group */.Os('Read the Docs', () => client.publish());
        core/* setOutput */.uH(constants/* Outputs */.tY.RtdBuildId, String(rtd.buildId));
        core/* setOutput */.uH(constants/* Outputs */.tY.RtdStatus, rtd.status);
        core/* setOutput */.uH(constants/* Outputs */.tY.RtdUrl, rtd.url);
    }
    await (0,src/* writeSummary */.Sy)(summaryMarkdown({
        workspace,
        builder: inputs.builder,
        warningsAsErrors: inputs.warningsAsErrors,
        sphinxVersion: environment.sphinxVersion,
        environment: environment.origin === 'given'
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
    }), annotator.overflowMarkdown());
    if (failed) {
        const count = build.warnings.length;
        throw new Error(count > 0
            ? `The Sphinx build failed: ${count} warning(s)${inputs.warningsAsErrors ? ' treated as errors' : ''} (see the annotations and the job summary).`
            : `sphinx-build exited with code ${build.exitCode}: ${build.errorTail.split('\n').slice(-3).join(' ') || 'no error output'}`);
    }
    if (linksFailed) {
        throw new Error(`${linkcheck.broken.length} broken link(s) (linkcheck: strict; see the annotations).`);
    }
    if (rtd && rtd.status !== 'success' && rtd.status !== 'triggered') {
        const command = rtd.failedCommand
            ? `: \`${rtd.failedCommand.command}\` exited with ${rtd.failedCommand.exitCode}`
            : '';
        const what = rtd.status === 'timeout'
            ? `did not finish within ${Math.round(inputs.readTheDocs.timeoutMs / 1000)} s`
            : rtd.status === 'cancelled'
                ? 'was cancelled'
                : `failed${command}`;
        throw new Error(`The Read the Docs build ${rtd.buildId} ${what} (${rtd.url}).`);
    }
}


/***/ })

};

//# sourceMappingURL=659.index.js.map