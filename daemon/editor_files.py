"""Names that editors and this daemon write while saving, which must never count as a
change on their own (the lesson of watchfiles' and watchexec's issue trackers).

    vim        .user.rs.swp / .swo / .swx, `4913` (write-permission probe), `user.rs~` backup
    emacs      .#user.rs (lock symlink), #user.rs# (autosave), user.rs~
    JetBrains  user.rs___jb_tmp___, user.rs___jb_old___
    VS Code    writes in place, or `.user.rs.<random>.tmp`-style siblings via some extensions
    rust2go    .gen.go.rust2go-<pid>.tmp (see atomic_write)
"""

from __future__ import annotations

import re

from rust2go.atomic_write import is_temp_name

EDITOR_TEMP = re.compile(
    r"""(
        ^\..*\.s[a-w][a-z]$  # vim swap files: .swp, .swo, … .saa, and the .swx probe
      | ^4913$              # vim's probe file
      | ~$                  # backups
      | ^\.\#               # emacs lock files
      | ^\#.*\#$            # emacs autosave
      | ___jb_\w+___$       # JetBrains safe-write
      | \.tmp$ | \.temp$    # generic temp files (VS Code extensions, gedit, …)
    )""",
    re.VERBOSE,
)


def is_transient(name: str) -> bool:
    """True for a file name that is an editor's or our own scratch file."""
    return bool(EDITOR_TEMP.search(name)) or is_temp_name(name)
