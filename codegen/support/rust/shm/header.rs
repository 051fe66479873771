// ---- header validation (shm/validate.py) --------------------------------------
#[derive(Clone, Copy, Debug)]
pub struct Geometry {
    pub slot_count: usize,
    pub request_ring_capacity: usize,
    pub completion_ring_capacity: usize,
    pub request_capacity: usize,
    pub response_capacity: usize,
    pub request_ring_offset: usize,
    pub completion_ring_offset: usize,
    pub slot_table_offset: usize,
    pub payload_offset: usize,
    pub payload_stride: usize,
    pub segment_size: usize,
}

fn align64(n: usize) -> usize {
    n.div_ceil(l::CACHE_LINE) * l::CACHE_LINE
}

fn bad(field: &str, v: usize, why: String) -> ShmError {
    ShmError::Layout(format!("ShmLayoutError: header.{field}={v} {why}"))
}

fn read_geometry(m: &Mapping) -> Result<Geometry, ShmError> {
    let u32f = |off: usize| m.u32(off).load(Ordering::Acquire) as usize;
    let u64f = |off: usize| m.u64(off).load(Ordering::Acquire) as usize;
    if m.u64(l::HEADER_MAGIC).load(Ordering::Acquire) != l::MAGIC {
        return Err(bad("magic", u64f(l::HEADER_MAGIC), "is not a rust2go segment".into()));
    }
    let expect = [
        ("layout_version", u32f(l::HEADER_LAYOUT_VERSION), l::LAYOUT_VERSION as usize),
        ("header_size", u32f(l::HEADER_HEADER_SIZE), l::HEADER_SIZE),
        ("slot_record_size", u32f(l::HEADER_SLOT_RECORD_SIZE), l::SLOT_SIZE),
        ("cell_size", u32f(l::HEADER_CELL_SIZE), l::CELL_SIZE),
        ("ring_header_size", u32f(l::HEADER_RING_HEADER_SIZE), l::RING_SIZE),
        ("flags", u32f(l::HEADER_FLAGS), 0),
        ("segment_size", u64f(l::HEADER_SEGMENT_SIZE), m.len),
    ];
    for (field, got, want) in expect {
        if got != want {
            return Err(bad(field, got, format!("does not match the expected value ({want})")));
        }
    }
    let g = Geometry {
        slot_count: u32f(l::HEADER_SLOT_COUNT),
        request_ring_capacity: u32f(l::HEADER_REQUEST_RING_CAPACITY),
        completion_ring_capacity: u32f(l::HEADER_COMPLETION_RING_CAPACITY),
        request_capacity: u32f(l::HEADER_REQUEST_CAPACITY),
        response_capacity: u32f(l::HEADER_RESPONSE_CAPACITY),
        request_ring_offset: u64f(l::HEADER_REQUEST_RING_OFFSET),
        completion_ring_offset: u64f(l::HEADER_COMPLETION_RING_OFFSET),
        slot_table_offset: u64f(l::HEADER_SLOT_TABLE_OFFSET),
        payload_offset: u64f(l::HEADER_PAYLOAD_OFFSET),
        payload_stride: u32f(l::HEADER_PAYLOAD_STRIDE),
        segment_size: m.len,
    };
    check_counts(&g)?;
    check_regions(&g)?;
    let states = [
        ("segment_state", u32f(l::HEADER_SEGMENT_STATE), l::SEGMENT_STATE_CLOSED as usize),
        ("caller_state", u32f(l::HEADER_CALLER_STATE), l::CALLER_STATE_BROKEN as usize),
        ("callee_parked", u32f(l::HEADER_CALLEE_PARKED), 1),
        ("caller_parked", u32f(l::HEADER_CALLER_PARKED), 1),
    ];
    for (field, v, max) in states {
        if v > max {
            return Err(bad(field, v, format!("is outside 0..={max}")));
        }
    }
    Ok(g)
}

