// Types but no trait: nothing to generate, which is worth a warning, not an error.
pub struct Alone {
    pub a: u32,
}
