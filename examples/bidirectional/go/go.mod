module example.com/r2g_bidirectional

go 1.21
