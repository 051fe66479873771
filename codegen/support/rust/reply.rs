// A sync call's reply: the block Go allocates, what it says (value, error, panic) and
// its conversion.

unsafe extern "C" {
    // Go allocates reply blocks with C.malloc; std links the same libc.
    fn free(p: *mut c_void);
}

/// A caught panic's message (a panic with another payload says so).
fn panic_text(payload: Box<dyn ::core::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(p) => p.downcast_ref::<&str>().map_or("a panic without a message", |s| s).into(),
    }
}

/// Go returned an integer that is no variant of a Rust enum.
pub fn bad_enum(name: &str, value: i64) -> ! {
    panic!("r2g: Go returned {}, which is not a variant of enum {}", value, name)
}

/// The result of one call, read from the reply block.
pub enum Outcome<T> {
    Ok(T),
    Err(String),
    Panic(String),
}

impl<T> Outcome<T> {
    /// For methods without `Result`: a Go panic becomes a Rust panic.
    #[inline]
    #[track_caller] // a Go panic is reported at the user's call
    pub fn value(self, what: &str) -> T {
        match self {
            Outcome::Ok(v) => v,
            Outcome::Err(m) | Outcome::Panic(m) => go_panicked(what, &m),
        }
    }

    /// For `Result` methods: the Go error, or the Go panic, becomes `Err`.
    #[inline]
    pub fn result(self, what: &str) -> Result<T, String> {
        match self {
            Outcome::Ok(v) => Ok(v),
            Outcome::Err(m) => Err(m),
            Outcome::Panic(m) => Err(panic_message(what, &m)),
        }
    }
}

// The formatting stays out of line: a call site small enough is inlined whole.
#[cold]
#[inline(never)]
#[track_caller] // a Go panic is reported at the user's call
fn go_panicked(what: &str, m: &str) -> ! {
    panic!("{}", panic_message(what, m))
}

#[cold]
#[inline(never)]
fn panic_message(what: &str, m: &str) -> String {
    format!("Go panicked in {what}: {m}")
}

#[repr(C)]
struct Header {
    status: u32,
    len: usize,
}

const STATUS_OK: u32 = 0;
const STATUS_ERR: u32 = 2;

/// Frees a reply block however the conversion ends (even by a panic).
struct Block(*mut c_void);

impl Drop for Block {
    fn drop(&mut self) {
        if !self.0.is_null() {
            unsafe { free(self.0) }
        }
    }
}

/// Where a sync call's reply lands: Go writes the Ref to `out` and, when the reply
/// has data or failed, its block pointer right after it (at the Ref's size rounded
/// up to 8, which Go computes the same way), so one pointer argument carries both.
#[repr(C)]
pub struct Reply<R> {
    pub out: MaybeUninit<R>,
    pub block: *mut c_void,
}

impl<R> Reply<R> {
    #[inline(always)]
    pub fn unset() -> Self {
        // Go puts the block at round8(sizeof Ref), which is where it lands here for
        // every Ref (none is empty, none is aligned above 8): checked for each one used.
        const { assert!(size_of::<R>() > 0 && align_of::<R>() <= 8) };
        Reply { out: MaybeUninit::uninit(), block: ::core::ptr::null_mut() }
    }
}

/// The reply of a sync call: the value Go wrote to `out`; a Go panic panics here.
///
/// Most replies come without a block: the null test stays inline and the rest is one
/// out-of-line call, whose block (a reply's data) is freed after the value is read.
/// Both paths share that one read, so an inlined method shim copies the value once.
///
/// # Safety
/// `block` is what the Go export returned and `out` the Ref it was given.
#[inline(always)]
#[track_caller] // a Go panic is reported at the user's call
pub unsafe fn sync_value<T: Wire>(block: *mut c_void, out: &MaybeUninit<T::Ref>, what: &str) -> T {
    let _data = if block.is_null() { None } else { Some(unsafe { data_block(block, what) }) };
    unsafe { T::from_ref(out.assume_init_ref()) }
}

#[cold]
#[inline(never)]
#[track_caller] // a Go panic is reported at the user's call
unsafe fn data_block(block: *mut c_void, what: &str) -> Block {
    let block = Block(block);
    if let Some(failed) = unsafe { status::<()>(&block) } {
        failed.value(what);
    }
    block
}

/// `sync_value` for `Result` methods: the Go error, or the Go panic, becomes `Err`.
///
/// # Safety
/// As for `sync_value`.
#[inline(always)]
pub unsafe fn sync_result<T: Wire>(block: *mut c_void, out: &MaybeUninit<T::Ref>, what: &str) -> Result<T, String> {
    let _data = if block.is_null() { None } else { Some(unsafe { data_block_result(block, what) }?) };
    Ok(unsafe { T::from_ref(out.assume_init_ref()) })
}

#[cold]
#[inline(never)]
unsafe fn data_block_result(block: *mut c_void, what: &str) -> Result<Block, String> {
    let block = Block(block);
    match unsafe { status::<()>(&block) } {
        None => Ok(block),
        Some(failed) => Err(failed.result(what).expect_err("a failed reply")),
    }
}

/// `sync_value` for methods that return nothing.
///
/// # Safety
/// `block` is what the Go export returned.
#[inline(always)]
#[track_caller] // a Go panic is reported at the user's call
pub unsafe fn sync_unit(block: *mut c_void, what: &str) {
    if !block.is_null() {
        drop(unsafe { data_block(block, what) }) // a block here is a failure: it panics
    }
}

/// The reply of an async call, decoded where its future is completed.
///
/// # Safety
/// `block` is what Go handed back with the call's completion and `out` its Ref.
#[inline(always)]
pub unsafe fn finish<T: Wire>(block: *mut c_void, out: &MaybeUninit<T::Ref>) -> Outcome<T> {
    if block.is_null() {
        return Outcome::Ok(unsafe { T::from_ref(out.assume_init_ref()) });
    }
    unsafe { finish_block(block, out) }
}

#[cold]
#[inline(never)]
unsafe fn finish_block<T: Wire>(block: *mut c_void, out: &MaybeUninit<T::Ref>) -> Outcome<T> {
    let block = Block(block);
    match unsafe { status(&block) } {
        None => Outcome::Ok(unsafe { T::from_ref(out.assume_init_ref()) }),
        Some(failed) => failed,
    }
}

unsafe fn status<T>(block: &Block) -> Option<Outcome<T>> {
    if block.0.is_null() {
        return None;
    }
    let header = unsafe { &*block.0.cast::<Header>() };
    if header.status == STATUS_OK {
        return None;
    }
    let msg = unsafe { bytes(block.0.cast::<u8>().add(16).cast(), header.len) };
    let msg = String::from_utf8_lossy(msg).into_owned();
    Some(if header.status == STATUS_ERR { Outcome::Err(msg) } else { Outcome::Panic(msg) })
}
