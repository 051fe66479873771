"""examples/basic (a rust2go-style IDL used unchanged, with rust2go-style impl.go and
main.rs) runs through the demo; `rust2go init` scaffolds a crate that builds and runs."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.e2e.crates import ROOT, WORK, run, rust2go, tool_env

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def demo_output() -> str:
    return run([sys.executable, "-m", "rust2go.demo"], ROOT).stdout


def test_demo_exercises_every_call_kind(demo_output):
    for line in ("oneway  demo_oneway", "[go] oneway: got user \"Alice\"", "demo_check(2 users) -> pass=false",
                 "demo_get_n() -> 42", "demo_greet(alice, 2) -> \"hello Alice hello Alice\"",
                 "-> Ok(41)", "Err(\"not an age", "level: Member", "-> None",
                 "all calls returned what Go computed"):  # fmt: skip
        assert line in demo_output, demo_output


def test_demo_two_concurrent_one_second_async_naps_take_about_one_second(demo_output):
    import re

    m = re.search(r"two demo_nap\(1000 ms\) at once -> .*: ([\d.]+) s in total", demo_output)
    assert m, demo_output
    assert 0.99 <= float(m[1]) < 1.5
    assert "demo_count_adults(&req) -> 1" in demo_output


def test_example_is_vet_and_clippy_clean(demo_output):
    example = ROOT / "examples" / "basic"
    run(["go", "vet", "."], example / "go")
    run(["cargo", "clippy", "--release", "--quiet", "--", "-D", "warnings"], example)


def test_init_scaffolds_a_crate_that_runs():
    app = WORK / "init_app"
    shutil.rmtree(app, ignore_errors=True)
    out = rust2go("init", app, "--name", "r2g_e2e_init", cwd=ROOT).stdout
    assert "cargo run" in out
    assert "Hello, Rust! Hello, Rust!" in run(["cargo", "run", "--release", "--quiet"], app).stdout
    again = rust2go("generate", "idl/api.rs", "--go-out", "go/gen.go", "--rust-out", "src/api.rs",
                    cwd=app).stdout  # fmt: skip
    assert "wrote" not in again


def test_init_refuses_a_non_empty_directory():
    proc = run([sys.executable, "-c", "import sys; from rust2go.cli import main; "
                f"sys.exit(0 if main(['init', {str(ROOT)!r}]) == 1 else 3)"], ROOT)  # fmt: skip
    assert "not an empty directory" in proc.stderr


def _readme_blocks(section: str) -> list[str]:
    import re

    text = (ROOT / "README.md").read_text()
    part = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", part, re.S)


def test_readme_using_it_in_a_crate_works_as_written(tmp_path):
    """The README's commands, run as a newcomer would (the repo's .venv stands for the one
    `make demo` made in their clone; a fresh crate name keeps the shared target dir apart)."""
    import os

    first, regenerate = _readme_blocks("Using it in a crate")
    script = first.replace("$PWD/.venv/bin", str(ROOT / ".venv" / "bin")).replace(
        "mycrate", "r2g_readme_crate"
    )
    out = run(["bash", "-euc", script], tmp_path).stdout
    assert "Hello, Rust! Hello, Rust!" in out, out
    crate = tmp_path / "r2g_readme_crate"
    assert (crate / "rust2go.toml").is_file()
    env_path = f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}"
    again = run(["bash", "-euc", f'export PATH="{env_path}"\n{regenerate}'], crate).stdout
    assert "wrote" not in again and "unchanged go/gen.go" in again, again
    # Edit the IDL and build again: the build regenerates the bindings itself.
    idl = crate / "idl" / "api.rs"
    idl.write_text(idl.read_text() + "\npub struct AddedByTheUser {\n    pub n: u32,\n}\n")
    run(["bash", "-euc", f'export PATH="{env_path}"\ncargo build --release --quiet'], crate)
    assert "pub struct AddedByTheUser" in (crate / "src" / "api.rs").read_text()


def test_a_go_method_missing_from_impl_go_is_named_with_its_signature(tmp_path):
    """The build stops with Go's own lines and the exact method to add; no backtrace."""
    import os

    rust2go("init", tmp_path / "app", "--name", "r2g_e2e_missing", cwd=ROOT)
    crate = tmp_path / "app"
    idl = crate / "idl" / "api.rs"
    idl.write_text(
        idl.read_text().replace(
            "fn greet(req: &Greeting) -> String;",
            "fn greet(req: &Greeting) -> String;\n    fn checksum(data: &Vec<u8>, seed: u32) -> Result<u64, String>;",
        )
    )
    env = {**tool_env(), "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}"}
    proc = subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=crate, env=env,
                          capture_output=True, text=True)  # fmt: skip
    assert proc.returncode != 0
    assert "hello does not implement Hello (missing method checksum)" in proc.stderr, proc.stderr
    assert "hint: hello is missing checksum; add to your Go code:" in proc.stderr, proc.stderr
    assert "func (hello) checksum(data *[]uint8, seed *uint32) (uint64, error) {" in proc.stderr
    assert "stack backtrace" not in proc.stderr and "panicked" not in proc.stderr
