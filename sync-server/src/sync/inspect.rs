//! Looks inside an Automerge change's bytes before Automerge does, so that what a change costs
//! is known before anything is spent on it. A compressed change is inflated here through a
//! stream capped at the inflated-size limit (Automerge itself inflates without a cap: 280 bytes
//! once became 3.4 GB), and the number of operations is read from the run lengths of the action
//! column without expanding them (Automerge would walk a billion run-length-encoded operations
//! one by one). Only a change that passes goes on to `Change::try_from`, and then with its
//! cost bounded.
//!
//! The layout read here is Automerge's binary change chunk (format version 1): magic bytes,
//! checksum, chunk type, length, then dependencies, actor, seq, start op, time, message, other
//! actors, column metadata and column data.

use sha2::{Digest, Sha256};
use std::io::Read;

const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
const CHUNK_CHANGE: u8 = 1;
const CHUNK_COMPRESSED: u8 = 2;
/// Column spec of the action column (id 4, type unsigned integer, not deflated): one entry per
/// operation, and the column Automerge's op iterator is driven by.
const ACTION_COLUMN: u32 = (4 << 4) | 2;
/// A column spec with this bit set is deflated; Automerge refuses such columns in changes.
const DEFLATE_BIT: u32 = 1 << 3;
/// Change chunks have a dozen columns; more is not a change Automerge writes.
const MAX_COLUMNS: u64 = 64;
/// More dependencies or other actors than any real change has (each dependency is a 32-byte
/// hash, so the body size bounds them too; this just fails early).
const MAX_LIST: u64 = 100_000;

/// What a change will cost, read from its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    /// Operations in the change.
    pub ops: u64,
    /// Size of the change body once inflated (equal to the stored size when not compressed).
    pub inflated_bytes: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InspectError {
    #[error("not an Automerge change: {0}")]
    Malformed(&'static str),
    #[error("the change inflates to more than {limit} bytes")]
    TooBig { limit: usize },
    #[error("the change has more than {limit} operations")]
    TooManyOps { limit: u64 },
}

/// Reads the cost of `bytes` (one change chunk), refusing it as soon as it passes
/// `max_inflated` bytes or `max_ops` operations. Streams: nothing the size of the inflated
/// change is ever held, so a bomb costs the time to inflate `max_inflated` bytes and no memory.
pub fn inspect(bytes: &[u8], max_inflated: usize, max_ops: u64) -> Result<Cost, InspectError> {
    let mut r = Stream::new(bytes);
    let mut magic = [0u8; 4];
    for b in &mut magic {
        *b = r.byte()?;
    }
    if magic != MAGIC {
        return Err(InspectError::Malformed("wrong magic bytes"));
    }
    let mut checksum = [0u8; 4];
    for b in &mut checksum {
        *b = r.byte()?;
    }
    let chunk_type = r.byte()?;
    let len = usize::try_from(r.uleb()?).map_err(|_| InspectError::Malformed("truncated"))?;
    let header = bytes.len() - r.inner.len();
    let data = bytes
        .get(header..header + len)
        .ok_or(InspectError::Malformed("truncated"))?;
    if bytes.len() != header + len {
        return Err(InspectError::Malformed("bytes after the change"));
    }
    let cap = u64::try_from(max_inflated)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    // The body's length first (the checksum covers it, ahead of the body).
    let body_len = match chunk_type {
        CHUNK_CHANGE => data.len() as u64,
        CHUNK_COMPRESSED => std::io::copy(
            &mut flate2::read::DeflateDecoder::new(data).take(cap),
            &mut std::io::sink(),
        )
        .map_err(|_| InspectError::Malformed("compressed change does not inflate"))?,
        _ => return Err(InspectError::Malformed("not a change chunk")),
    };
    if body_len > max_inflated as u64 {
        return Err(InspectError::TooBig {
            limit: max_inflated,
        });
    }
    let mut hasher = Sha256::new();
    hasher.update([CHUNK_CHANGE]);
    let mut prefix = Vec::new();
    craft::uleb(&mut prefix, body_len);
    hasher.update(&prefix);
    let source: Box<dyn Read + '_> = if chunk_type == CHUNK_CHANGE {
        Box::new(data)
    } else {
        Box::new(flate2::read::DeflateDecoder::new(data).take(cap))
    };
    let mut body = Stream::new(std::io::BufReader::new(Hashing {
        inner: source,
        hasher,
    }));
    let ops = count_ops(&mut body, max_ops)?;
    // The rest (extra bytes) still counts towards the checksum.
    let mut rest = body.into_inner();
    std::io::copy(&mut rest, &mut std::io::sink())
        .map_err(|_| InspectError::Malformed("compressed change does not inflate"))?;
    // Automerge parses a change without checking its checksum, but checks it when it loads a
    // stored document whose tail holds the change: a wrong one would poison the document.
    let hash = rest.into_inner().hasher.finalize();
    if checksum[..] != hash[..4] {
        return Err(InspectError::Malformed("wrong checksum"));
    }
    Ok(Cost {
        ops,
        inflated_bytes: usize::try_from(body_len).unwrap_or(usize::MAX),
    })
}

