// How a Rust value becomes its C layout and back: the Wire trait and its impls for
// primitives, char, String, Vec and Option.

/// How a Rust value crosses to C and back.
pub trait Wire: Sized {
    /// The C layout Go reads.
    type Ref: Copy;
    /// `Self` is laid out exactly as `Ref`, so a slice of it can be lent in place.
    const POD: bool = false;
    /// Any bit pattern of `Ref` is a valid `Self`, so a slice can be copied as is.
    const POD_BACK: bool = false;
    /// Converting needs space in the intermediate buffer.
    const DEEP: bool = false;
    /// Adds the buffer bytes `to_ref` will take.
    fn size(&self, _acc: &mut usize) {}
    /// Adds the bytes `to_ref` takes from a copying writer (everything it points at).
    fn size_owned(&self, _acc: &mut usize) {}
    fn to_ref(&self, w: &mut Writer) -> Self::Ref;
    /// # Safety
    /// `r` and everything it points at must be a valid Ref written by Go.
    unsafe fn from_ref(r: &Self::Ref) -> Self;
}

macro_rules! r2g_pod {
    ($($t:ty),*) => {$(
        impl Wire for $t {
            type Ref = $t;
            const POD: bool = true;
            const POD_BACK: bool = true;
            fn to_ref(&self, _w: &mut Writer) -> $t {
                *self
            }
            unsafe fn from_ref(r: &$t) -> $t {
                *r
            }
        }
    )*};
}
r2g_pod!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize, f32, f64, bool);

impl Wire for char {
    type Ref = u32;
    const POD: bool = true;
    fn to_ref(&self, _w: &mut Writer) -> u32 {
        *self as u32
    }
    unsafe fn from_ref(r: &u32) -> char {
        // Go runes may be any int32; invalid ones become U+FFFD like invalid UTF-8.
        char::from_u32(*r).unwrap_or(char::REPLACEMENT_CHARACTER)
    }
}

unsafe fn bytes<'a>(ptr: *const c_void, len: usize) -> &'a [u8] {
    if len == 0 { &[] } else { unsafe { ::core::slice::from_raw_parts(ptr.cast(), len) } }
}

impl Wire for String {
    type Ref = StringRef;
    fn size_owned(&self, acc: &mut usize) {
        *acc += round8(self.len());
    }
    fn to_ref(&self, w: &mut Writer) -> StringRef {
        let p = if w.copy && !self.is_empty() {
            w.copy_of(self.as_ptr(), self.len())
        } else {
            self.as_ptr()
        };
        let l = ListRef::of(p, self.len());
        StringRef { ptr: l.ptr, len: l.len }
    }
    unsafe fn from_ref(r: &StringRef) -> String {
        let b = unsafe { bytes(r.ptr, r.len) };
        match ::core::str::from_utf8(b) {
            Ok(s) => s.to_owned(),
            Err(_) => String::from_utf8_lossy(b).into_owned(),
        }
    }
}

impl<T: Wire> Wire for Vec<T> {
    type Ref = ListRef;
    const DEEP: bool = !T::POD;
    fn size(&self, acc: &mut usize) {
        if !T::POD {
            *acc += round8(self.len() * size_of::<T::Ref>());
            if T::DEEP {
                self.iter().for_each(|e| e.size(acc));
            }
        }
    }
    fn size_owned(&self, acc: &mut usize) {
        *acc += round8(self.len() * size_of::<T::Ref>());
        if !T::POD {
            self.iter().for_each(|e| e.size_owned(acc));
        }
    }
    fn to_ref(&self, w: &mut Writer) -> ListRef {
        if T::POD && w.copy && !self.is_empty() {
            // POD: the elements are their Refs.
            return ListRef::of(w.copy_of(self.as_ptr().cast::<T::Ref>(), self.len()), self.len());
        }
        if T::POD || self.is_empty() {
            return ListRef::of(self.as_ptr(), self.len());
        }
        let refs = w.take::<T::Ref>(self.len());
        for (i, e) in self.iter().enumerate() {
            let r = e.to_ref(w);
            unsafe { refs.add(i).write(r) };
        }
        ListRef::of(refs, self.len())
    }
    unsafe fn from_ref(r: &ListRef) -> Vec<T> {
        if r.len == 0 {
            return Vec::new();
        }
        if T::POD_BACK {
            let mut v = Vec::<T>::with_capacity(r.len);
            unsafe {
                ::core::ptr::copy_nonoverlapping(r.ptr.cast::<T>(), v.as_mut_ptr(), r.len);
                v.set_len(r.len);
            }
            return v;
        }
        let refs = unsafe { ::core::slice::from_raw_parts(r.ptr.cast::<T::Ref>(), r.len) };
        refs.iter().map(|x| unsafe { T::from_ref(x) }).collect()
    }
}

