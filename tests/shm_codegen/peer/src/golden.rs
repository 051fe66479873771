//! The golden payloads (tests/shm_codegen/vectors) through the generated methods: the
//! callee (test_golden_payloads.py) compares the request bytes with the request image and
//! answers with the reply image, which must decode to the values below. They are Python's
//! `sample_all` / `sample_kinds` stated again in Rust: an independent statement per
//! language is the point.
use crate::api::{All, Color, Empty, Inner, Kinds, Point, SvcShm, Tree, Wide, r2g_shm::block_on};
use std::collections::{BTreeMap, HashMap};

pub fn all() -> All {
    All {
        b: false,
        ch: 'é',
        f: 1.5,
        s: "hello 0".into(),
        v: vec![1, 2, 0],
        vs: vec!["a".into(), String::new(), "bc".into()],
        o: Some(Inner { tag: "t".into(), vals: vec![5, 6, 0] }),
        op: Some(0),
        m: BTreeMap::from([("k".into(), vec![Point { x: 1, y: -2, c: Color::Blue }]), ("z".into(), vec![])]),
        e: Color::Red,
        inner: vec![Inner { tag: String::new(), vals: vec![] }, Inner { tag: "x".into(), vals: vec![0] }],
    }
}

fn tree(label: &str, kids: Vec<Tree>) -> Tree {
    Tree { label: label.into(), kids }
}

pub fn kinds() -> Kinds {
    Kinds {
        a: 0xFF,
        b: 0xBEEF,
        c: 0xDEAD_BEEF,
        d: u64::MAX,
        e: (1 << 40) + 3,
        f: -128,
        g: -2,
        h: i32::MIN,
        i: i64::MIN,
        j: -7,
        k: -2.25,
        flags: vec![true, false, true],
        chars: vec!['a', 'é', '😀'],
        floats: vec![0.5, -1.0],
        wides: vec![Wide::Low, Wide::High],
        nested: vec![vec![1, 2], vec![], vec![65535]],
        os: Some("opt".into()),
        ov: Some(vec!["x".into(), String::new()]),
        oo: Some(Some(-5)),
        oe: Some(Wide::High),
        none: None,
        by_id: HashMap::from([(42, "answer".into())]),
        by_char: BTreeMap::from([('ß', Empty {})]),
        empty: Empty {},
        w: Wide::Low,
        tree: tree("root", vec![tree("leaf", vec![]), tree("", vec![tree("deep", vec![])])]),
    }
}

pub fn check(c: &SvcShm) {
    let mut want = all();
    want.m.remove("z"); // reply images hold maps of one entry (Go writes maps in random order)
    assert_eq!(block_on(c.echo_all(all())).expect("echo_all"), want, "echo_all reply image");
    println!("ok golden echo_all");
    assert_eq!(c.kinds(&kinds(), 9).expect("kinds"), kinds(), "kinds reply image");
    println!("ok golden kinds");
}
