module r2g_bench_uds

go 1.21
