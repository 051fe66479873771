// Build script of the baseline crate: the crates.io `rust2go` Builder, used as
// its README describes. It regenerates go/gen.go from the shared IDL with the
// crate's own generator (rust2go-cli), builds the Go package as a c-archive
// into OUT_DIR, runs bindgen (needs libclang) on the cgo header and emits the
// link directives.
use std::process::Command;

fn cmd_out(prog: &str, args: &[&str]) -> String {
    Command::new(prog)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// Version of the `rust2go` package resolved in Cargo.lock.
fn locked_rust2go_version() -> String {
    let lock = std::fs::read_to_string("Cargo.lock").unwrap_or_default();
    let mut lines = lock.lines();
    while let Some(l) = lines.next() {
        if l == "name = \"rust2go\"" {
            if let Some(v) = lines.next().and_then(|v| v.strip_prefix("version = ")) {
                return v.trim_matches('"').to_string();
            }
        }
    }
    "unknown".into()
}

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    println!("cargo:rustc-env=BUILD_RUSTC_VERSION={}", cmd_out(&rustc, &["--version"]));
    println!("cargo:rustc-env=BUILD_GO_VERSION={}", cmd_out("go", &["version"]));
    println!("cargo:rustc-env=RUST2GO_CRATE_VERSION={}", locked_rust2go_version());
    println!("cargo:rerun-if-changed=Cargo.lock");
    // The shared benchmark IDL; src/main.rs includes the same file via #[path].
    let idl = "../idl/bench.rs";
    println!("cargo:rerun-if-changed={idl}");
    println!("cargo:rerun-if-changed=go/impl.go");
    println!("cargo:rerun-if-changed=go/go.mod");
    rust2go::Builder::new()
        .with_go_src("./go")
        .with_regen_arg(rust2go::RegenArgs {
            src: idl.into(),
            dst: "./go/gen.go".into(),
            ..Default::default()
        })
        .build();
}
