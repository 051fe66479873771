use super::*;
use crate::r2g_shm_layout as l;

const MAP_ANONYMOUS: c_int = 0x20;

/// `len` zeroed bytes of anonymous shared memory, as `Mapping::open` would map a segment.
fn anon(len: usize) -> Mapping {
    // SAFETY: a fresh anonymous mapping; `Mapping`'s Drop unmaps it.
    let p = unsafe {
        sys::mmap(
            std::ptr::null_mut(),
            len,
            sys::PROT_RW,
            sys::MAP_SHARED | MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    assert_ne!(p as isize, -1, "mmap");
    Mapping {
        base: p as *mut u8,
        len,
    }
}

/// A ring of `cap` cells at offset 0 of its own mapping, initialised as a creator does:
/// cell i's seq is i (free for position i).
fn ring(cap: usize) -> (Mapping, Ring) {
    let m = anon(l::RING_SIZE + cap * l::CELL_SIZE);
    let r = Ring {
        off: 0,
        mask: cap as u64 - 1,
        cap: cap as u64,
    };
    for i in 0..cap as u64 {
        m.u64(r.cell(i) + l::CELL_SEQ).store(i, Ordering::Relaxed);
    }
    (m, r)
}

/// Push `c` carrying `check_payload(c.length)` (in the cell when short; a long one's
/// bytes are not read, as if they were in the slot's area already).
fn push(r: &Ring, m: &Mapping, c: Cell) -> Result<bool, ShmError> {
    r.try_push(m, c, &check_payload(c.length as usize))
}

/// A popped cell; with it, the check and the copy of its payload when that was inline.
type Popped = (Cell, Option<(u64, Vec<u8>)>);

fn pop(r: &Ring, m: &Mapping) -> Result<Option<Popped>, ShmError> {
    let mut copy = Vec::new();
    Ok(r.try_pop(m, &mut copy)?
        .map(|(c, inline)| (c, inline.map(|check| (check, copy)))))
}

fn cell(n: u32) -> Cell {
    Cell {
        slot: n,
        generation: n + 1,
        method: n + 2,
        length: n + 3,
        kind: n + 4,
        status: n + 5,
        check: 0x0123_4567_89ab_cdef ^ n as u64,
    }
}

#[test]
fn a_ring_cell_is_its_position_modulo_the_capacity() {
    let r = Ring {
        off: 4096,
        mask: 7,
        cap: 8,
    };
    for (pos, index) in [(0u64, 0usize), (7, 7), (8, 0), (17, 1), (u64::MAX, 7)] {
        assert_eq!(
            r.cell(pos),
            4096 + l::RING_SIZE + index * l::CELL_SIZE,
            "pos {pos}"
        );
    }
}

#[test]
fn a_ring_is_fifo_refuses_a_push_when_full_and_wraps_its_sequences() {
    let cap = 4;
    let (m, r) = ring(cap);
    let mut next = 0u32;
    let mut want = 0u32;
    for lap in 0..5u64 {
        assert!(r.is_empty(&m));
        for _ in 0..cap {
            assert!(push(&r, &m, cell(next)).unwrap());
            next += 1;
        }
        assert!(
            !push(&r, &m, cell(99)).unwrap(),
            "a full ring takes no more"
        );
        assert!(!r.is_empty(&m));
        for _ in 0..cap {
            let (c, inline) = pop(&r, &m).unwrap().expect("a pushed cell");
            assert_eq!((c.slot, c.generation, c.method), (want, want + 1, want + 2));
            assert_eq!((c.length, c.kind, c.status), (want + 3, want + 4, want + 5));
            // Short payloads all: each travelled in its cell, checked on both ends.
            let payload = check_payload(c.length as usize);
            assert_eq!(c.check, check64(&cell(want), &payload));
            assert_eq!(inline, Some((c.check, payload)));
            want += 1;
        }
        assert!(pop(&r, &m).unwrap().is_none(), "an empty ring pops nothing");
        let done = (lap + 1) * cap as u64;
        assert_eq!(m.u64(l::RING_ENQUEUE_POS).load(Ordering::Relaxed), done);
        assert_eq!(m.u64(l::RING_DEQUEUE_POS).load(Ordering::Relaxed), done);
        // A popped cell is free for the position one lap later.
        for pos in done - cap as u64..done {
            assert_eq!(
                m.u64(r.cell(pos) + l::CELL_SEQ).load(Ordering::Relaxed),
                pos + cap as u64
            );
        }
    }
}

#[test]
fn a_cell_sequence_ahead_of_its_position_is_a_corrupt_ring() {
    let (m, r) = ring(4);
    m.u64(r.cell(0) + l::CELL_SEQ).store(9, Ordering::Relaxed);
    let err = push(&r, &m, cell(0)).map(|_| ()).unwrap_err();
    assert!(
        matches!(&err, ShmError::Layout(s) if s.contains("cell[0].seq is ahead") && s.contains("corrupt")),
        "{err:?}"
    );
    let err = pop(&r, &m).map(|_| ()).unwrap_err();
    assert!(
        matches!(&err, ShmError::Layout(s) if s.contains("corrupt")),
        "{err:?}"
    );
}

#[test]
fn a_cell_sequence_no_cell_can_have_is_a_corrupt_ring_not_a_full_or_empty_one() {
    // Legitimate waits still read as full (empty): the last lap not yet released.
    let (m, r) = ring(4);
    m.u64(r.cell(0) + l::CELL_SEQ).store(1u64.wrapping_sub(4), Ordering::Relaxed);
    assert!(matches!(pop(&r, &m), Ok(None)) && r.is_empty(&m));
    assert!(matches!(push(&r, &m, cell(0)), Ok(false)));
    // A high bit flipped (far behind), or a seq off its cell's residue, is reported.
    for seq in [(1u64 << 63) + 5, 0u64.wrapping_sub(2), 0u64.wrapping_sub(7)] {
        m.u64(r.cell(0) + l::CELL_SEQ).store(seq, Ordering::Relaxed);
        assert!(!r.is_empty(&m), "seq {seq} must be looked at, not parked on");
        let err = pop(&r, &m).map(|_| ()).unwrap_err();
        assert!(
            matches!(&err, ShmError::Layout(s) if s.contains(&format!("cell[0].seq={seq} cannot be the seq of a cell at dequeue_pos=0"))),
            "{err:?}"
        );
        let err = push(&r, &m, cell(0)).map(|_| ()).unwrap_err();
        assert!(
            matches!(&err, ShmError::Layout(s) if s.contains("corrupt")),
            "{err:?}"
        );
    }
}

/// A consistent geometry, laid out as shm/layout.py lays a segment out.
fn geometry(slots: usize, ring_cap: usize, capacity: usize) -> Geometry {
    let ring = |cap: usize| l::RING_SIZE + cap * l::CELL_SIZE;
    let request_ring_offset = align64(l::HEADER_SIZE);
    let completion_ring_offset = align64(request_ring_offset + ring(ring_cap));
    let slot_table_offset = align64(completion_ring_offset + ring(ring_cap));
    let payload_offset = align64(slot_table_offset + slots * l::SLOT_SIZE);
    let payload_stride = 2 * align64(capacity);
    Geometry {
        slot_count: slots,
        request_ring_capacity: ring_cap,
        completion_ring_capacity: ring_cap,
        request_capacity: capacity,
        response_capacity: capacity,
        request_ring_offset,
        completion_ring_offset,
        slot_table_offset,
        payload_offset,
        payload_stride,
        segment_size: payload_offset + slots * payload_stride,
    }
}

/// A segment whose header describes `g`, as a creator writes it.
fn segment(g: &Geometry) -> Mapping {
    let m = anon(g.segment_size);
    let w32 = |off: usize, v: usize| m.u32(off).store(v as u32, Ordering::Relaxed);
    let w64 = |off: usize, v: usize| m.u64(off).store(v as u64, Ordering::Relaxed);
    m.u64(l::HEADER_MAGIC).store(l::MAGIC, Ordering::Relaxed);
    w32(l::HEADER_LAYOUT_VERSION, l::LAYOUT_VERSION as usize);
    w32(l::HEADER_HEADER_SIZE, l::HEADER_SIZE);
    w32(l::HEADER_SLOT_RECORD_SIZE, l::SLOT_SIZE);
    w32(l::HEADER_CELL_SIZE, l::CELL_SIZE);
    w32(l::HEADER_RING_HEADER_SIZE, l::RING_SIZE);
    w64(l::HEADER_SEGMENT_SIZE, g.segment_size);
    w32(l::HEADER_SLOT_COUNT, g.slot_count);
    w32(l::HEADER_REQUEST_RING_CAPACITY, g.request_ring_capacity);
    w32(
        l::HEADER_COMPLETION_RING_CAPACITY,
        g.completion_ring_capacity,
    );
    w32(l::HEADER_REQUEST_CAPACITY, g.request_capacity);
    w32(l::HEADER_RESPONSE_CAPACITY, g.response_capacity);
    w64(l::HEADER_REQUEST_RING_OFFSET, g.request_ring_offset);
    w64(l::HEADER_COMPLETION_RING_OFFSET, g.completion_ring_offset);
    w64(l::HEADER_SLOT_TABLE_OFFSET, g.slot_table_offset);
    w64(l::HEADER_PAYLOAD_OFFSET, g.payload_offset);
    w32(l::HEADER_PAYLOAD_STRIDE, g.payload_stride);
    m
}

fn layout_error(r: Result<Geometry, ShmError>) -> String {
    match r {
        Err(ShmError::Layout(s)) => s,
        other => panic!("expected a layout error, got {other:?}"),
    }
}

#[test]
fn a_creator_written_header_reads_back_as_its_geometry() {
    let g = geometry(4, 8, 200);
    let m = segment(&g);
    let got = read_geometry(&m).unwrap();
    assert_eq!(
        (got.slot_count, got.request_capacity, got.payload_stride),
        (4, 200, 512)
    );
    assert_eq!(
        (got.payload_offset, got.segment_size),
        (g.payload_offset, g.segment_size)
    );
}

#[test]
fn a_header_field_out_of_its_rules_is_refused_naming_the_field() {
    let g = geometry(4, 8, 200);
    let cases: [(usize, u64, bool, &str); 8] = [
        (
            l::HEADER_MAGIC,
            7,
            true,
            "header.magic=7 is not a rust2go segment",
        ),
        (
            l::HEADER_LAYOUT_VERSION,
            99,
            false,
            "header.layout_version=99",
        ),
        (
            l::HEADER_SLOT_COUNT,
            0,
            false,
            "header.slot_count=0 is outside",
        ),
        (
            l::HEADER_REQUEST_RING_CAPACITY,
            6,
            false,
            "header.request_ring_capacity=6 is not a power of two",
        ),
        (
            l::HEADER_COMPLETION_RING_CAPACITY,
            2,
            false,
            "header.completion_ring_capacity=2 is below header.slot_count=4",
        ),
        (
            l::HEADER_PAYLOAD_STRIDE,
            448,
            false,
            "header.payload_stride=448 is not 512",
        ),
        (
            l::HEADER_PAYLOAD_OFFSET,
            (g.slot_table_offset + 3 * l::SLOT_SIZE) as u64,
            true,
            "overlaps header.slot_table_offset",
        ),
        (
            l::HEADER_CALLER_STATE,
            l::CALLER_STATE_BROKEN as u64 + 1,
            false,
            "header.caller_state=",
        ),
    ];
    for (off, v, wide, want) in cases {
        let m = segment(&g);
        if wide {
            m.u64(off).store(v, Ordering::Relaxed);
        } else {
            m.u32(off).store(v as u32, Ordering::Relaxed);
        }
        let got = layout_error(read_geometry(&m));
        assert!(got.contains(want), "{want:?} not in {got:?}");
    }
}

#[test]
fn a_region_past_the_segment_end_is_refused() {
    let mut g = geometry(2, 4, 64);
    g.segment_size -= 1;
    let got = match check_regions(&g) {
        Err(ShmError::Layout(s)) => s,
        other => panic!("{other:?}"),
    };
    assert!(
        got.contains("header.payload_offset=") && got.contains("exceeds header.segment_size"),
        "{got}"
    );
}

#[test]
fn segment_names_follow_the_naming_rules() {
    for ok in ["/r2g-1-x-00ab", "r2g-a_b-C", "/r2g-x"] {
        assert!(Names::parse(ok).is_ok(), "{ok}");
    }
    let long = format!("/r2g-{}", "a".repeat(201));
    for bad in [
        "/r2g-",
        "/other-1",
        "r2g-a b",
        "/r2g-a/b",
        "/r2g-é",
        long.as_str(),
    ] {
        let err = Names::parse(bad).unwrap_err();
        assert!(
            matches!(&err, ShmError::Layout(s) if s.contains("must look like /r2g-")),
            "{bad}: {err:?}"
        );
    }
    assert!(
        Names::parse(&format!("/r2g-{}", "a".repeat(200))).is_ok(),
        "204 bytes is the limit"
    );
    let n = Names::parse("/r2g-7-t-0a").unwrap();
    assert_eq!(n.segment(), "/r2g-7-t-0a");
    assert_eq!(
        n.callee_bell(),
        format!("/r2g-7-t-0a{}", l::CALLEE_DOORBELL_SUFFIX)
    );
    assert_eq!(
        n.caller_bell(),
        format!("/r2g-7-t-0a{}", l::CALLER_DOORBELL_SUFFIX)
    );
    assert_eq!(
        n.caller_lock(42),
        format!("{}/r2g-7-t-0a{}42", l::LOCK_DIR, l::CALLER_LOCK_SUFFIX)
    );
}

#[test]
fn fresh_names_are_valid_distinct_and_carry_the_pid() {
    let (a, b) = (Names::fresh("svc"), Names::fresh("svc"));
    assert_ne!(a.stem, b.stem);
    assert!(
        a.stem
            .starts_with(&format!("r2g-{}-svc-", std::process::id())),
        "{}",
        a.stem
    );
    assert_eq!(Names::parse(&a.segment()).unwrap().stem, a.stem);
}

#[test]
fn the_contract_check_names_both_sides() {
    let g = geometry(1, 2, 64);
    let m = segment(&g);
    let mine = Contract {
        hash: 0xabc,
        idl: "mine.rs",
    };
    let msg = |m: &Mapping| match check_contract(m, "/r2g-s", &mine) {
        Err(ShmError::Layout(s)) => s,
        other => panic!("{other:?}"),
    };
    let none = msg(&m);
    assert!(
        none.contains("declares no contract (header.contract=0)")
            && none.contains("0000000000000abc (mine.rs)"),
        "{none}"
    );
    m.u64(l::HEADER_CONTRACT).store(0xabc, Ordering::Relaxed);
    assert_eq!(check_contract(&m, "/r2g-s", &mine), Ok(()));
    m.u64(l::HEADER_CONTRACT).store(0xdef, Ordering::Relaxed);
    // SAFETY: header bytes of this test's own mapping.
    unsafe { m.bytes(l::HEADER_IDL_NAME, 8) }.copy_from_slice(b"other.rs");
    let other = msg(&m);
    assert!(
        other.contains("the callee serves 0000000000000def (other.rs)"),
        "{other}"
    );
    assert!(
        other.contains("this caller expects 0000000000000abc (mine.rs)"),
        "{other}"
    );
}

#[test]
fn a_remote_failure_names_its_status() {
    let e = ShmError::Remote(l::CALL_STATUS_HANDLER_ERROR, "boom".into());
    assert_eq!(e.to_string(), "callee answered HANDLER_ERROR: boom");
    let e = ShmError::Remote(77, "x".into());
    assert_eq!(e.to_string(), "callee answered an unknown status: x");
    assert_eq!(
        plain_result::<u8>(
            Err(ShmError::Remote(l::CALL_STATUS_HANDLER_ERROR, "m".into())),
            "f"
        ),
        Err("m".into())
    );
}

/// The payload of a check vector of length n (shm/vectors.py `check_payload`).
fn check_payload(n: usize) -> Vec<u8> {
    (0..n).map(|i| (3 + 7 * i) as u8).collect()
}

/// The number after `"key":` in one object of check.json (a string for "check").
fn json_field<'a>(object: &'a str, key: &str) -> &'a str {
    let at = object
        .find(&format!("\"{key}\":"))
        .unwrap_or_else(|| panic!("no {key} in {object}"));
    let rest = &object[at + key.len() + 3..];
    let end = rest.find([',', '\n', '}']).unwrap_or(rest.len());
    rest[..end].trim().trim_matches('"')
}

