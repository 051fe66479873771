"""Payload codec of shm calls, the Python peer (used by generated `*_shm.py` modules).

The payload is the cgo path's Ref layout (codegen/lower/layout.py) with every pointer
replaced by a u64 offset from the start of the payload area:

    String            {u64 offset, u64 len}                  16 bytes, len in bytes
    Vec<T>/Option<T>  {u64 offset, u64 len}                  16 bytes, len in elements;
                      the elements are an array of Ref(T)    (Option: 0 or 1 element)
    map               {keys: ListRef, values: ListRef}       32 bytes
    struct            field Refs at their C offsets
    primitive / enum  the value (bool 1 byte, char u32, enum its repr)

A request starts with the parameters laid out as a C struct of their Refs; a reply starts
with the Ref of the returned value. Child arrays follow, each at an 8-byte boundary, in
depth-first order: a Ref reserves its array at the cursor, then fills it element by
element (so one write pass after one sizing pass; every peer produces the same bytes).
Empty values are {0, 0}. Decoding checks every offset against the payload length."""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

PRIM = {
    "u8": "B", "u16": "H", "u32": "I", "u64": "Q", "usize": "Q",
    "i8": "b", "i16": "h", "i32": "i", "i64": "q", "isize": "q",
    "f32": "f", "f64": "d", "bool": "?", "char": "I",
}  # fmt: skip
_REF = struct.Struct("<QQ")


class PayloadError(ValueError):
    """A payload does not fit its area, or a received one breaks the layout."""


def round8(n: int) -> int:
    return (n + 7) & ~7


@dataclass(frozen=True)
class StructInfo:
    cls: type
    size: int
    fields: tuple[tuple[str, int, tuple], ...]  # (name, offset, type)


