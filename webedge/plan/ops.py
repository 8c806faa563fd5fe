"""Which ONNX ops webedge's runtime runs, and which wasm kernel module each needs.

Must match the JS op registry (js/src/webedge/ops/index.mjs); tests/test_plan.py checks both ways.
An op with kernel None runs in JS (shape and indexing ops, reductions, comparisons).
"""

from __future__ import annotations

ELEMENTWISE_FLOAT = ["Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean", "Identity", "Relu", "Clip",
                     "HardSigmoid", "HardSwish", "LeakyRelu", "Sigmoid", "Tanh", "Exp", "Log", "Sqrt", "Abs", "Neg",
                     "Reciprocal", "Erf", "Gelu", "Floor", "Ceil", "Softplus", "Elu", "Sin", "Cos", "Round"]
JS_ONLY = ["Mod", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "Not", "Sign",
           "Where", "Shape", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Expand", "Concat", "Slice", "Gather",
           "Transpose", "Cast", "ConstantOfShape", "Range", "Pad", "Split", "Tile", "Size",
           "ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceSumSquare", "ReduceL1", "ReduceL2",
           "ReduceLogSumExp", "ArgMax", "ArgMin"]

KERNEL_OF: dict[str, str | None] = {op: "elementwise" for op in ELEMENTWISE_FLOAT}
KERNEL_OF.update({op: None for op in JS_ONLY})
KERNEL_OF.update({"Conv": "conv", "Gemm": "gemm", "MatMul": "gemm", "MaxPool": "pool", "AveragePool": "pool",
                  "GlobalMaxPool": "pool", "GlobalAveragePool": "pool", "Softmax": "softmax", "LogSoftmax": "softmax",
                  "BatchNormalization": "norm", "LayerNormalization": "norm", "InstanceNormalization": "norm"})

KERNEL_OF.update({"If": None, "Loop": None, "Scan": None, "LSTM": "gemm", "GRU": "gemm", "RNN": "gemm",
                  "ConvTranspose": "gemm", "Resize": None, "Upsample": None})
KERNEL_OF.update({"DequantizeLinear": None, "QuantizeLinear": None, "DynamicQuantizeLinear": None,
                  "MatMulInteger": None, "ConvInteger": "conv", "QLinearMatMul": None, "QLinearConv": "conv"})

# JS-only families: ops/indexing.mjs, ops/bitwise.mjs, ops/activation.mjs, ops/normalization.mjs.
KERNEL_OF.update({op: None for op in [
    "GatherElements", "GatherND", "ScatterElements", "Scatter", "ScatterND", "Compress", "OneHot", "TopK", "Trilu",
    "EyeLike", "CumSum", "CumProd", "ReverseSequence", "SpaceToDepth", "DepthToSpace", "Hardmax", "NonZero", "Unique",
    "BitShift", "BitwiseAnd", "BitwiseOr", "BitwiseXor", "BitwiseNot",
    "Celu", "Selu", "ThresholdedRelu", "PRelu", "Mish", "Softsign", "Shrink", "Acos", "Asin", "Atan", "Acosh",
    "Asinh", "Atanh", "Cosh", "Sinh", "Tan", "IsInf", "IsNaN", "Dropout", "Einsum",
    "RMSNormalization", "LpNormalization", "MeanVarianceNormalization", "LRN", "LpPool", "GlobalLpPool"]})

# More JS-only ops: ops/grid_sample.mjs, ops/detection.mjs, ops/conv_nd.mjs (Col2Im, MaxUnpool; the
# N-D Conv/ConvTranspose fallback lives there too), ops/det.mjs, ops/tensor_scatter.mjs.
KERNEL_OF.update({op: None for op in [
    "GridSample", "NonMaxSuppression", "RoiAlign", "Col2Im", "MaxUnpool", "Det", "TensorScatter"]})
KERNEL_OF["BitCast"] = None  # ops/shape.mjs, beside Cast

SUPPORTED = frozenset(KERNEL_OF)
