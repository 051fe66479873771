// The IDL, written exactly as for the original rust2go crate (`mod binding`, the R2G
// derive and `#[rust2go::r2g]` are accepted and need no crate here).
use std::collections::HashMap;

pub mod binding {
    #![allow(warnings)]
    rust2go::r2g_include_binding!();
}

#[derive(rust2go::R2G, Clone, Debug, PartialEq)]
pub struct DemoUser {
    pub name: String,
    pub age: u8,
}

#[derive(rust2go::R2G, Clone, Debug)]
pub struct DemoComplicatedRequest {
    pub users: Vec<DemoUser>,
    pub balabala: Vec<u8>,
}

#[derive(rust2go::R2G, Clone, Copy, Debug)]
pub struct DemoResponse {
    pub pass: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Level {
    Guest,
    Member,
    Admin = 9,
}

#[derive(rust2go::R2G, Clone, Debug)]
pub struct DemoProfile {
    pub user: DemoUser,
    pub level: Level,
    pub tags: HashMap<String, u32>,
    pub nickname: Option<String>,
}

#[derive(rust2go::R2G, Clone, Debug)]
pub struct DemoNap {
    pub who: String,
    pub ms: u32,
}

#[rust2go::r2g]
pub trait DemoCall {
    /// Oneway: Go logs the user, nothing comes back.
    fn demo_oneway(req: &DemoUser);
    /// Sync with a complex argument.
    fn demo_check(req: &DemoComplicatedRequest) -> DemoResponse;
    /// Parameter-less.
    fn demo_get_n() -> i32;
    /// Go receives the struct by value instead of by pointer.
    #[go_pass_struct]
    fn demo_greet(user: DemoUser, times: u32) -> String;
    /// Go returns (uint8, error).
    fn demo_parse_age(text: String) -> Result<u8, String>;
    /// Option in and out, maps and enums in a struct.
    fn demo_profile(user: &DemoUser, nickname: Option<String>) -> Option<DemoProfile>;
    /// Async: Go sleeps in a goroutine; no Rust thread blocks while it does.
    #[drop_safe]
    #[send]
    async fn demo_nap(nap: DemoNap) -> String;
    /// Async with a borrowed argument: an `unsafe fn` (Go reads `req` until it answers).
    async fn demo_count_adults(req: &DemoComplicatedRequest) -> u32;
}