class Codec:
    """Types are tuples: ("prim", name) ("str",) ("vec", T) ("opt", T) ("map", K, V)
    ("struct", name) ("enum", name)."""

    def __init__(self, structs: dict[str, StructInfo], enums: dict[str, tuple[str, type]]):
        self.structs = structs
        self.enums = enums  # name -> (repr primitive, IntEnum class)

    def ref_size(self, ty: tuple) -> int:
        match ty[0]:
            case "prim":
                return struct.calcsize(PRIM[ty[1]])
            case "enum":
                return struct.calcsize(PRIM[self.enums[ty[1]][0]])
            case "str" | "vec" | "opt":
                return 16
            case "map":
                return 32
            case "struct":
                return self.structs[ty[1]].size
        raise TypeError(ty)

    # -- sizing ----------------------------------------------------------------------
    def children(self, ty: tuple, v) -> int:
        """Bytes below the Ref of `v` (child arrays, each rounded to 8)."""
        match ty[0]:
            case "prim" | "enum":
                return 0
            case "str":
                return round8(len(v.encode()))
            case "vec" if ty[1] == _U8:
                return round8(len(v))
            case "vec":
                return self._list_size(ty[1], list(v))
            case "opt":
                return 0 if v is None else self._list_size(ty[1], [v])
            case "map":
                return self._list_size(ty[1], list(v)) + self._list_size(ty[2], list(v.values()))
            case "struct":
                info = self.structs[ty[1]]
                return sum(self.children(t, getattr(v, n)) for n, _, t in info.fields)
        raise TypeError(ty)

    def _list_size(self, elem: tuple, items: list) -> int:
        if not items:
            return 0
        return round8(len(items) * self.ref_size(elem)) + sum(self.children(elem, x) for x in items)

    # -- writing ---------------------------------------------------------------------
    def write(self, ty: tuple, v, buf: bytearray, at: int, cur: int) -> int:
        """Write the Ref of `v` at `at`, its children from `cur`; returns the new cursor."""
        match ty[0]:
            case "prim":
                x = ord(v) if ty[1] == "char" else v
                struct.pack_into("<" + PRIM[ty[1]], buf, at, x)
                return cur
            case "enum":
                struct.pack_into("<" + PRIM[self.enums[ty[1]][0]], buf, at, int(v))
                return cur
            case "str":
                return _write_bytes(v.encode(), buf, at, cur)
            case "vec" if ty[1] == _U8:
                return _write_bytes(bytes(v), buf, at, cur)
            case "vec":
                return self._write_list(ty[1], list(v), buf, at, cur)
            case "opt":
                return self._write_list(ty[1], [] if v is None else [v], buf, at, cur)
            case "map":
                cur = self._write_list(ty[1], list(v), buf, at, cur)
                return self._write_list(ty[2], list(v.values()), buf, at + 16, cur)
            case "struct":
                for n, off, t in self.structs[ty[1]].fields:
                    cur = self.write(t, getattr(v, n), buf, at + off, cur)
                return cur
        raise TypeError(ty)

    def _write_list(self, elem: tuple, items: list, buf: bytearray, at: int, cur: int) -> int:
        if not items:
            _REF.pack_into(buf, at, 0, 0)
            return cur
        size = self.ref_size(elem)
        _REF.pack_into(buf, at, cur, len(items))
        base, cur = cur, cur + round8(len(items) * size)
        for i, x in enumerate(items):
            cur = self.write(elem, x, buf, base + i * size, cur)
        return cur

    # -- reading ---------------------------------------------------------------------
    def read(self, ty: tuple, buf, at: int, path: str):
        match ty[0]:
            case "prim":
                self._need(buf, at, self.ref_size(ty), path)
                (x,) = struct.unpack_from("<" + PRIM[ty[1]], buf, at)
                return chr(x) if ty[1] == "char" else x
            case "enum":
                self._need(buf, at, self.ref_size(ty), path)
                rep, cls = self.enums[ty[1]]
                return cls(struct.unpack_from("<" + PRIM[rep], buf, at)[0])
            case "str":
                off, n = self._ref(buf, at, 1, path)
                return bytes(buf[off : off + n]).decode()
            case "vec" if ty[1] == _U8:
                off, n = self._ref(buf, at, 1, path)
                return bytes(buf[off : off + n])
            case "vec":
                return self._read_list(ty[1], buf, at, path)
            case "opt":
                items = self._read_list(ty[1], buf, at, path)
                if len(items) > 1:
                    raise PayloadError(f"{path}: an Option with {len(items)} elements")
                return items[0] if items else None
            case "map":
                keys = self._read_list(ty[1], buf, at, path + ".keys")
                values = self._read_list(ty[2], buf, at + 16, path + ".values")
                if len(keys) != len(values):
                    raise PayloadError(f"{path}: {len(keys)} keys but {len(values)} values")
                return dict(zip(keys, values, strict=True))
            case "struct":
                info = self.structs[ty[1]]
                self._need(buf, at, info.size, path)
                return info.cls(**{n: self.read(t, buf, at + off, f"{path}.{n}")
                                   for n, off, t in info.fields})  # fmt: skip
        raise TypeError(ty)

    def _read_list(self, elem: tuple, buf, at: int, path: str) -> list:
        size = self.ref_size(elem)
        off, n = self._ref(buf, at, size, path)
        return [self.read(elem, buf, off + i * size, f"{path}[{i}]") for i in range(n)]

    def _ref(self, buf, at: int, elem_size: int, path: str) -> tuple[int, int]:
        self._need(buf, at, 16, path)
        off, n = _REF.unpack_from(buf, at)
        if n and (off > len(buf) or n * elem_size > len(buf) - off):
            raise PayloadError(
                f"{path}: {n} items at offset {off} overrun the {len(buf)}-byte payload"
            )
        return off, n

    @staticmethod
    def _need(buf, at: int, n: int, path: str) -> None:
        if at + n > len(buf):
            raise PayloadError(
                f"{path}: {n} bytes at offset {at} overrun the {len(buf)}-byte payload"
            )


# Vec<u8> travels as the bytes it holds (the same layout as an array of one-byte Refs):
# Python hands and gets `bytes` (any bytes-like value or a list of ints is accepted).
_U8 = ("prim", "u8")


def _write_bytes(data: bytes, buf: bytearray, at: int, cur: int) -> int:
    _REF.pack_into(buf, at, cur if data else 0, len(data))
    buf[cur : cur + len(data)] = data
    return cur + round8(len(data))


@dataclass(frozen=True)
class Block:
    """A parameter list or a reply, laid out as one C struct of Refs."""

    size: int
    members: tuple[tuple[str, int, tuple], ...]  # (name, offset, type)


