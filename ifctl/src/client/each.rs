//! The same request to several daemons at once (the summary and
//! `ifctl IF` ask both mpathd and laggd): every connection is opened
//! before the sandbox is entered, since none can be opened after, and
//! each reply is read only if it is needed.

use std::path::Path;

use mpath_proto::{Payload, RequestBody};

use super::{sandbox, Conn, Daemon};
use crate::Failure;

/// What one of several daemons asked at once said.
#[derive(Debug)]
pub enum Answer<T> {
    /// Nothing listens at its socket: it is not running. The failure is
    /// what to say if no daemon answers.
    Absent(Failure),
    /// It could not be reached otherwise, did not answer in time,
    /// refused, or answered nonsense.
    Failed(Failure),
    /// Its answer.
    Got(T),
}

impl<T> Answer<T> {
    /// Checks and converts an answer; a conversion that fails makes it
    /// [`Answer::Failed`].
    pub fn and_then<U>(
        self,
        f: impl FnOnce(T) -> Result<U, Failure>,
    ) -> Answer<U> {
        match self {
            Answer::Absent(e) => Answer::Absent(e),
            Answer::Failed(e) => Answer::Failed(e),
            Answer::Got(t) => match f(t) {
                Ok(u) => Answer::Got(u),
                Err(e) => Answer::Failed(e),
            },
        }
    }
}

/// A request sent by [`send_each`], its reply not read yet.
#[derive(Debug)]
pub struct Sent(Result<Conn, Answer<Payload>>);

impl Sent {
    /// Waits for the reply (at most [`TIMEOUT`](super::TIMEOUT)).
    pub fn reply(self) -> Answer<Payload> {
        match self.0 {
            Err(a) => a,
            Ok(mut c) => match c.reply() {
                Ok(p) => Answer::Got(p),
                Err(e) => Answer::Failed(e),
            },
        }
    }
}

/// Connects to every daemon of `asks`, enters the sandbox once all the
/// connections are open, and sends each its request. The daemons work
/// on their answers at once, and a reply that [`Sent::reply`] does not
/// read is never waited for. Fails only if the sandbox cannot be
/// entered.
pub fn send_each<const N: usize>(
    asks: [(Daemon, &Path, RequestBody); N],
) -> Result<[Sent; N], Failure> {
    let opened = asks.map(|(daemon, path, body)| {
        let conn = Conn::open(daemon, path).map_err(|u| {
            if u.absent {
                Answer::Absent(u.failure)
            } else {
                Answer::Failed(u.failure)
            }
        });
        (conn, body)
    });
    sandbox()?;
    Ok(opened.map(|(conn, body)| {
        Sent(conn.and_then(|mut c| match c.send(body) {
            Ok(()) => Ok(c),
            Err(e) => Err(Answer::Failed(e)),
        }))
    }))
}

/// A connection opened before the sandbox was entered, whose request is
/// chosen once another daemon's answer is known (`ifctl IF offline`
/// asks laggd whether IF is its port before it asks anyone to act).
#[derive(Debug)]
pub struct Opened(Result<Conn, Answer<Payload>>);

impl Opened {
    /// Sends `body` and waits for the reply.
    pub fn ask(self, body: RequestBody) -> Answer<Payload> {
        match self.0 {
            Err(a) => a,
            Ok(mut c) => match c.send(body).and_then(|()| c.reply()) {
                Ok(p) => Answer::Got(p),
                Err(e) => Answer::Failed(e),
            },
        }
    }
}

/// Connects to every daemon of `daemons` and enters the sandbox; the
/// requests are sent later, on the connections that are open. A
/// connection never asked is closed unused. Fails only if the sandbox
/// cannot be entered.
pub fn open_each<const N: usize>(
    daemons: [(Daemon, &Path); N],
) -> Result<[Opened; N], Failure> {
    let opened = daemons.map(|(daemon, path)| {
        Opened(Conn::open(daemon, path).map_err(|u| {
            if u.absent {
                Answer::Absent(u.failure)
            } else {
                Answer::Failed(u.failure)
            }
        }))
    });
    sandbox()?;
    Ok(opened)
}

#[cfg(test)]
mod tests {
    use std::os::unix::net::UnixListener;
    use std::sync::atomic::Ordering;

    use super::*;
    use crate::client::protocol;
    use crate::client::tests::{serve, N};
    use crate::{EX_PROTOCOL, EX_UNAVAILABLE};

    /// `send_each`: an absent daemon is told apart from one that fails,
    /// and each reply is read on its own.
    #[test]
    fn several_daemons_at_once() {
        let (up, h1) =
            serve(&["{\"version\":1,\"id\":1,\"ok\":\"watching\"}\n"]);
        let (bad, h2) = serve(&["junk\n"]);
        // A socket file nobody listens on: refused, so absent too.
        let dir = std::env::temp_dir().join(format!(
            "ifctl-client-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let stale = dir.join("stale.sock");
        drop(UnixListener::bind(&stale).unwrap());
        let gone = Path::new("/nonexistent/laggd.sock");
        let sent = send_each([
            (Daemon::Mpathd, up.as_path(), RequestBody::Watch),
            (Daemon::Laggd, bad.as_path(), RequestBody::Status),
            (Daemon::Laggd, gone, RequestBody::Status),
            (Daemon::Laggd, stale.as_path(), RequestBody::Status),
        ])
        .unwrap();
        let answers = sent.map(Sent::reply);
        assert!(matches!(answers[0], Answer::Got(Payload::Watching)));
        match &answers[1] {
            Answer::Failed(Failure::Exit { code, message, .. }) => {
                assert_eq!(*code, EX_PROTOCOL);
                assert!(
                    message.starts_with("laggd sent malformed"),
                    "{message}"
                );
            }
            other => panic!("{other:?}"),
        }
        for a in &answers[2..] {
            match a {
                Answer::Absent(Failure::Exit { code, .. }) => {
                    assert_eq!(*code, EX_UNAVAILABLE)
                }
                other => panic!("{other:?}"),
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        h1.join().unwrap();
        h2.join().unwrap();
    }

    #[test]
    fn answers_are_checked_by_and_then() {
        let got: Answer<u8> = Answer::Got(1);
        assert!(matches!(got.and_then(|n| Ok(n + 1)), Answer::Got(2)));
        let got: Answer<u8> = Answer::Got(1);
        let wrong = got.and_then(|_| -> Result<u8, Failure> {
            Err(protocol(Daemon::Laggd, "something else"))
        });
        assert!(matches!(wrong, Answer::Failed(_)));
        let absent: Answer<u8> = Answer::Absent(Failure::Quiet);
        assert!(matches!(absent.and_then(Ok), Answer::Absent(_)));
    }
}
