// r2g_build.rs comes from `rust2go generate --build-helper r2g_build.rs` (std only).
include!("r2g_build.rs");

fn main() {
    r2g_build::GoBuild::new("go").build();
}
