"""Lowering of async methods for the Rust file: the future a method returns, the per-call
attachment type, and the start function and callback the glue module holds.

Every decision the async templates need is made here: the Output type (T, or
`(T, (P1, ..))` for `#[drop_safe_ret]`), the bounds (`Send + Sync` for `#[send]` or a
written `+ Send`; `'static` without `&T` params), `unsafe` and the reason it states."""

from __future__ import annotations

from dataclasses import dataclass, replace

from rust2go.codegen import ir
from rust2go.codegen.lower.async_abi import AsyncArgs
from rust2go.codegen.lower.symbols import callback_symbol, export_symbol
from rust2go.codegen.lower.types import Pass

FUTURE = "::core::future::Future"

FIRST_POLL_DOC = [
    " The Go call starts on the first poll, not when this function returns: a future that",
    " is never polled costs nothing and never reaches Go (executors may create futures",
    " they never run), and the waker to complete it with exists only once it is polled.",
]

SAFETY_BORROWED = [
    " # Safety",
    " Go reads the borrowed `&T` arguments in place until the call completes: do not drop",
    " the future after its first poll and before it resolves (a dropped future frees",
    " nothing Go still reads, but the borrows it held may end). Declare the parameters",
    " owned with `#[drop_safe]` to make this method safe.",
]

SAFETY_UNDECLARED = [
    " # Safety",
    " The IDL does not declare this method `#[drop_safe]`: keep the future until it",
    " resolves. (The binding keeps the owned arguments alive until Go completes, so adding",
    " `#[drop_safe]` to the IDL makes this method safe.)",
]


@dataclass
class ArgsFieldView:
    name: str
    rust_type: str  # the Ref, or SliceRef
    make: str  # the Ref, built in the start fn from the destructured parameter
    offset: int


@dataclass
class RustFuture:
    """What an async method adds to its sync-style view (see templates/rust/async_*.j2)."""

    output: str  # the future's Output, as the user sees it
    ret_sig: str  # " -> impl Future<Output = ..> + bounds"
    qualifier: str  # "unsafe " | ""
    call_fn: str  # glue constructor of the Call future
    start_fn: str  # glue: builds the Refs inside the slot and calls the Go export
    callback: str  # the extern "C" symbol Go completes the call through
    alias: str  # glue type alias of the attachment
    lt: str  # "<'a0, 'a2>": one per borrowed parameter, else ""
    lt_anon: str  # "<'_>" | ""
    lt_static: str  # "<'static>" | ""
    params_type: str  # glue spelling of the params tuple
    out_ref: str  # the Ref Go writes the reply to
    slot_value: str  # R of the slot: "super::T" or "Result<super::T, String>"
    decode_type: str  # T handed to `finish`
    decode: str  # "decode_value" | "decode_result"
    settle: str  # glue fn turning (outcome, attachment) into the Output
    tuple_args: str  # the params tuple, built in the trait method
    pattern: str  # destructures `&r2g_a.params` in the start fn ("" without params)
    start_params: list  # RustParam copies whose `arg` reads the destructured binding
    index: int  # the method's number in the job (async_abi)
    args_type: str  # glue repr(C) struct of the parameters' Refs, "()" without parameters
    args_ctype: str  # its C name
    args_fields: list[ArgsFieldView]
    args_size: int


def _generics(args: list[str]) -> str:
    return f"<{', '.join(args)}>" if args else ""


