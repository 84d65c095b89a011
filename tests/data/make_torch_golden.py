"""Writes the torch-made checkpoints tests/test_save.py reads with rtensor.load where torch is not
installed. Run once with torch (the files are committed; each is a few KB):

    python tests/data/make_torch_golden.py

The values are simple formulas (tests/test_save.py recomputes them without torch), so the files need
no companion data.
"""

import collections
import pathlib

import torch

HERE = pathlib.Path(__file__).resolve().parent

DTYPES = ["float32", "float64", "float16", "bfloat16", "int8", "int16", "int32", "int64", "uint8", "bool"]


def values(dtype_name):
    """The 6 values every dtype's tensor holds (recomputed by the tests)."""
    if dtype_name == "bool":
        return [True, False, True, True, False, False]
    if dtype_name == "uint8":
        return [0, 1, 2, 127, 128, 255]
    if dtype_name.startswith("int"):
        return [-3, -1, 0, 1, 2, 100]
    return [-2.5, -1.0, 0.0, 0.5, 1.25, 3.0]


def main():
    torch.save({name: torch.tensor(values(name), dtype=getattr(torch, name)) for name in DTYPES},
               HERE / "torch_golden_dtypes.pt")

    base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    torch.save({"base": base, "row": base[1], "col": base[:, 2], "t": base.t()}, HERE / "torch_golden_shared.pt")

    strided = torch.arange(24, dtype=torch.int64).reshape(2, 3, 4)
    torch.save(strided.permute(2, 0, 1)[1:, :, ::2], HERE / "torch_golden_view.pt")

    state = collections.OrderedDict()
    state["layer.weight"] = torch.arange(6, dtype=torch.float32).reshape(2, 3) / 4
    state["layer.bias"] = torch.tensor([0.5, -0.5])
    state["bn.num_batches_tracked"] = torch.tensor(7)
    state["param"] = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    state["grad"] = torch.tensor([3.0], requires_grad=True)
    torch.save(state, HERE / "torch_golden_state_dict.pt")

    nested = {
        "list": [torch.tensor([1, 2]), (torch.tensor(3.5), "s", None), {"k": [True, 1.5, b"by"]}],
        "scalar": torch.tensor(2.0, dtype=torch.float64),
        "empty": torch.empty(0, 3),
        "meta": {"epoch": 3, "lr": 0.01, "name": "run"},
        "dtype": torch.float16,
        "size": torch.Size([2, 3]),
    }
    torch.save(nested, HERE / "torch_golden_nested.pt")


if __name__ == "__main__":
    main()
