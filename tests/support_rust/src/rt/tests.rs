use super::*;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A small deterministic generator: the same values on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn string(&mut self) -> String {
        let n = self.below(12) as usize;
        (0..n)
            .map(|_| char::from_u32(0x61 + self.below(26) as u32).unwrap())
            .collect()
    }
    fn words(&mut self) -> Vec<String> {
        (0..self.below(6)).map(|_| self.string()).collect()
    }
}

/// Rust→Go: `v` sized, written into one buffer of exactly that size (strings and POD
/// slices lent in place), then read back as Go's Refs would be: the same value.
fn lent<T: Wire + PartialEq + Debug>(v: &T) {
    let mut need = 0;
    v.size(&mut need);
    let mut buf = Buffer::new(need);
    let mut w = buf.writer();
    let r = v.to_ref(&mut w);
    assert_eq!(
        w.left,
        0,
        "size() said {need} bytes for {v:?}, to_ref used {}",
        need - w.left
    );
    let back = unsafe { T::from_ref(&r) };
    assert_eq!(&back, v);
}

/// Go→Rust replies: everything the Ref reaches is copied into the one block Go lends
/// (`size_owned` bytes), so the value survives the original being dropped.
fn copied<T: Wire + PartialEq + Debug + Clone>(v: T) {
    let want = v.clone();
    let mut need = 0;
    v.size_owned(&mut need);
    let mut block = vec![0u64; need.div_ceil(8)];
    let mut w = Writer::copying(block.as_mut_ptr().cast(), need);
    let r = v.to_ref(&mut w);
    assert_eq!(w.left, 0, "size_owned() said {need} bytes for {want:?}");
    drop(v);
    assert_eq!(unsafe { T::from_ref(&r) }, want);
}

fn both<T: Wire + PartialEq + Debug + Clone>(v: T) {
    lent(&v);
    copied(v);
}

#[test]
fn every_shape_round_trips_with_exact_sizes() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..2000 {
        both(rng.next());
        both(rng.next() as i8);
        both(f64::from_bits(rng.next() & 0x7fef_ffff_ffff_ffff));
        both(char::from_u32(rng.below(0xd000) as u32).unwrap());
        both(rng.string());
        both(rng.words());
        both(
            (0..rng.below(9))
                .map(|_| rng.next() as u32)
                .collect::<Vec<u32>>(),
        );
        both(
            (0..rng.below(4))
                .map(|_| rng.words())
                .collect::<Vec<Vec<String>>>(),
        );
        both(if rng.below(2) == 0 {
            None
        } else {
            Some(rng.string())
        });
        both(if rng.below(2) == 0 {
            None
        } else {
            Some(rng.words())
        });
        let map: HashMap<String, Vec<u64>> = (0..rng.below(5))
            .map(|_| (rng.string(), vec![rng.next(); rng.below(3) as usize]))
            .collect();
        both(map);
        let tree: BTreeMap<u32, Option<String>> = (0..rng.below(5))
            .map(|_| {
                (
                    rng.next() as u32,
                    if rng.below(2) == 0 {
                        None
                    } else {
                        Some(rng.string())
                    },
                )
            })
            .collect();
        both(tree);
    }
}

#[test]
fn empty_values_travel_as_null_pointers() {
    // Rust's dangling 0x1 would crash Go's stack scanner: empty is always null.
    let mut w = Writer::none();
    assert!(String::new().to_ref(&mut w).ptr.is_null());
    assert!(Vec::<u32>::new().to_ref(&mut w).ptr.is_null());
    assert!(Vec::<String>::new().to_ref(&mut w).ptr.is_null());
    assert!(None::<u8>.to_ref(&mut w).ptr.is_null());
}

#[test]
fn a_buffer_too_small_is_a_panic_not_an_overrun() {
    let v = vec!["a".to_string(), "b".to_string()];
    let mut buf = Buffer::new(8); // the two StringRefs need 32 bytes
    let mut w = buf.writer();
    let err = catch_unwind(AssertUnwindSafe(|| {
        let _ = v.to_ref(&mut w);
    }))
    .unwrap_err();
    assert_eq!(panic_text(err), "r2g: intermediate buffer too small");
}

