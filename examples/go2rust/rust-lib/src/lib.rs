//! The Rust library a Go program links (crate-type staticlib). src/user.rs is the generated
//! std-only binding; its `#[no_mangle]` entry points call the impl below.
mod user;

use user::*;

impl G2RCall for G2RCallImpl {
    fn demo_log(name: String, age: u8) {
        println!("  [rust] log: {name} is {age}");
    }

    fn demo_convert_name(user: DemoUser) -> String {
        format!("{} ({})", user.name.to_uppercase(), user.age)
    }

    fn demo_parse_age(text: String) -> Result<u8, String> {
        text.trim().parse().map_err(|_| format!("not an age: {text:?}"))
    }

    fn demo_stats(users: &Vec<DemoUser>) -> DemoStats {
        DemoStats {
            count: users.len() as u32,
            oldest: users.iter().max_by_key(|u| u.age).cloned(),
            names: users.iter().map(|u| u.name.clone()).collect(),
        }
    }

    fn demo_first_char(text: String) -> String {
        text.chars().next().expect("demo_first_char needs a non-empty text").to_string()
    }
}
