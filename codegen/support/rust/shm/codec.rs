// ---- the payload codec (docs/shm-codegen.md "Payload format") -----------------
pub fn round8(n: usize) -> usize {
    (n + 7) & !7
}

fn overrun(what: &str, n: usize, at: usize, len: usize) -> String {
    format!(": {n} {what} at offset {at} overrun the {len}-byte payload")
}

/// A type that travels in a payload: its Ref at `at`, its children from `cur`.
pub trait Wire: Sized {
    const REF_SIZE: usize;
    /// Bytes below the Ref (child arrays, each rounded to 8).
    fn children(&self) -> usize;
    /// Write the Ref at `at` and the children from `cur`; returns the new cursor.
    fn write(&self, buf: &mut [u8], at: usize, cur: usize) -> usize;
    /// Read back; errors are a path suffix and a reason (`.tag: ... overrun`).
    fn read(buf: &[u8], at: usize) -> Result<Self, String>;
}

fn need(buf: &[u8], at: usize, n: usize) -> Result<(), String> {
    if at.checked_add(n).is_none_or(|end| end > buf.len()) {
        return Err(overrun("bytes", n, at, buf.len()));
    }
    Ok(())
}

macro_rules! wire_le {
    ($($t:ty),*) => {$(
        impl Wire for $t {
            const REF_SIZE: usize = std::mem::size_of::<$t>();
            fn children(&self) -> usize { 0 }
            fn write(&self, buf: &mut [u8], at: usize, cur: usize) -> usize {
                buf[at..at + Self::REF_SIZE].copy_from_slice(&self.to_le_bytes());
                cur
            }
            fn read(buf: &[u8], at: usize) -> Result<Self, String> {
                need(buf, at, Self::REF_SIZE)?;
                Ok(<$t>::from_le_bytes(std::convert::TryInto::try_into(&buf[at..at + Self::REF_SIZE]).expect("sized")))
            }
        }
    )*};
}
wire_le!(u8, u16, u32, u64, i8, i16, i32, i64, f32, f64, usize, isize);

impl Wire for bool {
    const REF_SIZE: usize = 1;
    fn children(&self) -> usize {
        0
    }
    fn write(&self, buf: &mut [u8], at: usize, cur: usize) -> usize {
        buf[at] = *self as u8;
        cur
    }
    fn read(buf: &[u8], at: usize) -> Result<Self, String> {
        need(buf, at, 1)?;
        Ok(buf[at] != 0)
    }
}

impl Wire for char {
    const REF_SIZE: usize = 4;
    fn children(&self) -> usize {
        0
    }
    fn write(&self, buf: &mut [u8], at: usize, cur: usize) -> usize {
        (*self as u32).write(buf, at, cur)
    }
    fn read(buf: &[u8], at: usize) -> Result<Self, String> {
        let v = u32::read(buf, at)?;
        char::from_u32(v).ok_or_else(|| format!(": {v:#x} is not a char"))
    }
}

fn write_ref(buf: &mut [u8], at: usize, off: usize, len: usize) {
    buf[at..at + 8].copy_from_slice(&(off as u64).to_le_bytes());
    buf[at + 8..at + 16].copy_from_slice(&(len as u64).to_le_bytes());
}

fn read_ref(buf: &[u8], at: usize, elem: usize) -> Result<(usize, usize), String> {
    let off = u64::read(buf, at)? as usize;
    let n = u64::read(buf, at + 8)? as usize;
    if n > 0 && (off > buf.len() || n.checked_mul(elem).is_none_or(|b| b > buf.len() - off)) {
        return Err(overrun("items", n, off, buf.len()));
    }
    Ok((off, n))
}

impl Wire for String {
    const REF_SIZE: usize = 16;
    fn children(&self) -> usize {
        round8(self.len())
    }
    fn write(&self, buf: &mut [u8], at: usize, cur: usize) -> usize {
        let n = self.len();
        write_ref(buf, at, if n > 0 { cur } else { 0 }, n);
        buf[cur..cur + n].copy_from_slice(self.as_bytes());
        cur + round8(n)
    }
    fn read(buf: &[u8], at: usize) -> Result<Self, String> {
        let (off, n) = read_ref(buf, at, 1)?;
        String::from_utf8(buf[off..off + n].to_vec()).map_err(|e| format!(": {e}"))
    }
}

