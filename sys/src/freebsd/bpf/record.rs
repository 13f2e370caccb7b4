//! Walking the records of a BPF read buffer.
//!
//! One `read(2)` on a BPF descriptor returns any number of captured
//! packets, each behind a `struct bpf_hdr`:
//!
//! ```text
//! | bpf_hdr (32) | pad to bh_hdrlen | bh_caplen bytes | pad | bpf_hdr ...
//!   ^ record start, a multiple of BPF_ALIGNMENT (8)
//!                                                        ^ next record:
//!                         start + BPF_WORDALIGN(bh_hdrlen + bh_caplen)
//! ```
//!
//! The kernel pads `bh_hdrlen` so that the network-layer header is
//! aligned (34 for Ethernet). The walker trusts none of the lengths: a
//! record that would reach past the buffer, or a header shorter than
//! `struct bpf_hdr`, ends the walk with an error.

use std::mem::{offset_of, size_of};

use crate::freebsd::abi::bpf::{bpf_hdr, timeval, BPF_WORDALIGN};

/// One captured packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record<'a> {
    /// When the packet was captured: the record's time stamp, realtime
    /// clock, in nanoseconds since the epoch (microsecond resolution);
    /// `None` if the stamp is out of range.
    pub realtime_ns: Option<i64>,
    /// How long the packet was on the wire (`bh_datalen`).
    pub wire_len: u32,
    /// The bytes captured (`bh_caplen` of them), link-level header
    /// first.
    pub data: &'a [u8],
}

impl Record<'_> {
    /// Whether the capture holds less than the packet (the filter's
    /// snapshot length cut it).
    pub fn truncated(&self) -> bool {
        usize::try_from(self.wire_len).map_or(true, |len| self.data.len() < len)
    }
}

/// Why a read buffer could not be walked to its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordError {
    /// Fewer bytes than a `bpf_hdr` remain at a record's start.
    ShortHeader {
        /// Where the record starts in the buffer.
        at: usize,
    },
    /// `bh_hdrlen` is smaller than a `bpf_hdr`.
    BadHeaderLength {
        /// Where the record starts.
        at: usize,
        /// `bh_hdrlen`.
        hdrlen: u16,
    },
    /// The captured bytes reach past the end of the buffer.
    Overrun {
        /// Where the record starts.
        at: usize,
        /// `bh_caplen`.
        caplen: u32,
    },
}

/// The records of `buf`, the bytes one `read(2)` returned.
pub fn records(buf: &[u8]) -> Records<'_> {
    Records { buf, at: 0 }
}

/// Iterator over the records of a read buffer; after an error it ends.
#[derive(Clone, Debug)]
pub struct Records<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.at >= self.buf.len() {
            return None;
        }
        let at = self.at;
        let result = parse(self.buf, at);
        self.at = match result {
            Ok((_, next)) => next,
            Err(_) => self.buf.len(),
        };
        Some(result.map(|(record, _)| record))
    }
}

/// The record at `at` and where the next one starts.
fn parse(buf: &[u8], at: usize) -> Result<(Record<'_>, usize), RecordError> {
    let header = at
        .checked_add(size_of::<bpf_hdr>())
        .and_then(|end| buf.get(at..end))
        .ok_or(RecordError::ShortHeader { at })?;
    let tstamp = offset_of!(bpf_hdr, bh_tstamp);
    let sec = read_i64(header, tstamp + offset_of!(timeval, tv_sec));
    let usec = read_i64(header, tstamp + offset_of!(timeval, tv_usec));
    let caplen = read_u32(header, offset_of!(bpf_hdr, bh_caplen));
    let wire_len = read_u32(header, offset_of!(bpf_hdr, bh_datalen));
    let hdrlen = read_u16(header, offset_of!(bpf_hdr, bh_hdrlen));
    if usize::from(hdrlen) < size_of::<bpf_hdr>() {
        return Err(RecordError::BadHeaderLength { at, hdrlen });
    }
    let overrun = RecordError::Overrun { at, caplen };
    let start = at + usize::from(hdrlen);
    let len = usize::try_from(caplen).map_err(|_| overrun)?;
    let end = start.checked_add(len).ok_or(overrun)?;
    let data = buf.get(start..end).ok_or(overrun)?;
    // The last record need not be padded to the alignment: the buffer
    // may end right after its data.
    let next = BPF_WORDALIGN(end - at).saturating_add(at);
    let record = Record {
        realtime_ns: timeval_ns(sec, usec),
        wire_len,
        data,
    };
    Ok((record, next))
}

