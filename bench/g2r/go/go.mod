module r2g_bench_g2r

go 1.21
