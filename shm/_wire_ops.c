/* Argument helpers, the raw ring ops (push, pop, is_empty, notify, check) and the batch
 * drain shared by the caller and the callee. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>

#include "_wire.h"

/* -- argument helpers --------------------------------------------------------------- */

int
held_ok(Wire *w)
{
    if (!w->held) {
        PyErr_SetString(PyExc_ValueError, "Wire is released");
        return 0;
    }
    return 1;
}

int
args_u32(PyObject *const *args, Py_ssize_t n, uint32_t *out)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned long v = PyLong_AsUnsignedLong(args[i]);
        if (v == (unsigned long)-1 && PyErr_Occurred())
            return 0;
        if (v > UINT32_MAX) {
            PyErr_SetString(PyExc_ValueError, "value does not fit in u32");
            return 0;
        }
        out[i] = (uint32_t)v;
    }
    return 1;
}

int
ring_arg(PyObject *o, int *r)
{
    long v = PyLong_AsLong(o);
    if (v == -1 && PyErr_Occurred())
        return 0;
    if (v < 0 || v >= NRINGS) {
        PyErr_Format(PyExc_ValueError, "ring index %ld is not 0 (request) or 1 (completion)", v);
        return 0;
    }
    *r = (int)v;
    return 1;
}

int
nargs_between(Py_ssize_t nargs, Py_ssize_t lo, Py_ssize_t hi, const char *name)
{
    if (nargs < lo || nargs > hi) {
        PyErr_Format(PyExc_TypeError, "%s() takes %zd to %zd arguments (%zd given)", name, lo, hi, nargs);
        return 0;
    }
    return 1;
}

static PyObject *
cell_tuple(const uint32_t b[CELL_WORDS])
{
    return Py_BuildValue("(kkkkkk)", (unsigned long)b[0], (unsigned long)b[1], (unsigned long)b[2],
                         (unsigned long)b[3], (unsigned long)b[4], (unsigned long)b[5]);
}

/* The arguments (slot, gen, method, kind | status, payload) of submit (r = 0: kind, the
 * request area) and answer (r = 1: status, the response area): fills o's cell body and
 * holds the payload's buffer in o->p until push_outgoing. A long payload is copied into
 * the slot's area here, and o->check is the check of the writer's own bytes, never of the
 * shared copy (a third party's change there must not be signed); a short one travels in
 * the cell, copied and checked by push_outgoing, and the area is not touched. */
int
write_payload(Wire *w, const char *name, int r, PyObject *const *args, Py_ssize_t nargs, Outgoing *o)
{
    uint32_t a[4];
    if (!nargs_between(nargs, 5, 5, name) || !held_ok(w) || !args_u32(args, 4, a))
        return 0;
    if (a[0] >= w->slot_count) {
        PyErr_Format(PyExc_ValueError, "slot %u >= slot_count %u", a[0], w->slot_count);
        return 0;
    }
    uint32_t cap = r == 0 ? w->req_cap : w->resp_cap;
    if (PyObject_GetBuffer(args[4], &o->p, PyBUF_SIMPLE) < 0)
        return 0;
    if (o->p.len > (Py_ssize_t)cap) {
        PyErr_Format(PyExc_ValueError, "%s of %zd bytes exceeds %s %u", r == 0 ? "request" : "reply",
                     o->p.len, r == 0 ? "request_capacity" : "response_capacity", cap);
        PyBuffer_Release(&o->p);
        return 0;
    }
    uint32_t fields[CELL_WORDS] = {a[0], a[1], a[2], (uint32_t)o->p.len, r == 0 ? a[3] : w->k_reply,
                                   r == 0 ? 0 : a[3]};
    memcpy(o->body, fields, sizeof fields);
    if (fields[CELL_LENGTH] > w->inline_max) {
        char *dst = w->mem + w->payload + (Py_ssize_t)a[0] * w->stride + (r == 0 ? 0 : w->response_area);
        o->check = wire_copy_check64(w, o->body, dst, o->p.buf, (size_t)o->p.len);
    }
    return 1;
}

/* Push o's cell into ring r (a short payload is copied into the cell and checked in the
 * same pass) and release o's buffer: ring_push's result. */
int
push_outgoing(Wire *w, int r, Outgoing *o)
{
    int is_inline = o->body[CELL_LENGTH] <= w->inline_max;
    int got = ring_push(w, r, o->body, is_inline ? o->p.buf : NULL, is_inline ? NULL : &o->check);
    PyBuffer_Release(&o->p);
    return got;
}

/* -- generic ring ops ------------------------------------------------------------------ */

