"""Config schema and discovery: every error names the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from rust2go.codegen.api import GenerateOptions
from rust2go.daemon.config import ConfigError, load_config
from rust2go.daemon.discovery import NoConfigError, find_config

MINIMAL = '[[input]]\nidl = "src/user.rs"\ngo = "go/gen.go"\n'


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_rust2go_toml_with_defaults_and_overrides(tmp_path):
    cfg = load_config(write(tmp_path / "rust2go.toml", """
[defaults]
go118 = true
go_package = "lib"

[[input]]
idl = "src/user.rs"
go = "go/gen.go"
rust = "src/gen.rs"

[[input]]
idl = "../shared/other.rs"
rust = "src/other.rs"
go_package = "other"
fmt = false

[watch]
then = "cargo check"
debounce_ms = 80
"""))  # fmt: skip
    first, second = cfg.targets
    assert first.idl == tmp_path / "src/user.rs" and first.go == tmp_path / "go/gen.go"
    assert first.options == GenerateOptions(go_package="lib", go118=True)
    assert second.idl == tmp_path.parent / "shared/other.rs" and second.go is None
    assert second.options == GenerateOptions(go_package="other", go118=True, fmt=False)
    assert cfg.watch.then == "cargo check" and cfg.watch.debounce_ms == 80
    assert cfg.watch.sources is None
    assert cfg.watch.ceiling_ms == 1600 and cfg.root == tmp_path


def test_cargo_metadata_table(tmp_path):
    cargo = write(tmp_path / "Cargo.toml", """
[package]
name = "demo"

[[package.metadata.rust2go.input]]
idl = "src/user.rs"
go = "go/gen.go"
""")  # fmt: skip
    assert load_config(cargo).targets[0].idl == tmp_path / "src/user.rs"


@pytest.mark.parametrize(
    "text, key, words",
    [
        ('[[input]]\nidl = "a.rs"\ngo = "a.go"\ngo_pakage = "x"\n', "input[0].go_pakage", "go_package"),
        ('[[input]]\nidl = "a.rs"\ngo = "a.go"\ngo118 = "yes"\n', "input[0].go118", "true or false"),
        ('[[input]]\ngo = "a.go"\n', "input[0].idl", "missing"),
        ('[[input]]\nidl = "a.rs"\n', "input[0]", "`go` or `rust`"),
        ("[watch]\n", "input", "at least one"),
        (MINIMAL + "[defaults]\nfmt = 1\n", "defaults.fmt", "true or false"),
        (MINIMAL + "[watch]\ndebounce_ms = 0\n", "watch.debounce_ms", "positive"),
        (MINIMAL + "[wacth]\n", "wacth", "watch"),
        (MINIMAL + '[[input]]\nidl = "b.rs"\ngo = "go/gen.go"\n', "input[1]", "already written"),
        ('[[input]]\nidl = "a.rs"\ngo = "a.rs"\n', "input[0]", "also an IDL"),
        (MINIMAL + '[watch]\nsources = "src"\n', "watch.sources", "expected an array"),
        (MINIMAL + '[watch]\nsources = ["src", 3]\n', "watch.sources[1]", "a path (a string)"),
    ],
)  # fmt: skip
def test_errors_name_file_and_key(tmp_path, text, key, words):
    path = write(tmp_path / "rust2go.toml", text)
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert e.value.path == path and e.value.key == key
    assert str(e.value).startswith(f"{path}: {key}: ") and words in str(e.value)


def test_toml_syntax_error_names_the_file_and_line(tmp_path):
    path = write(tmp_path / "rust2go.toml", '[[input]]\nidl = "a.rs\n')
    with pytest.raises(ConfigError, match=r"rust2go.toml: invalid TOML: .*line 2"):
        load_config(path)


def test_discovery_walks_up_and_skips_cargo_without_table(tmp_path):
    write(tmp_path / "rust2go.toml", MINIMAL)
    write(tmp_path / "crate" / "Cargo.toml", '[package]\nname = "x"\n')
    deep = tmp_path / "crate" / "src" / "deep"
    deep.mkdir(parents=True)
    assert find_config(deep) == tmp_path / "rust2go.toml"
    write(tmp_path / "crate" / "Cargo.toml", '[package]\nname = "x"\n[package.metadata.rust2go]\n')
    assert find_config(deep) == tmp_path / "crate" / "Cargo.toml"


def test_discovery_without_config(tmp_path):
    with pytest.raises(NoConfigError, match="--config"):
        find_config(tmp_path)


def test_the_go_mod_beside_the_go_output_completes_the_options(tmp_path):
    """As `rust2go generate` does: go < 1.21 selects the --go118 forms, and the module
    path gives the Go package's import path (the fast-call package is imported by it)."""
    write(tmp_path / "go" / "go.mod", "module example.com/svc\n\ngo 1.20\n")
    cfg = load_config(write(tmp_path / "rust2go.toml", MINIMAL))
    assert cfg.targets[0].options == GenerateOptions(go118=True, go_import_path="example.com/svc")


def test_the_watcher_writes_the_fast_call_package_beside_the_go_output(tmp_path):
    from rust2go.codegen.api import generate
    from rust2go.daemon.regenerate import write_outputs

    write(tmp_path / "go" / "go.mod", "module svc\n\ngo 1.21\n")
    write(
        tmp_path / "src" / "user.rs",
        "#[rust2go::g2r]\npub trait T {\n    fn ping(n: u32) -> u32;\n}\n",
    )
    target = load_config(write(tmp_path / "rust2go.toml", MINIMAL)).targets[0]
    written = write_outputs(target, generate(target.idl, target.options))
    names = sorted(p.relative_to(tmp_path).as_posix() for p in written)
    assert names == [
        "go/gen.go",
        "go/r2gcall/call.go",
        "go/r2gcall/call_amd64.s",
        "go/r2gcall/call_arm64.s",
        "go/r2gcall/other.go",
        "go/r2gcall/switch.go",
    ]
    assert '"svc/r2gcall"' in (tmp_path / "go" / "gen.go").read_text()
    assert write_outputs(target, generate(target.idl, target.options)) == []  # unchanged: untouched
