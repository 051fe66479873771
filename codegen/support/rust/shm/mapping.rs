// ---- the mapping --------------------------------------------------------------
struct Mapping {
    base: *mut u8,
    len: usize,
}

// SAFETY: the mapping is shared memory accessed only through atomics and through
// payload areas owned by one call at a time (slot protocol).
unsafe impl Send for Mapping {}
unsafe impl Sync for Mapping {}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: base/len come from a successful mmap.
        unsafe { sys::munmap(self.base as *mut c_void, self.len) };
    }
}

impl Mapping {
    fn open(names: &Names) -> Result<Mapping, ShmError> {
        let seg = names.segment();
        let c = cstr(&seg);
        // SAFETY: libc calls with valid arguments; the fd is closed after mmap.
        let fd = unsafe { sys::shm_open(c.as_ptr(), sys::O_RDWR, 0) };
        if fd < 0 {
            return Err(ShmError::PeerGone(format!("no shared-memory segment named {seg}")));
        }
        let len = std::fs::metadata(format!("/dev/shm/{}", names.stem)).map(|m| m.len() as usize);
        let len = match len {
            Ok(n) if n >= l::HEADER_SIZE => n,
            _ => {
                unsafe { sys::close(fd) };
                return Err(ShmError::Layout(format!(
                    "segment {seg} is smaller than the {}-byte header",
                    l::HEADER_SIZE
                )));
            }
        };
        let p = unsafe { sys::mmap(std::ptr::null_mut(), len, sys::PROT_RW, sys::MAP_SHARED, fd, 0) };
        unsafe { sys::close(fd) };
        if p as isize == -1 {
            return Err(os_error("mmap"));
        }
        Ok(Mapping { base: p as *mut u8, len })
    }
    fn u32(&self, off: usize) -> &AtomicU32 {
        assert!(off + 4 <= self.len && off & 3 == 0);
        // SAFETY: in bounds and aligned (checked); shared words are only used atomically.
        unsafe { &*(self.base.add(off) as *const AtomicU32) }
    }
    fn u64(&self, off: usize) -> &AtomicU64 {
        assert!(off + 8 <= self.len && off & 7 == 0);
        // SAFETY: as above.
        unsafe { &*(self.base.add(off) as *const AtomicU64) }
    }
    /// Replace `dst` by a private copy of the `n` mapped bytes at `off`; reads them once
    /// (a racing writer changes the copy, never what is checked after it is made).
    fn copy_out(&self, off: usize, n: usize, dst: &mut Vec<u8>) {
        assert!(off + n <= self.len);
        dst.clear();
        dst.reserve(n);
        // SAFETY: bounds checked; `dst` has room for n bytes, all written before set_len.
        unsafe {
            std::ptr::copy_nonoverlapping(self.base.add(off), dst.as_mut_ptr(), n);
            dst.set_len(n);
        }
    }
    /// Payload bytes of one slot; the slot protocol gives the holder exclusive use.
    #[allow(clippy::mut_from_ref)]
    unsafe fn bytes(&self, off: usize, n: usize) -> &mut [u8] {
        assert!(off + n <= self.len);
        // SAFETY: bounds checked; exclusivity is the caller's (slot ownership).
        unsafe { std::slice::from_raw_parts_mut(self.base.add(off), n) }
    }
}