/* The area a long payload of the cell lives in (the request area for requests, the
 * response area for replies), or NULL when the cell names no slot or overruns the area's
 * capacity. */
const char *
cell_area(Wire *w, const uint32_t b[CELL_WORDS])
{
    uint32_t slot = b[CELL_SLOT], len = b[CELL_LENGTH];
    if (slot >= w->slot_count)
        return NULL;
    const char *req = w->mem + w->payload + (Py_ssize_t)slot * w->stride;
    if (b[CELL_KIND] == w->k_reply)
        return len <= w->resp_cap ? req + w->response_area : NULL;
    return len <= w->req_cap ? req : NULL;
}

/* Whether a cell popped from ring r is one its consumer may take the payload of: it names
 * a slot, its kind belongs to the ring (CALL/ONEWAY requests, REPLY completions) and its
 * length fits that kind's area (so an inline one fits the cell too). */
int
cell_in_range(Wire *w, int r, const uint32_t b[CELL_WORDS])
{
    uint32_t kind = b[CELL_KIND];
    int kind_ok = r == 0 ? kind == w->k_call || kind == w->k_oneway : kind == w->k_reply;
    return b[CELL_SLOT] < w->slot_count && kind_ok
           && b[CELL_LENGTH] <= (r == 0 ? w->req_cap : w->resp_cap);
}

/* push(ring, slot, gen, method, length, kind[, status[, check[, payload]]]): a raw cell.
 * A cell of length <= CELL_INLINE_MAX carries its payload inline: `payload` (exactly
 * `length` bytes) is copied into the cell; without it (or None) the cell's inline bytes
 * stay as they are. Without `check` (or None) it is computed over the payload where the
 * cell announces it: those inline bytes, or the slot's area for a longer cell (cells built
 * by hand, e.g. in tests); a long cell naming no slot gets the check of an empty payload. */
PyObject *
w_push(Wire *w, PyObject *const *args, Py_ssize_t nargs)
{
    int r;
    uint32_t body[CELL_WORDS] = {0};
    uint64_t check;
    const uint64_t *given = NULL;
    Py_buffer p = {0};
    int with_payload = nargs == 9 && args[8] != Py_None;
    if (!nargs_between(nargs, 6, 9, "push") || !held_ok(w) || !ring_arg(args[0], &r)
        || !args_u32(args + 1, nargs > 7 ? 6 : nargs - 1, body))
        return NULL;
    if (nargs >= 8 && args[7] != Py_None) {
        check = PyLong_AsUnsignedLongLong(args[7]);
        if (check == (uint64_t)-1 && PyErr_Occurred())
            return NULL;
        given = &check;
    }
    if (with_payload) {
        if (PyObject_GetBuffer(args[8], &p, PyBUF_SIMPLE) < 0)
            return NULL;
        if (body[CELL_LENGTH] > w->inline_max || p.len != (Py_ssize_t)body[CELL_LENGTH]) {
            PyErr_Format(PyExc_ValueError, "push: a payload of %zd bytes for a cell of length %u; "
                         "only a cell of length <= %u carries one, of exactly that length",
                         p.len, body[CELL_LENGTH], w->inline_max);
            PyBuffer_Release(&p);
            return NULL;
        }
    } else if (given == NULL && body[CELL_LENGTH] > w->inline_max) {
        const char *area = cell_area(w, body);
        check = wire_check64(w, body, area, area == NULL ? 0 : body[CELL_LENGTH]);
        given = &check;
    }
    int got = ring_push(w, r, body, with_payload ? p.buf : NULL, given);
    if (with_payload)
        PyBuffer_Release(&p);
    return got < 0 ? NULL : PyBool_FromLong(got);
}

/* check(slot, gen, method, kind, status, payload) -> check64 of that cell (length = len(payload)). */
PyObject *
w_check(Wire *w, PyObject *const *args, Py_ssize_t nargs)
{
    uint32_t a[5];
    Py_buffer p;
    if (!nargs_between(nargs, 6, 6, "check") || !args_u32(args, 5, a))
        return NULL;
    if (PyObject_GetBuffer(args[5], &p, PyBUF_SIMPLE) < 0)
        return NULL;
    if ((size_t)p.len > UINT32_MAX) {
        PyBuffer_Release(&p);
        PyErr_SetString(PyExc_ValueError, "payload longer than a cell's u32 length");
        return NULL;
    }
    uint32_t body[CELL_WORDS] = {a[0], a[1], a[2], (uint32_t)p.len, a[3], a[4]};
    uint64_t check = wire_check64(w, body, p.buf, (size_t)p.len);
    PyBuffer_Release(&p);
    return PyLong_FromUnsignedLongLong(check);
}

