module example.com/r2g_basic

go 1.21
