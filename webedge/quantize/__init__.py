"""Weight quantization for smaller downloads: fp16, int8, int4, int8-static, and `auto`.

Each encoding stores a weight in fewer bytes and appends a small weight-only subgraph that turns it
back into float32 (`Cast`+`Mul` for int8/fp16, nibble unpacking for int4, standard ops valid at any
opset). onnxruntime(-web) folds such subgraphs at session start and webedge's runtime computes
them once per session, so quantized weights stay quantized on the wire and cost nothing per call.
`int8-static` uses onnxruntime's own static quantizer (QDQ), calibrated on user inputs.
"""

from .weights import ENCODINGS, quantize_weights

__all__ = ["ENCODINGS", "quantize_weights"]
