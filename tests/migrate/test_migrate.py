"""`rust2go migrate` on crates written for the original rust2go crate, one per shape: each
is migrated in one command, then built and run with its main.rs (or main.go) unchanged."""

from __future__ import annotations

import os
import re
import shutil

import pytest

from tests.migrate.conftest import RUST2GO, cargo, fresh, migrate, run, snapshot

pytestmark = pytest.mark.e2e

BINARIES = ["tokio_cgo", "single_thread", "bidirectional", "items_in_user_rs", "go118_2024",
            "tokio_mem"]  # fmt: skip


@pytest.mark.parametrize("name", BINARIES)
def test_binary_crate_runs_unchanged_after_migrate(name):
    crate = fresh(name)
    main_rs = (crate / "src" / "main.rs").read_bytes()
    go_files = {p.name: p.read_bytes() for p in (crate / "go").glob("*.go")}
    out = migrate(crate).stdout
    assert "wrote build.rs" in out and "wrote idl/user.rs" in out, out
    assert (crate / "src" / "main.rs").read_bytes() == main_rs
    for fname, data in go_files.items():
        assert (crate / "go" / fname).read_bytes() == data, f"migrate edited the user's {fname}"
    assert not re.search(r"^rust2go", (crate / "Cargo.toml").read_text(), re.M)
    assert "ihciah" not in (crate / "go" / "go.mod").read_text()
    shm_before = set(os.listdir("/dev/shm"))
    built = cargo(crate, "run", "--release", "--quiet")
    assert built.returncode == 0, built.stderr[-6000:]
    assert built.stdout.rstrip().endswith("done"), built.stdout
    # The #[mem] calls' process-wide segment is removed when the program exits.
    assert {n for n in set(os.listdir("/dev/shm")) - shm_before if "r2g" in n} == set()


def test_go_program_linking_a_rust_library_runs_after_migrate():
    root = fresh("go2rust")
    main_go = (root / "main.go").read_bytes()
    out = migrate(root / "rust-lib").stdout
    assert "generated Go binding" in out, out
    assert (root / "main.go").read_bytes() == main_go
    assert "ihciah" not in (root / "go.mod").read_text()
    gen = (root / "gen.go").read_text()
    assert "func main()" not in gen and "type G2RCallImpl struct{}" in gen
    run(["sh", "build.sh"], root)
    result = run([str(root / "go2rust")], root)
    assert result.stdout.rstrip().endswith("done"), result.stdout


def test_custom_build_rs_is_left_alone_with_what_to_do():
    crate = fresh("custom_build")
    before = (crate / "build.rs").read_bytes()
    out = migrate(crate).stdout
    assert (crate / "build.rs").read_bytes() == before
    assert "note: build.rs was left as it is" in out and "r2g_build::Bindings::new" in out, out


def test_dry_run_writes_nothing_and_shows_the_diff():
    crate = fresh("bidirectional")
    before = snapshot(crate)
    out = migrate(crate, "--dry-run").stdout
    assert snapshot(crate) == before
    assert "--- a/build.rs" in out and '+include!("r2g_build.rs");' in out, out
    assert "would write src/user_r2g.rs: generated Rust binding" in out


def test_a_second_run_is_a_no_op():
    crate = fresh("single_thread")
    migrate(crate)
    after = snapshot(crate)
    out = migrate(crate).stdout
    assert "already migrated; nothing to do" in out
    assert snapshot(crate) == after


def test_an_edited_idl_never_builds_with_stale_bindings():
    crate = fresh("items_in_user_rs")
    migrate(crate)
    idl = crate / "idl" / "user.rs"
    idl.write_text(idl.read_text() + "\n#[derive(rust2go::R2G)]\npub struct AddedLater {\n"
                   "    pub n: u32,\n}\n")  # fmt: skip
    refused = cargo(crate, "build", "--release", "--quiet", env={"R2G_REGENERATE": "0"})
    assert refused.returncode != 0
    assert "generated from another version of idl/user.rs" in refused.stderr, refused.stderr
    assert (
        "rust2go generate idl/user.rs --go-out go/gen.go --rust-out src/user_r2g.rs"
        in refused.stderr
    )
    assert "AddedLater" not in (crate / "src" / "user_r2g.rs").read_text()
    regenerated = cargo(crate, "run", "--release", "--quiet", env={"RUST2GO": str(RUST2GO)})
    assert regenerated.returncode == 0, regenerated.stderr[-6000:]
    assert "pub struct AddedLater" in (crate / "src" / "user_r2g.rs").read_text()
    assert regenerated.stdout.rstrip().endswith("done")


@pytest.mark.parametrize("name", ["bidirectional", "tokio_mem"])
def test_the_same_crates_build_and_run_on_edition_2018(name):
    crate = fresh(name, as_name=f"{name}_2018")
    toml = crate / "Cargo.toml"
    text = re.sub(r'edition = "\d+"', 'edition = "2018"', toml.read_text())
    toml.write_text(re.sub(r'name = "(mig_\w+)"', r'name = "\1_2018"', text, count=1))
    migrate(crate)
    built = cargo(crate, "run", "--release", "--quiet")
    assert built.returncode == 0, built.stderr[-6000:]
    assert built.stdout.rstrip().endswith("done"), built.stdout
    assert "warning" not in built.stderr, built.stderr[-4000:]


def test_a_missing_fast_call_package_is_regenerated_by_the_build():
    """The Go→Rust fast-call package beside gen.go is written by migrate; deleted, the
    build helper notices (the Go output imports it) and regenerates it, or says so."""
    crate = fresh("bidirectional", as_name="bidirectional_fastcall")
    toml = crate / "Cargo.toml"
    toml.write_text(
        re.sub(r'name = "(mig_\w+)"', r'name = "\1_fastcall"', toml.read_text(), count=1)
    )
    migrate(crate)
    package = crate / "go" / "r2gcall"
    assert (package / "call_amd64.s").is_file()
    shutil.rmtree(package)
    refused = cargo(crate, "build", "--release", "--quiet", env={"R2G_REGENERATE": "0"})
    assert refused.returncode != 0
    assert (
        "go/r2gcall was generated from another version of idl/user.rs (or missing)"
        in refused.stderr
    ), refused.stderr
    built = cargo(crate, "run", "--release", "--quiet", env={"RUST2GO": str(RUST2GO)})
    assert built.returncode == 0, built.stderr[-6000:]
    assert (package / "call_amd64.s").is_file()
    assert built.stdout.rstrip().endswith("done"), built.stdout
