// ---- rings --------------------------------------------------------------------
// cell   producer: CAS enqueue_pos when seq==pos, body (with an inline payload), store-release seq=pos+1
//        consumer: CAS dequeue_pos when seq==pos+1, copy the body (with an inline payload), store-release seq=pos+C
// A payload of at most CELL_INLINE_MAX bytes travels in the cell's own `inline` bytes
// (`length` alone says so): the producer copies it in with the body, the consumer copies
// it out before the release, since the producer may reuse the cell from then on. A
// longer one is in the slot's request (response) area, and the cell only announces it.
#[derive(Clone, Copy)]
pub struct Cell {
    pub slot: u32,
    pub generation: u32,
    pub method: u32,
    pub length: u32,
    pub kind: u32,
    pub status: u32,
    pub check: u64, // check64 of the fields above and the payload (check.rs)
}

/// Whether a payload of `length` bytes travels in its cell (else in the slot's area).
fn is_inline(length: u32) -> bool {
    length as usize <= l::CELL_INLINE_MAX
}

struct Ring {
    off: usize,
    mask: u64,
    cap: u64,
}

impl Ring {
    fn cell(&self, pos: u64) -> usize {
        self.off + l::RING_SIZE + ((pos & self.mask) as usize) * l::CELL_SIZE
    }

    /// Claims the cell at the producer (`consumer` 0) or consumer (`consumer` 1) position:
    /// its position, or None when the ring is full (empty).
    fn claim(&self, m: &Mapping, consumer: u64) -> Result<Option<u64>, ShmError> {
        let (ctr, field) = if consumer == 0 {
            (m.u64(self.off + l::RING_ENQUEUE_POS), "enqueue_pos")
        } else {
            (m.u64(self.off + l::RING_DEQUEUE_POS), "dequeue_pos")
        };
        let mut pos = ctr.load(Ordering::Acquire);
        loop {
            let seq = m.u64(self.cell(pos) + l::CELL_SEQ).load(Ordering::Acquire);
            let dif = seq.wrapping_sub(pos + consumer) as i64;
            if dif == 0 {
                match ctr.compare_exchange(pos, pos + 1, Ordering::SeqCst, Ordering::Acquire) {
                    Ok(_) => return Ok(Some(pos)),
                    Err(now) => pos = now,
                }
            } else if dif < 0 {
                self.waits(pos, seq, dif, field)?;
                return Ok(None);
            } else {
                pos = self.moved(ctr, pos)?;
            }
        }
    }

    /// Push `c`. A short payload (`is_inline(c.length)`) is `payload`, this side's
    /// private bytes: they are copied into the cell and `c.check` is computed over them
    /// in the same pass. A longer one is in the slot's area already, `c.check` computed,
    /// and `payload` is not read. False (nothing written) when the ring is full.
    fn try_push(&self, m: &Mapping, mut c: Cell, payload: &[u8]) -> Result<bool, ShmError> {
        let Some(pos) = self.claim(m, 0)? else {
            return Ok(false);
        };
        let cell = self.cell(pos);
        if is_inline(c.length) {
            c.check = m.copy_in_checked(cell + l::CELL_INLINE, &c, &payload[..c.length as usize]);
        }
        for (off, v) in [
            (l::CELL_SLOT, c.slot),
            (l::CELL_GENERATION, c.generation),
            (l::CELL_METHOD, c.method),
            (l::CELL_LENGTH, c.length),
            (l::CELL_KIND, c.kind),
            (l::CELL_STATUS, c.status),
        ] {
            m.u32(cell + off).store(v, Ordering::Relaxed);
        }
        m.u64(cell + l::CELL_CHECK).store(c.check, Ordering::Relaxed);
        m.u64(cell + l::CELL_SEQ).store(pos + 1, Ordering::Release);
        Ok(true)
    }

    /// Pop a cell. A short payload is copied out of the cell into `inline` (this side's
    /// private buffer) before the cell is released, with its check64 computed over the
    /// copy in the same pass: that check comes with the cell (the caller compares it
    /// with `check` once the cell's ranges passed). None for a longer payload, which is
    /// read from the slot's area, and `inline` is then left as it was.
    fn try_pop(&self, m: &Mapping, inline: &mut Vec<u8>) -> Result<Option<(Cell, Option<u64>)>, ShmError> {
        let Some(pos) = self.claim(m, 1)? else {
            return Ok(None);
        };
        let cell = self.cell(pos);
        let f = |off: usize| m.u32(cell + off).load(Ordering::Relaxed);
        let c = Cell {
            slot: f(l::CELL_SLOT),
            generation: f(l::CELL_GENERATION),
            method: f(l::CELL_METHOD),
            length: f(l::CELL_LENGTH),
            kind: f(l::CELL_KIND),
            status: f(l::CELL_STATUS),
            check: m.u64(cell + l::CELL_CHECK).load(Ordering::Relaxed),
        };
        // Whatever the cell's other fields say, these bytes lie inside the cell.
        let copied = is_inline(c.length).then(|| m.copy_out_check64(cell + l::CELL_INLINE, &c, inline));
        m.u64(cell + l::CELL_SEQ).store(pos + self.cap, Ordering::Release);
        Ok(Some((c, copied)))
    }

    /// Empty: not yet written, or the last lap taken and not yet released. Anything else,
    /// full or a seq no cell can have, is for a pop to take or report.
    fn is_empty(&self, m: &Mapping) -> bool {
        let pos = m.u64(self.off + l::RING_DEQUEUE_POS).load(Ordering::Acquire);
        let seq = m.u64(self.cell(pos) + l::CELL_SEQ).load(Ordering::Acquire);
        seq == pos || seq == (pos + 1).wrapping_sub(self.cap)
    }

    /// A cell that is not ready for its side (full for a producer, empty for a consumer;
    /// `dif` = seq - the seq it waits for) still holds a seq it can have: its position or
    /// one more modulo the capacity, at most one lap behind. Any other value is a stray
    /// write that would otherwise read as full (empty) for good.
    fn waits(&self, pos: u64, seq: u64, dif: i64, field: &str) -> Result<(), ShmError> {
        if dif >= -(self.cap as i64) && (seq.wrapping_sub(pos) & self.mask) <= 1 {
            return Ok(());
        }
        Err(ShmError::Layout(format!(
            "ring cell[{}].seq={seq} cannot be the seq of a cell at {field}={pos}: ring corrupt",
            pos & self.mask
        )))
    }

    /// Another thread moved the position, or (if it did not) the ring is corrupt.
    fn moved(&self, counter: &AtomicU64, pos: u64) -> Result<u64, ShmError> {
        let now = counter.load(Ordering::Acquire);
        if now == pos {
            return Err(ShmError::Layout(format!("ring cell[{}].seq is ahead of its position {pos}: ring corrupt", pos & self.mask)));
        }
        Ok(now)
    }
}
