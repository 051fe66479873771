/* rust2go.shm._atomics: real atomic operations on words inside a writable buffer
 * (an mmap of a POSIX shared-memory segment), for the Python peer of the shm layout.
 *
 * Why a C extension: the PyPI `atomics` package costs 13-23 us per op and ctypes
 * 0.5-0.8 us; an AtomicView method called with METH_FASTCALL costs a few tens of ns.
 *
 * An AtomicView holds a Py_buffer for its lifetime (so the mmap cannot be closed or
 * resized under it) until release() is called. Every op checks offset, alignment
 * and bounds and raises ValueError instead of touching memory outside the buffer.
 *
 * Memory orders (the contract the Rust and Go peers mirror):
 *   load_*      acquire          store_*     release
 *   cas_*, exchange_*, fetch_add_*           sequentially consistent
 *   fence()                                  sequentially consistent thread fence
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdatomic.h>
#include <stdint.h>

#include "_wire.h"

typedef struct {
    PyObject_HEAD
    Py_buffer view;
    int held;
} AtomicView;

/* Resolve `off` to an aligned address of `width` bytes inside the view, or raise. */
static void *
word_at(AtomicView *self, PyObject *off_obj, Py_ssize_t width)
{
    if (!self->held) {
        PyErr_SetString(PyExc_ValueError, "AtomicView is released");
        return NULL;
    }
    Py_ssize_t off = PyLong_AsSsize_t(off_obj);
    if (off == -1 && PyErr_Occurred())
        return NULL;
    if (off < 0 || off > self->view.len - width) {
        PyErr_Format(PyExc_ValueError, "offset %zd out of bounds for %zd-byte word in %zd-byte buffer",
                     off, width, self->view.len);
        return NULL;
    }
    char *p = (char *)self->view.buf + off;
    if (((uintptr_t)p) % (uintptr_t)width != 0) {
        PyErr_Format(PyExc_ValueError, "offset %zd is not %zd-byte aligned", off, width);
        return NULL;
    }
    return p;
}

static int
nargs_ok(Py_ssize_t nargs, Py_ssize_t want, const char *name)
{
    if (nargs != want) {
        PyErr_Format(PyExc_TypeError, "%s() takes %zd arguments (%zd given)", name, want, nargs);
        return 0;
    }
    return 1;
}

static int
as_u32(PyObject *o, uint32_t *out)
{
    unsigned long long v = PyLong_AsUnsignedLongLong(o);
    if (v == (unsigned long long)-1 && PyErr_Occurred())
        return 0;
    if (v > UINT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "value does not fit in u32");
        return 0;
    }
    *out = (uint32_t)v;
    return 1;
}

static int
as_u64(PyObject *o, uint64_t *out)
{
    unsigned long long v = PyLong_AsUnsignedLongLong(o);
    if (v == (unsigned long long)-1 && PyErr_Occurred())
        return 0;
    *out = (uint64_t)v;
    return 1;
}

/* fetch_add takes a signed delta so callers can decrement; arithmetic wraps. */
static int
as_delta(PyObject *o, uint64_t *out)
{
    long long v = PyLong_AsLongLong(o);
    if (v == -1 && PyErr_Occurred())
        return 0;
    *out = (uint64_t)v;
    return 1;
}

#define WORD(width, ctype)                                                     \
    ctype *w = (ctype *)word_at(self, args[0], width);                         \
    if (w == NULL)                                                             \
        return NULL;

static PyObject *
av_load_u32(AtomicView *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!nargs_ok(nargs, 1, "load_u32")) return NULL;
    WORD(4, _Atomic uint32_t)
    return PyLong_FromUnsignedLong(atomic_load_explicit(w, memory_order_acquire));
}

static PyObject *
av_load_u64(AtomicView *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!nargs_ok(nargs, 1, "load_u64")) return NULL;
    WORD(8, _Atomic uint64_t)
    return PyLong_FromUnsignedLongLong(atomic_load_explicit(w, memory_order_acquire));
}

static PyObject *
av_store_u32(AtomicView *self, PyObject *const *args, Py_ssize_t nargs)
{
    uint32_t v;
    if (!nargs_ok(nargs, 2, "store_u32")) return NULL;
    WORD(4, _Atomic uint32_t)
    if (!as_u32(args[1], &v)) return NULL;
    atomic_store_explicit(w, v, memory_order_release);
    Py_RETURN_NONE;
}

static PyObject *
av_store_u64(AtomicView *self, PyObject *const *args, Py_ssize_t nargs)
{
    uint64_t v;
    if (!nargs_ok(nargs, 2, "store_u64")) return NULL;
    WORD(8, _Atomic uint64_t)
    if (!as_u64(args[1], &v)) return NULL;
    atomic_store_explicit(w, v, memory_order_release);
    Py_RETURN_NONE;
}

static PyObject *
av_cas_u32(AtomicView *self, PyObject *const *args, Py_ssize_t nargs)
{
    uint32_t expected, desired;
    if (!nargs_ok(nargs, 3, "cas_u32")) return NULL;
    WORD(4, _Atomic uint32_t)
    if (!as_u32(args[1], &expected) || !as_u32(args[2], &desired)) return NULL;
    return PyBool_FromLong(atomic_compare_exchange_strong(w, &expected, desired));
}

static PyObject *
av_cas_u64(AtomicView *self, PyObject *const *args, Py_ssize_t nargs)
{
    uint64_t expected, desired;
    if (!nargs_ok(nargs, 3, "cas_u64")) return NULL;
    WORD(8, _Atomic uint64_t)
    if (!as_u64(args[1], &expected) || !as_u64(args[2], &desired)) return NULL;
    return PyBool_FromLong(atomic_compare_exchange_strong(w, &expected, desired));
}

