"""Write and build a harness crate: generated binding + Rust caller + Go callee.

Layout of a harness directory (cache.harness_dir):
    Cargo.toml  build.rs  r2g_build.rs  src/{main.rs, binding.rs, stats.rs}
    go/{go.mod, gen.go, impl.go}  harness.idl.rs  bin/harness (the built binary)
Files are only rewritten when their bytes change, so cargo reuses its work."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

import jinja2

from rust2go.codegen.api import GenerateOptions, generate
from rust2go.codegen.diagnostics import DiagnosticError
from rust2go.codegen.lower.types import go_by_pointer
from rust2go.loadtest import cache
from rust2go.loadtest.contract import LoadMethod
from rust2go.loadtest.harness_idl import harness_idl
from rust2go.loadtest.rust_defaults import field_inits
from rust2go.loadtest.transports.base import Log, Unavailable

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(cache.PACKAGE_DIR / "templates"),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    autoescape=False,
)


class BuildFailed(Exception):
    pass


def render(template: str, **values) -> str:
    return _TEMPLATES.get_template(template).render(**values)


def method_values(lm: LoadMethod, transport: str) -> dict[str, str]:
    """Names and spellings the caller and callee templates paste in."""
    m = lm.method
    extra = [f for f in lm.request.fields if f.name not in ("seq", "payload")]
    inits = field_inits(lm.program, extra)
    # The load contract's request is a struct: the generator's own rule says how Go gets it.
    by_pointer = go_by_pointer(m, m.params[0])
    reply_go = f"({lm.reply.name}, error)" if m.ret.is_result else lm.reply.name
    return {
        "transport": transport,
        "qualified": lm.qualified,
        "trait": lm.trait.name,
        "method": m.name,
        "request": lm.request.name,
        "request_extra": f", {inits}" if inits else "",
        "arg_prefix": "&" if m.params[0].by_ref else "",
        "result_suffix": "?" if m.ret.is_result else "",
        "reply": lm.reply.name,
        "request_go": ("*" if by_pointer else "") + lm.request.name,
        "reply_go": reply_go,
        "ok_suffix": ", nil" if m.ret.is_result else "",
    }


def write_if_changed(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text() == text:
        return
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def write_crate(directory: Path, lm: LoadMethod, transport: str, idl_text: str,
                main_rs: str) -> str:  # fmt: skip
    """Generate the binding from the harness IDL and lay the crate out; returns its name."""
    from rust2go.codegen.emit import emit_build_helper  # not in api.py yet (see docs)

    crate = "r2g_loadtest_" + directory.name.replace("-", "_")
    idl = directory / "harness.idl.rs"
    write_if_changed(idl, idl_text)
    out = generate(idl, GenerateOptions())
    values = method_values(lm, transport)
    files = {
        "Cargo.toml": render("Cargo.toml.j2", crate=crate),
        "build.rs": 'include!("r2g_build.rs");\n\nfn main() {\n'
        '    r2g_build::GoBuild::new("go").build();\n}\n',
        "r2g_build.rs": emit_build_helper(),
        "src/binding.rs": out.rust,
        "src/stats.rs": (cache.PACKAGE_DIR / "templates" / "stats.rs").read_text(),
        "src/main.rs": main_rs,
        "go/go.mod": f"module {crate}\n\ngo 1.21\n",
        "go/gen.go": out.go,
        "go/impl.go": render("callee_impl.go.j2", **values),
    }
    for rel, text in files.items():
        write_if_changed(directory / rel, text)
    return crate


def build_crate(directory: Path, crate: str, log: Log) -> Path:
    """cargo build --release once; later runs find bin/harness and skip the build."""
    binary = directory / "bin" / "harness"
    if binary.exists():
        return binary
    with open(directory / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two runs building the same harness wait here
        if binary.exists():
            return binary
        target = cache.shared_cargo_target()
        log(f"building harness in {directory} (cargo + go; cached afterwards)")
        env = {**os.environ, "CARGO_TARGET_DIR": str(target), "GOCACHE": str(cache.go_cache()),
               "GOFLAGS": os.environ.get("GOFLAGS", "-mod=mod")}  # fmt: skip
        r = subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=directory, env=env,
                           capture_output=True, text=True)  # fmt: skip
        if r.returncode != 0:
            raise BuildFailed(f"cargo build of the harness in {directory} failed:\n"
                              + "\n".join(r.stderr.strip().splitlines()[-30:]))  # fmt: skip
        binary.parent.mkdir(exist_ok=True)
        tmp = binary.with_suffix(".tmp")
        shutil.copy2(target / "release" / crate, tmp)
        os.replace(tmp, binary)
    return binary


def build_harness(lm: LoadMethod, transport: str, main_rs: str, log: Log,
                  cargo_toml=None) -> tuple[Path, Path]:  # fmt: skip
    """The steps every generated-crate transport shares: a cache dir keyed by the harness
    IDL and its main.rs, the generated crate (Unavailable when the generator cannot emit
    the method), an optional Cargo.toml of the transport's own, the build. Returns
    (directory, binary)."""
    idl = harness_idl(lm)
    directory = cache.harness_dir(transport, idl + main_rs)
    try:
        crate = write_crate(directory, lm, transport, idl, main_rs)
    except DiagnosticError as err:
        raise Unavailable(f"the generator cannot emit {lm.qualified}: {err}") from None
    if cargo_toml is not None:
        write_if_changed(directory / "Cargo.toml", cargo_toml(crate))
    return directory, build_crate(directory, crate, log)
