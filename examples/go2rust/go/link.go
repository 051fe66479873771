package main

// build.sh copies the Rust staticlib into lib/. The system libraries after it are what
// `cargo rustc --release -- --print native-static-libs` lists for a std staticlib.

/*
#cgo LDFLAGS: -L${SRCDIR}/lib -lr2g_example_go2rust -lgcc_s -lutil -lrt -lpthread -lm -ldl
*/
import "C"
