"""Generate large valid IDL files for benchmarks (shared by the parse and watch benches)."""

from __future__ import annotations

import random

TYPES = ["u8", "u16", "u32", "u64", "i32", "i64", "f64", "bool", "char", "String",
         "Vec<u8>", "Vec<String>", "Option<u32>", "HashMap<String, u64>"]  # fmt: skip


def big_idl(n_structs: int = 1000, n_methods: int = 200, seed: int = 1) -> str:
    rng = random.Random(seed)
    out = [
        "use std::collections::HashMap;",
        "pub mod binding { rust2go::r2g_include_binding!(); }",
        "",
    ]
    for i in range(n_structs):
        out.append("#[derive(rust2go::R2G, Clone, Debug)]")
        out.append(f"pub struct S{i} {{")
        out.append(f"    /// field doc {i}")
        for j in range(rng.randint(3, 8)):
            ty = rng.choice(TYPES)
            if i and rng.random() < 0.3:
                ref = f"S{rng.randrange(i)}"
                ty = rng.choice([ref, f"Vec<{ref}>", f"Option<{ref}>"])
            out.append(f"    pub f{j}: {ty},")
        out.append("}")
        out.append("")
    out.append("#[rust2go::r2g]")
    out.append("pub trait Big {")
    for m in range(n_methods):
        a, b = rng.randrange(n_structs), rng.randrange(n_structs)
        kind = m % 4
        if kind == 0:
            out.append(f"    fn m{m}(a: &S{a}, b: u32) -> S{b};")
        elif kind == 1:
            out.append(f"    fn m{m}(a: &S{a});")
        elif kind == 2:
            out.append("    #[drop_safe]")
            out.append(f"    async fn m{m}(a: S{a}) -> S{b};")
        else:
            out.append(
                f"    fn m{m}(x: Vec<S{a}>) -> impl std::future::Future<Output = Vec<S{b}>>;"
            )
    out.append("}")
    return "\n".join(out) + "\n"
