"""The original's static API for `#[mem]` / `#[shm]` methods: `{Trait}Impl::method(..)` with
the original's signatures (its unsafety, plain values, futures for async methods), each
call going through one process-wide `{Trait}Shm` client that starts the Go side in this
process on first use, sized by the trait's `queue_size`."""

from __future__ import annotations

from rust2go.codegen import ir
from rust2go.codegen.lower.rust_async import future_signature, returned_type
from rust2go.shm import layout as L

SAFETY_ASYNC = [
    " # Safety",
    " `unsafe` as in the rust2go crate (the method is not `#[drop_safe]`). Over shared memory",
    " the arguments are copied into the ring at the first poll, so dropping the future at",
    " any time is sound.",
]
SAFETY_ONEWAY = [
    " # Safety",
    " `unsafe` as in the rust2go crate, whose shared-memory oneway calls did not keep their",
    " arguments alive. Here they are copied into the ring before the call returns, so any",
    " call is sound.",
]


def client_fn(t: ir.Trait) -> str:
    return f"r2g_mem_{t.name}"


def client_slots(t: ir.Trait) -> tuple[int, int, int]:
    """`in_process_with` arguments: the trait's `queue_size` slots (0: the default geometry)."""
    if not t.queue_size_written:
        return 0, 0, 0
    return t.queue_size, L.DEFAULT_REQUEST_CAPACITY, L.DEFAULT_RESPONSE_CAPACITY


def mem_signature(m: ir.Method, rust_type) -> tuple[str, str, list[str]]:
    """(qualifier, return signature, extra doc lines) of a static `#[mem]` method."""
    if m.kind is ir.CallKind.ONEWAY:
        return "unsafe ", "", ([""] if m.docs else []) + SAFETY_ONEWAY
    assert m.ret is not None
    if m.kind is ir.CallKind.SYNC:
        return "", f" -> {returned_type(m.ret, rust_type)}", []
    safety = ([""] if m.docs else []) + SAFETY_ASYNC if m.unsafe else []
    return ("unsafe " if m.unsafe else ""), future_signature(m, rust_type)[1], safety


def mem_body(t: ir.Trait, m: ir.Method) -> str:
    """The expression a static `#[mem]` method returns."""
    call = f"{client_fn(t)}().{m.name}({', '.join(p.name for p in m.params)})"
    settle = "r2g_shm::plain_result" if m.ret and m.ret.is_result else "r2g_shm::plain_value"
    what = f'"{t.name}::{m.name}"'
    if m.kind is ir.CallKind.ASYNC and m.drop_safe_ret:
        names = [p.name for p in m.params]
        lent = f"{client_fn(t)}().r2g_lent_{m.name}({', '.join('&' + n for n in names)})"
        back = "".join(n + ", " for n in names)
        return f"async move {{ ({settle}({lent}.await, {what}), ({back})) }}"
    if m.kind is ir.CallKind.ASYNC and sum(p.by_ref for p in m.params) > 1:
        # The client's future holds its borrows for one lifetime, so with two borrowed
        # arguments it names the shorter of theirs, which this signature cannot: an async
        # block holds each borrow as it is and hides the client's future inside.
        return f"async move {{ r2g_shm::Plain::new({call}, {settle}, {what}).await }}"
    if m.kind is ir.CallKind.ASYNC:
        return f"r2g_shm::Plain::new({call}, {settle}, {what})"
    return f"{settle}({call}, {what})"