/// The cells of tests/shm/vectors/check.json, each with its expected check.
fn check_vectors() -> Vec<Cell> {
    let text = include_str!("../../../shm/vectors/check.json");
    text.split('{')
        .skip(1)
        .map(|o| {
            let n = |k: &str| json_field(o, k).parse::<u32>().unwrap_or_else(|e| panic!("{k}: {e}"));
            Cell {
                slot: n("slot"),
                generation: n("generation"),
                method: n("method"),
                length: n("length"),
                kind: n("kind"),
                status: n("status"),
                check: u64::from_str_radix(json_field(o, "check"), 16).expect("hex check"),
            }
        })
        .collect()
}

#[test]
fn check64_matches_every_vector() {
    let vectors = check_vectors();
    assert!(vectors.len() >= 12, "{} vectors", vectors.len());
    for c in vectors {
        let got = check64(&c, &check_payload(c.length as usize));
        assert_eq!(got, c.check, "length {}: {got:016x} != {:016x}", c.length, c.check);
    }
}

#[test]
fn copying_in_and_out_checks_exactly_the_bytes_copied() {
    let g = geometry(1, 2, 4096);
    let m = segment(&g);
    for c in check_vectors() {
        let n = c.length as usize;
        let payload = check_payload(n);
        // Both ends of every length, at an offset that is not a multiple of 8.
        for off in [g.payload_offset, g.payload_offset + 3] {
            assert_eq!(m.copy_in_checked(off, &c, &payload), c.check, "in: length {n} at {off}");
            let mut v = vec![0xaa; 7];
            assert_eq!(check_refused(&c, m.copy_out_check64(off, &c, &mut v)), None, "out: length {n} at {off}");
            assert_eq!(v, payload, "length {n} at {off}");
            // SAFETY: in bounds; nothing else uses the segment.
            let shm = unsafe { m.bytes(off, n) };
            for at in [0, n / 2, n.saturating_sub(1)].into_iter().filter(|_| n > 0) {
                shm[at] ^= 0x10;
                let why = check_refused(&c, m.copy_out_check64(off, &c, &mut v)).unwrap_or_else(|| panic!("byte {at} of {n} flipped was accepted"));
                assert!(why.contains(&format!("does not match {:016x}", check64(&c, &v))), "{why}");
                assert_eq!(v[at], payload[at] ^ 0x10, "the copy is what was checked");
                shm[at] ^= 0x10;
            }
        }
    }
}