impl<T: Wire> Wire for Option<T> {
    type Ref = ListRef;
    const DEEP: bool = !T::POD;
    fn size(&self, acc: &mut usize) {
        if let (Some(v), false) = (self, T::POD) {
            *acc += round8(size_of::<T::Ref>());
            v.size(acc);
        }
    }
    fn size_owned(&self, acc: &mut usize) {
        if let Some(v) = self {
            *acc += round8(size_of::<T::Ref>());
            v.size_owned(acc);
        }
    }
    fn to_ref(&self, w: &mut Writer) -> ListRef {
        match self {
            None => ListRef::NULL,
            Some(v) if T::POD && !w.copy => ListRef::of(v, 1),
            Some(v) => {
                let slot = w.take::<T::Ref>(1);
                let r = v.to_ref(w);
                unsafe { slot.write(r) };
                ListRef::of(slot, 1)
            }
        }
    }
    unsafe fn from_ref(r: &ListRef) -> Option<T> {
        if r.len == 0 {
            None
        } else {
            Some(unsafe { T::from_ref(&*r.ptr.cast::<T::Ref>()) })
        }
    }
}

// Every IDL struct's layout checks and Wire impl are one invocation of the macros below
// rather than their expansion written out: the same code, a fraction of the text for
// rustfmt to format and for a reader to scroll past in large bindings.

/// Compile-time checks that the Ref `$r` of IDL struct `$name` has the C layout the Go
/// side was generated with: its size, then each field's offset. A field whose Ref name is
/// not its IDL name names the IDL one in parentheses: `r2g_int("int") => 8`.
#[allow(unused_macros)]
macro_rules! r2g_layout {
    ($r:ident, $name:literal, $size:literal; $($f:ident $(($idl:literal))? => $off:literal),* $(,)?) => {
        const _: () = assert!(
            size_of::<$r>() == $size,
            concat!("r2g: the C layout of IDL struct `", $name, "` disagrees with the generated Go side")
        );
        $(
            const _: () = assert!(
                ::core::mem::offset_of!($r, $f) == $off,
                concat!("r2g: field `", $name, ".", r2g_layout!(@name $f $($idl)?), "` has a different offset on the Go side")
            );
        )*
    };
    (@name $f:ident) => { stringify!($f) };
    (@name $f:ident $idl:literal) => { $idl };
}

/// The Wire impl of IDL struct `$s` (with `View` when `view: true`): each field converts
/// on its own, `$f` of the struct to `$rf` of the Ref `$r`. `size` and `size_owned` visit
/// only the fields listed under `sized` and `owned`; an empty list keeps the trait's
/// default, which adds nothing.
#[allow(unused_macros)]
macro_rules! r2g_struct_wire {
    (
        $s:ident => $r:ident,
        deep: $deep:literal, view: $view:tt,
        sized: [$($sz:ident),* $(,)?], owned: [$($ow:ident),* $(,)?],
        fields: [$($f:ident => $rf:ident),+ $(,)?] $(,)?
    ) => {
        impl Wire for super::$s {
            type Ref = $r;
            const DEEP: bool = $deep;
            r2g_struct_wire!(@sum size $($sz)*);
            r2g_struct_wire!(@sum size_owned $($ow)*);
            fn to_ref(&self, w: &mut Writer) -> $r {
                $r { $($rf: Wire::to_ref(&self.$f, w)),+ }
            }
            unsafe fn from_ref(r: &$r) -> Self {
                unsafe { super::$s { $($f: Wire::from_ref(&r.$rf)),+ } }
            }
        }
        r2g_struct_wire!(@view $view $s $r $($f $rf)+);
    };
    (@sum $m:ident) => {};
    (@sum $m:ident $($f:ident)+) => {
        fn $m(&self, acc: &mut usize) {
            $(Wire::$m(&self.$f, acc);)+
        }
    };
    (@view false $($rest:tt)*) => {};
    (@view true $s:ident $r:ident $($f:ident $rf:ident)+) => {
        impl View for super::$s {
            unsafe fn view(r: &$r, keep: &mut Keep) -> Self {
                unsafe { super::$s { $($f: View::view(&r.$rf, keep)),+ } }
            }
        }
    };
}
