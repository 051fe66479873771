// Wire for HashMap and BTreeMap: a map travels as two parallel lists.

fn map_size<'a, K: Wire + 'a, V: Wire + 'a>(
    entries: impl ExactSizeIterator<Item = (&'a K, &'a V)>,
    acc: &mut usize,
) {
    let n = entries.len();
    *acc += round8(n * size_of::<K::Ref>()) + round8(n * size_of::<V::Ref>());
    if K::DEEP || V::DEEP {
        for (k, v) in entries {
            k.size(acc);
            v.size(acc);
        }
    }
}

fn map_size_owned<'a, K: Wire + 'a, V: Wire + 'a>(
    entries: impl ExactSizeIterator<Item = (&'a K, &'a V)>,
    acc: &mut usize,
) {
    let n = entries.len();
    *acc += round8(n * size_of::<K::Ref>()) + round8(n * size_of::<V::Ref>());
    for (k, v) in entries {
        k.size_owned(acc);
        v.size_owned(acc);
    }
}

fn map_to_ref<'a, K: Wire + 'a, V: Wire + 'a>(
    entries: impl ExactSizeIterator<Item = (&'a K, &'a V)>,
    w: &mut Writer,
) -> MapRef {
    let n = entries.len();
    if n == 0 {
        return MapRef { keys: ListRef::NULL, values: ListRef::NULL };
    }
    let keys = w.take::<K::Ref>(n);
    let values = w.take::<V::Ref>(n);
    for (i, (k, v)) in entries.enumerate() {
        let (kr, vr) = (k.to_ref(w), v.to_ref(w));
        unsafe {
            keys.add(i).write(kr);
            values.add(i).write(vr);
        }
    }
    MapRef { keys: ListRef::of(keys, n), values: ListRef::of(values, n) }
}

unsafe fn map_from_ref<K: Wire, V: Wire, M: ::core::iter::FromIterator<(K, V)>>(r: &MapRef) -> M {
    let n = r.keys.len;
    if n == 0 {
        return ::core::iter::empty().collect();
    }
    let keys = unsafe { ::core::slice::from_raw_parts(r.keys.ptr.cast::<K::Ref>(), n) };
    let values = unsafe { ::core::slice::from_raw_parts(r.values.ptr.cast::<V::Ref>(), n) };
    keys.iter().zip(values).map(|(k, v)| unsafe { (K::from_ref(k), V::from_ref(v)) }).collect()
}

impl<K: Wire + Eq + ::std::hash::Hash, V: Wire, S: ::std::hash::BuildHasher + Default> Wire
    for ::std::collections::HashMap<K, V, S>
{
    type Ref = MapRef;
    const DEEP: bool = true;
    fn size(&self, acc: &mut usize) {
        map_size(self.iter(), acc)
    }
    fn size_owned(&self, acc: &mut usize) {
        map_size_owned(self.iter(), acc)
    }
    fn to_ref(&self, w: &mut Writer) -> MapRef {
        map_to_ref(self.iter(), w)
    }
    unsafe fn from_ref(r: &MapRef) -> Self {
        unsafe { map_from_ref::<K, V, Self>(r) }
    }
}

impl<K: Wire + Ord, V: Wire> Wire for ::std::collections::BTreeMap<K, V> {
    type Ref = MapRef;
    const DEEP: bool = true;
    fn size(&self, acc: &mut usize) {
        map_size(self.iter(), acc)
    }
    fn size_owned(&self, acc: &mut usize) {
        map_size_owned(self.iter(), acc)
    }
    fn to_ref(&self, w: &mut Writer) -> MapRef {
        map_to_ref(self.iter(), w)
    }
    unsafe fn from_ref(r: &MapRef) -> Self {
        unsafe { map_from_ref::<K, V, Self>(r) }
    }
}
