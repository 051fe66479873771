/// Rust caller of the shm layout, std only: embedded once per generated file
/// whose IDL has shm methods (codegen/emit/shm_files.py). Every offset comes from the
/// generated `r2g_shm_layout` constants and the attached segment's validated header; the
/// state machines are those of docs/shm-layout.md (rust2go.shm.layout.TRANSITIONS):
///
/// slot   FREE -store-release(generation+1,PENDING)-> PENDING        caller, before the push
///        PENDING -CAS-> ABANDONED                             caller, future dropped
///        DONE|ABANDONED -store-release(generation,FREE)-> FREE       whoever popped the completion
/// cell   producer: CAS enqueue_pos when seq==pos, body, store-release seq=pos+1
///        consumer: CAS dequeue_pos when seq==pos+1, copy, store-release seq=pos+C
/// bell   waiter: swap(parked,1); fence; re-check; sem_timedwait; swap(parked,0)
///        notifier: fence; if parked && swap(parked,0)==1 { sem_post }
/// caller CAS caller_pid 0 (or a dead claimer's pid) -> own pid; VACANT -CAS-> ATTACHED;
///        store pid; session += 1. ATTACHED|BROKEN -CAS-> DETACHED on close, on a
///        completion whose slot, length or kind is out of range (every pending call fails
///        at once, naming the field), or when the callee marked the session BROKEN
///
/// One completion-reader thread per connection is the caller side's only parker on the
/// caller doorbell. A blocking call polls the completion ring itself while it spins
/// (`pollers` counts such calls), so its reply needs no hand-off; whoever pops a
/// completion (reader, polling caller or helper) stores FREE in that slot's word and
/// marks the slot's record READY (`SlotRec` below); the call's own thread then decodes
/// the reply in place and only then returns the slot to the free list (a slot is reused
/// only after the callee answered it and its reply was read).
/// reader   in_flight <= pollers (every call covered, or none): idle=1; re-check; park
///          the thread locally (caller_parked stays 0: the callee posts nothing); idle=0
///          otherwise spin 50 µs, then park on the caller doorbell (bell protocol above)
/// waker    whoever makes in_flight > pollers (an async/oneway submit, a blocking call
///          that stops polling unanswered): if idle && swap(idle,0) { unpark reader }
/// helpers  a polled async call that is not done pops up to HELP_BATCH completions on its
///          executor thread (wakes stay local there); while helpers pop HELP_BUSY+ between
///          two reader looks, the reader naps HELP_NAP instead of spinning. Helping is only
///          an optimisation: the reader alone still covers every call.
#[doc(hidden)]
#[allow(dead_code, clippy::missing_safety_doc)]
pub mod r2g_shm {
    use super::r2g_shm_layout as l;
    use std::ffi::{CString, c_char, c_int, c_long, c_void};
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering, fence};
    use std::sync::{Arc, Mutex};
    use std::task::{Context, Poll, Waker};
    use std::time::{Duration, Instant};

    const SPIN: Duration = Duration::from_micros(50);
    const SPIN_BEFORE_YIELD: u32 = 2000; // polls of a blocking call before it yields
    const PARK_MS: i64 = 10; // caller park timeout: the liveness probe period
    const HELP_BATCH: usize = 32; // completions an async call's poll pops for the reader
    const HELP_BUSY: u64 = 16; // helped pops between two reader looks that mean "busy"
    const HELP_NAP: Duration = Duration::from_micros(100);

    // ---- errors -------------------------------------------------------------------
    /// Why a shm call failed.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum ShmError {
        /// The callee died, closed, or the connection was closed.
        PeerGone(String),
        /// The callee answered with a non-OK status (`CallStatus`) and a message.
        Remote(u32, String),
        /// The encoded arguments do not fit the slot's request area.
        TooLarge(String),
        /// A segment or payload broke the layout (hostile or mismatched peer).
        Layout(String),
        /// An OS call failed.
        Os(String),
    }

    impl std::fmt::Display for ShmError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match self {
                ShmError::PeerGone(m) => write!(f, "shm peer gone: {m}"),
                ShmError::Remote(s, m) => write!(f, "callee answered {}: {m}", status_name(*s)),
                ShmError::TooLarge(m) | ShmError::Layout(m) | ShmError::Os(m) => f.write_str(m),
            }
        }
    }

    impl std::error::Error for ShmError {}

    fn status_name(s: u32) -> &'static str {
        match s {
            l::CALL_STATUS_OK => "OK",
            l::CALL_STATUS_HANDLER_ERROR => "HANDLER_ERROR",
            l::CALL_STATUS_RESPONSE_TOO_LARGE => "RESPONSE_TOO_LARGE",
            l::CALL_STATUS_ABANDONED => "ABANDONED",
            l::CALL_STATUS_UNKNOWN_METHOD => "UNKNOWN_METHOD",
            l::CALL_STATUS_CALLEE_CLOSING => "CALLEE_CLOSING",
            _ => "an unknown status",
        }
    }

    fn os_error(what: &str) -> ShmError {
        ShmError::Os(format!("{what}: {}", std::io::Error::last_os_error()))
    }

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
        pub const CLOCK_REALTIME: c_int = 0;
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
        /// Payload bytes of one slot; the slot protocol gives the holder exclusive use.
        #[allow(clippy::mut_from_ref)]
        unsafe fn bytes(&self, off: usize, n: usize) -> &mut [u8] {
            assert!(off + n <= self.len);
            // SAFETY: bounds checked; exclusivity is the caller's (slot ownership).
            unsafe { std::slice::from_raw_parts_mut(self.base.add(off), n) }
        }
    }

    // ---- header validation (shm/validate.py) --------------------------------------
    #[derive(Clone, Copy, Debug)]
    pub struct Geometry {
        pub slot_count: usize,
        pub request_ring_capacity: usize,
        pub completion_ring_capacity: usize,
        pub request_capacity: usize,
        pub response_capacity: usize,
        pub request_ring_offset: usize,
        pub completion_ring_offset: usize,
        pub slot_table_offset: usize,
        pub payload_offset: usize,
        pub payload_stride: usize,
        pub segment_size: usize,
    }

    fn align64(n: usize) -> usize {
        n.div_ceil(l::CACHE_LINE) * l::CACHE_LINE
    }

    fn bad(field: &str, v: usize, why: String) -> ShmError {
        ShmError::Layout(format!("ShmLayoutError: header.{field}={v} {why}"))
    }

    fn read_geometry(m: &Mapping) -> Result<Geometry, ShmError> {
        let u32f = |off: usize| m.u32(off).load(Ordering::Acquire) as usize;
        let u64f = |off: usize| m.u64(off).load(Ordering::Acquire) as usize;
        if m.u64(l::HEADER_MAGIC).load(Ordering::Acquire) != l::MAGIC {
            return Err(bad("magic", u64f(l::HEADER_MAGIC), "is not a rust2go segment".into()));
        }
        let expect = [
            ("layout_version", u32f(l::HEADER_LAYOUT_VERSION), l::LAYOUT_VERSION as usize),
            ("header_size", u32f(l::HEADER_HEADER_SIZE), l::HEADER_SIZE),
            ("slot_record_size", u32f(l::HEADER_SLOT_RECORD_SIZE), l::SLOT_SIZE),
            ("cell_size", u32f(l::HEADER_CELL_SIZE), l::CELL_SIZE),
            ("ring_header_size", u32f(l::HEADER_RING_HEADER_SIZE), l::RING_SIZE),
            ("flags", u32f(l::HEADER_FLAGS), 0),
            ("segment_size", u64f(l::HEADER_SEGMENT_SIZE), m.len),
        ];
        for (field, got, want) in expect {
            if got != want {
                return Err(bad(field, got, format!("does not match the expected value ({want})")));
            }
        }
        let g = Geometry {
            slot_count: u32f(l::HEADER_SLOT_COUNT),
            request_ring_capacity: u32f(l::HEADER_REQUEST_RING_CAPACITY),
            completion_ring_capacity: u32f(l::HEADER_COMPLETION_RING_CAPACITY),
            request_capacity: u32f(l::HEADER_REQUEST_CAPACITY),
            response_capacity: u32f(l::HEADER_RESPONSE_CAPACITY),
            request_ring_offset: u64f(l::HEADER_REQUEST_RING_OFFSET),
            completion_ring_offset: u64f(l::HEADER_COMPLETION_RING_OFFSET),
            slot_table_offset: u64f(l::HEADER_SLOT_TABLE_OFFSET),
            payload_offset: u64f(l::HEADER_PAYLOAD_OFFSET),
            payload_stride: u32f(l::HEADER_PAYLOAD_STRIDE),
            segment_size: m.len,
        };
        check_counts(&g)?;
        check_regions(&g)?;
        let states = [
            ("segment_state", u32f(l::HEADER_SEGMENT_STATE), l::SEGMENT_STATE_CLOSED as usize),
            ("caller_state", u32f(l::HEADER_CALLER_STATE), l::CALLER_STATE_BROKEN as usize),
            ("callee_parked", u32f(l::HEADER_CALLEE_PARKED), 1),
            ("caller_parked", u32f(l::HEADER_CALLER_PARKED), 1),
        ];
        for (field, v, max) in states {
            if v > max {
                return Err(bad(field, v, format!("is outside 0..={max}")));
            }
        }
        Ok(g)
    }

    fn check_counts(g: &Geometry) -> Result<(), ShmError> {
        if !(1..=l::MAX_SLOTS).contains(&g.slot_count) {
            return Err(bad("slot_count", g.slot_count, format!("is outside 1..{}", l::MAX_SLOTS)));
        }
        for (f, cap) in [
            ("request_ring_capacity", g.request_ring_capacity),
            ("completion_ring_capacity", g.completion_ring_capacity),
        ] {
            if !(l::MIN_RING_CAPACITY..=l::MAX_RING_CAPACITY).contains(&cap) || !cap.is_power_of_two() {
                return Err(bad(f, cap, "is not a power of two in range".into()));
            }
        }
        if g.completion_ring_capacity < g.slot_count {
            return Err(bad(
                "completion_ring_capacity",
                g.completion_ring_capacity,
                format!("is below header.slot_count={}", g.slot_count),
            ));
        }
        for (f, cap) in [("request_capacity", g.request_capacity), ("response_capacity", g.response_capacity)] {
            if cap > l::MAX_PAYLOAD {
                return Err(bad(f, cap, format!("exceeds the limit {}", l::MAX_PAYLOAD)));
            }
        }
        let stride = align64(g.request_capacity) + align64(g.response_capacity);
        if g.payload_stride != stride {
            return Err(bad("payload_stride", g.payload_stride, format!("is not {stride}")));
        }
        Ok(())
    }

    fn check_regions(g: &Geometry) -> Result<(), ShmError> {
        let ring = |cap: usize| l::RING_SIZE + cap * l::CELL_SIZE;
        let mut regions = [
            ("request_ring_offset", g.request_ring_offset, ring(g.request_ring_capacity)),
            ("completion_ring_offset", g.completion_ring_offset, ring(g.completion_ring_capacity)),
            ("slot_table_offset", g.slot_table_offset, g.slot_count * l::SLOT_SIZE),
            ("payload_offset", g.payload_offset, g.slot_count * g.payload_stride),
        ];
        for (f, off, n) in regions {
            if off & (l::CACHE_LINE - 1) != 0 || off < l::HEADER_SIZE {
                return Err(bad(f, off, "is misaligned or overlaps the header".into()));
            }
            if off.checked_add(n).is_none_or(|end| end > g.segment_size) {
                return Err(bad(f, off, format!("+ region size {n} exceeds header.segment_size")));
            }
        }
        regions.sort_by_key(|r| r.1);
        for w in regions.windows(2) {
            if w[0].1 + w[0].2 > w[1].1 {
                return Err(bad(w[1].0, w[1].1, format!("overlaps header.{}", w[0].0)));
            }
        }
        Ok(())
    }

    // ---- the contract (shm/contract.py) -------------------------------------------
    /// Which IDL a segment's payloads follow: the generator's hash of the served trait
    /// (0 in a header: the callee declares none) and the IDL's file name, for messages.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Contract {
        pub hash: u64,
        pub idl: &'static str,
    }

    /// Refuse a callee that serves another IDL, worded as shm/contract.py words it.
    fn check_contract(m: &Mapping, segment: &str, mine: &Contract) -> Result<(), ShmError> {
        let theirs = m.u64(l::HEADER_CONTRACT).load(Ordering::Acquire);
        if theirs == mine.hash {
            return Ok(());
        }
        let expects = format!("this caller expects {:016x} ({})", mine.hash, mine.idl);
        if theirs == 0 {
            return Err(ShmError::Layout(format!(
                "shm contract mismatch on {segment}: the callee declares no contract (header.contract=0), {expects}; \
                 serve it from code generated from {} (a Python callee: ShmCallee.create(contract=...)), or {CONTRACT_ADVICE}",
                mine.idl
            )));
        }
        // SAFETY: header bytes inside the validated mapping, written once by the creator.
        let raw = unsafe { m.bytes(l::HEADER_IDL_NAME, l::IDL_NAME_SIZE) };
        let end = raw.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
        let idl = String::from_utf8_lossy(&raw[..end]);
        Err(ShmError::Layout(format!(
            "shm contract mismatch on {segment}: the callee serves {theirs:016x} ({idl}), {expects}: \
             the two sides were generated from different IDLs (or layout versions); {CONTRACT_ADVICE}"
        )))
    }

    const CONTRACT_ADVICE: &str = "regenerate both sides from the same IDL";

    // ---- rings --------------------------------------------------------------------
    #[derive(Clone, Copy)]
    pub struct Cell {
        pub slot: u32,
        pub generation: u32,
        pub method: u32,
        pub length: u32,
        pub kind: u32,
        pub status: u32,
    }

    struct Ring {
        off: usize,
        mask: u64,
        cap: u64,
    }

    impl Ring {
        fn cell(&self, pos: u64) -> usize {
            self.off + l::RING_SIZE + ((pos & self.mask) as usize) * l::CELL_SIZE
        }

        fn try_push(&self, m: &Mapping, c: Cell) -> Result<bool, ShmError> {
            let enq = m.u64(self.off + l::RING_ENQUEUE_POS);
            let mut pos = enq.load(Ordering::Acquire);
            loop {
                let cell = self.cell(pos);
                let dif = m.u64(cell + l::CELL_SEQ).load(Ordering::Acquire).wrapping_sub(pos) as i64;
                if dif == 0 {
                    match enq.compare_exchange(pos, pos + 1, Ordering::SeqCst, Ordering::Acquire) {
                        Ok(_) => break,
                        Err(now) => pos = now,
                    }
                } else if dif < 0 {
                    return Ok(false);
                } else {
                    pos = self.moved(enq, pos)?;
                }
            }
            let cell = self.cell(pos);
            for (off, v) in [
                (l::CELL_SLOT, c.slot),
                (l::CELL_GENERATION, c.generation),
                (l::CELL_METHOD, c.method),
                (l::CELL_LENGTH, c.length),
                (l::CELL_KIND, c.kind),
                (l::CELL_STATUS, c.status),
            ] {
                m.u32(cell + off).store(v, Ordering::Relaxed);
            }
            m.u64(cell + l::CELL_SEQ).store(pos + 1, Ordering::Release);
            Ok(true)
        }

        fn try_pop(&self, m: &Mapping) -> Result<Option<Cell>, ShmError> {
            let deq = m.u64(self.off + l::RING_DEQUEUE_POS);
            let mut pos = deq.load(Ordering::Acquire);
            loop {
                let cell = self.cell(pos);
                let dif = m.u64(cell + l::CELL_SEQ).load(Ordering::Acquire).wrapping_sub(pos + 1) as i64;
                if dif == 0 {
                    match deq.compare_exchange(pos, pos + 1, Ordering::SeqCst, Ordering::Acquire) {
                        Ok(_) => break,
                        Err(now) => pos = now,
                    }
                } else if dif < 0 {
                    return Ok(None);
                } else {
                    pos = self.moved(deq, pos)?;
                }
            }
            let cell = self.cell(pos);
            let f = |off: usize| m.u32(cell + off).load(Ordering::Relaxed);
            let c = Cell {
                slot: f(l::CELL_SLOT),
                generation: f(l::CELL_GENERATION),
                method: f(l::CELL_METHOD),
                length: f(l::CELL_LENGTH),
                kind: f(l::CELL_KIND),
                status: f(l::CELL_STATUS),
            };
            m.u64(cell + l::CELL_SEQ).store(pos + self.cap, Ordering::Release);
            Ok(Some(c))
        }

        fn is_empty(&self, m: &Mapping) -> bool {
            let pos = m.u64(self.off + l::RING_DEQUEUE_POS).load(Ordering::Acquire);
            m.u64(self.cell(pos) + l::CELL_SEQ).load(Ordering::Acquire) != pos + 1
        }

        /// Another thread moved the position, or (if it did not) the ring is corrupt.
        fn moved(&self, counter: &AtomicU64, pos: u64) -> Result<u64, ShmError> {
            let now = counter.load(Ordering::Acquire);
            if now == pos {
                return Err(ShmError::Layout(format!("ring cell[{}].seq is ahead of its position {pos}: ring corrupt", pos & self.mask)));
            }
            Ok(now)
        }
    }

    // ---- doorbells ----------------------------------------------------------------
    struct Bell {
        parked: usize, // header offset of the side's parked flag
        sem: *mut c_void,
    }

    impl Bell {
        fn open(name: &str, parked: usize) -> Result<Bell, ShmError> {
            let c = cstr(name);
            // SAFETY: opening an existing named semaphore; closed in Drop.
            let sem = unsafe { sys::sem_open(c.as_ptr(), 0) };
            if sem.is_null() || sem as isize == -1 {
                return Err(ShmError::PeerGone(format!("segment has no doorbell {name} (half cleaned up?)")));
            }
            Ok(Bell { parked, sem })
        }

        /// Notifier side: post only on the parked -> awake edge.
        fn ring(&self, m: &Mapping) {
            fence(Ordering::SeqCst);
            let p = m.u32(self.parked);
            if p.load(Ordering::Acquire) == 1 && p.swap(0, Ordering::SeqCst) == 1 {
                // SAFETY: a valid semaphore handle.
                unsafe { sys::sem_post(self.sem) };
            }
        }

        /// Waiter side; false only on a timeout.
        fn park(&self, m: &Mapping, ready: impl Fn() -> bool, ms: i64) -> bool {
            let p = m.u32(self.parked);
            p.swap(1, Ordering::SeqCst);
            fence(Ordering::SeqCst);
            if ready() {
                p.swap(0, Ordering::SeqCst);
                return true;
            }
            let mut ts = sys::Timespec { tv_sec: 0, tv_nsec: 0 };
            // SAFETY: plain libc calls with valid pointers.
            unsafe { sys::clock_gettime(sys::CLOCK_REALTIME, &mut ts) };
            #[allow(clippy::useless_conversion)] // c_long is i64 here, i32 elsewhere
            let ns = i64::from(ts.tv_nsec) + ms * 1_000_000;
            ts.tv_sec += ns / 1_000_000_000;
            ts.tv_nsec = (ns % 1_000_000_000) as c_long;
            let woke = loop {
                if unsafe { sys::sem_timedwait(self.sem, &ts) } == 0 {
                    break true;
                }
                if std::io::Error::last_os_error().raw_os_error() != Some(4) {
                    break false; // ETIMEDOUT (EINTR retries)
                }
            };
            p.swap(0, Ordering::SeqCst);
            woke
        }

        fn post_self(&self) {
            // SAFETY: a valid semaphore handle; wakes our own parker at close.
            unsafe { sys::sem_post(self.sem) };
        }
    }

    impl Drop for Bell {
        fn drop(&mut self) {
            // SAFETY: opened in Bell::open.
            unsafe { sys::sem_close(self.sem) };
        }
    }

    // SAFETY: POSIX semaphores are process-shared objects safe to use from any thread.
    unsafe impl Send for Bell {}
    unsafe impl Sync for Bell {}

    // ---- calls --------------------------------------------------------------------
    enum Waiter {
        None,
        Task(Waker),
        Thread(std::thread::Thread),
    }

    impl Waiter {
        fn wake(self) {
            match self {
                Waiter::None => {}
                Waiter::Task(w) => w.wake(),
                Waiter::Thread(t) => t.unpark(),
            }
        }
    }

    // Where a slot's call is, on this side (the callee's view is the slot word in shm).
    // A slot is reused only after its reply was read, so a reply is decoded in place,
    // from the slot's response area, by the call's own thread, with no copy:
    //
    //   FREE -submit-> SENT (a consumer waits) | DROPPED (oneway: nobody reads the reply)
    //   SENT -popper CAS-> READY -consumer reads the reply, frees-> FREE
    //   SENT -consumer dropped, CAS-> DROPPED -popper frees-> FREE (slot word ABANDONED first)
    //   SENT|DROPPED -declare_dead CAS-> DEAD (never reused: the connection is finished)
    // Each CAS has exactly one winner, which does the step's bookkeeping (in_flight -= 1
    // for a popped or failed call, the free list push for a freed slot). Every
    // interleaving of two calls sharing a slot, with two poppers, is explored by
    // tests/shm_codegen/test_slot_record_model.py (change both together).
    const REC_FREE: u32 = 0;
    const REC_SENT: u32 = 1;
    const REC_READY: u32 = 2;
    const REC_DROPPED: u32 = 3;
    const REC_DEAD: u32 = 4;

    struct SlotRec {
        state: AtomicU32,
        status: AtomicU32, // the completion's status and reply length, set before READY
        len: AtomicU32,
        waiter: Mutex<Waiter>, // who to wake on READY or DEAD
    }

    impl SlotRec {
        /// The registered waiter, leaving none (the caller wakes or drops it).
        fn take_waiter(&self) -> Waiter {
            std::mem::replace(&mut *self.waiter.lock().unwrap_or_else(|e| e.into_inner()), Waiter::None)
        }
    }

    enum ReplyState {
        Ready,
        Dead,
        Pending,
    }

    enum SlotWaiter {
        Task(Waker),
        Thread(std::thread::Thread),
    }

    impl SlotWaiter {
        fn wake(self) {
            match self {
                SlotWaiter::Task(w) => w.wake(),
                SlotWaiter::Thread(t) => t.unpark(),
            }
        }
    }

    /// Free slots and the callers waiting for one (FIFO). A freed slot wakes one waiter,
    /// not all; progress when a woken waiter does not take it: a waiter that gets a slot
    /// while more are free wakes the next, a waiting future dropped passes its wake on,
    /// and the reader wakes them all before it parks idle (blocking callers re-try every
    /// PARK_MS anyway).
    struct FreeList {
        free: Vec<u32>,
        waiters: std::collections::VecDeque<SlotWaiter>, // bounded by the callers waiting
    }

    impl FreeList {
        /// The next waiter to wake while a slot is free.
        fn next_waiter(&mut self) -> Option<SlotWaiter> {
            if self.free.is_empty() { None } else { self.waiters.pop_front() }
        }
    }

    /// One attached caller connection (one per process and segment).
    pub struct Conn {
        map: Mapping,
        pub geometry: Geometry,
        pub names: Names,
        req_ring: Ring,
        comp_ring: Ring,
        callee_bell: Bell,
        caller_bell: Bell,
        recs: Vec<SlotRec>,
        // Each slot's current generation. Written only by the submitter, which owns the
        // slot (taken from the free list); read without a lock by whoever pops its
        // completion, which the push/pop release-acquire chain orders after the write.
        generations: Vec<AtomicU32>,
        free: Mutex<FreeList>,
        in_flight: AtomicU32,
        pollers: AtomicU32,                        // blocking calls polling the completion ring
        reader_idle: AtomicBool,                   // reader parked locally (not on the doorbell)
        reader: std::sync::OnceLock<std::thread::Thread>,
        helped: AtomicU64, // completions popped by executor threads (help_drain)
        dead: Mutex<Option<String>>,
        is_dead: AtomicBool,
        stop: AtomicBool,
        lock: Mutex<Option<OwnerLock>>,
    }

    impl Conn {
        /// Open, validate, check the callee's contract against `contract`, and attach
        /// (VACANT -> ATTACHED); starts the completion reader.
        pub fn connect(name: &str, timeout: Duration, contract: &Contract) -> Result<Arc<Conn>, ShmError> {
            let names = Names::parse(name)?;
            let map = Mapping::open(&names)?;
            let g = read_geometry(&map)?;
            check_contract(&map, &names.segment(), contract)?;
            let callee_bell = Bell::open(&names.callee_bell(), l::HEADER_CALLEE_PARKED)?;
            let caller_bell = Bell::open(&names.caller_bell(), l::HEADER_CALLER_PARKED)?;
            let lock = OwnerLock::take(&names.caller_lock(std::process::id()))?;
            let ring = |off: usize, cap: usize| Ring { off, mask: cap as u64 - 1, cap: cap as u64 };
            let recs = (0..g.slot_count)
                .map(|_| SlotRec {
                    state: AtomicU32::new(REC_FREE),
                    status: AtomicU32::new(0),
                    len: AtomicU32::new(0),
                    waiter: Mutex::new(Waiter::None),
                })
                .collect();
            let generations = (0..g.slot_count)
                .map(|i| {
                    let w = map.u64(g.slot_table_offset + i * l::SLOT_SIZE + l::SLOT_WORD_OFFSET);
                    AtomicU32::new((w.load(Ordering::Acquire) >> 32) as u32)
                })
                .collect();
            let conn = Conn {
                req_ring: ring(g.request_ring_offset, g.request_ring_capacity),
                comp_ring: ring(g.completion_ring_offset, g.completion_ring_capacity),
                map,
                geometry: g,
                names,
                callee_bell,
                caller_bell,
                recs,
                generations,
                free: Mutex::new(FreeList { free: (0..g.slot_count as u32).rev().collect(), waiters: Default::default() }),
                in_flight: AtomicU32::new(0),
                pollers: AtomicU32::new(0),
                reader_idle: AtomicBool::new(false),
                reader: std::sync::OnceLock::new(),
                helped: AtomicU64::new(0),
                dead: Mutex::new(None),
                is_dead: AtomicBool::new(false),
                stop: AtomicBool::new(false),
                lock: Mutex::new(Some(lock)),
            };
            conn.attach(timeout)?;
            let conn = Arc::new(conn);
            let reader = Arc::clone(&conn);
            let handle = std::thread::Builder::new()
                .name(format!("r2g-shm-reader-{}", conn.names.stem))
                .spawn(move || reader.read_completions())
                .map_err(|e| ShmError::Os(format!("spawn completion reader: {e}")))?;
            let _ = conn.reader.set(handle.thread().clone());
            Ok(conn)
        }

        fn hdr(&self, off: usize) -> &AtomicU32 {
            self.map.u32(off)
        }

        fn callee_problem(&self) -> Option<String> {
            let state = self.hdr(l::HEADER_SEGMENT_STATE).load(Ordering::Acquire);
            if state == l::SEGMENT_STATE_CLOSED || state == l::SEGMENT_STATE_CREATING {
                return Some(format!("callee of {} is closed", self.names.segment()));
            }
            if !lock_alive(&self.names.callee_lock()) {
                let pid = self.hdr(l::HEADER_CALLEE_PID).load(Ordering::Acquire);
                return Some(format!("callee pid {pid} of {} is gone", self.names.segment()));
            }
            None
        }

        /// caller state machine (shm/session.py): claim caller_pid (0 -> own pid, or a dead
        /// claimer's pid -> own pid), then VACANT -CAS-> ATTACHED, store the pid again (a
        /// callee's reset may clear a claim), session += 1. A claim always names a lock file
        /// the OS releases at death, so a caller dying mid-attach never blocks the next one.
        fn attach(&self, timeout: Duration) -> Result<(), ShmError> {
            let deadline = Instant::now() + timeout;
            let state = self.hdr(l::HEADER_CALLER_STATE);
            let pid = self.hdr(l::HEADER_CALLER_PID);
            let me = std::process::id();
            loop {
                if let Some(p) = self.callee_problem() {
                    return Err(ShmError::PeerGone(p));
                }
                if state.load(Ordering::Acquire) == l::CALLER_STATE_VACANT && self.claim(me) {
                    if state
                        .compare_exchange(l::CALLER_STATE_VACANT, l::CALLER_STATE_ATTACHED, Ordering::SeqCst, Ordering::Acquire)
                        .is_ok()
                    {
                        pid.store(me, Ordering::Release);
                        self.hdr(l::HEADER_SESSION).fetch_add(1, Ordering::SeqCst);
                        return self.check_ring_positions();
                    }
                    let _ = pid.compare_exchange(me, 0, Ordering::SeqCst, Ordering::Acquire); // give the claim back
                }
                if Instant::now() > deadline {
                    return Err(ShmError::PeerGone(format!("{} already has a caller", self.names.segment())));
                }
                self.callee_bell.ring(&self.map); // let the callee notice and recycle
                std::thread::sleep(Duration::from_millis(2));
            }
        }

        /// Own caller_pid while caller_state is VACANT; false: another attacher holds it.
        fn claim(&self, me: u32) -> bool {
            let pid = self.hdr(l::HEADER_CALLER_PID);
            let cur = pid.load(Ordering::Acquire);
            if cur == me {
                return true;
            }
            let dead_claimer = cur != 0 && !lock_alive(&self.names.caller_lock(cur));
            if (cur != 0 && !dead_claimer) || pid.compare_exchange(cur, me, Ordering::SeqCst, Ordering::Acquire).is_err() {
                return false;
            }
            if dead_claimer {
                // SAFETY: a NUL-terminated path.
                unsafe { sys::unlink(cstr(&self.names.caller_lock(cur)).as_ptr()) };
            }
            true
        }

        /// caller: ATTACHED|BROKEN -CAS-> DETACHED (never a plain store: the callee may have
        /// recycled this session already and a new caller be ATTACHED); ring the callee.
        fn detach(&self) {
            let state = self.hdr(l::HEADER_CALLER_STATE);
            for from in [l::CALLER_STATE_ATTACHED, l::CALLER_STATE_BROKEN] {
                if state.compare_exchange(from, l::CALLER_STATE_DETACHED, Ordering::SeqCst, Ordering::Acquire).is_ok() {
                    break;
                }
            }
            self.callee_bell.ring(&self.map);
        }

        /// The callee broke the protocol, or marked this session BROKEN over one: nothing
        /// in the rings can be trusted, so every pending call fails now with `why` (the
        /// field and its value) and we detach so the callee can recycle the segment.
        fn violation(&self, why: String) {
            self.detach(); // first: once the calls fail, the process may exit at any moment
            self.declare_dead(format!("protocol violation: {why}"));
        }

        /// The cheap check after every park: the callee ended this session.
        fn broken(&self) -> bool {
            if self.hdr(l::HEADER_CALLER_STATE).load(Ordering::Acquire) != l::CALLER_STATE_BROKEN {
                return false;
            }
            self.violation(format!("the callee of {} ended this session (its log names the field)", self.names.segment()));
            true
        }

        fn check_ring_positions(&self) -> Result<(), ShmError> {
            for (name, r) in [("request_ring", &self.req_ring), ("completion_ring", &self.comp_ring)] {
                let enq = self.map.u64(r.off + l::RING_ENQUEUE_POS).load(Ordering::Acquire);
                let deq = self.map.u64(r.off + l::RING_DEQUEUE_POS).load(Ordering::Acquire);
                let depth = enq.wrapping_sub(deq) as i64;
                if depth < 0 || depth as u64 > r.cap {
                    return Err(ShmError::Layout(format!("{name}.enqueue_pos={enq} dequeue_pos={deq}: depth outside 0..={}", r.cap)));
                }
            }
            Ok(())
        }

        fn check_dead(&self) -> Result<(), ShmError> {
            if self.is_dead.load(Ordering::Acquire) {
                let why = self.dead.lock().unwrap_or_else(|e| e.into_inner()).clone();
                return Err(ShmError::PeerGone(why.unwrap_or_default()));
            }
            Ok(())
        }

        pub fn is_dead(&self) -> bool {
            self.is_dead.load(Ordering::Acquire)
        }

        /// Calls (including abandoned ones) whose completion has not been popped yet.
        pub fn in_flight(&self) -> u32 {
            self.in_flight.load(Ordering::Acquire)
        }

        /// Slots on the free list: all of them once every call was answered and its reply
        /// read (or its consumer dropped).
        pub fn free_slots(&self) -> usize {
            self.free.lock().unwrap_or_else(|e| e.into_inner()).free.len()
        }

        pub fn request_capacity(&self) -> usize {
            self.geometry.request_capacity
        }

        // -- slots ------------------------------------------------------------------
        fn try_alloc(&self, waker: Option<&Waker>) -> Result<Option<u32>, ShmError> {
            self.check_dead()?;
            let mut f = self.free.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(s) = f.free.pop() {
                let next = f.next_waiter();
                drop(f);
                if let Some(w) = next {
                    w.wake();
                }
                return Ok(Some(s));
            }
            f.waiters.push_back(match waker {
                Some(w) => SlotWaiter::Task(w.clone()),
                None => SlotWaiter::Thread(std::thread::current()),
            });
            Ok(None)
        }

        fn release(&self, slot: u32) {
            let next = {
                let mut f = self.free.lock().unwrap_or_else(|e| e.into_inner());
                f.free.push(slot);
                f.next_waiter()
            };
            if let Some(w) = next {
                w.wake();
            }
        }

        /// Pass a slot wake-up on (a waiting future was dropped), or wake every waiter.
        fn wake_slot_waiters(&self, all: bool) {
            let woken: Vec<SlotWaiter> = {
                let mut f = self.free.lock().unwrap_or_else(|e| e.into_inner());
                if f.free.is_empty() {
                    return;
                }
                if all { f.waiters.drain(..).collect() } else { f.next_waiter().into_iter().collect() }
            };
            woken.into_iter().for_each(SlotWaiter::wake);
        }

        fn slot_word(&self, slot: u32) -> &AtomicU64 {
            let g = &self.geometry;
            self.map.u64(g.slot_table_offset + slot as usize * l::SLOT_SIZE + l::SLOT_WORD_OFFSET)
        }

        /// Write the request (one pass into the slot's area), publish, push, ring; the
        /// slot's record goes to `rec` (SENT, or DROPPED when nobody reads the reply).
        fn submit(&self, slot: u32, method: u32, kind: u32, size: usize, write: impl FnOnce(&mut [u8]), rec: u32) -> Result<u32, ShmError> {
            let g = &self.geometry;
            let area = g.payload_offset + slot as usize * g.payload_stride;
            // SAFETY: the slot is ours (taken from the free list) until its reply is read.
            write(unsafe { self.map.bytes(area, size) });
            let gen_cell = &self.generations[slot as usize];
            let generation = gen_cell.load(Ordering::Relaxed).wrapping_add(1);
            gen_cell.store(generation, Ordering::Relaxed);
            self.recs[slot as usize].state.store(rec, Ordering::Release);
            self.in_flight.fetch_add(1, Ordering::SeqCst);
            self.slot_word(slot).store((generation as u64) << 32 | l::SLOT_STATE_PENDING as u64, Ordering::Release);
            let cell = Cell { slot, generation, method, length: size as u32, kind, status: 0 };
            // Backpressure: only a request ring smaller than the slot table can be full.
            while !self.req_ring.try_push(&self.map, cell)? {
                self.check_dead()?; // the segment is finished: the slot is never reused
                self.callee_bell.ring(&self.map);
                std::thread::yield_now();
            }
            self.callee_bell.ring(&self.map);
            self.wake_reader(); // no-op when a polling blocking call covers this one
            Ok(generation)
        }

        /// Where the call in `slot` is; registers `waiter` (under the record's lock, so
        /// a completion between the test and the registration still wakes it).
        fn reply_state(&self, slot: u32, waiter: impl FnOnce() -> Waiter) -> ReplyState {
            let rec = &self.recs[slot as usize];
            let now = |state: u32| match state {
                REC_READY => Some(ReplyState::Ready),
                REC_DEAD => Some(ReplyState::Dead),
                _ => None,
            };
            if let Some(r) = now(rec.state.load(Ordering::Acquire)) {
                return r;
            }
            let mut w = rec.waiter.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(r) = now(rec.state.load(Ordering::Acquire)) {
                return r;
            }
            *w = waiter();
            ReplyState::Pending
        }

        fn is_ready(&self, slot: u32) -> bool {
            matches!(self.recs[slot as usize].state.load(Ordering::Acquire), REC_READY | REC_DEAD)
        }

        /// READY: decode the reply in place from the slot's response area, then free
        /// the slot (READY -> FREE, back on the free list).
        fn read_reply<T>(&self, slot: u32, decode: impl FnOnce(&[u8]) -> Result<T, ShmError>) -> Result<T, ShmError> {
            /// Frees the slot however the read ends (a panicking decode included).
            struct Free<'a>(&'a Conn, u32);
            impl Drop for Free<'_> {
                fn drop(&mut self) {
                    self.0.recs[self.1 as usize].state.store(REC_FREE, Ordering::Release);
                    self.0.release(self.1);
                }
            }
            let _free = Free(self, slot);
            let rec = &self.recs[slot as usize];
            // Read once: a broken callee's second completion may rewrite them meanwhile
            // (it could write any reply bytes anyway; the length stays bounds-checked).
            let (status, len) = (rec.status.load(Ordering::Relaxed), rec.len.load(Ordering::Relaxed));
            let g = &self.geometry;
            let area = g.payload_offset + slot as usize * g.payload_stride + align64(g.request_capacity);
            // SAFETY: the callee answered this slot and it is not freed until below. The
            // READY acquire orders the popper's completion pop, and so the callee's
            // reply writes, before this read.
            let data: &[u8] = unsafe { self.map.bytes(area, len as usize) };
            if status == l::CALL_STATUS_OK {
                decode(data)
            } else {
                Err(ShmError::Remote(status, String::from_utf8_lossy(data).into_owned()))
            }
        }

        /// The consumer of a SENT call gives up: SENT -> DROPPED (and ABANDONED in the
        /// slot word; the popper frees the slot when the callee's answer arrives), or, if
        /// the reply is READY already, free the slot now.
        fn drop_call(&self, slot: u32, generation: u32) {
            let rec = &self.recs[slot as usize];
            // Our waker goes first, while the slot is certainly still ours: once DROPPED,
            // the popper may free the slot and a new call register its own waiter here,
            // which clearing after the CAS would lose (that call would never be woken).
            drop(rec.take_waiter());
            match rec.state.compare_exchange(REC_SENT, REC_DROPPED, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => self.abandon(slot, generation),
                Err(REC_READY) => {
                    rec.state.store(REC_FREE, Ordering::Release);
                    self.release(slot);
                }
                Err(_) => {} // DEAD: never reused
            }
        }

        fn dead_error(&self) -> ShmError {
            let why = self.dead.lock().unwrap_or_else(|e| e.into_inner()).clone();
            ShmError::PeerGone(why.unwrap_or_else(|| "connection closed".into()))
        }

        /// The waker rule of the reader (module comment): a SeqCst Dekker pair with the
        /// reader's idle=1; re-check, so a call is never left without a poller.
        fn wake_reader(&self) {
            let uncovered = self.in_flight.load(Ordering::SeqCst) > self.pollers.load(Ordering::SeqCst);
            let claimed = uncovered && self.reader_idle.load(Ordering::SeqCst) && self.reader_idle.swap(false, Ordering::SeqCst);
            if let Some(t) = self.reader.get().filter(|_| claimed) {
                t.unpark();
            }
        }

        /// Pop and complete up to `max` completions on this thread; how many, or the
        /// ring's corruption (after `popped` good ones, which were completed).
        fn pop_completions(&self, max: usize) -> Result<usize, ShmError> {
            let mut popped = 0;
            while popped < max {
                match self.comp_ring.try_pop(&self.map)? {
                    Some(c) => self.complete(c),
                    None => break,
                }
                popped += 1;
            }
            Ok(popped)
        }

        /// Drain the completion ring on this thread (a polling blocking call); false once
        /// the ring is corrupt (the connection is then dead).
        fn drain_completions(&self) -> bool {
            match self.pop_completions(usize::MAX) {
                Ok(_) => true,
                Err(e) => {
                    self.declare_dead(format!("completion ring corrupt: {e}"));
                    false
                }
            }
        }

        /// Pop what completions there are, at most HELP_BATCH (an executor thread helping
        /// the reader); a corrupt ring is left for the reader to declare.
        fn help_drain(&self) {
            if let Ok(popped @ 1..) = self.pop_completions(HELP_BATCH) {
                self.helped.fetch_add(popped as u64, Ordering::Relaxed);
            }
        }

        /// slot PENDING -CAS-> ABANDONED: the callee drops its reply; the reader frees.
        fn abandon(&self, slot: u32, generation: u32) {
            let g = generation as u64;
            let _ = self.slot_word(slot).compare_exchange(
                g << 32 | l::SLOT_STATE_PENDING as u64,
                g << 32 | l::SLOT_STATE_ABANDONED as u64,
                Ordering::SeqCst,
                Ordering::Acquire,
            );
        }

        // -- the completion reader (this side's only parker) -------------------------
        fn read_completions(self: Arc<Self>) {
            let mut idle_since: Option<Instant> = None;
            let mut helped = 0u64;
            while !self.stop.load(Ordering::Acquire) {
                match self.comp_ring.try_pop(&self.map) {
                    Ok(Some(c)) => {
                        idle_since = None;
                        self.complete(c);
                        continue;
                    }
                    Ok(None) => {}
                    Err(e) => {
                        self.declare_dead(format!("completion ring corrupt: {e}"));
                        return;
                    }
                }
                if self.hdr(l::HEADER_SEGMENT_STATE).load(Ordering::Acquire) == l::SEGMENT_STATE_CLOSED
                    && self.comp_ring.is_empty(&self.map)
                {
                    self.declare_dead(format!("callee of {} closed", self.names.segment()));
                    return;
                }
                if self.in_flight.load(Ordering::SeqCst) <= self.pollers.load(Ordering::SeqCst) {
                    // Covered (or nothing in flight): park locally; the doorbell stays quiet.
                    self.wake_slot_waiters(true); // the FreeList progress net
                    self.reader_idle.store(true, Ordering::SeqCst);
                    let t = Instant::now();
                    if self.in_flight.load(Ordering::SeqCst) <= self.pollers.load(Ordering::SeqCst)
                        && !self.stop.load(Ordering::Acquire)
                    {
                        std::thread::park_timeout(Duration::from_millis(PARK_MS as u64));
                    }
                    self.reader_idle.store(false, Ordering::SeqCst);
                    idle_since = None;
                    let probe = t.elapsed() >= Duration::from_millis(PARK_MS as u64);
                    if probe && self.broken() {
                        return;
                    }
                    if let Some(p) = probe.then(|| self.callee_problem()).flatten() {
                        self.declare_dead(p); // the idle liveness probe
                        return;
                    }
                    continue;
                }
                // Executor threads drained HELP_BUSY+ completions since the last look:
                // they keep up, so leave them the CPU for a nap instead of spinning (a
                // short one: a lull then costs at most HELP_NAP of extra latency).
                let now_helped = self.helped.load(Ordering::Relaxed);
                if now_helped.wrapping_sub(helped) >= HELP_BUSY {
                    helped = now_helped;
                    idle_since = None;
                    std::thread::park_timeout(HELP_NAP);
                    continue;
                }
                helped = now_helped;
                let start = *idle_since.get_or_insert_with(Instant::now);
                if start.elapsed() < SPIN {
                    std::hint::spin_loop();
                    continue;
                }
                let ready = || {
                    self.stop.load(Ordering::Acquire)
                        || !self.comp_ring.is_empty(&self.map)
                        || self.hdr(l::HEADER_SEGMENT_STATE).load(Ordering::Acquire) != l::SEGMENT_STATE_SERVING
                        || self.hdr(l::HEADER_CALLER_STATE).load(Ordering::Acquire) != l::CALLER_STATE_ATTACHED
                };
                let woke = self.caller_bell.park(&self.map, ready, PARK_MS);
                idle_since = None;
                if self.broken() {
                    return;
                }
                if woke {
                    continue;
                }
                if let Some(p) = self.callee_problem() {
                    self.declare_dead(p);
                    return;
                }
            }
        }

        fn complete(&self, c: Cell) {
            let bad = if c.slot as usize >= self.recs.len() {
                Some(format!("cell.slot={} is not below header.slot_count={}", c.slot, self.recs.len()))
            } else if c.length as usize > self.geometry.response_capacity {
                Some(format!("cell.length={} exceeds header.response_capacity={}", c.length, self.geometry.response_capacity))
            } else if c.kind != l::CELL_KIND_REPLY {
                Some(format!("cell.kind={} is not REPLY ({})", c.kind, l::CELL_KIND_REPLY))
            } else {
                None
            };
            if let Some(why) = bad {
                return self.violation(format!("callee of {} wrote completion_ring {why}", self.names.segment()));
            }
            if self.generations[c.slot as usize].load(Ordering::Acquire) != c.generation {
                return; // stale completion (an older session or generation)
            }
            // DONE|ABANDONED -> FREE in the slot word first: the callee never touches a
            // slot it answered, and the slot goes back on our free list only after its
            // reply was read. Stored first, the slot line's trip back from the callee's
            // core overlaps what follows instead of stalling it.
            let word = self.slot_word(c.slot);
            word.store((c.generation as u64) << 32 | l::SLOT_STATE_FREE as u64, Ordering::Release);
            // The cell's status says whether the callee won PENDING -> DONE (a reply, or a
            // handler error text) or not (ABANDONED, CALLEE_CLOSING: no bytes); reading the
            // slot word here too would add a cache miss to every round trip.
            let rec = &self.recs[c.slot as usize];
            rec.status.store(c.status, Ordering::Relaxed);
            rec.len.store(c.length, Ordering::Relaxed);
            match rec.state.compare_exchange(REC_SENT, REC_READY, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => {
                    self.in_flight.fetch_sub(1, Ordering::AcqRel);
                    rec.take_waiter().wake();
                }
                Err(REC_DROPPED) => {
                    self.in_flight.fetch_sub(1, Ordering::AcqRel);
                    rec.state.store(REC_FREE, Ordering::Release);
                    self.release(c.slot);
                }
                // DEAD: declare_dead failed this call already (the slot is never reused);
                // FREE/READY: a broken callee sent a second completion for it.
                Err(_) => {}
            }
        }

        fn declare_dead(&self, why: String) {
            {
                let mut d = self.dead.lock().unwrap_or_else(|e| e.into_inner());
                if d.is_none() {
                    *d = Some(why.clone());
                }
            }
            self.is_dead.store(true, Ordering::Release);
            for rec in &self.recs {
                for from in [REC_SENT, REC_DROPPED] {
                    if rec.state.compare_exchange(from, REC_DEAD, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                        self.in_flight.fetch_sub(1, Ordering::AcqRel);
                        rec.take_waiter().wake();
                    }
                }
            }
            let waiters = std::mem::take(&mut self.free.lock().unwrap_or_else(|e| e.into_inner()).waiters);
            waiters.into_iter().for_each(SlotWaiter::wake);
        }

        /// Abandon what is pending, wait (bounded) for those slots, detach, stop the reader.
        pub fn close(&self, settle: Duration) {
            for (i, rec) in self.recs.iter().enumerate() {
                if rec.state.load(Ordering::Acquire) == REC_SENT {
                    self.abandon(i as u32, self.generations[i].load(Ordering::Acquire));
                }
            }
            let deadline = Instant::now() + settle;
            while self.in_flight() > 0 && !self.is_dead() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_micros(200));
            }
            if !self.is_dead() {
                self.detach(); // the callee recycles the segment
            }
            self.stop.store(true, Ordering::Release);
            self.caller_bell.post_self();
            if let Some(t) = self.reader.get() {
                t.unpark();
            }
            self.declare_dead("connection closed".into());
            // Our lock file goes now, not when the reader thread lets go of the Arc.
            drop(self.lock.lock().unwrap_or_else(|e| e.into_inner()).take());
        }

        // -- blocking and async waits ----------------------------------------------------
        /// Blocking call: wait for a slot, submit, then poll the completion ring on this
        /// thread (spin, then yield) for up to SPIN; if still unanswered, hand over to the
        /// reader and park until it completes the call. The reply is decoded in place.
        pub fn call_blocking<T>(
            &self,
            method: u32,
            kind: u32,
            size: usize,
            write: impl FnOnce(&mut [u8]),
            decode: impl FnOnce(&[u8]) -> Result<T, ShmError>,
        ) -> Result<T, ShmError> {
            self.check_size(size)?;
            let slot = loop {
                if let Some(s) = self.try_alloc(None)? {
                    break s;
                }
                std::thread::park_timeout(Duration::from_millis(PARK_MS as u64));
            };
            struct Polling<'a>(&'a Conn);
            impl Drop for Polling<'_> {
                fn drop(&mut self) {
                    self.0.pollers.fetch_sub(1, Ordering::SeqCst);
                    self.0.wake_reader(); // our call, if still unanswered, needs the reader
                }
            }
            let polling = Polling(self);
            self.pollers.fetch_add(1, Ordering::SeqCst); // before in_flight += 1 (submit)
            self.submit(slot, method, kind, size, write, REC_SENT)?;
            let start = Instant::now();
            let mut spins = 0u32;
            while !self.is_ready(slot) && self.drain_completions() && !self.is_dead() {
                spins += 1;
                // The clock (~25 ns a read) only every 64 polls: the spin is the latency.
                if self.is_ready(slot) || (spins & 63 == 0 && start.elapsed() >= SPIN) {
                    break;
                }
                if spins < SPIN_BEFORE_YIELD {
                    std::hint::spin_loop();
                } else {
                    std::thread::yield_now();
                }
            }
            drop(polling);
            loop {
                match self.reply_state(slot, || Waiter::Thread(std::thread::current())) {
                    ReplyState::Ready => return self.read_reply(slot, decode),
                    ReplyState::Dead => return Err(self.dead_error()),
                    ReplyState::Pending => std::thread::park(),
                }
            }
        }

        /// Oneway: submit and return; the callee runs the method, the reader frees the slot.
        pub fn send_oneway(&self, method: u32, size: usize, write: impl FnOnce(&mut [u8])) -> Result<(), ShmError> {
            self.check_size(size)?;
            let slot = loop {
                if let Some(s) = self.try_alloc(None)? {
                    break s;
                }
                std::thread::park_timeout(Duration::from_millis(PARK_MS as u64));
            };
            self.submit(slot, method, l::CELL_KIND_ONEWAY, size, write, REC_DROPPED).map(|_| ())
        }

        fn check_size(&self, size: usize) -> Result<(), ShmError> {
            if size > self.geometry.request_capacity {
                return Err(ShmError::TooLarge(format!(
                    "payload of {size} bytes exceeds the slot capacity of {}",
                    self.geometry.request_capacity
                )));
            }
            Ok(())
        }
    }

    /// Hooks run when the process exits normally (libc `atexit`): the static API's clients
    /// live in statics, which are never dropped, so their segments are removed here.
    static EXIT_HOOKS: Mutex<Vec<Box<dyn FnOnce() + Send>>> = Mutex::new(Vec::new());
    static EXIT_REGISTERED: std::sync::Once = std::sync::Once::new();

    pub fn at_exit(hook: Box<dyn FnOnce() + Send>) {
        extern "C" fn run_exit_hooks() {
            let hooks = std::mem::take(&mut *EXIT_HOOKS.lock().unwrap_or_else(|e| e.into_inner()));
            for hook in hooks {
                hook();
            }
        }
        // SAFETY: registers a plain extern "C" function with libc.
        EXIT_REGISTERED.call_once(|| unsafe {
            sys::atexit(run_exit_hooks);
        });
        EXIT_HOOKS.lock().unwrap_or_else(|e| e.into_inner()).push(hook);
    }

    /// A call of the original's static API (`{Trait}Impl::method`): plain values, where the
    /// instance API returns `Result<_, ShmError>`. A Go error is the `Err` of a `Result`
    /// method; any other failure (the callee gone, a Go panic, a layout error) panics,
    /// naming the method.
    pub fn plain_value<T>(r: Result<T, ShmError>, what: &str) -> T {
        r.unwrap_or_else(|e| plain_failed(what, &e))
    }

    pub fn plain_result<T>(r: Result<T, ShmError>, what: &str) -> Result<T, String> {
        match r {
            Ok(v) => Ok(v),
            Err(ShmError::Remote(l::CALL_STATUS_HANDLER_ERROR, m)) => Err(m),
            Err(e) => plain_failed(what, &e),
        }
    }

    #[cold]
    #[inline(never)]
    fn plain_failed(what: &str, e: &ShmError) -> ! {
        panic!("{} over shared memory failed: {}", what, e)
    }

    /// `plain_value` / `plain_result` of an async call's outcome, as a future.
    pub struct Plain<F, P> {
        inner: F,
        settle: P,
        what: &'static str,
    }

    impl<F, P> Plain<F, P> {
        pub fn new(inner: F, settle: P, what: &'static str) -> Self {
            Plain { inner, settle, what }
        }
    }

    impl<F: Future<Output = Result<T, ShmError>> + Unpin, P: Fn(Result<T, ShmError>, &str) -> O + Unpin, T, O> Future
        for Plain<F, P>
    {
        type Output = O;

        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<O> {
            let this = self.get_mut();
            match Pin::new(&mut this.inner).poll(cx) {
                Poll::Ready(r) => Poll::Ready((this.settle)(r, this.what)),
                Poll::Pending => Poll::Pending,
            }
        }
    }

    /// The future of an async shm call: starts on the first poll (slot, one write pass,
    /// push); completed by the reader thread; dropping it before completion marks the
    /// slot ABANDONED (the slot itself is freed only when the callee's answer arrives).
    pub struct Call<W, D, T> {
        conn: Arc<Conn>,
        method: u32,
        size: usize,
        write: Option<W>,
        decode: D,
        sent: Option<(u32, u32)>, // (slot, generation) while the call is in flight
        waited: bool, // registered as a slot waiter and not served yet
        _t: std::marker::PhantomData<fn() -> T>,
    }

    impl<W, D, T> Call<W, D, T> {
        pub fn new(conn: Arc<Conn>, method: u32, size: usize, write: W, decode: D) -> Self {
            Call { conn, method, size, write: Some(write), decode, sent: None, waited: false, _t: std::marker::PhantomData }
        }
    }

    impl<W, D, T> Unpin for Call<W, D, T> {}

    impl<W: FnOnce(&mut [u8]), D: Fn(&[u8]) -> Result<T, ShmError>, T> Future for Call<W, D, T> {
        type Output = Result<T, ShmError>;

        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
            let this = self.get_mut();
            if this.sent.is_none() {
                if let Err(e) = this.conn.check_size(this.size) {
                    return Poll::Ready(Err(e));
                }
                let slot = match this.conn.try_alloc(Some(cx.waker())) {
                    Err(e) => return Poll::Ready(Err(e)),
                    Ok(None) => {
                        this.waited = true;
                        return Poll::Pending; // backpressure: woken when a slot frees
                    }
                    Ok(Some(s)) => s,
                };
                this.waited = false;
                let write = this.write.take().expect("written once");
                match this.conn.submit(slot, this.method, l::CELL_KIND_CALL, this.size, write, REC_SENT) {
                    Ok(generation) => this.sent = Some((slot, generation)),
                    Err(e) => return Poll::Ready(Err(e)),
                }
            }
            let (slot, _) = this.sent.expect("sent above");
            if !this.conn.is_ready(slot) {
                // Help the reader: completions popped on an executor thread wake their
                // tasks there (a local run queue), not through a cross-thread hand-off.
                this.conn.help_drain();
            }
            let waker = cx.waker();
            let register = || Waiter::Task(waker.clone());
            match this.conn.reply_state(slot, register) {
                ReplyState::Ready => {
                    this.sent = None;
                    Poll::Ready(this.conn.read_reply(slot, &this.decode))
                }
                ReplyState::Dead => {
                    this.sent = None; // the slot is never reused
                    Poll::Ready(Err(this.conn.dead_error()))
                }
                ReplyState::Pending => Poll::Pending,
            }
        }
    }

    impl<W, D, T> Drop for Call<W, D, T> {
        fn drop(&mut self) {
            if let Some((slot, generation)) = self.sent.take() {
                self.conn.drop_call(slot, generation);
            }
            if self.waited {
                self.conn.wake_slot_waiters(false); // the wake-up meant for us goes on
            }
        }
    }

    /// Run a future to completion on this thread (std only; tests and examples).
    pub fn block_on<F: Future>(f: F) -> F::Output {
        struct Unpark(std::thread::Thread);
        impl std::task::Wake for Unpark {
            fn wake(self: Arc<Self>) {
                self.0.unpark();
            }
        }
        let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
        let mut cx = Context::from_waker(&waker);
        let mut f = std::pin::pin!(f);
        loop {
            if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
            std::thread::park();
        }
    }

    // ---- the payload codec (docs/shm-codegen.md "Payload format") -----------------
    pub fn round8(n: usize) -> usize {
        (n + 7) & !7
    }

    fn overrun(what: &str, n: usize, at: usize, len: usize) -> String {
        format!(": {n} {what} at offset {at} overrun the {len}-byte payload")
    }

    /// A type that travels in a payload: its Ref at `at`, its children from `cur`.
    pub trait Wire: Sized {
        const REF_SIZE: usize;
        /// Bytes below the Ref (child arrays, each rounded to 8).
        fn children(&self) -> usize;
        /// Write the Ref at `at` and the children from `cur`; returns the new cursor.
        fn write(&self, buf: &mut [u8], at: usize, cur: usize) -> usize;
        /// Read back; errors are a path suffix and a reason (`.tag: ... overrun`).
        fn read(buf: &[u8], at: usize) -> Result<Self, String>;
    }

    fn need(buf: &[u8], at: usize, n: usize) -> Result<(), String> {
        if at.checked_add(n).is_none_or(|end| end > buf.len()) {
            return Err(overrun("bytes", n, at, buf.len()));
        }
        Ok(())
    }

    macro_rules! wire_le {
        ($($t:ty),*) => {$(
            impl Wire for $t {
                const REF_SIZE: usize = std::mem::size_of::<$t>();
                fn children(&self) -> usize { 0 }
                fn write(&self, buf: &mut [u8], at: usize, cur: usize) -> usize {
                    buf[at..at + Self::REF_SIZE].copy_from_slice(&self.to_le_bytes());
                    cur
                }
                fn read(buf: &[u8], at: usize) -> Result<Self, String> {
                    need(buf, at, Self::REF_SIZE)?;
                    Ok(<$t>::from_le_bytes(std::convert::TryInto::try_into(&buf[at..at + Self::REF_SIZE]).expect("sized")))
                }
            }
        )*};
    }
    wire_le!(u8, u16, u32, u64, i8, i16, i32, i64, f32, f64, usize, isize);

    impl Wire for bool {
        const REF_SIZE: usize = 1;
        fn children(&self) -> usize {
            0
        }
        fn write(&self, buf: &mut [u8], at: usize, cur: usize) -> usize {
            buf[at] = *self as u8;
            cur
        }
        fn read(buf: &[u8], at: usize) -> Result<Self, String> {
            need(buf, at, 1)?;
            Ok(buf[at] != 0)
        }
    }

    impl Wire for char {
        const REF_SIZE: usize = 4;
        fn children(&self) -> usize {
            0
        }
        fn write(&self, buf: &mut [u8], at: usize, cur: usize) -> usize {
            (*self as u32).write(buf, at, cur)
        }
        fn read(buf: &[u8], at: usize) -> Result<Self, String> {
            let v = u32::read(buf, at)?;
            char::from_u32(v).ok_or_else(|| format!(": {v:#x} is not a char"))
        }
    }

    fn write_ref(buf: &mut [u8], at: usize, off: usize, len: usize) {
        buf[at..at + 8].copy_from_slice(&(off as u64).to_le_bytes());
        buf[at + 8..at + 16].copy_from_slice(&(len as u64).to_le_bytes());
    }

    fn read_ref(buf: &[u8], at: usize, elem: usize) -> Result<(usize, usize), String> {
        let off = u64::read(buf, at)? as usize;
        let n = u64::read(buf, at + 8)? as usize;
        if n > 0 && (off > buf.len() || n.checked_mul(elem).is_none_or(|b| b > buf.len() - off)) {
            return Err(overrun("items", n, off, buf.len()));
        }
        Ok((off, n))
    }

    impl Wire for String {
        const REF_SIZE: usize = 16;
        fn children(&self) -> usize {
            round8(self.len())
        }
        fn write(&self, buf: &mut [u8], at: usize, cur: usize) -> usize {
            let n = self.len();
            write_ref(buf, at, if n > 0 { cur } else { 0 }, n);
            buf[cur..cur + n].copy_from_slice(self.as_bytes());
            cur + round8(n)
        }
        fn read(buf: &[u8], at: usize) -> Result<Self, String> {
            let (off, n) = read_ref(buf, at, 1)?;
            String::from_utf8(buf[off..off + n].to_vec()).map_err(|e| format!(": {e}"))
        }
    }

    fn list_children<'a, T: Wire + 'a>(items: impl Iterator<Item = &'a T>, n: usize) -> usize {
        if n == 0 { 0 } else { round8(n * T::REF_SIZE) + items.map(Wire::children).sum::<usize>() }
    }

    fn write_list<'a, T: Wire + 'a>(items: impl Iterator<Item = &'a T>, n: usize, buf: &mut [u8], at: usize, cur: usize) -> usize {
        if n == 0 {
            write_ref(buf, at, 0, 0);
            return cur;
        }
        write_ref(buf, at, cur, n);
        let (base, mut cur) = (cur, cur + round8(n * T::REF_SIZE));
        for (i, x) in items.enumerate() {
            cur = x.write(buf, base + i * T::REF_SIZE, cur);
        }
        cur
    }

    fn read_list<T: Wire>(buf: &[u8], at: usize) -> Result<Vec<T>, String> {
        let (off, n) = read_ref(buf, at, T::REF_SIZE)?;
        (0..n).map(|i| T::read(buf, off + i * T::REF_SIZE).map_err(|e| format!("[{i}]{e}"))).collect()
    }

    impl<T: Wire> Wire for Vec<T> {
        const REF_SIZE: usize = 16;
        fn children(&self) -> usize {
            list_children(self.iter(), self.len())
        }
        fn write(&self, buf: &mut [u8], at: usize, cur: usize) -> usize {
            write_list(self.iter(), self.len(), buf, at, cur)
        }
        fn read(buf: &[u8], at: usize) -> Result<Self, String> {
            read_list(buf, at)
        }
    }

    impl<T: Wire> Wire for Option<T> {
        const REF_SIZE: usize = 16;
        fn children(&self) -> usize {
            list_children(self.iter(), self.iter().len())
        }
        fn write(&self, buf: &mut [u8], at: usize, cur: usize) -> usize {
            write_list(self.iter(), self.iter().len(), buf, at, cur)
        }
        fn read(buf: &[u8], at: usize) -> Result<Self, String> {
            let mut items = read_list::<T>(buf, at)?;
            if items.len() > 1 {
                return Err(format!(": an Option with {} elements", items.len()));
            }
            Ok(items.pop())
        }
    }

    macro_rules! wire_map {
        ($map:ident, $($bound:path),*) => {
            impl<K: Wire $(+ $bound)*, V: Wire> Wire for std::collections::$map<K, V> {
                const REF_SIZE: usize = 32;
                fn children(&self) -> usize {
                    list_children(self.keys(), self.len()) + list_children(self.values(), self.len())
                }
                fn write(&self, buf: &mut [u8], at: usize, cur: usize) -> usize {
                    // keys() and values() of an unchanged map iterate in the same order.
                    let cur = write_list(self.keys(), self.len(), buf, at, cur);
                    write_list(self.values(), self.len(), buf, at + 16, cur)
                }
                fn read(buf: &[u8], at: usize) -> Result<Self, String> {
                    let keys = read_list::<K>(buf, at).map_err(|e| format!(".keys{e}"))?;
                    let values = read_list::<V>(buf, at + 16).map_err(|e| format!(".values{e}"))?;
                    if keys.len() != values.len() {
                        return Err(format!(": {} keys but {} values", keys.len(), values.len()));
                    }
                    Ok(keys.into_iter().zip(values).collect())
                }
            }
        };
    }
    wire_map!(HashMap, Eq, std::hash::Hash);
    wire_map!(BTreeMap, Ord);

    /// Decode a reply block's `r2g_ret` (at offset 0), naming the path on failure.
    pub fn decode_ret<T: Wire>(buf: &[u8]) -> Result<T, ShmError> {
        T::read(buf, 0).map_err(|e| ShmError::Layout(format!("reply r2g_ret{e}")))
    }
}
