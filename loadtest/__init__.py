"""rust2go.loadtest: `rust2go loadtest` — build a load harness for one IDL method
and transport, run it, verify every reply, and report like a load-test tool.

    contract.py      the load contract, checked against the IR
    harness_idl.py   the single-method IDL a harness is generated from
    transports/      one module per call path (probe, build, run arguments)
    templates/       Rust caller, Go callee, shared Rust stats code
    py_driver.py     python-shm harness (caller) + py_callee.py / py_peer.py (callee)
    runner.py        build, run, read the stats stream, after-run checks
    report*.py       text, JSON and HTML reports; progress.py the live display
See docs/loadtest.md."""