#[test]
fn a_flipped_payload_byte_or_cell_field_is_refused() {
    let c = check_vectors().into_iter().find(|c| c.length == 100).expect("a 100-byte vector");
    let payload = check_payload(100);
    assert_eq!(check_refused(&c, check64(&c, &payload)), None);
    for at in [0, 7, 8, 31, 32, 99] {
        let mut bad = payload.clone();
        bad[at] ^= 0x10;
        let why = check_refused(&c, check64(&c, &bad)).unwrap_or_else(|| panic!("byte {at} flipped was accepted"));
        let want = format!("cell.check={:016x} for slot {} does not match {:016x}", c.check, c.slot, check64(&c, &bad));
        assert!(why.contains(&want), "{why}");
    }
    type Flip = fn(&mut Cell);
    let fields: [(&str, Flip); 7] = [
        ("slot", |c| c.slot ^= 1),
        ("generation", |c| c.generation ^= 1 << 31),
        ("method", |c| c.method ^= 4),
        ("kind", |c| c.kind ^= 1),
        ("status", |c| c.status ^= 2),
        ("check", |c| c.check ^= 1 << 63),
        ("length", |c| c.length -= 1),
    ];
    for (name, flip) in fields {
        let mut bad = c;
        flip(&mut bad);
        let payload = &payload[..bad.length as usize];
        assert!(check_refused(&bad, check64(&bad, payload)).is_some(), "cell.{name} flipped was accepted");
    }
}

