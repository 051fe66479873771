"""Packaging glue that pyproject.toml cannot express: the `rust2go.*` namespace is
assembled from top-level folders (package-dir), and shm's atomics are a C extension."""
import os

from setuptools import Extension, setup

# Top-level folder -> import name. Bare names like `daemon` would collide with other
# distributions (python-daemon installs `daemon`), so everything lives under `rust2go.`.
ROOTS = {
    "rust2go": "rust2go",
    "rust2go.codegen": "codegen",
    "rust2go.daemon": "daemon",
    "rust2go.loadtest": "loadtest",
    "rust2go.migrate": "migrate",
    "rust2go.runtime": "runtime",
    "rust2go.shm": "shm",
}


def _packages():
    """Every folder under a root: Python packages, and the data folders inside them
    (templates, fixed sources), which setuptools wants listed as packages too."""
    found = {}
    for pkg, folder in ROOTS.items():
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = [d for d in dirnames if d not in ("__pycache__", "target")]
            rel = os.path.relpath(dirpath, folder)
            if rel == "." and "__init__.py" not in filenames:
                break
            name = pkg if rel == "." else pkg + "." + rel.replace(os.sep, ".")
            if "__init__.py" in filenames or any(name.startswith(p + ".") for p in found):
                found[name] = dirpath
    return found


PACKAGES = _packages()

setup(
    packages=sorted(PACKAGES),
    package_dir=PACKAGES,
    package_data={
        name: ["*.lark", "*.j2", "*.rs", "*.go", "*.md", "idl/*"]
        for name in PACKAGES
    },
    include_package_data=True,
    ext_modules=[
        Extension(
            "rust2go.shm._atomics",
            sources=[
                "shm/_atomics.c", "shm/_wire_setup.c", "shm/_ring.c", "shm/_check.c",
                "shm/_wire_ops.c", "shm/_wire_caller.c", "shm/_wire_callee.c",
            ],
            depends=["shm/_wire.h"],
            extra_compile_args=["-O2", "-std=c11"],
            optional=False,
        )
    ]
    if os.path.exists("shm/_atomics.c")
    else [],
)
