module r2g_bench_shm_paths

go 1.21