#[test]
fn the_private_buffers_are_reused_not_reallocated() {
    let mut v = take_private(&PRIVATE_REPLY);
    v.reserve(4096);
    let at = v.as_ptr();
    put_private(&PRIVATE_REPLY, v);
    let (g, m) = {
        let g = geometry(1, 2, 4096);
        let m = segment(&g);
        (g, m)
    };
    for n in [4096, 1, 0, 4000] {
        let mut v = take_private(&PRIVATE_REPLY);
        m.copy_out(g.payload_offset, n, &mut v);
        assert_eq!((v.len(), v.as_ptr()), (n, at), "a copy of {n} bytes moved the buffer");
        put_private(&PRIVATE_REPLY, v);
    }
}

/// Rough cost of check64 (cargo test -- --ignored --nocapture check64_speed).
#[test]
#[ignore]
fn check64_speed() {
    for n in [64usize, 4096] {
        let payload = check_payload(n);
        let mut c = cell(1);
        c.length = n as u32;
        let rounds = if n < 1024 { 20_000_000 } else { 500_000 };
        let mut acc = 0u64;
        let t = std::time::Instant::now();
        for i in 0..rounds {
            c.slot = i as u32;
            acc ^= check64(std::hint::black_box(&c), std::hint::black_box(&payload));
        }
        let ns = t.elapsed().as_nanos() as f64 / rounds as f64;
        println!("check64 of {n} B: {ns:.1} ns ({:.2} B/ns) [{acc:x}]", n as f64 / ns);
        let mut out = vec![0u8; n];
        let t = std::time::Instant::now();
        for i in 0..rounds {
            c.slot = i as u32;
            // SAFETY: both buffers hold n bytes.
            acc ^= unsafe { copy_check64(std::hint::black_box(&c), payload.as_ptr(), Some(out.as_mut_ptr()), n) };
        }
        let ns = t.elapsed().as_nanos() as f64 / rounds as f64;
        println!("copy and check64 of {n} B: {ns:.1} ns ({:.2} B/ns) [{acc:x}]", n as f64 / ns);
    }
}

