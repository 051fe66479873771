// Go struct tags: what is accepted and what is reported.
#[rust2go::r2g_struct_tag(json = "snake_case", yaml = "lowerCamelCase")]
#[derive(rust2go::R2G, Clone)]
pub struct Good {
    pub UserName: String,
}

#[rust2go::r2g_struct_tag(json = "camel")]
#[derive(rust2go::R2G)]
pub struct UnknownConvention {
    pub a: u8,
}

#[r2g_struct_tag(json)]
#[derive(rust2go::R2G)]
pub struct BadSyntax {
    pub a: u8,
}

#[rust2go::r2g_struct_tag(json = "snake_case", json = "kebab-case")]
#[derive(rust2go::R2G)]
pub struct Twice {
    pub a: u8,
}
