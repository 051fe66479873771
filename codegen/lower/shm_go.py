"""Lowering for the generated Go shm callee: codec function expressions of every IDL type
(readers view strings and numeric slices in place), per-struct codec functions, and per
trait the interface of its shm methods plus the handler that dispatches on the method id.
The fixed part (segment, rings, doorbells, poller) is codegen/support/go/shm/, which the
template includes."""

from __future__ import annotations

from dataclasses import dataclass

from rust2go.codegen import ir
from rust2go.codegen.lower.go import GO_PRIMITIVE, GoSpeller, go_param
from rust2go.codegen.lower.layout import round8
from rust2go.codegen.lower.shm_blocks import method_id, params_block, reply_block
from rust2go.codegen.lower.shm_contract import literals
from rust2go.codegen.lower.shm_symbols import client_name, serve_symbol, stop_symbol

IMPORTS = ["encoding/binary", "math", "math/bits", "os", "runtime", "strings", "sync",
           "sync/atomic", "syscall", "time"]  # fmt: skip
VIEWABLE = {"u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64", "f32", "f64", "usize",
            "isize", "char"}  # fmt: skip
PREAMBLE = r"""
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdlib.h>
#include <time.h>
static sem_t *r2g_shm_sem_create(const char *n, unsigned mode) {
	sem_t *s = sem_open(n, O_CREAT | O_EXCL, mode, 0);
	return s == SEM_FAILED ? NULL : s;
}
static int r2g_shm_sem_wait_ms(sem_t *s, long ms) {
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) { ts.tv_sec++; ts.tv_nsec -= 1000000000L; }
	int r;
	while ((r = sem_timedwait(s, &ts)) != 0 && errno == EINTR) {}
	return r;
}
"""


