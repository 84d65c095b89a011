"""``rtensor.linalg``: torch.linalg's norms and products, compiled in ``rtensor._rtensor``.

``vector_norm``, ``matrix_norm`` and ``norm`` follow torch.linalg's argument rules; the matrix
orders that need singular values (2, -2, 'nuc') raise NotImplementedError for now.
"""

from ._rtensor import linalg_matrix_norm as matrix_norm
from ._rtensor import linalg_norm as norm
from ._rtensor import linalg_vector_norm as vector_norm
from ._rtensor import matmul


__all__ = ["matmul", "matrix_norm", "norm", "vector_norm"]