def lower_future(program: ir.Program, t: ir.Trait, m: ir.Method, params: list, args: AsyncArgs,
                 *, rust_type, ref_type) -> RustFuture:  # fmt: skip
    """`params` are the method's RustParam views, `args` its args struct;
    `rust_type(ty, qual)`/`ref_type(ty)` spell."""
    assert m.ret is not None  # the checker rejects `async fn` without a return type
    symbol = export_symbol(program, t, m)
    # One lifetime per borrowed parameter: the trait method's elided lifetimes are
    # distinct, and a future capturing one lifetime shorter than all of them is not
    # allowed to be the hidden type of its `impl Future`.
    lts = [f"'a{i}" for i, p in enumerate(m.params) if p.by_ref]
    glue_params = [f"&'a{i} {rust_type(p.ty, 'super::')}" if p.by_ref else rust_type(p.ty, "super::")
                   for i, p in enumerate(m.params)]  # fmt: skip
    glue_value = returned_type(m.ret, lambda ty: rust_type(ty, "super::"))
    output, ret_sig = future_signature(m, rust_type)
    settle = ("settle_result" if m.ret.is_result else "settle_value") + (
        "_ret" if m.drop_safe_ret else "")  # fmt: skip
    names = [p.name for p in m.params]
    # Inside the glue module the runtime's items are in scope: a binding named like one of
    # its constants (`STATUS_ERR`) would be a pattern matching it, so the glue renames.
    locals_ = [f"r2g_p_{p.name}" for p in m.params]
    tail = symbol.removeprefix("r2g_")  # glue names read r2g_call_v1_.., not r2g_call_r2g_v1_..
    start_params = [replace(rp, arg=f"*{local}" if p.by_ref else local)
                    for rp, p, local in zip(params, m.params, locals_, strict=True)]  # fmt: skip
    fields = []
    for rp, p, f in zip(start_params, m.params, args.fields, strict=True):
        make = f"Wire::to_ref({rp.arg}, &mut r2g_w)"
        slice_ = f.passing == Pass.SLICE
        fields.append(ArgsFieldView(p.name, "SliceRef" if slice_ else ref_type(p.ty),
                                    f"SliceRef::of({make})" if slice_ else make, f.offset))  # fmt: skip
    return RustFuture(
        output=output,
        ret_sig=ret_sig,
        qualifier="unsafe " if m.unsafe else "",
        call_fn=f"r2g_call_{tail}",
        start_fn=f"r2g_start_{tail}",
        callback=callback_symbol(program, t, m),
        alias=f"r2g_Attach_{tail}",
        lt=_generics(lts),
        lt_anon=_generics(["'_"] * len(lts)),
        lt_static=_generics(["'static"] * len(lts)),
        params_type=_tuple(glue_params),
        out_ref=ref_type(m.ret.ty),
        slot_value=glue_value,
        decode_type=rust_type(m.ret.ty, "super::"),
        decode="decode_result" if m.ret.is_result else "decode_value",
        settle=settle,
        tuple_args=_tuple(names),
        pattern=_tuple(locals_) if names else "",
        start_params=start_params,
        index=args.index,
        args_type=f"r2g_Args_{tail}" if fields else "()",
        args_ctype=args.ctype,
        args_fields=fields,
        args_size=args.size,
    )


def safety_docs(m: ir.Method) -> list[str]:
    """Doc lines every async method gets: when the call starts, and why it is unsafe."""
    docs = ([""] if m.docs else []) + FIRST_POLL_DOC
    if m.unsafe:
        borrowed = any(p.by_ref for p in m.params)
        docs += [""] + (SAFETY_BORROWED if borrowed else SAFETY_UNDECLARED)
    return docs


def returned_type(ret: ir.Returns, rust_type) -> str:
    """What a method hands back, as the user sees it: `T`, or `Result<T, String>`."""
    value = rust_type(ret.ty)
    return f"Result<{value}, String>" if ret.is_result else value


def future_signature(m: ir.Method, rust_type) -> tuple[str, str]:
    """An async method's Output (`T`, or `(T, (P1, ..))` for `#[drop_safe_ret]`) and its
    return signature: `Send + Sync` for `#[send]`, `'static` without `&T` parameters."""
    assert m.ret is not None
    output = returned_type(m.ret, rust_type)
    if m.drop_safe_ret:
        output = f"({output}, {_tuple([rust_type(p.ty) for p in m.params])})"
    borrows = any(p.by_ref for p in m.params)
    bounds = (" + Send + Sync" if m.future_send else "") + ("" if borrows else " + 'static")
    return output, f" -> impl {FUTURE}<Output = {output}>{bounds}"


def _tuple(items: list[str]) -> str:
    """A Rust tuple type or expression; one element keeps its trailing comma."""
    if len(items) == 1:
        return f"({items[0]},)"
    return "(" + ", ".join(items) + ")"