static PyObject *
av_exchange_u32(AtomicView *self, PyObject *const *args, Py_ssize_t nargs)
{
    uint32_t v;
    if (!nargs_ok(nargs, 2, "exchange_u32")) return NULL;
    WORD(4, _Atomic uint32_t)
    if (!as_u32(args[1], &v)) return NULL;
    return PyLong_FromUnsignedLong(atomic_exchange(w, v));
}

static PyObject *
av_exchange_u64(AtomicView *self, PyObject *const *args, Py_ssize_t nargs)
{
    uint64_t v;
    if (!nargs_ok(nargs, 2, "exchange_u64")) return NULL;
    WORD(8, _Atomic uint64_t)
    if (!as_u64(args[1], &v)) return NULL;
    return PyLong_FromUnsignedLongLong(atomic_exchange(w, v));
}

static PyObject *
av_fetch_add_u32(AtomicView *self, PyObject *const *args, Py_ssize_t nargs)
{
    uint64_t d;
    if (!nargs_ok(nargs, 2, "fetch_add_u32")) return NULL;
    WORD(4, _Atomic uint32_t)
    if (!as_delta(args[1], &d)) return NULL;
    return PyLong_FromUnsignedLong(atomic_fetch_add(w, (uint32_t)d));
}

static PyObject *
av_fetch_add_u64(AtomicView *self, PyObject *const *args, Py_ssize_t nargs)
{
    uint64_t d;
    if (!nargs_ok(nargs, 2, "fetch_add_u64")) return NULL;
    WORD(8, _Atomic uint64_t)
    if (!as_delta(args[1], &d)) return NULL;
    return PyLong_FromUnsignedLongLong(atomic_fetch_add(w, d));
}

static PyObject *
av_release(AtomicView *self, PyObject *Py_UNUSED(ignored))
{
    if (self->held) {
        self->held = 0;
        PyBuffer_Release(&self->view);
    }
    Py_RETURN_NONE;
}

static PyObject *
av_get_len(AtomicView *self, void *Py_UNUSED(closure))
{
    return PyLong_FromSsize_t(self->held ? self->view.len : 0);
}

static int
av_init(AtomicView *self, PyObject *args, PyObject *kwds)
{
    PyObject *obj;
    static char *kwlist[] = {"buffer", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O", kwlist, &obj))
        return -1;
    if (self->held) {
        self->held = 0;
        PyBuffer_Release(&self->view);
    }
    if (PyObject_GetBuffer(obj, &self->view, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) < 0)
        return -1;
    self->held = 1;
    return 0;
}

static void
av_dealloc(AtomicView *self)
{
    if (self->held)
        PyBuffer_Release(&self->view);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *
mod_fence(PyObject *Py_UNUSED(m), PyObject *Py_UNUSED(ignored))
{
    atomic_thread_fence(memory_order_seq_cst);
    Py_RETURN_NONE;
}

#define FAST(name, doc) {#name, (PyCFunction)(void (*)(void))av_##name, METH_FASTCALL, doc}

static PyMethodDef av_methods[] = {
    FAST(load_u32, "load_u32(off) -> int: acquire load"),
    FAST(load_u64, "load_u64(off) -> int: acquire load"),
    FAST(store_u32, "store_u32(off, v): release store"),
    FAST(store_u64, "store_u64(off, v): release store"),
    FAST(cas_u32, "cas_u32(off, expected, desired) -> bool: seq_cst compare-and-swap"),
    FAST(cas_u64, "cas_u64(off, expected, desired) -> bool: seq_cst compare-and-swap"),
    FAST(exchange_u32, "exchange_u32(off, v) -> old: seq_cst swap"),
    FAST(exchange_u64, "exchange_u64(off, v) -> old: seq_cst swap"),
    FAST(fetch_add_u32, "fetch_add_u32(off, delta) -> old: seq_cst, wraps"),
    FAST(fetch_add_u64, "fetch_add_u64(off, delta) -> old: seq_cst, wraps"),
    {"release", (PyCFunction)av_release, METH_NOARGS, "drop the buffer; later ops raise ValueError"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef av_getset[] = {
    {"nbytes", (getter)av_get_len, NULL, "size of the viewed buffer (0 once released)", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject AtomicViewType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "rust2go.shm._atomics.AtomicView",
    .tp_doc = "AtomicView(buffer): atomic u32/u64 ops at byte offsets of a writable buffer",
    .tp_basicsize = sizeof(AtomicView),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)av_init,
    .tp_dealloc = (destructor)av_dealloc,
    .tp_methods = av_methods,
    .tp_getset = av_getset,
};

static PyMethodDef mod_methods[] = {
    {"fence", (PyCFunction)mod_fence, METH_NOARGS, "sequentially consistent thread fence"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef atomics_module = {
    PyModuleDef_HEAD_INIT, "_atomics",
    "Atomic load/store/CAS/exchange/fetch-add on shared-memory words.", -1, mod_methods,
};

PyMODINIT_FUNC
PyInit__atomics(void)
{
    if (PyType_Ready(&AtomicViewType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&atomics_module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&AtomicViewType);
    if (PyModule_AddObject(m, "AtomicView", (PyObject *)&AtomicViewType) < 0) {
        Py_DECREF(&AtomicViewType);
        Py_DECREF(m);
        return NULL;
    }
    if (wire_register(m) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