class GoCodec:
    """Go expressions of the codec functions of each type: reader func([]byte, int) T,
    sizer func(*T) int (children bytes), writer func([]byte, at, cur int, *T) int."""

    def __init__(self, program: ir.Program):
        self.sp = GoSpeller(program)
        self.program = program

    def ref_size(self, ty: ir.Type) -> int:
        return self.sp.layouts.of(ty).size

    def reader(self, ty: ir.Type) -> str:
        t = self.sp.go_type(ty)
        match ty:
            case ir.Prim(name):
                return f"r2g_shm_rd_{name}"
            case ir.EnumT(name):
                rep = self.program.enum(name).repr
                return f"func(r2g_b []byte, r2g_at int) {t} {{ return {t}(r2g_shm_rd_{rep}(r2g_b, r2g_at)) }}"
            case ir.Str():
                return "r2g_shm_rd_str"
            case ir.Vec(ir.Prim(p)) if p in VIEWABLE:
                e = GO_PRIMITIVE[p]
                return f"func(r2g_b []byte, r2g_at int) {t} {{ return r2g_shm_view_list[{e}](r2g_b, r2g_at, {self.ref_size(ty.elem)}) }}"
            case ir.Vec(elem):
                return (f"func(r2g_b []byte, r2g_at int) {t} {{ return r2g_shm_rd_list(r2g_b, r2g_at, "
                        f"{self.ref_size(elem)}, {self.reader(elem)}) }}")  # fmt: skip
            case ir.Opt(inner):
                return (f"func(r2g_b []byte, r2g_at int) {t} {{ return r2g_shm_rd_opt(r2g_b, r2g_at, "
                        f"{self.ref_size(inner)}, {self.reader(inner)}) }}")  # fmt: skip
            case ir.Map(_, k, v):
                return (f"func(r2g_b []byte, r2g_at int) {t} {{ return r2g_shm_rd_map(r2g_b, r2g_at, {self.ref_size(k)}, "
                        f"{self.ref_size(v)}, {self.reader(k)}, {self.reader(v)}) }}")  # fmt: skip
            case ir.StructT(name):
                return struct_fn("rd", name)
        raise TypeError(ty)

    def sizer(self, ty: ir.Type) -> str:
        t = self.sp.go_type(ty)
        match ty:
            case ir.Prim() | ir.EnumT():
                return f"r2g_shm_sz0[{t}]"
            case ir.Str():
                return "r2g_shm_sz_str"
            case ir.Vec(elem):
                return (f"func(r2g_v *{t}) int {{ return r2g_shm_sz_list(*r2g_v, {self.ref_size(elem)}, "
                        f"{self.sizer(elem)}) }}")  # fmt: skip
            case ir.Opt(inner):
                return (f"func(r2g_v *{t}) int {{ return r2g_shm_sz_list(r2g_shm_opt_list(*r2g_v), "
                        f"{self.ref_size(inner)}, {self.sizer(inner)}) }}")  # fmt: skip
            case ir.Map(_, k, v):
                return (f"func(r2g_v *{t}) int {{ r2g_ks, r2g_vs := r2g_shm_map_lists(*r2g_v); return "
                        f"r2g_shm_sz_list(r2g_ks, {self.ref_size(k)}, {self.sizer(k)}) + "
                        f"r2g_shm_sz_list(r2g_vs, {self.ref_size(v)}, {self.sizer(v)}) }}")  # fmt: skip
            case ir.StructT(name):
                return struct_fn("sz", name)
        raise TypeError(ty)

    def writer(self, ty: ir.Type) -> str:
        t = self.sp.go_type(ty)
        head = f"func(r2g_b []byte, r2g_at, r2g_cur int, r2g_v *{t}) int"
        match ty:
            case ir.Prim(name):
                return f"r2g_shm_wr_{name}"
            case ir.EnumT(name):
                rep = self.program.enum(name).repr
                return f"{head} {{ r2g_x := {GO_PRIMITIVE[rep]}(*r2g_v); return r2g_shm_wr_{rep}(r2g_b, r2g_at, r2g_cur, &r2g_x) }}"
            case ir.Str():
                return "r2g_shm_wr_str"
            case ir.Vec(elem):
                return (f"{head} {{ return r2g_shm_wr_list(r2g_b, r2g_at, r2g_cur, *r2g_v, {self.ref_size(elem)}, "
                        f"{self.writer(elem)}) }}")  # fmt: skip
            case ir.Opt(inner):
                return (f"{head} {{ return r2g_shm_wr_list(r2g_b, r2g_at, r2g_cur, r2g_shm_opt_list(*r2g_v), "
                        f"{self.ref_size(inner)}, {self.writer(inner)}) }}")  # fmt: skip
            case ir.Map(_, k, v):
                return (f"{head} {{ r2g_ks, r2g_vs := r2g_shm_map_lists(*r2g_v); r2g_cur = r2g_shm_wr_list(r2g_b, r2g_at, r2g_cur, r2g_ks, "
                        f"{self.ref_size(k)}, {self.writer(k)}); return r2g_shm_wr_list(r2g_b, r2g_at+16, r2g_cur, r2g_vs, "
                        f"{self.ref_size(v)}, {self.writer(v)}) }}")  # fmt: skip
            case ir.StructT(name):
                return struct_fn("wr", name)
        raise TypeError(ty)


def struct_fn(kind: str, name: str) -> str:
    """The codec function (`kind`: rd, sz, wr) of IDL struct `name`. The `_s_` keeps it
    apart from the fixed helpers (`r2g_shm_rd_list`, `r2g_shm_sz_str`, ...) whatever the
    struct is called."""
    return f"r2g_shm_{kind}_s_{name}"


@dataclass
class GoCodecField:
    name: str
    offset: int
    reader: str
    sizer: str
    writer: str


@dataclass
class GoCodecStruct:
    name: str
    fields: list[GoCodecField]

    @property
    def reader(self) -> str:
        return struct_fn("rd", self.name)

    @property
    def sizer(self) -> str:
        return struct_fn("sz", self.name)

    @property
    def writer(self) -> str:
        return struct_fn("wr", self.name)


@dataclass
class GoShmParam:
    name: str  # the IDL's, in the interface
    local: str  # the handler's variable
    go_type: str  # as the interface method takes it
    reader: str
    offset: int
    call_arg: str


