"""Emission of async methods: the future's signature (Output, bounds, unsafe + reason),
the glue (slot module embedded once, callback symbol), the Go export and trampoline."""

from __future__ import annotations

from rust2go.codegen import ir
from rust2go.codegen.emit import emit_all
from rust2go.codegen.lower.symbols import callback_symbol, export_symbol
from tests.emit.test_emit import RAW, SPAN, method, program, struct

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
    go, rust = emit_all(p, RAW)
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


def test_callback_symbol_follows_the_grammar_and_is_passed_to_go():
    m = async_method("ping", ("n", ir.Prim("u32")), drop_safe=True)
    go, rust, p = emit(m)
    t = p.traits[0]
    sym, cb = export_symbol(p, t, m), callback_symbol(p, t, m)
    assert cb == sym + "_cb"
    assert f'#[unsafe(no_mangle)]\n    pub unsafe extern "C" fn {cb}(' in rust
    assert f"let r2g_cb = {cb} as *const c_void;" in rust
    assert (
        f"func {sym}(n C.uint32_t, r2g_out *C.uint32_t, r2g_slot unsafe.Pointer, r2g_cb unsafe.Pointer) {{"
        in go
    )
    assert "static inline void r2g_call_cbs(const r2g_done *d, size_t n)" in go
    # One allocation per call: the job carries the converted arguments and the C pointers.
    job = sym.replace("r2g_", "r2g_job_", 1)
    assert f"r2g_j := &{job}{{\n\t\tr2g_arg_n: uint32(n)," in go
    assert f"type {job} struct {{\n\tr2g_job // first" in go
    assert "return r2g_done(r2g_j.r2g_cb, r2g_j.r2g_slot, r2g_block, unsafe.Pointer(r2g_j.r2g_out))" in go
    assert "r2g_submit(&r2g_j.r2g_job)" in go and "defer r2g_recover_start(" in go
    assert "go func" not in go.split("func r2g_async_watch")[0]  # no goroutine per call


def test_sync_only_programs_get_no_async_parts():
    go, rust, _ = emit(method("f", ("n", ir.Prim("u32")), ret=ir.Prim("u32")))
    assert "r2g_async" not in rust and "r2g_call_cbs" not in go and "r2g_live_slots" not in rust
