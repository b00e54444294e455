"""Columns between numpy and Arrow, through their buffers.

pyarrow's own conversions (``to_numpy``, ``pa.array`` of a numpy array, ``fill_null``...)
import pandas the first time they run, which costs a third of a second of a thread holding
the GIL; the analyses never need pandas, so their numbers cross over here instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa


def numpy_of(column: pa.Array | pa.ChunkedArray) -> npt.NDArray[Any]:
    """A column of numbers without nulls as a numpy array (a view of its buffer, when it is
    in one chunk)."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if array.null_count:
        raise ValueError("numpy_of takes columns without nulls")
    dtype = np.dtype(array.type.to_pandas_dtype())
    offset = array.offset * dtype.itemsize
    return np.frombuffer(array.buffers()[1], dtype=dtype, count=len(array), offset=offset)


def arrow_of(
    values: npt.NDArray[Any], kind: pa.DataType, valid: npt.NDArray[np.bool_] | None = None
) -> pa.Array:
    """``values`` as an Arrow array of type ``kind`` (of the same width: int64 as a
    timestamp, say), null where ``valid`` is False."""
    values = np.ascontiguousarray(values)
    bitmap = None
    if valid is not None and not valid.all():
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    nulls = -1 if bitmap is not None else 0
    return pa.Array.from_buffers(kind, len(values), [bitmap, pa.py_buffer(values)], nulls)


def strings_of(texts: list[str]) -> pa.Array:
    """``texts`` as an Arrow string array."""
    encoded = [text.encode() for text in texts]
    offsets = np.cumsum([0, *map(len, encoded)], dtype=np.int32)
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))]
    return pa.Array.from_buffers(pa.string(), len(texts), buffers)