def encode(codec: Codec, block: Block, values: dict, capacity: int) -> bytes:
    """Size first, then one write pass; refuse (never truncate) what does not fit."""
    flat = _flat(codec, block)
    if flat:
        return flat.encode(values, capacity)
    total = round8(block.size) + sum(codec.children(t, values[n]) for n, _, t in block.members)
    if total > capacity:
        raise PayloadError(f"payload of {total} bytes exceeds the slot capacity of {capacity}")
    buf = bytearray(total)
    cur = round8(block.size)
    for n, off, t in block.members:
        cur = codec.write(t, values[n], buf, off, cur)
    return bytes(buf)


def decode(codec: Codec, block: Block, buf) -> dict:
    if len(buf) < block.size:
        raise PayloadError(
            f"payload of {len(buf)} bytes is shorter than its {block.size}-byte head"
        )
    flat = _flat(codec, block)
    if flat:
        return flat.decode(buf)
    return {n: codec.read(t, buf, off, n) for n, off, t in block.members}


def encode_many(codec: Codec, block: Block, calls: Iterable[tuple], capacity: int) -> list[bytes]:
    """One payload per argument tuple of `calls` (members in block order), the bytes
    `encode` gives. All or nothing: a tuple that does not encode fails the whole batch,
    naming its index, before anything is sent."""
    calls = calls if isinstance(calls, list | tuple) else list(calls)
    flat = _flat(codec, block)
    each = flat.encode_many if flat else partial(_encode_each, codec, block)
    try:
        return each(calls, capacity)
    except Exception:
        _blame(each, block, calls, capacity)
        raise


def _encode_each(codec: Codec, block: Block, calls, capacity: int) -> list[bytes]:
    names = [n for n, _, _ in block.members]
    return [encode(codec, block, dict(zip(names, args, strict=True)), capacity) for args in calls]


def _blame(each, block: Block, calls, capacity: int) -> None:
    """Re-run a failed batch call by call to raise the first failure with its index (the
    batch encoders do not track it, to stay cheap)."""
    for i, args in enumerate(calls):
        try:
            each([args], capacity)
        except PayloadError as e:
            raise PayloadError(f"calls[{i}]: {e}") from None
        except Exception as e:
            names = ", ".join(n for n, _, _ in block.members)
            raise TypeError(f"calls[{i}]={args!r} is not a tuple ({names}): {e}") from e


def decode_many(codec: Codec, block: Block, replies: list, member: str) -> list:
    """`member` of each decoded reply, in order; an exception in `replies` (a failed
    call) stays in its place, and so does the PayloadError of a reply that breaks the
    layout (the other calls' results stand)."""
    flat = _flat(codec, block)
    at = flat.value_index(member) if flat else None
    if at is not None:  # the member is a plain number: one unpack per reply
        unpack = flat.head.unpack_from
        try:
            return [unpack(r)[at] for r in replies]
        except (TypeError, struct.error):
            pass  # a failed call or a short reply: the walk below places each one
    out = []
    for r in replies:
        if isinstance(r, BaseException):
            out.append(r)
            continue
        try:
            out.append(decode(codec, block, r)[member])
        except PayloadError as e:
            out.append(e)
    return out


# -- flat blocks -----------------------------------------------------------------------
# Most calls carry only scalars, strings and byte strings. Their head is one fixed struct
# and their children the strings in member order, so one struct.pack (unpack) replaces
# the walk above: the same bytes, the same checks and errors, without a dispatch per
# member. Any other member type takes the general walk.
_VALUE, _ENUM, _CHAR, _STR, _BYTES = range(5)
_PAD = tuple(bytes(n) for n in range(8))


