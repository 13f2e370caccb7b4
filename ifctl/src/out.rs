//! Output that survives a closed pipe.
//!
//! Everything ifctl prints goes through [`Out`] (standard output, locked
//! once, buffered) or [`say`] (standard error). A write that fails with
//! EPIPE, because the reader left (`ifctl -i | head -1`), ends ifctl
//! quietly with status 0; Rust ignores SIGPIPE, so the error arrives
//! here instead of killing the process. Any other write error is
//! EX_IOERR.

use std::io::{self, BufWriter, ErrorKind, StdoutLock, Write};

use crate::{Failure, EX_IOERR};

/// Standard output, or any writer in tests.
#[derive(Debug)]
pub struct Out<W: Write> {
    w: W,
}

impl Out<BufWriter<StdoutLock<'static>>> {
    /// Locked, buffered standard output.
    pub fn stdout() -> Self {
        Out {
            w: BufWriter::new(io::stdout().lock()),
        }
    }
}

impl<W: Write> Out<W> {
    /// Wraps `w`.
    #[cfg(test)]
    pub fn new(w: W) -> Self {
        Out { w }
    }

    /// Writes `text` and a newline.
    pub fn line(&mut self, text: &str) -> Result<(), Failure> {
        self.w
            .write_all(text.as_bytes())
            .and_then(|()| self.w.write_all(b"\n"))
            .map_err(failure)
    }

    /// Writes each of `lines` and a newline.
    pub fn lines(&mut self, lines: &[String]) -> Result<(), Failure> {
        lines.iter().try_for_each(|l| self.line(l))
    }

    /// Writes out what is buffered (after each line of a live stream,
    /// and once at the end).
    pub fn flush(&mut self) -> Result<(), Failure> {
        self.w.flush().map_err(failure)
    }

    /// The writer (tests).
    #[cfg(test)]
    pub fn into_inner(self) -> W {
        self.w
    }
}

fn failure(e: io::Error) -> Failure {
    if e.kind() == ErrorKind::BrokenPipe {
        Failure::Quiet
    } else {
        Failure::new(EX_IOERR, format!("standard output: {e}"))
    }
}

/// Writes `ifctl: msg` to standard error; errors there are ignored
/// (there is nowhere left to report them).
pub fn say(msg: &str) {
    let _ = writeln!(io::stderr().lock(), "ifctl: {msg}");
}

/// Writes a line to standard error as it is (the daemon's `file:line:`
/// diagnostics).
pub fn say_raw(line: &str) {
    let _ = writeln!(io::stderr().lock(), "{line}");
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Closed;

    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(ErrorKind::BrokenPipe))
        }
        fn flush(&mut self) -> io::Result<()> {
            Err(io::Error::from(ErrorKind::BrokenPipe))
        }
    }

    struct Full;

    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from_raw_os_error(28)) // ENOSPC
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_are_written() {
        let mut o = Out::new(Vec::new());
        o.line("a").unwrap();
        o.line("b c").unwrap();
        o.flush().unwrap();
        assert_eq!(o.into_inner(), b"a\nb c\n");
    }

    #[test]
    fn a_closed_pipe_is_a_quiet_end() {
        let mut o = Out::new(Closed);
        assert!(matches!(o.line("x"), Err(Failure::Quiet)));
        assert!(matches!(o.flush(), Err(Failure::Quiet)));
        let mut o = Out::new(BufWriter::new(Closed));
        o.line("buffered").unwrap();
        assert!(matches!(o.flush(), Err(Failure::Quiet)));
    }

    #[test]
    fn other_write_errors_are_ioerr() {
        let mut o = Out::new(Full);
        match o.line("x") {
            Err(Failure::Exit { code, message, .. }) => {
                assert_eq!(code, EX_IOERR);
                assert!(message.starts_with("standard output"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
}