fn list_children<'a, T: Wire + 'a>(items: impl Iterator<Item = &'a T>, n: usize) -> usize {
    if n == 0 { 0 } else { round8(n * T::REF_SIZE) + items.map(Wire::children).sum::<usize>() }
}

fn write_list<'a, T: Wire + 'a>(items: impl Iterator<Item = &'a T>, n: usize, buf: &mut [u8], at: usize, cur: usize) -> usize {
    if n == 0 {
        write_ref(buf, at, 0, 0);
        return cur;
    }
    write_ref(buf, at, cur, n);
    let (base, mut cur) = (cur, cur + round8(n * T::REF_SIZE));
    for (i, x) in items.enumerate() {
        cur = x.write(buf, base + i * T::REF_SIZE, cur);
    }
    cur
}

fn read_list<T: Wire>(buf: &[u8], at: usize) -> Result<Vec<T>, String> {
    let (off, n) = read_ref(buf, at, T::REF_SIZE)?;
    (0..n).map(|i| T::read(buf, off + i * T::REF_SIZE).map_err(|e| format!("[{i}]{e}"))).collect()
}

impl<T: Wire> Wire for Vec<T> {
    const REF_SIZE: usize = 16;
    fn children(&self) -> usize {
        list_children(self.iter(), self.len())
    }
    fn write(&self, buf: &mut [u8], at: usize, cur: usize) -> usize {
        write_list(self.iter(), self.len(), buf, at, cur)
    }
    fn read(buf: &[u8], at: usize) -> Result<Self, String> {
        read_list(buf, at)
    }
}

impl<T: Wire> Wire for Option<T> {
    const REF_SIZE: usize = 16;
    fn children(&self) -> usize {
        list_children(self.iter(), self.iter().len())
    }
    fn write(&self, buf: &mut [u8], at: usize, cur: usize) -> usize {
        write_list(self.iter(), self.iter().len(), buf, at, cur)
    }
    fn read(buf: &[u8], at: usize) -> Result<Self, String> {
        let mut items = read_list::<T>(buf, at)?;
        if items.len() > 1 {
            return Err(format!(": an Option with {} elements", items.len()));
        }
        Ok(items.pop())
    }
}

macro_rules! wire_map {
    ($map:ident, $($bound:path),*) => {
        impl<K: Wire $(+ $bound)*, V: Wire> Wire for std::collections::$map<K, V> {
            const REF_SIZE: usize = 32;
            fn children(&self) -> usize {
                list_children(self.keys(), self.len()) + list_children(self.values(), self.len())
            }
            fn write(&self, buf: &mut [u8], at: usize, cur: usize) -> usize {
                // keys() and values() of an unchanged map iterate in the same order.
                let cur = write_list(self.keys(), self.len(), buf, at, cur);
                write_list(self.values(), self.len(), buf, at + 16, cur)
            }
            fn read(buf: &[u8], at: usize) -> Result<Self, String> {
                let keys = read_list::<K>(buf, at).map_err(|e| format!(".keys{e}"))?;
                let values = read_list::<V>(buf, at + 16).map_err(|e| format!(".values{e}"))?;
                if keys.len() != values.len() {
                    return Err(format!(": {} keys but {} values", keys.len(), values.len()));
                }
                Ok(keys.into_iter().zip(values).collect())
            }
        }
    };
}
wire_map!(HashMap, Eq, std::hash::Hash);
wire_map!(BTreeMap, Ord);

/// Decode a reply block's `r2g_ret` (at offset 0), naming the path on failure.
pub fn decode_ret<T: Wire>(buf: &[u8]) -> Result<T, ShmError> {
    T::read(buf, 0).map_err(|e| ShmError::Layout(format!("reply r2g_ret{e}")))
}
