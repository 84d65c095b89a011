//! Hugging Face's safetensors format, through the `safetensors` crate: tensors to bytes or to a
//! file, and back. A file is memory-mapped copy-on-write (a private mapping) and each tensor's
//! storage borrows its own part of the map when that part is aligned for its dtype: zero copy,
//! and writes to a loaded tensor stay in this process, never reaching the file. A part that is
//! not aligned, or a bool part holding bytes other than 0 and 1, is copied instead. The module
//! `rtensor.safetensors` (`src/python/safetensors.rs`) calls these functions.

use crate::dtype::DType;
use crate::error::Error;
use crate::layout::Layout;
use crate::storage::Storage;
use crate::tensor::Tensor;
use ::safetensors::tensor::{Dtype, SafeTensorError, SafeTensors, View};
use memmap2::{MmapMut, MmapOptions};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

/// Bytes of the little-endian header length that starts every safetensors buffer.
const HEADER_LEN_BYTES: usize = 8;

/// Why reading or writing safetensors failed.
#[derive(Debug)]
pub enum StError {
    /// The crate refused the bytes (a corrupt or hostile header) or the write (its I/O error).
    Format(SafeTensorError),
    /// Content rtensor cannot hold: a dtype it lacks (`U32`, `F8_E4M3`, ...), a shape whose
    /// strides leave int64, a tensor that is not contiguous.
    Unsupported(String),
    /// The OS refused to map the file.
    Io(std::io::Error),
    /// An rtensor error (not enough memory for a copy).
    Tensor(Error),
}

impl From<SafeTensorError> for StError {
    fn from(e: SafeTensorError) -> StError {
        StError::Format(e)
    }
}

impl From<Error> for StError {
    fn from(e: Error) -> StError {
        StError::Tensor(e)
    }
}

/// The safetensors name of an rtensor dtype (every one has a counterpart).
pub fn to_file_dtype(d: DType) -> Dtype {
    match d {
        DType::Bool => Dtype::BOOL,
        DType::UInt8 => Dtype::U8,
        DType::Int8 => Dtype::I8,
        DType::Int16 => Dtype::I16,
        DType::Int32 => Dtype::I32,
        DType::Int64 => Dtype::I64,
        DType::Float16 => Dtype::F16,
        DType::BFloat16 => Dtype::BF16,
        DType::Float32 => Dtype::F32,
        DType::Float64 => Dtype::F64,
    }
}

/// The rtensor dtype of a safetensors dtype, if rtensor has one.
pub fn from_file_dtype(d: Dtype) -> Option<DType> {
    Some(match d {
        Dtype::BOOL => DType::Bool,
        Dtype::U8 => DType::UInt8,
        Dtype::I8 => DType::Int8,
        Dtype::I16 => DType::Int16,
        Dtype::I32 => DType::Int32,
        Dtype::I64 => DType::Int64,
        Dtype::F16 => DType::Float16,
        Dtype::BF16 => DType::BFloat16,
        Dtype::F32 => DType::Float32,
        Dtype::F64 => DType::Float64,
        _ => return None,
    })
}

/// One contiguous tensor as the crate's `View`: its elements' bytes, read in place.
struct Part<'a>(&'a Tensor);

impl View for Part<'_> {
    fn dtype(&self) -> Dtype {
        to_file_dtype(self.0.dtype())
    }

    fn shape(&self) -> &[usize] {
        self.0.shape()
    }

    fn data(&self) -> Cow<'_, [u8]> {
        // SAFETY: `parts` only builds a `Part` of a contiguous tensor, whose `numel * itemsize`
        // bytes from `data_ptr` lie inside its storage, which the borrowed tensor keeps alive for
        // the slice's lifetime. As with torch's storages, a concurrent in-place write from another
        // thread would race with this read; rtensor's own ops do not write the tensors given.
        Cow::Borrowed(unsafe { std::slice::from_raw_parts(self.0.data_ptr(), self.data_len()) })
    }

    fn data_len(&self) -> usize {
        self.0.numel() * self.0.dtype().size()
    }
}

/// The tensors as the crate's views, refusing a non-contiguous one (its bytes are not in order).
fn parts(tensors: &[(String, Tensor)]) -> Result<Vec<(&str, Part<'_>)>, StError> {
    tensors
        .iter()
        .map(|(name, t)| {
            if !t.is_contiguous() {
                return Err(StError::Unsupported(format!(
                    "You are trying to save a non contiguous tensor: `{name}` which is not allowed."
                )));
            }
            Ok((name.as_str(), Part(t)))
        })
        .collect()
}

/// The safetensors bytes of `tensors` (each contiguous) with optional string metadata.
pub fn serialize(
    tensors: &[(String, Tensor)],
    metadata: Option<HashMap<String, String>>,
) -> Result<Vec<u8>, StError> {
    Ok(::safetensors::serialize(parts(tensors)?, metadata)?)
}

