"""`rust2go init DIR`: scaffold a crate whose Rust code calls Go, ready for `cargo run`:
Cargo.toml, build.rs, idl/api.rs, go/{go.mod,impl.go}, src/main.rs, rust2go.toml (for
`rust2go watch`), plus the generated
go/gen.go, src/api.rs and r2g_build.rs."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from rust2go.commands._common import EXIT_OK, EXIT_USER

# template -> path in the new crate
SCAFFOLD = {
    "Cargo.toml.j2": "Cargo.toml",
    "build.rs.j2": "build.rs",
    "api.rs.j2": "idl/api.rs",
    "go.mod.j2": "go/go.mod",
    "impl.go.j2": "go/impl.go",
    "main.rs.j2": "src/main.rs",
    "gitignore.j2": ".gitignore",
    "rust2go.toml.j2": "rust2go.toml",
}


def register(sub) -> None:
    p = sub.add_parser("init", help="create a new crate that calls Go through rust2go")
    p.add_argument("dir", metavar="DIR", help="directory to create (must be empty or absent)")
    p.add_argument("--name", help="crate name (default: from DIR)")
    p.set_defaults(func=run)


def crate_name(dir_: Path, name: str | None) -> str:
    raw = name or dir_.resolve().name
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", raw).strip("_").lower() or "r2g_app"
    return f"app_{cleaned}" if cleaned[0].isdigit() else cleaned


def run(args) -> int:
    from rust2go.codegen.emit.render import render
    from rust2go.commands.generate import emit_files, report

    target = Path(args.dir)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        sys.stderr.write(f"error: {target} exists and is not an empty directory\n")
        return EXIT_USER
    crate = crate_name(target, args.name)
    for template, rel in SCAFFOLD.items():
        report(target / rel, render(f"init/{template}", crate=crate))
    from rust2go.codegen.api import GenerateOptions
    from rust2go.codegen.emit import emit_build_helper

    status = emit_files(str(target / "idl" / "api.rs"), GenerateOptions(),
                        go_out=str(target / "go" / "gen.go"),
                        rust_out=str(target / "src" / "api.rs"))  # fmt: skip
    if status != EXIT_OK:
        return status
    report(target / "r2g_build.rs", emit_build_helper())
    print(f"\ncreated crate `{crate}`; next:\n    cd {target}\n    cargo run")
    return EXIT_OK
