"""The machine line every benchmark section states. The facts themselves come from the
load tester's module, so reports and benchmarks describe a machine the same way."""

from __future__ import annotations

import datetime

from rust2go.loadtest.machine import machine_facts


def facts() -> dict[str, str | int]:
    return {**machine_facts(), "date": datetime.date.today().isoformat()}


def markdown() -> str:
    f = facts()
    return (
        f"Machine: {f['cpu']}, {f['cores']} cores, {f['kernel']}; {f['go']}; {f['rust']}; "
        f"Python {f['python']}; measured {f['date']}."
    )


if __name__ == "__main__":
    print(markdown())