/// Writes `tensors` to `path` (through a temporary file in the same folder, renamed at the end,
/// so a file that tensors are mapped from is replaced, never overwritten in place).
pub fn serialize_to_file(
    tensors: &[(String, Tensor)],
    metadata: Option<HashMap<String, String>>,
    path: &Path,
) -> Result<(), StError> {
    Ok(::safetensors::serialize_to_file(
        parts(tensors)?,
        metadata,
        path,
    )?)
}

/// Checks what the crate leaves to us: that rtensor has the dtype, and that the contiguous
/// strides of the shape fit in int64 (torch's "Stride calculation overflowed" otherwise; the
/// crate only checks the element count, which a zero dim keeps small).
fn checked_dtype(name: &str, dtype: Dtype, shape: &[usize]) -> Result<DType, StError> {
    let d = from_file_dtype(dtype).ok_or_else(|| {
        StError::Unsupported(format!(
            "tensor `{name}` has dtype {dtype}, which rtensor does not support"
        ))
    })?;
    shape
        .iter()
        .try_fold(1i64, |acc, &n| {
            i64::try_from(n.max(1))
                .ok()
                .and_then(|n| acc.checked_mul(n))
        })
        .ok_or_else(|| StError::Tensor(Error::Runtime("Stride calculation overflowed".into())))?;
    Ok(d)
}

/// A new contiguous tensor holding a copy of `bytes` (bool bytes other than 0 become 1: an
/// rtensor bool must be 0 or 1).
fn copied(bytes: &[u8], shape: &[usize], dtype: DType) -> Result<Tensor, StError> {
    let t = Tensor::uninit(shape, dtype)?;
    // SAFETY: `t` is a fresh contiguous tensor of `shape` and `dtype`, and the crate checked
    // that `bytes` is exactly `numel * itemsize` long, so the destination has room for every
    // byte; it is a new allocation (no overlap with `bytes`) that nothing else sees yet.
    let out = unsafe { std::slice::from_raw_parts_mut(t.data_ptr(), bytes.len()) };
    if dtype == DType::Bool {
        for (o, &b) in out.iter_mut().zip(bytes) {
            *o = u8::from(b != 0);
        }
    } else {
        out.copy_from_slice(bytes);
    }
    Ok(t)
}

/// Parses the header of `buffer` (a whole safetensors file) and makes one tensor per entry, in
/// the order of their data, with `make(name, dtype, shape, byte range in buffer)`. Returns the
/// tensors and the header's `__metadata__`.
fn read<F>(buffer: &[u8], mut make: F) -> Result<Loaded, StError>
where
    F: FnMut(DType, &[usize], std::ops::Range<usize>) -> Result<Tensor, StError>,
{
    let (header, meta) = SafeTensors::read_metadata(buffer)?;
    // `read_metadata` checked that the header and every tensor's range lie inside `buffer`.
    let start = HEADER_LEN_BYTES + header;
    let names = meta.offset_keys();
    let mut tensors = Vec::with_capacity(names.len());
    for name in names {
        let info = meta
            .info(&name)
            .ok_or_else(|| SafeTensorError::TensorNotFound(name.clone()))?;
        let dtype = checked_dtype(&name, info.dtype, &info.shape)?;
        let (lo, hi) = info.data_offsets;
        let t = make(dtype, &info.shape, start + lo..start + hi)?;
        tensors.push((name, t));
    }
    Ok(Loaded {
        tensors,
        metadata: meta.metadata().clone(),
    })
}

/// What a safetensors buffer holds.
pub struct Loaded {
    /// The tensors, in the order of their data.
    pub tensors: Vec<(String, Tensor)>,
    /// The header's free-form `__metadata__`, if any.
    pub metadata: Option<HashMap<String, String>>,
}

/// Reads safetensors bytes; every tensor is a copy.
pub fn deserialize(buffer: &[u8]) -> Result<Loaded, StError> {
    read(buffer, |dtype, shape, range| {
        copied(&buffer[range], shape, dtype)
    })
}