class _Flat:
    def __init__(self, codec: Codec, block: Block) -> None:
        fmt, pos = ["<"], 0
        self.kinds: list[tuple[str, int, object]] = []  # (name, kind, enum class)
        for name, off, ty in block.members:
            if off < pos:
                raise TypeError("members out of offset order")
            if off > pos:
                fmt.append(f"{off - pos}x")
            if ty[0] == "str" or ty == ("vec", _U8):
                fmt.append("QQ")
                kind, cls = (_STR if ty[0] == "str" else _BYTES), None
            elif ty[0] == "prim":
                fmt.append(PRIM[ty[1]])
                kind, cls = (_CHAR if ty[1] == "char" else _VALUE), None
            elif ty[0] == "enum":
                rep, cls = codec.enums[ty[1]]
                fmt.append(PRIM[rep])
                kind = _ENUM
            else:
                raise TypeError(ty)
            pos = off + codec.ref_size(ty)
            self.kinds.append((name, kind, cls))
        if block.size > pos:
            fmt.append(f"{block.size - pos}x")
        self.head = struct.Struct("".join(fmt))
        if self.head.size != block.size:
            raise TypeError("head does not match the block size")
        self.start = round8(block.size)
        self.pad = _PAD[self.start - block.size]
        self.encode_many = self._compile_many()

    def value_index(self, name: str) -> int | None:
        """Where `name` is in the head's unpacked tuple, if every member is a plain
        number (so the head alone is the whole decode); else None."""
        if any(kind != _VALUE for _, kind, _ in self.kinds):
            return None
        return [n for n, _, _ in self.kinds].index(name)

    def _compile_many(self) -> Callable[[list, int], list[bytes]]:
        """The batch encoder of this block, written out for its members (no dispatch on
        the member kinds per call): the bytes `encode` gives, one payload per tuple."""
        args, fields, tail, body = [], [], [], []
        for j, (_, kind, _) in enumerate(self.kinds):
            a = f"a{j}"
            args.append(a)
            if kind == _VALUE:
                fields.append(a)
            elif kind == _ENUM:
                fields.append(f"int({a})")
            elif kind == _CHAR:
                fields.append(f"ord({a})")
            else:
                conv = f"{a}.encode()" if kind == _STR else f"bytes({a})"
                body += [f"d{j} = {conv}", f"n{j} = len(d{j})", f"o{j} = cur if n{j} else 0",
                         f"cur += n{j} + (-n{j} & 7)"]  # fmt: skip
                fields += [f"o{j}", f"n{j}"]
                tail += [f"d{j}", f"PAD[-n{j} & 7]"]
        target = "(" + "".join(f"{a}, " for a in args) + ")"
        pieces = ", ".join([f"pack({', '.join(fields)})", "PAD0", *tail])
        src = "\n".join([
            "def encode_many(calls, capacity):",
            "    out = []",
            "    append = out.append",
            f"    for {target} in calls:",
            f"        cur = {self.start}",
            *(f"        {line}" for line in body),
            "        if cur > capacity:",
            "            raise PayloadError(",
            "                f'payload of {cur} bytes exceeds the slot capacity of {capacity}')",
            f"        append(b''.join(({pieces},)))",
            "    return out",
        ])  # fmt: skip
        scope = dict(pack=self.head.pack, PAD=_PAD, PAD0=self.pad, PayloadError=PayloadError)
        exec(compile(src, f"<encode_many of {self.head.format}>", "exec"), scope)
        return scope["encode_many"]

    def encode(self, values: dict, capacity: int) -> bytes:
        fields, tail, cur = [], [self.pad], self.start
        for name, kind, _ in self.kinds:
            v = values[name]
            if kind == _VALUE:
                fields.append(v)
            elif kind >= _STR:
                data = v.encode() if kind == _STR else bytes(v)
                n = len(data)
                fields += (cur if n else 0, n)
                tail += (data, _PAD[-n & 7])
                cur += n + (-n & 7)
            else:
                fields.append(ord(v) if kind == _CHAR else int(v))
        if cur > capacity:
            raise PayloadError(f"payload of {cur} bytes exceeds the slot capacity of {capacity}")
        return self.head.pack(*fields) + b"".join(tail)

    def decode(self, buf) -> dict:
        raw, out, i, size = self.head.unpack_from(buf), {}, 0, len(buf)
        for name, kind, cls in self.kinds:
            if kind >= _STR:
                off, n = raw[i], raw[i + 1]
                i += 2
                if n and (off > size or n > size - off):
                    raise PayloadError(
                        f"{name}: {n} items at offset {off} overrun the {size}-byte payload"
                    )
                data = bytes(buf[off : off + n])
                out[name] = data.decode() if kind == _STR else data
                continue
            v = raw[i]
            i += 1
            out[name] = v if kind == _VALUE else cls(v) if kind == _ENUM else chr(v)
        return out


def _flat(codec: Codec, block: Block) -> _Flat | None:
    """The block's flat plan for `codec` (made once, kept on the block), None if it has
    members the plan does not cover."""
    got = block.__dict__.get("_flat")
    if got is None or got[0] is not codec:
        try:
            plan = _Flat(codec, block)
        except TypeError:
            plan = None
        got = (codec, plan)
        object.__setattr__(block, "_flat", got)  # a cache, not part of the value
    return got[1]


Handler = Callable[..., object]
