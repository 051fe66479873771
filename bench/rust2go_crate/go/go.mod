module rust2go_crate_baseline

go 1.21

// The generated gen.go imports github.com/ihciah/rust2go/asmcall. The module
// has no tagged releases; this is a pseudo-version the Go module proxy serves.
require github.com/ihciah/rust2go v0.0.0-20260314034108-6f06b0697c1b
