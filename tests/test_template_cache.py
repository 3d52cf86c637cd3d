"""The Voila server compiles each page template once (issue #22 item 3): nbconvert makes a
new Jinja environment per page; the shared bytecode cache (kortools.serving.template_cache)
spares every later page the parse and compile, and an edited template is compiled again."""

from __future__ import annotations

import jinja2
import nbformat
from nbconvert.exporters.templateexporter import TemplateExporter

from kortools.serving import template_cache


def test_a_second_page_compiles_no_template_and_an_edit_is_seen(tmp_path, monkeypatch):
    assert template_cache.install()  # nbconvert is imported here, as in the Voila server
    monkeypatch.setattr(template_cache, "CACHE", template_cache.MemoryBytecodeCache())
    page = tmp_path / "page.j2"
    page.write_text("{% for c in nb.cells %}[{{ c.source }}]{% endfor %}")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("hallo")])
    compiled = []
    original = jinja2.Environment.compile

    def counting(self, source, *args, **kwargs):
        compiled.append(1)
        return original(self, source, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)

    def render() -> str:
        exporter = TemplateExporter(template_file=str(page))  # a new environment, as per page
        return exporter.from_notebook_node(notebook)[0]

    assert render() == "[hallo]" and compiled  # the first page compiles
    compiled.clear()
    assert render() == "[hallo]" and not compiled  # the next from the cache
    page.write_text("{% for c in nb.cells %}<{{ c.source }}>{% endfor %}")
    assert render() == "<hallo>" and compiled  # an edited template is compiled again
