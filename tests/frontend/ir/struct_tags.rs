// Go struct tags are kept in the IR (the Go lowering writes them).
#[rust2go::r2g_struct_tag(json = "snake_case", yaml = "lowerCamelCase")]
#[allow(non_snake_case)]
#[derive(rust2go::R2G, Clone)]
pub struct TaggedUser {
    pub UserName: String,
    pub LoginCount: u32,
}
