"""Emission of async methods: the future's signature (Output, bounds, unsafe + reason),
the glue (slot module embedded once, callback symbol, the job and its args struct), the
Go runtime's entry points and run table, and the trampoline."""

from __future__ import annotations

import re

from rust2go.codegen import ir
from rust2go.codegen.emit import emit_all
from rust2go.codegen.lower.async_abi import async_entry
from rust2go.codegen.lower.symbols import callback_symbol, export_symbol
from tests.emit.test_emit import RAW, SPAN, _pair, method, program, struct

USER = struct("User", name=ir.Str(), age=ir.Prim("u8"))
U32 = ir.Prim("u32")


def async_method(name: str, *params, ret=U32, result=False, by_ref=(), **flags):
    m = method(name, *params, ret=ret, result=result, **flags)
    m.kind = ir.CallKind.ASYNC
    for p in m.params:
        p.by_ref = p.name in by_ref
    return m


def emit(*methods: ir.Method) -> tuple[str, str, ir.Program]:
    p = program(ir.Trait("Jobs", ir.Direction.R2G, list(methods), SPAN), structs=[USER])
    go, rust = _pair(emit_all(p, RAW))
    return go, rust, p


def test_drop_safe_send_future_is_safe_send_sync_static():
    _, rust, _ = emit(async_method("run", ("u", ir.StructT("User")), drop_safe=True,
                                   future_send=True))  # fmt: skip
    assert (
        "fn run(u: User) -> impl ::core::future::Future<Output = u32> + Send + Sync + 'static"
        in rust
    )
    assert "unsafe fn run" not in rust
    assert "starts on the first poll" in rust


def test_borrowed_params_make_an_unsafe_fn_without_static_and_say_why():
    _, rust, _ = emit(async_method("look", ("u", ir.StructT("User")), by_ref={"u"}))
    assert "unsafe fn look(u: &User) -> impl ::core::future::Future<Output = u32>;" in rust
    assert "/// # Safety" in rust and "borrowed `&T` arguments" in rust


def test_owned_params_without_drop_safe_are_unsafe_with_their_own_reason():
    _, rust, _ = emit(async_method("plain", ("n", ir.Prim("u32"))))
    assert (
        "unsafe fn plain(n: u32)" in rust and "does not declare this method `#[drop_safe]`" in rust
    )


def test_drop_safe_ret_output_hands_back_the_params_tuple():
    _, rust, _ = emit(async_method("keep", ("u", ir.StructT("User")), ("n", ir.Prim("u32")),
                                   result=True, drop_safe_ret=True))  # fmt: skip
    assert "Output = (Result<u32, String>, (User, u32))>" in rust
    assert "settle_result_ret(" in rust


def test_slot_module_embedded_once_with_its_state_table_and_public_helpers():
    _, rust, _ = emit(async_method("a", drop_safe=True), async_method("b", drop_safe=True))
    assert rust.count("pub mod r2g_async") == 1
    assert "| from (bits set)" in rust
    assert "pub use r2g_ffi::r2g_async::block_on as r2g_block_on;" in rust
    assert "pub fn r2g_live_slots() -> usize" in rust


def test_callback_symbol_follows_the_grammar_and_travels_in_the_job():
    m = async_method("ping", ("n", ir.Prim("u32")), drop_safe=True)
    go, rust, p = emit(m)
    t = p.traits[0]
    sym, cb = export_symbol(p, t, m), callback_symbol(p, t, m)
    tail = sym.removeprefix("r2g_")
    assert cb == sym + "_cb"
    assert f'#[unsafe(no_mangle)]\n    pub unsafe extern "C" fn {cb}(' in rust
    # Rust fills the job in the slot and pushes it: no Go export per async method.
    assert f"(*r2g_job).cb = {cb} as *const c_void;" in rust
    assert "(*r2g_job).method = 0;" in rust and "submit(r2g_job);" in rust
    assert f"//export {sym}" not in go and f"pub fn {sym}(" not in rust
    # The parameters' Refs sit in an args struct both sides describe and assert.
    assert f"pub struct r2g_Args_{tail} {{\n        pub n: u32,\n    }}" in rust
    assert f"size_of::<r2g_Args_{tail}>() == 4" in rust
    assert f"typedef struct r2g_args_{tail} {{\n\tuint32_t n;\n}} r2g_args_{tail};" in go
    assert f"unsafe.Sizeof(C.r2g_args_{tail}{{}})-4]" in go
    assert "r2g_arg_n := (*uint32)(unsafe.Pointer(&r2g_args.n))" in go  # viewed in place
    assert f"func r2g_run_{tail}(r2g_j *C.r2g_job) C.r2g_done {{" in go
    assert "return r2g_done(r2g_j.cb, r2g_j.slot, r2g_block, r2g_j.out)" in go
    assert "static inline void r2g_call_cbs(const r2g_done *d, size_t n)" in go
    assert "go func" not in go.split("func r2g_async_watch")[0]  # no goroutine per call


def test_job_indices_and_entry_points_agree_and_carry_every_async_signature():
    a = async_method("a", ("n", U32), drop_safe=True)
    b = async_method("b", ("u", ir.StructT("User")), ("us", ir.Vec(ir.StructT("User"))),
                     ("o", ir.Opt(U32)), drop_safe=True)  # fmt: skip
    go, rust, p = emit(a, b)
    entry = async_entry(p)
    assert re.fullmatch(r"r2g_v4_async_h[0-9a-f]{8}", entry)
    for suffix in ("_init", "_kick"):
        assert f"//export {entry}{suffix}\nfunc {entry}{suffix}(" in go
        assert f"pub fn {entry}{suffix}(" in rust
    runs = [f"r2g_run_{export_symbol(p, p.traits[0], m).removeprefix('r2g_')}" for m in (a, b)]
    assert f"{{\n\t{runs[0]},\n\t{runs[1]},\n}}" in go  # the run table, in index order
    assert "(*r2g_job).method = 0;" in rust and "(*r2g_job).method = 1;" in rust
    # Every Pass works from the args struct: a view of the Ref, a slice header Rust built,
    # a Ref converted by value.
    assert "r2g_arg_u := (*User)(unsafe.Pointer(&r2g_args.u))" in go
    assert "r2g_arg_us := (*[]User)(unsafe.Pointer(&r2g_args.us))" in go
    assert "r2g_arg_o := r2g_read_Opt_u32(r2g_args.o)" in go
    assert (
        "pub us: SliceRef," in rust
        and "us: SliceRef::of(Wire::to_ref(r2g_p_us, &mut r2g_w))," in rust
    )
    # Files from IDLs that differ in any async signature name other entry points.
    _, _, q = emit(a, async_method("b", ("u", ir.StructT("User")), drop_safe=True))
    assert async_entry(q) != entry


def test_sync_only_programs_get_no_async_parts():
    go, rust, _ = emit(method("f", ("n", ir.Prim("u32")), ret=ir.Prim("u32")))
    assert "r2g_async" not in rust and "r2g_call_cbs" not in go and "r2g_live_slots" not in rust