#[test]
fn panic_payloads_become_their_text() {
    assert_eq!(panic_text(Box::new("static".to_string())), "static");
    assert_eq!(panic_text(Box::new("borrowed")), "borrowed");
    assert_eq!(panic_text(Box::new(7u32)), "a panic without a message");
}

/// A reply block as Go's C.malloc makes one: the header, then the message bytes.
fn block(status: u32, msg: &str) -> *mut c_void {
    unsafe extern "C" {
        fn malloc(n: usize) -> *mut c_void;
    }
    let p = unsafe { malloc(16 + msg.len().max(1)) };
    unsafe {
        p.cast::<Header>().write(Header {
            status,
            len: msg.len(),
        });
        ::core::ptr::copy_nonoverlapping(msg.as_ptr(), p.cast::<u8>().add(16), msg.len());
    }
    p
}

#[test]
fn a_go_error_or_panic_reaches_result_methods_as_err() {
    let out = MaybeUninit::new(0u32);
    let got = unsafe { sync_result::<u32>(block(STATUS_ERR, "no such user"), &out, "Api::get") };
    assert_eq!(got, Err("no such user".to_string()));
    let got = unsafe { sync_result::<u32>(block(1, "index out of range"), &out, "Api::get") };
    assert_eq!(
        got,
        Err("Go panicked in Api::get: index out of range".to_string())
    );
    let got =
        unsafe { sync_result::<u32>(::core::ptr::null_mut(), &MaybeUninit::new(41), "Api::get") };
    assert_eq!(got, Ok(41));
}

#[test]
fn a_go_panic_panics_methods_without_result() {
    let err = catch_unwind(|| unsafe { sync_unit(block(1, "nil map"), "Api::put") }).unwrap_err();
    assert_eq!(panic_text(err), "Go panicked in Api::put: nil map");
    let out = MaybeUninit::new(StringRef {
        ptr: ::core::ptr::null(),
        len: 0,
    });
    let got = unsafe { sync_value::<String>(block(STATUS_OK, ""), &out, "Api::name") };
    assert_eq!(got, "");
}

#[test]
fn async_replies_say_how_the_call_ended() {
    let out = MaybeUninit::new(5u64);
    assert!(matches!(
        unsafe { finish::<u64>(::core::ptr::null_mut(), &out) },
        Outcome::Ok(5)
    ));
    assert!(
        matches!(unsafe { finish::<u64>(block(STATUS_ERR, "e"), &out) }, Outcome::Err(m) if m == "e")
    );
    assert!(matches!(unsafe { finish::<u64>(block(1, "p"), &out) }, Outcome::Panic(m) if m == "p"));
}

/// An IDL struct as a binding holds it: the value type outside the glue module; its Ref,
/// layout checks and Wire impl (the support macros) inside. `int` is a name C reserves,
/// so its Ref field is `r2g_int`.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub x: u32,
    pub tags: Vec<String>,
    pub int: Option<u64>,
    pub at: Vec<u16>,
}

mod glue {
    use super::*;

    #[repr(C)]
    #[derive(Clone, Copy)]
    pub struct PointRef {
        pub x: u32,
        pub tags: ListRef,
        pub r2g_int: ListRef,
        pub at: ListRef,
    }

    r2g_layout!(PointRef, "Point", 56;
        x => 0,
        tags => 8,
        r2g_int("int") => 24,
        at => 40,
    );

    r2g_struct_wire!(
        Point => PointRef,
        deep: true, view: false,
        sized: [tags, int], owned: [tags, int, at],
        fields: [
            x => x,
            tags => tags,
            int => r2g_int,
            at => at,
        ],
    );
}

#[test]
fn structs_through_the_support_macros_round_trip_with_exact_sizes() {
    const { assert!(<Point as Wire>::DEEP) };
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for _ in 0..500 {
        both(Point {
            x: rng.next() as u32,
            tags: rng.words(),
            int: if rng.below(2) == 0 { None } else { Some(rng.next()) },
            at: (0..rng.below(5)).map(|_| rng.next() as u16).collect(),
        });
    }
}