fn check_counts(g: &Geometry) -> Result<(), ShmError> {
    if !(1..=l::MAX_SLOTS).contains(&g.slot_count) {
        return Err(bad("slot_count", g.slot_count, format!("is outside 1..{}", l::MAX_SLOTS)));
    }
    for (f, cap) in [
        ("request_ring_capacity", g.request_ring_capacity),
        ("completion_ring_capacity", g.completion_ring_capacity),
    ] {
        if !(l::MIN_RING_CAPACITY..=l::MAX_RING_CAPACITY).contains(&cap) || !cap.is_power_of_two() {
            return Err(bad(f, cap, "is not a power of two in range".into()));
        }
    }
    if g.completion_ring_capacity < g.slot_count {
        return Err(bad(
            "completion_ring_capacity",
            g.completion_ring_capacity,
            format!("is below header.slot_count={}", g.slot_count),
        ));
    }
    for (f, cap) in [("request_capacity", g.request_capacity), ("response_capacity", g.response_capacity)] {
        if cap > l::MAX_PAYLOAD {
            return Err(bad(f, cap, format!("exceeds the limit {}", l::MAX_PAYLOAD)));
        }
    }
    let stride = align64(g.request_capacity) + align64(g.response_capacity);
    if g.payload_stride != stride {
        return Err(bad("payload_stride", g.payload_stride, format!("is not {stride}")));
    }
    Ok(())
}

fn check_regions(g: &Geometry) -> Result<(), ShmError> {
    let ring = |cap: usize| l::RING_SIZE + cap * l::CELL_SIZE;
    let mut regions = [
        ("request_ring_offset", g.request_ring_offset, ring(g.request_ring_capacity)),
        ("completion_ring_offset", g.completion_ring_offset, ring(g.completion_ring_capacity)),
        ("slot_table_offset", g.slot_table_offset, g.slot_count * l::SLOT_SIZE),
        ("payload_offset", g.payload_offset, g.slot_count * g.payload_stride),
    ];
    for (f, off, n) in regions {
        if off & (l::CACHE_LINE - 1) != 0 || off < l::HEADER_SIZE {
            return Err(bad(f, off, "is misaligned or overlaps the header".into()));
        }
        if off.checked_add(n).is_none_or(|end| end > g.segment_size) {
            return Err(bad(f, off, format!("+ region size {n} exceeds header.segment_size")));
        }
    }
    regions.sort_by_key(|r| r.1);
    for w in regions.windows(2) {
        if w[0].1 + w[0].2 > w[1].1 {
            return Err(bad(w[1].0, w[1].1, format!("overlaps header.{}", w[0].0)));
        }
    }
    Ok(())
}

// ---- the contract (shm/contract.py) -------------------------------------------
/// Which IDL a segment's payloads follow: the generator's hash of the served trait
/// (0 in a header: the callee declares none) and the IDL's file name, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Contract {
    pub hash: u64,
    pub idl: &'static str,
}

/// Refuse a callee that serves another IDL, worded as shm/contract.py words it.
fn check_contract(m: &Mapping, segment: &str, mine: &Contract) -> Result<(), ShmError> {
    let theirs = m.u64(l::HEADER_CONTRACT).load(Ordering::Acquire);
    if theirs == mine.hash {
        return Ok(());
    }
    let expects = format!("this caller expects {:016x} ({})", mine.hash, mine.idl);
    if theirs == 0 {
        return Err(ShmError::Layout(format!(
            "shm contract mismatch on {segment}: the callee declares no contract (header.contract=0), {expects}; \
             serve it from code generated from {} (a Python callee: ShmCallee.create(contract=...)), or {CONTRACT_ADVICE}",
            mine.idl
        )));
    }
    // SAFETY: header bytes inside the validated mapping, written once by the creator.
    let raw = unsafe { m.bytes(l::HEADER_IDL_NAME, l::IDL_NAME_SIZE) };
    let end = raw.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    let idl = String::from_utf8_lossy(&raw[..end]);
    Err(ShmError::Layout(format!(
        "shm contract mismatch on {segment}: the callee serves {theirs:016x} ({idl}), {expects}: \
         the two sides were generated from different IDLs (or layout versions); {CONTRACT_ADVICE}"
    )))
}

const CONTRACT_ADVICE: &str = "regenerate both sides from the same IDL";
