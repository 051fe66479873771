include!("r2g_build.rs");

fn main() {
    r2g_build::GoBuild::new("go").build();
}
