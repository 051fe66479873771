module r2g_shm_peer

go 1.21
