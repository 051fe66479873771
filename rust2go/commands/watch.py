"""`rust2go watch`: keep the Go and Rust bindings current while IDL files change.
The daemon itself lives in rust2go.daemon; this module is its command line."""

from __future__ import annotations

import sys

from rust2go.commands._common import EXIT_OK, EXIT_USER, use_color
from rust2go.daemon.config import ConfigError, load_config, shown
from rust2go.daemon.detach import Detached, detach
from rust2go.daemon.discovery import NoConfigError, config_path_from
from rust2go.daemon.log import EventLog
from rust2go.daemon.runtime_files import RuntimeDirError, runtime_files
from rust2go.daemon.single_instance import AlreadyRunning


def register(sub) -> None:
    p = sub.add_parser(
        "watch",
        help="regenerate bindings whenever an IDL file changes (see docs/watch.md)",
        description="Watch the IDL files listed in rust2go.toml or [package.metadata.rust2go] "
        "and rewrite their Go and Rust bindings on every save.",
    )
    p.add_argument("--config", metavar="FILE", help="config file (default: search upwards)")
    p.add_argument("--then", metavar="CMD", help="shell command to run after each regeneration")
    p.add_argument("--poll", action="store_true", help="poll instead of inotify (NFS, some VMs)")
    p.add_argument("--json", action="store_true", help="log JSON lines on stdout, for tools")
    p.add_argument("--detach", action="store_true", help="run in the background")
    p.set_defaults(func=run)


def run(args) -> int:
    try:
        config = load_config(config_path_from(args.config))
        files = runtime_files(config.root)
    except (NoConfigError, ConfigError, RuntimeDirError) as e:
        sys.stderr.write(f"error: {e}\n")
        return EXIT_USER
    detached = None
    if args.detach:
        outcome = detach(files.log)
        if isinstance(outcome, int):
            return outcome  # the command the user typed: the daemon reported back
        detached = outcome
    return serve(args, config, files, detached)


def serve(args, config, files, detached: Detached | None) -> int:
    # Imported here so that `--detach` forks before watchdog or the generator load.
    from rust2go.codegen.api import generate
    from rust2go.daemon.service import WatchDaemon

    log = EventLog(json_lines=args.json, color=not args.detach and use_color())

    def generator(path, options):  # diagnostics name the IDL as the log does
        return generate(path, options, name=shown(path, config.root))

    daemon = WatchDaemon(config, files, generator, log, poll=args.poll, then=args.then)
    try:
        daemon.run(on_ready=detached.ready if detached else None)
    except AlreadyRunning as e:
        message = f"error: {e}; stop it with `rust2go stop` (project {config.root})"
        if detached:
            detached.failed(message)
        sys.stderr.write(message + "\n")
        return EXIT_USER
    return EXIT_OK