unsafe extern "C" {
    fn sem_unlink(name: *const c_char) -> c_int;
}

/// A doorbell on a semaphore of its own, already unlinked (the handle stays valid).
fn bell(name: &str, parked: usize) -> Bell {
    let c = cstr(name);
    // SAFETY: a fresh semaphore; the bell closes its handle when dropped.
    let sem = unsafe { sys::sem_open(c.as_ptr(), sys::O_CREAT, 0o600 as c_int, 0 as c_int) };
    assert!(!sem.is_null() && sem as isize != -1, "sem_open {name}");
    unsafe { sem_unlink(c.as_ptr()) };
    Bell { parked, sem }
}

/// A caller connection on segment `g` in anonymous memory, as `Conn::connect` builds it,
/// without the attach and the reader thread: the test plays the callee and pops.
fn conn(g: Geometry) -> Conn {
    let names = Names::fresh("t");
    let map = segment(&g);
    for (off, cap) in [
        (g.request_ring_offset, g.request_ring_capacity),
        (g.completion_ring_offset, g.completion_ring_capacity),
    ] {
        for i in 0..cap {
            let cell = off + l::RING_SIZE + i * l::CELL_SIZE;
            map.u64(cell + l::CELL_SEQ).store(i as u64, Ordering::Relaxed);
        }
    }
    let callee_bell = bell(&names.callee_bell(), l::HEADER_CALLEE_PARKED);
    let caller_bell = bell(&names.caller_bell(), l::HEADER_CALLER_PARKED);
    Conn::new(map, g, names, callee_bell, caller_bell, None, None)
}

const SENTINEL: u8 = 0xe7;

