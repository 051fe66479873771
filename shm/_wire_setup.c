/* The Wire type: reading and checking the spec, set-up, the method table, registration. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "_wire.h"

/* -- set-up ------------------------------------------------------------------------- */

static PyObject * /* borrowed */
spec_item(PyObject *spec, const char *key)
{
    PyObject *v = PyDict_GetItemString(spec, key);
    if (v == NULL)
        PyErr_Format(PyExc_KeyError, "Wire spec has no %s", key);
    return v;
}

static int
spec_get(PyObject *spec, const char *key, Py_ssize_t *out)
{
    PyObject *v = spec_item(spec, key);
    if (v == NULL)
        return 0;
    *out = PyLong_AsSsize_t(v);
    if (*out == -1 && PyErr_Occurred())
        return 0;
    if (*out < 0) {
        PyErr_Format(PyExc_ValueError, "Wire spec %s=%zd is negative", key, *out);
        return 0;
    }
    return 1;
}

static int
spec_u32(PyObject *spec, const char *key, uint32_t *out)
{
    Py_ssize_t v;
    if (!spec_get(spec, key, &v))
        return 0;
    if ((size_t)v > UINT32_MAX) {
        PyErr_Format(PyExc_ValueError, "Wire spec %s=%zd does not fit in u32", key, v);
        return 0;
    }
    *out = (uint32_t)v;
    return 1;
}

static int
region_ok(Wire *w, const char *what, Py_ssize_t off, Py_ssize_t size, Py_ssize_t align)
{
    if (off < 0 || size < 0 || off > w->view.len - size || off % align != 0) {
        PyErr_Format(PyExc_ValueError, "Wire: %s at %zd (+%zd bytes, %zd-aligned) is outside "
                     "the %zd-byte buffer or misaligned", what, off, size, align, w->view.len);
        return 0;
    }
    return 1;
}

static int
spec_u64(PyObject *spec, const char *key, uint64_t *out)
{
    PyObject *v = spec_item(spec, key);
    if (v == NULL)
        return 0;
    unsigned long long u = PyLong_AsUnsignedLongLong(v);
    if (u == (unsigned long long)-1 && PyErr_Occurred())
        return 0;
    *out = (uint64_t)u;
    return 1;
}

static int
field_ok(const char *what, Py_ssize_t off, Py_ssize_t width, Py_ssize_t record)
{
    if (off % width != 0 || off > record - width) {
        PyErr_Format(PyExc_ValueError, "Wire: %s at %zd does not fit its %zd-byte record",
                     what, off, record);
        return 0;
    }
    return 1;
}

