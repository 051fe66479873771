// The one intermediate buffer of a call and the writer that fills it.

fn round8(n: usize) -> usize {
    (n + 7) & !7
}

/// The one intermediate buffer of a call: arrays of child Refs, sized first.
pub struct Buffer {
    words: Vec<u64>,
}

impl Buffer {
    pub fn new(bytes: usize) -> Buffer {
        Buffer { words: Vec::with_capacity(bytes / 8) }
    }

    pub fn writer(&mut self) -> Writer {
        let at = self.words.as_mut_ptr().cast::<u8>();
        Writer { at, left: self.words.capacity() * 8, copy: false }
    }
}

/// A cursor into a Buffer; every reservation is 8-byte aligned. `copy`: the Refs
/// written are a reply Go keeps, so strings and primitive slices are copied into the
/// buffer too instead of being lent in place.
pub struct Writer {
    at: *mut u8,
    left: usize,
    copy: bool,
}

impl Writer {
    pub fn none() -> Writer {
        Writer { at: ::core::ptr::null_mut(), left: 0, copy: false }
    }

    /// A copying writer over `left` bytes at `at` (8-byte aligned).
    pub fn copying(at: *mut u8, left: usize) -> Writer {
        Writer { at, left, copy: true }
    }

    /// Copies `n` values from `src` into the buffer.
    fn copy_of<R: Copy>(&mut self, src: *const R, n: usize) -> *const R {
        let p = self.take::<R>(n);
        unsafe { ::core::ptr::copy_nonoverlapping(src, p, n) };
        p
    }

    fn take<R>(&mut self, count: usize) -> *mut R {
        let bytes = round8(count * size_of::<R>());
        // A generator bug must not become a buffer overrun.
        assert!(bytes <= self.left, "r2g: intermediate buffer too small");
        let p = self.at;
        self.at = self.at.wrapping_add(bytes);
        self.left -= bytes;
        p.cast()
    }
}
