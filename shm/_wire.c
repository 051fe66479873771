/* rust2go.shm._atomics.Wire: the per-call hot path of one mapped segment in C.
 *
 * Ring push/pop, the slot-word transitions of a call and the doorbell's notifier check,
 * each one METH_FASTCALL call instead of 5-10 Python-level atomic ops. Batch versions
 * (take_requests, take_completions) drain many cells per call.
 *
 * No layout number is written here: every offset, size and enum value comes from the
 * `spec` dict built by shm/wire.py out of shm/layout.py and the validated header, and
 * __init__ checks every region against the buffer once, so the hot ops index only
 * inside it (ring positions are masked, slots compared with slot_count, lengths with
 * the capacities).
 *
 * Memory orders are the ones shm/layout.py documents: acquire loads, release stores,
 * seq_cst CAS / exchange / fences (the same as AtomicView and the Rust and Go peers).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
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
        || !spec_get(spec, "slot_table_offset", &w->slot_table) || !spec_get(spec, "slot_record_size", &w->slot_size)
        || !spec_get(spec, "slot_word", &w->slot_word) || !spec_get(spec, "payload_offset", &w->payload)
        || !spec_get(spec, "payload_stride", &w->stride) || !spec_get(spec, "response_area", &w->response_area)
        || !spec_get(spec, "callee_parked", &w->parked[0]) || !spec_get(spec, "caller_parked", &w->parked[1])
        || !spec_u32(spec, "slot_count", &w->slot_count) || !spec_u32(spec, "request_capacity", &w->req_cap)
        || !spec_u32(spec, "response_capacity", &w->resp_cap)
        || !spec_u32(spec, "slot_free", &w->st_free) || !spec_u32(spec, "slot_pending", &w->st_pending)
        || !spec_u32(spec, "slot_done", &w->st_done) || !spec_u32(spec, "kind_call", &w->k_call)
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
        || !field_ok("slot word", w->slot_word, 8, w->slot_size))
        return 0;
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

/* -- words ---------------------------------------------------------------------------- */

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
slot_word_at(Wire *w, uint32_t slot)
{
    return w->slot_table + (Py_ssize_t)slot * w->slot_size + w->slot_word;
}

static inline uint64_t
word(uint32_t gen, uint32_t state)
{
    return (uint64_t)gen << 32 | state;
}

/* -- rings ---------------------------------------------------------------------------- */

static int
ring_corrupt(Wire *w, int r, const char *field, uint64_t pos, uint64_t seq)
{
    if (!PyGILState_Check())
        return -1; /* the hammer runs without the GIL and reports -1 itself */
    PyErr_Format(w->layout_error, "%s.cell[%llu].seq=%llu is ahead of %s.%s=%llu: ring corrupt",
                 w->ring[r].name, (unsigned long long)(pos & w->ring[r].mask),
                 (unsigned long long)seq, w->ring[r].name, field, (unsigned long long)pos);
    return -1;
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
            return 0;
        } else {
            uint64_t now = LOAD(ctr);
            if (now == pos)
                return ring_corrupt(w, r, consumer ? "dequeue_pos" : "enqueue_pos", pos, seq);
            pos = now;
        }
    }
}

int
ring_push(Wire *w, int r, const uint32_t body[CELL_WORDS], uint64_t check)
{
    char *cell;
    uint64_t pos;
    int got = ring_claim(w, r, 0, &cell, &pos);
    if (got <= 0)
        return got;
    wr32(cell + w->c_slot, body[CELL_SLOT]);
    wr32(cell + w->c_gen, body[CELL_GEN]);
    wr32(cell + w->c_method, body[CELL_METHOD]);
    wr32(cell + w->c_length, body[CELL_LENGTH]);
    wr32(cell + w->c_kind, body[CELL_KIND]);
    wr32(cell + w->c_status, body[CELL_STATUS]);
    memcpy(cell + w->c_check, &check, 8);
    STORE(U64(cell - w->mem + w->c_seq), pos + 1);
    return 1;
}

