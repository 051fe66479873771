module example.com/r2g_sidecar

go 1.21
