// ---- errors -------------------------------------------------------------------
/// Why a shm call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShmError {
    /// The callee died, closed, or the connection was closed.
    PeerGone(String),
    /// The callee answered with a non-OK status (`CallStatus`) and a message.
    Remote(u32, String),
    /// The encoded arguments do not fit the slot's request area.
    TooLarge(String),
    /// A segment or payload broke the layout (hostile or mismatched peer).
    Layout(String),
    /// An OS call failed.
    Os(String),
}

impl std::fmt::Display for ShmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShmError::PeerGone(m) => write!(f, "shm peer gone: {m}"),
            ShmError::Remote(s, m) => write!(f, "callee answered {}: {m}", status_name(*s)),
            ShmError::TooLarge(m) | ShmError::Layout(m) | ShmError::Os(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for ShmError {}

fn status_name(s: u32) -> &'static str {
    match s {
        l::CALL_STATUS_OK => "OK",
        l::CALL_STATUS_HANDLER_ERROR => "HANDLER_ERROR",
        l::CALL_STATUS_RESPONSE_TOO_LARGE => "RESPONSE_TOO_LARGE",
        l::CALL_STATUS_ABANDONED => "ABANDONED",
        l::CALL_STATUS_UNKNOWN_METHOD => "UNKNOWN_METHOD",
        l::CALL_STATUS_CALLEE_CLOSING => "CALLEE_CLOSING",
        _ => "an unknown status",
    }
}

fn os_error(what: &str) -> ShmError {
    ShmError::Os(format!("{what}: {}", std::io::Error::last_os_error()))
}
