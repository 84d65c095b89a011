//! The tensor: a dtype and a layout over an `Arc`-shared storage, plus an opaque slot for the
//! autograd layer's state. Views (`ops/views.rs`) make new tensors that share the storage;
//! nothing here copies memory except the explicit constructors.

use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::shape::{checked_numel, existing_dim, fmt_shape, storage_nbytes};
use crate::storage::Storage;
use std::any::Any;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

/// Where the autograd layer keeps a tensor's state (its gradient, the node that made it, ...).
/// Opaque here, as torch's `AutogradMetaInterface`: the tensor knows nothing of autograd; `None`
/// until the tensor takes part in a graph.
pub type AutogradSlot = Option<Box<dyn Any + Send>>;

/// The shared state behind a [`Tensor`] handle.
pub struct TensorImpl {
    storage: Arc<Storage>,
    layout: Layout,
    dtype: DType,
    requires_grad: AtomicBool,
    autograd: Mutex<AutogradSlot>,
}

/// A non-owning handle to a tensor (an `AccumulateGrad` node's link to its leaf).
#[derive(Clone)]
pub struct WeakTensor(Weak<TensorImpl>);

impl WeakTensor {
    /// The tensor, if it is still alive.
    pub fn upgrade(&self) -> Option<Tensor> {
        self.0.upgrade().map(Tensor)
    }
}

/// A cheap-to-clone handle to a tensor (cloning the handle shares everything, like a Python reference).
#[derive(Clone)]
pub struct Tensor(Arc<TensorImpl>);

impl std::fmt::Debug for Tensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tensor({:?}, {:?})", self.dtype(), self.shape())
    }
}

impl Tensor {
    /// Wraps a storage with a layout; the caller guarantees the layout fits inside the storage.
    pub(crate) fn from_parts(storage: Arc<Storage>, layout: Layout, dtype: DType) -> Tensor {
        // Field by field into the new allocation: `Arc::new` of the whole struct builds it on
        // the stack and copies it (a view op's largest single cost after the Python object).
        let mut new = Arc::<TensorImpl>::new_uninit();
        let p = Arc::get_mut(&mut new)
            .expect("a new Arc is unique")
            .as_mut_ptr();
        // SAFETY: `p` points at the new, unique, uninitialized allocation; each field is written
        // once through a raw place (no reference to uninitialized memory is made), so all of
        // `TensorImpl` is initialized when `assume_init` runs.
        unsafe {
            std::ptr::addr_of_mut!((*p).storage).write(storage);
            std::ptr::addr_of_mut!((*p).layout).write(layout);
            std::ptr::addr_of_mut!((*p).dtype).write(dtype);
            std::ptr::addr_of_mut!((*p).requires_grad).write(AtomicBool::new(false));
            std::ptr::addr_of_mut!((*p).autograd).write(Mutex::new(None));
            Tensor(new.assume_init())
        }
    }

    /// A view of the same storage with another layout (same dtype).
    pub(crate) fn with_layout(&self, layout: Layout) -> Tensor {
        Tensor::from_parts(self.0.storage.clone(), layout, self.dtype())
    }

    /// A contiguous tensor whose elements the caller will all write.
    pub fn uninit(shape: &[usize], dtype: DType) -> Result<Tensor> {
        let nbytes = storage_nbytes(shape, dtype.size())?;
        Ok(Tensor::from_parts(
            Arc::new(Storage::uninit(nbytes)?),
            Layout::contiguous(shape),
            dtype,
        ))
    }

    /// A contiguous zero-filled tensor.
    pub fn zeros(shape: &[usize], dtype: DType) -> Result<Tensor> {
        let nbytes = storage_nbytes(shape, dtype.size())?;
        Ok(Tensor::from_parts(
            Arc::new(Storage::zeroed(nbytes)?),
            Layout::contiguous(shape),
            dtype,
        ))
    }

    /// A contiguous tensor holding a copy of `data` with the given shape.
    pub fn from_vec<T: Element>(data: Vec<T>, shape: &[usize]) -> Result<Tensor> {
        if checked_numel(shape)? != data.len() {
            return Err(Error::Runtime(format!(
                "shape {} does not hold {} elements",
                fmt_shape(shape),
                data.len()
            )));
        }
        let t = Tensor::uninit(shape, T::DTYPE)?;
        // SAFETY: `t` is a fresh contiguous `T::DTYPE` tensor of `checked_numel(shape) ==
        // data.len()` elements, so the destination is valid for `data.len()` writes of `T`;
        // `data` is a separate allocation (no overlap) and nothing else sees `t` yet.
        unsafe {
            std::ptr::copy_nonoverlapping(data.as_ptr(), t.data_ptr_typed::<T>(), data.len());
        }
        Ok(t)
    }

    /// Wraps foreign memory without copying.
    ///
    /// # Safety
    /// The storage must cover every element the layout reaches (each offset times `dtype`'s
    /// size, plus that size, within `storage.nbytes()`), suitably aligned for `dtype`, and hold
    /// valid values of `dtype` (a bool byte is 0 or 1): kernels read it through raw pointers.
    pub unsafe fn from_storage(storage: Arc<Storage>, layout: Layout, dtype: DType) -> Tensor {
        Tensor::from_parts(storage, layout, dtype)
    }

