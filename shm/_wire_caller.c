/* The caller's side of a call: submit a request, take completions, free a slot. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "_wire.h"

/* -- caller ------------------------------------------------------------------------------ */

/* submit(slot, gen, method, kind, payload) -> 0 ring full | 1 pushed | 2 pushed, post callee.
 * Writes the request area, store-releases (gen, PENDING), pushes the request cell. On 0
 * the slot stays published; the caller retries submit (same gen) or frees the slot. */
PyObject *
w_submit(Wire *w, PyObject *const *args, Py_ssize_t nargs)
{
    uint32_t body[CELL_WORDS];
    uint64_t check;
    if (!write_payload(w, "submit", 0, args, nargs, body, &check))
        return NULL;
    STORE(U64(slot_word_at(w, body[CELL_SLOT])), word(body[CELL_GEN], w->st_pending));
    int got = ring_push(w, 0, body, check);
    if (got < 0)
        return NULL;
    return PyLong_FromLong(got == 0 ? 0 : 1 + bell_owed(w, 0));
}


static PyObject *
completion_item(Wire *w, const uint32_t b[CELL_WORDS], uint64_t check)
{
    uint32_t slot = b[CELL_SLOT], gen = b[CELL_GEN], len = b[CELL_LENGTH], kind = b[CELL_KIND];
    PyObject *why, *data;
    if (slot < w->slot_count && len <= w->resp_cap && kind == w->k_reply) {
        const char *src = w->mem + w->payload + (Py_ssize_t)slot * w->stride + w->response_area;
        int ok = copy_verified(w, 1, b, check, src, &data);
        if (ok < 0)
            return NULL;
        if (ok == 0)
            return Py_BuildValue("(kkiN)", (unsigned long)slot, (unsigned long)gen, -1, data);
        if (LOAD(U64(slot_word_at(w, slot))) != word(gen, w->st_done)) {
            Py_DECREF(data);
            data = Py_NewRef(Py_None);
        }
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
 * data is the reply (bytes) when the slot word is (gen, DONE), else None; status is -1
 * for a cell that breaks the protocol (slot or length out of range, kind not REPLY, a
 * check that does not match), and data is then the message naming the field and value.
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
