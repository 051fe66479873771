module example.com/r2g_go2rust

go 1.21
