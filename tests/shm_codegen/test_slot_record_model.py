"""Exhaustive interleavings of the generated Rust caller's per-slot record protocol
(`codegen/support/rust/shm/slots.rs`, "Where a slot's call is"): two calls that share one
slot (so the second reuses it), the callee, two completion poppers (the reader and a
helping executor thread pop concurrently) and, optionally, the connection dying. Every atomic step of each actor is one transition; the waiter mutex
is modelled as a lock, so the steps inside it interleave with everything outside it.

Checked in every reachable state: the slot is never on the free list twice, a reply is
read only while READY and only by its own call. Checked where nothing can move any more:
no call is left waiting (a lost wake-up), and the slot is back (unless the connection
died). The model is the Rust code's protocol written small; a change to one is a change
to the other. A test also shows the checker finds the lost wake-up of a drop that clears
its waker after the CAS that gives the slot up (a bug the Rust code had briefly).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

FREE, SENT, READY, DROPPED, DEAD = "FREE", "SENT", "READY", "DROPPED", "DEAD"
CALLS = ("c1", "c2")


@dataclass(frozen=True)
class World:
    state: str = FREE  # the slot record
    waiter: str | None = None
    lock: str | None = None  # who holds the record's waiter mutex
    free: int = 1  # the slot on the caller's free list (0 or 1)
    gen: int = 0
    requests: tuple[int, ...] = ()  # generations queued for the callee
    completions: tuple[int, ...] = ()  # and for the poppers
    in_flight: int = 0
    dead: bool = False
    woken: frozenset[str] = frozenset()  # wake tokens not yet consumed
    # Each call's (name, step, generation it sent); each popper's step.
    pc: tuple[tuple[str, str, int], ...] = tuple((c, "alloc", 0) for c in CALLS)
    poppers: tuple[str, ...] = ("idle", "idle")


class Bad(AssertionError):
    pass


def _set_pc(w: World, call: str, step: str, gen: int | None = None) -> World:
    pcs = tuple((c, step, w.gen if gen is None else gen) if c == call else (c, s, g)
                for c, s, g in w.pc)  # fmt: skip
    return replace(w, pc=pcs)


def _release_slot(w: World) -> World:
    if w.free:
        raise Bad("the slot went back on the free list twice")
    return replace(w, state=FREE, free=1)


def call_steps(w: World, call: str, step: str, mine: int, late_clear: bool) -> list[World]:
    """Next worlds for one call at `step` (each nondeterministic choice is one world)."""
    out: list[World] = []
    go = lambda w2, s, g=None: _set_pc(w2, call, s, g)  # noqa: E731
    if step == "alloc" and w.dead:
        out.append(go(w, "done"))  # try_alloc checks the connection first: PeerGone
    elif step == "alloc" and w.free:
        out.append(go(replace(w, free=0), "submit"))
    elif step == "submit":
        g = w.gen + 1
        w2 = replace(w, gen=g, state=SENT, in_flight=w.in_flight + 1, requests=w.requests + (g,))
        out.append(go(w2, "poll", g))
    elif step == "poll":
        # The future may be dropped between polls, or polled again.
        out.append(go(w, "drop_lock" if not late_clear else "drop_cas", mine))
        if w.state in (READY, DEAD):
            out.append(go(w, "read" if w.state == READY else "done", mine))
        else:
            out.append(go(w, "poll_lock", mine))
    elif step == "poll_lock" and w.lock is None:
        out.append(go(replace(w, lock=call), "poll_check", mine))
    elif step == "poll_check":
        if w.state in (READY, DEAD):
            out.append(go(replace(w, lock=None), "read" if w.state == READY else "done", mine))
        else:
            out.append(go(replace(w, lock=None, waiter=call), "wait", mine))
    elif step == "wait" and call in w.woken:
        out.append(go(replace(w, woken=w.woken - {call}), "poll", mine))
    elif step == "read":
        if w.state != READY or w.gen != mine:
            raise Bad(f"{call} read a reply that is not its own READY one ({w.state}, gen {w.gen})")
        out.append(go(_release_slot(w), "done", mine))
    # drop_call: clear our waker (under the lock), then CAS SENT -> DROPPED
    elif step == "drop_lock" and w.lock is None:
        out.append(go(replace(w, lock=call), "drop_clear", mine))
    elif step == "drop_clear":
        cleared = replace(w, lock=None, waiter=None)
        out.append(go(cleared, "done" if late_clear else "drop_cas", mine))
    elif step == "drop_cas":
        nxt = "drop_lock" if late_clear else "done"
        if w.state == SENT:
            out.append(go(replace(w, state=DROPPED), nxt, mine))
        elif w.state == READY:
            out.append(go(_release_slot(w), nxt, mine))
        else:  # DEAD: never reused
            out.append(go(w, nxt, mine))
    return out


def popper_steps(w: World, i: int) -> list[World]:
    """Popper `i`: pop a completion (the ring's CAS gives each to one popper), the
    generation check, CAS SENT -> READY (or free a DROPPED slot), then take and wake
    the waiter under the lock."""
    step = w.poppers[i]
    at = lambda s: tuple(s if j == i else x for j, x in enumerate(w.poppers))  # noqa: E731
    if step == "idle" and w.completions:
        g, rest = w.completions[0], w.completions[1:]
        w = replace(w, completions=rest)
        if g != w.gen:
            return [w]  # stale completion
        if w.state == SENT:
            return [replace(w, state=READY, in_flight=w.in_flight - 1, poppers=at("lock"))]
        if w.state == DROPPED:
            return [replace(_release_slot(w), in_flight=w.in_flight - 1)]
        return [w]  # DEAD, or a second completion
    if step == "lock" and w.lock is None:
        return [replace(w, lock=f"popper{i}", poppers=at("take"))]
    if step == "take":
        woken = w.woken | {w.waiter} if w.waiter else w.woken
        return [replace(w, lock=None, waiter=None, woken=woken, poppers=at("idle"))]
    return []


def other_steps(w: World, with_death: bool) -> list[World]:
    out = []
    if w.requests:  # the callee answers (DONE or ABANDONED: one completion either way)
        out.append(replace(w, requests=w.requests[1:], completions=w.completions + w.requests[:1]))
    if with_death and not w.dead and w.lock is None:
        # declare_dead: SENT|DROPPED -> DEAD (in_flight -= 1) and wake the waiter, as one
        # locked step per record (the CAS, then the take under the lock).
        w2 = replace(w, dead=True)
        if w.state in (SENT, DROPPED):
            woken = w.woken | {w.waiter} if w.waiter else w.woken
            w2 = replace(w2, state=DEAD, in_flight=w.in_flight - 1, waiter=None, woken=woken)
        out.append(w2)
    return out


def explore(late_clear: bool = False, with_death: bool = False) -> int:
    """Every reachable world; raises Bad on a broken invariant or a stuck end."""
    seen: set[World] = set()
    todo = [World()]
    while todo:
        w = todo.pop()
        if w in seen:
            continue
        seen.add(w)
        nxt = popper_steps(w, 0) + popper_steps(w, 1) + other_steps(w, with_death)
        for call, step, mine in w.pc:
            nxt += call_steps(w, call, step, mine, late_clear)
        if not nxt:
            stuck = [(c, s) for c, s, _ in w.pc if s != "done"]
            if stuck:
                raise Bad(f"stuck with {stuck}: state {w.state}, waiter {w.waiter}, woken "
                          f"{set(w.woken)} (a lost wake-up)")  # fmt: skip
            if not w.dead and (w.free != 1 or w.in_flight != 0 or w.state != FREE):
                raise Bad(f"ended with the slot not back: {w}")
        todo.extend(nxt)
    return len(seen)


def test_every_interleaving_of_two_calls_on_one_slot_is_safe_and_wakes_its_waiter():
    assert explore() > 200  # worlds visited: the search did run


def test_the_connection_dying_at_any_point_leaves_no_call_waiting():
    assert explore(with_death=True) > explore()


def test_the_checker_finds_the_lost_wake_up_of_a_late_clear():
    try:
        explore(late_clear=True)
    except Bad as e:
        assert "lost wake-up" in str(e)
    else:
        raise AssertionError("a drop that clears its waker after the CAS was not caught")
