/* The callee's side of a call: take requests, answer one. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "_wire.h"

/* -- callee ------------------------------------------------------------------------------ */

static PyObject *
request_item(Wire *w, const uint32_t b[CELL_WORDS], uint64_t check, Copied *c)
{
    uint32_t slot = b[CELL_SLOT], gen = b[CELL_GEN], kind = b[CELL_KIND];
    int verdict = TAKE_OK;
    PyObject *data = NULL;
    if (slot >= w->slot_count)
        verdict = TAKE_NO_SLOT;
    else if (!cell_in_range(w, 0, b))
        verdict = TAKE_MALFORMED;
    else {
        /* Verified before the slot word is read: a cell whose slot or generation was
         * changed must not be answered ABANDONED on behalf of a call it does not name.
         * The word is only read (the caller alone writes it, to mark an abandoned call). */
        int ok = payload_verified(w, 0, b, check, c, &data);
        if (ok < 0)
            return NULL;
        if (ok == 0)
            verdict = TAKE_CORRUPT;
        else if (LOAD(U64(slot_word_at(w, slot))) == word(gen, w->st_abandoned)) {
            verdict = TAKE_ABANDONED;
            Py_CLEAR(data);
        }
    }
    if (data == NULL)
        data = Py_NewRef(Py_None);
    return Py_BuildValue("(ikkkkN)", verdict, (unsigned long)slot, (unsigned long)gen,
                         (unsigned long)b[CELL_METHOD], (unsigned long)kind, data);
}

/* take_requests(max) -> [(verdict, slot, gen, method, kind, payload)], up to max request
 * cells. verdict TAKE_OK: payload holds a copy of the request; otherwise payload is None
 * and the callee must answer (or drop) the cell itself:
 *   TAKE_ABANDONED  slot word is (gen, ABANDONED): answer status ABANDONED
 *   TAKE_NO_SLOT    cell.slot >= slot_count: nothing can be answered, drop it
 *   TAKE_MALFORMED  length > request_capacity or kind not CALL/ONEWAY: answer an error
 *   TAKE_CORRUPT    the check does not match: payload is the message; a protocol violation */
PyObject *
w_take_requests(Wire *w, PyObject *const *args, Py_ssize_t nargs)
{
    if (!nargs_between(nargs, 1, 1, "take_requests") || !held_ok(w))
        return NULL;
    return drain(w, 0, args[0], request_item);
}

/* answer(slot, gen, method, status, reply) -> flags. Writes a long reply into the response
 * area and pushes one REPLY cell (a short reply is written into the cell as it is pushed),
 * or an empty ABANDONED one if the slot word is (gen, ABANDONED) by then. Flags:
 *   ANSWER_DROPPED  the caller had abandoned the call: pushed status ABANDONED, length 0
 *   ANSWER_POST     the caller was parked: post its semaphore
 *   ANSWER_FULL     the completion ring was full (a broken caller): nothing pushed; push
 *                   the cell with push() after ringing the caller */
PyObject *
w_answer(Wire *w, PyObject *const *args, Py_ssize_t nargs)
{
    Outgoing o;
    long flags = 0;
    if (!write_payload(w, "answer", 1, args, nargs, &o))
        return NULL;
    uint32_t slot = o.body[CELL_SLOT], gen = o.body[CELL_GEN];
    if (LOAD(U64(slot_word_at(w, slot))) == word(gen, w->st_abandoned)) {
        flags |= ANSWER_DROPPED; /* an empty reply, which travels (and is checked) in the cell */
        o.body[CELL_LENGTH] = 0;
        o.body[CELL_STATUS] = w->s_abandoned;
    }
    int got = push_outgoing(w, 1, &o);
    if (got < 0)
        return NULL;
    if (got == 0)
        flags |= ANSWER_FULL;
    if (bell_owed(w, 1))
        flags |= ANSWER_POST;
    return PyLong_FromLong(flags);
}
