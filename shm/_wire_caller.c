/* The caller's side of a call: submit a request, take completions, free a slot. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "_wire.h"

/* -- caller ------------------------------------------------------------------------------ */

/* submit(slot, gen, method, kind, payload) -> 0 ring full | 1 pushed | 2 pushed, post callee.
 * Writes a long request into the request area and pushes the request cell (a short request
 * is written into the cell); the slot word is not touched. On 0 nothing was pushed; the
 * caller retries submit (same gen) or puts the slot back. */
PyObject *
w_submit(Wire *w, PyObject *const *args, Py_ssize_t nargs)
{
    Outgoing o;
    if (!write_payload(w, "submit", 0, args, nargs, &o))
        return NULL;
    int got = push_outgoing(w, 0, &o);
    if (got < 0)
        return NULL;
    return PyLong_FromLong(got == 0 ? 0 : 1 + bell_owed(w, 0));
}


/* Everything submit_many's push loop relies on, checked before it publishes anything:
 * equal-length slot and gen lists, payloads[offset:] long enough, slots below
 * slot_count, u32 gens, payloads that are buffers within request_capacity. */
static int
batch_ok(Wire *w, PyObject *slots, PyObject *gens, PyObject *payloads, Py_ssize_t offset)
{
    if (!PyList_Check(slots) || !PyList_Check(gens) || !PyList_Check(payloads)) {
        PyErr_SetString(PyExc_TypeError, "submit_many: slots, gens and payloads must be lists");
        return 0;
    }
    Py_ssize_t n = PyList_GET_SIZE(slots);
    if (PyList_GET_SIZE(gens) != n || offset < 0 || offset > PyList_GET_SIZE(payloads) - n) {
        PyErr_Format(PyExc_ValueError, "submit_many: %zd slots, %zd gens, %zd payloads from offset %zd",
                     n, PyList_GET_SIZE(gens), PyList_GET_SIZE(payloads), offset);
        return 0;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        uint32_t a[2];
        Py_buffer p;
        PyObject *sg[2] = {PyList_GET_ITEM(slots, k), PyList_GET_ITEM(gens, k)};
        if (!args_u32(sg, 2, a))
            return 0;
        if (a[0] >= w->slot_count) {
            PyErr_Format(PyExc_ValueError, "submit_many: slots[%zd]=%u >= slot_count %u", k, a[0],
                         w->slot_count);
            return 0;
        }
        if (PyObject_GetBuffer(PyList_GET_ITEM(payloads, offset + k), &p, PyBUF_SIMPLE) < 0)
            return 0;
        Py_ssize_t len = p.len;
        PyBuffer_Release(&p);
        if (len > (Py_ssize_t)w->req_cap) {
            PyErr_Format(PyExc_ValueError, "submit_many: payloads[%zd] of %zd bytes exceeds "
                         "request_capacity %u", offset + k, len, w->req_cap);
            return 0;
        }
    }
    return 1;
}

/* submit_many(method, kind, slots, gens, payloads, offset) -> (pushed, post): submit of
 * payloads[offset + k] in slots[k] (generation gens[k]) for each k, in order, stopping at
 * the first full ring; that call's slot is freed again (gen, FREE), it and the ones after
 * it were never published. post: the callee was parked, post its semaphore (checked
 * once, after the last push: a callee that parked before it sees every cell pushed).
 * Bad arguments raise before anything is published; a corrupt ring raises after
 * `pushed` calls went in (the session is over then). */
PyObject *
w_submit_many(Wire *w, PyObject *const *args, Py_ssize_t nargs)
{
    Outgoing o;
    if (!nargs_between(nargs, 6, 6, "submit_many") || !held_ok(w))
        return NULL;
    PyObject *slots = args[2], *gens = args[3], *payloads = args[4];
    Py_ssize_t offset = PyLong_AsSsize_t(args[5]);
    if ((offset == -1 && PyErr_Occurred()) || !batch_ok(w, slots, gens, payloads, offset))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(slots), k = 0;
    for (; k < n; k++) {
        PyObject *one[5] = {PyList_GET_ITEM(slots, k), PyList_GET_ITEM(gens, k), args[0], args[1],
                            PyList_GET_ITEM(payloads, offset + k)};
        if (!write_payload(w, "submit_many", 0, one, 5, &o))
            return NULL;
        int got = push_outgoing(w, 0, &o);
        if (got <= 0) {
            if (got < 0)
                return NULL;
            break;
        }
    }
    return Py_BuildValue("(ni)", k, k > 0 && bell_owed(w, 0));
}

static PyObject *
completion_item(Wire *w, const uint32_t b[CELL_WORDS], uint64_t check, Copied *c)
{
    uint32_t slot = b[CELL_SLOT], gen = b[CELL_GEN], len = b[CELL_LENGTH], kind = b[CELL_KIND];
    PyObject *why, *data;
    if (cell_in_range(w, 1, b)) {
        int ok = payload_verified(w, 1, b, check, c, &data);
        if (ok < 0)
            return NULL;
        if (ok == 0)
            return Py_BuildValue("(kkiN)", (unsigned long)slot, (unsigned long)gen, -1, data);
        return Py_BuildValue("(kkkN)", (unsigned long)slot, (unsigned long)gen,
                             (unsigned long)b[CELL_STATUS], data);
    }
    if (slot >= w->slot_count)
        why = PyUnicode_FromFormat("completion_ring cell.slot=%lu is not below header.slot_count=%lu",
                                   (unsigned long)slot, (unsigned long)w->slot_count);
    else if (len > w->resp_cap)
        why = PyUnicode_FromFormat("completion_ring cell.length=%lu exceeds header.response_capacity=%lu",
                                   (unsigned long)len, (unsigned long)w->resp_cap);
    else
        why = PyUnicode_FromFormat("completion_ring cell.kind=%lu is not REPLY (%lu)",
                                   (unsigned long)kind, (unsigned long)w->k_reply);
    if (why == NULL)
        return NULL;
    return Py_BuildValue("(kkiN)", (unsigned long)slot, (unsigned long)gen, -1, why);
}

/* take_completions(max) -> [(slot, gen, status, data)]: pops up to max completion cells.
 * data is the reply (bytes, copied out of the cell or the response area; empty when the
 * callee sent none, e.g. status ABANDONED); status is -1 for a cell that breaks the protocol (slot
 * or length out of range, kind not REPLY, a check that does not match), and data is then
 * the message naming the field and value.
 * Slots are not freed here: the caller frees only completions that match a pending call. */
PyObject *
w_take_completions(Wire *w, PyObject *const *args, Py_ssize_t nargs)
{
    if (!nargs_between(nargs, 1, 1, "take_completions") || !held_ok(w))
        return NULL;
    return drain(w, 1, args[0], completion_item);
}

/* free(slot, gen): store-release (gen, FREE). */
PyObject *
w_free(Wire *w, PyObject *const *args, Py_ssize_t nargs)
{
    uint32_t a[2];
    if (!nargs_between(nargs, 2, 2, "free") || !held_ok(w) || !args_u32(args, 2, a))
        return NULL;
    if (a[0] >= w->slot_count) {
        PyErr_Format(PyExc_ValueError, "slot %u >= slot_count %u", a[0], w->slot_count);
        return NULL;
    }
    STORE(U64(slot_word_at(w, a[0])), word(a[1], w->st_free));
    Py_RETURN_NONE;
}