PyObject *
w_pop(Wire *w, PyObject *const *args, Py_ssize_t nargs)
{
    int r;
    uint32_t body[CELL_WORDS];
    if (!nargs_between(nargs, 1, 1, "pop") || !held_ok(w) || !ring_arg(args[0], &r))
        return NULL;
    int got = ring_pop(w, r, body, NULL);
    if (got < 0)
        return NULL;
    if (got == 0)
        Py_RETURN_NONE;
    return cell_tuple(body);
}

PyObject *
w_is_empty(Wire *w, PyObject *const *args, Py_ssize_t nargs)
{
    int r;
    if (!nargs_between(nargs, 1, 1, "is_empty") || !held_ok(w) || !ring_arg(args[0], &r))
        return NULL;
    return PyBool_FromLong(ring_is_empty(w, r));
}

PyObject *
w_notify(Wire *w, PyObject *const *args, Py_ssize_t nargs)
{
    long side;
    if (!nargs_between(nargs, 1, 1, "notify") || !held_ok(w))
        return NULL;
    side = PyLong_AsLong(args[0]);
    if (side == -1 && PyErr_Occurred())
        return NULL;
    if (side < 0 || side >= NSIDES) {
        PyErr_Format(PyExc_ValueError, "side %ld is not 0 (callee) or 1 (caller)", side);
        return NULL;
    }
    return PyBool_FromLong(bell_owed(w, (int)side));
}

/* Pop up to max cells of ring r into a new list, one item per cell built by `item`. A
 * short payload is copied out of the cell (and checked in that pass) before the cell is
 * released, when the cell is in range for it; item_of compares the check. */
PyObject *
drain(Wire *w, int r, PyObject *max_obj, ItemFn item_of)
{
    uint32_t b[CELL_WORDS];
    uint64_t check;
    Taken t;
    Py_ssize_t max = PyLong_AsSsize_t(max_obj);
    if (max == -1 && PyErr_Occurred())
        return NULL;
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t n = 0; n < max; n++) {
        int got = ring_take(w, r, b, &check, &t);
        if (got <= 0) {
            if (got == 0)
                break;
            Py_DECREF(out);
            return NULL;
        }
        Copied c = {NULL, 0};
        int is_inline = b[CELL_LENGTH] <= w->inline_max && cell_in_range(w, r, b);
        if (is_inline) {
            c.copy = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)b[CELL_LENGTH]);
            if (c.copy != NULL)
                c.sum = wire_copy_check64(w, b, PyBytes_AS_STRING(c.copy), t.cell + w->c_inline,
                                          b[CELL_LENGTH]);
        }
        ring_release(w, r, &t);
        PyObject *item = is_inline && c.copy == NULL ? NULL : item_of(w, b, check, &c);
        if (item == NULL || PyList_Append(out, item) < 0) {
            Py_XDECREF(item);
            Py_DECREF(out);
            return NULL;
        }
        Py_DECREF(item);
    }
    return out;
}

/* The payload of a popped cell in range (cell_in_range), verified against the cell's
 * check: a short one is c's copy, a long one is copied out of the slot's area (checked in
 * that pass) here. 1 with *out the copy (bytes), 0 with *out a message naming the
 * mismatch, -1 on error; c's copy is consumed. The copy is what the reader decodes, so a
 * byte changed after the check cannot reach it. */
int
payload_verified(Wire *w, int r, const uint32_t b[CELL_WORDS], uint64_t check, Copied *c,
                 PyObject **out)
{
    PyObject *copy = c->copy;
    uint64_t got = c->sum;
    c->copy = NULL;
    if (b[CELL_LENGTH] > w->inline_max) {
        copy = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)b[CELL_LENGTH]);
        if (copy == NULL)
            return -1;
        got = wire_copy_check64(w, b, PyBytes_AS_STRING(copy), cell_area(w, b), b[CELL_LENGTH]);
    }
    if (got == check) {
        *out = copy;
        return 1;
    }
    Py_DECREF(copy);
    char hex[2][19];
    snprintf(hex[0], sizeof hex[0], "0x%016llx", (unsigned long long)check);
    snprintf(hex[1], sizeof hex[1], "0x%016llx", (unsigned long long)got);
    *out = PyUnicode_FromFormat(
        "%s cell.check=%s does not match slot %lu's cell and %s (check64 %s): changed in shared "
        "memory by someone other than its writer", w->ring[r].name, hex[0], (unsigned long)b[CELL_SLOT],
        r == 0 ? "request" : "reply", hex[1]);
    return *out == NULL ? -1 : 0;
}
