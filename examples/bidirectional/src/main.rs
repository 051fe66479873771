// Rust calls Go (DemoCallImpl::..), and Go calls back into this crate's G2RCall impl while
// it runs. src/user.rs is the generated std-only binding (`rust2go generate idl/user.rs ...`).
mod user;

use user::*;

impl G2RCall for G2RCallImpl {
    fn demo_log(name: String, age: u8) {
        println!("  [rust] log: {name} turns {age}");
    }

    fn demo_convert_name(user: DemoUser) -> String {
        format!("{} ({})", user.name.to_uppercase(), user.age)
    }

    fn demo_parse_age(text: String) -> Result<u8, String> {
        text.trim().parse().map_err(|_| format!("not an age: {text:?}"))
    }

    fn demo_join(words: Vec<String>, sep: String) -> String {
        words.join(&sep)
    }
}

fn main() {
    let alice = DemoUser { name: "alice".into(), age: 30 };
    println!("r2g demo_check(&alice): Go calls back demo_log and demo_convert_name");
    let back = DemoCallImpl::demo_check(&alice);
    println!("    -> {back:?}");
    assert_eq!(back, DemoUser { name: "ALICE (30)".into(), age: 31 });

    let texts = vec!["7".into(), "forty".into(), " 41 ".into(), "300".into()];
    println!("r2g demo_parse_all({texts:?}): Go calls back demo_parse_age per text, then demo_join");
    let ages = DemoCallImpl::demo_parse_all(texts);
    println!("    -> {ages:?}");
    assert_eq!(ages.ages, vec![7, 41]);
    assert_eq!(
        ages.errors,
        vec![
            "not an age: \"forty\"".to_string(),
            "not an age: \"300\"".to_string(),
            "bad: forty, 300".to_string(),
        ]
    );
    println!("every value crossed Rust -> Go -> Rust -> Go -> Rust as expected");
}
