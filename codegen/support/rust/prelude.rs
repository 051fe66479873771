// ---- rust2go runtime (fixed part) ------------------------------------------------
use ::core::ffi::c_void;
use ::core::mem::{align_of, size_of, MaybeUninit};
