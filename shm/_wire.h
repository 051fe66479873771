/* rust2go.shm._atomics.Wire: the per-call hot path of one mapped segment in C.
 *
 * Files: _wire_setup.c (the type: spec, set-up, method table), _ring.c (ring push/pop and
 * the doorbell's notifier check), _check.c (check64), _wire_ops.c (argument helpers and
 * the raw ring ops), _wire_caller.c (submit, submit_many, take_completions, free),
 * _wire_callee.c (take_requests, answer). _atomics.c (AtomicView) includes this header
 * too, and so does the test-only hammer (tests/shm/hammer/).
 *
 * Ring push/pop, the slot-word transitions of a call and the doorbell's notifier check,
 * each one METH_FASTCALL call instead of 5-10 Python-level atomic ops. Batch versions
 * (submit_many, take_requests, take_completions) push or drain many cells per call.
 *
 * A payload of at most cell_inline_max bytes travels in the cell itself (ring_push copies
 * it in after the claim, drain copies it out before the release), so a short call moves
 * only the cells' lines between cores; a longer one goes through the slot's area.
 *
 * No layout number is written here: every offset, size and enum value comes from the
 * `spec` dict built by shm/hotpath.py out of shm/layout.py and the validated header, and
 * __init__ checks every region against the buffer once, so the hot ops index only
 * inside it (ring positions are masked, slots compared with slot_count, lengths with
 * the capacities).
 *
 * Memory orders are the ones shm/layout.py documents: acquire loads, release stores,
 * seq_cst CAS / exchange / fences (the same as AtomicView and the Rust and Go peers).
 */
#ifndef R2G_WIRE_H
#define R2G_WIRE_H

#include <Python.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#define NRINGS 2 /* 0: request ring (caller -> callee), 1: completion ring */
#define NSIDES 2 /* parked flags: 0 callee, 1 caller */

typedef struct {
    Py_ssize_t base, cells;
    uint64_t mask, capacity;
    const char *name;
} RingGeo;

typedef struct {
    PyObject_HEAD
    Py_buffer view;
    int held;
    char *mem;
    RingGeo ring[NRINGS];
    Py_ssize_t enq, deq, cell_size;
    Py_ssize_t c_seq, c_slot, c_gen, c_method, c_length, c_kind, c_status, c_check;
    Py_ssize_t c_inline;  /* a payload of up to inline_max bytes travels here, in the cell */
    uint32_t inline_max;
    Py_ssize_t slot_table, slot_size, slot_word;
    Py_ssize_t payload, stride, response_area;
    Py_ssize_t parked[NSIDES];
    uint32_t slot_count, req_cap, resp_cap;
    uint32_t st_free, st_abandoned;
    uint32_t k_call, k_oneway, k_reply, s_abandoned;
    uint64_t check_k1, check_k2, check_k3;
    unsigned check_rot;
    PyObject *layout_error;
} Wire;

enum { CELL_SLOT, CELL_GEN, CELL_METHOD, CELL_LENGTH, CELL_KIND, CELL_STATUS, CELL_WORDS };

/* take_requests verdicts and answer flags (exported as module constants). */
enum { TAKE_OK = 0, TAKE_ABANDONED = 1, TAKE_NO_SLOT = 2, TAKE_MALFORMED = 3, TAKE_CORRUPT = 4 };
enum { ANSWER_DROPPED = 1, ANSWER_POST = 2, ANSWER_FULL = 4 };

extern PyTypeObject WireType;

/* A cell taken by ring_take: its body is read, it is not yet released to the producer. */
typedef struct {
    char *cell;
    uint64_t pos;
} Taken;

/* 1 done, 0 full (push) / empty (pop, take), -1 corrupt ring (exception set; needs the GIL).
 * push: a cell of length <= inline_max carries its payload in the cell: the length bytes
 * at inl are copied in after the claim, before seq is published, and with check NULL the
 * cell's check is computed in that same pass (over the bytes already in the cell when inl
 * is NULL: cells built by hand). Otherwise *check is the cell's check (a long payload's,
 * computed as it was copied into its slot's area).
 * take/pop store the cell's check in *check unless check is NULL; take keeps the cell
 * until ring_release (copy an inline payload out first), pop releases it at once. */
