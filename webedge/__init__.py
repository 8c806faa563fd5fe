"""webedge: bundle an ONNX model into a static web site that runs it in the browser, and prove it."""

__version__ = "0.1.0"
