"""Fingerprints of everything `rust2go generate` makes from the example IDLs, so a change
that was meant to leave generated code alone (a refactor, a speed-up) is shown to.

    python -m tests.emit.example_outputs            # rewrite example_outputs.json
    python -m tests.emit.example_outputs --write DIR  # the outputs themselves, to diff two revisions

A change to generated code that is intended rewrites the fingerprints in the same commit;
write the outputs on both revisions with --write and read the diff before doing so."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from rust2go.codegen.api import GenerateOptions, generate

ROOT = Path(__file__).resolve().parents[2]
FINGERPRINTS = Path(__file__).with_name("example_outputs.json")
# Every output kind, from one pass; the import path makes the fast-call package appear.
# Unformatted, so the fingerprints do not depend on the gofmt and rustfmt versions.
OPTIONS = GenerateOptions(python_peer=True, go_server=True, build_helper=True, fmt=False,
                          go_import_path="example.com/app")  # fmt: skip


def example_idls() -> list[Path]:
    return sorted(p for p in (ROOT / "examples").glob("**/idl/*.rs") if "target" not in p.parts)


def outputs(idl: Path) -> dict[str, str]:
    """Output name -> text, for one IDL."""
    o = generate(idl, OPTIONS, name=idl.relative_to(ROOT).as_posix())
    named = {"go": o.go, "rust": o.rust, "python": o.python, "go_server": o.go_server,
             "build_helper": o.build_helper, **{f"go/{p}": t for p, t in o.go_files}}  # fmt: skip
    return {k: v for k, v in named.items() if v}


def fingerprints() -> dict[str, dict[str, str]]:
    return {
        idl.relative_to(ROOT).as_posix(): {
            name: f"{hashlib.sha256(text.encode()).hexdigest()[:24]} {text.count(chr(10))} lines"
            for name, text in outputs(idl).items()
        }
        for idl in example_idls()
    }


def main(argv: list[str]) -> None:
    if argv[:1] == ["--write"]:
        out = Path(argv[1])
        for idl in example_idls():
            for name, text in outputs(idl).items():
                dest = out / idl.relative_to(ROOT).parent.parent.name / name.replace("/", "__")
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_text(text)
        print(f"wrote the outputs under {out}")
        return
    FINGERPRINTS.write_text(json.dumps(fingerprints(), indent=1, sort_keys=True) + "\n")
    print(f"rewrote {FINGERPRINTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