int
ring_pop(Wire *w, int r, uint32_t body[CELL_WORDS], uint64_t *check)
{
    char *cell;
    uint64_t pos;
    int got = ring_claim(w, r, 1, &cell, &pos);
    if (got <= 0)
        return got;
    body[CELL_SLOT] = rd32(cell + w->c_slot);
    body[CELL_GEN] = rd32(cell + w->c_gen);
    body[CELL_METHOD] = rd32(cell + w->c_method);
    body[CELL_LENGTH] = rd32(cell + w->c_length);
    body[CELL_KIND] = rd32(cell + w->c_kind);
    body[CELL_STATUS] = rd32(cell + w->c_status);
    if (check != NULL)
        memcpy(check, cell + w->c_check, 8);
    STORE(U64(cell - w->mem + w->c_seq), pos + w->ring[r].capacity);
    return 1;
}

int
ring_is_empty(Wire *w, int r)
{
    RingGeo *g = &w->ring[r];
    uint64_t pos = LOAD(U64(g->base + w->deq));
    Py_ssize_t cell = g->cells + (Py_ssize_t)(pos & g->mask) * w->cell_size;
    return LOAD(U64(cell + w->c_seq)) != pos + 1;
}

/* Notifier half of the doorbell: publish; fence; if parked: exchange(parked, 0) == 1. */
int
bell_owed(Wire *w, int side)
{
    atomic_thread_fence(memory_order_seq_cst);
    _Atomic uint32_t *p = U32(w->parked[side]);
    return LOAD(p) && atomic_exchange(p, 0) == 1;
}

/* -- argument helpers --------------------------------------------------------------- */

static int
held_ok(Wire *w)
{
    if (!w->held) {
        PyErr_SetString(PyExc_ValueError, "Wire is released");
        return 0;
    }
    return 1;
}

static int
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

static int
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

static int
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

/* -- generic ring ops ------------------------------------------------------------------ */

/* The area a cell's payload lives in (the request area for requests, the response area
 * for replies), or NULL when the cell names no slot or overruns the area's capacity. */
static const char *
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

/* push(ring, slot, gen, method, length, kind[, status[, check]]): a raw cell. Without
 * `check` it is computed over the payload already in the slot's area (for cells built by
 * hand, e.g. in tests); a cell naming no slot gets the check of an empty payload. */
static PyObject *
w_push(Wire *w, PyObject *const *args, Py_ssize_t nargs)
{
    int r;
    uint32_t body[CELL_WORDS] = {0};
    uint64_t check;
    if (!nargs_between(nargs, 6, 8, "push") || !held_ok(w) || !ring_arg(args[0], &r)
        || !args_u32(args + 1, nargs > 7 ? 6 : nargs - 1, body))
        return NULL;
    if (nargs == 8) {
        check = PyLong_AsUnsignedLongLong(args[7]);
        if (check == (uint64_t)-1 && PyErr_Occurred())
            return NULL;
    } else {
        const char *area = cell_area(w, body);
        check = wire_check64(w, body, area, area == NULL ? 0 : body[CELL_LENGTH]);
    }
    int got = ring_push(w, r, body, check);
    return got < 0 ? NULL : PyBool_FromLong(got);
}

/* check(slot, gen, method, kind, status, payload) -> check64 of that cell (length = len(payload)). */
static PyObject *
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

static PyObject *
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

static PyObject *
w_is_empty(Wire *w, PyObject *const *args, Py_ssize_t nargs)
{
    int r;
    if (!nargs_between(nargs, 1, 1, "is_empty") || !held_ok(w) || !ring_arg(args[0], &r))
        return NULL;
    return PyBool_FromLong(ring_is_empty(w, r));
}

static PyObject *
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

/* -- caller ------------------------------------------------------------------------------ */

/* submit(slot, gen, method, kind, payload) -> 0 ring full | 1 pushed | 2 pushed, post callee.
 * Writes the request area, store-releases (gen, PENDING), pushes the request cell. On 0
 * the slot stays published; the caller retries submit (same gen) or frees the slot. */
