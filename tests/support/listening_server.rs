//! Starts a server binary on a free loopback port and waits until it answers.
//!
//! A port picked by binding `:0` and letting go can be taken by another test's connection
//! before the server binds it (CI saw VictoriaMetrics die with "address already in use"), so
//! a server that exits for that reason is started again on a new port.

use std::io::Read as _;
use std::net::TcpListener;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

const ATTEMPTS: usize = 5;

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Spawns `command(port)` (its stderr piped) on a free port until `ready(port)` holds, and
/// returns the child and its port. Panics with the server's stderr if it exits for any other
/// reason than a taken port, or is not ready within 60 s.
pub fn start_listening(
    what: &str,
    mut command: impl FnMut(u16) -> Command,
    ready: impl Fn(u16) -> bool,
) -> (Child, u16) {
    for _ in 0..ATTEMPTS {
        let port = free_port();
        let mut child = command(port)
            .spawn()
            .unwrap_or_else(|e| panic!("start {what}: {e}"));
        match wait_until_ready(&mut child, port, &ready) {
            Ok(()) => return (child, port),
            Err(err) if err.contains("address already in use") => {
                eprintln!("{what}: port {port} was taken before it bound; trying another");
            }
            Err(err) => panic!("{what} on 127.0.0.1:{port}: {err}"),
        }
    }
    panic!("{what}: every one of {ATTEMPTS} free ports was taken before it could bind");
}

/// Polls `ready` until it holds; the error is the server's exit status and stderr.
fn wait_until_ready(
    child: &mut Child,
    port: u16,
    ready: &impl Fn(u16) -> bool,
) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().expect("poll server") {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            return Err(format!("exited with {status}: {err}"));
        }
        if ready(port) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = child.kill();
    let _ = child.wait();
    Err("not ready within 60 s".into())
}
