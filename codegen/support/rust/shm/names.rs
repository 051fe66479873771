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
// A dead owner's file is removed only while the remover holds its lock
// (`remove_if_dead`), and a new owner checks, once it holds the lock, that its file is
// still the one at the path (`OwnerLock::take`): so a live owner's file is never removed,
// not even one just created by a caller reattaching from the same process (same name).
struct OwnerLock {
    fd: c_int,
    path: CString,
}

impl OwnerLock {
    fn take(path: &str) -> Result<OwnerLock, ShmError> {
        let c = cstr(path);
        loop {
            // SAFETY: plain libc calls on a valid path; the fd is owned by the result.
            let fd = unsafe { sys::open(c.as_ptr(), sys::O_RDWR | sys::O_CREAT | 0o2000000, l::MODE) };
            if fd < 0 {
                return Err(os_error(path));
            }
            if unsafe { sys::flock(fd, sys::LOCK_EX | sys::LOCK_NB) } != 0 {
                unsafe { sys::close(fd) };
                return Err(ShmError::Os(format!("{path} is held by another caller")));
            }
            if is_at(fd, &c) {
                return Ok(OwnerLock { fd, path: c });
            }
            unsafe { sys::close(fd) }; // removed as a dead owner's between open and lock: again
        }
    }
}

/// Whether the file open at `fd` is the one at `path`.
fn is_at(fd: c_int, path: &CString) -> bool {
    let (mut at, mut open) = (sys::Statx::zeroed(), sys::Statx::zeroed());
    let empty: [c_char; 1] = [0]; // AT_EMPTY_PATH: `fd` itself
    // SAFETY: valid path and fd, buffers of the kernel's struct statx size.
    let ok = unsafe {
        sys::statx(sys::AT_FDCWD, path.as_ptr(), 0, sys::STATX_INO, &mut at) == 0
            && sys::statx(fd, empty.as_ptr(), sys::AT_EMPTY_PATH, sys::STATX_INO, &mut open) == 0
    };
    ok && (at.ino, at.dev_major, at.dev_minor) == (open.ino, open.dev_major, open.dev_minor)
}

/// Unlink the lock file at `path` unless its owner lives, and only while holding its lock:
/// an owner that locked it first keeps it, and one that opened it but locks it afterwards
/// sees it gone (`OwnerLock::take`) and takes a new one.
fn remove_if_dead(path: &str) {
    let c = cstr(path);
    // SAFETY: plain libc calls; the fd is closed before returning.
    let fd = unsafe { sys::open(c.as_ptr(), 0o2000000) };
    if fd < 0 {
        return;
    }
    if unsafe { sys::flock(fd, sys::LOCK_EX | sys::LOCK_NB) } == 0 && is_at(fd, &c) {
        unsafe { sys::unlink(c.as_ptr()) };
    }
    unsafe { sys::close(fd) };
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
    LockProbe::open(path).is_some_and(|p| p.alive())
}

/// A descriptor of a peer's lock file, held for as long as the peer is watched: each
/// probe is one flock, with no path lookup, open or close, and it keeps naming the file
/// that peer locked even once a successor's file takes the path (a server restarted under
/// the same name is not the callee this connection's segment belongs to).
pub struct LockProbe {
    fd: c_int,
}

impl LockProbe {
    /// The file at `path`, or None when there is none (no owner).
    pub fn open(path: &str) -> Option<LockProbe> {
        let c = cstr(path);
        // SAFETY: a plain open of a valid path; the fd is owned by the result.
        let fd = unsafe { sys::open(c.as_ptr(), 0o2000000) };
        (fd >= 0).then_some(LockProbe { fd })
    }

    /// True exactly while its owner holds LOCK_EX on the file.
    pub fn alive(&self) -> bool {
        // SAFETY: our own fd. A shared lock we got (the owner is gone) is dropped at once,
        // so a remover's LOCK_EX on the file is never refused because of this probe.
        unsafe {
            if sys::flock(self.fd, sys::LOCK_SH | sys::LOCK_NB) != 0 {
                return true;
            }
            sys::flock(self.fd, sys::LOCK_UN);
        }
        false
    }
}

impl Drop for LockProbe {
    fn drop(&mut self) {
        // SAFETY: our own fd, closed once.
        unsafe { sys::close(self.fd) };
    }
}
