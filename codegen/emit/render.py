"""The one jinja2 environment: templates from the package, StrictUndefined, no autoescape
(we print code, not HTML), trailing newline kept."""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

import jinja2

SUPPORT = Path(__file__).resolve().parent.parent / "support"


class SupportLoader(jinja2.BaseLoader):
    """`support/<path>`: a fixed source file of codegen/support/ (real Rust, Go or C,
    compiled and tested on its own), included by a template as it is: never read as a
    template, so its braces need no escaping."""

    def get_source(self, environment, template):
        prefix = "support/"
        if not template.startswith(prefix):
            raise jinja2.TemplateNotFound(template)
        path = SUPPORT / template.removeprefix(prefix)
        if not path.is_file():
            raise jinja2.TemplateNotFound(template)
        text = path.read_text()
        return "{% raw %}" + text + "{% endraw %}", str(path), lambda: True


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [jinja2.PackageLoader("rust2go.codegen", "templates"), SupportLoader()]
        ),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=False,
        lstrip_blocks=False,
        # The templates are package data: no need to stat them again on every include
        # (an include inside a loop asks for its template once per iteration).
        auto_reload=False,
    )


def render(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)


def render_item(template: str, name: str, model: object) -> str:
    """`template` with the one variable `name`: an item's text depends on its model only."""
    t = _template(template)
    try:
        return "".join(t.root_render_func(t.new_context({name: model})))
    except Exception:
        return environment().handle_exception()  # jinja's own: the template's line


@cache
def _template(name: str) -> jinja2.Template:
    """Templates by name without the loader cache's bookkeeping (one lookup per item)."""
    return environment().get_template(name)


def render_model(template: str, model: object, **extra: object) -> str:
    """Render a lowered view model: its fields and its properties are the template's
    variables (the template reads them; it decides nothing itself)."""
    names = [f.name for f in dataclasses.fields(model)]  # type: ignore[arg-type]
    names += [n for n, v in vars(type(model)).items() if isinstance(v, property)]
    return render(template, **{n: getattr(model, n) for n in names}, **extra)
