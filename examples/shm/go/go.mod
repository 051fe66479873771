module example.com/r2g_shm

go 1.21
