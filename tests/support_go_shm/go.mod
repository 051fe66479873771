module r2g/support_go_shm

go 1.21
