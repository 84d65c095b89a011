//! The tensor: a dtype and a layout over an `Arc`-shared storage. Views make new tensors that share
//! the storage; nothing here copies memory except the explicit constructors.

use crate::autograd::graph::{Backward, Node};
use crate::autograd::meta::AutogradMeta;
use crate::autograd::record::{record, record_view};
use crate::autograd::rules::views::{
    PassRule, PermuteRule, RegionRule, ReshapeRule, TransposeRule,
};
use crate::autograd::rules::InputMeta;
use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::layout::{infer_shape, Layout};
use crate::shape::{
    checked_numel, existing_dim, fmt_shape, normalize_dim, normalize_insert_dim, storage_nbytes,
};
use crate::storage::Storage;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

/// The shared state behind a [`Tensor`] handle.
pub struct TensorImpl {
    storage: Arc<Storage>,
    layout: Layout,
    dtype: DType,
    requires_grad: AtomicBool,
    autograd: Mutex<AutogradMeta>,
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
        Tensor(Arc::new(TensorImpl {
            storage,
            layout,
            dtype,
            requires_grad: AtomicBool::new(false),
            autograd: Mutex::new(AutogradMeta::default()),
        }))
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
        // SAFETY: the new buffer holds exactly data.len() elements of T and nothing else sees it yet.
        unsafe {
            std::ptr::copy_nonoverlapping(data.as_ptr(), t.data_ptr_typed::<T>(), data.len());
        }
        Ok(t)
    }

    /// Wraps foreign memory without copying.
    ///
    /// # Safety
    /// The storage must cover every element the layout reaches.
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
        // SAFETY: the offset lies inside the storage (or is 0 for empty storages).
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

    /// Sets `requires_grad` on a leaf; only floating tensors can require gradients, and a non-leaf
    /// can only be switched on, as in torch.
    pub fn set_requires_grad(&self, flag: bool) -> Result<()> {
        if flag && !self.dtype().is_floating() {
            return Err(Error::Runtime(
                "Only Tensors of floating point and complex dtype can require gradients".into(),
            ));
        }
        if !flag && !self.is_leaf() {
            return Err(Error::Runtime(
                "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
                    .into(),
            ));
        }
        self.0.requires_grad.store(flag, Ordering::Relaxed);
        Ok(())
    }

    /// The autograd state, locked.
    pub(crate) fn meta(&self) -> MutexGuard<'_, AutogradMeta> {
        self.0.autograd.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The node that produced this tensor (`None` for leaves).
    pub fn grad_fn(&self) -> Option<Arc<Node>> {
        if !self.requires_grad() {
            return None;
        }
        self.meta().grad_fn.clone()
    }

    /// True for tensors not produced by a recorded op.
    pub fn is_leaf(&self) -> bool {
        !self.requires_grad() || self.meta().grad_fn.is_none()
    }

    /// Makes this tensor the output of `node` (a view of `view_base` when given).
    pub(crate) fn set_history(&self, node: Arc<Node>, view_base: Option<Tensor>) {
        let mut m = self.meta();
        m.grad_fn = Some(node);
        m.view_base = view_base;
        drop(m);
        self.0.requires_grad.store(true, Ordering::Relaxed);
    }

    /// Forgets the history: the tensor becomes a leaf that does not require grad (`detach_()`).
    pub(crate) fn clear_history(&self) {
        let mut m = self.meta();
        m.grad_fn = None;
        m.view_base = None;
        drop(m);
        self.0.requires_grad.store(false, Ordering::Relaxed);
    }

    /// The accumulated gradient.
    pub fn grad(&self) -> Option<Tensor> {
        self.meta().grad.clone()
    }

    /// Replaces the accumulated gradient (`None` clears it).
    pub fn set_grad(&self, grad: Option<Tensor>) {
        self.meta().grad = grad;
    }

    /// A weak handle, for nodes that must not keep the tensor alive.
    pub fn downgrade(&self) -> WeakTensor {
        WeakTensor(Arc::downgrade(&self.0))
    }

    // ---- views -------------------------------------------------------------------------------

    /// A new tensor handle sharing storage and version counter, without gradient tracking.
    pub fn detach(&self) -> Tensor {
        self.with_layout(self.layout().clone())
    }

    /// A view of this tensor with `layout`, recorded under `name` with `rule` when needed.
    fn recorded_view<R: Backward + 'static>(
        &self,
        layout: Layout,
        name: &'static str,
        rule: impl FnOnce() -> R,
    ) -> Tensor {
        record_view(self.with_layout(layout), name, self, rule)
    }

    /// A view with a new shape, whose gradient is reshaped back.
    fn reshaped_view(&self, layout: Layout, name: &'static str) -> Tensor {
        self.recorded_view(layout, name, || ReshapeRule(self.shape().to_vec()))
    }

    /// A view of a region (select, slice), whose gradient lands in that region of zeros.
    fn region_view(
        &self,
        name: &'static str,
        region: impl Fn(&Layout) -> Layout + Send + Sync + 'static,
    ) -> Tensor {
        let layout = region(self.layout());
        self.recorded_view(layout, name, || RegionRule {
            input: InputMeta::of(self),
            region: Box::new(region),
        })
    }

    /// Swaps two dims.
    pub fn transpose(&self, d0: i64, d1: i64) -> Result<Tensor> {
        let layout = self.layout().transpose(d0, d1)?;
        Ok(self.recorded_view(layout, "TransposeBackward0", || TransposeRule(d0, d1)))
    }

    /// Reorders dims.
    pub fn permute(&self, dims: &[i64]) -> Result<Tensor> {
        let layout = self.layout().permute(dims)?;
        Ok(self.recorded_view(layout, "PermuteBackward0", || PermuteRule::new(dims)))
    }

    /// `t()`: transposes a tensor of at most 2 dims.
    pub fn t(&self) -> Result<Tensor> {
        if self.ndim() > 2 {
            return Err(Error::Runtime(format!(
                "t() expects a tensor with <= 2 dimensions, but self is {}D",
                self.ndim()
            )));
        }
        if self.ndim() < 2 {
            return Ok(self.reshaped_view(self.layout().clone(), "TBackward0"));
        }
        let layout = self.layout().transpose(0, 1)?;
        Ok(self.recorded_view(layout, "TBackward0", || TransposeRule(0, 1)))
    }

    /// `T`: reverses all dims.
    pub fn reverse_dims(&self) -> Result<Tensor> {
        let dims: Vec<i64> = (0..self.ndim() as i64).rev().collect();
        self.permute(&dims)
    }

    /// Inserts a size-1 dim.
    pub fn unsqueeze(&self, dim: i64) -> Result<Tensor> {
        let d = normalize_insert_dim(dim, self.ndim())?;
        Ok(self.reshaped_view(self.layout().unsqueeze(d), "UnsqueezeBackward0"))
    }

    /// Removes size-1 dims (all, or those listed).
    pub fn squeeze(&self, dims: Option<&[i64]>) -> Result<Tensor> {
        let dims = match dims {
            None => None,
            Some(ds) => Some(
                ds.iter()
                    .map(|&d| normalize_dim(d, self.ndim()))
                    .collect::<Result<Vec<_>>>()?,
            ),
        };
        let name = match &dims {
            None => "SqueezeBackward0",
            Some(_) => "SqueezeBackward1",
        };
        Ok(self.reshaped_view(self.layout().squeeze(dims.as_deref()), name))
    }

    /// Broadcasts to `sizes` (`-1` keeps a dim) without copying.
    pub fn expand(&self, sizes: &[i64]) -> Result<Tensor> {
        let layout = self.layout().expand(sizes)?;
        Ok(self.recorded_view(layout, "ExpandBackward0", || PassRule(InputMeta::of(self))))
    }

    /// Broadcasts to an already-validated shape (this same handle when the shape already fits).
    pub fn broadcast_to(&self, shape: &[usize]) -> Tensor {
        if self.shape() == shape {
            return self.clone();
        }
        self.with_layout(self.layout().broadcast_to(shape))
    }

    /// The tensor viewed with `shape` (same element count), when its strides allow that.
    fn try_view(&self, shape: Vec<usize>) -> Option<Tensor> {
        let strides = self.layout().view_strides(&shape)?;
        let layout = Layout {
            shape,
            strides,
            offset: self.storage_offset(),
        };
        Some(self.reshaped_view(layout, "ViewBackward0"))
    }

    /// `view`: a new shape over the same memory, or torch's error when the strides forbid it.
    pub fn view(&self, sizes: &[i64]) -> Result<Tensor> {
        self.try_view(infer_shape(sizes, self.numel())?).ok_or_else(|| {
            Error::Runtime(
                "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead."
                    .into(),
            )
        })
    }

    /// `reshape`: a view when the strides allow it, otherwise a contiguous copy.
    pub fn reshape(&self, sizes: &[i64]) -> Result<Tensor> {
        let shape = infer_shape(sizes, self.numel())?;
        if let Some(view) = self.try_view(shape.clone()) {
            return Ok(view);
        }
        let c = self.contiguous()?;
        let out = c.with_layout(Layout::contiguous(&shape));
        Ok(record(out, "UnsafeViewBackward0", &[&c], || {
            ReshapeRule(c.shape().to_vec())
        }))
    }

    /// Flattens dims `start..=end` into one.
    pub fn flatten(&self, start: i64, end: i64) -> Result<Tensor> {
        if self.ndim() == 0 {
            // A 0-dim tensor has the one dim 0 (or -1) here, as for every dim argument in torch.
            normalize_dim(start, 0)?;
            normalize_dim(end, 0)?;
            return self.reshape(&[1]);
        }
        let s = normalize_dim(start, self.ndim())?;
        let e = normalize_dim(end, self.ndim())?;
        if s > e {
            return Err(Error::Runtime(
                "flatten() has invalid args: start_dim cannot come after end_dim".into(),
            ));
        }
        if s == e {
            return Ok(self.clone());
        }
        let shape = self.shape();
        let mut sizes: Vec<i64> = shape[..s].iter().map(|&d| d as i64).collect();
        sizes.push(shape[s..=e].iter().product::<usize>() as i64);
        sizes.extend(shape[e + 1..].iter().map(|&d| d as i64));
        self.reshape(&sizes)
    }

    /// The diagonal of dims `keep` < `merge` as a view (einsum's `ii->i`): it stays at `keep`,
    /// `merge` is removed. Out-of-range dims are an error.
    pub fn diagonal_view(&self, keep: usize, merge: usize) -> Result<Tensor> {
        if keep >= merge || merge >= self.ndim() {
            return Err(Error::Index(format!(
                "diagonal dimensions {} and {} are invalid for a tensor of {} dims",
                keep,
                merge,
                self.ndim()
            )));
        }
        Ok(self.region_view("DiagonalBackward0", move |l| l.diagonal(keep, merge)))
    }

    /// Selects one index along a dim (negative indices count from the end), removing the dim.
    pub fn select(&self, dim: i64, index: i64) -> Result<Tensor> {
        if self.ndim() == 0 {
            return Err(Error::Index(
                "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number".into(),
            ));
        }
        let d = normalize_dim(dim, self.ndim())?;
        let size = self.shape()[d] as i64;
        if index < -size || index >= size {
            return Err(Error::IndexOutOfRange {
                index,
                dim: d,
                size: size as usize,
            });
        }
        let i = if index < 0 { index + size } else { index } as usize;
        Ok(self.region_view("SelectBackward0", move |l| l.select(d, i)))
    }

    /// Python-style slice `start:stop:step` along a dim (bounds clamp as in Python; step > 0).
    pub fn slice(
        &self,
        dim: usize,
        start: Option<i64>,
        stop: Option<i64>,
        step: i64,
    ) -> Result<Tensor> {
        if step == 0 {
            return Err(Error::Value("slice step cannot be zero".into()));
        }
        if step < 0 {
            return Err(Error::Value("step must be greater than zero".into()));
        }
        let size = self.shape()[dim] as i64;
        let clamp = |v: i64| {
            if v < 0 {
                v.saturating_add(size).max(0)
            } else {
                v.min(size)
            }
        };
        let s = start.map_or(0, clamp);
        let e = stop.map_or(size, clamp);
        let len = if e > s { (e - s - 1) / step + 1 } else { 0 };
        let (s, len, step) = (s as usize, len as usize, step as usize);
        Ok(self.region_view("SliceBackward0", move |l| l.slice(dim, s, len, step)))
    }

    /// `narrow(dim, start, length)` as the user calls it: checked, negative `start` counts from the end.
    pub fn narrow_checked(&self, dim: i64, start: i64, length: i64) -> Result<Tensor> {
        if self.ndim() == 0 {
            return Err(Error::Runtime(
                "narrow() cannot be applied to a 0-dim tensor.".into(),
            ));
        }
        // torch's checks, in its order and with its exception types.
        if length < 0 {
            return Err(Error::Runtime(
                "narrow(): length must be non-negative.".into(),
            ));
        }
        let d = normalize_dim(dim, self.ndim())?;
        let size = self.shape()[d] as i64;
        let s = if start < 0 {
            start.saturating_add(size)
        } else {
            start
        };
        if start < -size || start > size {
            return Err(Error::Index(format!(
                "start out of range (expected to be in range of [{}, {}], but got {})",
                -size, size, start
            )));
        }
        if length > size - s {
            return Err(Error::Runtime(format!(
                "start ({}) + length ({}) exceeds dimension size ({}).",
                s, length, size
            )));
        }
        let (s, len) = (s as usize, length as usize);
        Ok(self.region_view("SliceBackward0", move |l| l.slice(d, s, len, 1)))
    }

    /// Room for `n` views of this tensor (the pieces of `split`, `chunk`, iteration), or torch's
    /// out-of-memory error when `n` views would not fit in memory: a dim of 2**40 expanded from
    /// one element is cheap to make and must not abort the process when split into single rows.
    pub fn reserve_views(&self, n: usize) -> Result<Vec<Tensor>> {
        let per_view = std::mem::size_of::<Tensor>()
            + std::mem::size_of::<TensorImpl>()
            + 2 * 16 // the Arc's counts, and the Python object that will wrap the view
            + self.ndim() * (std::mem::size_of::<usize>() + std::mem::size_of::<isize>())
            + 64;
        crate::storage::check_allocatable(n, per_view)?;
        crate::storage::try_vec(n)
    }

    /// `unbind(dim)`: every `select(dim, i)` view, in order (what iterating a tensor yields).
    pub fn unbind(&self, dim: i64) -> Result<Vec<Tensor>> {
        if self.ndim() == 0 {
            return Err(Error::Index(
                "Dimension specified as 0 but tensor has no dimensions".into(),
            ));
        }
        let d = normalize_dim(dim, self.ndim())?;
        let n = self.shape()[d];
        let mut out = self.reserve_views(n)?;
        for i in 0..n {
            out.push(self.select(d as i64, i as i64)?);
        }
        Ok(out)
    }

    /// A recorded `narrow` for the pieces of `split` and `chunk`.
    pub fn split_piece(&self, dim: usize, start: usize, length: usize) -> Tensor {
        self.region_view("SplitBackward0", move |l| l.slice(dim, start, length, 1))
    }

    /// `narrow(dim, start, length)`: a contiguous range along a dim.
    pub fn narrow(&self, dim: usize, start: usize, length: usize) -> Tensor {
        self.with_layout(self.layout().slice(dim, start, length, 1))
    }
}
