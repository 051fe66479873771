// ---- check64: the integrity check every ring cell carries ----------------------
// The algorithm is defined in shm/layout.py (above CHECK_K1), its reference is
// shm/check.py. The writer computes it over its private bytes before they go to the
// slot; the reader copies the bytes out first and checks and decodes only its copy.
const CHECK_BLOCK: usize = 8 * l::CHECK_LANES;

#[inline(always)]
fn check_mix(a: u64, w: u64) -> u64 {
    (a ^ w).wrapping_mul(l::CHECK_K1).rotate_left(l::CHECK_ROT as u32)
}

#[inline(always)]
fn check_word(b: &[u8], i: usize) -> u64 {
    u64::from_le_bytes(std::convert::TryInto::try_into(&b[8 * i..8 * i + 8]).expect("8 bytes"))
}

/// check64 of a cell's fields slot..status and of `payload`, the `c.length` bytes it
/// announces. Each lane is its own multiply chain, so the lanes' multiplies overlap.
pub fn check64(c: &Cell, payload: &[u8]) -> u64 {
    debug_assert_eq!(payload.len(), c.length as usize);
    let mut lanes: [u64; l::CHECK_LANES] = [
        (c.slot as u64 | (c.generation as u64) << 32) ^ l::CHECK_K2,
        (c.method as u64 | (c.length as u64) << 32) ^ l::CHECK_K3,
        (c.kind as u64 | (c.status as u64) << 32) ^ l::CHECK_K1,
        l::CHECK_K2 ^ l::CHECK_K3,
    ];
    let mut blocks = payload.chunks_exact(CHECK_BLOCK);
    let mut absorb = |b: &[u8]| {
        for (i, lane) in lanes.iter_mut().enumerate() {
            *lane = check_mix(*lane, check_word(b, i));
        }
    };
    for b in &mut blocks {
        absorb(b);
    }
    let rest = blocks.remainder();
    if !rest.is_empty() {
        let mut tail = [0u8; CHECK_BLOCK]; // the algorithm zero-pads the last block
        tail[..rest.len()].copy_from_slice(rest);
        absorb(&tail);
    }
    let mut h = lanes.iter().fold(l::CHECK_K3, |h, &lane| check_mix(h, lane));
    h ^= h >> 33;
    h = h.wrapping_mul(l::CHECK_K2);
    h ^= h >> 29;
    h = h.wrapping_mul(l::CHECK_K3);
    h ^ (h >> 32)
}

/// Why a cell announcing `payload` (the reader's private copy) is refused: its check.
fn check_refused(c: &Cell, payload: &[u8]) -> Option<String> {
    let want = check64(c, payload);
    (want != c.check).then(|| {
        format!(
            "cell.check={:016x} for slot {} does not match {want:016x}, the check64 of its fields and its {} payload bytes",
            c.check, c.slot, c.length
        )
    })
}

// This thread's private bytes: a request is encoded here, checked, then copied into its
// slot; a reply is copied out of its slot here, checked, then handed to its call by
// swapping buffers with the slot's record. Reused, so a call allocates nothing once the
// buffers have grown to the sizes in use.
thread_local! {
    static PRIVATE_REQUEST: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
    static PRIVATE_REPLY: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

type Private = std::thread::LocalKey<std::cell::Cell<Vec<u8>>>;

/// Borrow this thread's buffer (an empty one while it is out, or during thread exit).
fn take_private(key: &'static Private) -> Vec<u8> {
    key.try_with(|p| p.take()).unwrap_or_default()
}

fn put_private(key: &'static Private, v: Vec<u8>) {
    let _ = key.try_with(|p| p.set(v));
}
