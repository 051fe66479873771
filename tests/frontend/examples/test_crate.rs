// Feature-equivalent of rust2go's test crate IDL: usize identity, login/logout,
// async by reference, drop_safe, drop_safe_ret, a three-parameter async call.
pub mod binding {
    rust2go::r2g_include_binding!();
}

#[derive(rust2go::R2G, Clone, Debug, PartialEq)]
pub struct LoginRequest {
    pub user: String,
    pub password: String,
}

#[derive(rust2go::R2G, Clone, Debug, PartialEq)]
pub struct LoginResponse {
    pub succ: bool,
    pub message: String,
    pub token: Vec<u8>,
}

#[derive(rust2go::R2G, Clone, Debug, PartialEq)]
pub struct LogoutRequest {
    pub token: Vec<u8>,
    pub user_ids: Vec<u32>,
}

#[derive(rust2go::R2G, Clone, Debug, PartialEq)]
pub struct FriendsListRequest {
    pub token: Vec<u8>,
    pub user_ids: Vec<u32>,
}

#[derive(rust2go::R2G, Clone, Debug, PartialEq)]
pub struct FriendsListResponse {
    pub users: Vec<User>,
}

#[derive(rust2go::R2G, Clone, Debug, PartialEq)]
pub struct User {
    pub id: u32,
    pub name: String,
    pub age: u8,
}

#[derive(rust2go::R2G, Clone, Debug, PartialEq)]
pub struct PMFriendRequest {
    pub user_id: u32,
    pub token: Vec<u8>,
    pub message: String,
}

#[derive(rust2go::R2G, Clone, Debug, PartialEq)]
pub struct PMFriendResponse {
    pub succ: bool,
    pub message: String,
}

#[rust2go::r2g]
pub trait TestCall {
    #[go_pass_struct]
    fn ping(n: usize) -> usize;
    fn login(req: &LoginRequest) -> LoginResponse;
    fn logout(req: &LogoutRequest);
    async fn friends_list(req: &FriendsListRequest) -> FriendsListResponse;
    #[drop_safe]
    async fn pm_friend(req: PMFriendRequest) -> PMFriendResponse;
    #[drop_safe_ret]
    async fn pm_friend_ret(req: PMFriendRequest) -> PMFriendResponse;
    #[mem]
    async fn multi_param_test(user: &User, message: &String, token: &Vec<u8>) -> PMFriendResponse;
}
