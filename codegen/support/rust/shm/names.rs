// ---- names (layout.NAMING) ----------------------------------------------------
#[derive(Clone, Debug)]
pub struct Names {
    pub stem: String,
}

impl Names {
    pub fn parse(name: &str) -> Result<Names, ShmError> {
        let stem = name.strip_prefix(l::SEGMENT_PREFIX).unwrap_or(name);
        let ok = stem.starts_with(l::NAME_PREFIX)
            && stem.len() > l::NAME_PREFIX.len()
            && stem.len() <= 204
            && stem.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !ok {
            return Err(ShmError::Layout(format!(
                "segment name {name:?} must look like /r2g-<letters, digits, _ or ->"
            )));
        }
        Ok(Names { stem: stem.to_string() })
    }
    /// A fresh name owned by this process: r2g-<pid>-<purpose>-<8 hex>.
    pub fn fresh(purpose: &str) -> Names {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let salt = nanos ^ COUNTER.fetch_add(1, Ordering::Relaxed).wrapping_mul(0x9E37_79B9);
        Names { stem: format!("{}{}-{purpose}-{salt:08x}", l::NAME_PREFIX, std::process::id()) }
    }
    pub fn segment(&self) -> String {
        format!("{}{}", l::SEGMENT_PREFIX, self.stem)
    }
    fn callee_bell(&self) -> String {
        format!("/{}{}", self.stem, l::CALLEE_DOORBELL_SUFFIX)
    }
    fn caller_bell(&self) -> String {
        format!("/{}{}", self.stem, l::CALLER_DOORBELL_SUFFIX)
    }
    pub fn callee_lock(&self) -> String {
        format!("{}/{}{}", l::LOCK_DIR, self.stem, l::CALLEE_LOCK_SUFFIX)
    }
    fn caller_lock(&self, pid: u32) -> String {
        format!("{}/{}{}{pid}", l::LOCK_DIR, self.stem, l::CALLER_LOCK_SUFFIX)
    }
}

// ---- liveness: flock on the owner's lock file ---------------------------------
struct OwnerLock {
    fd: c_int,
    path: CString,
}

impl OwnerLock {
    fn take(path: &str) -> Result<OwnerLock, ShmError> {
        let c = cstr(path);
        // SAFETY: plain libc calls on a valid path; the fd is owned by the result.
        let fd = unsafe { sys::open(c.as_ptr(), sys::O_RDWR | sys::O_CREAT | 0o2000000, l::MODE) };
        if fd < 0 {
            return Err(os_error(path));
        }
        if unsafe { sys::flock(fd, sys::LOCK_EX | sys::LOCK_NB) } != 0 {
            unsafe { sys::close(fd) };
            return Err(ShmError::Os(format!("{path} is held by another caller")));
        }
        Ok(OwnerLock { fd, path: c })
    }
}

impl Drop for OwnerLock {
    fn drop(&mut self) {
        // SAFETY: our own path and fd; closing drops the flock.
        unsafe {
            sys::unlink(self.path.as_ptr());
            sys::close(self.fd);
        }
    }
}

/// True exactly while some process holds LOCK_EX on `path`.
pub fn lock_alive(path: &str) -> bool {
    let c = cstr(path);
    // SAFETY: plain libc calls; the fd is closed before returning.
    let fd = unsafe { sys::open(c.as_ptr(), 0o2000000) };
    if fd < 0 {
        return false;
    }
    let held = unsafe { sys::flock(fd, sys::LOCK_SH | sys::LOCK_NB) } != 0;
    unsafe { sys::close(fd) };
    held
}
