// The C layouts of strings, lists and maps that Go and Rust lend each other.

/// A borrowed string: Go views these bytes in place during the call.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct StringRef {
    pub ptr: *const c_void,
    pub len: usize,
}

/// A borrowed list (also `Option`, a list of 0 or 1): `len` elements at `ptr`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ListRef {
    pub ptr: *const c_void,
    pub len: usize,
}

/// A map as two parallel lists.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct MapRef {
    pub keys: ListRef,
    pub values: ListRef,
}

/// A Go slice header around a list's Refs: Go reads `*SliceRef` as a `*[]T` in place.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct SliceRef {
    pub ptr: *const c_void,
    pub len: usize,
    pub cap: usize,
}

impl SliceRef {
    pub fn of(l: ListRef) -> SliceRef {
        SliceRef { ptr: l.ptr, len: l.len, cap: l.len }
    }
}

const _: () = assert!(size_of::<StringRef>() == 16, "r2g: StringRef must be 16 bytes");
const _: () = assert!(size_of::<SliceRef>() == 24, "r2g: SliceRef must be 24 bytes");
const _: () = assert!(size_of::<ListRef>() == 16, "r2g: ListRef must be 16 bytes");
const _: () = assert!(size_of::<MapRef>() == 32, "r2g: MapRef must be 32 bytes");

impl ListRef {
    /// Empty values travel as a null pointer, never Rust's dangling 0x1 (Go's stack
    /// scanner rejects such pointers).
    pub const NULL: ListRef = ListRef { ptr: ::core::ptr::null(), len: 0 };

    fn of<T>(ptr: *const T, len: usize) -> ListRef {
        if len == 0 { ListRef::NULL } else { ListRef { ptr: ptr.cast(), len } }
    }
}
