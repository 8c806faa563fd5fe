"""ONNX -> execution plan for webedge's own runtime.

`optimize` runs onnxruntime's offline optimizer at its basic level (constant folding, dead-node
removal, BatchNormalization folded into Conv, MatMul+Add into Gemm: standard ONNX ops only), `fuse`
adds the fusions our kernels have epilogues for, and `compile` writes the plan the browser executes:
nodes in order with their attributes, small constants inline, and what to free after each node.
"""
