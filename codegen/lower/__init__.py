"""Per-language lowering: IR -> plain view models (names, C/Go/Rust spellings, C layouts,
symbol names, precomputed expressions) that the templates print without deciding."""