/// A `struct timeval` in nanoseconds, if it is a valid one that fits.
pub(crate) fn timeval_ns(sec: i64, usec: i64) -> Option<i64> {
    const NANOS_PER_SEC: i64 = 1_000_000_000; // not ABI: arithmetic
    const NANOS_PER_USEC: i64 = 1_000; // not ABI: arithmetic
    const USEC_PER_SEC: i64 = 1_000_000; // not ABI: arithmetic
    if !(0..USEC_PER_SEC).contains(&usec) {
        return None;
    }
    sec.checked_mul(NANOS_PER_SEC)?
        .checked_add(usec * NANOS_PER_USEC)
}

fn read_i64(bytes: &[u8], at: usize) -> i64 {
    let mut word = [0; 8];
    word.copy_from_slice(&bytes[at..at + 8]);
    i64::from_ne_bytes(word)
}

fn read_u32(bytes: &[u8], at: usize) -> u32 {
    let mut word = [0; 4];
    word.copy_from_slice(&bytes[at..at + 4]);
    u32::from_ne_bytes(word)
}

fn read_u16(bytes: &[u8], at: usize) -> u16 {
    u16::from_ne_bytes([bytes[at], bytes[at + 1]])
}

/// Appends a record to `buf` as the kernel lays it out for an Ethernet
/// interface (`bh_hdrlen` 34, the next record aligned): what the tests
/// and the fuzz target feed to [`records`].
#[cfg(any(test, fuzzing))]
pub fn push_record(
    buf: &mut Vec<u8>,
    tstamp: (i64, i64),
    wire_len: u32,
    data: &[u8],
) {
    use crate::freebsd::abi::bpf::BPF_HDRLEN_EN10MB;

    let at = buf.len();
    let caplen = u32::try_from(data.len()).expect("a record under 4 GiB");
    let hdrlen = u16::try_from(BPF_HDRLEN_EN10MB).expect("34");
    let mut header = [0u8; size_of::<bpf_hdr>()];
    let tstamp_at = offset_of!(bpf_hdr, bh_tstamp);
    let fields: [(usize, &[u8]); 5] = [
        (
            tstamp_at + offset_of!(timeval, tv_sec),
            &tstamp.0.to_ne_bytes(),
        ),
        (
            tstamp_at + offset_of!(timeval, tv_usec),
            &tstamp.1.to_ne_bytes(),
        ),
        (offset_of!(bpf_hdr, bh_caplen), &caplen.to_ne_bytes()),
        (offset_of!(bpf_hdr, bh_datalen), &wire_len.to_ne_bytes()),
        (offset_of!(bpf_hdr, bh_hdrlen), &hdrlen.to_ne_bytes()),
    ];
    for (offset, bytes) in fields {
        header[offset..offset + bytes.len()].copy_from_slice(bytes);
    }
    buf.extend_from_slice(&header);
    buf.resize(at + BPF_HDRLEN_EN10MB, 0);
    buf.extend_from_slice(data);
    buf.resize(at + BPF_WORDALIGN(buf.len() - at), 0);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::freebsd::abi::bpf::BPF_HDRLEN_EN10MB;

    #[test]
    fn records_are_walked_in_order_with_their_stamps() {
        let mut buf = Vec::new();
        push_record(&mut buf, (1_700_000_000, 123_456), 60, &[1; 60]);
        push_record(&mut buf, (1_700_000_001, 0), 1514, &[2; 42]);
        push_record(&mut buf, (5, 999_999), 3, &[3; 3]);
        // The first record: 34 + 60 = 94, padded to 96.
        assert_eq!(buf.len() % 8, 0);
        let all: Vec<_> = records(&buf).collect::<Result<_, _>>().unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].realtime_ns, Some(1_700_000_000_123_456_000));
        assert_eq!(all[0].data, &[1; 60][..]);
        assert!(!all[0].truncated());
        assert_eq!(all[1].realtime_ns, Some(1_700_000_001_000_000_000));
        assert_eq!(all[1].data.len(), 42);
        assert_eq!(all[1].wire_len, 1514);
        assert!(all[1].truncated());
        assert_eq!(all[2].realtime_ns, Some(5_999_999_000));
        assert_eq!(all[2].data, &[3; 3][..]);
    }

    #[test]
    fn the_header_layout_is_the_kernels() {
        let mut buf = Vec::new();
        push_record(&mut buf, (0x0102, 0x0304), 0x0506, &[0xee; 2]);
        // timeval at 0 (sec, usec: 8 bytes each), caplen at 16, datalen
        // at 20, hdrlen at 24; data at 34.
        assert_eq!(buf[..8], 0x0102_i64.to_ne_bytes());
        assert_eq!(buf[8..16], 0x0304_i64.to_ne_bytes());
        assert_eq!(buf[16..20], 2_u32.to_ne_bytes());
        assert_eq!(buf[20..24], 0x0506_u32.to_ne_bytes());
        assert_eq!(buf[24..26], 34_u16.to_ne_bytes());
        assert_eq!(buf[34..36], [0xee, 0xee]);
        assert_eq!(buf.len(), 40);
        assert_eq!(BPF_HDRLEN_EN10MB, 34);
    }

    #[test]
    fn the_last_record_need_not_be_padded() {
        let mut buf = Vec::new();
        push_record(&mut buf, (1, 0), 5, &[9; 5]);
        buf.truncate(34 + 5);
        let all: Vec<_> = records(&buf).collect();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].unwrap().data, &[9; 5][..]);
    }

    #[test]
    fn a_bad_time_stamp_is_no_time_stamp() {
        let mut buf = Vec::new();
        push_record(&mut buf, (1, 1_000_000), 1, &[0]);
        push_record(&mut buf, (1, -1), 1, &[0]);
        push_record(&mut buf, (i64::MAX, 0), 1, &[0]);
        push_record(&mut buf, (-1, 0), 1, &[0]);
        let stamps: Vec<_> =
            records(&buf).map(|r| r.unwrap().realtime_ns).collect();
        assert_eq!(stamps, [None, None, None, Some(-1_000_000_000)]);
    }

    #[test]
    fn broken_buffers_end_the_walk_with_an_error() {
        let mut good = Vec::new();
        push_record(&mut good, (1, 0), 4, &[1; 4]);
        let first = good.len();
        push_record(&mut good, (2, 0), 4, &[2; 4]);

        // A short header after a good record.
        let short = &good[..first + 10];
        let all: Vec<_> = records(short).collect();
        assert_eq!(all.len(), 2);
        assert!(all[0].is_ok());
        assert_eq!(all[1], Err(RecordError::ShortHeader { at: first }));

        // Data past the end.
        let cut = &good[..first + 36];
        let all: Vec<_> = records(cut).collect();
        assert_eq!(
            all[1],
            Err(RecordError::Overrun {
                at: first,
                caplen: 4
            })
        );

        // A header length below sizeof(struct bpf_hdr).
        let mut bad = good.clone();
        bad[first + 24..first + 26].copy_from_slice(&31_u16.to_ne_bytes());
        let all: Vec<_> = records(&bad).collect();
        assert_eq!(
            all[1],
            Err(RecordError::BadHeaderLength {
                at: first,
                hdrlen: 31
            })
        );

        // A huge capture length.
        let mut huge = good.clone();
        huge[16..20].copy_from_slice(&u32::MAX.to_ne_bytes());
        let all: Vec<_> = records(&huge).collect();
        assert_eq!(all.len(), 1);
        assert!(matches!(all[0], Err(RecordError::Overrun { at: 0, .. })));

        assert_eq!(records(&[]).count(), 0);
    }
}
