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
export const INSPECT_PY = `
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
`

/** Prints the base interpreter's pip version, or nothing when it has no pip. */
export const PIP_VERSION_PY = `
try:
    import pip
except ImportError:
    pass
else:
    print(pip.__version__)
`

/**
 * A Django test runner (`manage.py test --testrunner …`) that also writes a
 * JUnit XML report, since Django's own runner writes none. Each test case
 * carries the file and line where it failed (the innermost frame in the
 * test's own module), so that the failure can be annotated there.
 */
export const DJANGO_JUNIT_RUNNER_PY = `
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
`

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
export const COVERAGE_RUN_PY = `
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
`

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
export const COVERAGE_REPORTS_PY = `
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
`