static int
wire_read_spec(Wire *w, PyObject *spec)
{
    static const char *const ring_keys[NRINGS][3] = {
        {"request_ring_offset", "request_ring_capacity", "request_ring"},
        {"completion_ring_offset", "completion_ring_capacity", "completion_ring"},
    };
    Py_ssize_t ring_header, cap, v, lanes, rot;
    if (!spec_get(spec, "ring_enqueue_pos", &w->enq) || !spec_get(spec, "ring_dequeue_pos", &w->deq)
        || !spec_get(spec, "ring_header_size", &ring_header) || !spec_get(spec, "cell_size", &w->cell_size)
        || !spec_get(spec, "cell_seq", &w->c_seq) || !spec_get(spec, "cell_slot", &w->c_slot)
        || !spec_get(spec, "cell_generation", &w->c_gen) || !spec_get(spec, "cell_method", &w->c_method)
        || !spec_get(spec, "cell_length", &w->c_length) || !spec_get(spec, "cell_kind", &w->c_kind)
        || !spec_get(spec, "cell_status", &w->c_status) || !spec_get(spec, "cell_check", &w->c_check)
        || !spec_get(spec, "cell_inline", &w->c_inline) || !spec_u32(spec, "cell_inline_max", &w->inline_max)
        || !spec_get(spec, "slot_table_offset", &w->slot_table) || !spec_get(spec, "slot_record_size", &w->slot_size)
        || !spec_get(spec, "slot_word", &w->slot_word) || !spec_get(spec, "payload_offset", &w->payload)
        || !spec_get(spec, "payload_stride", &w->stride) || !spec_get(spec, "response_area", &w->response_area)
        || !spec_get(spec, "callee_parked", &w->parked[0]) || !spec_get(spec, "caller_parked", &w->parked[1])
        || !spec_u32(spec, "slot_count", &w->slot_count) || !spec_u32(spec, "request_capacity", &w->req_cap)
        || !spec_u32(spec, "response_capacity", &w->resp_cap)
        || !spec_u32(spec, "slot_free", &w->st_free) || !spec_u32(spec, "slot_abandoned", &w->st_abandoned)
        || !spec_u32(spec, "kind_call", &w->k_call)
        || !spec_u32(spec, "kind_oneway", &w->k_oneway) || !spec_u32(spec, "kind_reply", &w->k_reply)
        || !spec_u32(spec, "status_abandoned", &w->s_abandoned)
        || !spec_u64(spec, "check_k1", &w->check_k1) || !spec_u64(spec, "check_k2", &w->check_k2)
        || !spec_u64(spec, "check_k3", &w->check_k3) || !spec_get(spec, "check_rot", &rot)
        || !spec_get(spec, "check_lanes", &lanes))
        return 0;
    if (lanes != 4 || rot < 1 || rot > 63) {
        PyErr_Format(PyExc_ValueError, "Wire: check64 with %zd lanes and rotation %zd; this build "
                     "computes 4 lanes and a rotation in 1..63", lanes, rot);
        return 0;
    }
    w->check_rot = (unsigned)rot;
    if (!field_ok("ring.enqueue_pos", w->enq, 8, ring_header) || !field_ok("ring.dequeue_pos", w->deq, 8, ring_header)
        || !field_ok("cell.seq", w->c_seq, 8, w->cell_size) || !field_ok("cell.slot", w->c_slot, 4, w->cell_size)
        || !field_ok("cell.generation", w->c_gen, 4, w->cell_size)
        || !field_ok("cell.method", w->c_method, 4, w->cell_size)
        || !field_ok("cell.length", w->c_length, 4, w->cell_size)
        || !field_ok("cell.kind", w->c_kind, 4, w->cell_size)
        || !field_ok("cell.status", w->c_status, 4, w->cell_size)
        || !field_ok("cell.check", w->c_check, 8, w->cell_size)
        || !field_ok("cell.inline", w->c_inline, 8, w->cell_size)
        || !field_ok("slot word", w->slot_word, 8, w->slot_size))
        return 0;
    if ((Py_ssize_t)w->inline_max > w->cell_size - w->c_inline) {
        PyErr_Format(PyExc_ValueError, "Wire: cell_inline_max=%u bytes at cell.inline=%zd do not fit "
                     "the %zd-byte cell", w->inline_max, w->c_inline, w->cell_size);
        return 0;
    }
    if (w->response_area < (Py_ssize_t)w->req_cap || w->response_area > w->stride - (Py_ssize_t)w->resp_cap) {
        PyErr_Format(PyExc_ValueError, "Wire: response_area=%zd does not fit between the request "
                     "area (%u) and payload_stride=%zd", w->response_area, w->req_cap, w->stride);
        return 0;
    }
    if (w->slot_count == 0 || w->cell_size % 8 || w->slot_size % 8) {
        PyErr_SetString(PyExc_ValueError, "Wire: slot_count must be >= 1, cell and slot sizes 8-aligned");
        return 0;
    }
    for (int r = 0; r < NRINGS; r++) {
        if (!spec_get(spec, ring_keys[r][0], &v) || !spec_get(spec, ring_keys[r][1], &cap))
            return 0;
        if (cap < 2 || (cap & (cap - 1)) || cap > (PY_SSIZE_T_MAX - ring_header) / w->cell_size) {
            PyErr_Format(PyExc_ValueError, "Wire: %s=%zd is not a power of two >= 2", ring_keys[r][1], cap);
            return 0;
        }
        if (!region_ok(w, ring_keys[r][2], v, ring_header + cap * w->cell_size, 64))
            return 0;
        w->ring[r] = (RingGeo){v, v + ring_header, (uint64_t)cap - 1, (uint64_t)cap, ring_keys[r][2]};
    }
    if (!region_ok(w, "slot table", w->slot_table, (Py_ssize_t)w->slot_count * w->slot_size, 8)
        || !region_ok(w, "payload areas", w->payload, (Py_ssize_t)w->slot_count * w->stride, 1)
        || !region_ok(w, "callee_parked", w->parked[0], 4, 4) || !region_ok(w, "caller_parked", w->parked[1], 4, 4))
        return 0;
    return 1;
}

