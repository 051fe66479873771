"""Fixed source embedded in generated files (async_slot.rs) and the shm payload codec."""
