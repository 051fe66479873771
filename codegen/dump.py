"""`rust2go dump-ir`: the resolved IR as stable, line-oriented text for golden tests.
Spans print as line:col; no memory addresses, no dict ordering surprises."""

from __future__ import annotations

from pathlib import Path

from rust2go.codegen import ir


def dump(program: ir.Program) -> str:
    out: list[str] = [f"program {Path(program.path).name}", f"  sha256 {program.source_sha256}"]
    for s in program.structs:
        flags = [s.mem_class.name.lower()] + (["recursive"] if s.recursive else [])
        out.append(f"struct {s.name} @{_pos(s.span)} vis={s.vis or 'private'} [{', '.join(flags)}]")
        if s.derives:
            out.append(f"  derive {', '.join(s.derives)}")
        for key, convention in s.go_tags:
            out.append(f"  go tag {key} = {convention}")
        for a in s.attrs:
            out.append(f"  attr {a.text}")
        for d in s.docs:
            out.append(f"  doc {d.strip()}")
        for f in s.fields:
            vis = f"{f.vis} " if f.vis else ""
            out.append(f"  field {vis}{f.name}: {ir.type_text(f.ty)}")
            for a in f.attrs:
                out.append(f"    attr {a.text}")
    for e in program.enums:
        out.append(f"enum {e.name} @{_pos(e.span)} repr={e.repr}")
        for v in e.variants:
            out.append(f"  variant {v.name} = {v.value}")
            for a in v.attrs:
                out.append(f"    attr {a.text}")
    for a in program.aliases:
        out.append(f"alias {a.name} = {ir.type_text(a.target)}")
    for t in program.traits:
        extra = f" binding={t.binding_mod} queue_size={t.queue_size}" + (" shm" if t.shm else "")
        out.append(f"trait {t.name} @{_pos(t.span)} {t.direction.value}{extra}")
        for m in t.methods:
            out.append(f"  method #{m.index} {m.name} {m.kind.value}{_method_flags(m)}")
            for p in m.params:
                out.append(f"    param {p.name}: {'&' if p.by_ref else ''}{ir.type_text(p.ty)}")
            if m.ret:
                shown = ir.type_text(m.ret.ty)
                out.append(
                    f"    returns {'Result<' + shown + ', String>' if m.ret.is_result else shown}"
                )
    return "\n".join(out) + "\n"


def _pos(span) -> str:
    return f"{span.line}:{span.col}"


def _method_flags(m: ir.Method) -> str:
    names = ["future_send", "drop_safe", "drop_safe_ret", "shm", "cgo_callback", "go_pass_struct",
             "unsafe"]  # fmt: skip
    on = [n for n in names if getattr(m, n)]
    if m.kind is ir.CallKind.ASYNC:
        on.append("async_fn" if m.written_as_async_fn else "impl_future")
    return f" [{', '.join(on)}]" if on else ""