static int
wire_init(Wire *w, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"buffer", "spec", "layout_error", NULL};
    PyObject *obj, *spec, *err;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO!O", kwlist, &obj, &PyDict_Type, &spec, &err))
        return -1;
    if (w->held) {
        PyErr_SetString(PyExc_RuntimeError, "Wire already initialised");
        return -1;
    }
    if (!PyExceptionClass_Check(err)) {
        PyErr_SetString(PyExc_TypeError, "layout_error must be an exception class");
        return -1;
    }
    if (PyObject_GetBuffer(obj, &w->view, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) < 0)
        return -1;
    w->held = 1;
    w->mem = (char *)w->view.buf;
    if (((uintptr_t)w->mem) % 64 != 0) {
        PyErr_SetString(PyExc_ValueError, "Wire: buffer is not 64-byte aligned");
        return -1;
    }
    if (!wire_read_spec(w, spec))
        return -1;
    Py_INCREF(err);
    w->layout_error = err;
    return 0;
}

static PyObject *
wire_release(Wire *w, PyObject *Py_UNUSED(ignored))
{
    if (w->held) {
        w->held = 0;
        PyBuffer_Release(&w->view);
    }
    Py_RETURN_NONE;
}

static void
wire_dealloc(Wire *w)
{
    if (w->held)
        PyBuffer_Release(&w->view);
    Py_XDECREF(w->layout_error);
    Py_TYPE(w)->tp_free((PyObject *)w);
}

#define FAST(name, doc) {#name, (PyCFunction)(void (*)(void))w_##name, METH_FASTCALL, doc}

static PyMethodDef wire_methods[] = {
    FAST(push, "push(ring, slot, gen, method, length, kind[, status[, check[, payload]]]) -> bool (False: full)"),
    FAST(check, "check(slot, gen, method, kind, status, payload) -> check64 of that cell"),
    FAST(pop, "pop(ring) -> (slot, gen, method, length, kind, status) | None"),
    FAST(is_empty, "is_empty(ring) -> bool"),
    FAST(notify, "notify(side) -> bool: fence; clear the side's parked flag; True if a post is owed"),
    FAST(submit, "submit(slot, gen, method, kind, payload) -> 0 full | 1 pushed | 2 pushed, post callee"),
    FAST(submit_many, "submit_many(method, kind, slots, gens, payloads, offset) -> (pushed, post callee)"),
    FAST(take_completions, "take_completions(max) -> [(slot, gen, status, data | None | violation message)]"),
    FAST(free, "free(slot, gen): store-release (gen, FREE)"),
    FAST(take_requests, "take_requests(max) -> [(verdict, slot, gen, method, kind, payload | None)]"),
    FAST(answer, "answer(slot, gen, method, status, reply) -> ANSWER_* flags"),
    {"release", (PyCFunction)wire_release, METH_NOARGS, "drop the buffer; later ops raise ValueError"},
    {NULL, NULL, 0, NULL},
};

PyTypeObject WireType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "rust2go.shm._atomics.Wire",
    .tp_doc = "Wire(buffer, spec, layout_error): the call hot path of one segment (see shm/hotpath.py)",
    .tp_basicsize = sizeof(Wire),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)wire_init,
    .tp_dealloc = (destructor)wire_dealloc,
    .tp_methods = wire_methods,
};

int
wire_register(PyObject *m)
{
    if (PyType_Ready(&WireType) < 0)
        return -1;
    Py_INCREF(&WireType);
    if (PyModule_AddObject(m, "Wire", (PyObject *)&WireType) < 0) {
        Py_DECREF(&WireType);
        return -1;
    }
    if (PyModule_AddIntConstant(m, "TAKE_OK", TAKE_OK) < 0
        || PyModule_AddIntConstant(m, "TAKE_ABANDONED", TAKE_ABANDONED) < 0
        || PyModule_AddIntConstant(m, "TAKE_NO_SLOT", TAKE_NO_SLOT) < 0
        || PyModule_AddIntConstant(m, "TAKE_MALFORMED", TAKE_MALFORMED) < 0
        || PyModule_AddIntConstant(m, "TAKE_CORRUPT", TAKE_CORRUPT) < 0
        || PyModule_AddIntConstant(m, "ANSWER_DROPPED", ANSWER_DROPPED) < 0
        || PyModule_AddIntConstant(m, "ANSWER_POST", ANSWER_POST) < 0
        || PyModule_AddIntConstant(m, "ANSWER_FULL", ANSWER_FULL) < 0)
        return -1;
    return 0;
}
