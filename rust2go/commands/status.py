"""`rust2go status`: ask the project's running watch daemon what it is doing."""

from __future__ import annotations

import json
import sys
import time

from rust2go.commands._common import EXIT_OK, EXIT_USER
from rust2go.daemon.config import ConfigError
from rust2go.daemon.control import NotRunning, send_command
from rust2go.daemon.discovery import NoConfigError, config_path_from
from rust2go.daemon.runtime_files import RuntimeDirError, runtime_files


def register(sub) -> None:
    p = sub.add_parser("status", help="show what the watch daemon of this project is doing")
    p.add_argument("--config", metavar="FILE", help="config file (default: search upwards)")
    p.add_argument("--json", action="store_true", help="print the raw status as JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    try:
        root = config_path_from(args.config).parent
        answer = send_command(runtime_files(root, create=False).socket, "status")
    except (NoConfigError, ConfigError, RuntimeDirError) as e:
        sys.stderr.write(f"error: {e}\n")
        return EXIT_USER
    except NotRunning:
        sys.stderr.write(f"no rust2go watch daemon is running for {root}\n")
        return EXIT_USER
    except OSError as e:
        sys.stderr.write(f"error: the daemon did not answer: {e}\n")
        return EXIT_USER
    if args.json:
        print(json.dumps(answer, indent=2))
    else:
        sys.stdout.write(render(answer))
    return EXIT_OK


def render(s: dict) -> str:
    c = s["counters"]
    lines = [
        f"rust2go watch: running (pid {s['pid']}, up {duration(s['uptime_s'])}, {s['mode']})",
        f"config:   {s['config']}",
        f"watching: {', '.join(s['watching']) or 'nothing'}",
    ]
    if s.get("config_error"):
        lines.append(f"config error (still using the previous config): {s['config_error']}")
    for t in s["targets"]:
        outs = ", ".join(p for p in (t["go"], t["rust"]) if p)
        lines.append(f"{t['idl']} -> {outs}: {target_state(t)}")
        if t["last_error"]:
            lines.extend("    " + line for line in t["last_error"].rstrip("\n").splitlines())
    lines.append(
        f"counters: {c['events']} events, {c['batches']} batches, {c['regenerations']} "
        f"regenerations ({c['failures']} failed), {c['writes']} files written"
    )
    if s.get("then"):
        t = s["then"]
        state = "running" if t["running"] else f"last exit {t['last_exit']}"
        lines.append(f"then:     `{t['command']}` ({state}; {t['runs']} runs, "
                     f"{t['cancelled']} cancelled)")  # fmt: skip
    if s.get("log"):
        lines.append(f"log:      {s['log']}")
    return "\n".join(lines) + "\n"


def target_state(t: dict) -> str:
    if t["state"] == "ok":
        return f"ok, regenerated {clock(t['last_ok'])} in {t['last_ms']:.0f} ms"
    good = f"last good run {clock(t['last_ok'])}" if t["last_ok"] else "no good run yet"
    return f"{t['state']} ({good})"


def duration(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}h {m}m" if h else f"{m}m {s}s" if m else f"{s}s"


def clock(ts: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(ts))