/// Fill `n` bytes of the segment at `off` with SENTINEL.
fn fill(c: &Conn, off: usize, n: usize) {
    // SAFETY: in bounds; nothing else uses the segment.
    unsafe { c.map.bytes(off, n) }.fill(SENTINEL);
}

/// Whether the `n` bytes at `off` still hold SENTINEL.
fn untouched(c: &Conn, off: usize, n: usize) -> bool {
    // SAFETY: as above.
    unsafe { c.map.bytes(off, n) }
        .iter()
        .all(|&b| b == SENTINEL)
}

/// Flip `bits` of the byte at `off` (a third party writing shared memory).
fn flip(c: &Conn, off: usize, bits: u8) {
    // SAFETY: in bounds; nothing else uses the segment.
    unsafe { c.map.bytes(off, 1)[0] ^= bits };
}

/// The cell the next push into `r` fills.
fn next_cell(c: &Conn, r: &Ring) -> usize {
    let pos = c.map.u64(r.off + l::RING_ENQUEUE_POS);
    r.cell(pos.load(Ordering::Relaxed))
}

/// A request of `n` bytes submitted in a fresh slot, popped as the callee pops it: the
/// cell, the check and copy of an inline payload, the request area and the cell used.
fn submit_and_pop(c: &Conn, n: usize) -> (Cell, Option<(u64, Vec<u8>)>, usize, usize) {
    let slot = c.try_alloc(None, false).unwrap().expect("a free slot");
    let before = c.slot_word(slot).load(Ordering::Relaxed);
    let area = c.request_area(slot);
    let at = next_cell(c, &c.req_ring);
    fill(c, area, c.geometry.request_capacity);
    fill(c, at + l::CELL_INLINE, l::CELL_INLINE_MAX);
    let payload = check_payload(n);
    let generation = c
        .submit(
            slot,
            9,
            l::CELL_KIND_CALL,
            n,
            |b| b.copy_from_slice(&payload),
            REC_SENT,
        )
        .unwrap();
    let word = c.slot_word(slot).load(Ordering::Relaxed);
    assert_eq!(word, before, "a submit leaves the slot word alone");
    let (cell, inline) = pop(&c.req_ring, &c.map).unwrap().expect("the request cell");
    assert_eq!(
        (cell.slot, cell.generation, cell.method, cell.length),
        (slot, generation, 9, n as u32)
    );
    (cell, inline, area, at)
}

#[test]
fn a_short_request_travels_in_its_cell_and_leaves_the_request_area_alone() {
    let c = conn(geometry(4, 4, 256));
    for n in [0, l::CELL_INLINE_MAX - 1, l::CELL_INLINE_MAX] {
        let (cell, inline, area, at) = submit_and_pop(&c, n);
        let payload = check_payload(n);
        assert_eq!(cell.check, check64(&cell, &payload), "{n} bytes");
        assert_eq!(inline, Some((cell.check, payload)), "{n} bytes");
        assert!(
            untouched(&c, area, c.geometry.request_capacity),
            "{n} bytes: the request area was written"
        );
        let rest = l::CELL_INLINE_MAX - n;
        assert!(untouched(&c, at + l::CELL_INLINE + n, rest), "{n} bytes");
    }
}

#[test]
fn a_long_request_goes_to_the_request_area_not_the_cell() {
    let c = conn(geometry(4, 4, 256));
    for n in [l::CELL_INLINE_MAX + 1, 200, 256] {
        let (cell, inline, area, at) = submit_and_pop(&c, n);
        assert_eq!(inline, None, "{n} bytes were announced inline");
        let payload = check_payload(n);
        // SAFETY: in bounds; nothing else uses the segment.
        assert_eq!(unsafe { c.map.bytes(area, n) }, &payload[..], "{n} bytes");
        assert_eq!(cell.check, check64(&cell, &payload), "{n} bytes");
        assert!(
            untouched(&c, area + n, c.geometry.request_capacity - n),
            "{n} bytes"
        );
        assert!(
            untouched(&c, at + l::CELL_INLINE, l::CELL_INLINE_MAX),
            "{n} bytes: the cell's inline bytes were written"
        );
    }
}

/// The callee's answer to `req`: `reply` in the cell (short) or in the response area
/// (long, with the area's other bytes SENTINEL), its check computed over `reply`; then
/// `tamper` changes the shared bytes (the cell at `at`) before the caller pops.
fn answer(c: &Conn, req: &Cell, reply: &[u8], tamper: impl FnOnce(&Conn, usize)) {
    let mut cell = Cell {
        length: reply.len() as u32,
        kind: l::CELL_KIND_REPLY,
        status: l::CALL_STATUS_OK,
        check: 0,
        ..*req
    };
    let area = c.response_area(req.slot);
    fill(c, area, c.geometry.response_capacity);
    if !is_inline(cell.length) {
        cell.check = c.map.copy_in_checked(area, &cell, reply);
    }
    let at = next_cell(c, &c.comp_ring);
    assert!(c.comp_ring.try_push(&c.map, cell, reply).unwrap());
    tamper(c, at);
}

