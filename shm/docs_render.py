"""Render the layout tables of docs/shm-layout.md from layout.py (a test keeps them equal)."""

from __future__ import annotations

from rust2go.shm import layout as L

BEGIN = "<!-- BEGIN GENERATED: python -m rust2go.shm.docs_render -->"
END = "<!-- END GENERATED -->"


def _record(rec: L.Record) -> list[str]:
    out = [f"### `{rec.name}` ({rec.size} bytes)", "", rec.doc, "",
           "| offset | field | type | atomic | meaning |", "|---:|---|---|---|---|"]  # fmt: skip
    atomic = {f for r, f in L.ATOMIC_WORDS if r == rec.name}
    for f in rec.fields:
        out.append(
            f"| {f.offset} | `{f.name}` | {f.kind} | {'yes' if f.name in atomic else ''} | {f.doc} |"
        )
    return out + [""]


def _enum(e) -> list[str]:
    rows = [f"| {m.value} | `{m.name}` |" for m in e]
    return [f"### `{e.__name__}`", "", "| value | name |", "|---:|---|", *rows, ""]


def _machine(name: str) -> list[str]:
    out = [f"### {name}", "", "| from | to | who | atomic op | when |", "|---|---|---|---|---|"]
    for t in L.TRANSITIONS:
        if t.machine == name:
            out.append(f"| {t.src} | {t.dst} | {t.actor} | {t.op} | {t.when} |")
    return out + [""]


def render() -> str:
    lines = [BEGIN, "", "## Constants", "", "| name | value |", "|---|---:|"]
    lines += [
        f"| `{k}` | {v:#x} |" if k in L.U64_CONSTANTS else f"| `{k}` | {v} |"
        for k, v in L.CONSTANTS.items()
    ]
    lines += ["", "## Records", ""]
    for rec in L.RECORDS:
        lines += _record(rec)
    lines += ["## Enumerations", ""]
    for e in L.ENUMS:
        lines += _enum(e)
    lines += ["## State machines", ""]
    for m in dict.fromkeys(t.machine for t in L.TRANSITIONS):
        lines += _machine(m)
    lines += ["## Object names", "", "| object | pattern |", "|---|---|"]
    for k, v in vars(L.Naming).items():
        if k.isupper():
            lines.append(f"| {k} | `{v if not isinstance(v, int) else oct(v)}` |")
    return "\n".join(lines + ["", END])


if __name__ == "__main__":
    print(render())
