"""Fixed source embedded in generated files: rust/ (the runtime of every Rust binding and
the shm caller), go/shm/ (the shm callee) and async_slot.rs."""