int ring_push(Wire *w, int r, const uint32_t body[CELL_WORDS], const char *inl, const uint64_t *check);
int ring_take(Wire *w, int r, uint32_t body[CELL_WORDS], uint64_t *check, Taken *t);
void ring_release(Wire *w, int r, const Taken *t);
int ring_pop(Wire *w, int r, uint32_t body[CELL_WORDS], uint64_t *check);
/* check64 of a cell with fields f announcing the len bytes at payload (shm/layout.py). */
uint64_t wire_check64(const Wire *w, const uint32_t f[CELL_WORDS], const char *payload, size_t len);
/* The same check, of the len bytes at src as they are copied to dst (one pass). */
uint64_t wire_copy_check64(const Wire *w, const uint32_t f[CELL_WORDS], char *dst, const char *src,
                           size_t len);
int ring_is_empty(Wire *w, int r);
/* Notifier: fence; 1 if the side was parked and we cleared its flag (post its semaphore). */
int bell_owed(Wire *w, int side);

/* -- words (shared memory is only touched through these) -------------------------------- */

#define U64(off) ((_Atomic uint64_t *)(w->mem + (off)))
#define U32(off) ((_Atomic uint32_t *)(w->mem + (off)))
#define LOAD(p) atomic_load_explicit((p), memory_order_acquire)
#define STORE(p, v) atomic_store_explicit((p), (v), memory_order_release)

static inline uint32_t
rd32(const char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline void
wr32(char *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static inline Py_ssize_t
slot_word_at(const Wire *w, uint32_t slot)
{
    return w->slot_table + (Py_ssize_t)slot * w->slot_size + w->slot_word;
}

static inline uint64_t
word(uint32_t gen, uint32_t state)
{
    return (uint64_t)gen << 32 | state;
}

/* -- shared by the method files (_wire_ops.c) ------------------------------------------ */

int held_ok(Wire *w);
int args_u32(PyObject *const *args, Py_ssize_t n, uint32_t *out);
int ring_arg(PyObject *o, int *r);
int nargs_between(Py_ssize_t nargs, Py_ssize_t lo, Py_ssize_t hi, const char *name);
const char *cell_area(Wire *w, const uint32_t b[CELL_WORDS]);
int cell_in_range(Wire *w, int r, const uint32_t b[CELL_WORDS]);

/* A payload on its way out (submit, answer): the writer's buffer and the cell body; a
 * long payload is already in the slot's area and check is the check computed as it was
 * copied there, a short one is copied into the cell (and checked) by push_outgoing. */
typedef struct {
    Py_buffer p;
    uint32_t body[CELL_WORDS];
    uint64_t check;
} Outgoing;
int write_payload(Wire *w, const char *name, int r, PyObject *const *args, Py_ssize_t nargs, Outgoing *o);
int push_outgoing(Wire *w, int r, Outgoing *o);

/* A popped cell's payload copied out: copy holds the inline payload (copied before the
 * cell was released) and sum its check, or copy is NULL for a payload in the slot's area. */
typedef struct {
    PyObject *copy;
    uint64_t sum;
} Copied;
typedef PyObject *(*ItemFn)(Wire *w, const uint32_t b[CELL_WORDS], uint64_t check, Copied *c);
PyObject *drain(Wire *w, int r, PyObject *max_obj, ItemFn item_of);
int payload_verified(Wire *w, int r, const uint32_t b[CELL_WORDS], uint64_t check, Copied *c,
                     PyObject **out);

/* -- the methods of Wire (METH_FASTCALL), listed in _wire_setup.c ------------------------ */

#define WIRE_METHOD(name) PyObject *w_##name(Wire *w, PyObject *const *args, Py_ssize_t nargs)
WIRE_METHOD(push);
WIRE_METHOD(check);
WIRE_METHOD(pop);
WIRE_METHOD(is_empty);
WIRE_METHOD(notify);
WIRE_METHOD(submit);
WIRE_METHOD(submit_many);
WIRE_METHOD(take_completions);
WIRE_METHOD(free);
WIRE_METHOD(take_requests);
WIRE_METHOD(answer);

int wire_register(PyObject *module);

#endif
