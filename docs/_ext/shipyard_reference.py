"""Reference tables generated from the repository's own files at build time.

``.. action-reference:: ci-test`` reads ``actions/ci-test/action.yml`` and
renders its description, inputs and outputs; ``.. workflow-reference::
.github/workflows/pipeline.yml`` does the same for a reusable workflow's
``on.workflow_call`` inputs, secrets and outputs and the jobs' permissions.
Nothing in these tables is written by hand, so the docs cannot drift from
what the actions and the workflow accept.
"""

import re
from pathlib import Path

import yaml
from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

ROOT = Path(__file__).resolve().parents[2]


def _escape(text):
    """Plain text made safe for reST: no accidental emphasis or references."""
    text = text.replace("\\", "\\\\").replace("*", "\\*").replace("|", "\\|")
    return re.sub(r"(\w)_(?=\W|$)", r"\1\\_", text)


def _cell(value):
    """One line of reST inside a list-table cell; `code` spans kept literal."""
    if value is None or value == "":
        return "—"
    text = " ".join(str(value).split())
    parts = re.split(r"`([^`]+)`", text)
    out = []
    for index, part in enumerate(parts):
        if index % 2:
            out.append("\\ ``{}``\\ ".format(part.strip()))
        else:
            out.append(_escape(part))
    result = "".join(out).strip()
    if result.startswith("\\ "):
        result = result[2:]
    if result.endswith("\\"):
        result = result[:-1]
    return result.strip()


def _permissions(value):
    """`contents: read, deployments: write`, or the single word GitHub takes."""
    if isinstance(value, dict):
        return ", ".join("``{}: {}``".format(k, v) for k, v in value.items()) or "—"
    return _literal(value)


def _literal(value):
    if value is None or value == "":
        return "—"
    return "``{}``".format(str(value).replace("`", "'"))


def _list_table(headers, rows, widths):
    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: " + " ".join(str(w) for w in widths),
        "",
        "   * - " + headers[0],
    ]
    lines += ["     - " + header for header in headers[1:]]
    for row in rows:
        lines.append("   * - " + row[0])
        lines += ["     - " + cell for cell in row[1:]]
    lines.append("")
    return lines


class _GeneratedDirective(SphinxDirective):
    required_arguments = 1
    has_content = False

    def _read_yaml(self, relative):
        path = ROOT / relative
        if not path.is_file():
            # A missing file is no dependency (Sphinx would re-read the page
            # on every build); a full build (-E) picks it up once it exists.
            return None
        self.env.note_dependency(str(path))
        return yaml.safe_load(path.read_text(encoding="utf-8"))

    def _render(self, lines):
        container = nodes.container()
        content = StringList(lines, source="<generated>")
        self.state.nested_parse(content, self.content_offset, container)
        return container.children


class ActionReference(_GeneratedDirective):
    """The inputs and outputs of ``actions/<name>/action.yml``."""

    def run(self):
        name = self.arguments[0]
        relative = "actions/{}/action.yml".format(name)
        meta = self._read_yaml(relative)
        if meta is None:
            raise self.error("{} does not exist".format(relative))
        lines = [_cell(meta.get("description")), ""]
        lines += [
            "Use it as ``uses: <owner>/shipyard/actions/{}@v1``; it runs on ``{}``.".format(
                name, meta.get("runs", {}).get("using", "?")
            ),
            "",
            ".. rubric:: Inputs",
            "",
        ]
        inputs = meta.get("inputs") or {}
        lines += _list_table(
            ["Input", "Description", "Required", "Default"],
            [
                [
                    _literal(key),
                    _cell(spec.get("description")),
                    "yes" if spec.get("required") else "no",
                    _literal(spec.get("default")),
                ]
                for key, spec in inputs.items()
            ],
            [20, 55, 10, 15],
        )
        lines += [".. rubric:: Outputs", ""]
        outputs = meta.get("outputs") or {}
        if outputs:
            lines += _list_table(
                ["Output", "Description"],
                [
                    [_literal(key), _cell(spec.get("description"))]
                    for key, spec in outputs.items()
                ],
                [25, 75],
            )
        else:
            lines += ["None.", ""]
        return self._render(lines)


class WorkflowReference(_GeneratedDirective):
    """Inputs, secrets, outputs and permissions of a reusable workflow."""

    option_spec = {"missing": directives.unchanged}

    def run(self):
        relative = self.arguments[0]
        workflow = self._read_yaml(relative)
        if workflow is None:
            text = self.options.get("missing") or "{} is not in this version.".format(relative)
            return self._render([".. note::", "", "   " + text, ""])
        # YAML 1.1 reads the key `on` as True.
        triggers = workflow.get("on", workflow.get(True)) or {}
        call = (triggers.get("workflow_call") if isinstance(triggers, dict) else None) or {}
        lines = [".. rubric:: Inputs", ""]
        lines += _list_table(
            ["Input", "Type", "Description", "Default"],
            [
                [
                    _literal(k),
                    _cell(v.get("type")),
                    _cell(v.get("description")),
                    _literal(v.get("default")),
                ]
                for k, v in (call.get("inputs") or {}).items()
            ]
            or [["—", "—", "—", "—"]],
            [20, 10, 55, 15],
        )
        lines += [".. rubric:: Secrets", ""]
        lines += _list_table(
            ["Secret", "Required", "Description"],
            [
                [
                    _literal(k),
                    "yes" if (v or {}).get("required") else "no",
                    _cell((v or {}).get("description")),
                ]
                for k, v in (call.get("secrets") or {}).items()
            ]
            or [["—", "—", "—"]],
            [25, 10, 65],
        )
        lines += [".. rubric:: Outputs", ""]
        lines += _list_table(
            ["Output", "Description"],
            [
                [_literal(k), _cell(v.get("description"))]
                for k, v in (call.get("outputs") or {}).items()
            ]
            or [["—", "—"]],
            [25, 75],
        )
        lines += [".. rubric:: Permissions", ""]
        rows = [["(workflow)", _permissions(workflow.get("permissions"))]]
        for job, spec in (workflow.get("jobs") or {}).items():
            if spec.get("permissions") is not None:
                rows.append([_literal(job), _permissions(spec.get("permissions"))])
        lines += _list_table(["Job", "Permissions"], rows, [25, 75])
        return self._render(lines)


def setup(app):
    app.add_directive("action-reference", ActionReference)
    app.add_directive("workflow-reference", WorkflowReference)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
