module r2g_bench_cgo_sync

go 1.21