/// A reader that hashes what passes through it.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// The SHA-256 Automerge names a change by: over the chunk type (change), the body's length
/// and the body.
fn change_hash(body: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update([CHUNK_CHANGE]);
    let mut len = Vec::new();
    craft::uleb(&mut len, body.len() as u64);
    hasher.update(&len);
    hasher.update(body);
    hasher.finalize().into()
}

/// Walks the change body up to its columns and counts the rows of the action column, skipping
/// everything else.
fn count_ops<R: Read>(r: &mut Stream<R>, max_ops: u64) -> Result<u64, InspectError> {
    let deps = r.list_len()?;
    r.skip(deps.saturating_mul(32))?;
    r.skip_bytes()?; // actor
    r.uleb()?; // seq
    r.uleb()?; // start op
    r.sleb()?; // time
    r.skip_bytes()?; // message
    let others = r.list_len()?;
    for _ in 0..others {
        r.skip_bytes()?;
    }
    let columns = r.uleb()?;
    if columns > MAX_COLUMNS {
        return Err(InspectError::Malformed("too many columns"));
    }
    let mut specs = Vec::new();
    for _ in 0..columns {
        let spec = u32::try_from(r.uleb()?)
            .map_err(|_| InspectError::Malformed("column spec out of range"))?;
        if spec & DEFLATE_BIT != 0 {
            return Err(InspectError::Malformed("deflated column in a change"));
        }
        specs.push((spec, r.uleb()?));
    }
    let mut ops = 0;
    for (spec, len) in specs {
        if spec == ACTION_COLUMN {
            ops = count_rle_rows(r, len, max_ops)?;
        } else {
            r.skip(len)?;
        }
    }
    Ok(ops)
}

/// Rows in an unsigned run-length-encoded column of `len` bytes: runs of one repeated value
/// (count > 0), literal runs (count < 0), and null runs (0, then how many), summed without
/// expanding.
fn count_rle_rows<R: Read>(r: &mut Stream<R>, len: u64, max_ops: u64) -> Result<u64, InspectError> {
    let end = r.read.saturating_add(len);
    let mut rows: u64 = 0;
    while r.read < end {
        let count = r.sleb()?;
        let run = if count > 0 {
            r.uleb()?;
            count.unsigned_abs()
        } else if count < 0 {
            let n = count.unsigned_abs();
            if n > max_ops {
                return Err(InspectError::TooManyOps { limit: max_ops });
            }
            for _ in 0..n {
                r.uleb()?;
            }
            n
        } else {
            r.uleb()?
        };
        rows = rows.saturating_add(run);
        if rows > max_ops {
            return Err(InspectError::TooManyOps { limit: max_ops });
        }
    }
    if r.read != end {
        return Err(InspectError::Malformed("a run crosses its column's end"));
    }
    Ok(rows)
}

/// Reads Automerge's numbers and byte strings from a stream, counting what it has read.
struct Stream<R> {
    inner: R,
    read: u64,
}

impl<R: Read> Stream<R> {
    fn new(inner: R) -> Self {
        Self { inner, read: 0 }
    }

    fn into_inner(self) -> R {
        self.inner
    }

    fn byte(&mut self) -> Result<u8, InspectError> {
        let mut b = [0u8; 1];
        self.inner
            .read_exact(&mut b)
            .map_err(|_| InspectError::Malformed("truncated"))?;
        self.read += 1;
        Ok(b[0])
    }

    fn skip(&mut self, n: u64) -> Result<(), InspectError> {
        let skipped = std::io::copy(&mut (&mut self.inner).take(n), &mut std::io::sink())
            .map_err(|_| InspectError::Malformed("truncated"))?;
        self.read += skipped;
        if skipped < n {
            return Err(InspectError::Malformed("truncated"));
        }
        Ok(())
    }

    fn skip_bytes(&mut self) -> Result<(), InspectError> {
        let len = self.uleb()?;
        self.skip(len)
    }

    fn list_len(&mut self) -> Result<u64, InspectError> {
        let n = self.uleb()?;
        if n > MAX_LIST {
            return Err(InspectError::Malformed("list too long"));
        }
        Ok(n)
    }

