/* The lock-free rings of cells and the notifier half of the doorbell (docs/shm-layout.md). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "_wire.h"

/* -- rings ---------------------------------------------------------------------------- */

static int
ring_corrupt(Wire *w, int r, const char *field, uint64_t pos, uint64_t seq, const char *how)
{
    if (!PyGILState_Check())
        return -1; /* the hammer runs without the GIL and reports -1 itself */
    PyErr_Format(w->layout_error, "%s.cell[%llu].seq=%llu %s %s.%s=%llu: ring corrupt",
                 w->ring[r].name, (unsigned long long)(pos & w->ring[r].mask),
                 (unsigned long long)seq, how, w->ring[r].name, field, (unsigned long long)pos);
    return -1;
}

/* Whether seq can be the seq of the cell at pos while that cell is not ready for its side
 * (full for a producer, empty for a consumer): a cell's seq is always its position or one
 * more modulo the capacity, and at most one lap behind any position the counter reached.
 * Any other value is a stray write that would otherwise read as full (empty) for good. */
static inline int
seq_waits(const RingGeo *g, uint64_t pos, uint64_t seq, int64_t dif)
{
    return dif >= -(int64_t)g->capacity && ((seq - pos) & g->mask) <= 1;
}

/* Claim the cell at the producer (consumer) position: 1 claimed, 0 full (empty), -1 corrupt. */
static int
ring_claim(Wire *w, int r, int consumer, char **cell_out, uint64_t *pos_out)
{
    RingGeo *g = &w->ring[r];
    _Atomic uint64_t *ctr = U64(g->base + (consumer ? w->deq : w->enq));
    uint64_t pos = LOAD(ctr);
    for (;;) {
        char *cell = w->mem + g->cells + (Py_ssize_t)(pos & g->mask) * w->cell_size;
        uint64_t seq = LOAD(U64(cell - w->mem + w->c_seq));
        int64_t dif = (int64_t)(seq - (pos + (uint64_t)consumer));
        if (dif == 0) {
            if (atomic_compare_exchange_strong(ctr, &pos, pos + 1)) {
                *cell_out = cell;
                *pos_out = pos;
                return 1;
            }
        } else if (dif < 0) {
            if (!seq_waits(g, pos, seq, dif))
                return ring_corrupt(w, r, consumer ? "dequeue_pos" : "enqueue_pos", pos, seq,
                                    "cannot be the seq of a cell at");
            return 0;
        } else {
            uint64_t now = LOAD(ctr);
            if (now == pos)
                return ring_corrupt(w, r, consumer ? "dequeue_pos" : "enqueue_pos", pos, seq,
                                    "is ahead of");
            pos = now;
        }
    }
}

int
ring_push(Wire *w, int r, const uint32_t body[CELL_WORDS], const char *inl, const uint64_t *check)
{
    char *cell;
    uint64_t pos, sum = check != NULL ? *check : 0;
    int got = ring_claim(w, r, 0, &cell, &pos);
    if (got <= 0)
        return got;
    wr32(cell + w->c_slot, body[CELL_SLOT]);
    wr32(cell + w->c_gen, body[CELL_GEN]);
    wr32(cell + w->c_method, body[CELL_METHOD]);
    wr32(cell + w->c_length, body[CELL_LENGTH]);
    wr32(cell + w->c_kind, body[CELL_KIND]);
    wr32(cell + w->c_status, body[CELL_STATUS]);
    if (body[CELL_LENGTH] <= w->inline_max && (inl != NULL || check == NULL)) {
        /* The claimed cell is ours until seq is published: the payload goes in now. */
        char *dst = cell + w->c_inline;
        uint64_t own = inl != NULL ? wire_copy_check64(w, body, dst, inl, body[CELL_LENGTH])
                                   : wire_check64(w, body, dst, body[CELL_LENGTH]);
        if (check == NULL)
            sum = own;
    }
    memcpy(cell + w->c_check, &sum, 8);
    STORE(U64(cell - w->mem + w->c_seq), pos + 1);
    return 1;
}

int
ring_take(Wire *w, int r, uint32_t body[CELL_WORDS], uint64_t *check, Taken *t)
{
    int got = ring_claim(w, r, 1, &t->cell, &t->pos);
    if (got <= 0)
        return got;
    char *cell = t->cell;
    body[CELL_SLOT] = rd32(cell + w->c_slot);
    body[CELL_GEN] = rd32(cell + w->c_gen);
    body[CELL_METHOD] = rd32(cell + w->c_method);
    body[CELL_LENGTH] = rd32(cell + w->c_length);
    body[CELL_KIND] = rd32(cell + w->c_kind);
    body[CELL_STATUS] = rd32(cell + w->c_status);
    if (check != NULL)
        memcpy(check, cell + w->c_check, 8);
    return 1;
}

/* From here on the producer may reuse the cell, inline bytes included. */
void
ring_release(Wire *w, int r, const Taken *t)
{
    STORE(U64(t->cell - w->mem + w->c_seq), t->pos + w->ring[r].capacity);
}

int
ring_pop(Wire *w, int r, uint32_t body[CELL_WORDS], uint64_t *check)
{
    Taken t;
    int got = ring_take(w, r, body, check, &t);
    if (got > 0)
        ring_release(w, r, &t);
    return got;
}

int
ring_is_empty(Wire *w, int r)
{
    RingGeo *g = &w->ring[r];
    uint64_t pos = LOAD(U64(g->base + w->deq));
    Py_ssize_t cell = g->cells + (Py_ssize_t)(pos & g->mask) * w->cell_size;
    uint64_t seq = LOAD(U64(cell + w->c_seq));
    /* Empty: not yet written, or the last lap taken and not yet released. Anything else,
     * full or a seq no cell can have, is for a pop to take or report. */
    return seq == pos || seq == pos + 1 - g->capacity;
}

/* Notifier half of the doorbell: publish; fence; if parked: exchange(parked, 0) == 1. */
int
bell_owed(Wire *w, int side)
{
    atomic_thread_fence(memory_order_seq_cst);
    _Atomic uint32_t *p = U32(w->parked[side]);
    return LOAD(p) && atomic_exchange(p, 0) == 1;
}