@dataclass
class GoShmMethod:
    name: str
    id: int
    params: list[GoShmParam]
    iface_ret: str
    has_ret: bool
    is_result: bool
    ret_sizer: str
    ret_writer: str
    ret_head: int  # reply block rounded to 8: where children start
    # An owned argument views the request bytes, so the handler is given that copy for
    # good (never reused). A borrowed (`&T`) one is lent for the call, as in the Rust
    # signature and as cgo lends Rust memory: its copy is reused, so the call allocates
    # nothing for it.
    keeps: bool


@dataclass
class GoShmTrait:
    name: str
    iface: str
    serve_symbol: str
    stop_symbol: str
    methods: list[GoShmMethod]
    contract: tuple[str, str]  # literals: hash, IDL file name


@dataclass
class GoShm:
    structs: list[GoCodecStruct]
    traits: list[GoShmTrait]


def _method(codec: GoCodec, m: ir.Method) -> GoShmMethod:
    sp = codec.sp
    offsets = {mem.name: mem.offset for mem in params_block(sp.layouts, m).members}
    params = []
    for p in m.params:
        # Same convention as the cgo interface (lower/go.py): by pointer unless
        # #[go_pass_struct]; an Option is a pointer already.
        by_pointer = not m.go_pass_struct and not isinstance(p.ty, ir.Opt)
        local = go_param(p.name, sp.program)  # the handler's own names start with r2g_
        params.append(GoShmParam(p.name, local, ("*" if by_pointer else "") + sp.go_type(p.ty),
                                 codec.reader(p.ty), offsets[p.name],
                                 ("&" if by_pointer else "") + local))  # fmt: skip
    ret = m.ret
    iface_ret = sp.iface_ret(ret)
    return GoShmMethod(
        name=m.name,
        id=method_id(m),
        params=params,
        iface_ret=iface_ret,
        has_ret=ret is not None,
        is_result=bool(ret and ret.is_result),
        ret_sizer=codec.sizer(ret.ty) if ret else "",
        ret_writer=codec.writer(ret.ty) if ret else "",
        ret_head=round8(reply_block(sp.layouts, m).size),
        keeps=any(not p.by_ref and _views(codec.program, p.ty, set()) for p in m.params),
    )


def _views(program: ir.Program, ty: ir.Type, seen: set[str]) -> bool:
    """Whether a value of `ty` read by GoCodec.reader holds a view of the payload bytes."""
    match ty:
        case ir.Str():
            return True
        case ir.Vec(ir.Prim(p)) if p in VIEWABLE:
            return True
        case ir.Vec(inner) | ir.Opt(inner):
            return _views(program, inner, seen)
        case ir.Map(_, k, v):
            return _views(program, k, seen) or _views(program, v, seen)
        case ir.StructT(name) if name not in seen:
            seen.add(name)
            return any(_views(program, f.ty, seen) for f in program.struct(name).fields)
    return False


def lower_go_shm(program: ir.Program) -> GoShm:
    codec = GoCodec(program)
    layouts = codec.sp.layouts
    structs = []
    for s in program.structs:
        offsets = {fl.name: fl.offset for fl in layouts.struct(s.name).fields}
        structs.append(GoCodecStruct(s.name, [
            GoCodecField(f.name, offsets[f.name], codec.reader(f.ty), codec.sizer(f.ty),
                         codec.writer(f.ty))
            for f in s.fields
        ]))  # fmt: skip
    traits = [
        GoShmTrait(t.name, client_name(t), serve_symbol(program, t), stop_symbol(program, t),
                   [_method(codec, m) for m in t.methods if m.shm], literals(program, t))
        for t in program.r2g_traits()
        if any(m.shm for m in t.methods)
    ]  # fmt: skip
    return GoShm(structs, traits)


@dataclass
class GoServer:
    """`--go-server`'s main: each shm trait served on a segment named on the command line."""

    banner: str
    package: str
    traits: list[str]
    usage: str


def lower_go_server(program: ir.Program, banner: str, package: str) -> GoServer:
    traits = [t.name for t in program.r2g_traits() if any(m.shm for m in t.methods)]
    segments = " ".join(f"/r2g-<{t.lower()} segment>" for t in traits)
    usage = f"server [-slots N -request-capacity B -response-capacity B] {segments}"
    return GoServer(banner, package, traits, usage)