static PyObject *
w_submit(Wire *w, PyObject *const *args, Py_ssize_t nargs)
{
    uint32_t a[4];
    Py_buffer p;
    if (!nargs_between(nargs, 5, 5, "submit") || !held_ok(w) || !args_u32(args, 4, a))
        return NULL;
    if (a[0] >= w->slot_count) {
        PyErr_Format(PyExc_ValueError, "slot %u >= slot_count %u", a[0], w->slot_count);
        return NULL;
    }
    if (PyObject_GetBuffer(args[4], &p, PyBUF_SIMPLE) < 0)
        return NULL;
    if (p.len > (Py_ssize_t)w->req_cap) {
        PyErr_Format(PyExc_ValueError, "request of %zd bytes exceeds request_capacity %u", p.len, w->req_cap);
        PyBuffer_Release(&p);
        return NULL;
    }
    memcpy(w->mem + w->payload + (Py_ssize_t)a[0] * w->stride, p.buf, (size_t)p.len);
    uint32_t body[CELL_WORDS] = {a[0], a[1], a[2], (uint32_t)p.len, a[3], 0};
    uint64_t check = wire_check64(w, body, p.buf, (size_t)p.len); /* our bytes, not the shared copy */
    PyBuffer_Release(&p);
    STORE(U64(slot_word_at(w, a[0])), word(a[1], w->st_pending));
    int got = ring_push(w, 0, body, check);
    if (got < 0)
        return NULL;
    return PyLong_FromLong(got == 0 ? 0 : 1 + bell_owed(w, 0));
}

/* Pop up to max cells of ring r into a new list, one item per cell built by `item`. */
typedef PyObject *(*ItemFn)(Wire *w, const uint32_t b[CELL_WORDS], uint64_t check);

static PyObject *
drain(Wire *w, int r, PyObject *max_obj, ItemFn item_of)
{
    uint32_t b[CELL_WORDS];
    uint64_t check;
    Py_ssize_t max = PyLong_AsSsize_t(max_obj);
    if (max == -1 && PyErr_Occurred())
        return NULL;
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t n = 0; n < max; n++) {
        int got = ring_pop(w, r, b, &check);
        if (got <= 0) {
            if (got == 0)
                break;
            Py_DECREF(out);
            return NULL;
        }
        PyObject *item = item_of(w, b, check);
        if (item == NULL || PyList_Append(out, item) < 0) {
            Py_XDECREF(item);
            Py_DECREF(out);
            return NULL;
        }
        Py_DECREF(item);
    }
    return out;
}

/* Copy a popped cell's payload out of shared memory and verify the copy against the
 * cell's check: 1 with *out the copy (bytes), 0 with *out a message naming the mismatch,
 * -1 on error. The copy is what the caller decodes, so a byte changed after the check
 * cannot reach it. */
static int
copy_verified(Wire *w, int r, const uint32_t b[CELL_WORDS], uint64_t check, const char *src,
              PyObject **out)
{
    PyObject *copy = PyBytes_FromStringAndSize(src, (Py_ssize_t)b[CELL_LENGTH]);
    if (copy == NULL)
        return -1;
    uint64_t got = wire_check64(w, b, PyBytes_AS_STRING(copy), b[CELL_LENGTH]);
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
 * check that does not match), and data is then the message naming the field and value. Slots are not freed
 * here: the caller frees only completions that match a pending call. */
static PyObject *
w_take_completions(Wire *w, PyObject *const *args, Py_ssize_t nargs)
{
    if (!nargs_between(nargs, 1, 1, "take_completions") || !held_ok(w))
        return NULL;
    return drain(w, 1, args[0], completion_item);
}

/* free(slot, gen): store-release (gen, FREE). */
static PyObject *
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

/* -- callee ------------------------------------------------------------------------------ */

