"""Fixed source embedded in generated files (rust/, async_slot.rs, the shm caller and
callee) and the shm payload codec."""
