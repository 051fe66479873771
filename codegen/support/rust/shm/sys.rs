// ---- libc ---------------------------------------------------------------------
mod sys {
    use std::ffi::{c_char, c_int, c_long, c_void};
    pub const O_RDWR: c_int = 2;
    pub const O_CREAT: c_int = 0o100;
    pub const PROT_RW: c_int = 3;
    pub const MAP_SHARED: c_int = 1;
    pub const LOCK_SH: c_int = 1;
    pub const LOCK_EX: c_int = 2;
    pub const LOCK_NB: c_int = 4;
    pub const LOCK_UN: c_int = 8;
    pub const CLOCK_REALTIME: c_int = 0;
    pub const AT_FDCWD: c_int = -100;
    pub const AT_EMPTY_PATH: c_int = 0x1000;
    pub const STATX_INO: u32 = 0x100;
    /// `struct statx` (the kernel's, the same on every architecture): the fields read.
    #[repr(C)]
    pub struct Statx {
        head: [u8; 32],
        pub ino: u64,
        middle: [u8; 96],
        pub dev_major: u32,
        pub dev_minor: u32,
        tail: [u8; 112],
    }
    impl Statx {
        pub fn zeroed() -> Statx {
            Statx { head: [0; 32], ino: 0, middle: [0; 96], dev_major: 0, dev_minor: 0, tail: [0; 112] }
        }
    }
    #[repr(C)]
    pub struct Timespec {
        pub tv_sec: i64,
        pub tv_nsec: c_long,
    }
    unsafe extern "C" {
        pub fn shm_open(name: *const c_char, oflag: c_int, mode: u32) -> c_int;
        pub fn mmap(a: *mut c_void, n: usize, p: c_int, f: c_int, fd: c_int, o: i64) -> *mut c_void;
        pub fn munmap(a: *mut c_void, n: usize) -> c_int;
        pub fn close(fd: c_int) -> c_int;
        pub fn open(path: *const c_char, oflag: c_int, ...) -> c_int;
        pub fn flock(fd: c_int, op: c_int) -> c_int;
        pub fn unlink(path: *const c_char) -> c_int;
        pub fn statx(dirfd: c_int, path: *const c_char, flags: c_int, mask: u32, buf: *mut Statx) -> c_int;
        pub fn sem_open(name: *const c_char, oflag: c_int, ...) -> *mut c_void;
        pub fn sem_post(sem: *mut c_void) -> c_int;
        pub fn sem_timedwait(sem: *mut c_void, abs: *const Timespec) -> c_int;
        pub fn sem_close(sem: *mut c_void) -> c_int;
        pub fn clock_gettime(clock: c_int, ts: *mut Timespec) -> c_int;
        pub fn atexit(f: extern "C" fn()) -> c_int;
        pub fn free(p: *mut c_void);
    }
}

fn cstr(s: &str) -> CString {
    CString::new(s).expect("names never contain NUL")
}

/// Frees a C string malloc'ed by the Go side (start-up errors).
pub unsafe fn free_c_string(p: *mut c_char) -> String {
    // SAFETY: the caller passes a NUL-terminated malloc'ed string it owns.
    let s = unsafe { std::ffi::CStr::from_ptr(p) }.to_string_lossy().into_owned();
    unsafe { sys::free(p as *mut c_void) };
    s
}
