//! Element kernels shared by the elementwise ops: vectorisable float math ([`vmath`]).

pub mod vmath;
