"""Finding the config: from the current directory upwards, the first `rust2go.toml`, or
the first `Cargo.toml` that has a rust2go metadata table (a Cargo.toml without one is
passed over, so a crate inside a workspace can use the workspace's config)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from rust2go.daemon.config import CARGO_NAME, CONFIG_NAME, ConfigError, cargo_table


class NoConfigError(Exception):
    pass


def find_config(start: Path) -> Path:
    """The config file that applies to `start`, or NoConfigError saying where we looked."""
    start = start.absolute()
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_NAME
        if candidate.is_file():
            return candidate
        cargo = directory / CARGO_NAME
        if cargo.is_file() and has_rust2go_table(cargo):
            return cargo
    raise NoConfigError(
        f"no {CONFIG_NAME}, and no Cargo.toml with [package.metadata.rust2go], in {start} "
        "or any parent directory (see docs/watch.md, or pass --config FILE)"
    )


def has_rust2go_table(cargo: Path) -> bool:
    try:
        data = tomllib.loads(cargo.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return False
    except tomllib.TOMLDecodeError as e:
        # A broken Cargo.toml may be the one meant to configure us; say so rather than
        # silently walking past it to some unrelated parent.
        raise ConfigError(cargo, "", f"invalid TOML: {e}") from None
    return cargo_table(data)[0] is not None


def config_path_from(arg: str | None) -> Path:
    """`--config FILE` if given (it must exist), else the discovered config."""
    if arg is None:
        return find_config(Path.cwd())
    path = Path(arg)
    if not path.is_file():
        raise NoConfigError(f"{arg}: no such config file")
    return path.absolute()