#[test]
fn a_short_completion_is_read_from_its_cell_a_long_one_from_the_response_area() {
    let c = conn(geometry(2, 2, 256));
    for n in [0, 1, l::CELL_INLINE_MAX, l::CELL_INLINE_MAX + 1, 256] {
        let (req, ..) = submit_and_pop(&c, 8);
        let reply: Vec<u8> = check_payload(n).iter().map(|b| b ^ 0x5a).collect();
        // A short reply's response area holds SENTINEL, a long one's cell too: a reader
        // looking in the wrong place gets bytes that fail the check.
        answer(&c, &req, &reply, |c, at| {
            if n > l::CELL_INLINE_MAX {
                fill(c, at + l::CELL_INLINE, l::CELL_INLINE_MAX)
            }
        });
        assert!(c.pop_completion().unwrap(), "{n} bytes");
        assert!(!c.is_dead(), "{n} bytes: {:?}", c.check_dead());
        let got = c.read_reply(req.slot, |b| Ok(b.to_vec())).unwrap();
        assert_eq!(got, reply, "{n} bytes");
        let word = c.slot_word(req.slot).load(Ordering::Relaxed);
        assert_eq!(word, 0, "a call nobody abandons leaves the slot word alone");
        assert_eq!(c.free_slots(), 2);
        assert_eq!(c.in_flight(), 0);
    }
    assert!(!c.pop_completion().unwrap(), "an empty ring pops nothing");
}

#[test]
fn an_abandoned_call_is_marked_in_the_slot_word_until_its_completion_comes() {
    let c = conn(geometry(2, 2, 256));
    let (req, ..) = submit_and_pop(&c, 8);
    let word = |c: &Conn| c.slot_word(req.slot).load(Ordering::Relaxed);
    c.drop_call(req.slot, req.generation);
    let marked = (req.generation as u64) << 32 | l::SLOT_STATE_ABANDONED as u64;
    assert_eq!(word(&c), marked, "the callee must see the call abandoned");
    assert_eq!(c.free_slots(), 1, "the slot stays out until the callee answers");
    answer(&c, &req, b"", |_, _| {});
    assert!(c.pop_completion().unwrap());
    let cleared = (req.generation as u64) << 32 | l::SLOT_STATE_FREE as u64;
    assert_eq!(word(&c), cleared, "the mark is cleared before the slot is reused");
    assert_eq!((c.free_slots(), c.in_flight()), (2, 0));
    // Dropped once its reply is READY: nothing for the callee to skip, the slot frees now.
    let (req, ..) = submit_and_pop(&c, 8);
    answer(&c, &req, b"ok", |_, _| {});
    assert!(c.pop_completion().unwrap());
    c.drop_call(req.slot, req.generation);
    let cleared = (req.generation as u64) << 32 | l::SLOT_STATE_FREE as u64;
    assert_eq!(c.slot_word(req.slot).load(Ordering::Relaxed), cleared);
    assert_eq!((c.free_slots(), c.in_flight()), (2, 0));
}

#[test]
fn a_short_completion_with_a_changed_inline_byte_is_refused() {
    for (n, at_byte) in [(1, 0), (8, 7), (l::CELL_INLINE_MAX, l::CELL_INLINE_MAX - 1)] {
        let c = conn(geometry(2, 2, 256));
        let (req, ..) = submit_and_pop(&c, 8);
        let reply = check_payload(n);
        let mut seen = reply.clone();
        seen[at_byte] ^= 0x40;
        answer(&c, &req, &reply, |c, at| {
            flip(c, at + l::CELL_INLINE + at_byte, 0x40);
        });
        assert!(c.pop_completion().unwrap());
        let cell = Cell {
            length: n as u32,
            kind: l::CELL_KIND_REPLY,
            status: l::CALL_STATUS_OK,
            ..req
        };
        let why = match c.check_dead() {
            Err(ShmError::PeerGone(why)) => why,
            other => panic!("{n} bytes, byte {at_byte} changed: {other:?}"),
        };
        let want = format!(
            "protocol violation: callee of {} wrote completion_ring cell.check={:016x} for slot {} does not match {:016x}",
            c.names.segment(),
            check64(&cell, &reply),
            req.slot,
            check64(&cell, &seen)
        );
        assert!(why.contains(&want), "{why}\nwants {want}");
        assert_eq!(
            c.recs[req.slot as usize].state.load(Ordering::Acquire),
            REC_DEAD,
            "the pending call failed"
        );
    }
}