    fn uleb(&mut self) -> Result<u64, InspectError> {
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            let part = u64::from(b & 0x7f);
            if shift == 63 && part > 1 {
                return Err(InspectError::Malformed("number out of range"));
            }
            value |= part << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(InspectError::Malformed("number out of range"))
    }

    fn sleb(&mut self) -> Result<i64, InspectError> {
        let mut value: i64 = 0;
        let mut shift = 0u32;
        loop {
            let b = self.byte()?;
            if shift >= 64 {
                return Err(InspectError::Malformed("number out of range"));
            }
            value |= i64::from(b & 0x7f).wrapping_shl(shift);
            shift += 7;
            if b & 0x80 == 0 {
                if shift < 64 && b & 0x40 != 0 {
                    value |= -1i64 << shift;
                }
                return Ok(value);
            }
        }
    }
}

/// Builds change chunks by hand, for tests of what Automerge would accept: `n` operations that
/// each set root key `k` to null, run-length encoded so that any `n` takes a few bytes.
pub mod craft {
    use sha2::{Digest, Sha256};

    pub(super) fn uleb(out: &mut Vec<u8>, mut v: u64) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }

    fn sleb(out: &mut Vec<u8>, mut v: i64) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            let done = (v == 0 && b & 0x40 == 0) || (v == -1 && b & 0x40 != 0);
            if done {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }

    /// A change by `actor` (seq 1, no dependencies) of `n` operations.
    pub fn op_bomb_body(actor: &[u8], n: u64) -> Vec<u8> {
        let mut body = Vec::new();
        uleb(&mut body, 0); // no dependencies
        uleb(&mut body, actor.len() as u64);
        body.extend_from_slice(actor);
        uleb(&mut body, 1); // seq
        uleb(&mut body, 1); // start op
        sleb(&mut body, 0); // time
        uleb(&mut body, 0); // no message
        uleb(&mut body, 0); // no other actors
        let run = |value: &dyn Fn(&mut Vec<u8>)| {
            let mut col = Vec::new();
            sleb(&mut col, i64::try_from(n).unwrap_or(i64::MAX));
            value(&mut col);
            col
        };
        // key string "k", not an insert, action 1 (set), value metadata 0 (null), no predecessors.
        let columns: Vec<(u32, Vec<u8>)> = vec![
            (
                (1 << 4) | 5,
                run(&|c| {
                    uleb(c, 1);
                    c.push(b'k');
                }),
            ),
            // insert: a boolean column, runs alternating from false: n times false.
            ((3 << 4) | 4, {
                let mut col = Vec::new();
                uleb(&mut col, n);
                col
            }),
            ((4 << 4) | 2, run(&|c| uleb(c, 1))),
            ((5 << 4) | 6, run(&|c| uleb(c, 0))),
            ((7 << 4), run(&|c| uleb(c, 0))),
        ];
        uleb(&mut body, columns.len() as u64);
        for (spec, data) in &columns {
            uleb(&mut body, u64::from(*spec));
            uleb(&mut body, data.len() as u64);
        }
        for (_, data) in &columns {
            body.extend_from_slice(data);
        }
        body
    }

    /// Wraps a change body in a chunk of `chunk_type` (1: change, 2: compressed change, whose
    /// body is deflated here), with the checksum Automerge expects.
    pub fn chunk(body: &[u8], chunk_type: u8) -> Vec<u8> {
        let mut hashed = vec![1u8];
        uleb(&mut hashed, body.len() as u64);
        hashed.extend_from_slice(body);
        let checksum = Sha256::digest(&hashed);
        let data = if chunk_type == 2 {
            use std::io::Write;
            let mut enc =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
            let _ = enc.write_all(body);
            enc.finish().unwrap_or_default()
        } else {
            body.to_vec()
        };
        let mut out = vec![0x85, 0x6f, 0x4a, 0x83];
        out.extend_from_slice(&checksum[..4]);
        out.push(chunk_type);
        uleb(&mut out, data.len() as u64);
        out.extend_from_slice(&data);
        out
    }

    /// The same uncompressed change chunk with the checksum its body calls for: what an
    /// attacker sends to get a mangled change past the checksum.
    pub fn fix_checksum(bytes: &[u8]) -> Vec<u8> {
        let mut out = bytes.to_vec();
        if out.len() < 10 || out[8] != 1 {
            return out;
        }
        // The length is a LEB128 after the type byte; the body is the rest.
        let mut at = 9;
        while at < out.len() && out[at] & 0x80 != 0 {
            at += 1;
        }
        let body = out.get(at + 1..).unwrap_or_default().to_vec();
        let hash = super::change_hash(&body);
        out[4..8].copy_from_slice(&hash[..4]);
        out
    }

    /// A compressed change whose body claims a message of `size` bytes: tiny on the wire,
    /// `size` bytes once inflated. Made as a stream, so `size` may be gigabytes.
    pub fn inflate_bomb(actor: &[u8], size: usize) -> Vec<u8> {
        use sha2::{Digest, Sha256};
        use std::io::Write;
        let mut head = Vec::new();
        uleb(&mut head, 0);
        uleb(&mut head, actor.len() as u64);
        head.extend_from_slice(actor);
        uleb(&mut head, 1);
        uleb(&mut head, 1);
        sleb(&mut head, 0);
        uleb(&mut head, size as u64);
        let tail = [0u8, 0u8]; // no other actors, no columns
        let body_len = head.len() + size + tail.len();
        let mut hasher = Sha256::new();
        hasher.update([1u8]);
        let mut len = Vec::new();
        uleb(&mut len, body_len as u64);
        hasher.update(&len);
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        let block = vec![b'a'; 1 << 20];
        let mut feed = |bytes: &[u8]| {
            hasher.update(bytes);
            let _ = enc.write_all(bytes);
        };
        feed(&head);
        let mut left = size;
        while left > 0 {
            let n = left.min(block.len());
            feed(&block[..n]);
            left -= n;
        }
        feed(&tail);
        let data = enc.finish().unwrap_or_default();
        let checksum = hasher.finalize();
        let mut out = vec![0x85, 0x6f, 0x4a, 0x83];
        out.extend_from_slice(&checksum[..4]);
        out.push(2);
        uleb(&mut out, data.len() as u64);
        out.extend_from_slice(&data);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::craft::*;
    use super::*;
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, Change, ROOT};

    const ACTOR: [u8; 16] = [7; 16];

    #[test]
    fn counts_what_automerge_counts() {
        let mut doc = AutoCommit::new();
        for i in 0..300 {
            doc.put(ROOT, format!("k{}", i % 7), i).expect("put");
        }
        let text = doc
            .put_object(ROOT, "body", automerge::ObjType::Text)
            .expect("text");
        doc.splice_text(&text, 0, 0, &"long note ".repeat(100))
            .expect("splice");
        doc.commit();
        for mut change in doc.get_changes(&[]) {
            let raw = change.raw_bytes().to_vec();
            let compressed = change.bytes().to_vec();
            assert_ne!(raw, compressed, "a long change is stored compressed");
            for bytes in [raw, compressed] {
                let cost = inspect(&bytes, 1 << 20, 1 << 20).expect("inspect");
                assert_eq!(cost.ops, change.len() as u64);
            }
        }
    }

    #[test]
    fn a_hand_made_op_bomb_is_what_automerge_would_accept() {
        let bytes = chunk(&op_bomb_body(&ACTOR, 5000), 1);
        assert!(bytes.len() < 100, "{} bytes", bytes.len());
        let change = Change::try_from(bytes.as_slice()).expect("automerge parses it");
        assert_eq!(change.len(), 5000);
        assert_eq!(inspect(&bytes, 1 << 20, 10_000).expect("ok").ops, 5000);
        assert_eq!(
            inspect(&bytes, 1 << 20, 4999),
            Err(InspectError::TooManyOps { limit: 4999 })
        );
        let billion = chunk(&op_bomb_body(&ACTOR, 1_000_000_000), 2);
        assert!(billion.len() < 100);
        assert_eq!(
            inspect(&billion, 1 << 20, 100_000),
            Err(InspectError::TooManyOps { limit: 100_000 })
        );
    }

    #[test]
    fn inflation_stops_at_the_limit() {
        let bomb = inflate_bomb(&ACTOR, 64 << 20);
        assert!(bomb.len() < 128 * 1024, "{} bytes", bomb.len());
        assert_eq!(
            inspect(&bomb, 1 << 20, 1000),
            Err(InspectError::TooBig { limit: 1 << 20 })
        );
        let small = inflate_bomb(&ACTOR, 1000);
        assert_eq!(inspect(&small, 1 << 20, 1000).expect("ok").ops, 0);
    }

    #[test]
    fn garbage_is_malformed_never_a_panic() {
        for bytes in [
            &b""[..],
            b"\x85\x6f\x4a\x83",
            b"\x85\x6f\x4a\x83\0\0\0\0\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f",
            b"\x85\x6f\x4a\x83\0\0\0\0\x00\x00",
            b"not automerge at all",
        ] {
            assert!(
                matches!(
                    inspect(bytes, 1 << 20, 1000),
                    Err(InspectError::Malformed(_))
                ),
                "{bytes:?}"
            );
        }
    }
}