/// Maps `file` copy-on-write and reads it; each tensor's storage is its part of the map where
/// that part is aligned for the dtype (the storages keep the map alive), else a copy.
pub fn load_mapped(file: &File) -> Result<Loaded, StError> {
    // SAFETY: a private (copy-on-write) map: our writes never reach the file. Its pages still
    // show changes that others make to the file before we write them, and a file truncated
    // under the map faults on access, as with every mmap-based loader (torch's, safetensors');
    // `serialize_to_file` replaces a file by renaming, so saving over a loaded file is safe.
    let mut map: MmapMut = unsafe { MmapOptions::new().map_copy(file) }.map_err(StError::Io)?;
    let base = map.as_mut_ptr();
    let map = Arc::new(map);
    // SAFETY: `base` is the start of the map's `map.len()` bytes, alive while `map` is, and no
    // write goes through it while this slice is used (the tensors made below are not yet seen
    // by anyone).
    let buffer = unsafe { std::slice::from_raw_parts(base.cast_const(), map.len()) };
    read(buffer, |dtype, shape, range| {
        let bytes = &buffer[range.clone()];
        let aligned = (base as usize + range.start).is_multiple_of(dtype.size());
        let valid = dtype != DType::Bool || bytes.iter().all(|&b| b <= 1);
        if bytes.is_empty() || !aligned || !valid {
            return copied(bytes, shape, dtype);
        }
        // SAFETY: `range` lies inside the map (checked by the crate), which the owner (a share
        // of `map`) keeps alive and writable (a private map) as long as the storage lives; the
        // crate checked that the tensors' ranges do not overlap, so no two storages alias.
        let storage = unsafe {
            Storage::borrowed(
                base.add(range.start),
                bytes.len(),
                Box::new(Arc::clone(&map)),
            )
        };
        // SAFETY: the storage is exactly the `numel * itemsize` bytes of a contiguous `shape`
        // (checked by the crate), aligned for `dtype` (checked above), and every byte pattern
        // is a valid value of a numeric dtype; a bool part was checked to hold only 0 and 1.
        Ok(unsafe { Tensor::from_storage(Arc::new(storage), Layout::contiguous(shape), dtype) })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<(String, Tensor)> {
        vec![
            (
                "w".into(),
                Tensor::from_vec(vec![1.5f32, -2.0, 3.25, 4.0, 5.0, 6.0], &[2, 3]).unwrap(),
            ),
            ("n".into(), Tensor::from_vec(vec![7i64], &[]).unwrap()),
            (
                "b".into(),
                Tensor::from_vec(vec![true, false], &[2]).unwrap(),
            ),
            ("e".into(), Tensor::zeros(&[0, 4], DType::Float64).unwrap()),
        ]
    }

    fn bytes_of(t: &Tensor) -> Vec<u8> {
        Part(t).data().into_owned()
    }

    #[test]
    fn every_dtype_maps_both_ways() {
        for d in DType::ALL {
            assert_eq!(from_file_dtype(to_file_dtype(d)), Some(d));
        }
        assert_eq!(from_file_dtype(Dtype::U32), None);
    }

    #[test]
    fn round_trip_through_bytes_and_a_mapped_file() {
        let tensors = sample();
        let meta = HashMap::from([("format".to_string(), "pt".to_string())]);
        let buf = serialize(&tensors, Some(meta.clone())).unwrap();
        let check = |loaded: Loaded| {
            assert_eq!(loaded.metadata.as_ref(), Some(&meta));
            assert_eq!(loaded.tensors.len(), 4);
            for (name, t) in &tensors {
                let (_, u) = loaded.tensors.iter().find(|(n, _)| n == name).unwrap();
                assert_eq!((u.dtype(), u.shape()), (t.dtype(), t.shape()));
                assert_eq!(bytes_of(u), bytes_of(t));
            }
        };
        check(deserialize(&buf).unwrap());
        let dir = std::env::temp_dir().join(format!("rtensor-st-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.safetensors");
        serialize_to_file(&tensors, Some(meta.clone()), &path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), buf);
        let mut loaded = load_mapped(&File::open(&path).unwrap()).unwrap();
        assert_eq!(loaded.tensors[0].1.dtype(), DType::Int64); // the crate puts I64 first
        check(load_mapped(&File::open(&path).unwrap()).unwrap());
        // The float32 tensor borrows the map, which outlives the other tensors dropped here;
        // writing it leaves the file as it was.
        loaded.tensors.retain(|(n, _)| n == "w");
        let (_, w) = loaded.tensors.pop().unwrap();
        drop(loaded);
        // SAFETY: `w` is a float32 tensor of 6 elements, writable (a private map); nothing else
        // reads it during the write.
        unsafe { *w.data_ptr().cast::<f32>() = 9.0 };
        assert_eq!(bytes_of(&w)[..4], 9.0f32.to_le_bytes());
        assert_eq!(std::fs::read(&path).unwrap(), buf);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn hostile_buffers_give_errors() {
        let header = |h: &str, data: usize| {
            let mut b = (h.len() as u64).to_le_bytes().to_vec();
            b.extend(h.as_bytes());
            b.extend(vec![0u8; data]);
            b
        };
        let bad: Vec<Vec<u8>> = vec![
            vec![],
            vec![1, 2, 3],
            u64::MAX.to_le_bytes().to_vec(),
            header("not json", 0),
            header(
                r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
                4,
            ),
            header(
                r#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#,
                8,
            ),
            header(
                r#"{"a":{"dtype":"U32","shape":[2],"data_offsets":[0,8]}}"#,
                8,
            ),
            header(
                r#"{"a":{"dtype":"F32","shape":[0,4611686018427387904,4],"data_offsets":[0,0]}}"#,
                0,
            ),
            header(
                r#"{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}"#,
                3,
            ),
        ];
        for b in bad {
            assert!(deserialize(&b).is_err(), "{:?}", b);
        }
        // Bool bytes other than 0 and 1 are read as true.
        let b = header(
            r#"{"a":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}}"#,
            0,
        );
        let mut b = b;
        b.extend([0u8, 7, 1]);
        let loaded = deserialize(&b).unwrap();
        assert_eq!(bytes_of(&loaded.tensors[0].1), vec![0, 1, 1]);
    }
}
