"""Prints the versions of the peer's Python packages and the BLAS library torch loaded."""
import json, os, sys

import numpy
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from blas_info import blas_info

torch.ones(64, 64) @ torch.ones(64, 64)    # make sure the BLAS library is loaded and used
print(json.dumps({"python": sys.version.split()[0], "torch": torch.__version__, "onnx": onnx.__version__,
                  "numpy": numpy.__version__, "torch_threads_default": torch.get_num_threads(),
                  "blas": blas_info()}))