    /// The element type.
    pub fn dtype(&self) -> DType {
        self.0.dtype
    }

    /// The layout (shape, strides, offset).
    pub fn layout(&self) -> &Layout {
        &self.0.layout
    }

    /// Size of each dim.
    pub fn shape(&self) -> &[usize] {
        &self.0.layout.shape
    }

    /// Strides in elements.
    pub fn strides(&self) -> &[isize] {
        &self.0.layout.strides
    }

    /// Offset of the first element in the storage, in elements.
    pub fn storage_offset(&self) -> usize {
        self.0.layout.offset
    }

    /// Number of dims.
    pub fn ndim(&self) -> usize {
        self.0.layout.ndim()
    }

    /// Number of elements.
    pub fn numel(&self) -> usize {
        self.0.layout.numel()
    }

    /// Size of one dim (negative dims count from the end).
    pub fn size(&self, dim: i64) -> Result<usize> {
        Ok(self.shape()[existing_dim(dim, self.ndim())?])
    }

    /// Stride of one dim (negative dims count from the end).
    pub fn stride(&self, dim: i64) -> Result<isize> {
        Ok(self.strides()[existing_dim(dim, self.ndim())?])
    }

    /// Row-major contiguous.
    pub fn is_contiguous(&self) -> bool {
        self.0.layout.is_contiguous()
    }

    /// The shared storage.
    pub fn storage(&self) -> &Arc<Storage> {
        &self.0.storage
    }

    /// Address of the first element.
    pub fn data_ptr(&self) -> *mut u8 {
        // SAFETY: every layout a tensor is built with lies inside its storage (the constructors
        // allocate for their layout, view ops only narrow or re-stride it, and `from_storage`
        // makes it the caller's duty), so `offset * size` is within the allocation, or one past
        // its end for an empty view, which `add` allows; an empty storage has offset 0.
        unsafe {
            self.0
                .storage
                .ptr()
                .add(self.0.layout.offset * self.dtype().size())
        }
    }

    /// Address of the first element as `T` (the caller checked the dtype).
    pub(crate) fn data_ptr_typed<T>(&self) -> *mut T {
        self.data_ptr() as *mut T
    }

    /// True when both handles view the same storage.
    pub fn shares_storage(&self, other: &Tensor) -> bool {
        Arc::ptr_eq(&self.0.storage, &other.0.storage)
    }

    /// True when both handles are the same tensor object.
    pub fn same_tensor(&self, other: &Tensor) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// The version counter shared by every view of the storage.
    pub fn version(&self) -> u64 {
        self.0.storage.version()
    }

    /// Records an in-place write.
    pub fn bump_version(&self) {
        self.0.storage.bump_version()
    }

    /// The `requires_grad` flag.
    pub fn requires_grad(&self) -> bool {
        self.0.requires_grad.load(Ordering::Relaxed)
    }

    /// Sets the `requires_grad` flag (the autograd layer checks when that is allowed).
    pub(crate) fn store_requires_grad(&self, flag: bool) {
        self.0.requires_grad.store(flag, Ordering::Relaxed);
    }

    /// The autograd layer's slot, locked.
    pub(crate) fn autograd_slot(&self) -> MutexGuard<'_, AutogradSlot> {
        self.0.autograd.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A weak handle, for nodes that must not keep the tensor alive.
    pub fn downgrade(&self) -> WeakTensor {
        WeakTensor(Arc::downgrade(&self.0))
    }

    /// A new tensor over `src`'s storage, layout and dtype that takes over this tensor's
    /// `requires_grad` flag and autograd slot (this one is left with an empty slot): the half of
    /// torch's `set_data` that belongs to the tensor; the autograd layer fixes up the rest.
    pub fn adopt_data(&self, src: &Tensor) -> Tensor {
        let new = Tensor::from_parts(src.0.storage.clone(), src.0.layout.clone(), src.dtype());
        new.store_requires_grad(self.requires_grad());
        *new.autograd_slot() = self.autograd_slot().take();
        new
    }

    /// A new tensor handle sharing storage and version counter, without gradient tracking.
    pub fn detach(&self) -> Tensor {
        self.with_layout(self.layout().clone())
    }

    /// Broadcasts to an already-validated shape (this same handle when the shape already fits),
    /// unrecorded: kernels read broadcast operands through it.
    pub(crate) fn broadcast_to(&self, shape: &[usize]) -> Tensor {
        if self.shape() == shape {
            return self.clone();
        }
        self.with_layout(self.layout().broadcast_to(shape))
    }

    /// `narrow(dim, start, length)` unrecorded: a contiguous range along a dim.
    pub(crate) fn narrow(&self, dim: usize, start: usize, length: usize) -> Tensor {
        self.with_layout(self.layout().slice(dim, start, length, 1))
    }
}
