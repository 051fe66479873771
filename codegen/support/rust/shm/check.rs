// ---- check64: the integrity check every ring cell carries ----------------------
// The algorithm is defined in shm/layout.py (above CHECK_K1), its reference is
// shm/check.py. The writer computes it over its private bytes as it copies them to the
// cell (a short payload) or the slot's area; the reader computes it over the copy it
// makes, and decodes only that copy.
const CHECK_BLOCK: usize = 8 * l::CHECK_LANES;

#[inline(always)]
fn check_mix(a: u64, w: u64) -> u64 {
    (a ^ w).wrapping_mul(l::CHECK_K1).rotate_left(l::CHECK_ROT as u32)
}

/// check64 of a cell's fields slot..status and of `payload`, the `c.length` bytes it
/// announces.
pub fn check64(c: &Cell, payload: &[u8]) -> u64 {
    // SAFETY: `payload` is readable for its length, and nothing is written.
    unsafe { copy_check64(c, payload.as_ptr(), None, payload.len()) }
}

/// Copy `n` bytes from `src` to `dst` (None: no copy) and return the check64 of `c`
/// announcing exactly the bytes copied, in one pass: each word is loaded once, stored,
/// and mixed from the same register, so what is checked is what the destination holds,
/// whatever a racing writer does to the source meanwhile. Each lane is its own multiply
/// chain, so the lanes' multiplies overlap.
///
/// # Safety
/// `src` readable and `dst` writable for `n` bytes; the ranges do not overlap.
unsafe fn copy_check64(c: &Cell, src: *const u8, dst: Option<*mut u8>, n: usize) -> u64 {
    debug_assert_eq!(n, c.length as usize);
    let mut lanes: [u64; l::CHECK_LANES] = [
        (c.slot as u64 | (c.generation as u64) << 32) ^ l::CHECK_K2,
        (c.method as u64 | (c.length as u64) << 32) ^ l::CHECK_K3,
        (c.kind as u64 | (c.status as u64) << 32) ^ l::CHECK_K1,
        l::CHECK_K2 ^ l::CHECK_K3,
    ];
    let whole = n - n % CHECK_BLOCK;
    let mut at = 0;
    while at < whole {
        for (i, lane) in lanes.iter_mut().enumerate() {
            // SAFETY: at + 8 * (i + 1) <= whole <= n (the caller's ranges).
            let w = unsafe { std::ptr::read_unaligned(src.add(at + 8 * i) as *const u64) };
            if let Some(dst) = dst {
                unsafe { std::ptr::write_unaligned(dst.add(at + 8 * i) as *mut u64, w) };
            }
            *lane = check_mix(*lane, u64::from_le(w));
        }
        at += CHECK_BLOCK;
    }
    if whole < n {
        // The last block, zero-padded (as the algorithm says), read once into a private
        // block: the bytes stored and the bytes checked are that one read.
        let mut tail = [0u8; CHECK_BLOCK];
        // SAFETY: the last n - whole < CHECK_BLOCK bytes of both ranges.
        unsafe {
            std::ptr::copy_nonoverlapping(src.add(whole), tail.as_mut_ptr(), n - whole);
            if let Some(dst) = dst {
                std::ptr::copy_nonoverlapping(tail.as_ptr(), dst.add(whole), n - whole);
            }
        }
        for (i, lane) in lanes.iter_mut().enumerate() {
            let w = u64::from_le_bytes(std::convert::TryInto::try_into(&tail[8 * i..8 * i + 8]).expect("8 bytes"));
            *lane = check_mix(*lane, w);
        }
    }
    let mut h = lanes.iter().fold(l::CHECK_K3, |h, &lane| check_mix(h, lane));
    h ^= h >> 33;
    h = h.wrapping_mul(l::CHECK_K2);
    h ^= h >> 29;
    h = h.wrapping_mul(l::CHECK_K3);
    h ^ (h >> 32)
}

impl Mapping {
    /// Copy `src` (private bytes) into the mapping at `off`; the check64 of `c`
    /// announcing them, computed from the private bytes in the same pass.
    fn copy_in_checked(&self, off: usize, c: &Cell, src: &[u8]) -> u64 {
        assert!(off + src.len() <= self.len);
        // SAFETY: bounds checked; private and mapped memory never overlap.
        unsafe { copy_check64(c, src.as_ptr(), Some(self.base.add(off)), src.len()) }
    }

    /// Replace `dst` by a private copy of the `c.length` mapped bytes at `off`, reading
    /// them once; the check64 of `c` announcing that copy.
    fn copy_out_check64(&self, off: usize, c: &Cell, dst: &mut Vec<u8>) -> u64 {
        let n = c.length as usize;
        assert!(off + n <= self.len);
        dst.clear();
        dst.reserve(n);
        // SAFETY: bounds checked; `dst` has room for n bytes, all written before set_len.
        unsafe {
            let want = copy_check64(c, self.base.add(off), Some(dst.as_mut_ptr()), n);
            dst.set_len(n);
            want
        }
    }
}

/// Why cell `c` is refused when `want` is the check64 of the copy the reader made of its
/// payload: the two checks differ.
fn check_refused(c: &Cell, want: u64) -> Option<String> {
    (want != c.check).then(|| {
        format!(
            "cell.check={:016x} for slot {} does not match {want:016x}, the check64 of its fields and its {} payload bytes",
            c.check, c.slot, c.length
        )
    })
}

// This thread's private bytes: a request is encoded here, then copied into its cell or
// slot and checked; a reply is copied out of its cell or slot here, checked, then handed
// to its call by swapping buffers with the slot's record. Reused, so a call allocates
// nothing once the buffers have grown to the sizes in use.
thread_local! {
    static PRIVATE_REQUEST: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
    static PRIVATE_REPLY: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

type Private = std::thread::LocalKey<std::cell::Cell<Vec<u8>>>;

/// Borrow this thread's buffer (an empty one while it is out, or during thread exit).
fn take_private(key: &'static Private) -> Vec<u8> {
    key.try_with(|p| p.take()).unwrap_or_default()
}

fn put_private(key: &'static Private, v: Vec<u8>) {
    let _ = key.try_with(|p| p.set(v));
}
