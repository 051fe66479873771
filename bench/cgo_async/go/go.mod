module r2g_bench_cgo_async

go 1.21
