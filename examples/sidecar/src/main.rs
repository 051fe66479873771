//! A Rust program using a Go sidecar process over shared memory: it starts the generated
//! Go server (`server/server`), connects by segment name, calls it, SIGKILLs it while a
//! call is pending (the call fails fast with a clear error), restarts it under the same
//! name and carries on, then stops it with SIGTERM (the quit handshake unlinks everything).
#[allow(dead_code)]
mod kv;

use kv::r2g_shm::{block_on, Names, ShmError};
use kv::KvShm;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

extern "C" {
    fn kill(pid: i32, sig: i32) -> i32;
}
const SIGTERM: i32 = 15;

/// Start the sidecar serving `name`; returns once it says it is serving.
fn start(server: &str, name: &str) -> Child {
    let mut child = Command::new(server)
        .arg(name)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {server}: {e}"));
    let mut out = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut line = String::new();
    out.read_line(&mut line).expect("server output");
    assert_eq!(
        line.trim(),
        format!("serving {name}"),
        "unexpected server output"
    );
    // Forward the rest of the server's output (its oneway log lines).
    std::thread::spawn(move || {
        for line in out.lines().map_while(Result::ok) {
            println!("{line}");
        }
    });
    child
}

fn main() {
    let server = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "server/server".into());
    let name = Names::fresh("sidecar").segment();

    let mut child = start(&server, &name);
    let kv = KvShm::connect(&name).expect("connect");
    println!(
        "started Go sidecar pid {} serving {name}; connected by name",
        child.id()
    );
    println!(
        "sync   put(\"lang\", \"go\") -> {} key(s)",
        kv.put("lang".into(), "go".into()).unwrap()
    );
    println!(
        "sync   get(\"lang\") -> {:?}",
        kv.get("lang".into()).unwrap()
    );
    kv.log("hello from Rust".into()).unwrap();
    println!("async  slow(20) -> {:?}", block_on(kv.slow(20)).unwrap());
    println!("sync   pid() -> {} (a separate process)", kv.pid().unwrap());

    // A call Go will not answer for a minute, then the sidecar dies.
    let pending = std::thread::scope(|s| {
        let call = s.spawn(|| {
            let r = block_on(kv.slow(60_000));
            (r, Instant::now())
        });
        std::thread::sleep(Duration::from_millis(100)); // the call is in Go's hands
        let killed = Instant::now();
        child.kill().expect("SIGKILL the sidecar");
        child.wait().expect("reap the sidecar");
        println!("SIGKILLed the sidecar with slow(60000) pending");
        let (r, done) = call.join().expect("caller thread");
        (r, done.saturating_duration_since(killed))
    });
    match pending {
        (Err(e @ ShmError::PeerGone(_)), took) => {
            println!(
                "the pending call failed {} ms after the kill: {e}",
                took.as_millis()
            )
        }
        other => panic!("expected PeerGone, got {other:?}"),
    }
    match kv.get("lang".into()) {
        Err(e) => println!("a new call on the old connection fails at once: {e}"),
        Ok(v) => panic!("a dead sidecar answered {v:?}"),
    }
    drop(kv);

    let child = start(&server, &name);
    let kv = KvShm::connect(&name).expect("reconnect");
    println!(
        "restarted the sidecar (pid {}) under the same name; reconnected: get(\"lang\") -> {:?} (fresh state), pid() -> {}",
        child.id(),
        kv.get("lang".into()).unwrap(),
        kv.pid().unwrap()
    );
    println!(
        "sync   put(\"lang\", \"rust+go\") -> {} key(s)",
        kv.put("lang".into(), "rust+go".into()).unwrap()
    );
    drop(kv);

    // SIGTERM: the server runs the quit handshake and unlinks its segment and semaphores.
    // SAFETY: kill(2) on our own child's pid.
    unsafe { kill(child.id() as i32, SIGTERM) };
    let mut child = child;
    let status = child.wait().expect("wait for the sidecar");
    let gone = !std::path::Path::new(&format!("/dev/shm{name}")).exists();
    println!("SIGTERM: sidecar exited ({status}); segment unlinked: {gone}");
    assert!(status.success() && gone);
}