static PyObject *
request_item(Wire *w, const uint32_t b[CELL_WORDS], uint64_t check)
{
    uint32_t slot = b[CELL_SLOT], gen = b[CELL_GEN], kind = b[CELL_KIND];
    int verdict = TAKE_OK;
    PyObject *data = NULL;
    if (slot >= w->slot_count)
        verdict = TAKE_NO_SLOT;
    else if (b[CELL_LENGTH] > w->req_cap || (kind != w->k_call && kind != w->k_oneway))
        verdict = TAKE_MALFORMED;
    else {
        /* Verified before the slot word is read: a cell whose slot or generation was
         * changed must not be answered ABANDONED on behalf of a call it does not name. */
        const char *src = w->mem + w->payload + (Py_ssize_t)slot * w->stride;
        int ok = copy_verified(w, 0, b, check, src, &data);
        if (ok < 0)
            return NULL;
        if (ok == 0)
            verdict = TAKE_CORRUPT;
        else if (LOAD(U64(slot_word_at(w, slot))) != word(gen, w->st_pending)) {
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
 *   TAKE_ABANDONED  slot word is not (gen, PENDING): answer status ABANDONED
 *   TAKE_NO_SLOT    cell.slot >= slot_count: nothing can be answered, drop it
 *   TAKE_MALFORMED  length > request_capacity or kind not CALL/ONEWAY: answer an error
 *   TAKE_CORRUPT    the check does not match: payload is the message; a protocol violation */
static PyObject *
w_take_requests(Wire *w, PyObject *const *args, Py_ssize_t nargs)
{
    if (!nargs_between(nargs, 1, 1, "take_requests") || !held_ok(w))
        return NULL;
    return drain(w, 0, args[0], request_item);
}

/* answer(slot, gen, method, status, reply) -> flags. Writes the reply into the response
 * area, CASes (gen, PENDING) -> (gen, DONE) and pushes one REPLY cell. Flags:
 *   ANSWER_DROPPED  the caller had abandoned the call: pushed status ABANDONED, length 0
 *   ANSWER_POST     the caller was parked: post its semaphore
 *   ANSWER_FULL     the completion ring was full (a broken caller): nothing pushed; push
 *                   the cell with push() after ringing the caller */
static PyObject *
w_answer(Wire *w, PyObject *const *args, Py_ssize_t nargs)
{
    uint32_t a[4];
    Py_buffer p;
    long flags = 0;
    if (!nargs_between(nargs, 5, 5, "answer") || !held_ok(w) || !args_u32(args, 4, a))
        return NULL;
    if (a[0] >= w->slot_count) {
        PyErr_Format(PyExc_ValueError, "slot %u >= slot_count %u", a[0], w->slot_count);
        return NULL;
    }
    if (PyObject_GetBuffer(args[4], &p, PyBUF_SIMPLE) < 0)
        return NULL;
    if (p.len > (Py_ssize_t)w->resp_cap) {
        PyErr_Format(PyExc_ValueError, "reply of %zd bytes exceeds response_capacity %u", p.len, w->resp_cap);
        PyBuffer_Release(&p);
        return NULL;
    }
    char *dst = w->mem + w->payload + (Py_ssize_t)a[0] * w->stride + w->response_area;
    memcpy(dst, p.buf, (size_t)p.len);
    uint32_t body[CELL_WORDS] = {a[0], a[1], a[2], (uint32_t)p.len, w->k_reply, a[3]};
    uint64_t check = wire_check64(w, body, p.buf, (size_t)p.len); /* our bytes, not the shared copy */
    PyBuffer_Release(&p);
    uint64_t expected = word(a[1], w->st_pending);
    if (!atomic_compare_exchange_strong(U64(slot_word_at(w, a[0])), &expected, word(a[1], w->st_done))) {
        flags |= ANSWER_DROPPED;
        body[CELL_LENGTH] = 0;
        body[CELL_STATUS] = w->s_abandoned;
        check = wire_check64(w, body, NULL, 0);
    }
    int got = ring_push(w, 1, body, check);
    if (got < 0)
        return NULL;
    if (got == 0)
        flags |= ANSWER_FULL;
    if (bell_owed(w, 1))
        flags |= ANSWER_POST;
    return PyLong_FromLong(flags);
}

#define FAST(name, doc) {#name, (PyCFunction)(void (*)(void))w_##name, METH_FASTCALL, doc}

static PyMethodDef wire_methods[] = {
    FAST(push, "push(ring, slot, gen, method, length, kind[, status[, check]]) -> bool (False: full)"),
    FAST(check, "check(slot, gen, method, kind, status, payload) -> check64 of that cell"),
    FAST(pop, "pop(ring) -> (slot, gen, method, length, kind, status) | None"),
    FAST(is_empty, "is_empty(ring) -> bool"),
    FAST(notify, "notify(side) -> bool: fence; clear the side's parked flag; True if a post is owed"),
    FAST(submit, "submit(slot, gen, method, kind, payload) -> 0 full | 1 pushed | 2 pushed, post callee"),
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
    .tp_doc = "Wire(buffer, spec, layout_error): the call hot path of one segment (see shm/wire.py)",
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
