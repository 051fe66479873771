// ---- the static API: plain values, exit hooks ---------------------------------
/// Hooks run when the process exits normally (libc `atexit`): the static API's clients
/// live in statics, which are never dropped, so their segments are removed here.
static EXIT_HOOKS: Mutex<Vec<Box<dyn FnOnce() + Send>>> = Mutex::new(Vec::new());
static EXIT_REGISTERED: std::sync::Once = std::sync::Once::new();

pub fn at_exit(hook: Box<dyn FnOnce() + Send>) {
    extern "C" fn run_exit_hooks() {
        let hooks = std::mem::take(&mut *EXIT_HOOKS.lock().unwrap_or_else(|e| e.into_inner()));
        for hook in hooks {
            hook();
        }
    }
    // SAFETY: registers a plain extern "C" function with libc.
    EXIT_REGISTERED.call_once(|| unsafe {
        sys::atexit(run_exit_hooks);
    });
    EXIT_HOOKS.lock().unwrap_or_else(|e| e.into_inner()).push(hook);
}

/// A call of the original's static API (`{Trait}Impl::method`): plain values, where the
/// instance API returns `Result<_, ShmError>`. A Go error is the `Err` of a `Result`
/// method; any other failure (the callee gone, a Go panic, a layout error) panics,
/// naming the method.
pub fn plain_value<T>(r: Result<T, ShmError>, what: &str) -> T {
    r.unwrap_or_else(|e| plain_failed(what, &e))
}

pub fn plain_result<T>(r: Result<T, ShmError>, what: &str) -> Result<T, String> {
    match r {
        Ok(v) => Ok(v),
        Err(ShmError::Remote(l::CALL_STATUS_HANDLER_ERROR, m)) => Err(m),
        Err(e) => plain_failed(what, &e),
    }
}

#[cold]
#[inline(never)]
fn plain_failed(what: &str, e: &ShmError) -> ! {
    panic!("{} over shared memory failed: {}", what, e)
}

/// `plain_value` / `plain_result` of an async call's outcome, as a future.
pub struct Plain<F, P> {
    inner: F,
    settle: P,
    what: &'static str,
}

impl<F, P> Plain<F, P> {
    pub fn new(inner: F, settle: P, what: &'static str) -> Self {
        Plain { inner, settle, what }
    }
}

impl<F: Future<Output = Result<T, ShmError>> + Unpin, P: Fn(Result<T, ShmError>, &str) -> O + Unpin, T, O> Future
    for Plain<F, P>
{
    type Output = O;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<O> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll(cx) {
            Poll::Ready(r) => Poll::Ready((this.settle)(r, this.what)),
            Poll::Pending => Poll::Pending,
        }
    }
}