#[test]
fn a_short_completion_out_of_range_is_refused_for_its_range_first() {
    // response_capacity 64: a 70-byte reply fits the cell, not the area it stands for.
    let c = conn(geometry(2, 2, 64));
    let (req, ..) = submit_and_pop(&c, 8);
    answer(&c, &req, &check_payload(70), |c, at| {
        flip(c, at + l::CELL_INLINE, 1);
    });
    assert!(c.pop_completion().unwrap());
    let why = format!("{:?}", c.check_dead());
    assert!(
        why.contains("wrote completion_ring cell.length=70 exceeds header.response_capacity=64"),
        "{why}"
    );
}

/// A fresh directory for one lock-file test (`tag` keeps tests apart) and a lock path in it.
fn lock_dir(tag: &str) -> (std::path::PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("r2g-lock-test-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("r2g-x.lock-caller-{tag}")).to_str().unwrap().to_string();
    (dir, path)
}

#[test]
fn a_lock_probe_watches_its_owners_file_not_the_path() {
    let (dir, path) = lock_dir("probe");
    let owner = OwnerLock::take(&path).expect("take");
    let probe = LockProbe::open(&path).expect("the owner's file");
    assert!(probe.alive());
    assert!(probe.alive(), "a probe of a live owner can be repeated");
    drop(owner); // the owner leaves; its file goes with it
    assert!(!probe.alive());
    let successor = OwnerLock::take(&path).expect("a successor takes the path");
    assert!(lock_alive(&path), "the path names the successor's live file");
    assert!(!probe.alive(), "the probe still names the first owner's file");
    drop(successor);
    // A probe that found its owner gone keeps no lock: a remover's LOCK_EX still succeeds.
    std::fs::write(&path, b"").unwrap(); // a dead owner's file, left behind
    let stale = LockProbe::open(&path).expect("a dead owner's file");
    assert!(!stale.alive());
    remove_if_dead(&path);
    assert!(!std::path::Path::new(&path).exists(), "the probe's shared lock kept the file");
    assert!(LockProbe::open(&path).is_none(), "no file, no probe");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_dead_owners_lock_file_goes_and_a_live_owners_stays() {
    let (dir, path) = lock_dir("owner");
    let owner = OwnerLock::take(&path).expect("take");
    remove_if_dead(&path);
    assert!(std::path::Path::new(&path).exists() && lock_alive(&path), "a live owner's file was removed");
    // A second take from this process fails: the lock is held.
    assert!(OwnerLock::take(&path).is_err());
    drop(owner);
    assert!(!std::path::Path::new(&path).exists(), "the owner removes its file");
    std::fs::write(&path, b"").unwrap(); // a dead owner's file, left behind
    assert!(!lock_alive(&path));
    let fresh = OwnerLock::take(&path).expect("a dead owner's file is taken over");
    assert!(lock_alive(&path));
    drop(fresh);
    std::fs::write(&path, b"").unwrap();
    remove_if_dead(&path);
    assert!(!std::path::Path::new(&path).exists(), "a dead owner's file stays");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_lock_file_replaced_at_its_path_is_not_the_one_held() {
    let (dir, path) = lock_dir("at");
    let owner = OwnerLock::take(&path).expect("take");
    assert!(is_at(owner.fd, &owner.path));
    std::fs::remove_file(&path).unwrap();
    assert!(!is_at(owner.fd, &owner.path), "a removed file still reads as the one at its path");
    std::fs::write(&path, b"").unwrap();
    assert!(!is_at(owner.fd, &owner.path), "another file at the path reads as the one held");
    drop(owner);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A waker that counts its wake-ups.
struct Count(std::sync::atomic::AtomicUsize);

impl std::task::Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_slot_freed_while_callers_wait_wakes_one_only_if_no_newcomer_takes_it() {
    let c = conn(geometry(1, 2, 64));
    let count = Arc::new(Count(std::sync::atomic::AtomicUsize::new(0)));
    let waker = Waker::from(Arc::clone(&count));
    let woken = || count.0.load(Ordering::SeqCst);
    let slot = c.try_alloc(None, false).unwrap().expect("the one slot");
    assert_eq!(c.try_alloc(Some(&waker), false).unwrap(), None, "no slot: waits");
    c.release(slot);
    assert_eq!(woken(), 0, "not woken by the release itself");
    // The call that freed it calls again and takes it: the wake-up is void.
    assert_eq!(c.try_alloc(None, false).unwrap(), Some(slot));
    c.pay_owed_wakes();
    assert_eq!(woken(), 0, "nothing was owed any more");
    // Freed again and left free: the reader wakes the waiter, once.
    c.release(slot);
    c.pay_owed_wakes();
    c.pay_owed_wakes();
    assert_eq!(woken(), 1);
    assert_eq!(c.try_alloc(Some(&waker), true).unwrap(), Some(slot), "the woken waiter's");
    // While the reader sleeps on the doorbell, the release pays at once.
    assert_eq!(c.try_alloc(Some(&waker), false).unwrap(), None);
    c.reader_asleep.store(true, Ordering::SeqCst);
    c.release(slot);
    assert_eq!(woken(), 2);
}
